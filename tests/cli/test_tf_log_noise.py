"""``python -m slimkeras`` quiets TensorFlow's C++ log lines before
TensorFlow is imported; a library import leaves the process alone.

What remains (counted here): TensorFlow's absl pre-initialisation lines
("WARNING: All log messages before absl::InitializeLog() …" and the CUDA
stub's "Could not find cuda drivers" INFO line), which the TF binary
prints before ``TF_CPP_MIN_LOG_LEVEL`` is read — the same lines
``TF_CPP_MIN_LOG_LEVEL=3 python -c 'import tensorflow'`` prints. The
``cpu_feature_guard`` INFO lines and Python-side TF warnings are gone.
"""

import os
import subprocess
import sys

PRE_INIT = ("All log messages before absl::InitializeLog()",
            "cudart_stub.cc")


def _stderr(args):
    env = {k: v for k, v in os.environ.items()
           if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.run([sys.executable, *args], capture_output=True,
                          text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr.splitlines()


def test_program_run_prints_only_tensorflows_pre_init_lines():
    _, baseline = _stderr(["-c", "import os; os.environ["
                           "'TF_CPP_MIN_LOG_LEVEL'] = '3'; "
                           "import tensorflow"])
    out, lines = _stderr(["-m", "slimkeras", "train", "--help"])
    assert "--max_number_of_steps" in out
    noise = [line for line in lines if line.strip()]
    assert all(any(p in line for p in PRE_INIT) for line in noise), noise
    assert len(noise) <= len([x for x in baseline if x.strip()]), (
        noise, baseline)
    assert not any("cpu_feature_guard" in line for line in noise)


def test_library_import_does_not_touch_the_environment():
    out, _ = _stderr(["-c", "import os, slimkeras; "
                      "print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"])
    assert out.strip() == "None"
