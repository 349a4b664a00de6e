"""Sweep files: which scenarios, which parameter values, how many replications, what to record.

A sweep file is TOML, validated like a scenario file (errors name the file, the key, the line
and what is allowed). Example::

    title = "Hoarders and reciprocity"
    scenarios = ["baseline"]          # built-in names or paths, relative to this file
    replications = 20
    seed = 12345                      # root of numpy.random.SeedSequence; recorded
    steps = 365                       # default: each scenario's own
    record = "every_step"             # or "end"
    metrics = ["idea_adoption", "mean_knowledge"]   # default: all

    [design]
    kind = "factorial"                # factorial, lhs, sobol, saltelli, morris
    samples = 64                      # for sampled designs

    [vary]                            # "section.field" = values
    "population.hoarder_share" = [0.0, 0.2, 0.4]            # a list
    "asking.reputation_detection" = [true, false]
    "culture.psychological_safety" = { from = 0.2, to = 1.0, num = 5 }   # a range
    # sampled designs take bounds instead: { low = 0.0, high = 0.5 }

    [fixed]                           # set for every run
    "organisation.n_agents" = 300

    [stop]                            # optional: stop a run early
    metric = "idea_adoption"
    at_least = 0.9
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from orglearn.experiments.tasks import coerce_point
from orglearn.scenarios.loader import ScenarioError, explain, names_builtin, parse_toml
from orglearn.scenarios.loader import builtin_names as scenario_names
from orglearn.simulation.metrics import SCALAR_METRICS
from orglearn.simulation.parameters import ParameterError, Parameters, dotted_overrides

__all__ = ["Sweep", "Range", "Bounds", "Design", "Stop", "load_sweep", "builtin_sweeps", "SweepError"]

SweepError = ScenarioError  # same shape: file, key, line, problem

_BUILTIN = resources.files("orglearn.experiments") / "builtin"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """Evenly spaced values from ``from`` to ``to`` inclusive (``num`` of them)."""

    start: float = Field(alias="from", description="First value.")
    stop: float = Field(alias="to", description="Last value.")
    num: int = Field(ge=2, le=10_000, description="How many values.")
    integer: bool = Field(False, description="Round the values to integers.")


class Bounds(_Strict):
    """Lower and upper bound of a parameter in a sampled design."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"must have low below high; got low = {self.low}, high = {self.high}")
        return self


class Design(_Strict):
    """How the points of the sweep are chosen."""

    kind: Literal["factorial", "lhs", "sobol", "saltelli", "morris"] = Field(
        "factorial",
        description="factorial: every combination of the listed values; lhs / sobol: that many "
        "Latin-hypercube / scrambled Sobol points within bounds (scipy.stats.qmc); saltelli / "
        "morris: SALib designs whose sensitivity indices the report computes.",
    )
    samples: int = Field(
        16, ge=1, le=1_000_000, description="lhs/sobol: points; saltelli: base N; morris: trajectories."
    )
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels.")
    seed: int = Field(0, ge=0, description="Seed of the design's own sampling.")


class Stop(_Strict):
    """Stop a run early when a metric reaches a level."""

    metric: str
    at_least: float | None = None
    at_most: float | None = None

    @field_validator("metric")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SCALAR_METRICS:
            raise ValueError(f"must be one of {', '.join(SCALAR_METRICS)}")
        return value

    @model_validator(mode="after")
    def _one_level(self) -> Stop:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("must give exactly one of at_least or at_most")
        return self


Value = bool | int | float


def _varied_kind(value: Any) -> str:
    """Which form a varied parameter takes, from its shape, so errors speak of that form."""
    if isinstance(value, dict):
        return "bounds" if {"low", "high"} & set(value) else "range"
    if isinstance(value, (Range, Bounds)):
        return "range" if isinstance(value, Range) else "bounds"
    return "list"


Varied = Annotated[
    Annotated[list[Value], Tag("list")] | Annotated[Range, Tag("range")] | Annotated[Bounds, Tag("bounds")],
    Discriminator(_varied_kind),
]


class Sweep(_Strict):
    """A validated sweep."""

    title: str = Field("", description="A title for the report.")
    description: str = Field("", description="What the sweep asks, in plain language.")
    scenarios: list[str] = Field(
        ["baseline"], min_length=1, description="Scenario names or files to run."
    )
    replications: int = Field(10, ge=1, le=100_000, description="Runs per scenario and point.")
    seed: int = Field(
        20261128,
        ge=0,
        description="Entropy of the root numpy.random.SeedSequence; replication r of every "
        "scenario and point uses its r-th spawned child (common random numbers).",
    )
    steps: int | None = Field(None, ge=1, le=1_000_000, description="Steps per run (default: the scenario's).")
    record: Literal["every_step", "end"] = Field(
        "every_step", description="Record metrics every step, or only at the end of each run."
    )
    metrics: list[str] | None = Field(None, description="Metrics to record (default: all).")
    design: Design = Field(default_factory=Design, description="How points are chosen.")
    vary: dict[str, Varied] = Field(default_factory=dict, description="Parameters to vary.")
    fixed: dict[str, Value] = Field(default_factory=dict, description="Parameters set in every run.")
    stop: Stop | None = Field(None, description="Stop a run early when a metric reaches a level.")

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in SCALAR_METRICS:
                raise ValueError(f"'{name}' is not a metric; metrics: {', '.join(SCALAR_METRICS)}")
        return value

    @field_validator("vary", "fixed")
    @classmethod
    def _known_parameters(cls, value: dict[str, Any]) -> dict[str, Any]:
        dotted_overrides(value)
        return value

    @model_validator(mode="after")
    def _design_fits(self) -> Sweep:
        # "@path/to/key: problem" lets the loader name the key and its line (scenarios.loader).
        sampled = self.design.kind != "factorial"
        for key, values in self.vary.items():
            if sampled and not isinstance(values, Bounds):
                raise ValueError(
                    f"@vary/{key}: must be bounds {{ low = ..., high = ... }} in a "
                    f"{self.design.kind} design"
                )
            if not sampled and isinstance(values, Bounds):
                raise ValueError(
                    f"@vary/{key}: must be a list or a range {{ from, to, num }} in a factorial "
                    "design; bounds need design.kind = lhs, sobol, saltelli or morris"
                )
            if isinstance(values, list) and not values:
                raise ValueError(f"@vary/{key}: must list at least one value")
        if sampled and not self.vary:
            raise ValueError(f"@design/kind: is {self.design.kind}, which needs parameters to vary")
        self._values_in_range()
        return self

    def _values_in_range(self) -> None:
        """Check fixed values and the ends of every varied range now, not when runs start."""
        checks = [("fixed", key, value) for key, value in self.fixed.items()]
        for key, spec in self.vary.items():
            if isinstance(spec, list):
                checks += [("vary", key, value) for value in spec]
            elif isinstance(spec, Range):
                checks += [("vary", key, value) for value in (spec.start, spec.stop)]
            else:
                checks += [("vary", key, value) for value in (spec.low, spec.high)]
        for table, key, value in checks:
            try:
                Parameters().with_overrides(**dotted_overrides(coerce_point({key: value})))
            except ParameterError as err:
                message = str(err).split(" parameter ", 1)[-1].removesuffix(".")
                raise ValueError(f"@{table}/{key}: {message}") from None


def builtin_sweeps() -> list[str]:
    """Names of the built-in experiments."""
    return sorted(p.name.removesuffix(".toml") for p in _BUILTIN.iterdir() if p.name.endswith(".toml"))


def load_sweep(source: str | Path) -> tuple[Sweep, str, Path]:
    """Load and validate a sweep by built-in name or path.

    Returns:
        ``(sweep, text, path)``: the sweep, the file's exact text (hashed into the manifest) and
        where it was found; scenario paths in the sweep are resolved relative to it.

    Raises:
        SweepError: the file is missing or invalid; it names the file, key and line.
    """
    text_source = str(source)
    if isinstance(source, str) and names_builtin(text_source):
        if text_source not in builtin_sweeps():
            raise SweepError(
                text_source,
                f"is neither a built-in experiment nor a file; built-ins: {', '.join(builtin_sweeps())}",
            )
        path = Path(str(_BUILTIN / f"{text_source}.toml"))
    else:
        path = Path(source)
        if not path.is_file():
            raise SweepError(str(path), "no such sweep file")
    text = path.read_text(encoding="utf-8")
    data = parse_toml(text, str(path))
    try:
        sweep = Sweep.model_validate(data, strict=True)
    except ValidationError as err:
        raise explain(err, str(path), text, schema=Sweep) from None
    _check_scenarios(sweep, path, text)
    return sweep, text, path


def _check_scenarios(sweep: Sweep, path: Path, text: str) -> None:
    """Every scenario exists, is valid, and has all its interventions within the sweep's steps."""
    from orglearn.scenarios.loader import line_of, load

    for i, name in enumerate(sweep.scenarios):
        key = f"scenarios.{i}"
        line = line_of(text, ["scenarios", str(i)])
        builtin = names_builtin(name)
        if builtin and name not in scenario_names():
            raise SweepError(str(path), f"must be a built-in scenario or a file; got {name!r}; "
                             f"built-ins: {', '.join(scenario_names())}.", key=key, line=line)
        target = name if builtin else str(path.parent / name)
        try:
            scenario = load(target)
        except ScenarioError as err:
            raise SweepError(str(path), f"names a scenario that cannot be used: {err}", key=key, line=line) from None
        late = [e for e in scenario.interventions if sweep.steps is not None and e.step > sweep.steps]
        if late:
            raise SweepError(
                str(path),
                f"is {sweep.steps}, which ends before {name}'s {late[0].kind} intervention at step "
                f"{late[0].step}; use steps >= {max(e.step for e in late)}.",
                key="steps",
                line=line_of(text, ["steps"]),
            )


def sweep_hash(text: str) -> str:
    """SHA-256 of a sweep file's text (recorded in the manifest; a resume must match it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
