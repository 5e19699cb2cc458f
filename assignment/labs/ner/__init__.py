"""Named-entity recognition lab: fine-tune DistilBERT to tag entities in resumes.

Modules: ``data`` (read annotations, spans -> word BIO tags), ``synth`` (the shipped
synthetic resumes), ``social`` (a synthetic social-media CoNLL set with rare, short
entities), ``align`` (the graded exercise) and ``checks`` (its public test), ``tokenizer``
(offline WordPiece), ``convert`` (a pretrained BERT/MiniLM checkpoint -> DistilBERT,
exactly), ``modeling`` (tiny / minilm / hub / local models), ``windows`` (long documents
-> overlapping windows), ``train`` (with per-family defaults), ``metrics``, ``predict``
and ``commands`` (what ``python -m assignment ner ...`` runs).
"""

# The entity types of the course's resume data set, in priority order: when two spans
# of a document start on the same word and have the same length, the earlier label wins.
RESUME_LABELS = [
    "Name",
    "Designation",
    "Companies worked at",
    "Skills",
    "College Name",
    "Degree",
    "Graduation Year",
    "Location",
    "Email Address",
    "Years of Experience",
]
