"""The plotting functions of the labs leave the caller's matplotlib alone.

A learner's kernel runs the inline backend; a library call that switched it to Agg made
every later ``plt.show()`` show nothing until the kernel restarted (issue 13). Here the
test process switches to the inline backend, as Jupyter does, opens a figure of its own,
calls the library, and checks that the backend, the current figure and pyplot's list of
figures are what they were.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

import os

import matplotlib
import matplotlib.pyplot as plt
import pytest

INLINE = "module://matplotlib_inline.backend_inline"


@pytest.fixture
def learner_backend():
    """The inline backend with one open figure, as in a kernel; restored afterwards."""
    before = matplotlib.get_backend()
    plt.switch_backend(INLINE)
    fig = plt.figure()
    yield fig
    plt.close("all")
    plt.switch_backend(before)


def assert_untouched(fig):
    assert matplotlib.get_backend() == INLINE, f"the backend was changed to {matplotlib.get_backend()!r}"
    assert plt.get_fignums() == [fig.number], "pyplot's figures changed (figures opened or closed)"
    assert plt.gcf() is fig


def test_dates_plots_keep_the_backend(learner_backend, tmp_path):
    from assignment.labs.dates.model import ModelConfig, build_model
    from assignment.labs.dates.plots import plot_attention, plot_learning_curves
    from assignment.transformer import Transformer

    history = {"loss": [2.0, 1.5, 1.2, 1.0], "accuracy": [0.1, 0.2, 0.3, 0.4],
               "dev_step": [2, 4], "dev_exact_match": [0.0, 0.1], "best_step": 4}
    plot_learning_curves(history, str(tmp_path / "curves.png"))
    plot_attention(build_model(Transformer, ModelConfig.tiny()), "3 May 1979", str(tmp_path / "attention.png"))
    assert_untouched(learner_backend)
    for name in ("curves.png", "attention.png"):
        with open(tmp_path / name, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_ner_curves_keep_the_backend(learner_backend, tmp_path):
    from assignment.labs.ner.train import plot_curves

    plot_curves({"loss": [1.0, 0.5], "dev_f1": [0.2, 0.6]}, str(tmp_path / "curves.png"))
    assert_untouched(learner_backend)
    assert os.path.getsize(tmp_path / "curves.png") > 1000
