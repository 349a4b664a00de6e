"""The results of a sweep on disk: runs and time-series tables, record/metrics/stop, manifest, CSV."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orglearn import __version__, load_scenario
from orglearn.experiments import load_results, run_sweep
from orglearn.cli.main import main
from orglearn.experiments.dictionary import read_dictionary
from orglearn.experiments.metadata import METADATA_KEY, scenario_sha256
from orglearn.experiments.tasks import FINAL_COLUMNS
from orglearn.simulation import SocialLearningModel
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
    assert list(ts.columns) == ["run_id", "step", "metric", "scope", "department", "value",
                                "scenario", "point_id", "replicate"]
    assert set(ts["scope"]) == {"organisation"}  # the default scope
    assert ts["department"].isna().all()
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
    assert set(everything["scope"]) == {"organisation", "department"}
    departments = load_results(out, scope="department").timeseries
    assert set(departments["scope"]) == {"department"} and set(departments["metric"]) == {
        "mean_knowledge"}
    assert str(departments["department"].dtype) == "Int64"
    assert sorted(departments["department"].unique()) == list(range(5))  # the default five
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
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "data_dictionary.csv", "data_dictionary.md", "runs.csv", "timeseries.csv"]
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


# -- self-describing results: metadata, one naming scheme, data dictionary --------------------


def test_runs_manifest_and_parquet_carry_version_scenario_hash_seed_and_parameters(basic):
    path, out = basic
    results = load_results(out, timeseries=False)
    runs, manifest = results.runs, results.manifest
    hashes = {name: scenario_sha256(load_scenario(name)) for name in ("baseline", "lurkers")}
    assert hashes["baseline"] != hashes["lurkers"]
    assert (runs["orglearn_version"] == __version__).all()
    assert (runs["n_agents"] == 40).all()
    assert list(runs["scenario_sha256"]) == [hashes[s] for s in runs["scenario"]]
    for _, row in runs.iterrows():
        changed = json.loads(row["changed_parameters"])
        assert changed["organisation.n_agents"] == 40
        assert changed.get("population.hoarder_share", 0.0) == row["population.hoarder_share"]
        assert changed.get("asking.reputation_detection", True) == row["asking.reputation_detection"]
    assert manifest["orglearn_version"] == __version__ and manifest["seed"] == 99
    assert manifest["scenarios"] == [
        {"scenario": name, "name": name, "sha256": hashes[name]} for name in ("baseline", "lurkers")]
    assert manifest["parameters"] == {
        "varied": ["population.hoarder_share", "asking.reputation_detection"],
        "fixed": {"organisation.n_agents": 40}}
    for part in [*(out / "runs").glob("part-*.parquet"), *(out / "timeseries").glob("part-*.parquet")]:
        schema = pq.read_schema(part)
        meta = json.loads(schema.metadata[METADATA_KEY])
        assert meta["orglearn_version"] == __version__ and meta["seed"] == 99, part
        assert meta["sweep_sha256"] == manifest["sweep_sha256"]
        assert meta["scenarios"] == manifest["scenarios"]
        assert meta["parameters"] == manifest["parameters"]
        assert b"description" in schema.field("run_id").metadata, "columns describe themselves"


def test_scenario_hash_follows_content_not_names(tmp_path):
    base = load_scenario("hoarders")
    (tmp_path / "a.toml").write_text('extends = "hoarders"\ntitle = "A"\n')
    (tmp_path / "b.toml").write_text('extends = "hoarders"\ntitle = "B"\ndescription = "same"\n')
    (tmp_path / "c.toml").write_text('extends = "hoarders"\n[population]\nhoarder_share = 0.31\n')
    a, b, c = (load_scenario(tmp_path / f"{n}.toml") for n in "abc")
    assert a.name != b.name and a.title != b.title
    assert scenario_sha256(a) == scenario_sha256(b) == scenario_sha256(base)
    assert scenario_sha256(c) != scenario_sha256(base)
    later = base.model_copy(update={"interventions": [*base.interventions]})
    assert scenario_sha256(later) == scenario_sha256(base)
    assert scenario_sha256(load_scenario("tools_rollout")) != scenario_sha256(
        load_scenario("tools_rollout").model_copy(update={"interventions": []}))


def test_runs_metric_columns_are_the_run_summary(basic):
    """One naming scheme: the runs table's outcome columns are the keys of the model's summary,
    with the same values as the same run built and run by hand."""
    _, out = basic
    runs = load_results(out, timeseries=False).runs
    row = runs.iloc[5]
    model = SocialLearningModel(
        load_scenario(row["scenario"]),
        rng=np.random.SeedSequence(int(row["seed_entropy"]), spawn_key=(int(row["spawn_key"]),)),
        n_agents=40, hoarder_share=row["population.hoarder_share"],
        asking__reputation_detection=bool(row["asking.reputation_detection"]),
    )
    model.run(STEPS)
    summary = model.summary()
    outcomes = [k for k in summary if k not in ("scenario", "n_agents", "steps")]
    assert outcomes == list(FINAL_COLUMNS)
    # scenario: the runs table names the built-in or the file; summary["scenario"] its name.
    assert [c for c in runs.columns if c in summary] == ["scenario", "n_agents", *outcomes]
    assert row["scenario"] == summary["scenario"] and row["n_agents"] == summary["n_agents"]
    for key in outcomes:
        expected = np.nan if summary[key] is None else summary[key]
        np.testing.assert_equal(row[key], expected, err_msg=key)


def described(entries, name: str) -> dict[str, object]:
    """The dictionary's rows for file ``name`` (patterns and lists of files match), by column."""
    rows = {}
    for entry in entries:
        if any(fnmatch.fnmatch(name, pattern) for pattern in entry.file.split(", ")):
            rows[entry.column] = entry
    return rows


def assert_complete(folder: Path, entries) -> None:
    """Every file in ``folder`` has a row, and every row a type or description."""
    for path in folder.rglob("*"):
        if path.is_file():
            name = path.relative_to(folder).as_posix()
            assert "" in described(entries, name), f"{name} is not in the data dictionary"
    for entry in entries:
        assert entry.description, entry


def test_data_dictionary_describes_every_file_and_column_written(basic):
    _, out = basic
    entries = read_dictionary(out)
    assert_complete(out, entries)
    markdown = (out / "data_dictionary.md").read_text(encoding="utf-8")
    runs_csv = pd.read_csv(out / "runs.csv")
    rows = described(entries, "runs.csv")
    for column in runs_csv.columns:
        assert column in rows and rows[column].type, column
        assert f"`{column}`" in markdown, column
    assert rows["t90"].unit == "steps (working days)" and "censored" in rows["t90"].description
    for part in (out / "timeseries").glob("part-*.parquet"):
        rows = described(entries, part.relative_to(out).as_posix())
        assert set(pq.read_schema(part).names) <= set(rows)
        for metric in set(pq.read_table(part, columns=["metric"]).column("metric").to_pylist()):
            assert rows[f"metric={metric}"].unit, metric
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) <= set(described(entries, "manifest.json"))


def test_export_writes_a_data_dictionary_of_its_csv_files(basic, tmp_path):
    _, out = basic
    assert main(["export", str(out), "--out", str(tmp_path / "csv")]) == 0
    folder = tmp_path / "csv"
    entries = read_dictionary(folder)
    assert_complete(folder, entries)
    for name in ("runs.csv", "timeseries.csv"):
        rows = described(entries, name)
        for column in pd.read_csv(folder / name, nrows=5).columns:
            assert column in rows, (name, column)
    series = pd.read_csv(folder / "timeseries.csv")
    assert series.loc[series["scope"] == "organisation", "department"].isna().all()
    assert series.loc[series["scope"] == "department", "department"].notna().all()
