"""End-to-end fine-tuning, as a slim user does it.

The ORIGINAL research/slim LeNet checkpoint (../shared/golden/lenet, made
by the original code) → restore into a 5-class LeNet excluding
``LeNet/fc4`` → freeze everything but the new head → ``fit`` and
``train()`` both reduce the loss on real digits → frozen weights stay
bit-identical → ``evaluation_loop`` picks up the checkpoints.
"""

import keras
import numpy as np
import tensorflow as tf

from slimkeras import checkpoints, evaluation, learning
from slimkeras.datasets.digits import load_arrays as digits
from slimkeras.nets import create_model


def _digits28(n=None):
    (x, y), _ = digits()
    keep = y < 5
    x, y = x[keep][:n], y[keep][:n]
    x = tf.image.resize(x, (28, 28)).numpy()
    return x, y


def _finetune_model(golden_dir):
    model = create_model("lenet", num_classes=5, input_shape=(28, 28, 1))
    report = checkpoints.restore(model, str(golden_dir / "lenet" /
                                            "model.ckpt"),
                                 exclude=["LeNet/fc4"])
    assert sorted(report.excluded) == ["LeNet/fc4/biases", "LeNet/fc4/weights"]
    return model, report


def test_finetune_with_fit_keeps_frozen_weights(golden_dir):
    x, y = _digits28(256)
    model, _ = _finetune_model(golden_dir)
    reader = tf.train.load_checkpoint(str(golden_dir / "lenet" /
                                          "model.ckpt"))
    kept = learning.set_trainable_scopes(model, "LeNet/fc4")
    assert kept == ["LeNet/fc4/weights", "LeNet/fc4/biases"]
    model.compile(keras.optimizers.Adam(1e-2),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    for v in model.weights:
        if not v.path.startswith("LeNet/fc4"):
            np.testing.assert_array_equal(v.numpy(),
                                          reader.get_tensor(v.path))


def test_finetune_with_train_then_evaluation_loop(golden_dir, tmp_path):
    x, y = _digits28(256)
    model, _ = _finetune_model(golden_dir)
    learning.set_trainable_scopes(model, "LeNet/fc4")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=0) \
        .repeat().batch(32)
    lossf = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    step = learning.create_train_op(
        lambda b: lossf(b[1], model(b[0], training=True)),
        keras.optimizers.Adam(1e-2), model=model)
    first = float(lossf(y, model(x, training=False)))
    learning.train(step, ds, str(tmp_path), number_of_steps=30,
                   save_interval_steps=15, verbose=False)
    last = float(lossf(y, model(x, training=False)))
    assert last < first
    eval_model = create_model("lenet", num_classes=5,
                              input_shape=(28, 28, 1))
    values = evaluation.evaluation_loop(
        eval_model, tf.data.Dataset.from_tensor_slices((x, y)).batch(64),
        [keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        str(tmp_path), max_number_of_evaluations=1, timeout=5)
    assert values["accuracy"] > 0.5  # 5 classes: chance is 0.2


def test_init_from_checkpoint_callback_in_fit(golden_dir):
    x, y = _digits28(64)
    model = create_model("lenet", num_classes=5, input_shape=(28, 28, 1))
    path = str(golden_dir / "lenet" / "model.ckpt")
    cb = learning.InitFromCheckpoint(path, exclude=["LeNet/fc4"])
    learning.set_trainable_scopes(model, "LeNet/fc4")
    model.compile(keras.optimizers.SGD(0.01),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[cb])
    reader = tf.train.load_checkpoint(path)
    assert len(cb.report.restored) == 6
    conv1 = [v for v in model.weights if v.path == "LeNet/conv1/weights"][0]
    np.testing.assert_array_equal(conv1.numpy(),
                                  reader.get_tensor("LeNet/conv1/weights"))
