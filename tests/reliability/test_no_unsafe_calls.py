"""No pickle/marshal/eval/exec of user-provided data anywhere in the package;
``.keras`` files of slim models load with Keras's ``safe_mode=True``.

The package source is parsed (``ast``), not grepped as text, so comments
and docstrings that mention these names do not count, and aliased imports
(``import pickle as p``) are still caught.
"""

import ast
import os
import pathlib

import keras
import numpy as np
import pytest

import slimkeras as slim

PKG = pathlib.Path(slim.__file__).parent
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill",
                  "cloudpickle", "joblib"}
UNSAFE_BUILTINS = {"eval", "exec", "compile", "__import__"}


def _sources():
    return sorted(PKG.rglob("*.py"))


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _findings(tree, where):
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] in UNSAFE_MODULES:
                    out.append(f"{where}:{node.lineno}: import {a.name}")
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in UNSAFE_MODULES:
                out.append(f"{where}:{node.lineno}: from {node.module}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func) or ""
            kw = {k.arg: k.value for k in node.keywords}
            if name in UNSAFE_BUILTINS:
                out.append(f"{where}:{node.lineno}: {name}()")
            elif name.split(".")[0] in UNSAFE_MODULES:
                out.append(f"{where}:{node.lineno}: {name}()")
            elif name.endswith(("yaml.load", "yaml.unsafe_load",
                                "yaml.full_load")):
                out.append(f"{where}:{node.lineno}: {name}()")
            elif name.endswith("load") and "allow_pickle" in kw and not (
                    isinstance(kw["allow_pickle"], ast.Constant)
                    and kw["allow_pickle"].value is False):
                out.append(f"{where}:{node.lineno}: {name}(allow_pickle=…)")
            elif "safe_mode" in kw and not (
                    isinstance(kw["safe_mode"], ast.Constant)
                    and kw["safe_mode"].value is True):
                out.append(f"{where}:{node.lineno}: {name}(safe_mode=…)")
            elif name.endswith("enable_unsafe_deserialization"):
                out.append(f"{where}:{node.lineno}: {name}()")
    return out


def test_package_source_has_no_unsafe_calls():
    files = _sources()
    assert len(files) > 50, files  # really walking the package
    found = []
    for f in files:
        found += _findings(ast.parse(f.read_text(), str(f)),
                           os.path.relpath(f, PKG.parent))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("snippet", [
    "import pickle\npickle.loads(b)",
    "import marshal as m",
    "from dill import loads",
    "eval(text)",
    "exec(code)",
    "yaml.load(f)",
    "np.load(path, allow_pickle=True)",
    "numpy.load(path, allow_pickle=flag)",
    "keras.saving.load_model(p, safe_mode=False)",
    "keras.config.enable_unsafe_deserialization()",
])
def test_scanner_catches_each_pattern(snippet):
    assert _findings(ast.parse(snippet), "x"), snippet


@pytest.mark.parametrize("snippet", [
    "np.load(path)", "np.load(path, allow_pickle=False)",
    "re.compile('x')", "model.evaluate(x)", "yaml.safe_load(f)",
    "# eval(text) in a comment", "'''pickle.loads in a docstring'''",
])
def test_scanner_ignores_safe_code(snippet):
    assert not _findings(ast.parse(snippet), "x"), snippet


def _functional():
    inp = keras.Input((8, 8, 3))
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,
                            normalizer_params={"scale": True},
                            weights_regularizer=slim.l2_regularizer(1e-3)):
            x = slim.conv2d(inp, 4, [3, 3], scope="net/conv1")
            x = slim.separable_conv2d(x, 4, [3, 3], 2, scope="net/sep")
            x = slim.max_pool2d(x, [2, 2], scope="net/pool")
            x = slim.conv2d_transpose(x, 2, [3, 3], stride=2,
                                      activation_fn=slim.relu6,
                                      scope="net/up")
        x = slim.flatten(x)
        x = slim.fully_connected(x, 3, activation_fn=None, scope="logits")
    return keras.Model(inp, x)


@pytest.mark.parametrize("make", [
    _functional,
    lambda: slim.nets.create_model("lenet", num_classes=5,
                                   input_shape=(28, 28, 1)),
], ids=["functional", "lenet"])
def test_keras_file_loads_in_safe_mode(tmp_path, make):
    model = make()
    rng = np.random.default_rng(0)
    x = rng.random((2, *model.input_shape[1:])).astype("float32")
    for v in model.weights:
        v.assign(rng.normal(0, 0.2, v.shape).astype(v.dtype))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert [v.path for v in loaded.weights] == [v.path for v in model.weights]
    np.testing.assert_allclose(loaded.predict_on_batch(x),
                               model.predict_on_batch(x), rtol=1e-5,
                               atol=1e-6)
    assert len(loaded.losses) == len(model.losses)
