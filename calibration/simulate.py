"""Simulated weekly series, their summary statistics and the distance between statistics,
and running simulations here or on an executor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from orglearn.simulation.parameters import Parameters, dotted_overrides

__all__ = [
    "simulate_series",
    "summarise",
    "BLOCKS",
    "LEVEL",
    "Job",
    "Simulator",
    "relative_scale",
    "distance",
    "bands",
]

#: Blocks of consecutive weeks whose means summarise each series.
BLOCKS = 4
#: Coverage of the reported intervals.
LEVEL = 0.95


def simulate_series(
    scenario: Parameters,
    weeks: int,
    seed: Any,
    days_per_week: int = 5,
    warmup_weeks: int = 0,
    **overrides: Any,
) -> pd.DataFrame:
    """Run the model and return its weekly `SERIES` (index ``week`` 1, 2, ...).

    The first ``warmup_weeks`` weeks are run but not returned.
    """
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(scenario, rng=seed, **overrides)
    state, rows = model.state, []
    for week in range(warmup_weeks + weeks):
        before = model.steps  # whoever posts this week has last_post > before
        total = {"posts": 0, "questions": 0, "answers": 0}
        for _ in range(days_per_week):
            model.step()
            total["posts"] += model.counts.get("posts", 0)
            total["questions"] += model.counts.get("asks", 0)
            total["answers"] += model.counts.get("helps", 0)
        if week >= warmup_weeks:
            tools = state.has_tools
            posted = np.count_nonzero((state.last_post > before) & tools)
            rows.append({**total, "contributors": posted / max(1, np.count_nonzero(tools))})
    return pd.DataFrame(rows, index=pd.Index(np.arange(1, weeks + 1), name="week"), dtype=float)


def summarise(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Block means of each series (``BLOCKS`` blocks of consecutive weeks), series by series."""
    blocks = np.array_split(np.arange(len(frame)), min(BLOCKS, len(frame)))
    values = frame[names].to_numpy(dtype=float)
    return np.concatenate([[values[b, j].mean() for b in blocks] for j in range(len(names))])


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to simulate statistics (picklable)."""

    scenario: Parameters
    keys: tuple[str, ...]
    names: tuple[str, ...]
    weeks: int
    days_per_week: int
    warmup_weeks: int

    def overrides(self, theta) -> dict[str, float]:
        return dotted_overrides({k: float(v) for k, v in zip(self.keys, theta)})

    def series(self, theta, seed) -> pd.DataFrame:
        return simulate_series(
            self.scenario,
            self.weeks,
            seed,
            self.days_per_week,
            self.warmup_weeks,
            **self.overrides(theta),
        )

    def __call__(self, theta, seed) -> np.ndarray:
        return summarise(self.series(theta, seed), list(self.names))


def _run_job(job: Job, theta, seed) -> np.ndarray:
    return job(theta, seed)


def relative_scale(series: pd.Series) -> float:
    value = float(np.abs(series).mean())
    return value if value > 1e-9 else 1.0


def distance(stats_: np.ndarray, target: np.ndarray, scale: np.ndarray) -> float:
    return float(np.sqrt(np.mean(((stats_ - target) / scale) ** 2)))


def bands(runs: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
    stacked = np.stack([r[names].to_numpy() for r in runs])  # runs x weeks x series
    rows = []
    for j, name in enumerate(names):
        low, mid, high = np.quantile(stacked[:, :, j], [0.05, 0.5, 0.95], axis=0)
        mean = stacked[:, :, j].mean(axis=0)
        rows.append(
            pd.DataFrame(
                {
                    "week": runs[0].index,
                    "series": name,
                    "mean": mean,
                    "median": mid,
                    "low": low,
                    "high": high,
                    "runs": len(runs),  # for the fit plot, which states its n
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


class Simulator:
    """Runs a job at many points, here or on an executor made once (see experiments.runner)."""

    def __init__(self, job: Job, workers: int, scheduler: str | None):
        self.job, self.executor, self.close = job, None, lambda: None
        if workers > 1 or scheduler:
            from orglearn.experiments.runner import _executor

            self.executor, self.close, _ = _executor(workers, scheduler)

    def __call__(self, thetas: np.ndarray, seeds) -> np.ndarray:
        if self.executor is None:
            return np.array([self.job(t, s) for t, s in zip(thetas, seeds)])
        jobs = [self.job] * len(thetas)
        return np.array(list(self.executor.map(_run_job, jobs, list(thetas), list(seeds))))
