"""The built-in scenario picker: the scenarios grouped as an L&D leader looks for them.

The grouping is an explicit list, not guessed from the files, so that a new built-in lands in
the group its author means:

- the baseline organisation, the reference, first and on its own;
- **Barriers**: the baseline with one thing that gets in the way of learning;
- **Combined organisations**: several barriers at once;
- **Interventions**: a barrier organisation with something scheduled to help (the scenario it
  starts from is its comparison).

A built-in missing from the list falls in "Interventions" when it schedules any, and in
"Barriers" otherwise (`group_of`); a unit test keeps the list complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orglearn.scenarios import Scenario

__all__ = ["BASELINE", "GROUPS", "group_of", "ordered", "picker_items"]

#: The reference organisation, shown first on its own.
BASELINE = "baseline"
#: Group heading -> built-in scenario names, in the order shown.
GROUPS: dict[str, tuple[str, ...]] = {
    "Barriers": (
        "lurkers",
        "hoarders",
        "poor_communication",
        "no_tools",
        "formal_training_culture",
        "silos",
        "high_turnover",
        "turbulent_market",
    ),
    "Combined organisations": ("typical_2012",),
    "Interventions": (
        "tools_rollout",
        "tech_skills_training",
        "champions_council",
        "community_of_practice",
        "leadership_modelling",
    ),
}
_GROUP_OF = {name: group for group, names in GROUPS.items() for name in names}


def group_of(name: str, scenario: Scenario) -> str | None:
    """The picker group of a built-in scenario (None for the baseline)."""
    if name == BASELINE:
        return None
    if name in _GROUP_OF:
        return _GROUP_OF[name]
    return "Interventions" if scenario.interventions else "Barriers"


def ordered(scenarios: Mapping[str, Scenario]) -> list[tuple[str | None, list[str]]]:
    """(group heading or None, names) in the picker's order, from built-in name -> scenario."""
    groups: dict[str | None, list[str]] = {None: [], **{g: [] for g in GROUPS}}
    listed = [n for names in GROUPS.values() for n in names if n in scenarios]
    for name in [BASELINE] + listed + sorted(set(scenarios) - set(listed) - {BASELINE}):
        if name in scenarios:
            groups[group_of(name, scenarios[name])].append(name)
    return [(group, names) for group, names in groups.items() if names]


def picker_items(
    groups: Iterable[tuple[str | None, list[str]]], titles: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Items of a Vuetify select: a heading before each group, then its titles. (No dividers:
    Vuetify's select shows only its first 20 items until the list is scrolled.)"""
    items: list[dict[str, Any]] = []
    for group, names in groups:
        if group is not None:
            items.append({"header": group})
        items.extend({"text": titles[name], "value": titles[name]} for name in names)
    return items
