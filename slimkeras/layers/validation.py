"""Argument checks shared by the slim layers (as Keras's argument_validation).

Each check raises ``ValueError`` naming the argument and the value received,
and returns the standardized value where there is one.
"""

from __future__ import annotations

from typing import Any

# Data formats per number of spatial dimensions: channels last first.
FORMATS = {
    1: ("NWC", "NCW"),
    2: ("NHWC", "NCHW"),
    3: ("NDHWC", "NCDHW"),
}


def is_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def standardize_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """``3 -> (3, 3)``; ``[3] -> (3, 3)``; ``[3, 2] -> (3, 2)``."""
    if is_int(value):
        return (value,) * n
    if hasattr(value, "__len__") and not isinstance(value, str):
        items = tuple(value)
        if len(items) == 1:
            items = items * n
        if len(items) == n and all(is_int(v) for v in items):
            return items
    raise ValueError(
        f"`{name}` must be an int or a list of {n} ints. "
        f"Received: {name}={value!r}."
    )


def check_positive_ints(value: tuple[int, ...], name: str) -> None:
    """Raises unless every entry of ``value`` is > 0."""
    if any(v <= 0 for v in value):
        raise ValueError(
            f"`{name}` must be positive. Received: {name}={value!r}."
        )


def positive_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """:func:`standardize_tuple` then :func:`check_positive_ints`."""
    items = standardize_tuple(value, n, name)
    check_positive_ints(items, name)
    return items


def check_positive_int_or_list(value: Any, name: str, op: str) -> None:
    """An int >= 1 or a non-empty list of them, for any number of dims."""
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or not all(is_int(v) and v >= 1 for v in items):
        raise ValueError(
            f"{op}: `{name}` must be an int or a list of ints >= 1. "
            f"Received: {name}={value!r}."
        )


def check_positive_int(value: Any, name: str, op: str,
                       allow_none: bool = False) -> None:
    """Raises unless ``value`` is an int > 0 (or None with allow_none)."""
    if allow_none and value is None:
        return
    if not is_int(value) or value <= 0:
        what = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(
            f"{op}: `{name}` must be {what}. Received: {name}={value!r}."
        )


def check_rate_or_stride(stride: Any, rate: Any, op: str,
                         rate_name: str = "rate") -> None:
    """slim: only one of ``rate`` and ``stride`` can exceed 1."""
    if largest(stride) > 1 and largest(rate) > 1:
        raise ValueError(
            f"{op}: only one of {rate_name} or stride can be larger than "
            f"one. Received: stride={stride!r}, {rate_name}={rate!r}."
        )


def largest(value: Any) -> int:
    """The largest entry of an int or a list of ints."""
    return max(value) if hasattr(value, "__len__") else value


def check_epsilon(op: str, epsilon: Any) -> float:
    """A number >= 0 (normalization layers' ``epsilon``), as a float."""
    if isinstance(epsilon, bool) or not isinstance(
            epsilon, (int, float)) or epsilon < 0:
        raise ValueError(
            f"{op}: `epsilon` must be a number >= 0. Received: "
            f"epsilon={epsilon!r}."
        )
    return float(epsilon)


def standardize_padding(padding: Any) -> str:
    """``'same'``/``'SAME'`` -> ``'SAME'``; likewise ``'VALID'``."""
    if not isinstance(padding, str) or padding.upper() not in (
            "SAME", "VALID"):
        raise ValueError(
            "`padding` must be 'SAME' or 'VALID'. "
            f"Received: padding={padding!r}."
        )
    return padding.upper()


def standardize_data_format(data_format: Any,
                            allowed: tuple[str, ...]) -> str:
    """None -> ``allowed[0]``; raises for a format not in ``allowed``."""
    if data_format is None:
        return allowed[0]
    if data_format not in allowed:
        raise ValueError(
            f"`data_format` must be one of {allowed}. "
            f"Received: data_format={data_format!r}."
        )
    return data_format


def as_config(value: Any) -> Any:
    """A kernel/stride/rate argument as JSON-friendly config."""
    return list(value) if isinstance(value, (list, tuple)) else value
