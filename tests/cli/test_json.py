"""``--json``: stdout is one JSON document that scripts can load, and everything meant for
people (notes, "written to", progress) goes to stderr; errors keep status 2 and one line."""

from __future__ import annotations

import contextlib
import functools
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from orglearn.cli.main import main
from orglearn.experiments.sweep import builtin_sweeps
from orglearn.scenarios import builtin_names, load
from tests.cli._support import small_sweep

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def printed_json(capsys) -> tuple[object, str]:
    """The command's stdout, parsed as exactly one JSON document, and its stderr."""
    printed = capsys.readouterr()
    return json.loads(printed.out), printed.err


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A small sweep run once with --json: (its folder, its JSON, its stderr). A module
    fixture cannot use capsys, so it redirects the streams itself."""
    tmp = tmp_path_factory.mktemp("sweep")
    out = tmp / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["sweep", str(small_sweep(tmp)), "--out", str(out), "--workers", "1",
                       "--json"])
    assert status == 0, stderr.getvalue()
    return out, json.loads(stdout.getvalue()), stderr.getvalue()


def test_run_prints_what_summary_json_holds(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--agents", "40", "--steps", "10", "--seed", "3", "--out", str(out),
                 "--json"]) == 0
    data, err = printed_json(capsys)
    assert data == json.loads((out / "summary.json").read_text())
    assert data["seed"] == 3 and data["n_agents"] == 40
    assert f"Results written to {out}" in err


def test_sweep_reports_its_session(swept):
    out, data, err = swept
    assert data["total"] == 6 and data["ok"] == 6 and data["failed"] == 0
    assert data["complete"] is True and data["done_before"] == 0
    assert data["out"] == str(out) and data["failed_runs"] == [] and data["report"] is None
    assert "6 runs finished and 0 failed" in err


def test_report_and_export_name_their_files(swept, tmp_path, capsys):
    out = swept[0]
    assert main(["report", str(out), "--json"]) == 0
    data, err = printed_json(capsys)
    assert Path(data["report"]).is_file() and data["report"].endswith("report.html")
    assert "Report:" in err
    assert main(["export", str(out), "--out", str(tmp_path / "csv"), "--json"]) == 0
    data, err = printed_json(capsys)
    files = {Path(p).name: Path(p) for p in data["files"]}
    assert {"runs.csv", "timeseries.csv"} <= set(files) and all(p.is_file() for p in files.values())
    assert len(pd.read_csv(files["runs.csv"])) == 6
    assert err.count("Wrote") == len(files)


def test_scenarios_list_and_show(capsys):
    assert main(["scenarios", "list", "--json"]) == 0
    data, err = printed_json(capsys)
    assert [row["name"] for row in data] == builtin_names() and err == ""
    hoarders = next(row for row in data if row["name"] == "hoarders")
    assert hoarders["title"] == load("hoarders").title
    assert main(["scenarios", "show", "hoarders", "--json"]) == 0
    data, _ = printed_json(capsys)
    assert data == load("hoarders").model_dump(mode="json")


def test_scenarios_validate_lists_each_file_and_exits_2_if_one_is_invalid(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = 3\n', encoding="utf-8")
    good = EXAMPLES / "my_org.toml"
    assert main(["scenarios", "validate", str(good), str(bad), "--json"]) == 2
    data, err = printed_json(capsys)
    assert data["valid"] is False
    verdicts = [(f["file"], f["valid"]) for f in data["files"]]
    assert verdicts == [(str(good), True), (str(bad), False)]
    assert "title" in data["files"][1]["error"]
    assert f"ok: {good}" in err and "invalid:" in err and "bad.toml" in err
    assert main(["scenarios", "validate", str(good), "--json"]) == 0
    assert printed_json(capsys)[0]["valid"] is True


def test_scenarios_new(tmp_path, capsys):
    target = tmp_path / "mine.toml"
    assert main(["scenarios", "new", "mine", "--out", str(target), "--json"]) == 0
    data, err = printed_json(capsys)
    assert data["file"] == str(target) and target.is_file() and f"Wrote {target}" in err


def test_experiments(capsys):
    assert main(["experiments", "--json"]) == 0
    data, err = printed_json(capsys)
    assert [row["name"] for row in data] == builtin_sweeps() and err == ""
    assert all(row["runs"] > 0 and row["title"] for row in data)


def test_validate(tmp_path, capsys):
    out = tmp_path / "validation"
    status = main(["validate", "bass", "--replications", "3", "--out", str(out), "--json"])
    data, _ = printed_json(capsys)
    assert status == (0 if data["passed"] else 1)
    assert data["replications"] == 3 and data["checks"] and data["points"]
    assert all(Path(p).is_file() for p in data["files"])


def test_calibrate(tmp_path, capsys):
    observed = tmp_path / "activity.csv"
    pd.read_csv(EXAMPLES / "activity.csv").head(4).to_csv(observed, index=False)
    out = tmp_path / "out"
    argv = ["calibrate", str(EXAMPLES / "my_org.toml"), "--observed", str(observed),
            "--fit", "generosity", "--design", "6", "--workers", "1", "--out", str(out)]
    assert main([*argv, "--json", "--progress"]) == 0
    data, err = printed_json(capsys)
    assert data == {**json.loads((out / "calibration.json").read_text()), "out": str(out),
                    "files": data["files"]}
    assert [e["parameter"] for e in data["estimates"]] == ["traits.generosity"]
    assert sorted(Path(p).name for p in data["files"]) == sorted(p.name for p in out.iterdir())
    assert "orglearn: calibrating" in err and f"Results written to {out}" in err


def test_bench(monkeypatch, tmp_path, capsys):
    import orglearn.bench.run as bench

    small = functools.partial(bench.run_benchmark, sizes=(300,), reference_sizes=(300,),
                              seconds=0.05, sweep=(2, 100))
    monkeypatch.setattr(bench, "run_benchmark", small)
    assert main(["bench", "--json", "--progress", "--plot", str(tmp_path / "cost.png")]) == 0
    data, err = printed_json(capsys)
    assert data["agent_steps_per_s_300"] > 0 and data["cold_start_help_cpu_s"] > 0
    assert "vectorised model, 300 agents ..." in err and "plot written to" in err


def test_errors_stay_one_line_on_stderr_with_status_2(tmp_path, capsys):
    assert main(["scenarios", "show", "no_such_scenario", "--json"]) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and len(printed.err.splitlines()) == 1
    assert main(["sweep", "no_such_sweep", "--json", "--out", str(tmp_path / "x")]) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and len(printed.err.splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_validate_patterns(tmp_path, capsys):
    out = tmp_path / "patterns"
    argv = ["validate", "patterns", "--seeds", "3", "--agents", "20", "--steps", "30",
            "--out", str(out), "--json", "--progress"]
    status = main(argv)  # so few people and days: claims may fail, the output must not
    data, err = printed_json(capsys)
    assert status == (0 if data["passed"] else 1)
    assert data["seeds"] == [1991, 1992, 1993] and data["claims"]
    assert all(Path(p).is_file() for p in data["files"])
    assert {Path(p).name for p in data["files"]} >= {"patterns.svg", "patterns.pdf", "patterns.png"}
    assert "patterns (claims)" in err, "--progress shows the bar on stderr"
