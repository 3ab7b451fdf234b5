"""Tolerances stated against the original's own float32 noise floor.

The golden references were made by the ORIGINAL code with oneDNN on. The
same original, re-run on the same checkpoint with
``TF_ENABLE_ONEDNN_OPTS=0``, differs from its own references by the
amounts in ``../shared/golden/<net>/noise_onednn_off.json`` (per tensor:
max and mean |difference|). No reimplementation can be judged below that
floor, and on another CPU (an Intel AMX host, oneDNN off, another build)
our outputs move by about as much.

Rule used by every comparison with a golden reference or the original
(see the golden README)::

    per tensor   max |got - ref|  <= max(1e-4, 3 * noise max)
                 mean |got - ref| <= max(1e-5, 3 * noise mean)

Absolute only (``RTOL = 0``): the calibrated activations are O(1), and
the noise max already carries the size of the largest ones. (The old
fixed ``rtol=atol=1e-4`` let an element of 10 move by 1.1e-3.) Where a
net has no noise file,
or a tensor is not listed in it, the floors 1e-4 / 1e-5 apply: the
tolerance is never looser than the noise justifies, only ever as tight as
the old fixed ``atol=1e-4``, with the mean bound added. A real mismatch
(an epsilon, a padding, an order) moves many elements by far more than
that: ``tests/test_noise_floor.py`` perturbs one batch-norm epsilon and
shows the check fails.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

import numpy as np

__all__ = [
    "FACTOR",
    "MAX_FLOOR",
    "MEAN_FLOOR",
    "RTOL",
    "Tolerance",
    "NoiseFloor",
    "load_noise_floor",
    "assert_close",
]

from tests.conftest import GOLDEN  # noqa: E402  (../shared/golden)

FACTOR = 3.0
MAX_FLOOR = 1e-4
MEAN_FLOOR = 1e-5
RTOL = 0.0


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """``atol`` per element (plus ``rtol * |ref|``), ``mean`` per tensor."""

    atol: float = MAX_FLOOR
    mean: float = MEAN_FLOOR
    rtol: float = RTOL
    source: str = "floor (no noise measurement)"


@dataclasses.dataclass(frozen=True)
class NoiseFloor:
    """The original's own oneDNN-on vs -off differences for one net."""

    net: str
    logits: tuple[float, float] | None = None
    end_points: dict = dataclasses.field(default_factory=dict)
    path: str | None = None

    def tolerance(self, key: str | None = None) -> Tolerance:
        """The tolerance for ``logits`` (``key=None``) or an end point."""
        noise = self.logits if key in (None, "logits") else (
            self.end_points.get(key))
        if noise is None:
            return Tolerance()
        noise_max, noise_mean = noise
        return Tolerance(
            atol=max(MAX_FLOOR, FACTOR * float(noise_max)),
            mean=max(MEAN_FLOOR, FACTOR * float(noise_mean)),
            source=(f"{self.net} noise {key or 'logits'}: max "
                    f"{noise_max:.2e}, mean {noise_mean:.2e}"),
        )


def load_noise_floor(net: str, golden_dir=None) -> NoiseFloor:
    """``<golden>/<net>/noise_onednn_off.json``; an empty floor if absent.

    An empty floor gives the 1e-4 / 1e-5 defaults, so tests that run the
    original here (and need no golden file) still run where ``../shared``
    is missing.
    """
    path = pathlib.Path(golden_dir or GOLDEN) / net / "noise_onednn_off.json"
    if not path.is_file():
        return NoiseFloor(net)
    with open(path) as f:
        data = json.load(f)
    eps = {k: (float(v[0]), float(v[1]))
           for k, v in data.get("end_points", {}).items()}
    return NoiseFloor(
        net, (float(data["logits_max"]), float(data["logits_mean"])), eps,
        str(path))


def assert_close(got, ref, tol: Tolerance | None = None,
                 err_msg: str = "") -> None:
    """Asserts the noise-floor rule (module docstring) for one tensor."""
    tol = tol or Tolerance()
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, (err_msg, got.shape, ref.shape)
    np.testing.assert_allclose(
        got, ref, rtol=tol.rtol, atol=tol.atol,
        err_msg=f"{err_msg} [tolerance: {tol.source}]")
    mean = float(np.abs(got - ref).mean()) if got.size else 0.0
    assert mean <= tol.mean, (
        f"{err_msg}: mean |difference| {mean:.3e} > {tol.mean:.3e} "
        f"[tolerance: {tol.source}]")
