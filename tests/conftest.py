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


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


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
