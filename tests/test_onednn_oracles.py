"""Oracle comparisons whose ORIGINAL ops need oneDNN, wherever it is off.

TensorFlow turns its oneDNN kernels on by default only on some x86 CPUs.
Without them (this CI's AMD EPYC without AVX-512, or
``TF_ENABLE_ONEDNN_OPTS=0``) the original tf_slim graphs of a few cases
cannot run at all — TF1 ``Conv2D``/pools in NCHW, depthwise convs with
unequal strides, NCDHW conv3d_transpose have no plain CPU kernel — while
slimkeras's layers run everywhere. Those tests are marked
``needs_onednn``; in a process without oneDNN the conftest skips them and
this test runs all of them in one fresh process with
``TF_ENABLE_ONEDNN_OPTS=1``, so the comparison with the original is still
made on every machine. (Two reliability tests rest on oneDNN's ReLU
mapping NaN to 0, which Eigen's does not.) Where oneDNN is on, they ran
inline and this test has nothing to do.
"""

import os
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import onednn_enabled

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_needs_onednn_cases_run_in_a_onednn_process(request):
    if onednn_enabled():
        pytest.skip("oneDNN is on here: the needs_onednn tests ran inline")
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1",
               TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-n", "0", "-m", "needs_onednn", "tests/layers", "tests/nets",
           "tests/reliability"]
    if request.config.getoption("--run-slow"):
        cmd.append("--run-slow")
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1800)
    tail = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, tail
    last = proc.stdout.strip().splitlines()[-1]
    assert " passed" in last and "failed" not in last, tail
    assert "skipped" not in last or "slow" in proc.stdout, tail
