"""One writer per results folder: a second session is refused while the first runs, and the
lock of a killed session never blocks a resume. Raced with real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from orglearn.experiments import load_results
from orglearn.experiments.lock import FolderLock, FolderLocked
from tests.experiments._sweep_support import script, stop_group, wait_group_gone, write_sweep

# About 8 s of runs on one worker here (1,000 people, a year): long enough that a second
# session started when the first part appears finds the first still running.
SLOW_SWEEP = """
scenarios = ["baseline"]
replications = 40
seed = 5
steps = 365
[fixed]
"organisation.n_agents" = 1000
"""


def _sweep(sweep: Path, out: Path, *extra: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [str(script("orglearn")), "sweep", str(sweep), "--out", str(out), "--workers", "1",
         "--quiet", *extra],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        **kwargs,
    )


def _wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _snapshot(out: Path) -> dict[str, bytes]:
    """The finished parts (written once, never changed), by name."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/part-*.parquet"))}


def test_second_session_is_refused_and_a_killed_holder_never_blocks(tmp_path):
    sweep = write_sweep(tmp_path / "slow.toml", SLOW_SWEEP)
    out = tmp_path / "out"
    first = _sweep(sweep, out)
    try:
        _wait_for(lambda: any((out / "runs").glob("part-*.parquet")) or first.poll() is not None)
        assert first.poll() is None, first.communicate()
        before = _snapshot(out)

        second = subprocess.run(
            [str(script("orglearn")), "sweep", str(sweep), "--out", str(out), "--resume",
             "--workers", "1", "--quiet"],
            capture_output=True, text=True, timeout=120,
        )
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, second.stderr
        assert "another session is writing" in lines[0]
        assert f"pid {first.pid} on {socket.gethostname()}" in lines[0]
        assert "Traceback" not in second.stderr
        # The refused session changed nothing the first one wrote (it may have written more).
        after = _snapshot(out)
        assert before and all(after.get(name) == data for name, data in before.items())
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        wait_group_gone(first.pid)

    # The killed session's lock file stays, but the OS released its lock.
    assert (out / ".lock").exists()
    resumed = _sweep(sweep, out, "--resume")
    try:
        _, err = resumed.communicate(timeout=300)
    finally:
        stop_group(resumed)
    assert resumed.returncode == 0, err
    runs = load_results(out, timeseries=False).runs
    assert sorted(runs["run_id"]) == list(range(40))


def test_lock_is_exclusive_and_released(tmp_path):
    """In one process: a held lock refuses another holder, names the holder, and is free again
    once released (flock locks are per open file, so this models two processes)."""
    with FolderLock(tmp_path / "f"):
        with pytest.raises(FolderLocked, match=f"pid {os.getpid()} on"):
            FolderLock(tmp_path / "f").acquire()
    FolderLock(tmp_path / "f").acquire().release()


def test_lock_file_does_not_make_a_fresh_folder_look_used(tmp_path):
    """A folder holding only the lock of a session killed before it wrote anything is still
    accepted as empty by a new sweep."""
    sweep = write_sweep(tmp_path / "small.toml", SLOW_SWEEP.replace("replications = 40",
                                                                      "replications = 2"))
    out = tmp_path / "out"
    FolderLock(out).acquire().release()
    done = subprocess.run([str(script("orglearn")), "sweep", str(sweep), "--out", str(out),
                           "--workers", "1", "--quiet"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
