"""A run that fails is recorded as failed with its traceback; the other runs of the sweep finish."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orglearn.experiments import load_results, run_sweep
from orglearn.cli.main import main
from tests.experiments._sweep_support import write_sweep

# Every point is a valid run (checked when the file loads), but the model class the sweep runs
# fails in its first step with more than four departments: only running it finds that out.
FAILING_SWEEP = """
title = "some runs fail"
scenarios = ["baseline"]
replications = 2
seed = 1
steps = 30
model = "tests.experiments.custom_model:Fragile"
[vary]
"organisation.departments" = [5, 4]
[fixed]
"organisation.n_agents" = 40
"""


@pytest.fixture
def sweep_file(tmp_path):
    return write_sweep(tmp_path / "failing.toml", FAILING_SWEEP)


def check_failed_and_ok(runs: pd.DataFrame) -> None:
    assert list(runs["run_id"]) == [0, 1, 2, 3]
    failed = runs[runs["organisation.departments"] == 5]
    ok = runs[runs["organisation.departments"] == 4]
    assert list(failed["status"]) == ["failed", "failed"]
    assert list(ok["status"]) == ["ok", "ok"]
    for error in failed["error"]:
        assert error.startswith("Traceback (most recent call last)")
        assert "cannot run 5 departments" in error
    assert ok["error"].isna().all()
    assert (failed["steps_run"] == 0).all()
    assert failed["final_mean_knowledge"].isna().all()
    assert (ok["steps_run"] == 30).all()
    assert ok["final_mean_knowledge"].notna().all()


def test_run_sweep_records_failed_runs_and_finishes_the_others(tmp_path, sweep_file):
    out = tmp_path / "out"
    outcome = run_sweep(sweep_file, out, workers=1, progress=False)
    assert outcome.failed == 2 and outcome.ok == 2
    assert outcome.total == 4 and outcome.complete
    assert len(outcome.runs) == 4
    check_failed_and_ok(outcome.runs)

    results = load_results(out)
    check_failed_and_ok(results.runs)
    assert sorted(results.timeseries["run_id"].unique()) == [2, 3], "failed runs have no time series"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete with failed runs"
    csv = pd.read_csv(out / "runs.csv")
    assert list(csv["status"]) == ["failed", "failed", "ok", "ok"]


def test_cli_exits_1_with_a_summary_of_the_failures(tmp_path, sweep_file, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet"]) == 1
    printed = capsys.readouterr()
    assert "2 runs finished and 2 failed" in printed.out
    err = printed.err.splitlines()
    assert any(line.strip().startswith("run 0 ") and "departments" in line for line in err), printed.err
    assert any(line.strip().startswith("run 1 ") for line in err), printed.err
    assert "2 runs failed" in err[-1] and "runs.csv" in err[-1]
    check_failed_and_ok(load_results(out).runs)
    # Resuming does not retry recorded failures: they are results.
    main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet", "--resume"])
    assert "0 runs finished and 0 failed in this session (4 were done before)" in capsys.readouterr().out
    assert sorted(load_results(out).runs["run_id"]) == [0, 1, 2, 3]


SOUND_SWEEP = """
title = "runs that succeed unless a worker gives out"
scenarios = ["baseline"]
replications = 2
seed = 3
steps = 25
[vary]
"organisation.departments" = [2, 4]
[fixed]
"organisation.n_agents" = 60
"""


def test_retry_failed_runs_them_again_and_keeps_one_row_per_run(tmp_path, monkeypatch, capsys):
    from orglearn.experiments import runner
    from orglearn.experiments.export import export_csv
    from tests.experiments._sweep_support import assert_same_results, recorded_run_ids

    sweep_file = write_sweep(tmp_path / "sound.toml", SOUND_SWEEP)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    args = ["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet"]
    real = runner.run_one

    def out_of_memory_on_runs_1_and_2(task):
        result = real(task)
        if task.run_id in (1, 2):
            result["run"].update(status="failed", error="Traceback (most recent call last):\nMemoryError")
            result["timeseries"] = None
        return result

    monkeypatch.setattr(runner, "run_one", out_of_memory_on_runs_1_and_2)
    assert main(args) == 1
    monkeypatch.undo()
    capsys.readouterr()

    assert main([*args, "--retry-failed"]) == 2  # only with --resume
    assert "use it with --resume" in capsys.readouterr().err
    assert main([*args, "--resume"]) == 1  # a plain resume keeps the failures
    assert "0 runs finished and 0 failed" in capsys.readouterr().out

    assert main([*args, "--resume", "--retry-failed"]) == 0
    printed = capsys.readouterr().out
    assert "2 runs finished and 0 failed in this session, 2 of them failed runs run again" in printed
    assert sorted(recorded_run_ids(out)) == [0, 1, 1, 2, 2, 3]  # the failures stay on disk
    runs = load_results(out).runs
    assert list(runs["run_id"]) == [0, 1, 2, 3] and (runs["status"] == "ok").all()
    assert list(pd.read_csv(out / "runs.csv")["status"]) == ["ok"] * 4
    export_csv(out, tmp_path / "csv")
    assert list(pd.read_csv(tmp_path / "csv" / "runs.csv")["run_id"]) == [0, 1, 2, 3]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sessions"][-1]["retried_failed"] == 2

    assert main(["sweep", str(sweep_file), "--out", str(fresh), "--workers", "1", "--quiet"]) == 0
    assert_same_results(out, fresh)  # identical to a sweep that never failed
