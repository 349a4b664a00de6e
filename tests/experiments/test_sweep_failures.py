"""A run that fails is recorded as failed with its traceback; the other runs of the sweep finish."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments import load_results, run_sweep
from experiments.cli import main
from tests.experiments._sweep_support import write_sweep

# Each value is valid on its own (checked when the file loads), but 50 departments cannot be
# made of 40 people: only building the model inside run_one finds that out.
FAILING_SWEEP = """
title = "some runs fail"
scenarios = ["baseline"]
replications = 2
seed = 1
steps = 30
[vary]
"organisation.departments" = [50, 4]
[fixed]
"organisation.n_agents" = 40
"""


@pytest.fixture
def sweep_file(tmp_path):
    return write_sweep(tmp_path / "failing.toml", FAILING_SWEEP)


def check_failed_and_ok(runs: pd.DataFrame) -> None:
    assert list(runs["run_id"]) == [0, 1, 2, 3]
    failed = runs[runs["organisation.departments"] == 50]
    ok = runs[runs["organisation.departments"] == 4]
    assert list(failed["status"]) == ["failed", "failed"]
    assert list(ok["status"]) == ["ok", "ok"]
    for error in failed["error"]:
        assert error.startswith("Traceback (most recent call last)")
        assert "departments" in error
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
