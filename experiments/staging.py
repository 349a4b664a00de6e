"""Write a folder of results all or nothing, with the staging folder inside the target.

Staging inside the target (not beside it) keeps every rename on one file system, so an output
folder that is a mount point (tmpfs, a Docker volume) works: a rename across devices fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["STAGING_PREFIX", "staged", "publish"]

#: Names of staging folders inside an output folder; readers can ignore them.
STAGING_PREFIX = ".staging-"


@contextmanager
def staged(out: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder inside ``out`` (created if needed) and remove it at exit.

    Write the files into it, then move them in with `publish`; an error or an interruption
    before that leaves ``out`` as it was (a folder created here and left empty is removed).
    """
    out = Path(out)
    created = not out.is_dir()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            try:
                out.rmdir()  # only succeeds if nothing was published
            except OSError:
                pass


def publish(staging: Path, out: Path, names: list[str] | None = None) -> list[Path]:
    """Move ``names`` (default: every file in ``staging``, sorted) into ``out``; returns the
    paths moved to. Each move is a rename within one file system."""
    names = sorted(p.name for p in staging.iterdir()) if names is None else names
    moved = []
    for name in names:
        os.replace(staging / name, out / name)
        moved.append(out / name)
    return moved
