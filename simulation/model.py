"""The social-learning model: employees learning, communicating and collaborating.

`SocialLearningModel` is a Mesa model whose state lives in numpy arrays (`simulation.state`)
over a scipy.sparse organisation network (`simulation.network`). `step` composes the processes
of `simulation.processes` in a fixed order (docs/model.md, section 3) and is vectorised over all agents;
the Mesa agents (`agents.Employee`) are views on the arrays' rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from orglearn.agents.employee import Employee
from orglearn.simulation.metrics import SCALAR_METRICS, TOTALS, first_crossing, measure
from orglearn.simulation.network import OrgNetwork, build_network
from orglearn.simulation.orgchart import apply_chart, organisation_from_chart
from orglearn.simulation.collector import MetricsCollector
from orglearn.simulation.interventions import Intervention
from orglearn.simulation.parameters import Parameters
from orglearn.simulation.pipeline import Pipeline, default_pipeline
from orglearn.simulation.sources import SourceLog
from orglearn.simulation.state import Workforce, initial_workforce

__all__ = ["SocialLearningModel"]


class SocialLearningModel(mesa.Model):
    """Agent-based model of social learning in an organisation.

    Args:
        params: what to simulate: a `Parameters` object, a scenario (`orglearn.load_scenario`
            returns one; its interventions are scheduled and its name kept), a mapping of
            sections (``{"esn": {"reads": 5}}``), or None for the defaults. The engine never
            reads files itself: load a scenario name or file first.
        rng: seed or generator, Mesa's convention (an int, numpy integer, a
            `numpy.random.SeedSequence`, a `numpy.random.Generator`, or None for fresh
            entropy). Every random number of the model comes from ``self.rng``.
        track_sources: record who learned from whom, through which channel
            (``model.state.sources``, a `simulation.sources.SourceLog`). An observer: it
            changes nothing in the run, which stays identical for a seed; off by default.
        **overrides: parameter overrides on top of ``params``: a unique field name
            (``n_agents=2000``), ``section__field`` (``asking__enabled=False``) or a section
            mapping (``esn={"reads": 5}``). Every parameter is listed below.

    Mesa's own ``scenario`` argument is not used: orglearn's scenarios are richer (sections,
    interventions, org-chart files) and live in ``params``; ``model.scenario`` stays Mesa's.

    Attributes:
        params: the parameters in force (interventions may change them during a run).
        scenario_name: the scenario's name, if ``params`` was a named scenario, else "".
        interventions: the scheduled interventions, in order.
        pipeline: this model's processes, in step order (`orglearn.simulation.pipeline`):
            insert into it, replace or remove processes to change the rules.
        agent_class: the Mesa agent class of every employee view (a class attribute: a subclass
            sets its own `Employee` subclass, used for newcomers too).
        network: the `OrgNetwork` (teams, departments, reporting tree, ties), generated from
            the organisation parameters or, with ``people_file``, built from an org chart
            (`simulation.orgchart`; ``n_agents`` and ``departments`` then follow the chart).
        state: the `Workforce` arrays.
        employees: the `Employee` view of each row (also in ``model.agents``).
        metrics: the metrics of the current step (a dict).
        counts: the event counts of the current step, from every process.
        datacollector: a Mesa `DataCollector` with every metric as a model reporter.

    Examples:
        >>> model = SocialLearningModel(n_agents=200, rng=42)
        >>> model.run(100)
        >>> model.summary()["final_mean_knowledge"]  # doctest: +SKIP
    """

    agent_class: type[Employee] = Employee

    def __init__(
        self,
        params: Parameters | Mapping[str, Any] | None = None,
        *,
        rng: Any = None,
        track_sources: bool = False,
        **overrides: Any,
    ) -> None:
        """Build the organisation, draw the workforce and record step 0."""
        if "scenario" in overrides:
            raise TypeError(
                "SocialLearningModel takes its scenario as 'params' (Mesa's own 'scenario' "
                "argument is not used): SocialLearningModel(orglearn.load_scenario(name_or_file))"
            )
        if isinstance(rng, np.integer):  # Mesa (random.Random) accepts Python ints only
            rng = int(rng)
        super().__init__(rng=rng)
        resolved = _resolve(params)
        self.scenario_name: str = str(getattr(resolved, "name", "") or "")
        self.interventions: list[Intervention] = list(getattr(resolved, "interventions", []))
        self.params: Parameters = resolved.sections().with_overrides(**overrides)
        self.pipeline: Pipeline = self.make_pipeline()
        chart = None
        if self.params.organisation.people_file:  # a real org chart; n_agents follows it
            self.params, self.network, chart = organisation_from_chart(self.params, self.rng)
        else:
            self.network: OrgNetwork = build_network(self.params.organisation, self.rng)
        self.state: Workforce = initial_workforce(self.params, self.network, self.rng)
        if chart is not None:
            apply_chart(self.state, self.network, chart, self.params, self.rng)
        if track_sources:
            self.state.sources = SourceLog(self.network.n)
        self._employees: list[Employee] | None = None  # created on first use, see `employees`
        self.counts: dict[str, Any] = {}
        self.metrics: dict[str, float] = measure(self.state, self.network, self.params, {}, 0)
        self.datacollector = MetricsCollector(self.metrics)
        self.datacollector.collect(self)

    def make_pipeline(self) -> Pipeline:
        """The processes a new model runs each step; override in a subclass to change them for
        every instance (or edit ``model.pipeline`` of one model)."""
        return default_pipeline()

    def __repr__(self) -> str:
        parts = [repr(self.scenario_name)] if self.scenario_name else []
        parts += [f"n_agents={self.network.n}", f"step={self.steps}"]
        changes = {k: v for k, v in self.params.changes().items() if k != "organisation.n_agents"}
        if changes:
            shown = ", ".join(f"{k}={v!r}" for k, v in list(changes.items())[:4])
            more = f", +{len(changes) - 4} more" if len(changes) > 4 else ""
            parts.append(f"changes={{{shown}{more}}}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def step(self) -> None:
        """Advance one step (a working day): drift the client context, run every process."""
        t = self.steps
        for intervention in self.interventions:
            if intervention.step == t:
                intervention.apply(self)
        self._drift_client_context()
        self.state.used.clear()
        counts: dict[str, Any] = {}
        for process in self.pipeline:
            if process.section is None or getattr(self.params, process.section).enabled:
                counts.update(process.function(self.state, self.network, self.params, self.rng, t))
        leavers = counts.pop("leavers", np.empty(0, dtype=np.int64))
        if self.state.sources is not None:
            self.state.sources.forget_rows(leavers)
        self._reseat(leavers)
        self.counts = counts
        self.metrics = measure(self.state, self.network, self.params, counts, t)
        self.datacollector.collect(self)

    def run(self, steps: int, progress: Callable[[int], None] | None = None) -> None:
        """Run ``steps`` steps, calling ``progress(1)`` after each (e.g. a tqdm bar's update)."""
        if int(steps) < 0:
            raise ValueError(f"The 'steps' value must be an integer >= 0. Got {steps} instead.")
        for _ in range(int(steps)):
            self.step()
            if progress is not None:
                progress(1)

    def _drift_client_context(self) -> None:
        """Turbulence: some topics' client demand shifts, making part of their knowledge obsolete."""
        client = self.params.client
        if client.turbulence <= 0:
            return
        shifted = np.flatnonzero(self.rng.random(self.state.topics) < client.turbulence)
        shifted = shifted[shifted > 0]  # the new idea is internal, not a client need
        if shifted.size:
            self.state.demand[shifted] = self.rng.uniform(0.2, 1.0, shifted.size)
            self.state.knowledge[:, shifted] *= 1.0 - client.obsolescence

    @property
    def employees(self) -> list[Employee]:
        """The `Employee` view of each row, in row order.

        The Mesa agents are created on first use (of this, ``agents``, ``agents_by_type`` or
        ``agent_types``), not when the model is built: a million agent objects take seconds to
        create and a vectorised run never needs them. Their ``unique_id`` follows row order.
        """
        if self._employees is None:
            self._employees = [self.agent_class(self, row) for row in range(self.network.n)]
        return self._employees

    @property
    def agents(self):
        """All agents (Mesa's AgentSet); creates the `Employee` views on first use."""
        self.employees  # noqa: B018 - materialise the views
        return self._all_agents

    @property
    def agents_by_type(self):
        """Mesa's agents by type; creates the `Employee` views on first use."""
        self.employees  # noqa: B018
        return self._agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Mesa's agent types; creates the `Employee` views on first use."""
        self.employees  # noqa: B018
        return list(self._agents_by_type.keys())

    def _reseat(self, rows: np.ndarray) -> None:
        """Give each newcomer's row a new Mesa agent; leavers' agents are removed."""
        if self._employees is None:
            return  # no views yet: the rows are simply new people when they are created
        for row in rows.tolist():
            self._employees[row].remove()
            self._employees[row] = self.agent_class(self, row)

    # -- results ------------------------------------------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """All metrics of every recorded step as a tidy long table.

        Columns: ``step``, ``metric``, ``scope`` (``organisation`` or ``department``),
        ``department`` (the department's number, a nullable integer: empty for the
        organisation) and ``value``. Per-department knowledge appears as metric
        ``mean_knowledge`` with scope ``department``.
        """
        collected = self.datacollector.model_vars
        names = list(collected)
        steps = len(collected[names[0]]) if names else 0
        values = np.array([collected[name] for name in names], dtype=float).reshape(-1)
        by_department = np.array([name.startswith("knowledge_dept_") for name in names], bool)
        metric = np.where(by_department, "mean_knowledge", np.array(names, dtype=object))
        scope = np.where(by_department, "department", "organisation").astype(object)
        number = [int(name.removeprefix("knowledge_dept_")) if dept else 0
                  for name, dept in zip(names, by_department)]
        department = pd.arrays.IntegerArray(
            np.repeat(np.array(number, dtype=np.int64), steps), np.repeat(~by_department, steps)
        )
        return pd.DataFrame({
            "step": np.tile(np.arange(steps), len(names)),
            "metric": np.repeat(metric, steps),
            "scope": np.repeat(scope, steps),
            "department": department,
            "value": values,
        })

    def summary(self) -> dict[str, Any]:
        """Headline results of the run so far, named as in every orglearn output.

        Keys: ``scenario`` (its name, or ""), ``n_agents``, ``steps``; ``t50`` and ``t90``, the
        first steps at which half / 90% of staff know the seeded new idea, or None if that did
        not happen within the run (censored); ``final_<metric>`` for every scalar metric
        (`SCALAR_METRICS`) at the last step; ``total_<name>`` summed over the run (`TOTALS`).
        Undefined values (the reputation of hoarders when there are none) are None.
        `orglearn.simulation.metrics.summary_fields` describes every key.
        """
        collected = self.datacollector.model_vars
        adoption = np.asarray(collected["idea_adoption"], dtype=float)
        steps = np.arange(adoption.size)
        out: dict[str, Any] = {
            "scenario": self.scenario_name,
            "n_agents": int(self.network.n),
            "steps": int(self.steps),
            "t50": first_crossing(adoption, steps, 0.5),
            "t90": first_crossing(adoption, steps, 0.9),
        }
        for name in SCALAR_METRICS:
            out[f"final_{name}"] = _number(self.metrics[name])
        for name in TOTALS:
            out[f"total_{name}"] = _number(np.sum(collected[name]))
        return out

    def to_networkx(self):
        """The organisation as a networkx graph (nodes carry team, department and knowledge)."""
        graph = self.network.to_networkx()
        mean = self.state.knowledge.mean(axis=1)
        for node, data in graph.nodes(data=True):
            data["knowledge"] = float(mean[node])
        return graph


def _number(value: Any) -> int | float | None:
    """A plain Python number for a summary: ints stay ints, NaN becomes None."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    value = float(value)
    return value if np.isfinite(value) else None


def _resolve(params: Parameters | Mapping[str, Any] | None) -> Parameters:
    if params is None:
        return Parameters()
    if isinstance(params, Parameters):
        return params
    if isinstance(params, Mapping):
        return Parameters().with_overrides(**dict(params))
    if isinstance(params, (str, Path)):
        raise TypeError(
            f"SocialLearningModel does not read scenario files; load {str(params)!r} first: "
            f"SocialLearningModel(orglearn.load_scenario({str(params)!r}))"
        )
    raise TypeError(
        "The 'params' argument must be Parameters, a scenario (orglearn.load_scenario), a "
        f"mapping of sections or None. Got {type(params).__name__} instead."
    )


def _signature_and_doc() -> None:
    """Show every parameter in ``help(SocialLearningModel)`` and IDE call tips: the keyword
    overrides are listed in the signature (a unique field name, or ``section__field`` where a
    name is in several sections) and described in the docstring."""
    import inspect

    from orglearn.simulation.parameters import _LEAVES as owners  # field name -> its sections
    from orglearn.simulation.parameters import SECTIONS

    signature = inspect.signature(SocialLearningModel.__init__)
    fixed = [p for name, p in signature.parameters.items() if name != "overrides"]
    extra, lines = [], ["", "    Parameters (keyword overrides; defaults shown):", ""]
    for section, cls in SECTIONS.items():
        lines.append(f"    [{section}] {(cls.__doc__ or '').strip().splitlines()[0]}")
        for name, field in cls.model_fields.items():
            key = name if len(owners[name]) == 1 else f"{section}__{name}"
            extra.append(
                inspect.Parameter(
                    key, inspect.Parameter.KEYWORD_ONLY, default=field.default,
                    annotation=field.annotation,
                )
            )
            lines.append(f"        {key} = {field.default!r}: {field.description or ''}")
    SocialLearningModel.__init__.__signature__ = signature.replace(parameters=fixed + extra)
    SocialLearningModel.__doc__ = (SocialLearningModel.__doc__ or "") + "\n".join(lines) + "\n"


_signature_and_doc()
