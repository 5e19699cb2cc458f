"""The learner's release: one folder (or zip) with the notebooks, public tests and labs, no solutions.

``build`` writes it; ``environment`` derives its pinned requirements and its
``setup_env.py``; ``archive`` zips it with the same bytes on every run.
"""
