"""Mixed precision: policy resolution, batch norm, losses, train step.

Nets under the policies are in tests/nets/test_mixed_precision_nets.py.
Tolerances: bf16 has an 8-bit mantissa (relative rounding 2**-8 ~ 4e-3),
float16 a 11-bit one (~5e-4); a single batch norm of O(1) inputs is
compared to float32 within atol = 3e-2 (bf16) / 4e-3 (float16), several
roundings of the input and output included.
"""

import argparse

import keras
import numpy as np
import pytest
import tensorflow as tf

import slimkeras as slim
from slimkeras import mixed_precision as mp
from slimkeras.layers.batch_norm import BatchNorm
from slimkeras.learning import train_op as train_op_lib
from slimkeras.losses import loss_ops

POLICIES = ("mixed_bfloat16", "mixed_float16")
ATOL = {"mixed_bfloat16": 3e-2, "mixed_float16": 4e-3}
COMPUTE = {"mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}


@pytest.fixture
def policy(request):
    """Sets the global policy named by the parameter; restores float32."""
    keras.mixed_precision.set_global_policy(request.param)
    try:
        yield request.param
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.fixture(autouse=True)
def _restore_policy():
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


# --- policy resolution ---------------------------------------------------

def _hw(flags=(), gpus=()):
    return mp.HardwareInfo(tuple(flags), tuple(gpus))


@pytest.mark.parametrize("flags,gpus,want", [
    (("avx2", "amx_tile", "amx_bf16", "avx512_bf16"), (), "mixed_bfloat16"),
    (("avx2", "avx512f", "avx512_bf16"), (), "mixed_bfloat16"),
    (("avx2", "avx512f"), (), "float32"),
    (("avx2",), (), "float32"),
    ((), (), "float32"),
    (("avx2",), (("H100", (9, 0)),), "mixed_bfloat16"),
    (("avx2",), (("A100", (8, 0)),), "mixed_bfloat16"),
    (("amx_bf16",), (("T4", (7, 5)),), "float32"),  # the GPU runs the net
    (("avx2",), (("?", None),), "float32"),
])
def test_auto_picks_bf16_only_on_native_hardware(flags, gpus, want):
    policy, reason = mp.resolve_policy("auto", _hw(flags, gpus))
    assert policy == want
    assert reason.startswith("auto: ")
    if want == "float32":
        assert "no native bf16" in reason or "< 8.0" in reason


@pytest.mark.parametrize("value", ["float32", "mixed_bfloat16",
                                   "mixed_float16"])
def test_explicit_values_are_taken_as_given(value):
    assert mp.resolve_policy(value, _hw(("amx_bf16",))) == (
        value, f"requested {value}")


def test_bad_value_raises():
    with pytest.raises(ValueError, match="mixed_precision must be one of"):
        mp.resolve_policy("bfloat16")


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    f = tmp_path / "cpuinfo"
    f.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f "
                 "avx512_bf16 amx_bf16 amx_tile\n\nprocessor\t: 1\n")
    assert mp.read_cpu_flags(str(f)) == (
        "amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2")
    assert mp.detect_hardware(str(f)).cpu_bf16
    assert mp.read_cpu_flags(str(tmp_path / "missing")) == ()


def test_detect_hardware_matches_this_host():
    with open("/proc/cpuinfo") as f:
        line = next(ln for ln in f if ln.startswith("flags"))
    flags = set(line.split(":", 1)[1].split())
    hw = mp.detect_hardware()
    assert hw.cpu_bf16 == bool(flags & {"amx_bf16", "avx512_bf16"})
    assert hw.gpus == () or all(len(g) == 2 for g in hw.gpus)


def test_flag_and_apply_set_the_global_policy():
    parser = argparse.ArgumentParser()
    mp.add_mixed_precision_flag(parser)
    assert parser.parse_args([]).mixed_precision == "float32"
    args = parser.parse_args(["--mixed_precision", "mixed_bfloat16"])
    lines = []
    assert mp.apply_mixed_precision(args.mixed_precision,
                                    log=lines.append) == "mixed_bfloat16"
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert lines == [
        "mixed_precision: mixed_bfloat16 (requested mixed_bfloat16)"]
    want, _ = mp.resolve_policy("auto")
    assert mp.apply_mixed_precision("auto", log=None) == want
    with pytest.raises(SystemExit):
        parser.parse_args(["--mixed_precision", "bf16"])


# --- batch norm ----------------------------------------------------------

def _bn_pair(shape, policy, **kw):
    """Float32 and ``policy`` BatchNorms with the same random state."""
    rng = np.random.default_rng(0)
    x = rng.normal(0.5, 1.5, shape).astype("float32")
    c = shape[-1]
    state = [rng.uniform(0.5, 1.5, c), rng.normal(0, 0.3, c),
             rng.normal(0, 0.3, c), rng.uniform(0.5, 1.5, c)]
    layers = []
    for dtype in ("float32", policy):
        with slim.name_registry():
            bn = BatchNorm(scale=True, dtype=dtype, **kw)
        bn.build(shape)
        for v, val in zip((bn.gamma, bn.beta, bn.moving_mean,
                           bn.moving_variance), state):
            v.assign(val.astype("float32"))
        layers.append(bn)
    return x, layers


@pytest.mark.parametrize("policy_name", POLICIES)
@pytest.mark.parametrize("shape,fused", [
    ((2, 3, 4, 3), None), ((8, 3), None), ((2, 3, 4, 3), False),
    ((2, 5, 3), None)])
def test_batch_norm_under_layer_dtype_policy(policy_name, shape, fused):
    """``dtype=`` on the layer: bf16/f16 in and out, float32 state, the
    moving statistics update in float32 close to the float32 layer's."""
    x, (ref, bn) = _bn_pair(shape, policy_name, fused=fused, decay=0.5)
    for training in (False, True):
        want = ref(x, training=training)
        got = bn(x, training=training)
        assert got.dtype == COMPUTE[policy_name]
        np.testing.assert_allclose(np.asarray(got, "float32"), want,
                                   atol=ATOL[policy_name])
    for a, b in zip(ref.weights, bn.weights):
        assert b.dtype == "float32"
        np.testing.assert_allclose(np.asarray(b), np.asarray(a),
                                   atol=ATOL[policy_name] / 2)
    # The training call moved the statistics (decay 0.5).
    assert not np.allclose(np.asarray(bn.moving_mean), 0.0, atol=1e-3)


@pytest.mark.parametrize("policy", POLICIES, indirect=True)
def test_batch_norm_under_global_policy_traced(policy):
    """In a traced function (as fit/predict run it) the fused kernel gets
    T=half/bf16 with U=float: no float32 round trip of the activations."""
    with slim.name_registry():
        bn = BatchNorm(scale=True)
    x = np.random.default_rng(1).normal(size=(2, 4, 4, 3)).astype("float32")
    bn(x)
    fn = tf.function(lambda t: bn(t, training=False))
    graph = fn.get_concrete_function(
        tf.TensorSpec(x.shape, COMPUTE[policy])).graph
    fbn = [op for op in graph.get_operations()
           if op.type == "FusedBatchNormV3"]
    assert len(fbn) == 1
    assert fbn[0].get_attr("T") == tf.as_dtype(COMPUTE[policy])
    assert fbn[0].get_attr("U") == tf.float32
    casts = [op for op in graph.get_operations() if op.type == "Cast"]
    assert all(op.outputs[0].dtype == tf.float32 or
               op.inputs[0].dtype == tf.float32 for op in casts)
    assert not any(op.inputs[0].dtype == tf.as_dtype(COMPUTE[policy])
                   for op in casts)


# --- losses and regularizers ---------------------------------------------

@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_losses_and_penalties_are_float32(dtype):
    rng = np.random.default_rng(2)
    logits32 = rng.normal(size=(6, 5)).astype("float32")
    logits = keras.ops.cast(logits32, dtype)
    rounded = np.asarray(keras.ops.cast(logits, "float32"))
    labels = rng.integers(0, 5, 6)
    onehot = np.eye(5, dtype="float32")[labels]
    for fn, lab in ((loss_ops.softmax_cross_entropy, onehot),
                    (loss_ops.sigmoid_cross_entropy, onehot),
                    (loss_ops.sparse_softmax_cross_entropy, labels),
                    (loss_ops.mean_squared_error, onehot)):
        got = fn(logits, lab, loss_collection=None)
        want = fn(rounded, lab, loss_collection=None)
        assert got.dtype == "float32", fn.__name__
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=fn.__name__)
    k = slim.losses.Loss("softmax_cross_entropy")(onehot, logits)
    assert k.dtype == "float32"
    np.testing.assert_allclose(
        k, loss_ops.softmax_cross_entropy(rounded, onehot,
                                          loss_collection=None), rtol=1e-6)
    w = keras.ops.cast(rng.normal(size=(3, 3)), dtype)
    w32 = np.asarray(keras.ops.cast(w, "float32"))
    for reg in (slim.l2_regularizer(0.1), slim.l1_regularizer(0.1)):
        pen = reg(w)
        assert pen.dtype == "float32"
        np.testing.assert_allclose(pen, reg(w32), rtol=1e-6)


# --- train step with loss scaling -----------------------------------------

def _dense_model(dtype):
    with slim.name_registry():
        inputs = keras.Input((4,))
        h = slim.fully_connected(inputs, 8, normalizer_fn=slim.batch_norm,
                                 dtype=dtype)
        out = slim.fully_connected(h, 2, activation_fn=None, dtype=dtype)
    return keras.Model(inputs, out)


@pytest.mark.parametrize("clip", [0.0, 0.05])
def test_train_step_with_loss_scale_optimizer_matches_float32(clip):
    """A LossScaleOptimizer (mixed_float16) gets scaled gradients and
    unscales them: the float32 weights move as the float32 model's do
    (clipping at the same global norm)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    models = [_dense_model("float32"), _dense_model("mixed_float16")]
    models[1].set_weights(models[0].get_weights())
    initial = models[0].get_weights()
    opts = [keras.optimizers.SGD(0.1), keras.optimizers.LossScaleOptimizer(
        keras.optimizers.SGD(0.1), initial_scale=1024.0)]
    for model, opt in zip(models, opts):
        def loss_fn(batch, model=model):
            pred = model(batch[0], training=True)
            return loss_ops.mean_squared_error(pred, batch[1],
                                               loss_collection=None)
        step = train_op_lib.create_train_op(loss_fn, opt, model=model,
                                            clip_gradient_norm=clip)
        loss = step((x, y))
        assert loss.dtype == tf.float32
    assert int(opts[1].iterations) == 1
    for a, b in zip(models[0].weights, models[1].weights):
        assert b.dtype == "float32"
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), atol=3e-3,
                                   err_msg=b.path)
    moved = np.asarray(models[1].weights[0]) - initial[0]
    assert np.abs(moved).max() > 1e-3  # the step did change the weights


# --- the CLI ----------------------------------------------------------------

def test_cli_main_job_with_auto(tmp_path, capsys):
    """``--mixed_precision auto`` runs the main job (LeNet on digits; on a
    host without native bf16 it keeps float32 and says why)."""
    from slimkeras.cli.main import main

    data, td = str(tmp_path / "digits"), str(tmp_path / "train")
    rc = main(["--mixed_precision", "auto", "--dataset_dir", data,
               "--train_dir", td, "--max_number_of_steps", "2",
               "--eval_split_name", ""])
    out = capsys.readouterr().out
    assert rc == 0
    want, reason = mp.resolve_policy("auto")
    assert f"mixed_precision: {want} ({reason})" in out
    assert keras.mixed_precision.global_policy().name == "float32"


@pytest.mark.slow  # ~1 min on 2 shared cores: three CLI runs
def test_cli_train_eval_export_under_bf16(tmp_path, capsys):
    """train, eval and export under mixed_bfloat16 run and leave the
    global policy float32; the .keras export keeps the policy."""
    from slimkeras.cli.main import main

    data = str(tmp_path / "digits")
    td16 = str(tmp_path / "train_bf16")
    rc = main(["train", "--mixed_precision", "mixed_bfloat16",
               "--dataset_dir", data, "--train_dir", td16,
               "--max_number_of_steps", "2", "--eval_split_name", ""])
    out = capsys.readouterr().out
    assert rc == 0 and "mixed_precision: mixed_bfloat16" in out
    assert keras.mixed_precision.global_policy().name == "float32"
    rc = main(["eval", "--mixed_precision", "mixed_bfloat16",
               "--dataset_dir", data, "--checkpoint_path", td16,
               "--max_num_batches", "1"])
    out = capsys.readouterr().out
    assert rc == 0 and "eval/Accuracy:" in out
    keras_path = str(tmp_path / "lenet.keras")
    rc = main(["export", "--mixed_precision", "mixed_bfloat16",
               "--checkpoint_path", td16, "--keras_path", keras_path])
    assert rc == 0, capsys.readouterr().err
    assert keras.mixed_precision.global_policy().name == "float32"
    loaded = keras.models.load_model(keras_path)
    assert all(v.dtype == "float32" for v in loaded.weights)
    assert {la.dtype_policy.name for la in loaded.layers
            if isinstance(la, slim.layers.SlimLayer)} == {"mixed_bfloat16"}
