"""Scenario files that name an org chart: paths relative to the file, located errors, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orglearn.cli.main import main
from orglearn.scenarios import ScenarioError, load, load_text, to_toml

PEOPLE = "person_id,manager_id,team,department\na,,t1,d1\nb,a,t1,d1\nc,a,t2,d2\nd,c,t2,d2\n"
SCENARIO = """title = "Chart"

[organisation]
people_file = "data/people.csv"
"""


def make(tmp_path: Path, people: str = PEOPLE, scenario: str = SCENARIO) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "people.csv").write_text(people, encoding="utf-8")
    path = tmp_path / "org.toml"
    path.write_text(scenario, encoding="utf-8")
    return path


def test_chart_paths_are_relative_to_the_scenario_file(tmp_path, monkeypatch):
    path = make(tmp_path)
    monkeypatch.chdir(Path(os.sep))
    scenario = load(path)
    assert scenario.organisation.people_file == str((tmp_path / "data" / "people.csv").resolve())
    again = load_text(path.read_text(), file="org.toml", base=tmp_path)
    assert again.organisation.people_file == scenario.organisation.people_file


def test_a_child_in_another_folder_keeps_the_parents_chart(tmp_path):
    make(tmp_path)
    child = tmp_path / "elsewhere" / "child.toml"
    child.parent.mkdir()
    child.write_text(
        'extends = "../org.toml"\n[population]\nlurker_share = 0.5\n', encoding="utf-8"
    )
    scenario = load(child)
    assert scenario.organisation.people_file == str((tmp_path / "data" / "people.csv").resolve())


def test_a_loaded_chart_scenario_round_trips_through_toml(tmp_path):
    scenario = load(make(tmp_path))
    assert load_text(to_toml(scenario), base=tmp_path) == scenario


def test_a_missing_chart_file_names_the_key_and_line(tmp_path):
    path = make(tmp_path, scenario=SCENARIO.replace("data/people.csv", "nope.csv"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.key == "organisation.people_file" and info.value.line == 4
    assert "nope.csv, which is not a file" in str(info.value)


def test_ties_need_people(tmp_path):
    path = make(tmp_path, scenario='[organisation]\nties_file = "data/people.csv"\n')
    with pytest.raises(ScenarioError, match="ties_file needs a people_file"):
        load(path)


def test_a_bad_chart_is_reported_when_the_scenario_loads(tmp_path):
    path = make(tmp_path, people=PEOPLE + "e,ghost,t1,d1\n")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert info.value.file.endswith("people.csv") and info.value.line == 6
    assert info.value.key == "manager_id"


def test_orglearn_run_on_a_bad_chart_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    path = make(tmp_path, people=PEOPLE + "e,e,t1,d1\n")
    out = tmp_path / "results"
    status = main(["run", str(path), "--steps", "3", "--seed", "1", "--quiet", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "people.csv:6" in err and "(row 5)" in err
    assert not out.exists()
    assert main(["scenarios", "validate", str(path)]) == 2


def test_orglearn_run_on_a_good_chart_runs(tmp_path, capsys):
    out = tmp_path / "results"
    status = main(
        ["run", str(make(tmp_path)), "--steps", "3", "--seed", "1", "--quiet", "--out", str(out)]
    )
    assert status == 0 and (out / "summary.json").exists()
    assert '"n_agents": 4' in (out / "summary.json").read_text()
