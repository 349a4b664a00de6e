"""`calibrate`: fit parameters to observed series with the ``quick`` or ``abc`` method."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orglearn.calibration.abc_smc import abc_fit
from orglearn.calibration.free_parameters import FitParameter
from orglearn.calibration.observed import Observed
from orglearn.calibration.simulate import (
    BLOCKS,
    Job,
    Simulator,
    bands,
    distance,
    relative_scale,
    summarise,
)
from orglearn.calibration.surface import quick_fit
from orglearn.simulation.parameters import Parameters, dotted_overrides

__all__ = ["Calibration", "calibrate"]


@dataclass
class Calibration:
    """The result of `calibrate`."""

    method: str
    parameters: list[FitParameter]
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    interval: str
    distance: float
    observed: Observed
    simulations: int
    fitted: pd.DataFrame = field(default_factory=pd.DataFrame)
    samples: pd.DataFrame = field(default_factory=pd.DataFrame)
    settings: dict[str, Any] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per parameter: estimate, interval and bounds."""
        return pd.DataFrame(
            {
                "parameter": [p.key for p in self.parameters],
                "estimate": self.estimate,
                "low": self.low,
                "high": self.high,
                "bound_low": [p.low for p in self.parameters],
                "bound_high": [p.high for p in self.parameters],
                "method": self.method,
            }
        )

    def overrides(self) -> dict[str, float]:
        """The estimates as model overrides (``section__field``)."""
        return dotted_overrides({p.key: float(v) for p, v in zip(self.parameters, self.estimate)})


def calibrate(
    scenario: Parameters,
    observed: Observed,
    fit: list[FitParameter],
    method: str = "quick",
    seed: int = 0,
    days_per_week: int = 5,
    warmup_weeks: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    design: int | None = None,
    population: int = 100,
    generations: int = 6,
    max_simulations: int = 3000,
    workdir: str | Path | None = None,
    progress=None,
) -> Calibration:
    """Fit ``fit`` so that the scenario's simulated weekly series match ``observed``.

    Args:
        scenario: the scenario (its other parameters stay as they are).
        observed: from `read_observed`.
        fit: from `fit_parameters`.
        method: ``"quick"`` or ``"abc"`` (see the module docstring).
        seed: root of the simulations' seeds (quick) and of numpy's state (abc, one worker).
        days_per_week: steps per observed week.
        warmup_weeks: weeks simulated before the first observed week.
        workers: local processes (1: this process).
        scheduler: a Dask scheduler address (``tcp://host:port``) to run on instead.
        design: quick: simulations in the first design round (default: max(16, 12 x
            parameters)); later rounds run half as many.
        population, generations, max_simulations: abc: particles per generation, at most that
            many generations, and a budget of simulations.
        workdir: abc: folder for pyabc's history database ``abc.db`` (default: a temporary one).
        progress: a callable given one line of text at each stage, or None.
    """
    say = progress or (lambda text: None)
    job = Job(
        scenario,
        tuple(p.key for p in fit),
        tuple(observed.names),
        observed.weeks,
        days_per_week,
        warmup_weeks,
    )
    target = summarise(observed.frame, observed.names)
    scale = np.repeat(
        [relative_scale(observed.frame[n]) for n in observed.names], target.size // len(observed.names)
    )
    lo, hi = np.array([p.low for p in fit]), np.array([p.high for p in fit])
    settings = {
        "seed": seed,
        "days_per_week": days_per_week,
        "warmup_weeks": warmup_weeks,
        "statistics": f"block means of {', '.join(observed.names)} "
        f"({min(BLOCKS, observed.weeks)} blocks)",
    }
    if method == "quick":
        simulate = Simulator(job, workers, scheduler)
        try:
            result = quick_fit(job, simulate, target, scale, lo, hi, seed, design, say)
        finally:
            simulate.close()
    elif method == "abc":
        result = abc_fit(
            job,
            target,
            scale,
            fit,
            seed,
            workers,
            scheduler,
            population,
            generations,
            max_simulations,
            workdir,
            say,
            progress_shown=progress is not None,
        )
    else:
        raise ValueError(f"The 'method' must be 'quick' or 'abc'. Got {method!r} instead.")
    estimate, low, high, interval, simulations, samples, extra = result
    say("simulating the fit at the estimate")
    runs = [job.series(estimate, s) for s in np.random.SeedSequence([seed, 1]).spawn(8)]
    fitted = bands(runs, observed.names)
    mean_stats = np.mean([summarise(r, observed.names) for r in runs], axis=0)
    return Calibration(
        method=method,
        parameters=fit,
        estimate=estimate,
        low=low,
        high=high,
        interval=interval,
        distance=distance(mean_stats, target, scale),
        observed=observed,
        simulations=simulations + len(runs),
        fitted=fitted,
        samples=samples,
        settings={**settings, **extra},
    )
