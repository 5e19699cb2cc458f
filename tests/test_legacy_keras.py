"""Keras 3 detected from what is loaded (assignment/legacy_keras.py), with stand-ins for
TensorFlow's module and its lazy loader: the real kernels are in
tests/notebooks/test_course_notebooks.py (slow)."""
import sys
import types

import pytest

from assignment.legacy_keras import Keras3ActiveError, keras3_reason, require_legacy_keras


def fake_tensorflow(monkeypatch, legacy=None, keras=None, keras_module=None):
    module = types.ModuleType("tensorflow")
    if legacy is not None:
        module._tf_uses_legacy_keras = legacy
    if keras is not None:
        module.keras = keras
    monkeypatch.setitem(sys.modules, "tensorflow", module)
    if keras_module is None:
        monkeypatch.delitem(sys.modules, "tensorflow.keras", raising=False)
    else:
        monkeypatch.setitem(sys.modules, "tensorflow.keras", keras_module)
    return module


def module_at(name, path):
    module = types.ModuleType(name)
    module.__file__ = path
    return module


class UnloadedLoader(types.ModuleType):
    """Like TensorFlow's KerasLazyLoader before its first use: any attribute lookup loads."""

    def __init__(self):  # no ModuleType.__init__: no __name__ in its __dict__ yet, as TensorFlow's
        pass

    def __getattr__(self, name):
        raise AssertionError(f"the check looked up {name!r} and would have loaded Keras")


def test_tensorflow_not_loaded_is_fine(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    assert keras3_reason() is None
    require_legacy_keras()


def test_tensorflow_imported_without_the_variable_is_keras_3(monkeypatch):
    fake_tensorflow(monkeypatch, legacy=False)
    assert "imported without TF_USE_LEGACY_KERAS=1" in keras3_reason()


def test_the_message_is_one_line_with_what_to_do(monkeypatch):
    fake_tensorflow(monkeypatch, legacy=False)
    with pytest.raises(Keras3ActiveError) as caught:
        require_legacy_keras()
    message = str(caught.value)
    assert "\n" not in message
    for words in ("Keras 3 is active", "restart the kernel", "project's kernel",
                  "os.environ['TF_USE_LEGACY_KERAS'] = '1'", "before the first `import tensorflow`"):
        assert words in message


def test_legacy_tensorflow_with_tf_keras_modules_is_fine(monkeypatch):
    fake_tensorflow(monkeypatch, legacy=True, keras=UnloadedLoader(),
                    keras_module=module_at("tensorflow.keras", "/venv/site-packages/tf_keras/api/_v2/keras/__init__.py"))
    assert keras3_reason() is None


@pytest.mark.parametrize("where", ["sys.modules", "tf.keras"])
def test_a_loaded_keras_3_module_is_keras_3(monkeypatch, where):
    keras3 = module_at("tensorflow.keras", "/venv/site-packages/keras/api/_v2/keras/__init__.py")
    if where == "sys.modules":
        fake_tensorflow(monkeypatch, keras_module=keras3)
    else:
        fake_tensorflow(monkeypatch, keras=keras3)
    assert keras3_reason() == "tensorflow.keras is Keras 3"


def test_a_resolved_lazy_loader_says_which_keras(monkeypatch):
    loader = UnloadedLoader()
    vars(loader)["_tfll_keras_version"] = "keras_3"
    fake_tensorflow(monkeypatch, keras=loader)
    assert keras3_reason() == "tensorflow.keras is Keras 3"
    vars(loader)["_tfll_keras_version"] = "tf_keras"
    assert keras3_reason() is None


def test_a_class_built_on_keras_3_is_named(monkeypatch):
    fake_tensorflow(monkeypatch, legacy=True)
    Base = type("Layer", (), {"__module__": "keras.src.layers.layer"})
    Legacy = type("Layer", (), {"__module__": "tf_keras.src.engine.base_layer"})
    EncoderLayer = type("EncoderLayer", (Base,), {})
    with pytest.raises(Keras3ActiveError, match="EncoderLayer derives from keras.src.layers.layer.Layer"):
        require_legacy_keras(EncoderLayer)
    require_legacy_keras(type("EncoderLayer", (Legacy,), {}))
    require_legacy_keras(lambda x: x)  # functions: only the process is checked
