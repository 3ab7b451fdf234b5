"""Net throughput: slimkeras vs the original tf-slim (TF1 graph mode, same
net, same weights through a checkpoint) vs keras.applications' closest
model, with a same-run matmul rate as the hardware reference.

    python benchmarks/bench_nets.py            # resnet_v1_50, vgg_16,
                                               # inception_v3, mobilenet_v1
    python benchmarks/bench_nets.py --quick    # < 5 min on 2 cores
    python benchmarks/bench_nets.py --dtype mixed_bfloat16  # + float32

Per workload (inference batch 1 latency, inference batch 16 throughput,
train step batch 16) it prints images/s of each candidate, slimkeras /
original (images/s, same net) and slimkeras / keras.applications per FLOP
(GFLOP/s; the architectures differ slightly), and % of the matmul rate.
Inference is also measured for ``fold_batch_norms(model)`` (batch norm
folded into the convs; same outputs) where the net has batch norm, for
``freeze(model)`` (folded weights as constants of one graph), and
for the original's own graph called as a TF2 function (``original_tf2``:
what the TF1 Session vs TF2 function runtime alone costs).
Candidates are timed round-robin after warm-up; medians [min-max].
Results: benchmarks/results/nets.json and nets.md.

Mixed precision (``--dtype mixed_bfloat16|mixed_float16|auto``): slimkeras
and keras.applications run under that Keras policy; the same run also
times slimkeras in float32 (same weights: ``ratio_vs_slimkeras_float32``),
the original in float32 and with TF's oneDNN auto-mixed-precision grappler
pass (``original_amp``, bf16 only), and a 3x3 conv (56x56x256, batch 16)
in the policy's compute dtype as the hardware reference
(``pct_conv3x3``). The results record the CPU's bf16 flags
(``slimkeras.mixed_precision.detect_hardware``) and go to
``nets_<policy>.json``. Without native bf16 (no AMX-BF16/AVX512-BF16)
bf16 is emulated and slow: its numbers there say nothing about targets.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks import harness  # noqa: E402
from slimkeras.inference import fold_batch_norms, freeze  # noqa: E402

# slimkeras net -> (tf_slim module, fn, keras.applications class, classes)
NETS = {
    "resnet_v1_50": ("resnet_v1", "resnet_v1_50", "ResNet50", 1000),
    "vgg_16": ("vgg", "vgg_16", "VGG16", 1000),
    "inception_v3": ("inception_v3", "inception_v3", "InceptionV3", 1001),
    "mobilenet_v1": (None, None, "MobileNet", 1001),
    # zoo part 3 (research/slim code is not pip-installable: no original
    # candidate; keras.applications per FLOP is the anchor). Not in the
    # default set: --nets mobilenet_v3_large,nasnet_mobile (results:
    # nets_zoo3.md).
    "mobilenet_v3_large": (None, None, "MobileNetV3Large", 1001),
    "nasnet_mobile": (None, None, "NASNetMobile", 1001),
}
ZOO3 = ("mobilenet_v3_large", "nasnet_mobile")


def conv_flops(model) -> float:
    """Multiply-adds x 2 of every conv/dense kernel, per image."""
    total = 0.0
    for layer in model._flatten_layers(include_self=False):
        if not layer.weights:
            continue
        try:
            out = layer.output
        except (AttributeError, ValueError):
            continue
        outs = out if isinstance(out, (list, tuple)) else [out]
        shape = outs[0].shape
        spatial = float(np.prod([d for d in shape[1:-1] if d])) if len(
            shape) > 2 else 1.0
        for v in layer.weights:
            name = v.path.rsplit("/", 1)[-1]
            k = v.shape
            if name in ("weights", "kernel", "pointwise_weights") and len(
                    k) >= 2:
                total += 2.0 * float(np.prod(k)) * spatial
            elif name in ("depthwise_weights", "depthwise_kernel"):
                total += 2.0 * float(np.prod(k)) * spatial
    return total


# tf_slim net module -> its arg_scope factory.
ORIGINAL_ARG_SCOPES = {"resnet_v1": "resnet_arg_scope", "vgg": "vgg_arg_scope",
                       "inception_v3": "inception_v3_arg_scope"}

# The aux head is not on the logits path, so a logits-only Keras model
# drops it; build both sides without it (same computation).
NET_KWARGS = {"inception_v3": {"create_aux_logits": False}}


def slimkeras_model(name, size, classes, dtype=None):
    from slimkeras import nets

    return nets.create_model(name, num_classes=classes,
                             input_shape=(size, size, 3), dtype=dtype,
                             **NET_KWARGS.get(name, {}))


def pretrained_like_statistics(model, seed=0):
    """Gives batch norm non-trivial statistics, as a trained net has.

    A fresh net has beta = moving_mean = 0 and gamma = moving_variance = 1,
    so folded biases are all zero and a frozen graph's optimizer deletes
    them — and with them the conv + bias + relu fusion — which no trained
    checkpoint would allow. Timings use values like a checkpoint's.
    """
    from tests.helpers import randomize_batch_norm

    randomize_batch_norm(model, seed=seed)


def keras_app(cls, size, classes, dtype=None):
    from slimkeras.mixed_precision import policy_scope

    app = getattr(keras.applications, cls)
    with policy_scope(dtype):
        return app(weights=None, input_shape=(size, size, 3),
                   classes=classes)


def conv3x3_candidate(dtype="float32", batch=16):
    """``(fn, flops)``: a 3x3 SAME conv, 56x56x256 -> 256, in ``dtype``
    (the compute dtype of the policy under test): the rate a net's convs
    could reach on this hardware."""
    x = tf.cast(tf.random.normal((batch, 56, 56, 256)), dtype)
    w = tf.cast(tf.random.normal((3, 3, 256, 256)) * 0.05, dtype)
    f = tf.function(lambda: tf.nn.conv2d(x, w, 1, "SAME"))
    f()
    return (lambda: f().numpy()), 2.0 * batch * 56 * 56 * 256 * 256 * 9


def inference_function(model):
    """``model`` at inference, traced with ``tf.function``."""
    return tf.function(lambda t: model(t, training=False))


def tf_function_candidates(model, x, y, lr=0.01):
    infer = inference_function(model)
    opt = keras.optimizers.SGD(lr)
    if model.dtype_policy.name == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt)
    opt.build(model.trainable_variables)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train(t, labels):
        with tf.GradientTape() as tape:
            out = model(t, training=True)
            out = tf.reshape(out, (tf.shape(out)[0], -1))
            loss = lossf(labels, out)
            scaled = opt.scale_loss(loss)  # loss scaling under float16
        grads = tape.gradient(scaled, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return infer, train


def original_candidates(module, fn_name, slim_model, size, batch, classes,
                        amp=False):
    """The original tf-slim net in graph mode, weights from slimkeras.

    ``amp``: the Session runs TF's oneDNN auto-mixed-precision grappler
    pass (bf16), the original's only route to bf16.
    """
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    import importlib

    from tests.oracle import import_tf_slim  # noqa: F401  (applies the shim)

    import_tf_slim()
    tf_slim = importlib.import_module("tf_slim")
    mod = importlib.import_module(f"tf_slim.nets.{module}")
    from slimkeras.checkpoints import save_tf1_checkpoint

    ckpt = os.path.join(tempfile.mkdtemp(), "model.ckpt")
    save_tf1_checkpoint(slim_model, ckpt)
    graph = tf.Graph()
    with graph.as_default():
        scope_fn = getattr(mod, ORIGINAL_ARG_SCOPES[module])
        x = tf.compat.v1.placeholder(tf.float32, (batch, size, size, 3))
        x1 = tf.compat.v1.placeholder(tf.float32, (1, size, size, 3))
        labels = tf.compat.v1.placeholder(tf.int64, (batch,))
        with tf_slim.arg_scope(scope_fn()):
            logits, _ = getattr(mod, fn_name)(
                x, num_classes=classes, is_training=False,
                **NET_KWARGS.get(fn_name, {}))
        # Same variables for batch 1 and the train graph (not every slim
        # net takes reuse=, so reuse through the enclosing variable scope).
        reuse = tf.compat.v1.variable_scope(
            tf.compat.v1.get_variable_scope(), reuse=True)
        with reuse, tf_slim.arg_scope(scope_fn()):
            logits1, _ = getattr(mod, fn_name)(
                x1, num_classes=classes, is_training=False,
                **NET_KWARGS.get(fn_name, {}))
            train_logits, _ = getattr(mod, fn_name)(
                x, num_classes=classes, is_training=True,
                **NET_KWARGS.get(fn_name, {}))
        loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(
            labels, tf.reshape(train_logits, (batch, -1)))
        update_ops = tf.compat.v1.get_collection(
            tf.compat.v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = tf.compat.v1.train.GradientDescentOptimizer(
                0.01).minimize(loss)
        config = None
        if amp:
            from tensorflow.core.protobuf import rewriter_config_pb2

            config = tf.compat.v1.ConfigProto()
            config.graph_options.rewrite_options.\
                auto_mixed_precision_onednn_bfloat16 = (
                    rewriter_config_pb2.RewriterConfig.ON)
        sess = tf.compat.v1.Session(graph=graph, config=config)
        sess.run(tf.compat.v1.global_variables_initializer())
        saver = tf.compat.v1.train.Saver(tf.compat.v1.model_variables())
        saver.restore(sess, ckpt)
    return sess, (x, x1, labels), (logits, logits1, train_op)


def original_as_tf_function(module, fn_name, slim_model, classes):
    """The original net's graph run by the TF2 function runtime.

    ``tf.compat.v1.wrap_function`` builds the tf_slim net (inference) into
    a concrete function; its variables get slimkeras's values by name.
    Against ``sess.run`` of the same graph this isolates what the runtime
    (TF1 Session vs TF2 function call) costs, apart from either library.
    """
    import importlib

    tf_slim = importlib.import_module("tf_slim")
    mod = importlib.import_module(f"tf_slim.nets.{module}")
    scope_fn = getattr(mod, ORIGINAL_ARG_SCOPES[module])
    layers_mod = importlib.import_module("tf_slim.layers.layers")

    def build(x):
        # tf_slim's bookkeeping of extra variable collections (inception's
        # "moving_vars") compares variables with `in`, which a function
        # graph refuses; collections change no computation, so skip it.
        with mock.patch.object(layers_mod, "_add_variable_to_collections",
                               lambda *a, **k: None), \
                tf_slim.arg_scope(scope_fn()):
            logits, _ = getattr(mod, fn_name)(
                x, num_classes=classes, is_training=False,
                **NET_KWARGS.get(fn_name, {}))
        return logits

    size = slim_model.input_shape[1]
    fns = {}
    values = {v.path: v for v in slim_model.weights}
    for b in (1, None):
        f = tf.compat.v1.wrap_function(
            build, [tf.TensorSpec((b, size, size, 3), tf.float32)])
        for v in f.graph.variables:
            v.assign(values[v.name.split(":")[0]])
        fns[b] = f
    return lambda t: fns[1 if t.shape[0] == 1 else None](tf.constant(t))


def run(nets_, size, batch, rounds, iters, results, matmul,
        dtype="float32"):
    compute = keras.DTypePolicy(dtype).compute_dtype
    for name in nets_:
        module, fn_name, app, classes = NETS[name]
        xb = harness.rng_images(batch, size)
        x1 = harness.rng_images(1, size)
        y = np.random.default_rng(0).integers(0, classes, batch)
        sk = slimkeras_model(name, size, classes, dtype)
        pretrained_like_statistics(sk)  # shared with the original below
        ka = keras_app(app, size, classes, dtype)
        pretrained_like_statistics(ka)
        flops_sk, flops_ka = conv_flops(sk), conv_flops(ka)
        sk_inf, sk_train = tf_function_candidates(sk, xb, y)
        s32 = None
        if dtype != "float32":  # the same net and weights in float32
            sk32 = slimkeras_model(name, size, classes)
            sk32.set_weights(sk.get_weights())
            s32 = tf_function_candidates(sk32, xb, y)
        # Inference-only copy with batch norm folded into the convs
        # (slimkeras.inference.fold_batch_norms): same net, same numbers.
        folded = fold_batch_norms(sk)
        fo_inf = None
        if folded.folded_scopes:
            fo_inf = inference_function(folded)
        # And frozen (slimkeras.inference.freeze): folded weights as
        # constants of one traced inference graph.
        frozen = freeze(sk)
        ka_inf, ka_train = tf_function_candidates(ka, xb, y)
        orig = None
        if module is not None:
            try:
                orig = original_candidates(module, fn_name, sk, size, batch,
                                           classes)
            except Exception as e:  # report, keep measuring the others
                print(f"  original {name}: not measured ({e})")
        amp = None
        if module is not None and dtype == "mixed_bfloat16":
            try:
                amp = original_candidates(module, fn_name, sk, size, batch,
                                          classes, amp=True)
            except Exception as e:
                print(f"  original {name} with AMP: not measured ({e})")
        workloads = {
            "infer_b1": (1, {"slimkeras": lambda: sk_inf(x1).numpy(),
                             "keras_app": lambda: ka_inf(x1).numpy()}),
            f"infer_b{batch}": (batch, {
                "slimkeras": lambda: sk_inf(xb).numpy(),
                "keras_app": lambda: ka_inf(xb).numpy()}),
            f"train_b{batch}": (batch, {
                "slimkeras": lambda: sk_train(xb, y).numpy(),
                "keras_app": lambda: ka_train(xb, y).numpy()}),
        }
        if fo_inf is not None:
            workloads["infer_b1"][1]["folded"] = lambda: fo_inf(x1).numpy()
            workloads[f"infer_b{batch}"][1]["folded"] = lambda: fo_inf(
                xb).numpy()
        workloads["infer_b1"][1]["frozen"] = lambda: frozen(x1).numpy()
        workloads[f"infer_b{batch}"][1]["frozen"] = lambda: frozen(
            xb).numpy()
        if orig is not None:
            sess, (px, px1, pl), (lg, lg1, top) = orig
            workloads["infer_b1"][1]["original"] = lambda: sess.run(
                lg1, {px1: x1})
            workloads[f"infer_b{batch}"][1]["original"] = lambda: sess.run(
                lg, {px: xb})
            workloads[f"train_b{batch}"][1]["original"] = lambda: sess.run(
                top, {px: xb, pl: y})
            wrapped = original_as_tf_function(module, fn_name, sk, classes)
            workloads["infer_b1"][1]["original_tf2"] = lambda: wrapped(
                x1).numpy()
            workloads[f"infer_b{batch}"][1]["original_tf2"] = lambda: (
                wrapped(xb).numpy())
        if s32 is not None:
            for wl, (n, cands) in workloads.items():
                xs = x1 if n == 1 else xb
                if wl.startswith("train"):
                    cands["slimkeras_float32"] = lambda: s32[1](xb, y).numpy()
                else:
                    cands["slimkeras_float32"] = (
                        lambda xs=xs: s32[0](xs).numpy())
        if amp is not None:
            asess, (ax, ax1, al), (alg, alg1, atop) = amp
            workloads["infer_b1"][1]["original_amp"] = lambda: asess.run(
                alg1, {ax1: x1})
            workloads[f"infer_b{batch}"][1]["original_amp"] = lambda: (
                asess.run(alg, {ax: xb}))
            workloads[f"train_b{batch}"][1]["original_amp"] = lambda: (
                asess.run(atop, {ax: xb, al: y}))
        mm_fn, mm_flops = harness.matmul_candidate()
        cv_fn, cv_flops = conv3x3_candidate(compute, batch)
        for wl, (n, cands) in workloads.items():
            # The hardware reference runs in the same rounds as the nets.
            # Batch 1 calls take 5-30 ms: more of them per timing, or VM
            # jitter swamps differences of a few percent.
            times = harness.interleave(
                dict(cands, matmul=mm_fn, conv3x3=cv_fn), rounds,
                iters * 8 if n == 1 else iters)
            matmul = mm_flops / harness.summary(times.pop("matmul"))[
                "median"] / 1e9
            conv = cv_flops / harness.summary(times.pop("conv3x3"))[
                "median"] / 1e9
            row = {"net": name, "workload": wl, "dtype": dtype,
                   "matmul_gflops": matmul,
                   f"conv3x3_{compute}_gflops": conv,
                   "gflops_per_image_slimkeras": flops_sk / 1e9,
                   "gflops_per_image_keras_app": flops_ka / 1e9}
            mult = 3.0 if wl.startswith("train") else 1.0
            for k, ts in times.items():
                s = harness.summary(ts)
                ips = n / s["median"]
                row[f"{k}_img_s"] = ips
                row[f"{k}_range"] = f"{n / s['max']:.1f}-{n / s['min']:.1f}"
                fl = flops_ka if k == "keras_app" else flops_sk
                row[f"{k}_pct_matmul"] = 100 * ips * fl * mult / 1e9 / matmul
                row[f"{k}_pct_conv3x3"] = 100 * ips * fl * mult / 1e9 / conv
            for k in ("slimkeras", "folded", "frozen"):
                if f"{k}_img_s" not in row:
                    continue
                pre = "" if k == "slimkeras" else f"{k}_"
                for ref in ("slimkeras_float32", "original_amp"):
                    if f"{ref}_img_s" in row:
                        row[f"{pre}ratio_vs_{ref}"] = (
                            row[f"{k}_img_s"] / row[f"{ref}_img_s"])
                if "original_img_s" in row:
                    row[f"{pre}ratio_vs_original"] = (
                        row[f"{k}_img_s"] / row["original_img_s"])
                row[f"{pre}ratio_vs_keras_app_per_flop"] = (
                    row[f"{k}_img_s"] * flops_sk
                    / (row["keras_app_img_s"] * flops_ka))
            results.append(row)
            orig_txt = (f" original {row['original_img_s']:.1f} img/s"
                        f" (x{row['ratio_vs_original']:.2f})"
                        if "original_img_s" in row else "")
            print(f"{name:13s} {wl:10s} slimkeras "
                  f"{row['slimkeras_img_s']:.1f} img/s "
                  f"[{row['slimkeras_range']}] "
                  f"({row['slimkeras_pct_matmul']:.0f}% matmul)"
                  f"{orig_txt} keras_app {row['keras_app_img_s']:.1f} img/s"
                  f" per-FLOP x{row['ratio_vs_keras_app_per_flop']:.2f}"
                  f" | matmul {matmul:.0f} GFLOP/s",
                  flush=True)
            for ref, what in (("slimkeras_float32", "slimkeras float32"),
                              ("original_amp", "original + oneDNN AMP")):
                if f"{ref}_img_s" in row:
                    print(f"{'':13s} {wl:10s} {what} "
                          f"{row[f'{ref}_img_s']:.1f} img/s; {dtype} is "
                          f"x{row[f'ratio_vs_{ref}']:.2f} of it", flush=True)
            print(f"{'':13s} {wl:10s} {compute} 3x3 conv {conv:.0f} "
                  f"GFLOP/s; slimkeras at "
                  f"{row['slimkeras_pct_conv3x3']:.0f}% of it", flush=True)
            if "original_tf2_img_s" in row:
                row["original_tf2_vs_session"] = (
                    row["original_tf2_img_s"] / row["original_img_s"])
                print(f"{'':13s} {wl:10s} the original's graph as a TF2 "
                      f"function: {row['original_tf2_img_s']:.1f} img/s "
                      f"(x{row['original_tf2_vs_session']:.2f} its "
                      "Session)", flush=True)
            for k, what in (("folded", "folded BN"), ("frozen", "frozen")):
                if f"{k}_img_s" not in row:
                    continue
                vs = (f" (x{row[f'{k}_ratio_vs_original']:.2f} original)"
                      if "original_img_s" in row else "")
                print(f"{'':13s} {wl:10s} {what} {row[f'{k}_img_s']:.1f} "
                      f"img/s [{row[f'{k}_range']}]{vs} per-FLOP "
                      f"x{row[f'{k}_ratio_vs_keras_app_per_flop']:.2f} "
                      "keras_app", flush=True)
        if orig is not None:
            orig[0].close()
        if amp is not None:
            amp[0].close()
        del sk, ka
        s32 = None  # noqa: F841 (frees the float32 copy before the next net)
        keras.backend.clear_session()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--nets", default=None, help="comma-separated subset")
    p.add_argument("--dtype", default="float32",
                   choices=("auto", "float32", "mixed_bfloat16",
                            "mixed_float16"),
                   help="Keras policy of slimkeras and keras.applications "
                        "(auto: bf16 only on native bf16 hardware)")
    args = p.parse_args(argv)
    from slimkeras import mixed_precision

    hardware = mixed_precision.detect_hardware()
    dtype, reason = mixed_precision.resolve_policy(args.dtype, hardware)
    print(f"dtype {dtype} ({reason}); CPU flags {list(hardware.cpu_flags)}"
          f"{'' if hardware.cpu_bf16 else ' (no native bf16: emulated)'}")
    if args.quick:
        size, batch, rounds, iters = 160, 8, 3, 2
        default = ["resnet_v1_50", "mobilenet_v1"]
    else:
        size, batch, rounds, iters = 224, 16, 3, 2
        default = [n for n in NETS if n not in ZOO3]
    chosen = args.nets.split(",") if args.nets else default
    matmul = harness.matmul_gflops()
    print(f"matmul reference (start): {matmul:.1f} GFLOP/s; each workload "
          "also interleaves its own matmul rounds")
    results: list[dict] = []
    run(chosen, size, batch, rounds, iters, results, matmul, dtype)
    matmul_end = harness.matmul_gflops()
    meta = dict(harness.machine(), matmul_gflops_start=matmul,
                matmul_gflops_end=matmul_end, image_size=size, batch=batch,
                rounds=rounds, iters=iters, quick=args.quick, dtype=dtype,
                dtype_reason=reason, cpu_flags=list(hardware.cpu_flags),
                cpu_bf16_native=hardware.cpu_bf16,
                gpus=[list(g) for g in hardware.gpus])
    cols = ["net", "workload", "slimkeras_img_s", "original_img_s",
            "keras_app_img_s", "ratio_vs_original",
            "ratio_vs_keras_app_per_flop", "slimkeras_pct_matmul",
            "original_pct_matmul", "keras_app_pct_matmul", "folded_img_s",
            "folded_ratio_vs_original", "folded_ratio_vs_keras_app_per_flop",
            "folded_pct_matmul", "frozen_img_s", "frozen_ratio_vs_original",
            "frozen_ratio_vs_keras_app_per_flop", "frozen_pct_matmul",
            "original_tf2_img_s",
            "original_tf2_vs_session"]
    if dtype != "float32":
        cols[2:2] = ["slimkeras_float32_img_s", "ratio_vs_slimkeras_float32",
                     "original_amp_img_s", "ratio_vs_original_amp",
                     "slimkeras_pct_conv3x3", "folded_ratio_vs_original_amp"]
    stem = "nets_quick" if args.quick else "nets"
    if all(n in ZOO3 for n in chosen):  # keeps nets.md for the main four
        stem = f"{stem}_zoo3"
    if dtype != "float32":
        stem = f"{stem}_{dtype}"
    j, m = harness.write_results(stem, results, meta, cols)
    print(f"wrote {j} and {m}")


if __name__ == "__main__":
    main()
