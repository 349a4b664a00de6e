"""``orglearn validate``: the reproductions' points and checks, the files it writes, the JSON it
prints, reproducibility across worker counts, and how it rejects bad arguments."""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from experiments.validation import (
    MODELS,
    Point,
    add_validate_command,
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


def test_bass_and_granovetter_reproduce_their_published_results():
    validation = run_validation(["bass", "granovetter"], replications=5, workers=1)
    assert validation.passed, [c for c in validation.checks if not c.passed]
    assert {c.model for c in validation.checks} == {"bass", "granovetter"}
    table = validation.table()
    assert list(table.columns) == list(Point.__annotations__)
    simulated = table[table["kind"] == "simulated"]
    assert (simulated["n"] == 5).all()
    assert (simulated["low"] <= simulated["mean"] + 1e-12).all()
    assert (simulated["mean"] <= simulated["high"] + 1e-12).all()


def test_march_produces_every_figure_of_the_issue():
    validation = run_validation(["march1991"], replications=3, workers=1)
    table = validation.table()
    assert set(table["figure"]) == {"fig1", "fig2", "fig4", "fig5"}
    fig1 = table[table["figure"] == "fig1"]
    assert len(fig1) == 3 * 9 * 3  # paper rules, program rules, reference
    assert len(table[table["figure"] == "fig5"]) == 2 * 101
    assert sorted(table[table["figure"] == "fig2"]["x"].unique()) == list(range(0, 51, 5))
    assert {c.figure for c in validation.checks} == {"fig1", "fig2", "fig4", "fig5"}


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
    assert sorted(p.name for p in out.iterdir()) == ["bass.png", "checks.csv", "validation.csv"]
    assert (out / "bass.png").read_bytes().startswith(PNG_SIGNATURE)
    checks = pd.read_csv(out / "checks.csv")
    assert checks["passed"].all() and list(checks["model"]) == ["bass"]
    assert "1 of 1 checks passed" in capsys.readouterr().out


def test_json_prints_every_point_with_its_mean_and_interval(tmp_path, capsys):
    status = run_cli(["validate", "granovetter", "--replications", "4", "--out",
                      str(tmp_path), "--json", "--workers", "1"])
    report = json.loads(capsys.readouterr().out)
    assert status == 0 and report["passed"] is True and report["replications"] == 4
    table = pd.read_csv(tmp_path / "validation.csv")
    assert len(report["points"]) == len(table)
    point = next(p for p in report["points"] if p["kind"] == "simulated" and p["x"] == 15.0)
    assert point["n"] == 4 and point["low"] <= point["mean"] <= point["high"]
    assert {"claim", "ours", "passed"} <= set(report["checks"][0])
    assert (tmp_path / "granovetter.png").exists()


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
    assert "not a directory" in capsys.readouterr().err


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
