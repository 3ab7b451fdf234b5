"""Executes every notebook in notebooks/ top to bottom (issue 8).

Each runs with nbclient in a fresh kernel, in a temporary working
directory, with a timeout; any error fails the test. The digits dataset
cache goes to a temporary ``SLIMKERAS_DATA_DIR`` (no network needed). Also
checks the committed notebooks carry no outputs (strip them with
``python notebooks/strip_outputs.py``).
"""

from __future__ import annotations

import pathlib
import time

import pytest

NOTEBOOKS = sorted(
    (pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob(
        "*.ipynb"))
TIMEOUT_S = 300  # per cell; a whole notebook takes well under 2 minutes

nbformat = pytest.importorskip("nbformat")


def test_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_quickstart.ipynb", "02_finetune_pretrained.ipynb",
                     "03_migrating_from_tf_slim.ipynb"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs; run "
                       "python notebooks/strip_outputs.py")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("slimkeras_data"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, data_dir, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("SLIMKERAS_DATA_DIR", data_dir)
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}})
    start = time.time()
    try:
        client.execute(cwd=str(tmp_path))
    except nbclient.exceptions.CellExecutionError as e:
        pytest.fail(f"{path.name} failed:\n{e}", pytrace=False)
    elapsed = time.time() - start
    print(f"{path.name}: {elapsed:.1f}s")
    errors = [o for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
