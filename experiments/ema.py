"""The model as an EMA Workbench model: uncertainties, levers and outcomes (optional extra ``ema``).

`ema_model` wraps a scenario as an `ema_workbench.Model` that ``perform_experiments``, the
optimisers and the scenario-discovery tools (PRIM, CART) of the EMA Workbench (Kwakkel 2017) can
use::

    from ema_workbench import perform_experiments
    from orglearn.experiments.ema import ema_model

    model = ema_model("champions_council", steps=120, n_agents=200,
                      uncertainties={"population.hoarder_share": (0.0, 0.5)},
                      levers={"interventions.appoint_champions.step": (10, 90)})
    experiments, outcomes = perform_experiments(model, scenarios=64, policies=4)

**Names.** Parameters are named ``section.field`` as in scenario files, and fields of the
scenario's interventions ``interventions.<kind>.<field>`` or ``interventions.<index>.<field>``,
as levers in sweep files (`orglearn.experiments.levers`). EMA wants Python identifiers, so each
dot becomes a double underscore (``population__hoarder_share``,
``interventions__appoint_champions__step``); no section, field or kind holds a double
underscore, so the mapping is one-to-one (`ema_name`, `dotted_name`, and `dotted_columns` for
EMA's experiments table).

**Seeds.** EMA calls the same function for every experiment and passes only parameter values, so
each experiment's seed is derived from them: ``SeedSequence(seed, spawn_key=(*h, replicate))``,
where ``h`` are four 32-bit words of a SHA-256 hash of the experiment's *uncertainty* values
(levers and fixed values play no part). Hence an experiment's outcomes are a function of its
row in EMA's experiments table: the same values give bit-identical outcomes whatever the
evaluator, process or order; every policy meets a scenario with the same random draws (common
random numbers, as in sweeps), so differences between policies come from the levers, not luck;
different scenarios get independent draws. Without uncertainties the seed of replicate ``r`` is
``SeedSequence(seed, spawn_key=(r,))``, that of a sweep with the same root ``seed``.

**t50 and t90.** A level never reached within the run is censored at ``steps + 1`` (a lower
bound, as in the report), never NaN, and ``t50_reached``/``t90_reached`` are 1.0 or 0.0. So
"the idea fails to spread" is ``outcomes["t90_reached"] == 0``, which equals
``outcomes["t90"] > steps``, and ``outcomes["t90"] > d`` (for any ``d <= steps``) counts a run
that never got there as slower than ``d``: PRIM's cases of interest are well defined either way.

Reference: Kwakkel, J. H. (2017). The Exploratory Modeling Workbench: An open source toolkit for
exploratory modeling, scenario discovery, and (multi-objective) robust decision making.
Environmental Modelling & Software, 96, 239-250.
"""

from __future__ import annotations

import hashlib
import types
import typing
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
with warnings.catch_warnings():  # ema_workbench warns at import about its optional ipyparallel
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    try:
        from ema_workbench import (
            BooleanParameter,
            CategoricalParameter,
            Constant,
            IntegerParameter,
            Model,
            RealParameter,
            ReplicatorModel,
            ScalarOutcome,
        )
        from ema_workbench.em_framework.outcomes import Outcome
    except ImportError as err:  # pragma: no cover - the extra is part of the test install
        raise ImportError(
            "orglearn.experiments.ema needs the EMA Workbench: pip install 'orglearn[ema]'"
        ) from err

from orglearn.experiments.tasks import FINAL_COLUMNS
from orglearn.scenarios.schema import Scenario
from orglearn.experiments.levers import apply_levers, field_info, is_lever, parse_lever
from orglearn.simulation.parameters import SECTIONS, dotted_overrides

__all__ = [
    "ema_model",
    "apply_point",
    "OrglearnRun",
    "OUTCOMES",
    "ema_name",
    "dotted_name",
    "dotted_columns",
]

#: Outcomes a model can report: the columns of a sweep's runs table, plus whether t50/t90 were
#: reached (1.0 or 0.0; with replications, the share of replications that reached it).
OUTCOMES: tuple[str, ...] = (*FINAL_COLUMNS, "t50_reached", "t90_reached")

DEFAULT_OUTCOMES = ("t50", "t90", "t90_reached", "final_idea_adoption", "final_mean_knowledge")

#: A parameter's range, ``(low, high)``, or its values, ``[v1, v2, ...]``.
Spec = tuple[float, float] | Sequence[Any]


def ema_name(dotted: str) -> str:
    """``section.field`` (or ``interventions.kind.field``) as an identifier for EMA."""
    return dotted.replace(".", "__")


def dotted_name(name: str) -> str:
    """The inverse of `ema_name`: ``population__hoarder_share`` -> ``population.hoarder_share``."""
    return name.replace("__", ".")


def dotted_columns(experiments: pd.DataFrame) -> pd.DataFrame:
    """EMA's experiments table with parameter columns renamed to dotted names."""
    return experiments.rename(columns={c: dotted_name(c) for c in experiments.columns if "__" in c})


def _plain(value: Any) -> Any:
    """numpy scalars (as EMA passes them) as Python values, which pydantic validates strictly."""
    return value.item() if isinstance(value, np.generic) else value


def apply_point(scenario: Scenario, point: Mapping[str, Any], steps: int | None = None) -> Scenario:
    """``scenario`` with the values of ``point`` applied (and, if given, its run length).

    Keys are ``section.field`` for parameters and levers ``interventions.<kind>.<field>`` or
    ``interventions.<index>.<field>`` for a field of one of the scenario's interventions, with
    the meaning they have in sweep files (`orglearn.experiments.levers`).

    Raises:
        ValueError: a key is unknown, names an intervention the scenario lacks (or one of
            several of that kind), or a value is out of range (`ParameterError`, or pydantic's
            ``ValidationError`` for an intervention field, both ValueErrors); also an
            intervention after ``steps``.
    """
    params = {k: _plain(v) for k, v in point.items() if not is_lever(k)}
    levers = {k: _plain(v) for k, v in point.items() if is_lever(k)}
    if levers or steps is not None:
        scenario = apply_levers(scenario, levers, steps)
    return scenario.with_overrides(**dotted_overrides(params))


def _annotation(key: str) -> Any:
    """The pydantic type of a dotted key, without ``None``."""
    if is_lever(key):
        annotation = field_info(parse_lever(key)).annotation
    else:
        dotted_overrides({key: None})  # raises ValueError naming the key if it is unknown
        section, _, field = key.partition(".")
        annotation = SECTIONS[section].model_fields[field].annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    return annotation


def _parameter(key: str, spec: Spec):
    """The EMA parameter of one dotted key: a range (tuple) or a list of values."""
    name, annotation = ema_name(key), _annotation(key)
    if isinstance(spec, tuple):
        if len(spec) != 2 or not all(isinstance(v, (int, float)) for v in spec):
            raise ValueError(f"'{key}': a range is (low, high) with two numbers; got {spec!r}")
        low, high = spec
        if not low < high:
            raise ValueError(f"'{key}': the range must have low < high; got {spec!r}")
        if annotation is int:
            if not (float(low).is_integer() and float(high).is_integer()):
                raise ValueError(f"'{key}' is an integer parameter; got the range {spec!r}")
            return IntegerParameter(name, int(low), int(high))
        if annotation is float:
            return RealParameter(name, float(low), float(high))
        raise ValueError(f"'{key}' is not a number; give its values as a list, e.g. [a, b]")
    values = list(spec)
    if len(values) < 2:
        raise ValueError(f"'{key}': give a range (low, high) or a list of at least two values")
    if annotation is bool and set(values) == {True, False}:
        return BooleanParameter(name)
    return CategoricalParameter(name, values)


def _ends(key: str, spec: Spec) -> list[Any]:
    return list(spec) if not isinstance(spec, tuple) else [spec[0], spec[1]]


def _seed_words(values: Mapping[str, Any]) -> tuple[int, ...]:
    """Four 32-bit words of a hash of the values (exact: floats by their hex form)."""
    parts = []
    for key in sorted(values):
        value = _plain(values[key])
        if isinstance(value, bool):
            text = f"b:{value}"
        elif isinstance(value, int):
            text = f"i:{value}"
        elif isinstance(value, float):
            text = f"f:{value.hex()}"
        else:
            text = f"s:{value}"
        parts.append(f"{key}={text}")
    digest = hashlib.sha256("\n".join(parts).encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


@dataclass(frozen=True)
class OrglearnRun:
    """The function EMA calls: one run of the scenario with an experiment's values.

    Picklable (plain data), so EMA's multiprocessing and MPI evaluators can send it to workers.
    """

    scenario: Scenario
    steps: int
    seed: int
    uncertainties: tuple[str, ...]  # dotted names: the seed depends on their values only
    outcomes: tuple[str, ...]

    def seed_sequence(
        self, values: Mapping[str, Any], replicate: int = 0
    ) -> np.random.SeedSequence:
        """The seed of the experiment with these values (dotted or EMA names)."""
        point = self._dotted(values)
        words = _seed_words({k: point[k] for k in self.uncertainties}) if self.uncertainties else ()
        return np.random.SeedSequence(self.seed, spawn_key=(*words, int(replicate)))

    def build_model(self, values: Mapping[str, Any], replicate: int = 0):
        """The `SocialLearningModel` of one experiment, before its first step (to rerun it)."""
        from orglearn.simulation.model import SocialLearningModel

        point = self._dotted(values)
        scenario = apply_point(self.scenario, point, self.steps)
        return SocialLearningModel(scenario, rng=self.seed_sequence(point, replicate))

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run one experiment (EMA names as keywords) and return its outcomes."""
        replicate = int(values.pop("replicate", 0))
        model = self.build_model(values, replicate)
        model.run(self.steps)
        row = model.summary()  # the keys of a sweep's runs table (FINAL_COLUMNS)
        out = {}
        for name in self.outcomes:
            if name in ("t50_reached", "t90_reached"):
                out[name] = float(row[name[:3]] is not None)
            elif name in ("t50", "t90"):
                out[name] = float(self.steps + 1 if row[name] is None else row[name])
            else:  # undefined finals (e.g. hoarders' reputation without hoarders) are None
                out[name] = float("nan") if row[name] is None else float(row[name])
        return out

    @staticmethod
    def _dotted(values: Mapping[str, Any]) -> dict[str, Any]:
        return {(k if "." in k else dotted_name(k)): v for k, v in values.items()}


def ema_model(
    scenario: str | Path | Scenario = "baseline",
    *,
    uncertainties: Mapping[str, Spec] | None = None,
    levers: Mapping[str, Spec] | None = None,
    outcomes: Sequence[str | Outcome] = DEFAULT_OUTCOMES,
    steps: int | None = None,
    n_agents: int | None = None,
    fixed: Mapping[str, Any] | None = None,
    seed: int = 20261128,
    replications: int = 1,
    name: str = "orglearn",
) -> Model | ReplicatorModel:
    """The scenario as an EMA Workbench model.

    Args:
        scenario: a built-in scenario's name, a scenario file or a `Scenario`.
        uncertainties, levers: ``{"section.field": spec}`` (or ``interventions.<kind>.<field>``,
            see `apply_point`); ``spec`` is a range ``(low, high)``, which becomes an
            ``IntegerParameter`` for integer fields and a ``RealParameter`` otherwise, or a list
            of values (``CategoricalParameter``; ``[True, False]`` a ``BooleanParameter``).
        outcomes: names among `OUTCOMES`, or EMA outcomes of your own whose ``variable_name``
            is among them (e.g. ``ScalarOutcome("t90", kind=ScalarOutcome.MINIMIZE)``).
        steps: steps per run (default: the scenario's).
        n_agents: shorthand for ``fixed={"organisation.n_agents": n_agents}``.
        fixed: values set in every run, as EMA ``Constant``s.
        seed: root of every experiment's seed (see the module docstring).
        replications: runs per experiment; above 1 a ``ReplicatorModel`` whose outcomes are the
            means over replications (``t90_reached``: the share that reached 90%).
        name: the EMA model's name (an identifier).

    Raises:
        ValueError: an unknown key, a key given twice, a bad range or value (both ends and every
            listed value are checked against the parameter's range now), an intervention after
            ``steps``, or an unknown outcome.
    """
    from orglearn.scenarios import load

    base = scenario if isinstance(scenario, Scenario) else load(str(scenario))
    steps = base.steps if steps is None else int(steps)
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}")
    if replications < 1:
        raise ValueError(f"replications must be at least 1; got {replications}")
    uncertainties, levers = dict(uncertainties or {}), dict(levers or {})
    constants = dict(fixed or {})
    if n_agents is not None:
        constants["organisation.n_agents"] = int(n_agents)
    keys = [*uncertainties, *levers, *constants]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError(f"given more than once (uncertainty, lever or fixed): {', '.join(twice)}")
    parameters = {key: _parameter(key, spec) for key, spec in {**uncertainties, **levers}.items()}
    apply_point(base, constants, steps)  # fixed values valid, interventions within the run
    for key, spec in {**uncertainties, **levers}.items():
        for value in _ends(key, spec):  # each end of a range, each listed value
            apply_point(base, {**constants, key: value}, steps)
    chosen = [_outcome(o, replications) for o in outcomes]
    run = OrglearnRun(
        scenario=base,
        steps=steps,
        seed=int(seed),
        uncertainties=tuple(uncertainties),
        outcomes=tuple(dict.fromkeys(v for o in chosen for v in o.variable_name)),
    )
    model = Model(name, function=run) if replications == 1 else ReplicatorModel(name, run)
    if replications > 1:
        model.replications = [{"replicate": r} for r in range(replications)]
    model.uncertainties = [parameters[k] for k in uncertainties]
    model.levers = [parameters[k] for k in levers]
    model.constants = [Constant(ema_name(k), v) for k, v in constants.items()]
    model.outcomes = chosen
    return model


def _outcome(outcome: str | Outcome, replications: int) -> Outcome:
    if isinstance(outcome, Outcome):
        unknown = [v for v in outcome.variable_name if v not in OUTCOMES]
        if unknown:
            raise ValueError(f"outcome {outcome.name!r} reads {unknown}; outcomes: {OUTCOMES}")
        return outcome
    if outcome not in OUTCOMES:
        raise ValueError(f"'{outcome}' is not an outcome; outcomes: {', '.join(OUTCOMES)}")
    # No dtype: EMA would then store each outcome as an (n, 1) array instead of (n,).
    return ScalarOutcome(outcome, function=np.mean if replications > 1 else None)
