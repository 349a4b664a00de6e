"""One writer per results folder: an OS file lock held while a sweep session writes.

The lock is `fcntl.flock` on ``<folder>/.lock``, so the operating system releases it when the
holding process ends, however it ends (even SIGKILL): a stale lock file never blocks a resume.
The file records the holder's pid, host and start time, only to name them in the refusal.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["FolderLock", "FolderLocked", "LOCK_NAME"]

#: The lock file's name inside a results folder.
LOCK_NAME = ".lock"


class FolderLocked(RuntimeError):
    """Another live process holds the folder's lock."""

    def __init__(self, folder: Path, holder: dict):
        self.folder, self.holder = folder, holder
        who = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"
        since = f", since {holder['started']}" if holder.get("started") else ""
        #: The problem without the folder, for messages that name the folder themselves.
        self.problem = (f"another session is writing these results ({who}{since}); wait for "
                        "it to finish or stop it, then --resume")
        super().__init__(f"{folder}: {self.problem}")


class FolderLock:
    """Hold the lock of ``folder`` (created if missing) while in the ``with`` block.

    Raises:
        FolderLocked: another process holds it (nothing is changed).
    """

    def __init__(self, folder: str | Path):
        """Prepare; the lock is taken by `acquire` or on entering the ``with`` block."""
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> FolderLock:
        """Take the lock without waiting; returns self."""
        self.folder.mkdir(parents=True, exist_ok=True)
        # O_CLOEXEC (Python's default): worker processes never inherit the lock.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise FolderLocked(self.folder, holder) from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock (the file stays: deleting it would race with a new holder)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> dict:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
