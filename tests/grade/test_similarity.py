"""The similarity report: a copy with renamed variables and added comments is flagged,
two solutions written independently are not, and the release's given code never counts."""
import random
import shutil
import textwrap
from pathlib import Path

from assignment.exercises import exercises_of
from assignment.grade import similarity

from assignment.paths import REPO_ROOT

ROOT = REPO_ROOT
SUBMISSIONS = ROOT / "tests" / "submissions"

HEADER = "import numpy as np\nimport tensorflow as tf\n\n# UNQ_C3 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n"

# Attention with tf.matmul(..., transpose_b=True) and a softmax layer function.
MATMUL_STYLE = '''
def scaled_dot_product_attention(q, k, v, mask):
    scores = tf.matmul(q, k, transpose_b=True)
    depth = tf.cast(tf.shape(k)[-1], tf.float32)
    scores = scores / tf.math.sqrt(depth)
    if mask is not None:
        scores += (1.0 - mask) * -1e9
    weights = tf.keras.activations.softmax(scores, axis=-1)
    out = tf.matmul(weights, v)
    return out, weights
'''

# The same code, names changed, comments and blank lines added, one call split over lines.
RENAMED_COPY = '''
def scaled_dot_product_attention(q, k, v, mask):
    """My attention."""
    # compare every query with every key
    qk = tf.matmul(q, k,
                   transpose_b=True)

    key_size = tf.cast(tf.shape(k)[-1], tf.float32)   # d_k
    qk = qk / tf.math.sqrt(key_size)  # scaling
    if mask is not None:
        # blocked positions get a very negative logit
        qk += (1.0 - mask) * -1e9
    probs = tf.keras.activations.softmax(qk, axis=-1)
    result = tf.matmul(probs, v)  # weighted sum of the values
    return result, probs
'''

# Written independently: einsum, numpy's sqrt, tf.nn.softmax, a different masking expression.
EINSUM_STYLE = '''
def scaled_dot_product_attention(q, k, v, mask):
    d_k = k.shape[-1]
    logits = tf.einsum("...qd,...kd->...qk", q, k) / np.sqrt(d_k)
    if mask is not None:
        logits = logits + (1. - mask) * (-1.0e9)
    attention_weights = tf.nn.softmax(logits, axis=-1)
    output = tf.einsum("...qk,...kv->...qv", attention_weights, v)
    return output, attention_weights
'''

ATTENTION = next(e for e in exercises_of("Transformer") if e.name == "scaled_dot_product_attention")


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(HEADER + textwrap.dedent(body).lstrip())
    return path


def code(path):
    return similarity.code_of(path, ATTENTION, ATTENTION.source_module)


def test_renamed_and_commented_copy_is_flagged_independent_solution_is_not(tmp_path):
    original = write(tmp_path, "alice.py", MATMUL_STYLE)
    copy = write(tmp_path, "bob.py", RENAMED_COPY)
    other = write(tmp_path, "carol.py", EINSUM_STYLE)
    assert similarity.compare(code(original), code(copy))["score"] >= similarity.THRESHOLD
    assert similarity.compare(code(original), code(other))["score"] < similarity.THRESHOLD / 2
    assert similarity.compare(code(copy), code(other))["score"] < similarity.THRESHOLD / 2

    document = similarity.scan([original, copy, other])
    pairs = document["exercises"]["scaled_dot_product_attention"]["pairs"]
    assert [(p["a"], p["b"]) for p in pairs] == [("alice.py", "bob.py")]
    pair = pairs[0]
    assert pair["score"] == 1.0
    assert any("tf.matmul(q, k, transpose_b=True)" in text for text in pair["a_text"])
    assert any("key_size = tf.cast" in text for text in pair["b_text"])
    text = similarity.markdown(document)
    assert "| 1.00 | alice.py |" in text and "carol.py" not in text.split("## scaled_dot_product_attention")[1]


def test_given_code_does_not_count(tmp_path):
    # Two untouched learner copies share every line of the release: nothing of their own.
    for name in ("x.ipynb", "y.ipynb"):
        shutil.copy(SUBMISSIONS / "learner_release.ipynb", tmp_path / name)
    document = similarity.scan(sorted(tmp_path.iterdir()))
    for data in document["exercises"].values():
        assert data["pairs"] == [] and data["given_code_only"] == 2
    # The signature line, given in the release, is not among a solution's tokens.
    tokens = [text for text, _ in code(write(tmp_path, "a.py", MATMUL_STYLE)).tokens]
    assert "def" not in tokens and "return" not in tokens and tokens[:3] == ["V", "=", "tf"]


def test_winnowing_always_catches_a_long_enough_shared_run():
    rng = random.Random(0)
    guarantee = similarity.K + similarity.WINDOW - 1
    for _ in range(200):
        run = [f"t{rng.randrange(50)}" for _ in range(guarantee)]
        a = [f"a{rng.randrange(50)}" for _ in range(rng.randrange(0, 40))] + run + ["a_end"]
        b = ["b_start"] + run + [f"b{rng.randrange(50)}" for _ in range(rng.randrange(0, 40))]
        prints = []
        for tokens in (a, b):
            hashes = [similarity._hash(" ".join(tokens[i:i + similarity.K]))
                      for i in range(len(tokens) - similarity.K + 1)]
            prints.append(set(similarity.winnow(hashes)))
        assert prints[0] & prints[1]


def test_the_class_report_on_the_test_submissions():
    paths = sorted(p for p in SUBMISSIONS.iterdir() if p.suffix in (".ipynb", ".py"))
    document = similarity.scan(paths)
    attention = document["exercises"]["scaled_dot_product_attention"]
    # all_correct and course_style carry the same reference solution: one group.
    assert any({"all_correct.ipynb", "course_style.ipynb"} <= set(group) for group in attention["clusters"])
    assert "not_a_notebook.ipynb" not in str(document)
