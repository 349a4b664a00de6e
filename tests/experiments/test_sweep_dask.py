"""The Dask backend gives the same results as this process and as local worker processes.

Everything here listens on 127.0.0.1 only, on free ports, and is stopped by the test that
started it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from orglearn.experiments import run_sweep
from tests.experiments._sweep_support import (
    assert_same_results,
    free_port,
    script,
    stop_group,
    write_sweep,
)

distributed = pytest.importorskip("distributed")

SWEEP = """
title = "dask test"
scenarios = ["baseline", "hoarders"]
replications = 3
seed = 42
steps = 40
[vary]
"asking.reputation_detection" = [true, false]
[fixed]
"organisation.n_agents" = 40
"""
TOTAL = 2 * 2 * 3


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> tuple[Path, Path]:
    """The sweep file and its results run in this process (workers=1)."""
    root = tmp_path_factory.mktemp("dask-serial")
    path = write_sweep(root / "dask.toml", SWEEP)
    outcome = run_sweep(path, root / "out", workers=1, progress=False)
    assert outcome.ok == TOTAL and outcome.failed == 0
    return path, root / "out"


def test_local_cluster_equals_serial_and_local_processes(serial, tmp_path):
    path, serial_out = serial
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        outcome = run_sweep(path, tmp_path / "dask", scheduler=cluster.scheduler_address,
                            progress=False)
    assert (outcome.ok, outcome.failed, outcome.total) == (TOTAL, 0, TOTAL)
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][0]["backend"] == f"dask {cluster.scheduler_address}"
    assert outcome.runs["worker"].nunique() >= 1
    assert_same_results(tmp_path / "dask", serial_out)

    local = run_sweep(path, tmp_path / "local", workers=2, progress=False)
    assert (local.ok, local.failed) == (TOTAL, 0)
    assert_same_results(tmp_path / "local", serial_out)


def start(args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=cwd, start_new_session=True, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def test_dask_command_line_scheduler_and_worker(serial, tmp_path):
    path, serial_out = serial
    sweep = tmp_path / "dask.toml"
    shutil.copy(path, sweep)
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(script("dask"))
    scratch = tmp_path / "dask-scratch"
    scratch.mkdir()
    processes: list[subprocess.Popen] = []
    try:
        processes.append(start(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            tmp_path / "scheduler.log", scratch,
        ))
        processes.append(start(
            [dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
             "--host", "127.0.0.1", "--local-directory", str(scratch), "--death-timeout", "60"],
            tmp_path / "worker.log", scratch,
        ))
        deadline = time.monotonic() + 90
        while True:  # wait until the scheduler answers and the worker has joined
            for proc in processes:
                assert proc.poll() is None, (tmp_path / "scheduler.log").read_text() + (
                    tmp_path / "worker.log").read_text()
            try:
                with distributed.Client(address, timeout="5s") as client:
                    client.wait_for_workers(1, timeout=60)
                break
            except (OSError, TimeoutError):
                assert time.monotonic() < deadline, "the dask scheduler did not start"
                time.sleep(0.5)

        out = tmp_path / "out"
        result = subprocess.run(
            [str(script("orglearn")), "sweep", str(sweep), "--scheduler", address,
             "--out", str(out), "--quiet"],
            capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert f"{TOTAL} runs finished and 0 failed" in result.stdout
    finally:
        for proc in reversed(processes):
            stop_group(proc)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][0]["backend"] == f"dask {address}"
    assert_same_results(out, serial_out)


SUBCLASS_AND_LEVER = """
title = "a user's model and a lever on dask"
scenarios = ["tools_rollout"]
replications = 2
seed = 7
steps = 40
model = "tests.experiments.custom_model:Coached"
[vary]
"interventions.roll_out_tools.step" = [5, 35]
[fixed]
"organisation.n_agents" = 40
"""


def test_local_cluster_runs_a_subclass_and_levers_as_this_process_does(tmp_path):
    """Dask workers import the model class by name and apply the levers from the task."""
    path = write_sweep(tmp_path / "subclass.toml", SUBCLASS_AND_LEVER)
    serial = run_sweep(path, tmp_path / "serial", workers=1, progress=False)
    assert serial.ok == 4 and (serial.runs["final_idea_adoption"] == 1.0).all()  # coached
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
    ) as cluster:
        outcome = run_sweep(path, tmp_path / "dask", scheduler=cluster.scheduler_address,
                            progress=False)
    assert (outcome.ok, outcome.failed) == (4, 0), outcome.runs["error"].dropna().tolist()[:1]
    assert_same_results(tmp_path / "dask", tmp_path / "serial")
    assert set(outcome.runs["interventions.roll_out_tools.step"]) == {5.0, 35.0}
