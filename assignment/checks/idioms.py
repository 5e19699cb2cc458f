"""Named hints for the idioms learners write that make their code raise.

When the learner's code raises, the judge has only the exception's type and message and
the learner's line that failed (``assignment.observations.failure``); ``idiom_hint``
matches them against the idioms below and returns the hint of the first that fits, so
the feedback never ends at a raw TensorFlow error. Data only; no TensorFlow here.
"""
import re
from typing import NamedTuple, Optional, Pattern


class Idiom(NamedTuple):
    id: str
    line: Optional[Pattern]  # matched against the failing line of the learner's code
    message: Optional[Pattern]  # matched against "<type>: <message>"; both must match when both are given
    hint: str


def _re(text):
    return re.compile(text)


IDIOMS = (
    Idiom("transpose_all_axes", _re(r"\.T\b|transpose\(\s*[\w.\[\]]+\s*\)"), None,
          "`.T` and tf.transpose / np.transpose without `perm` reverse EVERY axis: right for 2-D inputs, wrong "
          "once q and k have leading batch or head axes. Swap only the last two axes, e.g. "
          "tf.matmul(q, k, transpose_b=True)."),
    Idiom("numpy_on_tensors", _re(r"\bnp\.(matmul|dot|sqrt|transpose|swapaxes|exp|sum|max)\b"), None,
          "This line uses numpy (np.matmul, np.sqrt, ...) where TensorFlow ops are expected; numpy works on the "
          "course's small arrays but not on every input. Use tf.matmul(q, k, transpose_b=True) and "
          "tf.math.sqrt(tf.cast(dk, tf.float32))."),
    Idiom("mha_mask_keyword", None, _re(r"unexpected keyword argument 'mask'"),
          "MultiHeadAttention has no `mask` argument: its arguments are (query, value, key, attention_mask), "
          "so write self.mha(x, x, x, mask) or self.mha(x, x, x, attention_mask=mask)."),
    Idiom("mha_mask_as_key", _re(r"mha\d?\(\s*[^,()]+,\s*[^,()]+,\s*[^,()=]*mask[^,()]*\)"), None,
          "MultiHeadAttention's arguments are (query, value, key, attention_mask): in self.mha(x, x, mask) the "
          "mask lands in the `key` slot. Write self.mha(x, x, x, mask) or pass attention_mask=mask."),
    Idiom("mha_key_layer", None, _re(r"layer 'key'"),
          "MultiHeadAttention got something that is not a sequence of vectors as its `key` (third argument): "
          "its arguments are (query, value, key, attention_mask); pass the mask as the fourth, or as "
          "attention_mask=mask."),
    Idiom("training_not_passed", None,
          _re(r"missing 1 required positional argument: '(mask|look_ahead_mask|padding_mask)'"),
          "A layer was called without `training`: the layers take training positionally before the masks, e.g. "
          "self.enc_layers[i](x, training, mask) and self.dec_layers[i](x, enc_output, training, "
          "look_ahead_mask, padding_mask)."),
)


def idiom_hint(error_type: str, message: str, where: str) -> Optional[str]:
    """The hint of the first idiom that matches a raised error, or None."""
    line = where.split(":", 1)[1] if ":" in where else where
    text = f"{error_type}: {message}"
    for idiom in IDIOMS:
        if idiom.line is None and idiom.message is None:
            continue
        if idiom.line is not None and not idiom.line.search(line):
            continue
        if idiom.message is not None and not idiom.message.search(text):
            continue
        return idiom.hint
    return None
