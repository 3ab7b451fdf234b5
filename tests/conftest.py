"""Shared pytest set-up: quiet TF logs, --run-slow, golden dir, tmp paths."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pathlib  # noqa: E402

import pytest  # noqa: E402

GOLDEN = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "golden"


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow", action="store_true", default=False,
        help="also run tests marked slow (full-size nets, notebooks)",
    )


def onednn_enabled() -> bool:
    """Whether TensorFlow runs its oneDNN kernels in this process.

    TF enables them by default only on some x86 CPUs (AVX-512 VNNI and
    newer); elsewhere, or with ``TF_ENABLE_ONEDNN_OPTS=0``, the plain
    Eigen kernels run, and some of the ORIGINAL's TF1 ops have no CPU
    kernel then (NCHW ``Conv2D``, depthwise convs with unequal strides,
    NCDHW ``Conv3DBackpropInput``).
    """
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def pytest_collection_modifyitems(config, items):
    onednn_skip = None
    if any("needs_onednn" in item.keywords for item in items) and (
            not onednn_enabled()):
        onednn_skip = pytest.mark.skip(reason=(
            "needs_onednn: the original's kernel for this case exists on "
            "this CPU only with oneDNN; tests/test_onednn_oracles.py runs "
            "these tests in a TF_ENABLE_ONEDNN_OPTS=1 process"))
    slow_skip = None
    if not config.getoption("--run-slow"):
        slow_skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if slow_skip is not None and "slow" in item.keywords:
            item.add_marker(slow_skip)
        elif onednn_skip is not None and "needs_onednn" in item.keywords:
            item.add_marker(onednn_skip)


@pytest.fixture
def golden_dir():
    """``../shared/golden`` (skips with a visible reason when absent)."""
    if not GOLDEN.is_dir():
        pytest.skip(f"golden references not found at {GOLDEN}")
    return GOLDEN


@pytest.fixture(autouse=True)
def _clear_keras_session():
    import keras

    yield
    keras.backend.clear_session()
