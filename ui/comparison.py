"""What-if comparison: a modified scenario against its baseline, replicated, in the background.

Both scenarios run ``replications`` times with the same seeds (children of one
`numpy.random.SeedSequence`, so replicate r of each faces the same chance events), in worker
processes so that the page stays responsive. The result gives curves with 95% confidence bands
(`experiments.stats.curve_bands`), a table of outcomes, and a plain sentence of the difference.
"""

from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import multiprocessing
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from orglearn.experiments.stats import curve_bands, mean_ci
from orglearn.scenarios import Scenario
from orglearn.simulation.metrics import CHANNELS

__all__ = [
    "ComparisonSpec",
    "ComparisonJob",
    "ComparisonResult",
    "replicate",
    "describe",
    "executor",
    "CURVES",
]

#: Metrics kept per day for each replicate.
CURVES = ("idea_adoption", "mean_knowledge", "participation")
#: Final values kept per replicate: (column, label for people, as a percentage).
OUTCOMES: tuple[tuple[str, str, bool], ...] = (
    ("t50", "Working days until half of staff know the new idea", False),
    ("t90", "Working days until 90% of staff know the new idea", False),
    ("mean_knowledge", "What people know at the end (mean knowledge)", True),
    ("participation", "Participation on the social network at the end", True),
    ("silo_index", "Silo index at the end (0 = departments know the same)", True),
    ("exchanges", "Knowledge exchanges over the run", False),
)

_executor: cf.Executor | None = None
_executor_lock = threading.Lock()


def executor() -> cf.Executor:
    """The shared pool that runs replicates: one worker process per core (spawned, so that the
    server's threads are not copied), created on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            context = multiprocessing.get_context("spawn")
            _executor = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context)
        return _executor


def _reset_executor() -> None:
    global _executor
    with _executor_lock:
        if _executor is not None:
            _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None


def replicate(scenario: Scenario, seed: np.random.SeedSequence, steps: int) -> dict[str, Any]:
    """Run one replicate; returns its curves (metric -> values per day) and final outcomes."""
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(scenario, rng=seed)
    model.run(steps)
    summary = model.summary()
    curves = {m: np.asarray(model.datacollector.model_vars[m], dtype=float) for m in CURVES}
    return {
        "curves": curves,
        "t50": summary["t50"],
        "t90": summary["t90"],
        "mean_knowledge": summary["final_mean_knowledge"],
        "participation": summary["final_participation"],
        "silo_index": summary["final_silo_index"],
        "exchanges": float(sum(summary[f"total_{c}"] for c in CHANNELS)),
    }


@dataclass(frozen=True)
class ComparisonSpec:
    """What to compare: two scenarios, how many runs of each, of what size, from which seed."""

    what_if: Scenario
    baseline: Scenario
    labels: tuple[str, str] = ("Your what-if", "Baseline")
    replications: int = 10
    n_agents: int = 300
    seed: int = 1

    @property
    def steps(self) -> int:
        """Days per run: the what-if's."""
        return int(self.what_if.steps)

    def scenarios(self) -> tuple[Scenario, Scenario]:
        """Both scenarios at the comparison's headcount."""
        return tuple(s.with_overrides(n_agents=self.n_agents) for s in (self.what_if, self.baseline))


@dataclass(frozen=True)
class ComparisonResult:
    """Finished replicates of both scenarios.

    Attributes:
        spec: what was compared.
        runs: one row per run: ``group``, ``replicate``, and the outcomes.
        curves: tidy per-day values: ``group``, ``replicate``, ``step``, ``metric``, ``value``.
    """

    spec: ComparisonSpec
    runs: pd.DataFrame
    curves: pd.DataFrame

    def bands(self) -> dict[str, pd.DataFrame]:
        """Metric -> mean and 95% band per group and day."""
        return {m: curve_bands(self.curves, ["group"], m) for m in CURVES}

    def outcomes(self) -> pd.DataFrame:
        """A table for people: each outcome's mean [95% CI] for both groups."""
        what_if, baseline = self.spec.labels
        rows = []
        for column, label, percent in OUTCOMES:
            row = {"Outcome": label}
            for group in (what_if, baseline):
                values = self.runs.loc[self.runs["group"] == group, column].astype(float)
                row[group] = _format_ci(values, percent, self.spec.steps, column)
            rows.append(row)
        return pd.DataFrame(rows)

    def sentence(self) -> str:
        """The difference in plain words."""
        return describe(self.runs, self.spec.labels, self.spec.steps)


def _format_ci(values: pd.Series, percent: bool, steps: int, column: str) -> str:
    reached = values.notna()
    if column in ("t50", "t90") and not reached.all():
        if not reached.any():
            return f"not within {steps} days"
        mean, low, high = mean_ci(values[reached])
        return f"{mean:.0f} (reached in {int(reached.sum())} of {len(values)} runs)"
    mean, low, high = mean_ci(values)
    if percent:
        return f"{mean:.0%} [{low:.0%} to {high:.0%}]" if np.isfinite(low) else f"{mean:.0%}"
    return f"{mean:,.0f} [{low:,.0f} to {high:,.0f}]" if np.isfinite(low) else f"{mean:,.0f}"


def _reach(t90: pd.Series, steps: int) -> tuple[str, float | None]:
    """When the new idea reached 90% of staff in one group's runs, as a phrase, and the mean
    day if every run reached it."""
    reached = t90.dropna().astype(float)
    runs = len(t90)
    if len(reached) == runs:
        return f"in {reached.mean():.0f} working days", float(reached.mean())
    if len(reached) == 0:
        return f"in none of the {runs} runs within {steps} working days", None
    return (
        f"in {len(reached)} of {runs} runs, after {reached.mean():.0f} working days on average",
        None,
    )


def describe(runs: pd.DataFrame, labels: tuple[str, str], steps: int) -> str:
    """A plain sentence of how the what-if differs from the baseline.

    The first sentence is about the time for the new idea to reach 90% of staff; the second
    about what people know at the end, with the paired difference's 95% confidence interval
    (replicates share seeds, so replicate r of each group is a pair).
    """
    what_if, baseline = labels
    a = runs[runs["group"] == what_if].sort_values("replicate")
    b = runs[runs["group"] == baseline].sort_values("replicate")
    phrase_a, mean_a = _reach(a["t90"], steps)
    phrase_b, mean_b = _reach(b["t90"], steps)
    if mean_a is not None and mean_b is not None:
        gap = mean_a - mean_b
        change = "" if round(gap) == 0 else f"{abs(gap):.0f} days {'sooner' if gap < 0 else 'later'}; "
        first = (
            f"With your changes, the new idea reached 90% of staff in {mean_a:.0f} working days, "
            f"against {mean_b:.0f} in the baseline ({change}mean of {len(a)} runs each)."
        )
    else:
        first = (
            f"With your changes, the new idea reached 90% of staff {phrase_a}; in the baseline, "
            f"{phrase_b}."
        )
    ka, kb = a["mean_knowledge"].to_numpy(float), b["mean_knowledge"].to_numpy(float)
    pairs = min(ka.size, kb.size)
    diff, low, high = mean_ci(100 * (ka[:pairs] - kb[:pairs]))
    second = (
        f"After {steps} working days people know {ka.mean():.0%} of what there is to know, "
        f"against {kb.mean():.0%} in the baseline"
    )
    if np.isfinite(low):
        sure = (
            "a clear difference" if low > 0 or high < 0
            else "too small a difference to be sure of"
        )
        second += f" ({diff:+.1f} points, 95% confidence interval {low:+.1f} to {high:+.1f}: {sure})."
    else:
        second += "."
    return f"{first} {second}"


class ComparisonJob:
    """A comparison running in the background; poll ``done``, ``total``, ``result``, ``error``."""

    def __init__(self, spec: ComparisonSpec, pool: cf.Executor | None = None):
        """Prepare the runs (``pool`` defaults to the shared `executor`)."""
        self.spec = spec
        self.total = 2 * spec.replications
        self.done = 0
        self.result: ComparisonResult | None = None
        self.error: str | None = None
        self._pool = pool
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="orglearn-compare")

    @property
    def running(self) -> bool:
        """Whether runs are still going."""
        return self._thread.is_alive()

    @property
    def finished(self) -> bool:
        """Whether the job ended (with a result, an error, or cancelled)."""
        return self._thread.ident is not None and not self._thread.is_alive()

    def start(self) -> ComparisonJob:
        """Start the runs in a background thread; returns self."""
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop: runs not started are dropped, running ones are ignored."""
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        spec = self.spec
        pool = self._pool or executor()
        seeds = np.random.SeedSequence(spec.seed).spawn(spec.replications)
        futures: dict[cf.Future, tuple[str, int]] = {}
        try:
            for label, scenario in zip(spec.labels, spec.scenarios()):
                for r, seed in enumerate(seeds):
                    futures[pool.submit(replicate, scenario, seed, spec.steps)] = (label, r)
            records: list[tuple[str, int, dict[str, Any]]] = []
            for future in cf.as_completed(futures):
                if self._cancel.is_set():
                    break
                label, r = futures[future]
                records.append((label, r, future.result()))
                self.done += 1
            if self._cancel.is_set():
                self.error = "The comparison was stopped."
                return
            self.result = _assemble(spec, records, seeds)
        except BrokenProcessPool:
            _reset_executor()
            self.error = "A worker process stopped unexpectedly; please run the comparison again."
        except Exception as err:  # a failed run is shown in the page, never crashes it
            self.error = f"The comparison failed: {type(err).__name__}: {err}"
        finally:
            for future in futures:
                future.cancel()


def _assemble(
    spec: ComparisonSpec, records: list[tuple[str, int, dict[str, Any]]], seeds: list
) -> ComparisonResult:
    rows, curves = [], []
    for label, r, record in sorted(records, key=lambda x: (spec.labels.index(x[0]), x[1])):
        rows.append({
            "group": label,
            "replicate": r,
            "seed_spawn_key": "/".join(map(str, seeds[r].spawn_key)),
            **{k: v for k, v in record.items() if k != "curves"},
        })
        for metric, values in record["curves"].items():
            curves.append(pd.DataFrame({
                "group": label, "replicate": r, "step": np.arange(values.size),
                "metric": metric, "value": values,
            }))
    runs = pd.DataFrame(rows)
    for column in ("t50", "t90"):
        runs[column] = runs[column].astype("Float64").astype(float)
    return ComparisonResult(spec=spec, runs=runs, curves=pd.concat(curves, ignore_index=True))
