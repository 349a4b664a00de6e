"""The scenario schema: model parameters plus a description, a run length and interventions.

A scenario file is TOML. Its top-level keys are the metadata below; its tables are the parameter
sections of `simulation.parameters` (``[organisation]``, ``[population]``, ...), each optional
and each key optional; ``[[interventions]]`` tables schedule events (`simulation.interventions`).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from orglearn.simulation.interventions import Intervention
from orglearn.simulation.parameters import Parameters

__all__ = ["Scenario", "METADATA"]

#: Top-level keys that describe a scenario rather than parameterise it; never inherited.
METADATA = ("name", "title", "description", "rationale", "sources", "extends", "against")


class Scenario(Parameters):
    """A complete, validated scenario."""

    name: str = Field("", description="Short identifier (defaults to the file name).")
    title: str = Field("", description="A title for people.")
    description: str = Field(
        "", description="What this organisation is like, in plain language for L&D leaders."
    )
    rationale: str = Field(
        "", description="The research rationale: why these values, and where figures come from."
    )
    sources: list[str] = Field(default_factory=list, description="References for the figures.")
    extends: str | None = Field(
        None,
        description="A built-in scenario name or a path (relative to this file) to inherit from; "
        "this file's keys override it, and its interventions come before this file's.",
    )
    against: str | None = Field(
        None, description="The scenario this one is best compared with (e.g. its barrier)."
    )
    steps: int = Field(365, ge=1, le=1_000_000, description="Steps (working days) to run.")
    interventions: list[Intervention] = Field(
        default_factory=list, description="Timed events, applied at the start of their step."
    )

    @model_validator(mode="after")
    def _interventions_in_run(self) -> Scenario:
        for i, event in enumerate(self.interventions):
            if event.step > self.steps:
                raise ValueError(
                    f"@interventions/{i}/step: is {event.step}, after the last step ({self.steps}); "
                    f"use a step from 1 to {self.steps}"
                )
        return self
