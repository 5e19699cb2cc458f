"""The Transformer Network assignment: reference solutions, checks, grader and labs.

Importing this package selects tf-keras (Keras 2) before TensorFlow loads, because the
assignment's API passes ``training`` positionally, which Keras 3 rejects.
"""
from assignment.legacy_keras import use_legacy_keras

use_legacy_keras()

__version__ = "0.1.0"
