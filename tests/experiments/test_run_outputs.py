"""What ``orglearn run`` writes describes itself: metadata, one naming scheme, the data
dictionary, scope and department, and figures in three formats."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from PIL import Image

from orglearn import __version__, load_scenario
from orglearn.experiments.dictionary import read_dictionary
from orglearn.experiments.metadata import METADATA_KEY, dotted_parameters, scenario_sha256
from orglearn.experiments.single import OUTPUT_FILES, run_single
from orglearn.experiments.tasks import FINAL_COLUMNS
from orglearn.simulation.parameters import Parameters

STEPS = 30


@pytest.fixture(scope="module")
def hoarders(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("run") / "hoarders"
    scenario = load_scenario("hoarders").with_overrides(n_agents=60)
    run_single(scenario, STEPS, 7, out=out, progress=False)
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def test_summary_carries_version_scenario_hash_seed_and_parameters(hoarders):
    out, summary = hoarders
    scenario = load_scenario("hoarders").with_overrides(n_agents=60)
    assert list(summary)[:4] == ["orglearn_version", "scenario", "scenario_sha256", "seed"]
    assert summary["orglearn_version"] == __version__
    assert summary["scenario"] == "hoarders"
    assert summary["scenario_sha256"] == scenario_sha256(scenario)
    assert summary["seed"] == 7
    parameters = summary["parameters"]
    assert parameters == dotted_parameters(scenario)
    assert all(key.count(".") == 1 and "__" not in key for key in parameters)
    assert parameters["organisation.n_agents"] == 60
    assert parameters["population.hoarder_share"] == scenario.population.hoarder_share
    assert len(parameters) == len(Parameters().flat())
    # The same metadata in the Parquet file's schema, and the file reads back with it.
    meta = json.loads(pq.read_schema(out / "timeseries.parquet").metadata[METADATA_KEY])
    assert meta == {k: summary[k] for k in
                    ("orglearn_version", "scenario", "scenario_sha256", "seed", "parameters")}


def test_summary_keys_are_the_sweep_runs_outcome_columns(hoarders):
    _, summary = hoarders
    metadata = {"orglearn_version", "scenario", "scenario_sha256", "seed", "parameters"}
    outcomes = [k for k in summary if k not in metadata | {"n_agents", "steps"}]
    assert outcomes == list(FINAL_COLUMNS)
    assert not any(isinstance(summary[k], dict) for k in outcomes), "totals are flat"


def test_timeseries_files_have_scope_and_department(hoarders):
    out, summary = hoarders
    for table in (pd.read_csv(out / "timeseries.csv"), pd.read_parquet(out / "timeseries.parquet")):
        assert list(table.columns) == ["step", "metric", "scope", "department", "value"]
        assert set(table["scope"]) == {"organisation", "department"}
        assert table.loc[table["scope"] == "organisation", "department"].isna().all()
        per_department = table[table["scope"] == "department"]
        assert set(per_department["metric"]) == {"mean_knowledge"}
        assert sorted(per_department["department"].unique()) == list(range(5))
    parquet = pd.read_parquet(out / "timeseries.parquet")
    assert str(parquet["department"].dtype) == "Int64"


def test_data_dictionary_describes_every_file_column_and_key(hoarders):
    out, summary = hoarders
    entries = read_dictionary(out)

    def rows(name: str) -> dict:
        return {e.column: e for e in entries
                if any(fnmatch.fnmatch(name, f) for f in e.file.split(", "))}

    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    for path in out.iterdir():
        assert "" in rows(path.name), f"{path.name} is not described"
    for entry in entries:
        assert entry.description, entry
    for name in ("timeseries.csv", "timeseries.parquet"):
        described = rows(name)
        table = pd.read_csv(out / "timeseries.csv")
        for column in table.columns:
            assert described[column].type, column
        for metric in table["metric"].unique():
            assert described[f"metric={metric}"].unit, metric
    described = rows("summary.json")
    for key, value in summary.items():
        assert described[key].type and described[key].description, key
    for key in summary["parameters"]:
        assert described[f"parameters.{key}"].description, key
    assert described["final_gini"].unit.startswith("Gini coefficient")
    assert "censored" in described["t50"].description
    markdown = (out / "data_dictionary.md").read_text(encoding="utf-8")
    assert "## summary.json" in markdown and "| `final_gini` |" in markdown


def test_spread_figure_in_three_formats_marks_levels_never_reached(hoarders):
    out, summary = hoarders
    assert summary["t90"] is None, "30 days are too short to reach 90% of staff"
    with Image.open(out / "spread.png") as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert (out / "spread.pdf").read_bytes().startswith(b"%PDF")
    svg = (out / "spread.svg").read_text(encoding="utf-8")
    assert "not reached by the end of the run (censored)" in svg
    assert "90% of staff: not reached in 30 days" in svg
    assert "Knowledge hoarders: one run, 60 employees, 30 days, seed 7" in svg


def test_figures_are_the_same_bytes_for_the_same_run(hoarders, tmp_path):
    out, _ = hoarders
    again = tmp_path / "again"
    run_single(load_scenario("hoarders").with_overrides(n_agents=60), STEPS, 7, out=again,
               progress=False)
    for name in OUTPUT_FILES:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name
