"""The NER lab's public test and its tokenizer, where the lab's notebook imports them.

The check itself (probe and judge) is ``assignment/checks/token_alignment.py``; the test function is
generated from the registry like every other public test.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)
from assignment.checks.token_alignment import check_tokenizer  # noqa: F401


def tokenize_and_align_labels_test(target):
    """The public test of ``tokenize_and_align_labels`` (prints 'All tests passed' or raises)."""
    from assignment.checks import test_function
    from assignment.checks.live import LiveReference
    from assignment.exercises import find

    if not hasattr(tokenize_and_align_labels_test, "_test"):
        exercise = find("tokenize_and_align_labels", "NER_DistilBERT")
        tokenize_and_align_labels_test._test = test_function(exercise, lambda: LiveReference(exercise.source_module))
    return tokenize_and_align_labels_test._test(target)
