"""How commands report: a result on stdout (one JSON document with ``--json``), notes for people
on stdout or, with ``--json``, on stderr, and errors as one line on stderr with status 2."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["note", "emit", "fail", "jsonable", "check_out"]


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


def check_out(path: str | Path, *, file: bool = False, option: str = "--out") -> str | None:
    """Why ``path`` cannot take a command's output, as a one-line message, or None if it can.

    ``path`` is a folder (created if missing), or with ``file`` a file. Called before any work,
    so that a bad path fails at once with status 2 rather than after a long simulation. The
    test is a real write: a temporary file created and removed in the folder, or in its nearest
    existing ancestor, because `os.access` says yes to root on a read-only mount.
    """
    path = Path(path)
    nearest = path
    try:
        if file and path.is_dir():
            return f"{option} {path} is a folder; give a file name"
        if not file and path.exists() and not path.is_dir():
            return f"{option} {path} exists and is not a folder"
        folder = path.parent if file else path
        nearest = folder
        while not nearest.exists() and nearest != nearest.parent:
            nearest = nearest.parent
        if not nearest.is_dir():
            return f"{option} {path} cannot be created: {nearest} is a file, not a folder"
        handle, probe = tempfile.mkstemp(prefix=".orglearn-probe-", dir=nearest)
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        return f"{option} {path} is not writable ({nearest}: {err.strerror or err})"
    return None
