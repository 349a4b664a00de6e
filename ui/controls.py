"""The UI's controls: barriers as sliders, interventions as switches with a day, and how they
change a scenario.

A control shows a value read from the scenario; only the controls a person has moved are applied
(`apply_changes`), so a scenario whose values lie between the sliders' stops is left exactly as
loaded until someone moves a slider. Percentages are whole numbers, as people read them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from orglearn.scenarios import Scenario
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import STYLES

__all__ = [
    "Control",
    "BARRIERS",
    "ORGANISATION",
    "InterventionControl",
    "INTERVENTIONS",
    "PlannedIntervention",
    "control_value",
    "planned",
    "apply_changes",
    "WORKING_DAYS_PER_YEAR",
]

#: Turnover is set per working day; people read it per year.
WORKING_DAYS_PER_YEAR = 250
#: Silos interpolate between the baseline's network (0%) and the silos scenario's (100%).
_OPEN = {"rewiring": 0.25, "department_locality": 0.5}
_SILOED = {"rewiring": 0.01, "department_locality": 0.98}
#: Mix of poor styles used when a scenario has none and someone adds poor communicators.
_POOR_MIX = {
    "rude": 0.12, "abrasive": 0.08, "defensive": 0.12, "pushy": 0.1, "top_down": 0.1, "shy": 0.13
}


@dataclass(frozen=True)
class Control:
    """A slider or switch over part of a scenario.

    Attributes:
        key: identifier used in a session's changes.
        label: the control's name for people.
        help: what it means, in plain language.
        read: the value shown for a scenario.
        write: the parameter overrides (section -> {field: value}) for a value.
        low, high, step: the slider's range (ignored for switches).
        unit: shown after the value ("%" or "").
        switch: a switch (True/False) rather than a slider.
    """

    key: str
    label: str
    help: str
    read: Callable[[Scenario], Any]
    write: Callable[[Any, Scenario], dict[str, dict[str, Any]]]
    low: int = 0
    high: int = 100
    step: int = 1
    unit: str = "%"
    switch: bool = False


def _pct(value: float) -> int:
    return int(round(100 * float(value)))


def _share_control(key: str, section: str, field: str, label: str, help: str) -> Control:
    return Control(
        key,
        label,
        help,
        read=lambda s: _pct(getattr(getattr(s, section), field)),
        write=lambda v, s: {section: {field: round(v / 100, 4)}},
    )


def _poor_total(s: Scenario) -> float:
    return sum(getattr(s.population, f"{style}_share") for style in STYLES[1:])


def _write_poor(value: int, s: Scenario) -> dict[str, dict[str, Any]]:
    """Scale the poor communication styles to the new total, keeping the scenario's mix."""
    current = {style: getattr(s.population, f"{style}_share") for style in STYLES[1:]}
    total = sum(current.values())
    mix = current if total > 0 else _POOR_MIX
    total = total if total > 0 else sum(_POOR_MIX.values())
    target = value / 100
    # Round down so that the shares never sum to more than the target (and never above 1).
    return {
        "population": {
            f"{style}_share": float(np.floor(share / total * target * 10_000) / 10_000)
            for style, share in mix.items()
        }
    }


def _silos(s: Scenario) -> int:
    level = (_OPEN["rewiring"] - s.organisation.rewiring) / (
        _OPEN["rewiring"] - _SILOED["rewiring"]
    )
    return _pct(np.clip(level, 0.0, 1.0))


def _write_silos(value: int, s: Scenario) -> dict[str, dict[str, Any]]:
    level = value / 100
    return {
        "organisation": {
            name: round(_OPEN[name] + level * (_SILOED[name] - _OPEN[name]), 4) for name in _OPEN
        }
    }


BARRIERS: tuple[Control, ...] = (
    _share_control(
        "lurkers", "population", "lurker_share", "Lurkers",
        "People who read what colleagues share on the social network but never post "
        "anything themselves.",
    ),
    _share_control(
        "hoarders", "population", "hoarder_share", "Knowledge hoarders",
        "People who take help but do not give it: they refuse when asked and never post.",
    ),
    Control(
        "poor_communicators",
        "Poor communicators",
        "People whose way of asking or answering gets in the way: rude, abrasive, defensive, "
        "pushy, commanding or shy. Exchanges with them go badly more often, sour the working "
        "relationship, or do not happen.",
        read=lambda s: _pct(_poor_total(s)),
        write=_write_poor,
    ),
    _share_control(
        "safety", "culture", "psychological_safety", "Feeling safe to ask",
        "How safe it feels to ask a question or post an idea without looking foolish. Low "
        "values make people ask and share less.",
    ),
    _share_control(
        "tool_access", "tools", "tool_access", "Access to the social network",
        "Share of staff who have the enterprise social network (the tool for posting and "
        "reading what colleagues know).",
    ),
    _share_control(
        "formal_culture", "population", "formal_devotee_share", "Wait for formal training",
        "People who wait for a training course instead of asking colleagues (a "
        "formal-training culture).",
    ),
    Control(
        "training_sessions",
        "Scheduled training sessions",
        "Formal training sessions every 60 working days, from the start.",
        read=lambda s: bool(s.training.enabled),
        write=lambda v, s: {"training": {"enabled": bool(v)}},
        switch=True,
        unit="",
    ),
    Control(
        "silos",
        "Silos",
        "How closed departments are: at 0% a quarter of working ties reach beyond the team "
        "and half of those cross departments; at 100% almost none do.",
        read=_silos,
        write=_write_silos,
    ),
    Control(
        "turnover",
        "Staff turnover per year",
        "Share of staff who leave in a year; newcomers are hired from the market: they bring "
        "current knowledge of what clients need, but nothing of the new idea, no track record "
        "and working relationships still to build.",
        read=lambda s: _pct(s.turnover.rate * WORKING_DAYS_PER_YEAR),
        write=lambda v, s: {"turnover": {"rate": round(v / 100 / WORKING_DAYS_PER_YEAR, 7)}},
        high=60,
    ),
)

ORGANISATION: tuple[Control, ...] = (
    Control(
        "people",
        "People",
        "Number of employees. Up to 2,000 each person is drawn; larger organisations are "
        "drawn as departments.",
        read=lambda s: int(s.organisation.n_agents),
        write=lambda v, s: {"organisation": {"n_agents": int(v)}},
        low=50,
        high=10_000,
        step=50,
        unit="",
    ),
    Control(
        "departments",
        "Departments",
        "Number of departments.",
        read=lambda s: int(s.organisation.departments),
        write=lambda v, s: {"organisation": {"departments": int(v)}},
        low=1,
        high=20,
        unit="",
    ),
    Control(
        "days",
        "Working days to simulate",
        "How long the simulation runs (250 working days are about a year).",
        read=lambda s: int(s.steps),
        write=lambda v, s: {"steps": int(v)},
        low=30,
        high=730,
        step=5,
        unit="",
    ),
)

_BY_KEY = {c.key: c for c in (*BARRIERS, *ORGANISATION)}


@dataclass(frozen=True)
class InterventionControl:
    """An intervention people can switch on, with the day it happens and how widely.

    ``share`` names the intervention's share field (as a % slider), or is None.
    """

    kind: str
    label: str
    help: str
    share: str | None = None
    share_label: str = ""
    extra: Mapping[str, Any] | None = None


INTERVENTIONS: tuple[InterventionControl, ...] = (
    InterventionControl(
        "roll_out_tools", "Roll out the social network",
        "Give the enterprise social network to people who do not have it yet.",
        "share", "Staff with access afterwards",
    ),
    InterventionControl(
        "train_tech_skills", "Train people to use the tools",
        "Each trainee closes half of the gap to being fully at ease with the tools.",
        "share", "Staff trained",
    ),
    InterventionControl(
        "appoint_champions", "Appoint social-learning champions",
        "Champions get the tools, share generously, and colleagues follow their example more "
        "than others'.",
        "share", "Staff appointed",
    ),
    InterventionControl(
        "start_community_of_practice", "Start a community of practice",
        "People from every department join, get to know some fellow members and read each "
        "other's posts, which bridges departments.",
        "share", "Staff who join",
    ),
    InterventionControl(
        "change_leadership_style", "Managers lead by example",
        "Managers become tactful, generous with help, and make it safe to ask.",
        extra={"style": "tactful", "generosity": 0.9, "psychological_safety": 0.7},
    ),
    InterventionControl(
        "run_formal_training", "Run formal training sessions",
        "Training sessions every 60 working days from that day on.",
    ),
)

_INTERVENTION_BY_KIND = {i.kind: i for i in INTERVENTIONS}


@dataclass(frozen=True)
class PlannedIntervention:
    """What the intervention controls show: on or off, on which day, how widely (in %)."""

    on: bool
    day: int
    share: int | None


def control_value(scenario: Scenario, key: str, changes: Mapping[str, Any]) -> Any:
    """The value a control shows: the person's change if any, else the scenario's value."""
    return changes[key] if key in changes else _BY_KEY[key].read(scenario)


def planned(
    scenario: Scenario, kind: str, plan: Mapping[str, PlannedIntervention]
) -> PlannedIntervention:
    """What an intervention control shows: the person's plan, or the scenario's first event
    of that kind, or off (on day 30, at the kind's default share)."""
    if kind in plan:
        return plan[kind]
    control = _INTERVENTION_BY_KIND[kind]
    events = [e for e in scenario.interventions if e.kind == kind]
    cls = INTERVENTION_KINDS[kind]
    if events:
        share = _pct(getattr(events[0], control.share)) if control.share else None
        return PlannedIntervention(True, int(events[0].step), share)
    default = cls.model_fields[control.share].default if control.share else None
    share = _pct(default) if control.share else None
    return PlannedIntervention(False, min(30, int(scenario.steps)), share)


def apply_changes(
    scenario: Scenario,
    changes: Mapping[str, Any],
    plan: Mapping[str, PlannedIntervention] | None = None,
) -> Scenario:
    """The scenario with the moved controls and the planned interventions applied.

    Interventions of a planned kind replace the scenario's events of that kind; one planned
    after the run's last day is left out of the run, not moved (it would never happen:
    `UiSession.late_interventions` says so, and a longer run brings it back). Raises `ParameterError` for impossible values
    (for instance more departments than people).
    """
    plan = plan or {}
    if not changes and not plan:
        return scenario
    sections: dict[str, dict[str, Any]] = {}
    top: dict[str, Any] = {}
    for key, value in changes.items():
        for section, values in _BY_KEY[key].write(value, scenario).items():
            if section == "steps":
                top["steps"] = values
            else:
                sections.setdefault(section, {}).update(values)
    changed = scenario.with_overrides(**sections) if sections else scenario
    data = changed.model_dump()
    data.update(top)
    events = [e for e in changed.interventions if e.kind not in plan]
    for kind, item in plan.items():
        if not item.on:
            continue
        control = _INTERVENTION_BY_KIND[kind]
        fields: dict[str, Any] = {"step": max(int(item.day), 1), **(control.extra or {})}
        if control.share and item.share is not None:
            fields[control.share] = item.share / 100
        events.append(INTERVENTION_KINDS[kind](**fields))
    steps = int(data["steps"])
    events = [e for e in events if e.step <= steps]
    data["interventions"] = [e.model_dump() for e in sorted(events, key=lambda e: e.step)]
    data.pop("extends", None)
    return Scenario.model_validate(data)
