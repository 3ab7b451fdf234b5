"""``slimkeras.summary``: a zoo net's parameters grouped by slim scope,
readable at 100 columns; counts checked against the architecture and
against the model's own variables; the total is ``model.count_params()``."""

import pytest

import slimkeras
from slimkeras import model_summary, nets


@pytest.fixture(scope="module")
def lenet():
    return nets.create_model("lenet", num_classes=10)


@pytest.fixture(scope="module")
def mobilenet():
    return nets.create_model("mobilenet_v1_025", num_classes=10,
                             input_shape=(32, 32, 3))


def test_lenet_rows_are_the_architecture(lenet):
    rows = model_summary.scope_rows(lenet, depth=2)
    # LeNet on 28x28x1: conv 5x5x1x32, conv 5x5x32x64, fc 7*7*64 -> 1024,
    # fc 1024 -> 10; weights + biases each.
    want = [("LeNet/conv1", 2, 5 * 5 * 1 * 32 + 32),
            ("LeNet/conv2", 2, 5 * 5 * 32 * 64 + 64),
            ("LeNet/fc3", 2, 7 * 7 * 64 * 1024 + 1024),
            ("LeNet/fc4", 2, 1024 * 10 + 10)]
    assert [(r.scope, r.variables, r.trainable) for r in rows] == want
    assert all(r.non_trainable == 0 for r in rows)
    assert sum(r.params for r in rows) == lenet.count_params()
    (one,) = model_summary.scope_rows(lenet, depth=1)
    assert (one.scope, one.params) == ("LeNet", lenet.count_params())


def test_batch_norm_net_groups_by_scope_and_totals(mobilenet):
    text = slimkeras.summary(mobilenet, depth=2, line_length=100,
                             print_fn=None)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100
    rows = model_summary.scope_rows(mobilenet, depth=2)
    scopes = [r.scope for r in rows]
    assert scopes[0] == "MobilenetV1/Conv2d_0"
    assert "MobilenetV1/Conv2d_13_pointwise" in scopes
    assert scopes[-1] == "MobilenetV1/Logits"
    for r in rows:
        # Computed apart, from Keras's own trainable / non-trainable lists.
        def size(ws, scope=r.scope):
            return sum(int(w.numpy().size) for w in ws
                       if w.path.startswith(scope + "/"))
        assert r.trainable == size(mobilenet.trainable_weights), r.scope
        assert r.non_trainable == size(mobilenet.non_trainable_weights)
        line = next(ln for ln in lines if ln.startswith(r.scope + " "))
        assert line.split()[1:] == [f"{r.variables:,}", f"{r.trainable:,}",
                                    f"{r.non_trainable:,}", f"{r.params:,}"]
    # A depthwise unit: 3x3 depthwise_weights + BatchNorm gamma, beta
    # (mobilenet_v1's scope has scale=True) and moving mean/variance, at
    # 0.25 * 32 = 8 channels.
    dw = rows[scopes.index("MobilenetV1/Conv2d_1_depthwise")]
    assert (dw.variables, dw.trainable, dw.non_trainable) == (
        5, 3 * 3 * 8 + 2 * 8, 2 * 8)
    total = next(ln for ln in lines if ln.startswith("Total "))
    assert total.split()[-1] == f"{mobilenet.count_params():,}"
    assert sum(r.params for r in rows) == mobilenet.count_params()


def test_full_scopes_long_names_and_bad_depth(mobilenet):
    rows = model_summary.scope_rows(mobilenet, depth=None)
    assert "MobilenetV1/Conv2d_1_depthwise/BatchNorm" in [r.scope
                                                         for r in rows]
    text = model_summary.summary(mobilenet, depth=None, line_length=70,
                                 print_fn=None)
    assert max(len(line) for line in text.splitlines()) <= 70
    assert "…" in text  # long scopes shortened in the middle
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="depth must be"):
            model_summary.scope_rows(mobilenet, depth=bad)
