"""inspect() and ``slimkeras inspect``."""

import subprocess
import sys

import pytest

from slimkeras import checkpoints
from slimkeras.cli.main import main
from tests.checkpoints.helpers import keras_model, randomize, snapshot


@pytest.fixture
def saved(tmp_path):
    model = keras_model()
    randomize(model)
    return checkpoints.save_tf1_checkpoint(model, tmp_path / "m.ckpt")


def test_inspect_lists_entries(saved):
    info = checkpoints.inspect(saved)
    assert ("net/conv1/weights", (3, 3, 3, 4), "float32") in info.entries
    assert info.report is None
    text = str(info)
    assert "net/logits/biases" in text and "[3, 3, 3, 4]" in text


def test_inspect_with_model_is_a_dry_run(saved):
    model = keras_model(num_classes=5)
    before = snapshot(model)
    info = checkpoints.inspect(saved, model)
    assert info.report.dry_run
    assert sorted(p for p, *_ in info.report.shape_mismatched) == [
        "net/logits/biases", "net/logits/weights"]
    assert snapshot(model) == before
    info = checkpoints.inspect(saved, model, exclude="net/logits")
    assert info.report.ok and info.report.excluded == [
        "net/logits/weights", "net/logits/biases"]
    assert "dry run" in str(info)


def test_cli_inspect(saved, capsys):
    assert main(["inspect", saved]) == 0
    assert "net/conv1/BatchNorm/moving_mean" in capsys.readouterr().out
    assert main(["inspect", saved + "_nope"]) == 2
    assert "No checkpoint" in capsys.readouterr().err
    assert main(["inspect", saved, "--net", "no_such_net"]) == 2
    assert "Known nets" in capsys.readouterr().err


def test_cli_module_runs(saved):
    out = subprocess.run(
        [sys.executable, "-m", "slimkeras", "inspect", saved],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "net/logits/weights" in out.stdout


def test_cli_inspect_with_registered_net(golden_dir, capsys):
    from slimkeras import nets

    if "cifarnet" not in nets.list_nets():
        pytest.skip("cifarnet is not registered yet")
    path = str(golden_dir / "cifarnet" / "model.ckpt")
    assert main(["inspect", path, "--net", "cifarnet"]) == 0
    out = capsys.readouterr().out
    assert "Restore plan (dry run)" in out and "10 restored" in out
    assert main(["inspect", path, "--net", "cifarnet", "--num-classes",
                 "5"]) == 1
    assert main(["inspect", path, "--net", "cifarnet", "--num-classes", "5",
                 "--exclude", "CifarNet/logits"]) == 0
