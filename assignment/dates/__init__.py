"""Date normalization lab: train the assignment's Transformer to rewrite dates as YYYY-MM-DD.

``data`` generates the seeded splits and vocabularies, ``train`` holds the model
configuration, training loop, checkpoints and plots, ``decode`` the greedy decoder, and
``cli`` the ``python -m assignment dates ...`` command line.
"""
