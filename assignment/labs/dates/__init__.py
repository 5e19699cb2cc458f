"""Date normalization lab: train the assignment's Transformer to rewrite dates as YYYY-MM-DD.

``data`` generates the seeded splits and vocabularies, ``model`` holds the configuration,
building, masks and checkpoints, ``decode`` the greedy decoder, ``plots`` the figures,
``train`` the loss, schedule and training loop, and ``cli`` the ``python -m assignment
dates ...`` command line. Imports go one way: cli -> train -> plots -> decode -> model -> data.
"""
