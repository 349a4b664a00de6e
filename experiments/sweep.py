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
    model = "my_package.models:Coached"   # a SocialLearningModel subclass (default: the model)

    [design]
    kind = "factorial"                # factorial, lhs, sobol, saltelli, morris
    samples = 64                      # for sampled designs

    [vary]                            # "section.field" = values
    "population.hoarder_share" = [0.0, 0.2, 0.4]            # a list
    "asking.reputation_detection" = [true, false]
    "culture.psychological_safety" = { from = 0.2, to = 1.0, num = 5 }   # a range
    # sampled designs take bounds instead: { low = 0.0, high = 0.5 }
    "interventions.appoint_champions.step" = [30, 90]   # a lever (experiments.levers)

    [fixed]                           # set for every run
    "organisation.n_agents" = 300

    [stop]                            # optional: stop a run early
    metric = "idea_adoption"
    at_least = 0.9

Each value is checked on its own when the file is validated; `load_sweep` then checks what
needs the scenarios: each design point as a whole (scenario, then ``[fixed]``, then the point),
as the model will, and the levers against the scenarios' interventions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from orglearn.experiments.levers import field_info, is_lever, parse_lever
from orglearn.experiments.model_class import model_path
from orglearn.experiments.tasks import coerce_point
from orglearn.scenarios.loader import ScenarioError, explain, line_of, names_builtin, parse_toml
from orglearn.scenarios.loader import builtin_names as scenario_names
from orglearn.simulation.metrics import SCALAR_METRICS
from orglearn.simulation.parameters import SECTIONS

__all__ = [
    "Sweep", "Range", "Bounds", "Design", "Stop", "load_sweep", "check_sweep", "builtin_sweeps",
    "SweepError", "MAX_RUNS",
]

#: A sweep of more runs than this is refused unless the limit is raised (``--max-runs``).
MAX_RUNS = 1_000_000

SweepError = ScenarioError  # same shape: file, key, line, problem

_BUILTIN = resources.files("orglearn.experiments") / "builtin"


class _Strict(BaseModel):
    # TOML reads inf and nan as numbers; no sweep value means them.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
        16,
        ge=1,
        le=1_000_000,
        description="lhs/sobol: points; saltelli: base N; morris: trajectories.",
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


def _scalar(value: Any) -> Any:
    """A sweep's values are numbers or true/false (checked before the union, so that errors
    name the key rather than the union's members)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number or true/false")
    if isinstance(value, (bool, int, float)):
        return value
    raise ValueError("must be a number or true/false")


def _one_kind(values: list[Any]) -> list[Any]:
    """A list of values is all true/false or all numbers: a mix is a typo, not a design."""
    kinds = {isinstance(v, bool) for v in values}
    if len(kinds) > 1:
        raise ValueError(f"mixes true/false with numbers ({values!r}); give one kind")
    return values


Value = Annotated[bool | int | float, BeforeValidator(_scalar)]


def _varied_kind(value: Any) -> str:
    """Which form a varied parameter takes, from its shape, so errors speak of that form."""
    if isinstance(value, dict):
        return "bounds" if {"low", "high"} & set(value) else "range"
    if isinstance(value, (Range, Bounds)):
        return "range" if isinstance(value, Range) else "bounds"
    return "list"


Varied = Annotated[
    Annotated[list[Value], AfterValidator(_one_kind), Tag("list")]
    | Annotated[Range, Tag("range")]
    | Annotated[Bounds, Tag("bounds")],
    Discriminator(_varied_kind),
]


@dataclass(frozen=True)
class _Source:
    """Where a sweep came from: its file's text and path, the sweep as the file gave it, and
    the overrides applied since (`Sweep.with_overrides`)."""

    text: str
    path: Path | None
    base: Sweep
    overrides: dict[str, Any] = field(default_factory=dict)


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
    steps: int | None = Field(
        None, ge=1, le=1_000_000, description="Steps per run (default: the scenario's)."
    )
    record: Literal["every_step", "end"] = Field(
        "every_step", description="Record metrics every step, or only at the end of each run."
    )
    metrics: list[str] | None = Field(None, description="Metrics to record (default: all).")
    model: str | None = Field(
        None,
        description="The model class as 'package.module:Class', a subclass of "
        "orglearn.simulation.model.SocialLearningModel (default: that class).",
    )
    design: Design = Field(default_factory=Design, description="How points are chosen.")
    vary: dict[str, Varied] = Field(
        default_factory=dict, description="Parameters and levers to vary."
    )
    fixed: dict[str, Value] = Field(
        default_factory=dict, description="Parameters and levers set in every run."
    )
    stop: Stop | None = Field(None, description="Stop a run early when a metric reaches a level.")

    _source: _Source | None = PrivateAttr(None)
    _checked: bool = PrivateAttr(False)
    _max_runs: int = PrivateAttr(MAX_RUNS)

    @field_validator("model", mode="before")
    @classmethod
    def _model_path(cls, value: Any) -> Any:
        return value if value is None else model_path(value)

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in SCALAR_METRICS:
                raise ValueError(f"'{name}' is not a metric; metrics: {', '.join(SCALAR_METRICS)}")
        return value

    @field_validator("vary", "fixed")
    @classmethod
    def _known_keys(cls, value: dict[str, Any], info) -> dict[str, Any]:
        for key in value:
            where = f"@{info.field_name}/{key}"
            if is_lever(key):
                try:
                    parse_lever(key)
                except ValueError as err:
                    raise ValueError(f"{where}: {str(err).removeprefix(repr(key) + ' ')}") from None
            elif not _is_parameter(key):
                raise ValueError(
                    f"{where}: is not a parameter ('section.field', with a section among "
                    f"{', '.join(SECTIONS)}) or a lever ('interventions.<kind>.<field>' or "
                    "'interventions.<index>.<field>')"
                )
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
        """Check each fixed value, listed value and end of a range or bounds on its own now:
        a value out of its parameter's range is an error whatever else the point sets. Rules
        between parameters (style shares summing to at most 1) are checked on whole points
        when the sweep is loaded (`check_sweep`)."""
        checks = [("fixed", key, value) for key, value in self.fixed.items()]
        for key, spec in self.vary.items():
            if isinstance(spec, list):
                checks += [("vary", key, value) for value in spec]
            elif isinstance(spec, Range):
                checks += [("vary", key, value) for value in (spec.start, spec.stop)]
            else:
                checks += [("vary", key, value) for value in (spec.low, spec.high)]
        for table, key, value in checks:
            value = coerce_point({key: value})[key]
            try:
                _adapter(key).validate_python(value, strict=True)
            except ValidationError as err:
                e = err.errors()[0]
                problem = f"{_is(e['msg'])}. Got {value!r} instead"
                raise ValueError(f"@{table}/{key}: {problem}") from None

    def with_overrides(
        self,
        *,
        replications: int | None = None,
        steps: int | None = None,
        seed: int | None = None,
        settings: dict[str, Any] | None = None,
        model: type | str | None = None,
        max_runs: int | None = None,
    ) -> Sweep:
        """This sweep with some of its settings replaced (for smoke runs, and what
        ``orglearn sweep --replications/--steps/--seed/--set`` give).

        Args:
            replications, steps, seed: replace the sweep's own.
            settings: ``{"section.field": value}`` (or lever keys) set in every run, as
                ``[fixed]`` values that win over the file's; a varied key cannot be set.
            model: a `SocialLearningModel` subclass, or ``"package.module:Class"``.
            max_runs: the most runs allowed (default: this sweep's limit, `MAX_RUNS` unless
                `load_sweep` was given another); not recorded as an override.

        Overrides add up: ``s.with_overrides(steps=10).with_overrides(seed=1)`` has both.
        The results record the overrides, and resuming them needs the same overrides.

        Raises:
            SweepError: an override is invalid; it names the override and what is allowed.
        """
        source = self._source or _Source(self.model_dump_json(), None, self)
        overrides = dict(source.overrides)
        new = {"replications": replications, "steps": steps, "seed": seed, "model": model}
        overrides.update({k: v for k, v in new.items() if v is not None})
        if settings:
            overrides["settings"] = {**overrides.get("settings", {}), **settings}
        label = f"overrides of {source.path}" if source.path else "overrides"
        if "model" in overrides:
            try:
                overrides["model"] = model_path(overrides["model"])
            except ValueError as err:
                raise SweepError(label, _is(str(err)) + ".", key="model") from None
        data = source.base.model_dump(by_alias=True, exclude_none=True)
        data.update({k: v for k, v in overrides.items() if k != "settings"})
        for key in overrides.get("settings", {}):
            if key in data["vary"]:
                raise SweepError(label, "is varied by the sweep ([vary]), so it cannot be set "
                                 "for every run; remove it from [vary] first.", key=key)
        data["fixed"] = {**data["fixed"], **overrides.get("settings", {})}
        try:
            sweep = Sweep.model_validate(data, strict=True)
        except ValidationError as err:
            raise _unfixed(explain(err, label, "", schema=Sweep)) from None
        sweep._source = _Source(source.text, source.path, source.base, overrides)
        sweep._max_runs = self._max_runs if max_runs is None else int(max_runs)
        check_sweep(sweep)
        return sweep

    @property
    def overrides(self) -> dict[str, Any]:
        """The overrides applied to the sweep as given (`with_overrides`); empty if none."""
        return dict(self._source.overrides) if self._source else {}

    @property
    def text(self) -> str:
        """The sweep file's exact text (a sweep made in Python: its JSON)."""
        return self._source.text if self._source else self.model_dump_json()

    @property
    def path(self) -> Path | None:
        """The sweep file, if the sweep came from one (scenario paths are relative to it)."""
        return self._source.path if self._source else None

    @property
    def sha256(self) -> str:
        """What identifies the sweep in its results (a resume must match it): the SHA-256 of
        the file's text, and of the overrides when there are any."""
        text = self.text
        if self.overrides:
            text += "\n# overrides: " + json.dumps(self.overrides, sort_keys=True)
        return sweep_hash(text)


def _is_parameter(key: str) -> bool:
    section, _, name = key.partition(".")
    return section in SECTIONS and name in SECTIONS[section].model_fields


def _is(message: str) -> str:
    """A validation message worded to follow "The 'key' value in file" (as `explain` does)."""
    message = message.removeprefix("Value error, ").rstrip(".")
    for prefix in ("Input should be ", "Value should be "):
        if message.startswith(prefix):
            return "must be " + message.removeprefix(prefix)
    if message.startswith(("must ", "is ", "makes ", "'", "names ")):
        return message
    return f"is {message}"


def _unfixed(err: ScenarioError) -> ScenarioError:
    """An error about an override, keyed by the override's own name (a setting, not fixed.*)."""
    key = err.key.removeprefix("fixed.") if err.key else None
    return SweepError(err.file, err.problem, key=key)


@functools.cache
def _adapter(key: str) -> TypeAdapter:
    """A validator of one parameter's or lever's value on its own (its type and range)."""
    if is_lever(key):
        info = field_info(parse_lever(key))
    else:
        section, _, name = key.partition(".")
        info = SECTIONS[section].model_fields[name]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[info.annotation, *info.metadata])


def builtin_sweeps() -> list[str]:
    """Names of the built-in experiments."""
    return sorted(
        p.name.removesuffix(".toml") for p in _BUILTIN.iterdir() if p.name.endswith(".toml")
    )


def load_sweep(source: str | Path, max_runs: int = MAX_RUNS) -> tuple[Sweep, str, Path]:
    """Load and validate a sweep by built-in name or path.

    Besides the file's own keys, it checks what needs the scenarios (`check_sweep`): each
    scenario exists and is valid, the model class imports, the levers name interventions of
    every scenario, and every design point makes a valid run of every scenario.

    Returns:
        ``(sweep, text, path)``: the sweep, the file's exact text (hashed into the manifest) and
        where it was found; scenario paths in the sweep are resolved relative to it.

    Args:
        max_runs: refuse a sweep of more runs than this (its size and time are estimated
            before any point is made).

    Raises:
        SweepError: the file is missing or invalid; it names the file, key and line.
    """
    text_source = str(source)
    if isinstance(source, str) and names_builtin(text_source):
        if text_source not in builtin_sweeps():
            raise SweepError(
                text_source,
                "is neither a built-in experiment nor a file; built-ins: "
                f"{', '.join(builtin_sweeps())}",
            )
        path = Path(str(_BUILTIN / f"{text_source}.toml"))
    else:
        path = Path(source)
        if not path.is_file():
            raise SweepError(str(path), "no such sweep file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise SweepError(str(path), f"is not UTF-8 text (byte {err.object[err.start]:#04x} at "
                         "that line); save it as UTF-8", line=line) from None
    except OSError as err:
        raise SweepError(str(path), f"cannot be read ({err.strerror or err})") from None
    data = parse_toml(text, str(path))
    try:
        sweep = Sweep.model_validate(data, strict=True)
    except ValidationError as err:
        raise explain(err, str(path), text, schema=Sweep) from None
    sweep._source = _Source(text, path, sweep)
    sweep._max_runs = int(max_runs)
    check_sweep(sweep)
    return sweep, text, path


def check_sweep(sweep: Sweep) -> None:
    """Check what a sweep's own schema cannot: its scenarios, model class, levers and points.

    Each scenario must exist and be valid, with no intervention after the run's last step;
    the model class must import and be a `SocialLearningModel`; each lever must name one
    intervention of every scenario; and every design point, applied to every scenario after
    ``[fixed]``, must give valid parameters and interventions, as the model will check them.
    `load_sweep` and `Sweep.with_overrides` call this; `run_sweep` calls it for a sweep made
    in Python.

    Raises:
        SweepError: naming the file, the key (and the point) at fault, and what is allowed.
    """
    from orglearn.experiments.model_class import import_model

    where = _Where(sweep)
    scenarios = _load_scenarios(sweep, where)
    _check_size(sweep, scenarios, where)
    _check_kinds(sweep, where)
    if sweep.model is not None:
        try:
            import_model(sweep.model)
        except ValueError as err:
            raise where.error("model", _is(str(err)) + ".") from None
    _check_points(sweep, scenarios, where)
    sweep._checked = True


class _Where:
    """Turns a key of a sweep into the file and line an error names (or the overrides)."""

    def __init__(self, sweep: Sweep) -> None:
        self.file = str(sweep.path) if sweep.path else "<sweep>"
        self.text = sweep._source.text if sweep.path else ""
        self.overrides = sweep.overrides
        self.label = f"overrides of {sweep.path}" if sweep.path else "overrides"

    def error(self, key: str, problem: str) -> ScenarioError:
        setting = key.removeprefix("fixed.")
        settings = self.overrides.get("settings", {})
        if key in self.overrides or (key.startswith("fixed.") and setting in settings):
            return SweepError(self.label, problem, key=setting)
        table, _, rest = key.partition(".")
        loc = [table, rest] if rest else [table]
        return SweepError(self.file, problem, key=key, line=line_of(self.text, loc))

    @property
    def base(self) -> Path | None:
        return Path(self.file).parent if self.file != "<sweep>" else None


def _check_size(sweep: Sweep, scenarios: list[tuple[str, Any]], where: _Where) -> None:
    """Refuse a design of more runs than the sweep's limit, with its size and the time it
    would take (timed on a few steps of its first scenario), before any point is made."""
    from orglearn.experiments.design import design_size

    points = design_size(sweep)
    runs = points * len(scenarios) * sweep.replications
    if runs <= sweep._max_runs:
        return
    name, scenario = scenarios[0]
    estimate = ""
    try:
        seconds = _seconds_per_run(scenario, sweep.steps or scenario.steps)
        hours = runs * seconds / 3600
        estimate = (f"; at about {seconds:.2g} s per run here, that is about {hours:,.0f} hours "
                    "of one core")
    except Exception:  # noqa: BLE001 - the estimate is a courtesy; the refusal stands
        pass
    key = "replications" if points * len(scenarios) <= sweep._max_runs else "design"
    raise where.error(key, f"makes {runs:,} runs ({points:,} points x {len(scenarios)} "
                      f"scenario{'s' if len(scenarios) > 1 else ''} x {sweep.replications:,} "
                      "replications), more than the limit "
                      f"of {sweep._max_runs:,}{estimate}. Make the design smaller, or raise the "
                      "limit with --max-runs (max_runs= in Python) if you mean it.")


def _seconds_per_run(scenario: Any, steps: int) -> float:
    """A run's duration, from building the scenario's model and timing a few steps."""
    import time

    from orglearn.simulation.model import SocialLearningModel

    started = time.perf_counter()
    model = SocialLearningModel(scenario, rng=0)
    built = time.perf_counter()
    model.step()  # the first step compiles and warms caches
    probe = time.perf_counter()
    for _ in range(5):
        model.step()
    per_step = (time.perf_counter() - probe) / 5
    return (built - started) + per_step * steps


def _load_scenarios(sweep: Sweep, where: _Where) -> list[tuple[str, Any]]:
    """Every scenario of the sweep, loaded; each must exist, be valid, and have every
    intervention that no lever moves within the sweep's steps."""
    from orglearn.scenarios.loader import load

    moved = [k for k in (*sweep.vary, *sweep.fixed) if is_lever(k) and k.endswith(".step")]
    out = []
    for i, name in enumerate(sweep.scenarios):
        key = f"scenarios.{i}"
        builtin = names_builtin(name)
        if builtin and name not in scenario_names():
            raise where.error(key, f"must be a built-in scenario or a file; got {name!r}; "
                              f"built-ins: {', '.join(scenario_names())}.")
        target = name if builtin or where.base is None else str(where.base / name)
        try:
            scenario = load(target)
        except ScenarioError as err:
            raise where.error(key, f"names a scenario that cannot be used: {err}") from None
        steps = sweep.steps
        fixed_steps = {_lever_target(k, scenario) for k in moved} - {None}
        late = [e for j, e in enumerate(scenario.interventions)
                if steps is not None and e.step > steps and j not in fixed_steps]
        if late:
            raise where.error(
                "steps",
                f"is {steps}, which ends before {name}'s {late[0].kind} intervention at step "
                f"{late[0].step}; use steps >= {max(e.step for e in late)}.",
            )
        out.append((name, scenario))
    return out


def _lever_target(key: str, scenario) -> int | None:
    from orglearn.experiments.levers import resolve

    try:
        return resolve(parse_lever(key), scenario, "")
    except ValueError:
        return None  # reported by _check_points, which names the table


def _check_kinds(sweep: Sweep, where: _Where) -> None:
    """Values fit their parameter's kind before any rounding: a whole-number parameter gets
    whole numbers (a range must not round two values to one), a true/false one a list."""
    for key, spec in sweep.vary.items():
        if is_lever(key):
            annotation = field_info(parse_lever(key)).annotation
        else:
            section, _, name = key.partition(".")
            fields = SECTIONS[section].model_fields if section in SECTIONS else {}
            annotation = fields[name].annotation if name in fields else None
        if annotation is bool and not isinstance(spec, list):
            raise where.error(f"vary.{key}", "is true/false: list its values ([true, false]) "
                              "rather than a range or bounds.")
        if annotation is not int:
            continue
        if isinstance(spec, list):
            odd = [v for v in spec if isinstance(v, float) and not v.is_integer()]
            if odd:
                raise where.error(f"vary.{key}", f"is a whole number, so {odd[0]!r} cannot be "
                                  "used (it would be rounded, and runs repeated).")
        elif isinstance(spec, Range):
            values = np.floor(np.linspace(spec.start, spec.stop, spec.num) + 0.5).astype(int)
            if np.unique(values).size < values.size:
                raise where.error(f"vary.{key}", f"is a whole number, and {spec.num} values from "
                                  f"{spec.start:g} to {spec.stop:g} round to repeated numbers "
                                  f"({', '.join(map(str, values[:8]))}{'...' if values.size > 8 else ''}); "
                                  "use fewer values or a wider span.")


def _check_points(sweep: Sweep, scenarios: list[tuple[str, Any]], where: _Where) -> None:
    """Every design point of every scenario is a valid run (see `check_sweep`).

    Points that set the same values are checked once, so a factorial design of thousands of
    points over a few parameters costs little; a sampled design about 40 µs a point and
    scenario.
    """
    from orglearn.experiments.design import design_points
    from orglearn.experiments.levers import resolve
    from orglearn.experiments.tasks import split_levers

    fixed_params, fixed_levers = split_levers(coerce_point(dict(sweep.fixed)))
    points = [coerce_point(p) for p in design_points(sweep)]
    prefer = tuple(where.overrides.get("settings", {}))  # a sweep that loaded, then overridden
    for name, scenario in scenarios:
        for key in (*fixed_levers, *(k for k in sweep.vary if is_lever(k))):
            try:
                resolve(parse_lever(key), scenario, name)
            except ValueError as err:
                table = "vary" if key in sweep.vary else "fixed"
                problem = f"names no intervention to set: {err}."
                raise where.error(f"{table}.{key}", problem) from None
        base = scenario.sections()
        steps = sweep.steps or scenario.steps
        seen_params: set[tuple] = set()
        seen_levers: set[tuple] = set()
        for point_id, point in enumerate(points):
            params, levers = split_levers(point)
            params, levers = {**fixed_params, **params}, {**fixed_levers, **levers}
            for values, seen, check in (
                (params, seen_params, _params_problem),
                (levers, seen_levers, _levers_problem),
            ):
                token = tuple((k, type(v).__name__, v) for k, v in values.items())
                if not values or token in seen:
                    continue
                found = check(base if check is _params_problem else scenario, values, steps,
                              prefer)
                if found is None:
                    seen.add(token)
                    continue
                key, problem = found
                blamed = f"{'vary' if key in point else 'fixed'}.{key}"
                if "steps" in where.overrides and problem.startswith("its step is"):
                    # The file was valid: the overridden run length is what cuts it short.
                    blamed, problem = "steps", (f"{key} is {values[key]}, after the last step "
                                                f"({steps}); use steps >= {values[key]}")
                raise where.error(blamed, _point_problem(
                    problem, name, point_id if point else None, point, len(points)))


def _point_problem(problem: str, scenario: str, point_id: int | None, point: dict, n: int) -> str:
    if point_id is None:
        return f"makes runs of scenario {scenario} invalid: {problem}."
    shown = ", ".join(f"{k} = {v!r}" for k, v in point.items())
    return (f"makes point {point_id} of {n} ({shown}) invalid for scenario {scenario}: "
            f"{problem}.")


def _params_problem(
    base, values: dict[str, Any], steps: int, prefer: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """The key and problem of the first rule the parameters break, or None. A rule between
    fields of a section blames a key of ``prefer`` (the overrides) there, else the point's."""
    from orglearn.simulation.parameters import Parameters

    data: dict[str, Any] = {s: getattr(base, s) for s in SECTIONS}
    for key, value in values.items():
        section, _, name = key.partition(".")
        if not isinstance(data[section], dict):
            data[section] = data[section].model_dump()
        data[section][name] = value
    try:
        Parameters.model_validate(data, strict=True)
    except ValidationError as err:
        e = err.errors()[0]
        loc = [str(p) for p in e["loc"]]
        if len(loc) >= 2:
            key = f"{loc[0]}.{loc[1]}"
            return key, f"{key} {_is(e['msg'])}. Got {e.get('input')!r} instead"
        keys = [k for k in values if k.partition(".")[0] == (loc[0] if loc else "")] or list(values)
        blamed = [k for k in keys if k in prefer] or keys
        return blamed[-1], e["msg"].removeprefix("Value error, ").rstrip(".")
    return None


def _levers_problem(
    scenario, values: dict[str, Any], steps: int, prefer: tuple[str, ...] = ()
) -> tuple[str, str] | None:
    """The lever and problem of the first rule the interventions break, or None."""
    from orglearn.experiments.levers import apply_levers, resolve

    try:
        apply_levers(scenario, values, steps)
    except ValidationError as err:
        e = err.errors()[0]
        message = e["msg"].removeprefix("Value error, ")
        match = re.match(r"@interventions/(\d+)/(\w+): ", message)
        loc = [p for p in e["loc"] if isinstance(p, int) or p not in _kind_tags()]
        if match:
            index, field, problem = int(match[1]), match[2], _is(message[match.end():])
        elif len(loc) >= 3 and loc[0] == "interventions":
            index, field = int(loc[1]), str(loc[-1])
            problem = f"{_is(message)}. Got {e.get('input')!r} instead"
        else:
            return next(iter(values)), _is(message)
        for key in values:
            lever = parse_lever(key)
            if lever.field == field and resolve(lever, scenario, "") == index:
                return key, f"its {field} {problem}"
        return next(iter(values)), f"intervention {index}'s {field} {problem}"
    return None


def _kind_tags() -> set[str]:
    from orglearn.simulation.interventions import INTERVENTION_KINDS

    return set(INTERVENTION_KINDS)


def sweep_hash(text: str) -> str:
    """SHA-256 of a sweep file's text (recorded in the manifest; a resume must match it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
