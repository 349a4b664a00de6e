"""``orglearn validate``: the reproductions' values against the published results (with stated
margins), the files it writes, the JSON it prints, reproducibility across worker counts, and how
it rejects bad arguments."""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy import stats

from orglearn.cli.validate import add_validate_command
from orglearn.validation.canonical import (
    GRANOVETTER_SDS,
    MODELS,
    P1_GRID,
    REFERENCE_FIG1,
    Point,
    run_validation,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def parser() -> argparse.ArgumentParser:
    """A stand-in for ``orglearn``'s parser with only the validate command."""
    p = argparse.ArgumentParser(prog="orglearn", exit_on_error=False)
    add_validate_command(p.add_subparsers(dest="command", required=True))
    return p


def run_cli(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return args.handler(args)


def test_bass_reproduces_the_closed_form():
    validation = run_validation(["bass"], replications=5, workers=1)
    assert validation.passed, [c for c in validation.checks if not c.passed]
    table = validation.table()
    assert list(table.columns) == list(Point.__annotations__)
    simulated = table[table["kind"] == "simulated"]
    assert (simulated["n"] == 5).all()
    assert (simulated["low"] <= simulated["mean"] + 1e-12).all()
    assert (simulated["mean"] <= simulated["high"] + 1e-12).all()


def series(table: pd.DataFrame, figure: str, name: str) -> pd.Series:
    """One series of the points table: means indexed by x."""
    rows = table[(table["figure"] == figure) & (table["series"] == name)]
    assert len(rows), f"no series {name!r} in {figure}"
    return rows.set_index("x")["mean"].sort_index()


# --- Granovetter: the crowds are simulated, and their cascades match the published claims ----

GRANOVETTER_RUNS = 80  # crowds per sd (and seatings per fixed crowd); about 0.5 s


@pytest.fixture(scope="module")
def granovetter():
    return run_validation(["granovetter"], replications=GRANOVETTER_RUNS, workers=1)


def test_granovetter_checks_pass_on_simulated_crowds(granovetter):
    assert granovetter.passed, [c for c in granovetter.checks if not c.passed]
    assert [c.figure for c in granovetter.checks] == ["uniform", "uniform", "normal"]
    table = granovetter.table()
    simulated = table[table["kind"] == "simulated"]
    assert set(simulated["figure"]) == {"uniform", "normal"}
    assert (simulated["n"] == GRANOVETTER_RUNS).all()


def test_granovetter_uniform_crowd_riots_and_its_perturbation_stops_at_the_instigator(
    granovetter,
):
    table = granovetter.table()
    uniform = table[(table["figure"] == "uniform")
                    & (table["series"] == "uniform thresholds 0..99")].sort_values("x")
    perturbed = table[(table["figure"] == "uniform")
                      & (table["series"] == "threshold 1 raised to 2")].sort_values("x")
    # Every one of the 80 Mesa runs (random seatings) is exact: low = mean = high.
    assert uniform["mean"].tolist() == list(range(101))
    assert (uniform["low"] == uniform["high"]).all() and (uniform["mean"] == uniform["low"]).all()
    assert perturbed["mean"].tolist() == [0, 1] and (perturbed["high"] == 1).iloc[-1]


def test_granovetter_sampled_cascades_jump_near_the_critical_spread(granovetter):
    sizes = series(granovetter.table(), "normal", "sampled crowds (N=100, mean 25)")
    assert list(sizes.index) == list(GRANOVETTER_SDS)
    # Well below Granovetter's critical sd of 12.2 a crowd brings in a handful (measured at
    # most 1.0 on average at sd <= 10), well above it almost everyone (at least 94 at sd >= 17).
    assert sizes[sizes.index <= 10].max() <= 5
    assert sizes[sizes.index >= 17].min() >= 90
    # The jump: the mean crosses half the crowd within 2 of 12.2 (measured 13.6; crowds of 100
    # need a little more spread than the mean field's infinite crowd).
    first = np.flatnonzero(sizes.to_numpy() >= 50)
    assert first.size, "no spread brings in half the crowd"
    k = first[0]
    crossing = np.interp(50, sizes.iloc[k - 1:k + 1], sizes.index[k - 1:k + 1])
    assert abs(crossing - 12.2) <= 2.0, crossing


# --- March: the default (program) rules reproduce figure 1's values and figures 2, 4 and 5 ----

# Runs per point, as in March (1991) and `orglearn validate`; 6 to 8 s for the reproduction on
# the 2-core development machine. The margins below are stated with the standard errors of 80
# runs and the values measured with the default seed.
MARCH_RUNS = 80
Z_TOLERANCE = 3.5  # standard errors per figure-1 point; one of 27 misses it by chance about 2%


@pytest.fixture(scope="module")
def march():
    return run_validation(["march1991"], replications=MARCH_RUNS, workers=1)


def test_march_produces_every_figure_of_the_issue(march):
    table = march.table()
    assert set(table["figure"]) == {"fig1", "fig2", "fig4", "fig5"}
    fig1 = table[table["figure"] == "fig1"]
    # program rules (score), paper rules (knowledge and score), reference
    assert len(fig1) == 4 * 9 * 3
    assert len(table[table["figure"] == "fig5"]) == 2 * 101
    assert sorted(table[table["figure"] == "fig2"]["x"].unique()) == list(range(0, 51, 5))
    assert {c.figure for c in march.checks} == {"fig1", "fig2", "fig4", "fig5"}
    assert march.passed, [c for c in march.checks if not c.passed]
    assert sum("the default rules" in c.claim for c in march.checks) == 2
    assert sum("the paper's rules" in c.claim for c in march.checks) == 2


def fig1_against_reference(march, label: str) -> tuple[np.ndarray, np.ndarray]:
    """For the 27 figure-1 points of series ``p2=... (<label>)``: each one's distance from the
    recreation's value, in our standard errors and absolute."""
    table = march.table()
    half_to_se = stats.t.ppf(0.975, MARCH_RUNS - 1)
    z, gaps = [], []
    for p2, reference in REFERENCE_FIG1.items():
        rows = table[(table["figure"] == "fig1")
                     & (table["series"] == f"p2={p2} ({label})")].sort_values("x")
        assert rows["x"].tolist() == list(P1_GRID) and (rows["metric"] == "score").all()
        gap = np.abs(rows["mean"].to_numpy() - np.array(reference))
        gaps += list(gap)
        z += list(gap / ((rows["high"] - rows["low"]).to_numpy() / 2 / half_to_se))
    return np.array(z), np.array(gaps)


def test_march_default_rules_reproduce_the_recreation_of_figure_1(march):
    z, gaps = fig1_against_reference(march, "program rules")
    # Each point within 3.5 standard errors (about 0.035; measured at most 2.8), the
    # recreation inside our 95% CI (within 1.99 standard errors) at 23 or more of 27 points
    # (fewer has chance 1% if the rules are right; measured 25) and within 0.02 on average
    # (measured 0.008).
    assert z.max() <= Z_TOLERANCE, z.round(1)
    assert (z <= stats.t.ppf(0.975, MARCH_RUNS - 1)).sum() >= 23, z.round(1)
    assert gaps.mean() <= 0.02, gaps.round(3)
    # The paper's rules, which the default used to be, miss it (measured 0 of 27 inside, a
    # median of about 20 standard errors away).
    z_paper, _ = fig1_against_reference(march, "paper rules, score")
    assert (z_paper <= stats.t.ppf(0.975, MARCH_RUNS - 1)).sum() <= 5
    assert np.median(z_paper) > Z_TOLERANCE


def test_march_slow_socialisation_beats_fast_when_the_code_learns_fast(march):
    # Code score at p1 = 0.1 minus p1 = 0.9: measured 0.20 (p2 = 0.5) and 0.26 (p2 = 0.9),
    # standard error of the difference about 0.014.
    for p2 in (0.5, 0.9):
        curve = series(march.table(), "fig1", f"p2={p2} (program rules)")
        assert curve[0.1] - curve[0.9] >= 0.12, (p2, curve)


def test_march_a_mix_of_fast_and_slow_learners_beats_a_uniform_population(march):
    table = march.table()
    mixed = series(table, "fig2", "mixed fast (p1=0.9) and slow (p1=0.1)")
    uniform = series(table, "fig2", "uniform p1 with the same mean")
    # 25 + 25 against a uniform p1 = 0.5: measured +0.056, standard error about 0.007 (with
    # every seat at the mix's mean rate the difference is 0 give or take that).
    assert mixed[25] - uniform[25] >= 0.02
    inner = [s for s in mixed.index if 0 < s < 50]
    assert sum(mixed[s] > uniform[s] for s in inner) >= len(inner) - 2  # measured all 9


def test_march_turnover_raises_knowledge_when_socialisation_is_fast(march):
    curve = series(march.table(), "fig4", "p1=0.9")
    # Best p3 > 0 against none, at period 20: measured +0.060, standard error about 0.008
    # (the best of eight noisy points beats p3 = 0 by about 0.015 when turnover does nothing).
    assert curve[curve.index > 0].max() - curve[0.0] >= 0.03


def test_march_under_turbulence_turnover_sustains_knowledge(march):
    table = march.table()
    still, moving = series(table, "fig5", "p3=0.0"), series(table, "fig5", "p3=0.1")
    # Period 100: measured 0.78 with turnover against 0.49 without (standard errors about
    # 0.01); without turnover knowledge falls from its peak (0.83) by measured 0.33.
    assert moving[100] - still[100] >= 0.15
    assert still.max() - still[100] >= 0.15


def test_numbers_depend_on_the_seed_not_on_who_runs_the_jobs():
    one = run_validation(["granovetter"], replications=4, seed=5, workers=1).table()
    with ThreadPoolExecutor(max_workers=3) as pool:  # jobs finish in any order
        two = run_validation(["granovetter"], replications=4, seed=5, executor=pool).table()
    other = run_validation(["granovetter"], replications=4, seed=6, workers=1).table()
    pd.testing.assert_frame_equal(one, two)
    assert not one["mean"].equals(other["mean"])


def test_the_command_writes_the_table_checks_and_plots(tmp_path, capsys):
    out = tmp_path / "validation"
    status = run_cli(["validate", "bass", "--replications", "3", "--out", str(out),
                      "--workers", "1"])
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "bass.pdf", "bass.png", "bass.svg", "checks.csv", "validation.csv"]
    assert (out / "bass.png").read_bytes().startswith(PNG_SIGNATURE)
    with Image.open(out / "bass.png") as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    svg = (out / "bass.svg").read_text(encoding="utf-8")
    assert "mean with 95% CI, n = 3 runs per point" in svg
    assert (out / "bass.pdf").read_bytes().startswith(b"%PDF")
    checks = pd.read_csv(out / "checks.csv")
    assert checks["passed"].all() and list(checks["model"]) == ["bass"]
    assert "1 of 1 checks passed" in capsys.readouterr().out


def test_json_prints_every_point_with_its_mean_and_interval(tmp_path, capsys):
    status = run_cli(["validate", "granovetter", "--replications", "40", "--out",
                      str(tmp_path), "--json", "--workers", "1"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0 and report["passed"] is True and report["replications"] == 40
    table = pd.read_csv(tmp_path / "validation.csv")
    assert len(report["points"]) == len(table)
    point = next(p for p in report["points"] if p["kind"] == "simulated" and p["x"] == 15.0)
    assert point["n"] == 40 and point["low"] <= point["mean"] <= point["high"]
    assert {"claim", "ours", "passed"} <= set(report["checks"][0])
    for ext in ("svg", "pdf", "png"):
        assert (tmp_path / f"granovetter.{ext}").exists(), ext


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "schelling"],
        ["validate", "bass", "--replications", "1"],
        ["validate", "bass", "--workers", "0"],
    ],
)
def test_bad_arguments_are_rejected(argv):
    with pytest.raises((argparse.ArgumentError, SystemExit)):
        run_cli(argv)


def test_out_must_be_a_directory(tmp_path, capsys):
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    assert run_cli(["validate", "bass", "--out", str(afile)]) == 2
    assert "exists and is not a folder" in capsys.readouterr().err


def test_run_validation_rejects_unknown_models_and_too_few_replications():
    with pytest.raises(ValueError, match="choose from march1991, bass, granovetter"):
        run_validation(["schelling"])
    with pytest.raises(ValueError, match="'replications' value must be an integer >= 2"):
        run_validation(["bass"], replications=1)
    assert MODELS == ("march1991", "bass", "granovetter")


@pytest.mark.slow
def test_worker_processes_give_the_same_numbers():
    serial = run_validation(["granovetter"], replications=2, seed=3, workers=1).table()
    parallel = run_validation(["granovetter"], replications=2, seed=3, workers=2).table()
    pd.testing.assert_frame_equal(serial, parallel)
