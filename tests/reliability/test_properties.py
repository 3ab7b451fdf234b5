"""Property tests (hypothesis): arg_scope semantics and shape inference.

* arg_scope: random nestings of scopes over random registered ops and
  keyword arguments agree, at every depth and after every exit, with a
  reference model of the semantics: per op, a dict merge where the inner
  scope wins and an explicit argument wins over every scope. The layers
  actually built there carry exactly the reference values.
* Shape inference: for conv2d, conv2d_transpose, separable_conv2d,
  max/avg_pool2d over random kernel/stride/rate/padding/size, the shape
  that runs equals ``compute_output_shape`` (what Keras uses symbolically),
  the symbolic ``keras.Input`` shape, and slim's formula written here:
  conv SAME ``ceil(n/s)``, VALID ``ceil((n-(k-1)r)/s)``; pool VALID
  ``floor((n-k)/s)+1``; transposed SAME ``n*s``, VALID ``n*s+max(k-s,0)``
  (slim's ``deconv_output_length``).
"""

import keras
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import slimkeras as slim

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@slim.add_arg_scope
def _probe(a=None, b=0, c=0, padding="SAME"):
    return {"a": a, "b": b, "c": c, "padding": padding}


# Candidate values per keyword; each op lists the keywords it accepts.
VALUES = {"padding": ["SAME", "VALID"], "stride": [1, 2],
          "trainable": [True, False], "activation_fn": [None, slim.relu6],
          "a": [1, "x"], "b": [2, 3], "c": [4, 5]}
OPS = {
    "conv2d": (slim.conv2d, ("padding", "stride", "trainable",
                             "activation_fn")),
    "Conv2D": (slim.layers.Conv2D, ("padding", "stride")),
    "max_pool2d": (slim.max_pool2d, ("padding", "stride")),
    "fully_connected": (slim.fully_connected, ("trainable",
                                               "activation_fn")),
    "probe": (_probe, ("a", "b", "c", "padding")),
}
DEFAULTS = {
    "conv2d": {"padding": "SAME", "stride": 1, "trainable": True,
               "activation_fn": slim.relu},
    "max_pool2d": {"padding": "VALID", "stride": 2},
    "fully_connected": {"trainable": True, "activation_fn": slim.relu},
    "probe": {"a": None, "b": 0, "c": 0, "padding": "SAME"},
}
KEY = {name: slim.arg_scope_func_key(op) for name, (op, _) in OPS.items()}
# conv2d and Conv2D share one key (DESIGN §2).
CANON = {"Conv2D": "conv2d"}


@st.composite
def nestings(draw):
    levels = []
    for _ in range(draw(st.integers(1, 4))):
        names = draw(st.lists(st.sampled_from(sorted(OPS)), min_size=1,
                              max_size=3, unique=True))
        common = sorted(set.intersection(*(set(OPS[n][1]) for n in names)))
        keys = draw(st.lists(st.sampled_from(common), unique=True,
                             max_size=len(common))) if common else []
        levels.append((names, {k: draw(st.sampled_from(VALUES[k]))
                               for k in keys}))
    return levels


def _reference(levels):
    ref: dict = {}
    for names, kwargs in levels:
        for n in names:
            key = CANON.get(n, n)
            ref[key] = {**ref.get(key, {}), **kwargs}
    return ref


def _actual():
    cur = slim.current_arg_scope()
    out = {}
    for n in OPS:
        key = CANON.get(n, n)
        if KEY[n] in cur:
            out[key] = cur[KEY[n]]
    return out


def _layer_values(name, explicit):
    x4 = np.zeros((1, 6, 6, 2), "float32")
    with slim.name_registry():
        if name == "conv2d":
            layer = slim.layers.Conv2D(2, 3, **explicit)
            return {"padding": layer.padding, "stride": layer.stride[0],
                    "trainable": layer.trainable,
                    "activation_fn": layer.activation_fn}
        if name == "max_pool2d":
            layer = slim.layers.MaxPool2D(2, **explicit)
            layer(x4)
            return {"padding": layer.padding, "stride": layer.stride[0]}
        if name == "fully_connected":
            layer = slim.layers.FullyConnected(2, **explicit)
            return {"trainable": layer.trainable,
                    "activation_fn": layer.activation_fn}
        return _probe(**explicit)


@SETTINGS
@given(levels=nestings(), data=st.data())
def test_arg_scope_nesting_matches_reference(levels, data):
    before = slim.current_arg_scope()
    stack = []

    def enter(i):
        if i == len(levels):
            assert _actual() == _reference(levels)
            ref = _reference(levels)
            for name in DEFAULTS:
                keys = data.draw(st.lists(st.sampled_from(OPS[name][1]),
                                          unique=True, max_size=2),
                                 label=name)
                explicit = {k: data.draw(st.sampled_from(VALUES[k]))
                            for k in keys}
                expected = {**DEFAULTS[name], **ref.get(name, {}),
                            **explicit}
                got = _layer_values(name, explicit)
                for k, v in got.items():
                    want = expected[k]
                    if k == "activation_fn":
                        assert (v is None) == (want is None), (name, k)
                        if v is not None:
                            assert v.__name__ == want.__name__, (name, k)
                    else:
                        assert v == want, (name, k, v, want)
            return
        names, kwargs = levels[i]
        ops = [OPS[n][0] for n in names]
        with slim.arg_scope(ops, **kwargs) as sc:
            stack.append(sc)
            assert _actual() == _reference(levels[:i + 1])
            enter(i + 1)
            # Re-entering the yielded dict restores exactly this level.
            with slim.arg_scope(sc):
                assert _actual() == _reference(levels[:i + 1])
        assert _actual() == _reference(levels[:i])

    enter(0)
    assert slim.current_arg_scope() == before


@SETTINGS
@given(names=st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=3,
                      unique=True),
       bad=st.sampled_from(["rate_typo", "paddin", "num_output", "scope_"]))
def test_unknown_keyword_raises_and_changes_nothing(names, bad):
    before = slim.current_arg_scope()
    ops = [OPS[n][0] for n in names]
    try:
        with slim.arg_scope(ops, **{bad: 1}):
            raise AssertionError("no error")
    except ValueError as e:
        assert repr(bad) in str(e)
    assert slim.current_arg_scope() == before


# --- shape inference --------------------------------------------------------

def _ceil(a, b):
    return -(-a // b)


def _conv_formula(n, k, s, r, padding):
    if padding == "SAME":
        return _ceil(n, s)
    return _ceil(n - (k - 1) * r, s)


def _pool_formula(n, k, s, padding):
    return _ceil(n, s) if padding == "SAME" else (n - k) // s + 1


def _deconv_formula(n, k, s, padding):
    return n * s if padding == "SAME" else n * s + max(k - s, 0)


def _check(layer, shape, expected):
    x = np.random.default_rng(0).random(shape).astype("float32")
    ran = tuple(layer(x).shape)
    assert ran == expected, (ran, expected)
    assert tuple(layer.compute_output_shape(shape)) == expected
    sym = layer(keras.Input(shape[1:], batch_size=shape[0]))
    assert tuple(sym.shape) == expected


geometry = dict(
    h=st.integers(1, 11), w=st.integers(1, 11), k=st.integers(1, 5),
    k2=st.integers(1, 5), s=st.integers(1, 3), padding=st.sampled_from(
        ["SAME", "VALID"]))


@SETTINGS
@given(r=st.integers(1, 3), stride_not_rate=st.booleans(), **geometry)
def test_conv2d_shape(h, w, k, k2, s, padding, r, stride_not_rate):
    s, r = (s, 1) if stride_not_rate else (1, r)
    oh = _conv_formula(h, k, s, r, padding)
    ow = _conv_formula(w, k2, s, r, padding)
    if oh < 1 or ow < 1:
        return
    with slim.name_registry():
        layer = slim.layers.Conv2D(3, [k, k2], stride=s, rate=r,
                                   padding=padding)
        _check(layer, (2, h, w, 2), (2, oh, ow, 3))


@SETTINGS
@given(**geometry)
def test_conv2d_transpose_shape(h, w, k, k2, s, padding):
    with slim.name_registry():
        layer = slim.layers.Conv2DTranspose(3, [k, k2], stride=s,
                                            padding=padding)
        _check(layer, (2, h, w, 2), (2, _deconv_formula(h, k, s, padding),
                                     _deconv_formula(w, k2, s, padding), 3))


@SETTINGS
@given(pool=st.sampled_from(["MaxPool2D", "AvgPool2D"]), **geometry)
def test_pool2d_shape(h, w, k, k2, s, padding, pool):
    oh, ow = _pool_formula(h, k, s, padding), _pool_formula(w, k2, s,
                                                            padding)
    if oh < 1 or ow < 1:
        return
    with slim.name_registry():
        layer = getattr(slim.layers, pool)([k, k2], stride=s,
                                           padding=padding)
        _check(layer, (2, h, w, 2), (2, oh, ow, 2))


@SETTINGS
@given(depth=st.sampled_from([None, 3]), r=st.integers(1, 2),
       stride_not_rate=st.booleans(), **geometry)
def test_separable_conv2d_shape(h, w, k, k2, s, padding, depth, r,
                                stride_not_rate):
    s, r = (s, 1) if stride_not_rate else (1, r)
    oh = _conv_formula(h, k, s, r, padding)
    ow = _conv_formula(w, k2, s, r, padding)
    if oh < 1 or ow < 1:
        return
    with slim.name_registry():
        layer = slim.layers.SeparableConv2D(depth, [k, k2], 2, stride=s,
                                            rate=r, padding=padding)
        _check(layer, (2, h, w, 2), (2, oh, ow, depth or 4))
