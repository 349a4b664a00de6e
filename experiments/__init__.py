"""Experiments: single runs, parameter sweeps with replications, results and reports.

>>> from orglearn.experiments import run_sweep, load_results
>>> outcome = run_sweep("barriers", "results/barriers", workers=2)    # doctest: +SKIP
>>> results = load_results("results/barriers")                       # doctest: +SKIP
>>> results.runs.groupby("scenario")["t90"].mean()                    # doctest: +SKIP

The names below are imported on first use: a single run (`orglearn.experiments.single`) does
not pay for the sweep machinery (runner, design, scheduler) it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orglearn.experiments.runner import SweepOutcome, make_tasks, run_sweep
    from orglearn.experiments.store import Results, load_results
    from orglearn.experiments.sweep import Sweep, SweepError, builtin_sweeps, load_sweep

__all__ = [
    "run_sweep",
    "load_results",
    "load_sweep",
    "builtin_sweeps",
    "make_tasks",
    "Sweep",
    "SweepError",
    "SweepOutcome",
    "Results",
]

_LAZY: dict[str, str] = {
    "run_sweep": "orglearn.experiments.runner",
    "make_tasks": "orglearn.experiments.runner",
    "SweepOutcome": "orglearn.experiments.runner",
    "load_results": "orglearn.experiments.store",
    "Results": "orglearn.experiments.store",
    "load_sweep": "orglearn.experiments.sweep",
    "builtin_sweeps": "orglearn.experiments.sweep",
    "Sweep": "orglearn.experiments.sweep",
    "SweepError": "orglearn.experiments.sweep",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'orglearn.experiments' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
