"""Experiments: single runs, parameter sweeps with replications, results and reports.

>>> from orglearn.experiments import run_sweep, load_results
>>> outcome = run_sweep("barriers", "results/barriers", workers=2)    # doctest: +SKIP
>>> results = load_results("results/barriers")                       # doctest: +SKIP
>>> results.runs.groupby("scenario")["t90"].mean()                    # doctest: +SKIP
"""

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
