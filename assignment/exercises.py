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
    check_module: str  # module that defines the check (a registered Check class, or the test function)
    extra_args: Tuple[str, ...] = field(default_factory=tuple)  # reference helpers the check takes after the target
    source_module: str = "assignment.transformer"  # where the reference solution lives
    # Other signatures the learner may have been given for it, as ``ast.unparse`` writes the
    # arguments: the course's own, where ours adds keyword options. Never reported as an edit.
    course_signatures: Tuple[str, ...] = field(default_factory=tuple)


_POSITIONAL, _ATTENTION = "assignment.checks.positional", "assignment.checks.attention"
_ENCODER, _DECODER = "assignment.checks.encoder", "assignment.checks.decoder"
_MODEL = "assignment.checks.transformer_model"
_MASKS = ("create_look_ahead_mask", "create_padding_mask")

NOTEBOOKS = {
    "Transformer": (
        Exercise("get_angles", "UNQ_C1", 12.5, "get_angles_test", _POSITIONAL),
        Exercise("positional_encoding", "UNQ_C2", 12.5, "positional_encoding_test", _POSITIONAL, ("get_angles",)),
        Exercise("scaled_dot_product_attention", "UNQ_C3", 12.5, "scaled_dot_product_attention_test", _ATTENTION),
        Exercise("EncoderLayer", "UNQ_C4", 12.5, "EncoderLayer_test", _ENCODER),
        Exercise("Encoder", "UNQ_C5", 12.5, "Encoder_test", _ENCODER),
        Exercise("DecoderLayer", "UNQ_C6", 12.5, "DecoderLayer_test", _DECODER, ("create_look_ahead_mask",)),
        Exercise("Decoder", "UNQ_C7", 12.5, "Decoder_test", _DECODER, _MASKS),
        Exercise("Transformer", "UNQ_C8", 12.5, "Transformer_test", _MODEL, _MASKS),
    ),
    "NER_DistilBERT": (
        # The course's lab defines it as (tokenizer, examples, tags), e.g.
        # github.com/a920604a/coursera-bk, Deeplearnnig.ai/Sequence-Models/W4A2_UGL/
        # Transformer_application_Named_Entity_Recognition; ours adds max_length=512.
        Exercise("tokenize_and_align_labels", "UNQ_C1", 100.0, "tokenize_and_align_labels_test",
                 "assignment.checks.token_alignment", source_module="assignment.labs.ner.align",
                 course_signatures=("tokenizer, examples, tags",)),
    ),
    "QA_DistilBERT": (
        # The course's third lab (extractive QA on bAbI task 1) has no graded exercise of
        # this kind; ours grades the step from an answer's characters to token positions.
        Exercise("answer_token_positions", "UNQ_C1", 100.0, "answer_token_positions_test",
                 "assignment.checks.answer_positions", source_module="assignment.labs.qa.positions"),
    ),
}

# The main assignment, the one `make demo` and the grader default to.
EXERCISES = NOTEBOOKS["Transformer"]


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


class RegistryError(ValueError):
    """The registry contradicts itself (points, tags or names); raised when it is imported."""


def validate(notebooks=None) -> None:
    """Raise RegistryError unless each notebook's points sum to 100 and its tags and names are unique."""
    for notebook, exercises in (notebooks or NOTEBOOKS).items():
        total = sum(e.points for e in exercises)
        if abs(total - 100) > 1e-9:
            raise RegistryError(f"the points of notebook {notebook!r} sum to {total}, not 100")
        for what in ("tag", "name", "check"):
            values = [getattr(e, what) for e in exercises]
            if len(set(values)) != len(values):
                raise RegistryError(f"duplicate {what}s in notebook {notebook!r}: {values}")


validate()
