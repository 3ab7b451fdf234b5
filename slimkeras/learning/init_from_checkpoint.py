"""Fine-tuning init for ``fit``: restore a slim checkpoint when training
starts (research/slim's ``--checkpoint_path`` + exclude scopes)."""

from __future__ import annotations

from typing import Any

import keras

from slimkeras import checkpoints


class InitFromCheckpoint(keras.callbacks.Callback):
    """Restores ``path`` into the model at ``on_train_begin``, once.

    Args:
        path: a checkpoint in any form :func:`slimkeras.checkpoints.restore`
            takes: a TF1 name-based prefix or V1 file (research/slim's
            published ones), one of its files, a directory, a
            ``.tar.gz``/``.tgz`` archive, or a slimkeras train_dir
            (research/slim's stage-2 ``--checkpoint_path=${TRAIN_DIR}``).
        **restore_kwargs: passed to :func:`slimkeras.checkpoints.restore`
            (``exclude=['vgg_16/fc8']``, ``ignore_missing_vars`` …).

    Attributes:
        report: the restore report (None before training starts).

    A failed restore raises before the first step and changes no weight.
    """

    def __init__(self, path: Any, **restore_kwargs: Any):
        super().__init__()
        self.path = path
        self.restore_kwargs = restore_kwargs
        self.report = None

    def on_train_begin(self, logs=None):
        if self.report is None:
            self.report = checkpoints.restore(self.model, self.path,
                                              **self.restore_kwargs)
