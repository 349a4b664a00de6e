"""``orglearn report DIR``: embedded figures, plain-language sentences, heatmaps, sensitivity."""

from __future__ import annotations

import base64
import re
from pathlib import Path

from orglearn.experiments import run_sweep
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
    found = {p.name for p in (out / "report").glob("*.png")}
    for name in found:
        assert (out / "report" / name).read_bytes().startswith(PNG)
    return found


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
    items = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    assert len(items) == 2
    comparison = next(s for s in items if s.startswith("<b>hoarders</b>"))
    assert "<b>baseline</b>" in comparison, "hoarders is compared with the baseline"
    assert re.search(r"Final mean knowledge was \d\.\d\d (higher|lower)", comparison)
    assert "6 runs finished, 0 failed, 0 not run, of 6." in page
    assert {"curves_idea_adoption.png", "curves_mean_knowledge.png", "times.png"} <= figures(out)
    assert (out / "report" / "summary.csv").exists()


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
