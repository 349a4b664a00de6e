"""``orglearn report DIR``: embedded figures, plain-language sentences, heatmaps, sensitivity."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
import pandas as pd
from PIL import Image

from orglearn.experiments import run_sweep
from orglearn.experiments.dictionary import read_dictionary
from orglearn.cli.main import main
from tests.experiments._sweep_support import write_sweep

PNG = b"\x89PNG\r\n\x1a\n"
EMBEDDED = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def sweep_and_report(tmp_path: Path, text: str, capsys) -> tuple[Path, str]:
    path = write_sweep(tmp_path / "sweep.toml", text)
    out = tmp_path / "out"
    outcome = run_sweep(path, out, workers=1, progress=False)
    assert outcome.failed == 0 and outcome.complete
    assert main(["report", str(out)]) == 0
    assert str(out / "report.html") in capsys.readouterr().out
    page = (out / "report.html").read_text(encoding="utf-8")
    images = EMBEDDED.findall(page)
    assert images, "the report embeds its figures"
    for data in images:
        assert base64.b64decode(data).startswith(PNG)
    assert page.count("<img") == len(images)
    return out, page


def figures(out: Path) -> set[str]:
    """The report's figures (PNG names), each also as SVG and PDF, the PNG at 300 dpi; and the
    folder's data dictionary describes them."""
    found = {p.name for p in (out / "report").glob("*.png")}
    entries = read_dictionary(out)
    for name in found:
        png = out / "report" / name
        assert png.read_bytes().startswith(PNG)
        with Image.open(png) as image:
            assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01), name
        assert png.with_suffix(".pdf").read_bytes().startswith(b"%PDF"), name
        assert b"<svg" in png.with_suffix(".svg").read_bytes()[:1000], name
        for ext in ("png", "svg", "pdf"):
            target = f"report/{png.stem}.{ext}"
            assert any(target in e.file.split(", ") for e in entries), target
    assert any(e.file == "report/summary.csv" and e.column == "t90_reached" for e in entries)
    return found


def svg_text(out: Path, name: str) -> str:
    """The words of a report figure (SVG keeps its text as text)."""
    return (out / "report" / f"{name}.svg").read_text(encoding="utf-8")


def test_multi_scenario_report_has_a_sentence_naming_both_scenarios(tmp_path, capsys):
    out, page = sweep_and_report(tmp_path, """
title = "Hoarders against the baseline"
scenarios = ["baseline", "hoarders"]
replications = 3
seed = 5
steps = 60
[fixed]
"organisation.n_agents" = 40
""", capsys)
    assert "<title>Hoarders against the baseline</title>" in page
    assert "In plain language" in page
    items = dict(re.findall(r"<h3>(.*?)</h3><p>(.*?)</p>", page, flags=re.S))
    assert list(items) == ["Knowledge hoarders", "Baseline organisation"]
    comparison = items["Knowledge hoarders"]
    assert "<b>Baseline organisation</b>" in comparison, "hoarders is compared with the baseline"
    assert re.search(r"final mean knowledge was \d\.\d{3} (higher|lower)", comparison)
    assert "6 runs finished, 0 failed, 0 not run, of 6." in page
    assert {"curves_idea_adoption.png", "curves_mean_knowledge.png", "times.png",
            "headline.png"} <= figures(out)
    assert (out / "report" / "summary.csv").exists()
    # Plain words, the number of runs and what is drawn, on the figures themselves.
    curves = svg_text(out, "curves_idea_adoption")
    assert "mean with 95% CI" in curves and "n = 3" in curves
    assert "Knowledge hoarders" in curves and "idea_adoption" not in curves
    times = svg_text(out, "times")
    assert "n = 3 runs per scenario" in times
    assert "_" not in re.sub(r"<[^>]*>", "", times.split("</metadata>")[-1]), "no identifiers"


def test_levels_never_reached_are_marked_as_censored_not_averaged(tmp_path, capsys):
    """60 days are too short for the idea to reach 90% of staff: every run is censored, so the
    times figure marks them as such and draws no mean for them."""
    out, page = sweep_and_report(tmp_path, """
scenarios = ["baseline"]
replications = 3
seed = 5
steps = 60
[fixed]
"organisation.n_agents" = 40
""", capsys)
    runs = pd.read_csv(out / "runs.csv")
    assert runs["t90"].isna().all(), "the test needs runs that never reach 90%"
    times = svg_text(out, "times")
    assert "90% of staff: not reached by the end of the run (censored)" in times
    assert "3 of 3 not reached" in times
    assert "90% of staff: mean with 95% CI" not in times
    assert "did not reach 90% of staff: not reached in 60 days (all 3 runs)" in page
    assert "61 [61, 61]" not in page, "no degenerate interval for censored runs"


def test_two_parameter_factorial_report_has_heatmaps(tmp_path, capsys):
    out, page = sweep_and_report(tmp_path, """
title = "tiny factorial"
scenarios = ["baseline"]
replications = 2
seed = 3
steps = 40
[vary]
"population.hoarder_share" = [0.0, 0.4]
"asking.reputation_detection" = [true, false]
[fixed]
"organisation.n_agents" = 40
""", capsys)
    assert {"heatmap_t90.png", "heatmap_final_mean_knowledge.png"} <= figures(out)
    assert len(EMBEDDED.findall(page)) == 2
    heatmap = svg_text(out, "heatmap_t90")
    assert "hoarder share (population)" in heatmap and "n = 2 runs per cell" in heatmap
    assert "not reached" in heatmap and "censored" in heatmap  # 40 steps: never 90%
    assert "population.hoarder_share" in page and "asking.reputation_detection" in page


def test_saltelli_report_has_sensitivity_figure_and_indices(tmp_path, capsys):
    out, page = sweep_and_report(tmp_path, """
title = "tiny saltelli"
scenarios = ["baseline"]
replications = 1
seed = 3
steps = 40
record = "end"
[design]
kind = "saltelli"
samples = 8
seed = 2
[vary]
"traits.proactivity" = { low = 0.1, high = 0.9 }
"traits.tact" = { low = 0.1, high = 0.9 }
[fixed]
"organisation.n_agents" = 40
""", capsys)
    assert "sensitivity.png" in figures(out)
    assert "Sensitivity indices" in page
    table = page[page.index("<h2>Sensitivity indices</h2>"):]
    table = table[: table.index("</table>")]
    assert "<th>S1</th>" in table and "<th>ST</th>" in table
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", table)
    assert {name for _, name in rows} == {"traits.proactivity", "traits.tact"}
    assert len(rows) == 4  # two outputs x two parameters
