"""The UI's controls: what they show for a scenario and how they change it."""

from __future__ import annotations

import pytest

from orglearn.ui.controls import (
    BARRIERS,
    INTERVENTIONS,
    ORGANISATION,
    PlannedIntervention,
    apply_changes,
    control_value,
    planned,
)
from orglearn.scenarios import builtin_names, load

CONTROLS = (*BARRIERS, *ORGANISATION)


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_shows_values_in_range_and_is_unchanged_without_changes(name):
    scenario = load(name)
    for control in CONTROLS:
        value = control_value(scenario, control.key, {})
        if control.switch:
            assert isinstance(value, bool)
        else:
            assert control.low <= value <= control.high, (control.key, value)
    assert apply_changes(scenario, {}, {}) is scenario


@pytest.mark.parametrize("control", [c for c in CONTROLS if not c.switch], ids=lambda c: c.key)
def test_a_moved_slider_reads_back_its_value(control):
    base = load("typical_2012")
    for value in (control.low, (control.low + control.high) // 2, control.high):
        value -= value % control.step
        changed = apply_changes(base, {control.key: value})
        assert control.read(changed) == pytest.approx(value, abs=1), (control.key, value)


def test_barriers_map_to_their_parameters():
    base = load("baseline")
    changed = apply_changes(base, {
        "lurkers": 90, "hoarders": 20, "tool_access": 10, "formal_culture": 60, "safety": 30,
        "turnover": 25, "silos": 100, "training_sessions": True,
    })
    assert changed.population.lurker_share == pytest.approx(0.9)
    assert changed.population.hoarder_share == pytest.approx(0.2)
    assert changed.tools.tool_access == pytest.approx(0.1)
    assert changed.population.formal_devotee_share == pytest.approx(0.6)
    assert changed.culture.psychological_safety == pytest.approx(0.3)
    assert changed.turnover.rate == pytest.approx(0.25 / 250)
    assert changed.organisation.rewiring == pytest.approx(0.01)
    assert changed.organisation.department_locality == pytest.approx(0.98)
    assert changed.training.enabled is True
    # Untouched parameters stay as loaded.
    assert changed.traits == base.traits and changed.asking == base.asking


def test_poor_communicators_keep_the_scenarios_mix():
    base = load("poor_communication")  # 0.12, 0.08, 0.12, 0.1, 0.1, 0.13 = 0.65
    styles = ("rude", "abrasive", "defensive", "pushy", "top_down", "shy")
    changed = apply_changes(base, {"poor_communicators": 13})
    p = changed.population
    assert p.rude_share == pytest.approx(0.12 / 5, abs=1e-4)
    assert p.abrasive_share == pytest.approx(0.08 / 5, abs=1e-4)
    assert p.pushy_share == pytest.approx(0.02, abs=1e-4)
    total = sum(getattr(p, f"{s}_share") for s in styles)
    assert total <= 0.13 + 1e-12
    everyone = apply_changes(base, {"poor_communicators": 100}).population
    assert sum(getattr(everyone, f"{s}_share") for s in styles) <= 1.0
    nobody = apply_changes(base, {"poor_communicators": 0}).population
    assert nobody.rude_share == nobody.shy_share == nobody.abrasive_share == 0.0
    again = apply_changes(apply_changes(base, {"poor_communicators": 0}), {"poor_communicators": 65})
    assert again.population.rude_share == pytest.approx(0.12, abs=1e-4)
    assert again.population.abrasive_share == pytest.approx(0.08, abs=1e-4)


def test_interventions_replace_those_of_their_kind_and_after_the_end_are_left_out():
    base = load("champions_council")  # appoint_champions on day 30, 5%
    assert planned(base, "appoint_champions", {}) == PlannedIntervention(True, 30, 5)
    assert planned(base, "roll_out_tools", {}) == PlannedIntervention(False, 30, 100)
    changed = apply_changes(base, {"days": 60}, {
        "appoint_champions": PlannedIntervention(True, 100, 12),
        "change_leadership_style": PlannedIntervention(True, 20, None),
        "roll_out_tools": PlannedIntervention(False, 5, 50),
    })
    assert changed.steps == 60
    # Day 100 is after the run's end: never happens, so not in the run (not moved to day 60).
    kinds = [(e.kind, e.step) for e in changed.interventions]
    assert kinds == [("change_leadership_style", 20)]
    longer = apply_changes(base, {"days": 120}, {"appoint_champions": PlannedIntervention(True, 100, 12)})
    assert [(e.kind, e.step) for e in longer.interventions] == [("appoint_champions", 100)]
    assert longer.interventions[0].share == pytest.approx(0.12)
    off = apply_changes(base, {}, {"appoint_champions": PlannedIntervention(False, 30, 5)})
    assert off.interventions == []


def test_every_intervention_control_makes_a_valid_event():
    base = load("baseline")
    plan = {c.kind: PlannedIntervention(True, 40, 50 if c.share else None) for c in INTERVENTIONS}
    changed = apply_changes(base, {}, plan)
    assert sorted(e.kind for e in changed.interventions) == sorted(plan)
