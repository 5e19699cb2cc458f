"""Question-answering lab: fine-tune DistilBERT to read the answer of a bAbI question off a story.

The stories are those of bAbI task 1, "single supporting fact" (Weston et al. 2015,
"Towards AI-Complete Question Answering: A Set of Prerequisite Toy Tasks",
arXiv:1502.05698): people move between places, a question asks where one of them is, and
the answer is a word of the story. The model is extractive: it scores every token of the
story as the answer's first and as its last token.

Modules: ``data`` (a seeded generator of task-1 stories, splits disjoint by story, and a
reader and writer of the bAbI text format), ``positions`` (the graded exercise: answer
characters -> token start/end positions), ``modeling`` (a small DistilBERT built offline,
or the pretrained MiniLM converted), ``train`` (Keras ``fit``), ``predict`` (the best span
from the start/end logits), ``metrics`` (exact match, token F1) and ``plots``.
"""
