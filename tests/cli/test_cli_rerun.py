"""Re-running a finished ``train`` (as research/slim users re-run a
script) says so instead of failing or reporting a loss of no step."""

from tests.cli.in_process import run_cli as _run


def test_rerun_of_a_finished_train_dir(tmp_path):
    args = ("train", f"--train_dir={tmp_path}", "--max_number_of_steps=3",
            "--batch_size=8", "--log_every_n_steps=0",
            "--eval_split_name=")
    rc, out, err = _run(*args)
    assert rc == 0, err
    assert "step 3: loss" in out
    rc, out, err = _run(*args)
    assert rc == 0, err
    assert "already at step 3" in out and "loss" not in out
