"""Helpers shared by the ``test_sweep_*`` tests: sweep files, result comparison, processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from orglearn.experiments import load_results
from orglearn.experiments.tasks import FINAL_COLUMNS

#: Columns of the runs table that must not depend on who ran a run or when.
IDENTITY_COLUMNS = (
    "run_id", "scenario", "point_id", "replicate", "seed_entropy", "spawn_key", "status", "steps_run",
)
#: Key of a time-series row.
SERIES_KEY = ["run_id", "step", "metric", "scope", "department"]


def script(name: str) -> Path:
    """A console script of the interpreter running the tests (``orglearn``, ``dask``)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        found = shutil.which(name)
        assert found, f"the {name} console script is installed in the test environment"
        path = Path(found)
    return path


def write_sweep(path: Path, text: str) -> Path:
    """Write a sweep file (creating its folder) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def comparable_runs(directory: Path) -> pd.DataFrame:
    """The runs table without the columns that depend on the worker or the clock, by run_id."""
    runs = load_results(directory, timeseries=False).runs
    drop = ["worker", "duration_s", "error"]
    return runs.drop(columns=drop).sort_values("run_id", ignore_index=True)


def series(directory: Path) -> pd.DataFrame:
    """Every time-series row (all scopes), sorted by its key."""
    ts = load_results(directory, scope=None).timeseries
    assert ts is not None, f"{directory} holds no time series"
    return ts.sort_values(SERIES_KEY, ignore_index=True)


def assert_same_results(a: Path, b: Path) -> None:
    """Two results directories hold exactly the same runs and time series."""
    runs_a, runs_b = comparable_runs(a), comparable_runs(b)
    assert list(runs_a["run_id"]) == list(runs_b["run_id"])
    for col in (*IDENTITY_COLUMNS, *FINAL_COLUMNS):
        assert col in runs_a.columns, col
    pd.testing.assert_frame_equal(runs_a, runs_b, check_exact=True)
    pd.testing.assert_frame_equal(series(a), series(b), check_exact=True)


def duplicate_series_rows(directory: Path) -> int:
    """How many time-series rows repeat a (run_id, step, metric, scope, department) key, from
    the raw parts."""
    table = pq.read_table(directory / "timeseries").to_pandas()
    return int(table.duplicated(SERIES_KEY).sum())


def recorded_run_ids(directory: Path) -> list[int]:
    """The run ids in the runs parts, with repetitions."""
    if not any((directory / "runs").glob("part-*.parquet")):
        return []
    return pq.read_table(directory / "runs", columns=["run_id"]).column("run_id").to_pylist()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_alive(pgid: int) -> bool:
    """Whether any process of the process group is still alive (zombies of ours aside)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it started.

    SIGTERM to its process group, then SIGKILL after ``grace`` seconds; reaps the leader.
    """
    pgid = proc.pid
    if proc.poll() is None or group_alive(pgid):
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            proc.poll()
            if proc.returncode is not None and not group_alive(pgid):
                break
            time.sleep(0.05)
        if group_alive(pgid):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


def wait_group_gone(pgid: int, timeout: float = 30.0) -> bool:
    """Wait until no process of the group is left; return whether that happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.05)
    return not group_alive(pgid)
