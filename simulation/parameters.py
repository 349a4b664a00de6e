"""Model parameters: every number the social-learning model uses, with its default and range.

The parameters are grouped in sections that mirror the model description (docs/model.md): the organisation, the population
(archetype shares and trait distributions), tools, culture, the client context, the knowledge
set-up, one section per process, and the metrics. Each section is a frozen pydantic model that
forbids unknown keys, so a typo is an error rather than a silently ignored setting.

`Parameters.with_overrides` accepts the flat keyword style that Mesa's ``batch_run`` and the CLI
use: a unique field name (``n_agents=2000``), a ``section__field`` name
(``asking__enabled=False``) or a section given as a mapping (``asking={"rate": 0.3}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = ["Parameters", "ParameterError", "STYLES", "SECTIONS", "dotted_overrides"]

#: Communication styles (the essay's list). ``tactful`` is the default; the others are barriers.
STYLES: tuple[str, ...] = (
    "tactful", "rude", "abrasive", "defensive", "pushy", "top_down", "shy"
)


class ParameterError(ValueError):
    """A parameter override names an unknown key or has a value out of range."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _share(default: float, description: str) -> Any:
    return Field(default, ge=0.0, le=1.0, description=description)


class Organisation(_Section):
    """Size and shape of the organisation network."""

    n_agents: int = Field(500, ge=2, le=10_000_000, description="Number of employees.")
    departments: int = Field(5, ge=1, le=100_000, description="Number of departments.")
    team_size: int = Field(
        8, ge=2, le=200, description="Mean team size; teams differ in size by at most one person."
    )
    within_team_density: float = _share(
        0.6, "Chance that two members of the same team have an informal tie."
    )
    rewiring: float = _share(
        0.25,
        "Chance that a team tie is rewired to a random colleague, usually outside the team "
        "(small-world rewiring); low values make silos.",
    )
    department_locality: float = _share(
        0.5,
        "Chance that a rewired tie is redrawn inside the person's department; otherwise anyone "
        "in the organisation (who may also be in the department).",
    )
    topics: int = Field(
        20, ge=2, le=1000, description="Number of knowledge topics K; topic 0 is the new idea."
    )
    people_file: str | None = Field(
        None,
        description="An org chart: a CSV file of people (person_id, manager_id, team, "
        "department; optional role, tool_access, tenure_years), relative to the scenario file. "
        "When set, the organisation is built from it: n_agents and departments follow the "
        "chart and the values given here are ignored.",
    )
    ties_file: str | None = Field(
        None,
        description="Observed ties: a CSV file (person_a, person_b, optional weight), relative "
        "to the scenario file; used with people_file instead of generated team ties, and "
        "weights set the ties' initial strength.",
    )

    @model_validator(mode="after")
    def _enough_people(self) -> Organisation:
        if self.n_agents < self.departments:
            raise ValueError(
                f"n_agents ({self.n_agents}) must be at least departments ({self.departments})"
            )
        if self.ties_file is not None and self.people_file is None:
            raise ValueError("ties_file needs a people_file (the ties join people of the chart)")
        return self


class Population(_Section):
    """Shares of archetypes (barriers) in the workforce. Style shares must sum to at most 1."""

    lurker_share: float = _share(0.3, "Share who read the ESN but never post.")
    hoarder_share: float = _share(
        0.05, "Share who take help but (almost) never give it and never post."
    )
    formal_devotee_share: float = _share(
        0.1, "Share conditioned to wait for formal training instead of asking peers."
    )
    champion_share: float = _share(
        0.0, "Share appointed as social-learning champions (tools, generous, weigh more)."
    )
    rude_share: float = _share(
        0.03, "Share with a rude communication style: their requests often go badly."
    )
    abrasive_share: float = _share(
        0.0, "Share with an abrasive style: their help lands but sours the relationship."
    )
    defensive_share: float = _share(
        0.05, "Share with a defensive style: they rarely admit a gap and take in less of help."
    )
    pushy_share: float = _share(
        0.03, "Share with a pushy style: they ask often and insist, straining their ties."
    )
    top_down_share: float = _share(
        0.03, "Share with a top-down style: they tell rather than listen; when they ask, they "
        "ask only their manager, and as managers they tell their reports instead of asking.",
    )
    shy_share: float = _share(
        0.1, "Share who are shy: tactful but initiate little, asking and posting rarely."
    )

    @model_validator(mode="after")
    def _styles_fit(self) -> Population:
        total = sum(getattr(self, f"{s}_share") for s in STYLES[1:])
        if total > 1.0 + 1e-9:
            raise ValueError(f"the communication style shares sum to {total:.3f}, more than 1")
        return self


class Traits(_Section):
    """Means of the trait distributions (Beta distributions with a common concentration)."""

    proactivity: float = _share(0.6, "Mean chance to seek knowledge in a step (Learning).")
    absorption: float = _share(
        0.8, "Mean share taken in of what a teacher knows and the learner does not."
    )
    adaptability: float = _share(
        0.3, "Mean chance per step to reconsider one's behaviour by watching a role model."
    )
    formal_preference: float = _share(
        0.2, "Mean preference for formal training over asking peers."
    )
    tact: float = _share(0.9, "Mean tact of tactful communicators (Communicating).")
    boldness: float = _share(0.8, "Mean boldness of tactful communicators.")
    generosity: float = _share(0.85, "Mean chance to help or post (Collaborating).")
    reciprocity_sensitivity: float = _share(
        0.7, "Mean weight a helper gives to the asker's record and reputation."
    )
    tech_savvy: float = _share(0.6, "Mean skill with social tools.")
    concentration: float = Field(
        10.0, gt=0.0, le=1e6, description="Beta concentration a+b; higher means less spread."
    )


class Tools(_Section):
    """Access to the enterprise social network (ESN)."""

    tool_access: float = _share(0.8, "Share of employees with access to the ESN.")


class Culture(_Section):
    """Organisational culture."""

    psychological_safety: float = _share(
        0.7, "How safe it feels to ask and post; scales both by (0.5 + 0.5 * safety)."
    )


class Client(_Section):
    """The client context: what knowledge is worth now, and how fast that drifts."""

    turbulence: float = _share(
        0.0, "Chance per topic per step that client needs shift (the topic's demand is redrawn)."
    )
    obsolescence: float = _share(
        0.5, "Share of everyone's knowledge of a topic that becomes obsolete when it shifts."
    )


class Knowledge(_Section):
    """Initial knowledge and the seeded new idea (topic 0)."""

    initial_max: float = _share(0.3, "Initial knowledge of ordinary topics is uniform in [0, this].")
    specialty_topics: int = Field(
        2,
        ge=0,
        le=999,
        description="Topics each team specialises in (members start knowing them well); a "
        "department's teams specialise among twice as many focus topics of the department.",
    )
    specialty_level: float = _share(0.7, "Mean initial knowledge of a team's specialty topics.")
    newcomer_max: float = _share(
        0.6,
        "Newcomers are hired from the market: their knowledge of each client topic, as clients "
        "need it now, is uniform in [0, this]; they know nothing of the organisation's new idea.",
    )
    codifiable: float = _share(
        0.5,
        "Mean codifiable (explicit) share of a client topic; each topic draws its own. Posts "
        "carry only this share: beyond it knowledge is tacit and moves by help or collaboration.",
    )
    idea_codifiable: float = _share(
        0.4, "Codifiable (explicit) share of the new idea (topic 0); the rest is tacit."
    )
    idea_seed_share: float = Field(
        0.02,
        gt=0.0,
        le=1.0,
        description="Share of staff who know the new idea (topic 0) fully at the start.",
    )
    idea_department: int = Field(
        -1,
        ge=-1,
        le=99_999,
        description="Department where the new idea starts: all who know it at the start work "
        "there (their number is still idea_seed_share of all staff); -1 for anywhere.",
    )
    idea_appeal: float = Field(
        8.0,
        ge=0.0,
        le=10.0,
        description="Attention the new idea (topic 0) draws when people choose what to ask, post "
        "or train on, relative to the client demand of an ordinary topic (demand is in [0.2, 1]).",
    )
    threshold: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Knowledge level that counts as knowing a topic (coverage, t50, t90).",
    )


class FieldLearning(_Section):
    """Process 1: learning from the client context (exploration)."""

    enabled: bool = Field(True, description="Switch field learning on or off.")
    exposure: float = _share(0.1, "Field exposure; chance per step is proactivity * exposure.")
    rate: float = _share(0.1, "Share of the gap to full knowledge closed by one field lesson.")


class Asking(_Section):
    """Process 2: asking a colleague for help (direct, private)."""

    enabled: bool = Field(True, description="Switch asking for help on or off.")
    rate: float = _share(
        1.0,
        "Chance to ask is rate * proactivity * boldness * safety factor * formal-training "
        "damping, times a style factor (pushy 1.5, defensive 0.5).",
    )
    formal_damping: float = _share(
        0.8, "How much formal_preference suppresses asking: factor (1 - damping * preference)."
    )
    reputation_detection: bool = Field(
        True, description="Helpers condition help on the asker's record and reputation."
    )
    strengthen: float = _share(
        0.15, "Tie strength gained by a pleasant exchange or a collaboration (toward 1)."
    )
    weaken: float = _share(0.05, "Tie strength lost by a refusal or unpleasant exchange.")
    reputation_rate: float = _share(
        0.05,
        "Rate at which others' view of a person follows their help and refusals (and posts).",
    )
    style_rules: bool = Field(
        True,
        description="Abrasive, defensive, pushy and top-down people follow their style's rule "
        "(off: they ask, help and learn as tactful people do; rude and shy people differ by "
        "their tact and boldness either way).",
    )
    hidden_expertise: float = _share(
        0.3,
        "How much of a colleague's expertise an asker perceives when it is not visible to them. "
        "Teammates' expertise is visible, and so, to people with tools, is that of colleagues "
        "who posted in the last participation window (being findable digitally); 1 makes "
        "everyone's expertise visible.",
    )


class Esn(_Section):
    """Process 3: posting and reading on the enterprise social network (public)."""

    enabled: bool = Field(True, description="Switch the ESN on or off.")
    post_rate: float = _share(
        0.2,
        "Chance to post is post_rate * generosity * tech_savvy * safety factor * "
        "(0.5 + 0.5 * boldness) * audience factor.",
    )
    reads: int = Field(
        3,
        ge=0,
        le=100,
        description="Attention budget: posts a member with tools may read per step; each is read "
        "with chance equal to the reader's proactivity.",
    )
    feed_locality: float = _share(
        0.9,
        "Share of a reader's posts drawn from their own department's feed; the rest come from "
        "the whole organisation (0 makes the ESN one global feed).",
    )
    tie_upkeep: float = _share(
        0.02,
        "Ambient awareness: each post pulls the poster's ties to colleagues with tools this "
        "much toward full strength (seeing each other's work keeps relationships alive).",
    )
    audience: float = _share(
        1.0,
        "How much posting depends on an audience: the chance to post is scaled by "
        "(1 - audience + audience * share of one's colleagues (ties) who have tools).",
    )
    learning_rate: float = _share(
        0.3, "Learning from a post relative to direct help (times absorption and tech_savvy)."
    )
    community_reads: int = Field(
        0,
        ge=0,
        le=100,
        description="Extra posts a community-of-practice member reads from fellow members per "
        "step (set by the start_community_of_practice intervention).",
    )


class Collaboration(_Section):
    """Process 4: working together above a trust threshold."""

    enabled: bool = Field(True, description="Switch collaboration on or off.")
    rate: float = _share(0.1, "Chance per step to try working with a neighbour (times generosity).")
    trust_threshold: float = _share(0.5, "Mutual tie strength needed to collaborate.")
    learning: float = _share(
        0.3, "Rate (times absorption) at which partners learn what the other knows."
    )
    innovation_chance: float = _share(0.05, "Chance that a collaboration creates new knowledge.")
    innovation_gain: float = _share(
        0.05, "Share of what neither partner knew that a recombination creates."
    )


class Training(_Section):
    """Process 5: formal training sessions."""

    enabled: bool = Field(False, description="Switch scheduled formal training on or off.")
    interval: int = Field(60, ge=1, le=1_000_000, description="Steps between sessions.")
    offset: int = Field(
        0, ge=0, le=1_000_000,
        description="Sessions happen at steps where step % interval == offset % interval.",
    )
    attendance: float = _share(
        0.5, "Base chance to attend; scaled by (0.5 + 0.5 * formal_preference)."
    )
    gain: float = _share(
        0.8, "Rate (times proactivity) at which an attendee learns what the trainer knows."
    )
    level: float = _share(0.8, "The trainer's level on the session topic.")
    curriculum_adoption: float = Field(
        0.2,
        ge=0.0,
        le=2.0,
        description="The new idea (topic 0) enters the curriculum once this share of staff know "
        "it: formal programmes follow what is established (above 1: never).",
    )


class CultureChange(_Section):
    """Process 6: payoff-biased imitation of sharing and seeking behaviour."""

    enabled: bool = Field(True, description="Switch culture change on or off.")
    rate: float = _share(
        0.1,
        "Share of the way toward a better-off role model's traits a person moves when they "
        "reconsider (and the chance of taking up the model's lurking or posting).",
    )
    sharing_cost: float = Field(
        0.003,
        ge=0.0,
        le=1.0,
        description="Time cost of sharing in the payoff people compare: each help given or post "
        "in about the last month lowers a person's payoff by this much.",
    )
    manager_weight: float = Field(3.0, ge=0.0, description="How much more a manager is imitated.")
    champion_weight: float = Field(5.0, ge=0.0, description="How much more a champion is imitated.")


class Forgetting(_Section):
    """Process 7a: unused knowledge decays."""

    enabled: bool = Field(True, description="Switch forgetting on or off.")
    rate: float = _share(0.002, "Share of unused knowledge lost per step.")
    tie_decay: float = _share(
        0.002,
        "Share of the way every tie's strength falls toward 0.1 per step: relationships need "
        "use; exchanges and collaboration strengthen them again.",
    )


class Turnover(_Section):
    """Process 7b: people leave and newcomers take their seat."""

    enabled: bool = Field(True, description="Switch turnover on or off.")
    rate: float = _share(0.0005, "Chance per person per step of leaving (0.0005 is about 12% a year of 250 working days).")


class Metrics(_Section):
    """How measures are computed."""

    participation_window: int = Field(
        30, ge=1, le=1_000_000,
        description="Steps over which someone who posted counts as a participant.",
    )


SECTIONS: dict[str, type[_Section]] = {
    "organisation": Organisation,
    "population": Population,
    "traits": Traits,
    "tools": Tools,
    "culture": Culture,
    "client": Client,
    "knowledge": Knowledge,
    "field_learning": FieldLearning,
    "asking": Asking,
    "esn": Esn,
    "collaboration": Collaboration,
    "training": Training,
    "culture_change": CultureChange,
    "forgetting": Forgetting,
    "turnover": Turnover,
    "metrics": Metrics,
}

#: The processes in the order a step runs them.
PROCESSES: tuple[str, ...] = (
    "field_learning",
    "asking",
    "esn",
    "collaboration",
    "training",
    "culture_change",
    "forgetting",
    "turnover",
)


class Parameters(_Section):
    """All parameters of a `SocialLearningModel`, one attribute per section."""

    organisation: Organisation = Organisation()
    population: Population = Population()
    traits: Traits = Traits()
    tools: Tools = Tools()
    culture: Culture = Culture()
    client: Client = Client()
    knowledge: Knowledge = Knowledge()
    field_learning: FieldLearning = FieldLearning()
    asking: Asking = Asking()
    esn: Esn = Esn()
    collaboration: Collaboration = Collaboration()
    training: Training = Training()
    culture_change: CultureChange = CultureChange()
    forgetting: Forgetting = Forgetting()
    turnover: Turnover = Turnover()
    metrics: Metrics = Metrics()

    @model_validator(mode="after")
    def _across_sections(self) -> Parameters:
        topics, departments = self.organisation.topics, self.organisation.departments
        if self.knowledge.specialty_topics > topics:
            raise ValueError(
                f"@knowledge/specialty_topics: is {self.knowledge.specialty_topics}, more than "
                f"the organisation's {topics} topics (organisation.topics); use at most {topics}"
            )
        if self.knowledge.idea_department >= departments and self.organisation.people_file is None:
            raise ValueError(
                f"@knowledge/idea_department: is {self.knowledge.idea_department}, but departments "
                f"are numbered 0 to {departments - 1} (organisation.departments = {departments}); "
                "use -1 for anywhere"
            )
        return self

    def with_overrides(self, **overrides: Any) -> Parameters:
        """Return a copy with overrides applied (see the module docstring for the key forms).

        Raises:
            ParameterError: a key is unknown or ambiguous, or a value is invalid.
        """
        if not overrides:
            return self
        data = self.model_dump()
        for key, value in overrides.items():
            if key in SECTIONS and isinstance(value, (Mapping, _Section)):
                data[key].update(value.model_dump() if isinstance(value, _Section) else value)
            else:
                section, name = _locate(key)
                data[section][name] = value
        try:
            return type(self).model_validate(data)
        except ValidationError as err:
            raise ParameterError(_describe(err)) from None

    def flat(self) -> dict[str, Any]:
        """All parameters as ``{"section__field": value}``, convenient for tables."""
        return {
            f"{section}__{name}": value
            for section in SECTIONS
            for name, value in getattr(self, section).model_dump().items()
        }

    def changes(self, reference: Parameters | None = None) -> dict[str, Any]:
        """The parameters that differ from ``reference`` (default: the defaults), as
        ``{"section.field": value}``, in section order."""
        reference = Parameters() if reference is None else reference
        return {
            f"{section}.{name}": value
            for section in SECTIONS
            for name, value in getattr(self, section).model_dump().items()
            if getattr(getattr(reference, section), name) != value
        }

    def sections(self) -> Parameters:
        """Just the parameter sections, as a plain `Parameters` (drops any scenario metadata)."""
        return Parameters.model_validate({s: getattr(self, s) for s in SECTIONS})


def dotted_overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"section.field": value}`` (as scenario, sweep and intervention files write them) as
    ``with_overrides`` keywords, ``{"section__field": value}``.

    Raises:
        ValueError: a key is not ``section.field`` of a known parameter.
    """
    out = {}
    for key, value in values.items():
        section, _, name = key.partition(".")
        if section not in SECTIONS or name not in SECTIONS[section].model_fields:
            raise ValueError(
                f"'{key}' is not a parameter; use 'section.field' with a section among "
                f"{', '.join(SECTIONS)}"
            )
        out[f"{section}__{name}"] = value
    return out


def _leaf_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for section, cls in SECTIONS.items():
        for name in cls.model_fields:
            index.setdefault(name, []).append(section)
    return index


_LEAVES = _leaf_index()


def _locate(key: str) -> tuple[str, str]:
    if "__" in key:
        section, _, name = key.partition("__")
        if section in SECTIONS and name in SECTIONS[section].model_fields:
            return section, name
        raise ParameterError(f"Unknown parameter '{key}'. Sections: {', '.join(SECTIONS)}.")
    sections = _LEAVES.get(key, [])
    if len(sections) == 1:
        return sections[0], key
    if sections:
        options = ", ".join(f"{s}__{key}" for s in sections)
        raise ParameterError(f"Parameter '{key}' is ambiguous; use one of: {options}.")
    raise ParameterError(
        f"Unknown parameter '{key}'. Use a field name such as 'n_agents', "
        f"'section__field' or a section mapping; sections: {', '.join(SECTIONS)}."
    )


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "parameters"
        message = e["msg"].removeprefix("Value error, ")
        if message.startswith("@") and ": " in message:  # a rule across sections names its key
            path, message = message[1:].split(": ", 1)
            where = path.replace("/", ".")
        for prefix in ("Input should be ", "Value should be "):
            if message.startswith(prefix):
                message = "must be " + message.removeprefix(prefix)
        got = e.get("input")
        # A rule across a section's fields names its values itself: no dump of the section.
        shown = "" if isinstance(got, dict) else f" Got {got!r} instead."
        parts.append(f"The '{where}' parameter {message}.{shown}")
    return " ".join(parts)

