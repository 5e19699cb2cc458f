"""PNG figures of a date-normalizer run: learning curves and cross-attention heatmaps.

Drawn with matplotlib's object API (``Figure`` + ``savefig``), never ``pyplot``: the
caller's backend and open figures are left alone, so ``plt.show()`` in a learner's
kernel keeps working after these are called.
"""
from typing import Dict, Optional

import numpy as np
from matplotlib.figure import Figure

from assignment.labs.dates import data
from assignment.labs.dates.decode import cross_attention


def plot_learning_curves(history: Dict, path: str) -> None:
    """PNG of the training loss, token accuracy (smoothed) and dev exact-match per step."""
    loss = np.array(history["loss"])
    window = max(1, min(50, len(loss) // 10))
    smooth = lambda x: np.convolve(x, np.ones(window) / window, mode="valid")  # noqa: E731
    steps = np.arange(window, len(loss) + 1)
    fig = Figure(figsize=(10, 3.5))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(np.arange(1, len(loss) + 1), loss, alpha=0.3, label="loss (per step)")
    ax1.plot(steps, smooth(loss), label=f"loss (mean of {window})")
    ax1.set_yscale("log")
    ax1.set_xlabel("step")
    ax1.set_title("training loss (masked cross-entropy)")
    ax1.legend()
    ax2.plot(steps, smooth(np.array(history["accuracy"])), label="train token accuracy")
    ax2.plot(history["dev_step"], history["dev_exact_match"], "o-", label="dev exact-match (greedy)")
    if "best_step" in history:
        ax2.axvline(history["best_step"], color="gray", linestyle=":", label="kept weights")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("step")
    ax2.set_title("accuracy")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_attention(model, text: str, path: str, max_input_chars: int = data.MAX_INPUT_CHARS,
                   layer: Optional[int] = None) -> str:
    """PNG heatmap of the last decoder layer's cross-attention (mean over heads):
    output characters (rows) x input characters (columns). Returns the translation."""
    iso, weights, in_tokens, out_tokens = cross_attention(model, text, max_input_chars, layer)
    fig = Figure(figsize=(max(4, 0.35 * len(in_tokens) + 1.5), 0.35 * len(out_tokens) + 1.5))
    ax = fig.subplots()
    ax.imshow(weights, cmap="viridis", aspect="auto")  # (out_len, in_len)
    ax.set_xticks(range(len(in_tokens)), [repr(t)[1:-1] if t != " " else "␣" for t in in_tokens])
    ax.set_yticks(range(len(out_tokens)), out_tokens)
    ax.set_xlabel("input characters")
    ax.set_ylabel("predicted characters")
    ax.set_title(f"cross-attention: {text!r} -> {iso}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return iso
