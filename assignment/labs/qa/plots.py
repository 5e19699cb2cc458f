"""Figures of the QA lab (matplotlib's object API: the caller's backend and pyplot state are left alone)."""
import io

from matplotlib.figure import Figure


def png(figure, dpi=90) -> bytes:
    """``figure`` as PNG bytes (for ``IPython.display.Image(data=...)`` or a file)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def span_figure(prediction, title="", answer_tokens=None, max_tokens=80):
    """A Figure of the start and end probabilities (``predict.Prediction``) over the tokens
    of the encoded pair, the question's included; the predicted span is shaded, and the
    true span (``answer_tokens``: (start, end) positions), when given, outlined."""
    tokens = list(prediction.tokens)[:max_tokens]
    positions = range(len(tokens))
    fig = Figure(figsize=(max(8, 0.22 * len(tokens)), 4.2))
    top, bottom = fig.subplots(2, 1, sharex=True)
    for axis, probs, name, color in ((top, prediction.start_probs, "start", "tab:blue"),
                                     (bottom, prediction.end_probs, "end", "tab:orange")):
        axis.bar(positions, probs[:len(tokens)], color=color)
        axis.set_ylabel(f"P({name})")
        axis.set_ylim(0, 1.05)
        if prediction.start < len(tokens):
            axis.axvspan(prediction.start - 0.5, min(prediction.end, len(tokens) - 1) + 0.5, color="tab:green",
                         alpha=0.15, label="predicted span")
        if answer_tokens is not None:
            axis.axvspan(answer_tokens[0] - 0.5, answer_tokens[1] + 0.5, fill=False, edgecolor="black",
                         linestyle="--", label="true span")
    top.legend(loc="upper left", fontsize=8)
    top.set_title(title or f"predicted answer: {prediction.text!r}")
    bottom.set_xticks(list(positions))
    bottom.set_xticklabels(tokens, rotation=90, fontsize=7)
    fig.tight_layout()
    return fig


def curves_figure(history):
    """A Figure of the training loss and the dev exact match per epoch (``train``'s history)."""
    epochs = range(1, len(history.get("loss", [])) + 1)
    fig = Figure(figsize=(9, 3.2))
    left, right = fig.subplots(1, 2)
    left.plot(epochs, history.get("loss", []), marker="o")
    left.set(title="training loss", xlabel="epoch")
    right.plot(epochs, history.get("dev_exact_match", []), marker="o", color="tab:green")
    right.set(title="dev exact match", xlabel="epoch", ylim=(0, 1.02))
    fig.tight_layout()
    return fig
