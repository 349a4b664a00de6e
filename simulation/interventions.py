"""Interventions: timed events that change the organisation while it runs.

Each kind is a frozen pydantic model with a ``step`` (applied at the start of that step, before
any process runs) and an ``apply(model)`` method. Scenario files list them as
``[[interventions]]`` tables with a ``kind``:

- ``roll_out_tools``: give ESN access to people without it until ``share`` of staff have it.
- ``train_tech_skills``: ``share`` of staff close ``gain`` of their gap in tech-savviness.
- ``appoint_champions``: appoint ``share`` of staff (never hoarders) as social-learning champions:
  they get tools, post generously, stop lurking, and are imitated more (culture change).
- ``start_community_of_practice``: ``share`` of staff, drawn from the whole organisation, join a
  community; each member forms ``ties`` new ties with fellow members (mostly across
  departments) and reads ``reads`` posts a step from fellow members (a sub-feed of the ESN that
  bridges departments); with ``give_tools``, members without tools are given them.
- ``change_leadership_style``: managers adopt ``style`` (its tact and boldness), model sharing
  (generosity at least ``generosity``, no lurking, no hoarding), and psychological safety
  becomes ``psychological_safety`` if given.
- ``run_formal_training``: start scheduled formal training (every ``interval`` steps, with
  ``attendance`` and ``gain``), the first session in this step.
- ``set_parameters``: set any model parameters, e.g. ``values = {"asking.rate" = 0.3}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from orglearn.simulation.parameters import STYLES, ParameterError, Parameters, dotted_overrides
from orglearn.simulation.network import TIE_COMMUNITY
from orglearn.simulation.state import CHAMPION, MANAGER, STYLE_TRAITS, TIE_STRENGTH

if TYPE_CHECKING:
    from orglearn.simulation.model import SocialLearningModel

__all__ = ["Intervention", "INTERVENTION_KINDS"]


class _Intervention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: int = Field(ge=1, description="Step at whose start the intervention happens.")

    def apply(self, model: SocialLearningModel) -> None:  # pragma: no cover - abstract
        """Change the model in place."""
        raise NotImplementedError


def _share(default: float, description: str) -> Any:
    return Field(default, ge=0.0, le=1.0, description=description)


def _choose(model: SocialLearningModel, eligible: np.ndarray, count: int) -> np.ndarray:
    """``count`` random rows among the ``eligible`` mask (fewer if not enough are eligible)."""
    rows = np.flatnonzero(eligible)
    return model.rng.permutation(rows)[: max(0, min(count, rows.size))]


class RollOutTools(_Intervention):
    """Give ESN access until ``share`` of staff have it."""

    kind: Literal["roll_out_tools"] = "roll_out_tools"
    share: float = _share(1.0, "Share of staff with tools after the roll-out.")

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        state = model.state
        missing = int(round(self.share * state.n)) - int(state.has_tools.sum())
        state.has_tools[_choose(model, ~state.has_tools, missing)] = True


class TrainTechSkills(_Intervention):
    """Raise tech-savviness: trainees close ``gain`` of their gap to full skill."""

    kind: Literal["train_tech_skills"] = "train_tech_skills"
    share: float = _share(1.0, "Share of staff trained.")
    gain: float = _share(0.5, "Share of each trainee's gap to full tech-savviness closed.")

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        state = model.state
        rows = _choose(model, np.ones(state.n, bool), int(round(self.share * state.n)))
        state.tech_savvy[rows] += self.gain * (1.0 - state.tech_savvy[rows])


class AppointChampions(_Intervention):
    """Appoint social-learning champions (a "Learning 2.0 adoption council")."""

    kind: Literal["appoint_champions"] = "appoint_champions"
    share: float = _share(0.05, "Share of staff appointed (chosen among non-hoarders).")

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        state = model.state
        eligible = ~state.hoarder & ~state.champion
        rows = _choose(model, eligible, int(round(self.share * state.n)))
        state.champion[rows] = True
        state.role[rows[state.role[rows] != MANAGER]] = CHAMPION  # managers keep the role
        state.has_tools[rows] = True
        state.lurker[rows] = False
        state.generosity[rows] = np.maximum(state.generosity[rows], 0.9)
        state.tech_savvy[rows] = np.maximum(state.tech_savvy[rows], 0.9)


class StartCommunityOfPractice(_Intervention):
    """Start a community of practice across departments, with its own ESN sub-feed."""

    kind: Literal["start_community_of_practice"] = "start_community_of_practice"
    share: float = _share(
        0.2, "Share of staff who join, drawn at random from the whole organisation."
    )
    reads: int = Field(3, ge=1, le=100, description="Posts from fellow members read per step.")
    ties: int = Field(
        2,
        ge=0,
        le=50,
        description="New ties each member forms with fellow members, drawn at random (mostly "
        "in other departments): members get to know each other.",
    )
    give_tools: bool = Field(True, description="Give members without ESN access the tools.")

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        state = model.state
        community = int(state.community.max()) + 1
        rows = _choose(model, state.community < 0, int(round(self.share * state.n)))
        state.community[rows] = community
        if self.ties and rows.size > 1:
            src = np.repeat(rows, self.ties)
            dst = rows[model.rng.integers(0, rows.size, size=src.size)]
            network, new_id = model.network.with_ties(src, dst, TIE_COMMUNITY)
            state.remap_edges(new_id, TIE_STRENGTH[network.tie_kind])
            model.network = network
        if self.give_tools:
            state.has_tools[rows] = True
        model.params = model.params.with_overrides(esn__community_reads=self.reads)


class ChangeLeadershipStyle(_Intervention):
    """Managers change how they lead: communication style and modelling of sharing."""

    kind: Literal["change_leadership_style"] = "change_leadership_style"
    style: str = Field("tactful", description=f"New style of managers: one of {', '.join(STYLES)}.")
    generosity: float = _share(0.9, "Managers' generosity is raised to at least this.")
    psychological_safety: float | None = Field(
        None, ge=0.0, le=1.0, description="New psychological safety (unchanged if not given)."
    )

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        if value not in STYLES:
            raise ValueError(f"must be one of {', '.join(STYLES)}")
        return value

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        state = model.state
        rows = np.flatnonzero(state.role == MANAGER)
        state.style[rows] = STYLES.index(self.style)
        t = model.params.traits
        tact, boldness = STYLE_TRAITS.get(self.style, (t.tact, t.boldness))
        state.tact[rows], state.boldness[rows] = tact, boldness
        state.generosity[rows] = np.maximum(state.generosity[rows], self.generosity)
        state.lurker[rows] = False
        state.hoarder[rows] = False
        if self.psychological_safety is not None:
            model.params = model.params.with_overrides(
                psychological_safety=self.psychological_safety
            )


class RunFormalTraining(_Intervention):
    """Start a formal training programme: sessions every ``interval`` steps from now."""

    kind: Literal["run_formal_training"] = "run_formal_training"
    interval: int = Field(60, ge=1, description="Steps between sessions.")
    attendance: float = _share(0.5, "Base chance to attend a session.")
    gain: float = _share(0.5, "Rate at which an attendee learns what the trainer knows.")

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        model.params = model.params.with_overrides(
            training={
                "enabled": True,
                "interval": self.interval,
                "attendance": self.attendance,
                "gain": self.gain,
                "offset": self.step % self.interval,
            }
        )


class SetParameters(_Intervention):
    """Set model parameters from this step on, e.g. ``{"asking.rate" = 0.3}``."""

    kind: Literal["set_parameters"] = "set_parameters"
    values: dict[str, bool | int | float] = Field(
        description="Parameters to set, as 'section.field' = value."
    )

    @field_validator("values")
    @classmethod
    def _known_keys(cls, values: dict[str, Any]) -> dict[str, Any]:
        overrides = dotted_overrides(values)
        for key in values:
            if key.startswith("organisation."):
                raise ValueError(f"'{key}': the organisation's structure cannot change mid-run")
        try:  # check the values now, not when the run reaches this step
            Parameters().with_overrides(**overrides)
        except ParameterError as err:
            raise ValueError(str(err)) from None
        return values

    def apply(self, model: SocialLearningModel) -> None:  # noqa: D102
        model.params = model.params.with_overrides(**dotted_overrides(self.values))


Intervention = Annotated[
    RollOutTools
    | TrainTechSkills
    | AppointChampions
    | StartCommunityOfPractice
    | ChangeLeadershipStyle
    | RunFormalTraining
    | SetParameters,
    Field(discriminator="kind"),
]

INTERVENTION_KINDS: dict[str, type[_Intervention]] = {
    cls.model_fields["kind"].default: cls
    for cls in (
        RollOutTools,
        TrainTechSkills,
        AppointChampions,
        StartCommunityOfPractice,
        ChangeLeadershipStyle,
        RunFormalTraining,
        SetParameters,
    )
}
