"""The exercise registry: every graded exercise, once.

The public tests, ``make demo``, the grader and the notebook generator all read this
list, so a name, a cell tag or a number of points is changed here and nowhere else.
"""
from dataclasses import dataclass, field
from typing import Tuple


@dataclass(frozen=True)
class Exercise:
    """One graded function or class of a notebook."""

    name: str  # what the learner defines: the function or class name
    tag: str  # the cell tag, e.g. "UNQ_C1"
    points: float  # what it is worth; the points of a notebook sum to 100
    check: str  # name of the public test function, e.g. "get_angles_test"
    check_module: str  # module that defines the check (public_tests.py re-exports it)
    extra_args: Tuple[str, ...] = field(default_factory=tuple)  # reference helpers the check takes after the target
    source_module: str = "assignment.transformer"  # where the reference solution lives
    kind: str = "function"  # "function" or "class" (what the graded cell defines)


_TRANSFORMER_CHECKS = "assignment.checks"

NOTEBOOKS = {
    "Transformer": (
        Exercise("get_angles", "UNQ_C1", 12.5, "get_angles_test", _TRANSFORMER_CHECKS),
        Exercise("positional_encoding", "UNQ_C2", 12.5, "positional_encoding_test", _TRANSFORMER_CHECKS,
                 ("get_angles",)),
        Exercise("scaled_dot_product_attention", "UNQ_C3", 12.5, "scaled_dot_product_attention_test",
                 _TRANSFORMER_CHECKS),
        Exercise("EncoderLayer", "UNQ_C4", 12.5, "EncoderLayer_test", _TRANSFORMER_CHECKS, kind="class"),
        Exercise("Encoder", "UNQ_C5", 12.5, "Encoder_test", _TRANSFORMER_CHECKS, kind="class"),
        Exercise("DecoderLayer", "UNQ_C6", 12.5, "DecoderLayer_test", _TRANSFORMER_CHECKS,
                 ("create_look_ahead_mask",), kind="class"),
        Exercise("Decoder", "UNQ_C7", 12.5, "Decoder_test", _TRANSFORMER_CHECKS,
                 ("create_look_ahead_mask", "create_padding_mask"), kind="class"),
        Exercise("Transformer", "UNQ_C8", 12.5, "Transformer_test", _TRANSFORMER_CHECKS,
                 ("create_look_ahead_mask", "create_padding_mask"), kind="class"),
    ),
    "NER_DistilBERT": (
        Exercise("tokenize_and_align_labels", "UNQ_C1", 100.0, "tokenize_and_align_labels_test",
                 "assignment.ner.checks", source_module="assignment.ner.align"),
    ),
}

# The main assignment, the one `make demo` and the grader default to.
EXERCISES = NOTEBOOKS["Transformer"]

# Notebooks the grader can grade: their checks are split into probe (run in the sandbox)
# and judge (run in the grader) in assignment/checks.py. The NER lab's check is a plain
# public test so far, so its notebook is checked by its public test, not graded.
GRADABLE_NOTEBOOKS = ("Transformer",)


def exercises_of(notebook: str = "Transformer"):
    """The exercises of one notebook, in cell order."""
    try:
        return NOTEBOOKS[notebook]
    except KeyError:
        raise KeyError(f"no notebook {notebook!r} in the registry; known: {sorted(NOTEBOOKS)}") from None


def find(name: str, notebook: str = "Transformer") -> Exercise:
    """The exercise called ``name`` (function or class name)."""
    for exercise in exercises_of(notebook):
        if exercise.name == name:
            return exercise
    raise KeyError(f"no exercise {name!r} in notebook {notebook!r}")


def _check_points_sum() -> None:
    for notebook, exercises in NOTEBOOKS.items():
        total = sum(e.points for e in exercises)
        assert abs(total - 100) < 1e-9, f"points of {notebook} sum to {total}, not 100"
        tags = [e.tag for e in exercises]
        assert len(set(tags)) == len(tags), f"duplicate cell tags in {notebook}: {tags}"


_check_points_sum()
