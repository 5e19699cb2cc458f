"""The notebooks, generated from their Markdown sources and the reference solutions.

``source`` reads ``notebooks/source/<Name>.md`` into cells; ``build`` writes the
learner's and the solved ``.ipynb``; ``execute`` runs one on a fresh kernel.
"""
