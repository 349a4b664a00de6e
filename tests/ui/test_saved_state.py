"""The page's state in its address: encoding, defensive decoding, and a session's export and
restore (no browser; the browser tests are in test_address.py)."""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orglearn.ui.controls import BARRIERS, INTERVENTIONS, ORGANISATION, PlannedIntervention
from orglearn.ui.saved_state import MAX_QUERY, decode, encode, encode_fitting
from orglearn.ui.session import UiSession
from orglearn.scenarios import builtin_names

ROOT_TOML = 'title = "Fewer lurkers"\nextends = "baseline"\n\n[population]\nlurker_share = 0.1\n'


def packed(value, version: int = 1) -> str:
    """A query string holding any JSON value (or raw bytes) the way `encode` packs it."""
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    text = base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode()
    return f"v={version}&w={text}"


@pytest.fixture(scope="module")
def made() -> UiSession:
    """A what-if: a built-in scenario, two controls, two interventions, a seed, a day."""
    session = UiSession("made")
    session.choose_builtin("hoarders")
    session.set_control("days", 200)
    session.set_control("lurkers", 0)
    session.set_control("training_sessions", True)
    session.set_intervention("appoint_champions", PlannedIntervention(True, 40, 8))
    session.set_intervention("change_leadership_style", PlannedIntervention(True, 12, None))
    session.reset(seed=7)
    session.step(5)
    session.compare_settings = {"runs": 20, "people": 300, "against": ["baseline", "hoarders"]}
    return session


def test_a_what_if_comes_back_exactly(made):
    query, notes = encode_fitting(made.export_state())
    assert notes == [] and query.startswith("v=1&w=") and len(query) < 400
    state, problems = decode("?" + query)
    assert problems == []
    other = UiSession("other")
    assert other.restore_state(state) == []
    assert other.export_state() == made.export_state()
    assert (other.day, other.days, other.seed, other.playing) == (5, 200, 7, False)
    assert other.scenario == made.scenario
    assert other.compare_settings == made.compare_settings
    # The same seed and day: the same run.
    assert other.model.state.knowledge.tolist() == made.model.state.knowledge.tolist()


def test_a_shared_link_has_no_day(made):
    state, _ = decode(encode(made.export_state(day=False)))
    other = UiSession("colleague")
    other.restore_state(state)
    assert other.day == 0 and other.scenario == made.scenario and other.seed == 7


def test_an_uploaded_scenario_file_is_kept_while_small():
    from orglearn.ui.upload import read_scenario

    session = UiSession("file")
    scenario, _ = read_scenario("fewer.toml", ROOT_TOML)
    session.open_file(scenario, "fewer.toml", text=ROOT_TOML)
    session.set_control("hoarders", 20)
    query, notes = encode_fitting(session.export_state())
    assert notes == []
    other = UiSession("file-2")
    assert other.restore_state(decode(query)[0]) == []
    assert (other.builtin, other.base_label, other.value("lurkers"), other.value("hoarders")) == (
        False, "fewer.toml", 10, 20)

    # Too large for an address: named, never silently dropped.
    big = ROOT_TOML + "".join(f"# {i} {base64.b64encode(bytes([i % 256]) * 60)}\n"
                              for i in range(3000))
    session.open_file(read_scenario("big.toml", big)[0], "big.toml", text=big)
    query, notes = encode_fitting(session.export_state())
    assert len(query) <= MAX_QUERY and "big.toml is too large" in notes[0]
    other = UiSession("file-3")
    problems = other.restore_state(decode(query)[0])
    assert "big.toml" in problems[0] and "upload it again" in problems[0]
    assert other.builtin and other.base_label == "baseline"


def test_an_org_chart_is_never_in_the_state():
    from pathlib import Path

    people = Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "people.csv"
    session = UiSession("chart")
    assert session.set_chart("people", "people.csv", people.read_bytes()) is None
    state = session.export_state()
    text = json.dumps(state)
    assert state["chart"] is True
    assert "csv" not in text and "orglearn-ui-chart" not in text  # no file, no path
    assert people.read_text().splitlines()[1].split(",")[0] not in text  # no person id
    other = UiSession("chart-2")
    problems = other.restore_state(decode(encode(state))[0])
    assert other.chart is None and "upload it again under 'Your organisation'" in problems[0]


@pytest.mark.parametrize(
    "query, says",
    [
        ("v=1&w=" + "A" * (MAX_QUERY + 1), "too long"),
        ("v=2&w=eNqrrgUAAXUA-Q", "another version"),
        ("v=1&w=not*base64", "damaged"),
        ("v=1&w=AAAA", "damaged"),  # not zlib
        ("v=1&w=" + packed(b"\xff\xfe").split("w=")[1], "damaged"),  # not UTF-8
        (packed(b"{'a': 1}"), "damaged"),  # not JSON (Python literal)
        (packed(b"cos\nsystem\n(S'echo hi'\ntR."), "damaged"),  # a pickle is not read
        (packed(b'{"seed": NaN}'), "damaged"),
        (packed([1, 2]), "damaged"),  # JSON, but not an object
        (packed(b"[" * 50_000 + b"]" * 50_000), "damaged"),  # deep nesting / bomb
        (packed(b" " * 1_000_000 + b"{}"), "damaged"),  # decompresses beyond MAX_JSON
        ("v=1&w=a&w=b", "damaged"),
        ("&".join(f"x{i}=1" for i in range(50)), "damaged"),
    ],
)
def test_garbage_is_refused_in_plain_words(query, says):
    state, problems = decode(query)
    assert state is None and len(problems) == 1 and says in problems[0]
    assert "Traceback" not in problems[0]


def test_no_state_and_other_parameters_are_ignored_silently():
    assert decode(None) == (None, [])
    assert decode("") == (None, [])
    assert decode("?utm_source=mail") == (None, [])


def test_wrong_types_are_dropped_and_named():
    state, problems = decode(packed({
        "scenario": "../../etc/passwd", "changes": {"lurkers": "10", "hoarders": 20},
        "plan": {"appoint_champions": {"on": "yes", "day": 3}}, "seed": -1, "day": 1.5,
        "compare": {"x": "y" * 10_000}, "chart": "yes", "unknown": 1,
    }))
    assert state == {"changes": {"hoarders": 20}, "plan": {}}
    assert problems == ["Part of the page's address was not understood and was ignored (the "
                        "scenario, some of the controls, some of the interventions, the random "
                        "seed, the day, the comparison's settings)."]


def test_impossible_values_go_through_the_controls_checks():
    state, _ = decode(packed({
        "scenario": "hoarders",
        "changes": {"lurkers": 500, "people": 10**9, "departments": 3, "no_such": 1,
                    "training_sessions": 1, "days": 100},
        "plan": {"appoint_champions": {"on": True, "day": 101, "share": 5},
                 "train_tech_skills": {"on": True, "day": 10, "share": 0},
                 "change_leadership_style": {"on": True, "day": 10, "share": 50},
                 "roll_out_tools": {"on": True, "day": 20, "share": 90},
                 "no_such": {"on": True, "day": 1, "share": None}},
        "seed": 3, "day": 10_000,
    }))
    session = UiSession("bad")
    problems = session.restore_state(state)
    assert len(problems) == 1
    for label in ("Lurkers", "People", "a control this version does not have",
                  "Scheduled training sessions", "Appoint social-learning champions",
                  "Train people to use the tools", "Managers lead by example",
                  "an intervention this version does not have"):
        assert label in problems[0]
    # What was possible is kept; the day is the run's last.
    assert session.base_label == "hoarders" and session.value("departments") == 3
    assert session.intervention("roll_out_tools") == PlannedIntervention(True, 20, 90)
    assert (session.seed, session.days, session.day) == (3, 100, 100)


def test_an_unknown_scenario_keeps_the_page_as_it_opens():
    session = UiSession("unknown")
    problems = session.restore_state({"scenario": "nope", "changes": {"lurkers": 0}})
    assert session.base_label == "baseline" and not session.modified
    assert "does not have" in problems[0] and "left out" in problems[1]


def test_opening_settings_come_back_only_from_the_same_server():
    opening = {"population.hoarder_share": 0.3}
    session = UiSession("set", settings=opening)
    state = decode(encode(session.export_state()))[0]
    assert state["set"] == opening
    other = UiSession("set-2", settings=opening)
    assert other.restore_state(state, settings=opening) == [] and other.value("hoarders") == 30
    # An address may not set parameters (a million people, a file to read...).
    for settings in ({"organisation.n_agents": 5_000_000},
                     {"organisation.people_file": "/etc/passwd"}, opening):
        elsewhere = UiSession("set-3")
        problems = elsewhere.restore_state({"scenario": "baseline", "set": settings})
        assert "orglearn ui --set" in problems[0]
        assert elsewhere.scenario == UiSession("plain").scenario


def test_an_address_may_not_make_a_huge_model():
    text = 'extends = "baseline"\nsteps = 1000000\n[organisation]\nn_agents = 5000000\n'
    session = UiSession("huge")
    problems = session.restore_state({"file": {"name": "huge.toml", "text": text}, "day": 3})
    assert "more people or more working days" in problems[0]
    assert (session.value("people"), session.days, session.day) == (500, 365, 3)


# -- any valid state comes back exactly --------------------------------------------------------

_SLIDERS = [c for c in (*BARRIERS, *ORGANISATION) if not c.switch and c.key != "people"]
_SWITCHES = [c for c in BARRIERS if c.switch]


@st.composite
def what_ifs(draw) -> dict:
    """A state as the page's controls could make it (small organisations, to be quick)."""
    changes = {}
    moved = st.lists(st.sampled_from(_SLIDERS + _SWITCHES), unique_by=lambda c: c.key, max_size=4)
    for control in draw(moved):
        changes[control.key] = (draw(st.booleans()) if control.switch else
                                draw(st.integers(control.low, control.high)))
    changes["people"] = draw(st.integers(1, 4)) * 50
    if changes.get("departments", 1) * 5 > changes["people"]:
        changes["departments"] = 2
    days = changes.get("days", 365)
    plan = {}
    planned = st.lists(st.sampled_from(INTERVENTIONS), unique_by=lambda c: c.kind, max_size=3)
    for control in draw(planned):
        share = draw(st.integers(1, 100)) if control.share else None
        plan[control.kind] = {"on": draw(st.booleans()), "day": draw(st.integers(1, days)),
                              "share": share}
    return {
        "scenario": draw(st.sampled_from(builtin_names())),
        "changes": changes,
        "plan": plan,
        "seed": draw(st.integers(0, 2**63 - 1)),
        "compare": draw(st.dictionaries(st.text(max_size=10), st.one_of(
            st.integers(-10**6, 10**6), st.text(max_size=20), st.booleans(), st.none()),
            max_size=4)),
    }


@settings(max_examples=25, deadline=None)
@given(what_ifs())
def test_any_valid_state_round_trips(state):
    session = UiSession("prop")
    session.restore_state(state)
    exported = session.export_state()
    assert decode(encode(exported)) == (exported, [])
    again = UiSession("prop-2")
    assert again.restore_state(decode(encode(exported))[0]) == []
    assert again.export_state() == exported
    assert again.scenario == session.scenario


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_decode_never_raises(text):
    state, problems = decode(text)
    assert state is None or isinstance(state, dict)
    assert all(isinstance(p, str) for p in problems)


@pytest.mark.parametrize("text", [
    'extends = "/etc/passwd"\n',
    'extends = "../secret.toml"\n',
    'extends = "baseline"\n[organisation]\npeople_file = "/home/someone/people.csv"\n',
])
def test_an_address_may_not_make_the_server_read_files(text):
    session = UiSession("files")
    problems = session.restore_state({"file": {"name": "x.toml", "text": text}, "seed": 2})
    assert "names other files" in problems[0] and "/etc" not in problems[0]
    assert session.base_label == "baseline" and session.seed == 2


def test_the_page_says_what_it_restored():
    from orglearn.ui.page_state import restore_from_address

    made = UiSession("said")
    made.choose_builtin("hoarders")
    made.step(4)
    session = UiSession("page")
    restore_from_address(session, "?" + encode(made.export_state()))
    assert session.notice == ("Restored from the page's address: Knowledge hoarders, paused at "
                              "day 4: press Run to go on.")
    session.notice = None
    restore_from_address(session, "?v=1&w=garbage")  # once per session
    assert session.notice is None and session.day == 4

    fresh = UiSession("fresh")
    restore_from_address(fresh, encode(fresh.export_state()))  # as it opens: nothing to say
    assert fresh.notice is None
    damaged = UiSession("damaged")
    restore_from_address(damaged, "v=1&w=garbage")
    assert damaged.notice.startswith("The page's address was damaged")


def test_comparison_settings_are_kept_only_when_small_and_json():
    session = UiSession("compare")
    for settings in ({"x": "y" * 5_000}, {"x": {1, 2}}, {"x": float("nan")}):
        session.compare_settings = settings
        assert "compare" not in session.export_state()
