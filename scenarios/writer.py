"""Writing scenarios as TOML: complete, commented files that load back to the same scenario."""

from __future__ import annotations

import textwrap

from orglearn.scenarios.fields import facts, format_value
from orglearn.scenarios.schema import METADATA, Scenario
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import SECTIONS

__all__ = ["to_toml"]


def to_toml(scenario: Scenario, comments: bool = True) -> str:
    """The scenario as TOML text, every key written out, with a comment on each when asked.

    ``tomllib.loads`` of the result validates to a scenario equal to ``scenario`` (with
    ``extends`` dropped: the file is complete in itself).
    """
    out: list[str] = []

    def key(name: str, value, info) -> None:
        if value is None:
            return
        if comments and info is not None:
            f = facts(name, info)
            allowed = f"; {f.range}" if f.range else ""
            for line in textwrap.wrap(f"{f.description} ({f.type}{allowed})", 96):
                out.append(f"# {line}")
        out.append(f"{name} = {format_value(value)}")

    fields = Scenario.model_fields
    for name in (*METADATA, "steps"):
        if name == "extends":
            continue
        key(name, getattr(scenario, name), fields[name])
    for section in SECTIONS:
        out.append("")
        out.append(f"[{section}]")
        if comments:
            doc = (SECTIONS[section].__doc__ or "").strip().splitlines()[0]
            out.append(f"# {doc}")
        values = getattr(scenario, section)
        for name, info in type(values).model_fields.items():
            key(name, getattr(values, name), info)
    for event in scenario.interventions:
        out.append("")
        out.append("[[interventions]]")
        cls = INTERVENTION_KINDS[event.kind]
        out.append(f"kind = {format_value(event.kind)}")
        for name, info in cls.model_fields.items():
            if name != "kind":
                key(name, getattr(event, name), info)
    return "\n".join(out).lstrip("\n") + "\n"
