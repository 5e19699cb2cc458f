"""The notebooks, generated from their Markdown sources and the reference solutions.

``markers`` reads the reference modules' graded blocks (solution and stub), ``markdown``
reads ``notebooks/source/<Name>.md``, ``cells`` makes a notebook's cells of both;
``build`` writes the learner's and the solved ``.ipynb``; ``execute`` runs one on a fresh kernel.
"""
