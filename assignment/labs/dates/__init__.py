"""Date normalization lab: train the assignment's Transformer to rewrite dates as YYYY-MM-DD.

``data`` generates the seeded splits and vocabularies, ``model`` holds the configuration,
building, masks and checkpoints, ``decode`` the greedy decoder, ``plots`` the figures,
``train`` the loss, schedule and training loop, and ``commands`` what ``python -m assignment
dates ...`` runs. Imports go one way: commands -> train -> plots -> decode -> model -> data.
"""
