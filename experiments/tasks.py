"""One run of a sweep: the picklable task, and `run_one`, which any executor runs.

A task is plain data (scenario, parameter point, replicate and seed), so the same function runs
in this process, in local worker processes or on a Dask cluster, and gives the same numbers:
a run is fully determined by its task.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import socket
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from orglearn.experiments.levers import apply_levers, field_info, is_lever, parse_lever
from orglearn.experiments.model_class import DEFAULT_MODEL, import_model
from orglearn.simulation.metrics import SUMMARY_METRICS
from orglearn.simulation.parameters import SECTIONS, dotted_overrides

__all__ = [
    "Task", "run_one", "build_model", "coerce_point", "split_levers", "environment",
    "version_differences", "failed_result", "FINAL_COLUMNS", "METADATA_COLUMNS",
]

#: Per-run result columns besides the task's own: the outcome keys of the model's summary
#: (``t50``, ``t90``, ``final_<metric>``, ``total_<name>``), so the two cannot drift apart.
FINAL_COLUMNS: tuple[str, ...] = SUMMARY_METRICS
#: Per-run metadata columns and their Arrow types: the headcount, the orglearn version that ran
#: the run, the scenario's content hash (`orglearn.experiments.metadata.scenario_sha256`, of
#: the scenario before the point's values) and the parameters that differ from the defaults
#: when the run started (a JSON object with dotted names; chart files as ``sha256:<hash>``).
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n_agents", "int64"),
    ("orglearn_version", "string"),
    ("scenario_sha256", "string"),
    ("changed_parameters", "string"),
)


@dataclass(frozen=True)
class Task:
    """Everything needed to reproduce one run."""

    run_id: int
    scenario: str
    point_id: int
    point: dict[str, Any]
    fixed: dict[str, Any]
    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    steps: int | None
    record: str = "every_step"
    metrics: tuple[str, ...] | None = None
    stop: dict[str, Any] | None = field(default=None)
    #: A scenario file's content (``Scenario.model_dump``), read once when the sweep starts, so
    #: that workers need not see the file; None for built-in scenarios.
    spec: dict[str, Any] | None = field(default=None, compare=False)
    #: The text of the org-chart files the scenario names (``people_file``, ``ties_file``).
    files: dict[str, str] | None = field(default=None, compare=False)
    #: The model class as ``"module:Class"`` (`experiments.model_class`); None for the default.
    model: str | None = None

    def seed_sequence(self) -> np.random.SeedSequence:
        """The run's seed: child ``spawn_key`` of the sweep's root SeedSequence."""
        return np.random.SeedSequence(self.seed_entropy, spawn_key=self.spawn_key)


def coerce_point(values: dict[str, Any]) -> dict[str, Any]:
    """Round values of integer parameters and levers (from ranges or sampled designs) half up
    to ints, so that the runs table records exactly the value each run used."""
    out = {}
    for key, value in values.items():
        if is_lever(key):
            annotation = field_info(parse_lever(key)).annotation
        else:
            section, _, name = key.partition(".")
            annotation = SECTIONS[section].model_fields[name].annotation
        if annotation is int and isinstance(value, float):
            value = int(np.floor(value + 0.5))
        out[key] = value
    return out


def split_levers(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``({"section.field": v} parameters, {lever key: v})`` of a point or fixed values."""
    params = {k: v for k, v in values.items() if not is_lever(k)}
    return params, {k: v for k, v in values.items() if is_lever(k)}


#: The packages whose versions can change a run's numbers or how it is stored.
PACKAGES = (
    "orglearn", "mesa", "numpy", "scipy", "numba", "pandas", "pyarrow", "pydantic", "SALib",
    "distributed", "pyabc",
)


@functools.cache
def environment() -> dict[str, str]:
    """Python's and the key packages' versions in this process (recorded with every run)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions


def version_differences(here: dict[str, str], workers: Iterable[dict]) -> Iterator[str]:
    """One line per package version that some runs' workers did not share with this machine.

    ``workers`` holds ``{"versions": ..., "runs": n}`` entries, as a manifest session's
    ``worker_versions``.
    """
    for entry in workers:
        for name in sorted(set(here) | set(entry["versions"])):
            theirs = entry["versions"].get(name, "absent")
            if theirs != here.get(name, "absent"):
                yield (f"{entry['runs']} runs ran with {name} {theirs}, this machine has "
                       f"{here.get(name, 'none')}")


def run_one(task: Task) -> dict[str, Any]:
    """Run one task. Never raises for a failing model: the failure is returned as data.

    Returns:
        ``{"run": row, "timeseries": columns or None, "environment": versions}``: ``row`` has
        the task's identity, status (``ok`` or ``failed``), error traceback, duration, worker and
        final metrics; ``environment`` is the worker's `environment`.
    """
    started = time.perf_counter()
    row = _identity(task)
    timeseries = None
    try:
        model, steps = build_model(task)
        row.update(_metadata(task, model))  # before interventions change parameters
        stop = task.stop
        for _ in range(steps):
            model.step()
            if stop and _reached(model.metrics[stop["metric"]], stop):
                break
        row["steps_run"] = int(model.steps)
        row.update(_finals(model))
        timeseries = _timeseries(model, task)
    except Exception:  # a failing run is recorded, not fatal to the sweep
        row["status"] = "failed"
        row["error"] = traceback.format_exc()
    row["duration_s"] = time.perf_counter() - started
    return {"run": row, "timeseries": timeseries, "environment": environment()}


def failed_result(task: Task, error: str) -> dict[str, Any]:
    """The result of a run that could not report itself (its worker died), as `run_one`
    returns a failure: the task's identity, status ``failed`` and ``error``."""
    row = _identity(task)
    row.update(status="failed", error=error, worker=None, duration_s=None)
    return {"run": row, "timeseries": None, "environment": None}


def _identity(task: Task) -> dict[str, Any]:
    """A run's row before it runs: who it is, and status ok until it fails."""
    return {
        "run_id": task.run_id,
        "scenario": task.scenario,
        "point_id": task.point_id,
        "replicate": task.replicate,
        "seed_entropy": str(task.seed_entropy),
        "spawn_key": ",".join(map(str, task.spawn_key)),
        "status": "ok",
        "error": None,
        "steps_run": 0,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "model": task.model or DEFAULT_MODEL,
    }


def build_model(task: Task) -> tuple[Any, int]:
    """The task's model, built as its run builds it, and the steps to run.

    The scenario (a built-in, or the file's content the task carries), with the levers among
    the fixed values and the point applied to its interventions; then the model class (the
    task's ``model``, imported here) built from it with the parameters as overrides and the
    task's seed.
    """
    if task.spec is not None:
        from orglearn.scenarios.schema import Scenario

        scenario = Scenario.model_validate(_with_local_files(task.spec, task.files or {}))
    else:
        from orglearn.scenarios import load

        scenario = load(task.scenario)
    steps = task.steps or scenario.steps
    params, levers = split_levers(coerce_point({**task.fixed, **task.point}))
    if levers:
        scenario = apply_levers(scenario, levers, steps)
    model_class = import_model(task.model or DEFAULT_MODEL)
    model = model_class(scenario, rng=task.seed_sequence(), **dotted_overrides(params))
    return model, steps


def _with_local_files(spec: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    """``spec`` with its org-chart files written here (once per content) and pointed to."""
    if not files:
        return spec
    folder = Path(tempfile.gettempdir()) / "orglearn-charts"
    folder.mkdir(exist_ok=True)
    organisation = dict(spec["organisation"])
    for key, text in files.items():
        path = folder / f"{hashlib.sha256(text.encode()).hexdigest()[:20]}-{key}.csv"
        if not path.exists():  # written under a temporary name, so readers never see half
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        organisation[key] = str(path)
    return {**spec, "organisation": organisation}


def _reached(value: float, stop: dict[str, Any]) -> bool:
    if stop.get("at_least") is not None:
        return value >= stop["at_least"]
    return value <= stop["at_most"]


def _finals(model) -> dict[str, Any]:
    """The run's outcomes: exactly the model's summary, for the keys in `FINAL_COLUMNS`."""
    summary = model.summary()
    return {name: summary[name] for name in FINAL_COLUMNS}


def _metadata(task: Task, model) -> dict[str, Any]:
    """The run's `METADATA_COLUMNS`, from its task and the model as built."""
    from orglearn import __version__
    from orglearn.experiments.metadata import dotted_parameters

    # Chart files as hashes of their text: workers read them from temporary copies.
    changed = dotted_parameters(model.params, changed_only=True, chart_paths=False)
    return {
        "n_agents": int(model.network.n),
        "orglearn_version": __version__,
        "scenario_sha256": _scenario_hash(task),
        "changed_parameters": json.dumps(changed, default=str),
    }


_HASHES: dict[str, str] = {}


def _scenario_hash(task: Task) -> str:
    """The content hash of the task's scenario, computed once per scenario in each worker."""
    from orglearn.experiments.metadata import scenario_sha256

    key = task.scenario
    if task.spec is not None:
        key = json.dumps([task.spec, task.files], sort_keys=True)
    if key not in _HASHES:
        if task.spec is not None:
            from orglearn.scenarios.schema import Scenario

            scenario = Scenario.model_validate(_with_local_files(task.spec, task.files or {}))
        else:
            from orglearn.scenarios import load

            scenario = load(task.scenario)
        _HASHES[key] = scenario_sha256(scenario)
    return _HASHES[key]


def _timeseries(model, task: Task) -> dict[str, np.ndarray]:
    """The run's time series as columns; ``department`` is -1 for the organisation (the store
    writes it as null)."""
    table = model.timeseries()
    if task.metrics:
        table = table[table["metric"].isin(task.metrics)]
    if task.record == "end":
        table = table[table["step"] == table["step"].max()]
    return {
        "run_id": np.full(len(table), task.run_id, dtype=np.int64),
        "step": table["step"].to_numpy(np.int64),
        "metric": table["metric"].to_numpy(object),
        "scope": table["scope"].to_numpy(object),
        "department": table["department"].fillna(-1).to_numpy(np.int64),
        "value": table["value"].to_numpy(np.float64),
    }
