"""How commands report: a result on stdout (one JSON document with ``--json``), notes for people
on stdout or, with ``--json``, on stderr, and errors as one line on stderr with status 2."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

__all__ = ["note", "emit", "fail", "jsonable"]


def note(args: argparse.Namespace, text: str) -> None:
    """Say ``text`` to people: on stdout, or on stderr when stdout carries ``--json``."""
    print(text, file=sys.stderr if getattr(args, "json", False) else sys.stdout)


def emit(data: Any) -> None:
    """Print ``data`` as the command's one JSON document (NaN as null; paths as text)."""
    print(json.dumps(jsonable(data), indent=2, default=str, allow_nan=False))


def fail(message: str) -> int:
    """Report a bad input as one line on stderr; returns the exit status, 2."""
    print(f"orglearn: error: {message}", file=sys.stderr)
    return 2


def jsonable(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None and numpy scalars by Python numbers,
    so that strict JSON readers accept it."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", None) == 0:
        value = value.item()  # a numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
