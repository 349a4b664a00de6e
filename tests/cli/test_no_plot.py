"""``orglearn run --no-plot``: the results without the figure, and without loading matplotlib;
the default still draws it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from orglearn.cli.main import main
from orglearn.experiments.single import FIGURE_FILES, OUTPUT_FILES
from tests.cli._support import orglearn

RUN = ["run", "--agents", "60", "--steps", "30", "--seed", "1", "--quiet"]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_no_plot_writes_the_results_and_no_figure(tmp_path):
    out = tmp_path / "run"
    done = orglearn(*RUN, "--out", str(out), "--no-plot")
    assert done.returncode == 0, done.stderr
    assert FIGURE_FILES == ("spread.svg", "spread.pdf", "spread.png")
    assert names(out) == sorted(set(OUTPUT_FILES) - set(FIGURE_FILES))
    assert not list(out.glob("spread.*"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 1 and summary["n_agents"] == 60 and summary["steps"] == 30
    # The data dictionary describes the files that are there, and no figure.
    with open(out / "data_dictionary.csv", newline="", encoding="utf-8") as handle:
        described = {row["file"] for row in csv.DictReader(handle)}
    assert "summary.json" in described and not any("spread" in f for f in described)
    assert "spread" not in done.stderr  # "Results written to ..." names what was written


def test_the_default_still_writes_the_figure_and_the_same_results(tmp_path):
    plain, bare = tmp_path / "plain", tmp_path / "bare"
    assert main([*RUN, "--out", str(plain)]) == 0
    assert names(plain) == sorted(OUTPUT_FILES)
    for name in FIGURE_FILES:
        assert (plain / name).stat().st_size > 1000, name
    assert main([*RUN, "--out", str(bare), "--no-plot"]) == 0
    for name in ("summary.json", "timeseries.csv", "timeseries.parquet"):
        assert (plain / name).read_bytes() == (bare / name).read_bytes(), name


def test_no_plot_removes_the_figure_of_an_earlier_run(tmp_path):
    """A figure left in --out would show another run than the results beside it."""
    out = tmp_path / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    assert main([*RUN, "--out", str(out), "--no-plot", "--seed", "2"]) == 0
    assert names(out) == sorted(set(OUTPUT_FILES) - set(FIGURE_FILES))


def test_no_plot_never_imports_matplotlib(tmp_path):
    code = (
        "import sys\n"
        "from orglearn.cli.main import main\n"
        f"status = main({[*RUN, '--out', str(tmp_path / 'run'), '--no-plot']!r})\n"
        "print(status, 'matplotlib' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=300)
    assert done.stdout.splitlines()[-1] == "0 False", done.stderr
