"""The results of a sweep on disk: runs and time-series tables, record/metrics/stop, manifest, CSV."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orglearn.experiments import load_results, run_sweep
from orglearn.cli.main import main
from orglearn.experiments.tasks import FINAL_COLUMNS
from orglearn.simulation.metrics import SCALAR_METRICS
from tests.experiments._sweep_support import SERIES_KEY, write_sweep

STEPS = 40
BASIC = f"""
title = "results test"
scenarios = ["baseline", "lurkers"]
replications = 2
seed = 99
steps = {STEPS}
[vary]
"population.hoarder_share" = [0.0, 0.25]
"asking.reputation_detection" = [true, false]
[fixed]
"organisation.n_agents" = 40
"""
BASIC_TOTAL = 2 * 2 * 2 * 2


def run(tmp_path: Path, text: str, name: str = "sweep") -> tuple[Path, Path]:
    path = write_sweep(tmp_path / f"{name}.toml", text)
    out = tmp_path / name
    outcome = run_sweep(path, out, workers=1, progress=False)
    assert outcome.failed == 0 and outcome.complete
    return path, out


@pytest.fixture(scope="module")
def basic(tmp_path_factory) -> tuple[Path, Path]:
    return run(tmp_path_factory.mktemp("results"), BASIC, "basic")


def test_runs_table(basic):
    _, out = basic
    runs = load_results(out, timeseries=False).runs
    assert len(runs) == BASIC_TOTAL and list(runs["run_id"]) == list(range(BASIC_TOTAL))
    for col in ("run_id", "scenario", "point_id", "replicate", "seed_entropy", "spawn_key", "status",
                "error", "steps_run", "worker", "duration_s", "population.hoarder_share",
                "asking.reputation_detection", *FINAL_COLUMNS):
        assert col in runs.columns, col
    assert all(f"final_{m}" in runs.columns for m in SCALAR_METRICS)
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert (runs["seed_entropy"] == "99").all()
    assert list(runs["spawn_key"]) == [str(r) for r in runs["replicate"]]
    assert (runs["duration_s"] > 0).all()
    assert (runs["steps_run"] == STEPS).all()
    assert set(runs["population.hoarder_share"]) == {0.0, 0.25}
    assert runs["asking.reputation_detection"].dtype == bool
    assert set(runs["scenario"]) == {"baseline", "lurkers"}
    first = runs.iloc[0]
    assert (first["scenario"], first["point_id"], first["replicate"]) == ("baseline", 0, 0)
    assert first["population.hoarder_share"] == 0.0 and bool(first["asking.reputation_detection"])


def test_timeseries_is_long_with_run_identity(basic):
    _, out = basic
    results = load_results(out)
    ts = results.timeseries
    assert list(ts.columns) == ["run_id", "step", "metric", "scope", "value", "scenario", "point_id",
                                "replicate"]
    assert set(ts["scope"]) == {"organisation"}  # the default scope
    assert set(ts["metric"]) == set(SCALAR_METRICS)
    assert ts.duplicated(SERIES_KEY).sum() == 0
    per_run = ts.groupby("run_id").size()
    assert (per_run == (STEPS + 1) * len(SCALAR_METRICS)).all()
    identity = ts.drop_duplicates("run_id").set_index("run_id")[["scenario", "point_id", "replicate"]]
    expected = results.runs.set_index("run_id")[["scenario", "point_id", "replicate"]]
    pd.testing.assert_frame_equal(identity.sort_index(), expected, check_dtype=False)
    # The last recorded value is the run's final metric.
    last = ts[ts["step"] == STEPS].pivot(index="run_id", columns="metric", values="value")
    for metric in ("mean_knowledge", "idea_adoption", "gini"):
        np.testing.assert_array_equal(last[metric].to_numpy(),
                                      results.runs.set_index("run_id")[f"final_{metric}"].to_numpy())

    everything = load_results(out, scope=None).timeseries
    assert len(everything) > len(ts)
    assert any(s.startswith("department") for s in everything["scope"].unique())
    two = load_results(out, metrics=["idea_adoption", "gini"]).timeseries
    assert set(two["metric"]) == {"idea_adoption", "gini"}
    assert load_results(out, timeseries=False).timeseries is None


def test_manifest(basic):
    path, out = basic
    manifest = json.loads((out / "manifest.json").read_text())
    text = path.read_text(encoding="utf-8")
    assert manifest["sweep_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert manifest["sweep_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["sweep_file"] == text
    assert manifest["total_runs"] == BASIC_TOTAL
    assert manifest["status"] == "complete"
    assert manifest["sweep"]["seed"] == 99
    [session] = manifest["sessions"]
    assert {"started", "finished", "backend", "versions", "git_commit"} <= set(session)
    assert session["backend"] == "this process" and session["ran"] == BASIC_TOTAL
    for package in ("python", "orglearn", "mesa", "numpy", "pyarrow"):
        assert package in session["versions"], package
    assert session["git_commit"] is None or len(session["git_commit"]) == 40
    assert load_results(out).manifest == manifest


def test_export_writes_csv_with_the_parquet_row_counts(basic, tmp_path, capsys):
    _, out = basic
    assert main(["export", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("runs", "timeseries"):
        csv = pd.read_csv(out / f"{name}.csv")
        table = pq.read_table(out / name)
        assert len(csv) == table.num_rows > 0, name
        assert list(csv.columns) == table.column_names
        assert str(out / f"{name}.csv") in printed
    assert main(["export", str(out), "--out", str(tmp_path / "csv")]) == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["runs.csv", "timeseries.csv"]
    runs = pd.read_csv(tmp_path / "csv" / "runs.csv").sort_values("run_id", ignore_index=True)
    np.testing.assert_array_equal(runs["final_mean_knowledge"],
                                  load_results(out, timeseries=False).runs["final_mean_knowledge"])


def test_export_of_a_folder_without_results_exits_2(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        load_results(tmp_path)


def test_record_end_keeps_only_the_last_step(tmp_path, basic):
    _, every = basic
    _, out = run(tmp_path, BASIC.replace("[vary]", 'record = "end"\n[vary]'), "end")
    ts = load_results(out, scope=None).timeseries
    assert set(ts["step"]) == {STEPS}
    assert ts.duplicated(SERIES_KEY).sum() == 0
    full = load_results(every, scope=None).timeseries
    last = full[full["step"] == STEPS]
    key = SERIES_KEY
    pd.testing.assert_frame_equal(
        ts.sort_values(key, ignore_index=True), last.sort_values(key, ignore_index=True), check_exact=True
    )


def test_metrics_filter_what_is_recorded(tmp_path):
    text = BASIC.replace("[vary]", 'metrics = ["idea_adoption", "mean_knowledge"]\n[vary]')
    _, out = run(tmp_path, text, "metrics")
    ts = load_results(out, scope=None).timeseries
    assert set(ts["metric"]) == {"idea_adoption", "mean_knowledge"}
    assert set(pq.read_table(out / "timeseries").column("metric").to_pylist()) == {
        "idea_adoption", "mean_knowledge"}
    runs = load_results(out, timeseries=False).runs
    assert runs["final_gini"].notna().all(), "final metrics are all kept"


def test_stop_ends_runs_early(tmp_path):
    level = 0.21
    text = f"""
scenarios = ["baseline"]
replications = 4
seed = 8
steps = 120
[fixed]
"organisation.n_agents" = 40
[stop]
metric = "mean_knowledge"
at_least = {level}
"""
    _, out = run(tmp_path, text, "stop")
    results = load_results(out, metrics=["mean_knowledge"])
    runs, ts = results.runs, results.timeseries
    assert (runs["steps_run"] < 120).all(), list(runs["steps_run"])
    assert (runs["steps_run"] >= 1).all()
    assert (runs["final_mean_knowledge"] >= level).all()
    for _, row in runs.iterrows():
        own = ts[ts["run_id"] == row["run_id"]].set_index("step")["value"]
        assert own.index.max() == row["steps_run"]
        assert list(own.index) == list(range(row["steps_run"] + 1))
        assert own.loc[row["steps_run"]] >= level
        assert (own.loc[1:row["steps_run"] - 1] < level).all(), "the run stops at the first crossing"


def test_stop_at_most(tmp_path):
    text = """
scenarios = ["baseline"]
replications = 2
seed = 8
steps = 100
[fixed]
"organisation.n_agents" = 40
[stop]
metric = "idea_adoption"
at_most = 1.0
"""
    _, out = run(tmp_path, text, "at_most")
    assert (load_results(out, timeseries=False).runs["steps_run"] == 1).all()
