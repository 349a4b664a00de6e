"""Levers: fields of a scenario's interventions that a sweep varies or fixes.

A lever's key is ``interventions.<kind>.<field>``, which sets the field of the scenario's one
intervention of that kind, or ``interventions.<index>.<field>``, which sets the field of its
intervention at that position (inherited interventions come first, as in
``orglearn scenarios show``). A sweep file varies levers like parameters::

    [vary]
    "interventions.appoint_champions.step" = [30, 90, 180]
    "interventions.appoint_champions.share" = { from = 0.02, to = 0.1, num = 5 }

Each run applies its values to its scenario's interventions before the model is built, and the
result is validated as a scenario file is (a step after the run's last step is an error).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo

from orglearn.scenarios.schema import Scenario
from orglearn.simulation.interventions import INTERVENTION_KINDS

__all__ = ["PREFIX", "Lever", "is_lever", "parse_lever", "lever_fields", "resolve", "apply_levers"]

#: Every lever key starts with this (``interventions`` is not a parameter section).
PREFIX = "interventions."


def is_lever(key: str) -> bool:
    """Whether ``key`` names an intervention's field rather than a model parameter."""
    return key.startswith(PREFIX)


@dataclass(frozen=True)
class Lever:
    """A parsed lever key: which intervention (a kind or a position) and which field."""

    key: str
    selector: str | int
    field: str


def _scalar(annotation: Any) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return all(a in (bool, int, float, type(None)) for a in args)


@functools.cache
def lever_fields(kind: str) -> tuple[str, ...]:
    """The fields of an intervention kind that a sweep can set (numbers and switches)."""
    fields = INTERVENTION_KINDS[kind].model_fields
    return tuple(
        name for name, info in fields.items() if name != "kind" and _scalar(info.annotation)
    )


@functools.cache
def _all_fields() -> tuple[str, ...]:
    names: list[str] = []
    for kind in INTERVENTION_KINDS:
        names += [n for n in lever_fields(kind) if n not in names]
    return tuple(names)


def field_info(lever: Lever) -> FieldInfo:
    """The pydantic field a lever sets (for an index lever: the field of that name in any kind;
    a field name has the same type in every kind)."""
    kinds = [lever.selector] if isinstance(lever.selector, str) else list(INTERVENTION_KINDS)
    for kind in kinds:
        if lever.field in lever_fields(kind):
            return INTERVENTION_KINDS[kind].model_fields[lever.field]
    raise KeyError(lever.key)


def parse_lever(key: str) -> Lever:
    """Parse a lever key.

    Raises:
        ValueError: the key is malformed, names no intervention kind, or a field that cannot
            be set; the message, ``'<key>' <problem>``, says what is allowed.
    """
    parts = key.split(".")
    if len(parts) != 3 or parts[0] != "interventions":
        raise ValueError(f"'{key}' is not a lever; use 'interventions.<kind>.<field>' or "
                         "'interventions.<index>.<field>'")
    _, selector, name = parts
    if selector.isdigit():
        if name not in _all_fields():
            raise ValueError(f"'{key}' is not a lever: interventions have no field '{name}' "
                             f"that can be set; fields: {', '.join(_all_fields())}")
        return Lever(key, int(selector), name)
    if selector not in INTERVENTION_KINDS:
        raise ValueError(f"'{key}' is not a lever: '{selector}' is neither an intervention "
                         f"kind nor a position; kinds: {', '.join(INTERVENTION_KINDS)}")
    if name not in lever_fields(selector):
        raise ValueError(f"'{key}' is not a lever: {selector} has no field '{name}' that can "
                         f"be set; its fields: {', '.join(lever_fields(selector))}")
    return Lever(key, selector, name)


def _listing(scenario: Scenario) -> str:
    events = scenario.interventions
    if not events:
        return "it has none"
    return "it has " + ", ".join(f"{i}: {e.kind} at step {e.step}" for i, e in enumerate(events))


def resolve(lever: Lever, scenario: Scenario, name: str) -> int:
    """The position in ``scenario.interventions`` of the intervention ``lever`` sets.

    Raises:
        ValueError: the scenario (called ``name`` in the message) has no such intervention, or
            several of that kind (then the lever must give a position).
    """
    events = scenario.interventions
    if isinstance(lever.selector, int):
        i = lever.selector
        if i >= len(events):
            raise ValueError(f"scenario {name} has no intervention {i}; {_listing(scenario)}")
        if lever.field not in lever_fields(events[i].kind):
            raise ValueError(f"intervention {i} of scenario {name} is {events[i].kind}, which has "
                             f"no field '{lever.field}'; its fields: "
                             f"{', '.join(lever_fields(events[i].kind))}")
        return i
    found = [i for i, e in enumerate(events) if e.kind == lever.selector]
    if not found:
        raise ValueError(f"scenario {name} has no {lever.selector} intervention; "
                         f"{_listing(scenario)}")
    if len(found) > 1:
        raise ValueError(f"scenario {name} has {len(found)} {lever.selector} interventions (at "
                         f"positions {', '.join(map(str, found))}); name one by its position, "
                         f"as 'interventions.{found[0]}.{lever.field}'")
    return found[0]


def apply_levers(
    scenario: Scenario, values: Mapping[str, Any], steps: int | None = None
) -> Scenario:
    """``scenario`` with the levers' values set, validated as a scenario file.

    Args:
        scenario: the scenario to change (not changed itself).
        values: ``{lever key: value}``.
        steps: the run's length, which the interventions' steps must not exceed (default: the
            scenario's own ``steps``).

    Raises:
        ValueError: a lever names no intervention of the scenario.
        pydantic.ValidationError: a value breaks the scenario schema.
    """
    data = scenario.model_dump()
    for key, value in values.items():
        lever = parse_lever(key)
        data["interventions"][resolve(lever, scenario, scenario.name or "?")][lever.field] = value
    if steps is not None:
        data["steps"] = steps
    return type(scenario).model_validate(data)
