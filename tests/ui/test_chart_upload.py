"""Uploading an org chart in the UI: saved per session, validated, used by the live run, the
comparison and the exported scenario; a bad chart is a message and changes nothing."""

from __future__ import annotations

from pathlib import Path

from orglearn.ui.export import scenario_file
from orglearn.ui.session import AS_LOADED, SessionRegistry, UiSession
from orglearn.ui.upload import strip_chart_files
from orglearn.scenarios import load

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = (ROOT / "scenarios" / "examples" / "people.csv").read_bytes()
TIES = (ROOT / "scenarios" / "examples" / "ties.csv").read_bytes()


def _duplicate_id(data: bytes) -> bytes:
    lines = data.decode().splitlines()
    return ("\n".join([*lines, lines[2]]) + "\n").encode()  # the second person again


def test_a_good_chart_sets_the_files_and_builds_its_model():
    session = UiSession("s")
    assert session.set_chart("people", "people.csv", PEOPLE) is None
    org = session.scenario.organisation
    assert Path(org.people_file).is_file() and org.ties_file is None
    assert Path(org.people_file).read_bytes() == PEOPLE
    assert session.model.network.n == 244 and session.model.params.organisation.departments == 5
    assert session.chart.summary == "244 people in 29 teams and 5 departments"

    assert session.set_chart("ties", "ties.csv", TIES.decode()) is None  # text, as uploaded
    org = session.scenario.organisation
    assert Path(org.ties_file).read_bytes() == TIES
    assert session.chart.summary.endswith(", with 628 observed ties")
    assert session.model.network.n == 244 and session.day == 0


def test_a_bad_chart_is_a_message_and_changes_nothing():
    session = UiSession("s")
    session.set_chart("people", "people.csv", PEOPLE)
    session.step(2)
    before = (session.chart, session.scenario, session.model)
    problem = session.set_chart("people", "mine.csv", _duplicate_id(PEOPLE))
    assert problem == ("The 'person_id' value in mine.csv:246 (row 245) is 'e9893ed', which "
                       "row 2 already uses; person ids must be unique")
    assert (session.chart, session.scenario, session.model) == before
    assert session.day == 2

    problem = UiSession("t").set_chart("ties", "ties.csv", TIES)
    assert "upload the org chart's people file first" in problem


def test_a_bad_first_chart_keeps_the_generated_organisation():
    session = UiSession("s")
    problem = session.set_chart("people", "bad.csv", b"person_id,name\n1,Ann\n")
    assert "bad.csv" in problem
    assert session.chart is None and session.scenario.organisation.people_file is None
    assert session.model.network.n == 500


def test_back_to_a_generated_organisation_keeps_the_controls():
    session = UiSession("s")
    session.set_control("lurkers", 60)
    session.set_chart("people", "people.csv", PEOPLE)
    assert session.model.network.n == 244 and session.value("lurkers") == 60
    assert session.clear_chart() is None
    assert session.chart is None and session.scenario.organisation.people_file is None
    assert session.model.network.n == 500 and session.value("lurkers") == 60


def test_the_comparison_uses_the_chart():
    session = UiSession("s", scenario="hoarders")
    session.set_chart("people", "people.csv", PEOPLE)
    session.set_control("hoarders", 0)
    session.set_control("days", 30)
    for key in session.baseline_choices():
        assert session.baseline(key).organisation.people_file == session.chart.people
    job = session.start_comparison(AS_LOADED, replications=2, n_agents=100)
    what_if, baseline = job.spec.scenarios()
    assert what_if.organisation.people_file == baseline.organisation.people_file == session.chart.people
    assert job.wait(180) and job.error is None and len(job.result.runs) == 4


def test_export_names_the_chart_beside_the_scenario(tmp_path):
    session = UiSession("s")
    session.set_chart("people", "our people.csv", PEOPLE)
    session.set_chart("ties", "ties.csv", TIES)
    text = scenario_file(session.scenario)
    assert 'people_file = "our_people.csv"' in text and 'ties_file = "ties.csv"' in text
    assert "put our_people.csv and ties.csv in the same folder as this file" in text
    (tmp_path / "mine.toml").write_text(text)
    (tmp_path / "our_people.csv").write_bytes(PEOPLE)
    (tmp_path / "ties.csv").write_bytes(TIES)
    assert load(tmp_path / "mine.toml").sections() == session.scenario.sections().with_overrides(
        organisation={"people_file": str(tmp_path / "our_people.csv"),
                      "ties_file": str(tmp_path / "ties.csv")})
    stripped, names = strip_chart_files(text)
    assert names == ["our_people.csv", "ties.csv"] and "\npeople_file =" not in stripped


def test_the_chart_files_go_with_the_session():
    registry = SessionRegistry(idle_seconds=10, clock=lambda: 0.0)
    session = registry.get("page")
    session.set_chart("people", "people.csv", PEOPLE)
    folder = Path(session.chart.people).parents[1]
    assert folder.is_dir()
    registry.drop("page")
    assert not folder.exists()
    assert session.chart is None and session.scenario.organisation.people_file is None
    assert session.ensure_model().network.n == 500
    session.touch()
    assert "org chart was deleted" in session.notice


def _latin1(data: bytes, line: int) -> bytes:
    """The file with one team renamed "Équipe", saved as Latin-1 (not UTF-8) on ``line``."""
    lines = data.decode().splitlines()
    cells = lines[line - 1].split(",")
    cells[2] = "Équipe"
    lines[line - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("latin-1")


def test_a_file_that_is_not_utf8_is_refused_naming_its_line():
    """Raw bytes, or text the browser already mangled (U+FFFD), are refused: the chart and
    its observed ties stay, and no 30th team appears."""
    from orglearn.ui.upload import encoding_problem

    session = UiSession("s")
    session.set_chart("people", "people.csv", PEOPLE)
    session.set_chart("ties", "ties.csv", TIES)
    before = (session.chart, session.scenario, session.model)
    raw = _latin1(PEOPLE, 7)
    mangled = raw.decode("utf-8", errors="replace")  # what the browser sends
    assert "\ufffd" in mangled
    for data in (raw, mangled):
        problem = session.set_chart("people", "export.csv", data)
        assert problem.startswith("export.csv:7: this line has characters that are not UTF-8")
        assert "CSV UTF-8" in problem
        assert (session.chart, session.scenario, session.model) == before
    assert session.chart.summary == "244 people in 29 teams and 5 departments, with 628 observed ties"
    assert encoding_problem("ok.csv", PEOPLE) is None
    assert encoding_problem("ok.csv", "person_id,team\n1,Équipe\n") is None
