"""What sweep tasks carry to their workers, and what comes back: scenario files' content and
the org charts they name, so that workers (on a cluster without a shared file system, say)
never read those files and get the same numbers as from the files; and each worker's package versions, so that a session whose
workers differ from the machine that ran the sweep says so."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from orglearn.experiments.runner import make_tasks
from orglearn.experiments.sweep import load_sweep
from orglearn.experiments.tasks import run_one
from tests.experiments._sweep_support import write_sweep

SCENARIO = """
title = "hoarders who also lurk"
extends = "hoarders"
[population]
lurker_share = 0.3
[[interventions]]
kind = "appoint_champions"
step = 10
share = 0.1
"""

SWEEP = """
title = "a file and a built-in"
scenarios = ["mine.toml", "baseline"]
replications = 2
steps = 20
[fixed]
"organisation.n_agents" = 120
"""


def comparable(result: dict) -> dict:
    return {k: v for k, v in result["run"].items() if k not in ("duration_s", "worker")}


def test_tasks_carry_scenario_files_so_workers_need_not_read_them(tmp_path):
    (tmp_path / "mine.toml").write_text(SCENARIO)
    sweep, _, path = load_sweep(write_sweep(tmp_path / "sweep.toml", SWEEP))
    tasks = make_tasks(sweep, path.parent)
    mine = [t for t in tasks if t.scenario.endswith("mine.toml")]
    assert len(mine) == 2 and all(t.spec["population"]["lurker_share"] == 0.3 for t in mine)
    assert all(t.spec is None for t in tasks if t.scenario == "baseline")

    from_file = run_one(dataclasses.replace(mine[0], spec=None))
    (tmp_path / "mine.toml").unlink()
    carried = run_one(mine[0])
    assert carried["run"]["status"] == "ok", carried["run"]["error"]
    assert comparable(carried) == comparable(from_file)
    assert carried["run"]["total_collaboration"] > 0


def test_each_session_records_its_workers_versions_and_says_where_they_differ(
    tmp_path, monkeypatch, capsys
):
    from orglearn.experiments import tasks
    from orglearn.cli.main import main

    (tmp_path / "mine.toml").write_text(SCENARIO)
    sweep_file = write_sweep(tmp_path / "sweep.toml", SWEEP)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["worker_versions"] == [{"versions": session["versions"], "runs": 4}]
    assert "warning" not in capsys.readouterr().err

    # Workers with another numpy (here: this process's runs, pretending) are named.
    other = {**tasks.environment(), "numpy": "1.0.0"}
    monkeypatch.setattr(tasks, "environment", lambda: other)
    out = tmp_path / "elsewhere"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"warning: 4 runs ran with numpy 1.0.0, this machine has {session['versions']['numpy']}" in err
    session = json.loads((out / "manifest.json").read_text())["sessions"][-1]
    assert session["worker_versions"] == [{"versions": other, "runs": 4}]

    from orglearn.reports.report import write_report

    page = write_report(out).read_text()
    assert "Workers' package versions differed from this machine's: 4 runs ran with numpy 1.0.0" in page


def test_org_chart_files_travel_with_the_tasks_too(tmp_path):
    examples = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
    for name in ("my_org.toml", "people.csv", "ties.csv"):
        shutil.copy(examples / name, tmp_path / name)
    sweep_text = SWEEP.replace('"mine.toml", "baseline"', '"my_org.toml"').replace(
        '"organisation.n_agents" = 120', '"esn.reads" = 2'
    )
    sweep, _, path = load_sweep(write_sweep(tmp_path / "sweep.toml", sweep_text))
    tasks = make_tasks(sweep, path.parent)
    assert set(tasks[0].files) == {"people_file", "ties_file"}
    assert tasks[0].files["people_file"] == (examples / "people.csv").read_text()

    from_files = run_one(dataclasses.replace(tasks[0], spec=None, files=None))
    for name in ("my_org.toml", "people.csv", "ties.csv"):
        (tmp_path / name).unlink()  # a worker elsewhere sees none of them
    carried = run_one(tasks[0])
    assert carried["run"]["status"] == "ok", carried["run"]["error"]
    assert comparable(carried) == comparable(from_files)
