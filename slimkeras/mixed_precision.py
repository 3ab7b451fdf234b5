"""Mixed precision: hardware detection and the ``--mixed_precision`` flag.

Every slim layer and net runs under Keras's ``mixed_bfloat16`` and
``mixed_float16`` policies (global, or ``dtype=`` on a layer): variables
stay float32, layers compute and output the compute dtype (the nets'
logits and ``Predictions`` too, as every Keras layer does), batch norm
keeps its parameters and moving statistics in float32 (fused kernel with
``U=float``), losses and regularization penalties are float32.

``auto`` picks ``mixed_bfloat16`` only where the hardware runs bf16
natively — a CPU with AMX-BF16 or AVX512-BF16 (flags read from
``/proc/cpuinfo``) or a GPU of compute capability >= 8.0 (from
``tf.config.experimental.get_device_details``) — and float32 elsewhere
(emulated bf16 is slower than float32). It never picks float16.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import keras

__all__ = [
    "CHOICES",
    "HardwareInfo",
    "add_mixed_precision_flag",
    "apply_mixed_precision",
    "cli_policy",
    "detect_hardware",
    "policy_scope",
    "resolve_policy",
]

CHOICES = ("auto", "float32", "mixed_bfloat16", "mixed_float16")
_CPU_BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@dataclasses.dataclass(frozen=True)
class HardwareInfo:
    """What was detected: CPU flags of interest and GPU capabilities.

    ``cpu_flags``: those of ``amx_bf16``, ``avx512_bf16``, ``avx512f``,
    ``amx_tile``, ``avx2`` the CPU reports. ``gpus``: ``(name, (major,
    minor))`` per visible GPU.
    """

    cpu_flags: tuple[str, ...]
    gpus: tuple[tuple[str, tuple[int, int] | None], ...]

    @property
    def cpu_bf16(self) -> bool:
        return any(f in self.cpu_flags for f in _CPU_BF16_FLAGS)

    @property
    def gpu_bf16(self) -> bool:
        return bool(self.gpus) and all(
            cc is not None and cc >= (8, 0) for _, cc in self.gpus)


def read_cpu_flags(path: str = "/proc/cpuinfo") -> tuple[str, ...]:
    """The CPU feature flags of interest, from ``/proc/cpuinfo``.

    Returns ``()`` where the file does not exist (non-Linux).
    """
    wanted = ("amx_bf16", "amx_tile", "avx512_bf16", "avx512f", "avx2")
    if not os.path.exists(path):
        return ()
    with open(path) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "flags":
                flags = set(value.split())
                return tuple(w for w in wanted if w in flags)
    return ()


def _gpu_capabilities():
    import tensorflow as tf

    out = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        cc = details.get("compute_capability")
        out.append((details.get("device_name", gpu.name),
                    tuple(cc) if cc else None))
    return tuple(out)


def detect_hardware(cpuinfo: str = "/proc/cpuinfo") -> HardwareInfo:
    """CPU flags and GPU compute capabilities of this machine."""
    return HardwareInfo(read_cpu_flags(cpuinfo), _gpu_capabilities())


def resolve_policy(value: str = "auto",
                   hardware: HardwareInfo | None = None) -> tuple[str, str]:
    """``(policy name, reason)`` for a ``--mixed_precision`` value.

    ``'float32'``, ``'mixed_bfloat16'`` and ``'mixed_float16'`` are taken
    as given; ``'auto'`` gives ``mixed_bfloat16`` on native bf16 hardware
    (GPUs first when any is visible, else the CPU) and ``float32``
    otherwise.
    """
    if value not in CHOICES:
        raise ValueError(
            f"mixed_precision must be one of {CHOICES}. Received: "
            f"{value!r}.")
    if value != "auto":
        return value, f"requested {value}"
    hw = hardware if hardware is not None else detect_hardware()
    if hw.gpus:
        if hw.gpu_bf16:
            caps = ", ".join(f"{n} (cc {c[0]}.{c[1]})" for n, c in hw.gpus)
            return "mixed_bfloat16", f"auto: GPU with native bf16: {caps}"
        return "float32", ("auto: a visible GPU has compute capability < "
                           f"8.0 (no native bf16): {hw.gpus}")
    if hw.cpu_bf16:
        native = [f for f in _CPU_BF16_FLAGS if f in hw.cpu_flags]
        return "mixed_bfloat16", (
            f"auto: CPU has native bf16 ({', '.join(native)})")
    return "float32", (
        "auto: no native bf16 (CPU flags without amx_bf16/avx512_bf16: "
        f"{list(hw.cpu_flags)}; no GPU)")


def add_mixed_precision_flag(parser, default: str = "float32") -> None:
    """Adds ``--mixed_precision {auto,float32,mixed_bfloat16,mixed_float16}``.

    The default ``float32`` keeps a run exactly as it was; ``auto`` opts in
    to bf16 where the hardware has it.
    """
    parser.add_argument(
        "--mixed_precision", choices=CHOICES, default=default,
        help="Keras dtype policy: 'auto' picks mixed_bfloat16 where the "
             "hardware runs bf16 natively (AMX-BF16/AVX512-BF16 CPU, GPU "
             "cc >= 8.0), float32 otherwise. Default: %(default)s.")


def apply_mixed_precision(value: str, log: Any = print) -> str:
    """Resolves ``value``, sets the global Keras policy, reports; returns it.

    ``log`` gets one line (``None`` to stay silent).
    """
    policy, reason = resolve_policy(value)
    keras.mixed_precision.set_global_policy(policy)
    if log is not None:
        log(f"mixed_precision: {policy} ({reason})")
    return policy


class policy_scope:
    """``with policy_scope('mixed_bfloat16'):`` sets the global Keras policy
    for the block and restores the previous one after it (``None``: no
    change). Layers and models made inside keep the policy.
    """

    def __init__(self, dtype: Any):
        self.dtype = dtype
        self._saved = None

    def __enter__(self):
        if self.dtype is not None:
            self._saved = keras.mixed_precision.global_policy()
            keras.mixed_precision.set_global_policy(self.dtype)
        return self

    def __exit__(self, *exc):
        if self.dtype is not None:
            keras.mixed_precision.set_global_policy(self._saved)
        return False


def cli_policy(args, log: Any = print) -> policy_scope:
    """The ``policy_scope`` of a CLI run's ``--mixed_precision`` value.

    Resolves ``args.mixed_precision`` (absent: float32), says which policy
    it picked and why (``log``), and restores the previous global policy
    when the command ends: ``with cli_policy(args): return _run(args)``.
    """
    value = getattr(args, "mixed_precision", None) or "float32"
    policy, reason = resolve_policy(value)
    if log is not None and value != "float32":
        log(f"mixed_precision: {policy} ({reason})")
    return policy_scope(policy)
