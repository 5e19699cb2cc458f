"""Make sure TensorFlow uses tf-keras (Keras 2), and fail clearly when it is too late."""
import os
import sys


class Keras3ActiveError(RuntimeError):
    """TensorFlow was imported with Keras 3 before this package could select tf-keras."""


def use_legacy_keras() -> None:
    """Set TF_USE_LEGACY_KERAS=1, or raise if TensorFlow already loaded Keras 3.

    The variable is read once, when ``tensorflow`` is first imported, so it must be set
    before that. If TensorFlow is already in ``sys.modules`` and its ``tf.keras`` is
    Keras 3, nothing can fix it inside this process: we say what to do instead.
    """
    already_imported = "tensorflow" in sys.modules
    if not already_imported:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        return
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        return
    # TensorFlow is loaded and the variable was not set when it loaded: check what
    # tf.keras resolved to.
    tf = sys.modules["tensorflow"]
    version = getattr(getattr(tf, "keras", None), "__version__", "")
    if version.startswith("2."):
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        return
    raise Keras3ActiveError(
        "TensorFlow was imported before TF_USE_LEGACY_KERAS=1 was set, so tf.keras is "
        f"Keras {version or '3'}; this assignment needs tf-keras (Keras 2).\n"
        "Fix: restart the kernel (or interpreter) and run, before anything imports "
        "tensorflow:\n"
        "    import os; os.environ['TF_USE_LEGACY_KERAS'] = '1'\n"
        "or start Python with the variable set: TF_USE_LEGACY_KERAS=1 python ..."
    )
