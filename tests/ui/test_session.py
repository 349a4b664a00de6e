"""Per-page sessions: isolation, controls, the live run, and the clean-up of idle sessions."""

from __future__ import annotations

import pytest

from orglearn.ui.controls import PlannedIntervention
from orglearn.ui.session import AS_LOADED, SessionRegistry, UiSession
from orglearn.scenarios import load_text


class Clock:
    """A fake clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry(clock) -> SessionRegistry:
    return SessionRegistry(idle_seconds=600, clock=clock)


def test_each_page_gets_its_own_session(registry):
    a, b = registry.get("page-a"), registry.get("page-b")
    assert a is not b and a.model is not b.model
    assert registry.get("page-a") is a
    a.step(3)
    a.set_control("lurkers", 90)  # moving a control starts the run again
    assert a.day == 0
    a.step(2)
    assert (a.value("lurkers"), a.day) == (90, 2)
    assert (b.value("lurkers"), b.day) == (30, 0)
    assert b.scenario.population.lurker_share == pytest.approx(0.3)


def test_idle_sessions_are_released_and_come_back_with_their_settings(registry, clock):
    a, b = registry.get("a"), registry.get("b")
    a.set_control("hoarders", 40)
    a.step(5)
    clock.now = 500
    registry.get("b")  # b is used again; a is not
    clock.now = 700
    assert registry.reap() == ["a"]
    assert "a" not in registry and "b" in registry and len(registry) == 1
    assert a.model is None and a.layout is None and a.released
    assert b.model is not None

    again = registry.get("a", previous=a)
    assert again is a and not a.released
    assert a.notice and "not used for a while" in a.notice
    assert a.value("hoarders") == 40  # settings kept
    assert a.ensure_model().steps == 0  # a fresh run
    assert registry.reap() == []


def test_a_reaped_session_cancels_its_comparison(registry, clock):
    class Job:
        cancelled = False
        running = True

        def cancel(self):
            self.cancelled = True

    session = registry.get("x")
    session.job = job = Job()
    session.playing = True
    clock.now = 10_000
    registry.reap()
    assert job.cancelled and not session.playing and session.job is None


def test_dropping_a_closed_page_releases_it(registry):
    session = registry.get("closed")
    registry.drop("closed")
    assert "closed" not in registry and session.released
    registry.drop("never-seen")  # no error


def test_the_reaper_thread_runs(clock):
    registry = SessionRegistry(idle_seconds=1, clock=clock)
    registry.get("a")
    clock.now = 5
    registry.start_reaper(interval=0.05)
    try:
        import time

        for _ in range(100):
            if len(registry) == 0:
                break
            time.sleep(0.05)
        assert len(registry) == 0
    finally:
        registry.stop_reaper()


def test_controls_make_a_named_what_if():
    session = UiSession("s", scenario="hoarders")
    assert not session.modified and session.scenario.name == "hoarders"
    assert session.set_control("lurkers", 10) is None
    assert session.modified
    scenario = session.scenario
    assert scenario.name == "hoarders-what-if" and scenario.against == "hoarders"
    assert scenario.population.lurker_share == pytest.approx(0.1)
    assert "Lurkers: 30% -> 10%" in scenario.description
    session.set_control("lurkers", 30)  # back to the scenario's value: no longer a change
    assert not session.modified


def test_an_impossible_setting_is_reported_not_applied():
    session = UiSession("s")
    session.open_file(load_text("[organisation]\ndepartments = 60\n", "many.toml"), "many.toml")
    before, day = session.scenario, session.step(3)
    problem = session.set_control("people", 50)
    assert problem and "n_agents (50) must be at least departments (60)" in problem
    assert session.scenario == before and not session.modified and session.day == day


def test_interventions_are_scheduled_and_the_run_stops_at_its_end():
    session = UiSession("s", scenario="baseline")
    session.set_control("days", 30)
    session.set_intervention("roll_out_tools", PlannedIntervention(True, 10, 100))
    events = session.scenario.interventions
    assert [(e.kind, e.step, e.share) for e in events] == [("roll_out_tools", 10, 1.0)]
    assert session.step(100) == 30 and session.finished
    assert session.model.state.has_tools.mean() > 0.95  # newcomers since day 10 may lack them


def test_baseline_choices():
    session = UiSession("s", scenario="hoarders")
    assert "baseline" in session.baseline_choices() and "hoarders" not in session.baseline_choices()
    session.set_control("hoarders", 0)
    assert list(session.baseline_choices())[:3] == ["what-if", AS_LOADED, "baseline"]
    assert session.baseline(AS_LOADED).population.hoarder_share == pytest.approx(0.3)
    assert session.baseline("baseline").name == "baseline"


def test_reset_with_a_seed_repeats_the_run():
    session = UiSession("s")
    session.set_control("people", 100)
    session.step(20)
    first = session.model.state.knowledge.copy()
    session.reset()
    session.step(20)
    assert (session.model.state.knowledge == first).all()
    session.reset(seed=2)
    session.step(20)
    assert not (session.model.state.knowledge == first).all()


def test_an_intervention_after_the_end_is_flagged_not_moved():
    """Plan a day, then shorten the run: the intervention is not moved; it is reported as never
    happening, and a longer run brings it back on its day."""
    session = UiSession("s", scenario="baseline")
    assert session.late_interventions() == []
    session.set_intervention("roll_out_tools", PlannedIntervention(True, 300, 100))
    session.set_control("days", 200)
    assert session.intervention("roll_out_tools").day == 300
    assert session.scenario.interventions == []
    (late,) = session.late_interventions()
    assert "working day 300, after the run's last day (200), so it will never happen" in late
    session.set_control("days", 365)
    assert session.late_interventions() == []
    assert [(e.kind, e.step) for e in session.scenario.interventions] == [("roll_out_tools", 300)]
    session.choose_builtin("champions_council")  # its own event on day 30
    session.set_control("days", 20)
    assert "day 30, after the run's last day (20)" in session.late_interventions()[0]


def test_a_seed_is_a_whole_number():
    from orglearn.ui.app import _seed

    assert [_seed(t) for t in ("7", " 12 ", "1,000", "0")] == [7, 12, 1000, 0]
    assert [_seed(t) for t in ("abc", "-1", "1.5", "", "\u0663", str(2**63))] == [None] * 6
