"""Make sure TensorFlow uses tf-keras (Keras 2), and say so clearly when it is too late.

Standard library only: the learner's release ships this file as it is.

TensorFlow reads ``TF_USE_LEGACY_KERAS`` once, when ``tensorflow`` is first imported
(tensorflow/__init__.py of TF 2.16+): it then fixes where ``from tensorflow.keras...
import ...`` finds its modules (Keras 3's ``keras`` package, or ``tf_keras``) and keeps
the value in ``tensorflow._tf_uses_legacy_keras``. Setting the variable afterwards
changes nothing for those imports, so a kernel that imported TensorFlow without it runs
Keras 3, and the assignment's layers fail with Keras 3's "Only input tensors may be
passed as positional arguments" (the API passes ``training`` positionally).
"""
import os
import sys

# The values TensorFlow accepts (tensorflow/python/util/lazy_loader.py, KerasLazyLoader).
LEGACY_VALUES = ("1", "true", "True")

HOW_TO_FIX = ("restart the kernel, on the project's kernel (its kernel spec sets TF_USE_LEGACY_KERAS=1) "
              "or with `import os; os.environ['TF_USE_LEGACY_KERAS'] = '1'` run before the first "
              "`import tensorflow`")


class Keras3ActiveError(RuntimeError):
    """TensorFlow was imported with Keras 3 before this package could select tf-keras."""


def use_legacy_keras() -> None:
    """Set TF_USE_LEGACY_KERAS=1 if TensorFlow has not decided yet.

    Importing the package calls this. When TensorFlow is already loaded with Keras 3 it
    does not raise: ``from public_tests import *`` must still work so that the first
    public test can say what is wrong (``require_legacy_keras``).
    """
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is None or vars(tensorflow).get("_tf_uses_legacy_keras") is True:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"


def _is_keras3(module) -> bool:
    """Whether a loaded ``tensorflow.keras`` (module or TensorFlow's lazy loader) is Keras 3.

    Reads the object's ``__dict__`` only: any attribute lookup on an unloaded lazy
    loader would load Keras.
    """
    namespace = vars(module)
    if namespace.get("_tfll_keras_version") == "keras_3":  # TensorFlow's KerasLazyLoader, resolved
        return True
    name = namespace.get("__name__") or ""
    if name.startswith("keras."):  # e.g. keras._tf_keras.keras, keras.api._v2.keras
        return True
    path = (namespace.get("__file__") or "").replace("\\", "/")
    return "/keras/" in path and "/tf_keras/" not in path  # site-packages/keras/api/_v2/keras/...


def keras3_reason(target=None):
    """Why Keras 3 is active in this process (one clause), or None when it is not.

    Looks only at what is already loaded: TensorFlow's own record of the variable at its
    import, the ``tensorflow.keras`` module that ``from tensorflow.keras.layers import
    ...`` resolved, and ``tf.keras``. With ``target`` (a learner's class), also whether
    it derives from a class of Keras 3's own ``keras`` package (``from keras.layers import
    Layer``), which is Keras 3 whatever the variable says.
    """
    if isinstance(target, type):
        for base in target.__mro__[1:]:
            if (getattr(base, "__module__", "") or "").startswith("keras."):
                return (f"{target.__name__} derives from {base.__module__}.{base.__name__}, a Keras 3 class: "
                        "import it from tensorflow.keras, not from keras")
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is None:
        return None
    if vars(tensorflow).get("_tf_uses_legacy_keras") is False:
        return "TensorFlow was imported without TF_USE_LEGACY_KERAS=1"
    for module in (sys.modules.get("tensorflow.keras"), vars(tensorflow).get("keras")):
        if module is not None and _is_keras3(module):
            return "tensorflow.keras is Keras 3"
    return None


def keras3_message(reason: str) -> str:
    """The one line a learner reads: what is wrong and what to do."""
    return f"Keras 3 is active in this kernel ({reason}), but this assignment needs Keras 2 (tf-keras): {HOW_TO_FIX}."


def require_legacy_keras(target=None) -> None:
    """Raise Keras3ActiveError (one line) when Keras 3 is active; the public tests call it first."""
    reason = keras3_reason(target)
    if reason is not None:
        raise Keras3ActiveError(keras3_message(reason))
