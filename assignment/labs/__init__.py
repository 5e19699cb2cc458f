"""The week's labs, which run on the learner's own code once the exercises pass.

``dates`` trains the learner's Transformer to normalise dates; ``ner`` fine-tunes
DistilBERT for named entities with the learner's ``tokenize_and_align_labels``.
"""
