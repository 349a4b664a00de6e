"""Argument checks shared by the canonical models, with the project's one error wording."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

__all__ = ["check_count", "check_probability", "check_positive", "check_choice"]


def check_count(name: str, value: Any, where: str, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``, or a ValueError that names it."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(
            f"The '{name}' parameter of {where} must be an int in the range "
            f"[{minimum}, inf). Got {value!r} instead."
        )
    return int(value)


def check_positive(name: str, value: Any, where: str, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float > 0 (or >= 0), or a ValueError that names it."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = "[0, inf)" if allow_zero else "(0, inf)"
        raise ValueError(
            f"The '{name}' parameter of {where} must be a number in the range {bound}. "
            f"Got {value!r} instead."
        )
    return float(value)


def check_probability(name: str, value: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    """``value`` broadcast to ``shape`` as a fresh float array of probabilities in [0, 1].

    Raises:
        ValueError: a value outside [0, 1], not a number, or a shape that does not broadcast.
    """
    try:
        array = np.asarray(value, dtype=float)
        out = np.broadcast_to(array, shape).copy()
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter of {where} must be a probability in [0, 1] or an array "
            f"of them broadcastable to shape {shape}. Got {value!r} instead."
        ) from None
    if not np.all((out >= 0.0) & (out <= 1.0)):
        bad = array[~((array >= 0.0) & (array <= 1.0))].ravel()[0]
        raise ValueError(
            f"The '{name}' parameter of {where} must be a probability in [0, 1]. "
            f"Got {bad!r} instead."
        )
    return out


def check_choice(name: str, value: Any, choices: Sequence[str], where: str) -> str:
    """``value`` if it is one of ``choices``, or a ValueError listing them."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(
            f"The '{name}' parameter of {where} must be one of {options}. Got {value!r} instead."
        )
    return value
