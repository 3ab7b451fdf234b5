"""arg_scope: tf-slim's semantics (checked against tf_slim itself) plus
contextvars isolation and validation."""

import asyncio
import threading

import pytest

import slimkeras as slim
from slimkeras import scopes
from tests.oracle import import_tf_slim


@slim.add_arg_scope
def func1(*args, **kwargs):
    return (args, kwargs)


@slim.add_arg_scope
def func2(a, b=2, c=3):
    return (a, b, c)


@slim.add_arg_scope
def func3(a, b=2, c=3):
    return (a, b, c)


def _both(tf_slim):
    """The same op pair decorated by tf_slim and by slimkeras."""

    def raw(a, b=2, c=3):
        return (a, b, c)

    return tf_slim.add_arg_scope(raw), slim.add_arg_scope(raw)


NESTINGS = [
    [({"b": 5}, None)],
    [({"b": 5}, None), ({"c": 7}, None)],
    [({"b": 5, "c": 1}, None), ({"b": 9}, None)],
    [({"b": 5}, None), ({}, None), ({"c": 0}, None)],
]


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize("explicit", [{}, {"b": 100}, {"c": -1}])
def test_nested_scopes_match_tf_slim(nesting, explicit):
    tf_slim = import_tf_slim()
    op_ref, op_new = _both(tf_slim)

    def run(arg_scope, op):
        def rec(level):
            if level == len(nesting):
                return op(1, **explicit)
            with arg_scope([op], **nesting[level][0]):
                return rec(level + 1)
        return rec(0)

    assert run(slim.arg_scope, op_new) == run(tf_slim.arg_scope, op_ref)


def test_reenter_yielded_scope_matches_tf_slim():
    tf_slim = import_tf_slim()
    op_ref, op_new = _both(tf_slim)
    results = []
    for arg_scope, op in ((tf_slim.arg_scope, op_ref),
                          (slim.arg_scope, op_new)):
        with arg_scope([op], b=10) as sc:
            pass
        with arg_scope([op], c=20):
            with arg_scope(sc):
                results.append(op(0))
    assert results[0] == results[1] == (0, 10, 3)


def test_positional_argument_beats_scope_without_error():
    with slim.arg_scope([func2], b=5):
        assert func2(1, 9) == (1, 9, 3)
        assert func2(1) == (1, 5, 3)


def test_unregistered_op_raises_naming_it():
    def plain(a, b=1):
        return a

    with pytest.raises(ValueError, match="plain"):
        with slim.arg_scope([plain], b=2):
            pass


def test_unknown_keyword_raises_listing_valid_names():
    with pytest.raises(ValueError, match=r"func2.*'d'.*Valid names: a, b, c"):
        with slim.arg_scope([func2], d=1):
            pass
    with pytest.raises(ValueError, match=r"convolution2d.*'kernel'"):
        with slim.arg_scope([slim.conv2d], kernel=3):
            pass


def test_not_a_list_raises_type_error():
    with pytest.raises(TypeError, match="list/tuple"):
        with slim.arg_scope(func2, b=1):
            pass


def test_reentered_dict_with_kwargs_raises():
    with slim.arg_scope([func2], b=1) as sc:
        pass
    with pytest.raises(ValueError, match="kwargs must be empty"):
        with slim.arg_scope(sc, b=2):
            pass


def test_scope_is_restored_after_exception():
    with pytest.raises(RuntimeError):
        with slim.arg_scope([func2], b=7):
            raise RuntimeError("boom")
    assert slim.current_arg_scope() == {}
    assert func2(1) == (1, 2, 3)


def test_has_arg_scope_and_arguments():
    assert slim.has_arg_scope(func2)
    assert slim.arg_scoped_arguments(func2) == ["a", "b", "c"]
    assert slim.has_arg_scope(slim.conv2d)
    assert "padding" in slim.arg_scoped_arguments(slim.conv2d)
    assert "outputs_collections" in slim.arg_scoped_arguments(slim.conv2d)


def test_function_and_class_share_one_key():
    key_fn = slim.arg_scope_func_key(slim.conv2d)
    key_cls = slim.arg_scope_func_key(slim.layers.Conv2D)
    assert key_fn == key_cls
    with slim.name_registry():
        with slim.arg_scope([slim.conv2d], padding="VALID", stride=2):
            layer = slim.layers.Conv2D(4, 3)
        assert layer.padding == "VALID" and layer.stride == (2, 2)
        cfg = layer.get_config()
        assert cfg["padding"] == "VALID" and cfg["stride"] == 2
        # Outside the scope, from_config gives the same layer.
        again = slim.layers.Conv2D.from_config(cfg)
        assert again.padding == "VALID" and again.full_scope == layer.full_scope


def test_explicit_argument_beats_scope_for_layers():
    with slim.name_registry():
        with slim.arg_scope([slim.layers.Conv2D], padding="VALID"):
            layer = slim.layers.Conv2D(4, 3, padding="SAME")
    assert layer.padding == "SAME"


def test_threads_are_isolated():
    barrier = threading.Barrier(8)
    results = {}

    def work(i):
        with slim.arg_scope([func3], b=i):
            barrier.wait()
            results[i] = func3(0)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: (0, i, 3) for i in range(8)}
    assert func3(0) == (0, 2, 3)


def test_asyncio_tasks_are_isolated():
    async def work(i):
        with slim.arg_scope([func3], c=i):
            await asyncio.sleep(0.01 * (8 - i))
            return func3(0)

    async def main():
        return await asyncio.gather(*(work(i) for i in range(8)))

    assert asyncio.run(main()) == [(0, 2, i) for i in range(8)]


def test_current_arg_scope_is_a_copy():
    with slim.arg_scope([func2], b=3):
        sc = slim.current_arg_scope()
        sc[scopes.arg_scope_func_key(func2)]["b"] = 99
        assert func2(0) == (0, 3, 3)


def test_register_op_names_and_op_class_map():
    def op(inputs, a, b=1, full_scope=None, **kwargs):
        return inputs

    key = "tests.test_scopes.registered_op"
    scopes.register_op(key, "test_registered_op", op, skip=1,
                       exclude=("full_scope",), extra=("reuse",),
                       strict=True, layer_class=dict)
    try:
        op._slim_key_op = key
        assert slim.arg_scoped_arguments(op) == ["a", "b", "reuse"]
        # strict: **kwargs does not open the scope to any name.
        with pytest.raises(ValueError, match="'full_scope'"):
            with slim.arg_scope([op], full_scope="x"):
                pass
        assert scopes.op_class("test_registered_op") is dict
    finally:
        scopes._REGISTERED.pop(key)
        scopes._OP_CLASSES.pop("test_registered_op")
    assert scopes.op_class("batch_norm") is slim.layers.BatchNorm
    with pytest.raises(ValueError, match="'no_such_op'"):
        scopes.op_class("no_such_op")


def test_every_function_form_comes_from_its_class():
    # pool, spatial_softmax and scale_gradient included: one mechanism.
    for fn in (slim.conv2d, slim.batch_norm, slim.pool,
               slim.spatial_softmax, slim.scale_gradient, slim.max_pool2d):
        cls = fn.layer_class
        assert cls.function is fn
        assert scopes.op_class(cls.OP_NAME) is cls
        assert scopes.arg_scope_func_key(fn) == scopes.arg_scope_func_key(cls)
