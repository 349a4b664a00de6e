"""Streaming results and resuming: a sweep killed mid-way and resumed equals an uninterrupted one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from orglearn import experiments
import orglearn.experiments.runner  # noqa: F401 - monkeypatched below
from orglearn.experiments import SweepError, load_results, run_sweep
from orglearn.cli.main import main
from tests.experiments._sweep_support import (
    assert_same_results,
    duplicate_series_rows,
    recorded_run_ids,
    script,
    stop_group,
    wait_group_gone,
    write_sweep,
)

STEPS = 50
POINTS = 4
REPLICATIONS = 12
TOTAL = POINTS * REPLICATIONS
RESUME_SWEEP = f"""
title = "resume test"
scenarios = ["baseline"]
replications = {REPLICATIONS}
seed = 11
steps = {STEPS}
[vary]
"population.hoarder_share" = [0.0, 0.2, 0.4, 0.6]
[fixed]
"organisation.n_agents" = 50
"""

SMALL_SWEEP = """
scenarios = ["baseline"]
replications = 2
seed = 3
steps = 30
[vary]
"population.hoarder_share" = [0.0, 0.3]
[fixed]
"organisation.n_agents" = 40
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, Path]:
    """The resume sweep file and its results from one uninterrupted session (in this process)."""
    root = tmp_path_factory.mktemp("resume-reference")
    path = write_sweep(root / "resume.toml", RESUME_SWEEP)
    outcome = run_sweep(path, root / "out", workers=1, progress=False)
    assert outcome.complete and outcome.ok == TOTAL and outcome.failed == 0
    return path, root / "out"


def check_complete(out: Path, reference_out: Path) -> None:
    """Every run exactly once, every time-series row exactly once, and the reference's numbers."""
    ids = recorded_run_ids(out)
    assert sorted(ids) == list(range(TOTAL)), "every run_id exactly once in the runs table"
    assert duplicate_series_rows(out) == 0
    series = load_results(out, scope=None).timeseries
    per_run = series.groupby("run_id").size()
    pairs = series[["metric", "scope", "department"]].drop_duplicates()
    assert sorted(per_run.index) == list(range(TOTAL))
    assert (per_run == (STEPS + 1) * len(pairs)).all(), per_run.value_counts()
    assert_same_results(out, reference_out)


def _default_sigint() -> None:
    # A shell's background job starts with SIGINT ignored, and children inherit that (Python
    # then installs no Ctrl-C handler): give the sweep a user's terminal default, whoever runs
    # the tests.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_sweep(sweep: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(script("orglearn")), "sweep", str(sweep), "--out", str(out), "--workers", "2", "--quiet", *extra],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_default_sigint,
    )


def wait_for_first_part(proc: subprocess.Popen, out: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any((out / "runs").glob("part-*.parquet")):
            return
        if proc.poll() is not None:
            raise AssertionError(f"the sweep ended before writing a part: {proc.communicate()}")
        time.sleep(0.01)
    raise AssertionError("no runs part appeared in time")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_interrupted_sweep_resumes_to_the_uninterrupted_result(tmp_path, reference, sig):
    sweep_file, reference_out = reference
    sweep = tmp_path / "resume.toml"
    shutil.copy(sweep_file, sweep)
    out = tmp_path / "out"
    proc = start_sweep(sweep, out)
    try:
        wait_for_first_part(proc, out)
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=120)
        assert wait_group_gone(proc.pid), "worker processes outlived the interrupted sweep"
    finally:
        stop_group(proc)

    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, err
        assert "--resume" in err
    done = recorded_run_ids(out)
    assert 0 < len(done) < TOTAL, f"{len(done)} runs recorded: not interrupted mid-way"
    assert len(set(done)) == len(done)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == ("running" if sig == signal.SIGKILL else "interrupted")

    again = subprocess.run(
        [str(script("orglearn")), "sweep", str(sweep), "--out", str(out), "--workers", "2", "--quiet",
         "--resume"],
        capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert f"{TOTAL - len(done)} runs finished" in again.stdout
    assert f"({len(done)} were done before)" in again.stdout
    check_complete(out, reference_out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert len(manifest["sessions"]) == 2
    assert manifest["sessions"][1]["ran"] == TOTAL - len(done)


def test_orphan_and_temporary_parts_are_dropped_on_resume(tmp_path, monkeypatch):
    """A crash after the time-series part and before the runs part leaves an orphan: resume
    deletes it and redoes those runs, without duplicates."""
    monkeypatch.setattr(experiments.runner, "FLUSH_RUNS", 3)
    path = write_sweep(tmp_path / "small.toml", SMALL_SWEEP.replace("replications = 2", "replications = 4"))
    complete = tmp_path / "complete"
    run_sweep(path, complete, workers=1, progress=False)
    parts = sorted(p.name for p in (complete / "runs").glob("part-*.parquet"))
    assert len(parts) == 3  # 8 runs in parts of 3

    crashed = tmp_path / "crashed"
    shutil.copytree(complete, crashed)
    (crashed / "runs" / parts[-1]).unlink()  # its time-series part stays: an orphan
    (crashed / "runs" / ".part-000009.parquet.tmp").write_bytes(b"half a file")
    (crashed / "timeseries" / ".part-000009.parquet.tmp").write_bytes(b"half a file")
    (crashed / "runs.csv").unlink()
    assert len(recorded_run_ids(crashed)) == 6

    outcome = run_sweep(path, crashed, workers=1, resume=True, progress=False)
    assert (outcome.done_before, outcome.ok, outcome.failed) == (6, 2, 0)
    assert outcome.complete
    assert not list(crashed.glob("*/.*.tmp"))
    assert sorted(recorded_run_ids(crashed)) == list(range(8))
    assert duplicate_series_rows(crashed) == 0
    assert_same_results(crashed, complete)
    assert len(load_results(crashed).runs) == len(outcome.runs) == 8


@pytest.fixture
def finished(tmp_path) -> tuple[Path, Path]:
    path = write_sweep(tmp_path / "small.toml", SMALL_SWEEP)
    out = tmp_path / "out"
    run_sweep(path, out, workers=1, progress=False)
    return path, out


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_sweep_into_results_without_resume_exits_2(finished, capsys):
    path, out = finished
    before = snapshot(out)
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "--resume" in err[0] and str(out) in err[0]
    assert snapshot(out) == before
    with pytest.raises(SweepError):
        run_sweep(path, out, workers=1, progress=False)


def test_resume_with_another_sweep_file_exits_2(finished, tmp_path, capsys):
    path, out = finished
    other = write_sweep(tmp_path / "other" / "small.toml", SMALL_SWEEP.replace("seed = 3", "seed = 4"))
    before = snapshot(out)
    assert main(["sweep", str(other), "--out", str(out), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "different sweep" in err[0] and str(out) in err[0]
    assert snapshot(out) == before
    # Even a change that leaves the sweep equivalent (a comment) is another file.
    commented = write_sweep(tmp_path / "commented.toml", "# a comment\n" + SMALL_SWEEP)
    assert main(["sweep", str(commented), "--out", str(out), "--resume", "--quiet"]) == 2
    assert snapshot(out) == before


def test_resume_of_a_complete_sweep_runs_nothing(finished, capsys):
    path, out = finished
    before = load_results(out).runs
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--quiet"]) == 0
    assert "0 runs finished and 0 failed in this session (4 were done before)" in capsys.readouterr().out
    assert sorted(recorded_run_ids(out)) == [0, 1, 2, 3]
    assert_same_results(out, out)
    after = load_results(out).runs
    assert list(after["run_id"]) == list(before["run_id"])


def test_out_that_is_a_non_empty_folder_without_results_exits_2(tmp_path, capsys):
    path = write_sweep(tmp_path / "small.toml", SMALL_SWEEP)
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for extra in ([], ["--resume"]):
        assert main(["sweep", str(path), "--out", str(out), "--quiet", *extra]) == 2
        assert len(capsys.readouterr().err.splitlines()) == 1
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
