"""Shared pytest set-up: quiet TF logs, --run-slow, golden dir, tmp paths."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import pathlib  # noqa: E402

import pytest  # noqa: E402

GOLDEN = (pathlib.Path(__file__).resolve().parents[1].parent
          / "shared" / "golden")


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


# The longest test files (measured with --durations), started first so that
# under pytest-xdist (``-n auto --dist loadfile`` in pyproject) no worker is
# left running one of them alone at the end. Order only; nothing is skipped.
LONGEST_FIRST = (
    "tests/test_onednn_oracles.py",
    "tests/cli/test_cli.py",
    "tests/nets/test_inception_v3.py",
    "tests/reliability/test_crash_safety.py",
    "tests/learning/test_multiworker.py",
    "tests/nets/test_inception_v2.py",
    "tests/nets/test_inception_v1.py",
    "tests/nets/test_mobilenet_v2.py",
    "tests/test_notebooks.py",
    "tests/learning/test_train.py",
)


def _longest_first(items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}

    def key(item):
        path = item.nodeid.split("::", 1)[0]
        return rank.get(path, len(rank))

    items.sort(key=key)  # stable: each file keeps its own order


def pytest_collection_modifyitems(config, items):
    _longest_first(items)
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
