"""``orglearn run``: the files it writes, reproducibility, and how it rejects bad arguments."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orglearn.cli.main import main
from orglearn.experiments.single import OUTPUT_FILES

SUMMARY_KEYS = (
    "t50", "t90", "final_mean_knowledge", "final_gini", "final_silo_index", "final_participation"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN = ["run", "--agents", "60", "--steps", "30", "--seed", "1", "--quiet"]


def orglearn_script() -> Path:
    """The ``orglearn`` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("orglearn")
    if not script.exists():
        found = shutil.which("orglearn")
        assert found, "the orglearn console script is installed with the package"
        script = Path(found)
    return script


def check_outputs(out: Path) -> dict:
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    for key in SUMMARY_KEYS:
        assert key in summary, key
    assert summary["seed"] == 1 and summary["n_agents"] == 60 and summary["steps"] == 30
    for key in SUMMARY_KEYS[2:]:
        assert 0.0 <= summary[key] <= 1.0, key
    for key in ("t50", "t90"):
        assert summary[key] is None or 0 <= summary[key] <= 30

    csv = pd.read_csv(out / "timeseries.csv")
    parquet = pd.read_parquet(out / "timeseries.parquet")
    assert list(csv.columns) == list(parquet.columns)
    assert {"step", "metric", "scope", "value"} <= set(csv.columns)
    assert len(csv) == len(parquet) > 0
    assert sorted(csv["step"].unique()) == list(range(31))
    assert (csv["metric"] == parquet["metric"]).all() and (csv["scope"] == parquet["scope"]).all()
    assert np.allclose(csv["value"], parquet["value"], equal_nan=True)
    final = parquet[(parquet["step"] == 30) & (parquet["metric"] == "mean_knowledge")
                    & (parquet["scope"] == "organisation")]["value"].item()
    assert final == summary["final_mean_knowledge"]

    png = (out / "spread.png").read_bytes()
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
    return summary


def test_run_writes_the_results(tmp_path, capsys):
    out = tmp_path / "results" / "first"
    assert main([*RUN, "--out", str(out)]) == 0
    summary = check_outputs(out)
    printed = capsys.readouterr()
    lines = dict(line.split(None, 1) for line in printed.out.splitlines()[:-1])
    assert lines["seed"] == "1" and lines["steps"] == "30"
    assert float(lines["final_mean_knowledge"]) == pytest.approx(
        summary["final_mean_knowledge"], rel=1e-3
    )
    assert "parameters" not in lines, "the parameters are in summary.json, not on the screen"
    assert printed.out.splitlines()[-1].startswith(f"Results written to {out}")
    assert printed.err == "", "--quiet shows no progress bar"
    # Nothing but the result directory is left beside it (no staging directories).
    assert [p.name for p in out.parent.iterdir()] == ["first"]


def test_same_seed_same_summary(tmp_path):
    assert main([*RUN, "--out", str(tmp_path / "a")]) == 0
    assert main([*RUN, "--out", str(tmp_path / "b")]) == 0
    a = json.loads((tmp_path / "a" / "summary.json").read_text())
    b = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert a == b
    csv_a = (tmp_path / "a" / "timeseries.csv").read_bytes()
    assert csv_a == (tmp_path / "b" / "timeseries.csv").read_bytes()
    other_seed = ["run", "--agents", "60", "--steps", "30", "--seed", "2", "--quiet"]
    assert main([*other_seed, "--out", str(tmp_path / "c")]) == 0
    c = json.loads((tmp_path / "c" / "summary.json").read_text())
    assert c["final_mean_knowledge"] != a["final_mean_knowledge"]


def test_rerun_into_the_same_directory_replaces_the_results(tmp_path):
    out = tmp_path / "again"
    assert main([*RUN, "--out", str(out)]) == 0
    first = (out / "summary.json").read_text()
    assert main([*RUN, "--out", str(out)]) == 0
    assert (out / "summary.json").read_text() == first
    check_outputs(out)


BAD_ARGUMENTS = {
    "agents-zero": ["run", "--agents", "0"],
    "agents-one": ["run", "--agents", "1"],
    "agents-not-a-number": ["run", "--agents", "x"],
    "steps-negative": ["run", "--steps", "-3"],
    "steps-zero": ["run", "--steps", "0"],
    "seed-negative": ["run", "--seed", "-1"],
    "unknown-option": ["run", "--bogus"],
    "unknown-command": ["fly"],
    "no-command": [],
}


@pytest.mark.parametrize("argv", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_exit_2_with_one_line_and_write_nothing(argv, tmp_path, capsys):
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(out)] if argv[:1] == ["run"] else argv)
    assert exit_info.value.code == 2
    printed = capsys.readouterr()
    lines = printed.err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {printed.err!r}"
    assert lines[0].startswith("orglearn") and "error" in lines[0]
    assert printed.out == ""
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_rejected(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("not a directory")
    assert main([*RUN, "--out", str(target)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "taken" in lines[0]
    assert target.read_text() == "not a directory"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("orglearn ")


def test_console_script(tmp_path):
    script = orglearn_script()
    out = tmp_path / "via-script"
    result = subprocess.run(
        [str(script), *RUN, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    summary = check_outputs(out)
    assert f"Results written to {out}" in result.stdout
    as_json = subprocess.run(
        [str(script), *RUN, "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == summary, "--json prints summary.json, and nothing else"
    assert f"Results written to {out}" in as_json.stderr

    bad = subprocess.run(
        [str(script), "run", "--agents", "0", "--out", str(tmp_path / "bad")],
        capture_output=True, text=True, timeout=300,
    )
    assert bad.returncode == 2
    assert len(bad.stderr.splitlines()) == 1, bad.stderr
    assert bad.stdout == ""
    assert not (tmp_path / "bad").exists()
