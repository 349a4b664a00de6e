"""Scenario discovery in the report: PRIM as the EMA Workbench does it, finds a known failure
region, says honestly when there is none, and its section appears in a real sweep's report."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from orglearn.experiments import run_sweep
from orglearn.reports import write_report
from orglearn.reports.discovery import discover, discovery_section, prim, quality
from tests.experiments._sweep_support import write_sweep

COLUMNS = ["x1", "x2", "x3", "x4"]


def uniform(n: int, seed: int) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).uniform(size=(n, 4)), columns=COLUMNS)


def region(x: pd.DataFrame) -> np.ndarray:
    """Fail iff x1 > 0.7 and x2 < 0.3."""
    return ((x["x1"] > 0.7) & (x["x2"] < 0.3)).to_numpy().astype(float)


def noisy(x: pd.DataFrame, share: float, seed: int) -> np.ndarray:
    flip = np.random.default_rng(seed).uniform(size=len(x)) < share
    return np.abs(region(x) - flip)


@pytest.mark.parametrize("grid", [False, True])
def test_the_trajectory_and_chosen_box_agree_with_the_ema_workbench(grid):
    with warnings.catch_warnings():  # an optional extra, which the test install has
        warnings.simplefilter("ignore")
        ema_prim = pytest.importorskip("ema_workbench.analysis.prim")
    x = uniform(600, 1)
    if grid:  # repeated values, as in factorial designs: whole values are peeled
        x["x3"] = np.round(x["x3"] * 4) / 4
    y = noisy(x, 0.05, 2)
    ours = prim(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = ema_prim.Prim(x, y.astype(int), mass_min=0.05).find_box()
    theirs = box.peeling_trajectory
    assert len(theirs) == len(ours.stats)
    # Same data, same algorithm: every box on the way agrees to rounding (tolerance 1e-12).
    for column in ("coverage", "density", "mass", "res_dim", "n", "k"):
        np.testing.assert_allclose(ours.stats[column], theirs[column], rtol=0, atol=1e-12)
    for mine, limits in zip(ours.limits, box.box_lims):
        np.testing.assert_allclose(mine, limits[COLUMNS].to_numpy(float), rtol=0, atol=1e-12)
    # The box our rule chooses is the same box when selected in the EMA Workbench.
    index = int(np.argmax(quality(ours, y)))
    box.select(index)
    assert box.coverage == pytest.approx(ours.stats["coverage"][index], abs=1e-12)
    assert box.density == pytest.approx(ours.stats["density"][index], abs=1e-12)
    assert 0 < index < len(theirs) - 1, "the choice is neither the whole space nor the last box"


@pytest.mark.parametrize("noise", [0.0, 0.03])
def test_finds_a_known_failure_region(noise):
    x = uniform(500, 3)
    y = noisy(x, noise, 4)
    found = discover(x, y)
    assert found.boxes, "the region is found"
    box = found.boxes[0]
    assert set(box.limits) == {"x1", "x2"}  # limits on x3 and x4 are noise and dropped
    assert box.limits["x1"][0] == pytest.approx(0.7, abs=0.03)
    assert box.limits["x1"][1] == x["x1"].max()
    assert box.limits["x2"][0] == x["x2"].min()
    assert box.limits["x2"][1] == pytest.approx(0.3, abs=0.03)
    # Failures outside the region (noise) cannot be covered: compare with what can be.
    inside = region(x).astype(bool)
    coverable = y[inside].sum() / y.sum()
    assert box.coverage >= 0.95 * coverable and box.density >= 0.9
    assert box.p_value <= 0.05
    assert abs(box.rows.size - inside.sum()) <= 0.1 * inside.sum()


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_random_failures_find_nothing(seed):
    x = uniform(400, seed)
    y = (np.random.default_rng(seed + 100).uniform(size=len(x)) < 0.25).astype(float)
    found = discover(x, y)
    assert found.boxes == []
    assert found.rejected is not None and found.rejected.p_value > 0.05


def runs_table(fail: np.ndarray, x: pd.DataFrame, replicates: int = 1) -> pd.DataFrame:
    runs = x.copy()
    runs["t90"] = np.where(fail.astype(bool), np.nan, 20.0)
    runs["status"], runs["scenario"], runs["steps_run"] = "ok", "baseline", 40
    runs["replicate"] = np.arange(len(runs)) % replicates
    return runs


SWEEP = {"vary": {c: {"low": 0.0, "high": 1.0} for c in COLUMNS}, "design": {"kind": "lhs"}}


def test_the_section_names_the_ranges_in_plain_language(tmp_path):
    x = uniform(300, 8)
    html, files = discovery_section(runs_table(region(x), x, 3), SWEEP, tmp_path)
    assert "Which settings make the idea fail to spread" in html
    assert "did not reach 90% of staff within the run (40 days)" in html
    assert "<b>Box 1</b>: when <code>x1</code> is above 0.7" in html
    assert "and <code>x2</code> is below 0.3" in html
    assert "(sampled from" in html and "the coverage" in html and "the density" in html
    table = pd.read_csv(tmp_path / "discovery.csv")
    assert set(table["parameter"]) == {"x1", "x2"}
    assert {p.name for p in files} == {"discovery.csv", "discovery.png", "discovery.svg",
                                       "discovery.pdf"}


def test_the_section_says_when_nothing_is_found(tmp_path):
    x = uniform(200, 9)
    random = (np.random.default_rng(1).uniform(size=len(x)) < 0.3).astype(float)
    html, files = discovery_section(runs_table(random, x), SWEEP, tmp_path)
    assert "<b>No settings found</b>" in html and "Box 1" not in html
    assert pd.read_csv(tmp_path / "discovery.csv").empty
    assert not (tmp_path / "discovery.png").exists()


def test_when_every_run_reaches_90_percent_the_slowest_quarter_is_explained():
    x = uniform(200, 10)
    runs = runs_table(np.zeros(len(x)), x)
    runs["t90"] = np.where(region(x).astype(bool), 35.0, 10.0) + np.arange(len(x)) % 3
    html, _ = discovery_section(runs, SWEEP)
    assert "the slowest quarter" in html and "<b>Box 1</b>" in html
    assert "<code>x1</code> is above 0.7" in html


def test_nothing_to_explain_when_no_run_or_every_run_fails():
    x = uniform(50, 11)
    html, files = discovery_section(runs_table(np.ones(len(x)), x), SWEEP)
    assert "in none of the 50 runs" in html and "Box" not in html and files == []
    assert discovery_section(runs_table(np.ones(len(x)), x), {"vary": {}}) == ("", [])


def test_switches_and_few_values_are_named_by_value():
    rng = np.random.default_rng(12)
    x = pd.DataFrame({"asking.enabled": rng.uniform(size=400) < 0.5,
                      "population.hoarder_share": rng.choice([0.0, 0.2, 0.4], size=400)})
    fail = (~x["asking.enabled"] & (x["population.hoarder_share"] > 0.1)).to_numpy(float)
    sweep = {"vary": {"asking.enabled": [True, False],
                      "population.hoarder_share": [0.0, 0.2, 0.4]}}
    html, _ = discovery_section(runs_table(fail, x), sweep)
    assert "<code>asking.enabled</code> is false" in html
    assert "<code>population.hoarder_share</code> is 0.2 or 0.4" in html


LHS = """
title = "Hoarders and tools"
replications = 3
seed = 11
steps = 40
record = "end"
[design]
kind = "lhs"
samples = 12
[vary]
"population.hoarder_share" = { low = 0.0, high = 0.6 }
"tools.tool_access" = { low = 0.3, high = 1.0 }
[fixed]
"organisation.n_agents" = 40
"knowledge.idea_seed_share" = 0.5
"""


def test_a_real_lhs_sweeps_report_has_the_section(tmp_path):
    path = write_sweep(tmp_path / "lhs.toml", LHS)
    outcome = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    assert outcome.ok == 36
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert "<h2>Which settings make the idea fail to spread</h2>" in page
    failed = int(outcome.runs["t90"].isna().sum())
    assert 0 < failed < 36, "the sweep has runs that reach 90% and runs that do not"
    assert f"in {failed} of 36 runs" in page
    assert ("<b>Box 1</b>" in page) == (tmp_path / "out" / "report" / "discovery.png").exists()
    assert (tmp_path / "out" / "report" / "discovery.csv").exists()
    from orglearn.experiments.dictionary import read_dictionary

    described = {(e.file, e.column) for e in read_dictionary(tmp_path / "out")}
    columns = pd.read_csv(tmp_path / "out" / "report" / "discovery.csv").columns
    assert {("report/discovery.csv", c) for c in columns} <= described
