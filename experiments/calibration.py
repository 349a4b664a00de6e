"""Calibration: fit chosen parameters to observed weekly activity of a real organisation.

**Observed series.** A CSV file with a ``week`` column (consecutive integers) and one or more
of the series in `SERIES`, e.g. from enterprise-social-network logs: ``posts``, ``questions``
and ``answers`` (counts per week) and ``contributors`` (share of people with ESN access who
posted that week). A simulated week is ``days_per_week`` steps (working days).

**Summary statistics.** Each series is cut into up to `BLOCKS` consecutive blocks of weeks and
reduced to the block means; the distance between two sets of statistics is the root mean square
of their differences, each divided by the observed series' mean (a relative error).

**Methods.**

- ``quick``: a point estimate with scipy.optimize on a quadratic response surface of the
  statistics, fitted by least squares to simulations on a Latin-hypercube design, first over the
  whole box of bounds and then (up to `LOCAL_ROUNDS` times) in a smaller box around the estimate.
  The **interval** is a parametric bootstrap of the whole estimator with no new simulations: the
  observed statistics are redrawn from a normal distribution with the simulations' residual
  covariance and the surface's coefficients from their least-squares sampling distribution, and
  the estimate is recomputed `BOOTSTRAP` times; the interval holds the middle 95% of the
  re-estimates.
- ``abc``: approximate Bayesian computation with pyabc's ABC-SMC (Del Moral et al. 2012), a
  uniform prior over the bounds, the distance above, on one core, local processes or a Dask
  cluster (``scheduler``). The estimate is the weighted posterior median; the **interval** is
  the weighted 2.5% and 97.5% posterior quantiles of the last generation.

References:
    Gourieroux, C., & Monfort, A. (1996). Simulation-Based Econometric Methods. Oxford UP.
    Del Moral, P., Doucet, A., & Jasra, A. (2012). An adaptive sequential Monte Carlo method for
    approximate Bayesian computation. Statistics and Computing, 22, 1009-1020.
    Schaelte, Y., et al. (2022). pyABC: Efficient and robust easy-to-use approximate Bayesian
    computation. Journal of Open Source Software, 7(74), 4304.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from simulation.parameters import SECTIONS, Parameters, dotted_overrides

__all__ = [
    "SERIES",
    "Observed",
    "FitParameter",
    "Calibration",
    "read_observed",
    "fit_parameters",
    "simulate_series",
    "summarise",
    "calibrate",
    "plot_fit",
    "calibrated_scenario",
    "write_calibration",
]

#: Observable weekly series and how the model produces them.
SERIES: dict[str, str] = {
    "posts": "ESN posts in the week (the model's posts, process 3)",
    "questions": "requests for help in the week (the model's asks, process 2)",
    "answers": "help given in the week (the model's helps, process 2)",
    "contributors": "share of people with ESN access who posted at least once in the week",
}
BLOCKS = 4
LOCAL_ROUNDS = 3
BOOTSTRAP = 200
LEVEL = 0.95


# -- observed data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    """Observed weekly series: ``frame`` has one column per series, indexed by week."""

    file: str
    frame: pd.DataFrame

    @property
    def names(self) -> list[str]:
        """The series observed."""
        return list(self.frame.columns)

    @property
    def weeks(self) -> int:
        """Number of weeks."""
        return len(self.frame)


def _error(file, problem, row=None, column=None, line=None):
    from scenarios.loader import ScenarioError

    if row is not None:
        problem, line = f"(row {row}) {problem}", row + 1
    return ScenarioError(str(file), problem, key=column, line=line)


def read_observed(path: str | Path) -> Observed:
    """Read and check an observed-series CSV file.

    Raises:
        scenarios.ScenarioError: naming the file, the row, the column and the problem.
    """
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skip_blank_lines=True, encoding="utf-8-sig"
        )
    except FileNotFoundError:
        raise _error(path, "no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as err:
        raise _error(path, f"is not a readable CSV file: {str(err).strip()}") from None
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    allowed = f"week and one or more of {', '.join(SERIES)}"
    unknown = [c for c in frame.columns if c not in SERIES and c != "week"]
    if "week" not in frame.columns or unknown or len(frame.columns) < 2:
        what = f"has the unknown column {unknown[0]}" if unknown else "lacks columns"
        raise _error(path, f"{what}; an activity file has the columns {allowed}", line=1)
    if len(frame) < 2:
        raise _error(path, f"has {len(frame)} weeks of data; calibration needs at least 2")
    values = {}
    for column in frame.columns:
        raw = frame[column].str.strip()
        number = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(number) | (number < 0)
        if column == "contributors":
            bad |= number > 1
            rule = "a share from 0 to 1"
        elif column == "week":
            bad |= number != np.round(number)
            rule = "a whole number"
        else:
            rule = "a count >= 0"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _error(path, f"is {raw.iloc[i]!r}; it must be {rule}", row=i + 1, column=column)
        values[column] = number
    week = values.pop("week").astype(np.int64)
    gaps = np.flatnonzero(np.diff(week) != 1)
    if gaps.size:
        i = int(gaps[0]) + 1
        raise _error(
            path,
            f"is {week[i]} after week {week[i - 1]}; weeks must be consecutive and in order",
            row=i + 1,
            column="week",
        )
    return Observed(str(path), pd.DataFrame(values, index=pd.Index(week, name="week")))


# -- parameters to fit ------------------------------------------------------------------------


@dataclass(frozen=True)
class FitParameter:
    """A parameter to fit and its bounds (a uniform prior for ABC)."""

    section: str
    name: str
    low: float
    high: float

    @property
    def key(self) -> str:
        """``section.field``."""
        return f"{self.section}.{self.name}"


def fit_parameters(
    names, bounds: dict[str, tuple[float, float]] | None = None
) -> list[FitParameter]:
    """Resolve parameter names (``generosity``, ``traits.generosity`` or ``traits__generosity``).

    Bounds default to the parameter's allowed range; ``bounds`` may narrow them, keyed by any
    of the same spellings.

    Raises:
        ValueError: a name is unknown, ambiguous, not a number, or has no finite bounds.
    """
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    given = {_locate(k): v for k, v in (bounds or {}).items()}
    out: list[FitParameter] = []
    for raw in names:
        section, name = _locate(raw)
        info = SECTIONS[section].model_fields[name]
        if info.annotation is not float:
            raise ValueError(
                f"The parameter '{section}.{name}' is not a number that can be fitted "
                "(only real-valued parameters can)."
            )
        low = high = None
        for item in info.metadata:
            low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
            low = getattr(item, "gt", None) if getattr(item, "gt", None) is not None else low
            high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
        low, high = given.get((section, name), (low, high))
        if low is None or high is None or not low < high:
            raise ValueError(
                f"The parameter '{section}.{name}' needs bounds LOW < HIGH, e.g. "
                f"--bounds {name}=0:1. Got {low}, {high} instead."
            )
        out.append(FitParameter(section, name, float(low), float(high)))
    if not out or len({p.key for p in out}) < len(out):
        raise ValueError(
            "Give one or more different parameters to fit, e.g. lurker_share,generosity."
        )
    return out


def _locate(text: str) -> tuple[str, str]:
    text = text.strip().replace("__", ".")
    if "." in text:
        section, _, name = text.partition(".")
        if section in SECTIONS and name in SECTIONS[section].model_fields:
            return section, name
        raise ValueError(f"Unknown parameter '{text}'; use section.field, e.g. traits.generosity.")
    found = [s for s, cls in SECTIONS.items() if text in cls.model_fields]
    if len(found) == 1:
        return found[0], text
    if found:
        raise ValueError(
            f"Parameter '{text}' is ambiguous; use one of: "
            f"{', '.join(f'{s}.{text}' for s in found)}."
        )
    raise ValueError(
        f"Unknown parameter '{text}'. Examples: lurker_share, generosity, proactivity."
    )


# -- simulation and statistics ----------------------------------------------------------------


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
    from simulation.model import SocialLearningModel

    model = SocialLearningModel(scenario=scenario, rng=seed, **overrides)
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
class _Job:
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


def _run_job(job: _Job, theta, seed) -> np.ndarray:
    return job(theta, seed)


class _AbcModel:
    """pyabc model: parameters dict in, statistics dict out; draws its seed from numpy."""

    def __init__(self, job: _Job):
        self.job = job

    def __call__(self, pars: dict) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc seeds numpy's global state
        values = self.job([pars[k] for k in self.job.keys], seed)
        return {f"s{i}": float(v) for i, v in enumerate(values)}


# -- the calibration --------------------------------------------------------------------------


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
    job = _Job(
        scenario,
        tuple(p.key for p in fit),
        tuple(observed.names),
        observed.weeks,
        days_per_week,
        warmup_weeks,
    )
    target = summarise(observed.frame, observed.names)
    scale = np.repeat(
        [_scale(observed.frame[n]) for n in observed.names], target.size // len(observed.names)
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
        simulate = _Simulator(job, workers, scheduler)
        try:
            result = _quick(job, simulate, target, scale, lo, hi, seed, design, say)
        finally:
            simulate.close()
    elif method == "abc":
        result = _abc(
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
    fitted = _bands(runs, observed.names)
    mean_stats = np.mean([summarise(r, observed.names) for r in runs], axis=0)
    return Calibration(
        method=method,
        parameters=fit,
        estimate=estimate,
        low=low,
        high=high,
        interval=interval,
        distance=_distance(mean_stats, target, scale),
        observed=observed,
        simulations=simulations + len(runs),
        fitted=fitted,
        samples=samples,
        settings={**settings, **extra},
    )


def _scale(series: pd.Series) -> float:
    value = float(np.abs(series).mean())
    return value if value > 1e-9 else 1.0


def _distance(stats_: np.ndarray, target: np.ndarray, scale: np.ndarray) -> float:
    return float(np.sqrt(np.mean(((stats_ - target) / scale) ** 2)))


def _bands(runs: list[pd.DataFrame], names: list[str]) -> pd.DataFrame:
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
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


class _Simulator:
    """Runs a job at many points, here or on an executor made once (see experiments.runner)."""

    def __init__(self, job: _Job, workers: int, scheduler: str | None):
        self.job, self.executor, self.close = job, None, lambda: None
        if workers > 1 or scheduler:
            from experiments.runner import _executor

            self.executor, self.close, _ = _executor(workers, scheduler)

    def __call__(self, thetas: np.ndarray, seeds) -> np.ndarray:
        if self.executor is None:
            return np.array([self.job(t, s) for t, s in zip(thetas, seeds)])
        jobs = [self.job] * len(thetas)
        return np.array(list(self.executor.map(_run_job, jobs, list(thetas), list(seeds))))


# -- quick: response surface, scipy.optimize, parametric bootstrap ----------------------------


def _features(x: np.ndarray) -> np.ndarray:
    """Quadratic features [1, x_i, x_i x_j (i <= j)] of points scaled to the box."""
    x = np.atleast_2d(x)
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([np.ones((x.shape[0], 1)), x, x[:, i] * x[:, j]])


def _feature_jacobian(x: np.ndarray) -> np.ndarray:
    """Derivatives of `_features` at one point x: a (features x parameters) matrix."""
    p = x.size
    i, j = np.triu_indices(p)
    jac = np.zeros((1 + p + i.size, p))
    jac[1 : 1 + p] = np.eye(p)
    rows = 1 + p + np.arange(i.size)
    np.add.at(jac, (rows, i), x[j])
    np.add.at(jac, (rows, j), x[i])
    return jac


def _quick(job, simulate, target, scale, lo, hi, seed, design, say):
    p = lo.size
    n = design or max(16, 12 * p)
    seeds = iter(np.random.SeedSequence([seed, 0]).spawn(n * (LOCAL_ROUNDS + 1)))  # enough
    thetas = np.empty((0, p))
    values = np.empty((0, target.size))
    box_lo, box_hi = lo.copy(), hi.copy()
    for round_ in range(LOCAL_ROUNDS + 1):
        if round_ == 1:  # later rounds reuse the earlier points that fall in their box
            n = max(_features(np.zeros((1, p))).shape[1] + 4, n // 2)
        unit = stats.qmc.LatinHypercube(d=p, seed=np.random.default_rng([seed, round_])).random(n)
        new = box_lo + unit * (box_hi - box_lo)
        say(f"round {round_ + 1}: {n} simulations in {_box_text(box_lo, box_hi)}")
        batch = [next(seeds) for _ in range(n)]
        thetas = np.vstack([thetas, new])
        values = np.vstack([values, simulate(new, batch)])
        inside = np.all((thetas >= box_lo - 1e-12) & (thetas <= box_hi + 1e-12), axis=1)
        surface = _Surface(thetas[inside], values[inside], box_lo, box_hi)
        estimate = surface.minimise(target, scale, thetas[inside])
        boots = surface.bootstrap(target, scale, estimate, np.random.default_rng([seed, 2, round_]))
        low, high = np.quantile(boots, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
        if round_ > 0 and _settled(low, high, box_lo, box_hi, lo, hi):
            break
        # Next: a smaller box around the estimate, wide enough for its bootstrap spread.
        half = np.clip(3 * boots.std(axis=0), 0.05 * (hi - lo), 0.25 * (hi - lo))
        box_lo, box_hi = np.maximum(lo, estimate - half), np.minimum(hi, estimate + half)
    interval = (
        f"{LEVEL:.0%} parametric bootstrap of the response-surface estimate "
        f"({BOOTSTRAP} redraws of the observed statistics and the surface; no new runs)"
    )
    samples = pd.DataFrame(boots, columns=list(job.keys))
    extra = {
        "design_points": int(len(thetas)),
        "local_box": [box_lo.tolist(), box_hi.tolist()],
        "surface_points": int(inside.sum()),
    }
    return (
        estimate,
        np.minimum(low, estimate),
        np.maximum(high, estimate),
        interval,
        len(thetas),
        samples,
        extra,
    )


def _settled(low, high, box_lo, box_hi, lo, hi) -> bool:
    """Whether the interval lies inside the box, away from edges that are not global bounds."""
    margin = 0.02 * (box_hi - box_lo)
    ok_low = (low > box_lo + margin) | np.isclose(box_lo, lo)
    ok_high = (high < box_hi - margin) | np.isclose(box_hi, hi)
    return bool(np.all(ok_low & ok_high))


def _box_text(lo, hi) -> str:
    return ", ".join(f"[{a:.3g}, {b:.3g}]" for a, b in zip(lo, hi))


class _Surface:
    """Least-squares quadratic surface of every statistic over a box of parameter values."""

    def __init__(self, thetas, values, lo, hi):
        self.lo, self.hi = lo, hi
        x = self._scaled(thetas)
        features = _features(x)
        self.beta, *_ = np.linalg.lstsq(features, values, rcond=None)
        resid = values - features @ self.beta
        dof = max(1, len(thetas) - features.shape[1])
        self.noise = resid.T @ resid / dof  # covariance of one simulation's statistics
        self.xtx_inv = np.linalg.pinv(features.T @ features)

    def _scaled(self, theta):
        return 2.0 * (np.atleast_2d(theta) - self.lo) / (self.hi - self.lo) - 1.0

    def predict(self, theta, beta=None) -> np.ndarray:
        return _features(self._scaled(theta)) @ (self.beta if beta is None else beta)

    def minimise(self, target, scale, starts, beta=None) -> np.ndarray:
        """The point of the box whose predicted statistics are nearest ``target`` (scaled
        least squares, `scipy.optimize.least_squares` from the best of ``starts``)."""
        beta = self.beta if beta is None else beta
        half = (self.hi - self.lo) / 2.0

        def residual(theta):
            return (self.predict(theta, beta)[0] - target) / scale

        def jacobian(theta):
            x = self._scaled(theta)[0]
            return (_feature_jacobian(x).T @ beta).T / scale[:, None] / half[None, :]

        fitted = np.sum(((self.predict(starts, beta) - target) / scale) ** 2, axis=1)
        best = None
        for start in starts[np.argsort(fitted)[:3]]:
            res = optimize.least_squares(
                residual,
                np.clip(start, self.lo, self.hi),
                jac=jacobian,
                bounds=(self.lo, self.hi),
                method="trf",
            )
            if best is None or res.cost < best.cost:
                best = res
        return best.x

    def bootstrap(self, target, scale, estimate, rng) -> np.ndarray:
        m, q = target.size, self.xtx_inv.shape[0]
        root_noise, root_x = _root(self.noise), _root(self.xtx_inv)
        out = np.empty((BOOTSTRAP, estimate.size))
        for b in range(BOOTSTRAP):
            observed = target + root_noise @ rng.standard_normal(m)
            # vec(beta) ~ N(vec(beta_hat), noise (x) (X'X)^-1): a matrix-normal draw.
            beta = self.beta + root_x @ rng.standard_normal((q, m)) @ root_noise.T
            out[b] = self.minimise(observed, scale, estimate[None, :], beta)
        return out


def _root(cov: np.ndarray) -> np.ndarray:
    """A matrix R with R R' = cov, for a symmetric positive semi-definite (maybe singular) cov."""
    values, vectors = np.linalg.eigh((cov + cov.T) / 2)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


# -- abc: pyabc ABC-SMC -----------------------------------------------------------------------


def _abc(
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
    progress_shown=False,
):
    import pyabc
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    level = logging.INFO if progress_shown else logging.WARNING  # pyabc logs each generation
    for name in (
        "ABC",
        "ABC.Sampler",
        "ABC.Epsilon",
        "ABC.Distance",
        "ABC.Acceptor",
        "ABC.History",
    ):
        logging.getLogger(name).setLevel(level)
    client = None
    if scheduler:
        from distributed import Client

        client = Client(scheduler, timeout="30s")
        sampler = DaskDistributedSampler(dask_client=client)
    elif workers > 1:
        sampler = MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = SingleCoreSampler()
    np.random.seed(seed % 2**32)
    prior = pyabc.Distribution(**{p.key: pyabc.RV("uniform", p.low, p.high - p.low) for p in fit})
    weights = {f"s{i}": 1.0 / s for i, s in enumerate(scale)}
    abc = pyabc.ABCSMC(
        _AbcModel(job),
        prior,
        pyabc.PNormDistance(p=2, fixed_weights=weights),
        population_size=population,
        sampler=sampler,
    )
    cleanup = None
    if workdir is None:
        cleanup = tempfile.TemporaryDirectory(prefix="orglearn-abc-")
        workdir = cleanup.name
    db = Path(workdir) / "abc.db"
    try:
        say(
            f"ABC-SMC: {population} particles, up to {generations} generations "
            f"and {max_simulations} simulations"
        )
        abc.new(f"sqlite:///{db}", {f"s{i}": float(v) for i, v in enumerate(target)})
        history = abc.run(max_nr_populations=generations, max_total_nr_simulations=max_simulations)
        frame, w = history.get_distribution(m=0, t=history.max_t)
        keys = [p.key for p in fit]
        points = frame[keys].to_numpy()
        quant = pyabc.weighted_statistics.weighted_quantile
        estimate, low, high = (
            np.array([quant(points[:, j], weights=w, alpha=a) for j in range(len(keys))])
            for a in (0.5, (1 - LEVEL) / 2, (1 + LEVEL) / 2)
        )
        simulations = int(history.total_nr_simulations)
        epsilons = [float(e) for e in history.get_all_populations()["epsilon"] if np.isfinite(e)]
        samples = frame[keys].assign(weight=w).reset_index(drop=True)
        used = int(history.max_t) + 1
    finally:
        if client is not None:
            client.close()
        if cleanup is not None:
            cleanup.cleanup()
    interval = (
        f"{LEVEL:.0%} weighted posterior quantiles of the last ABC-SMC generation "
        "(uniform prior over the bounds)"
    )
    extra = {
        "generations": used,
        "epsilons": epsilons,
        "population": population,
        "history": None if cleanup else db.name,
    }
    return estimate, low, high, interval, simulations, samples, extra


# -- outputs ----------------------------------------------------------------------------------


def plot_fit(result: Calibration, path: str | Path) -> Path:
    """Observed series against the model at the estimate, and each parameter's estimate.

    Top row: each observed series (black) with the simulated median and 5-95% range of 8 runs
    at the estimate. Bottom row: each parameter's bootstrap re-estimates (quick) or posterior
    particles (abc), the estimate and the interval.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names, params = result.observed.names, result.parameters
    cols = max(len(names), len(params))
    fig, axes = plt.subplots(
        2, cols, figsize=(3.6 * cols, 6.4), constrained_layout=True, squeeze=False
    )
    for ax, name in zip(axes[0], names):
        sim = result.fitted[result.fitted["series"] == name]
        ax.fill_between(
            sim["week"],
            sim["low"],
            sim["high"],
            color="tab:blue",
            alpha=0.25,
            label="model, 5-95% of runs",
        )
        ax.plot(sim["week"], sim["median"], color="tab:blue", label="model, median")
        observed = result.observed.frame[name]
        ax.plot(
            np.arange(1, len(observed) + 1),
            observed.to_numpy(),
            "o-",
            color="black",
            markersize=3,
            linewidth=1,
            label="observed",
        )
        ax.set(title=name, xlabel="week", ylim=(0, None))
    axes[0][0].legend(fontsize="small")
    weights = result.samples["weight"].to_numpy() if "weight" in result.samples else None
    for ax, p, est, low, high in zip(axes[1], params, result.estimate, result.low, result.high):
        if p.key in result.samples:
            ax.hist(result.samples[p.key], bins=30, weights=weights, color="tab:grey", alpha=0.6)
        ax.axvspan(low, high, color="tab:orange", alpha=0.2, label=f"{LEVEL:.0%} interval")
        ax.axvline(est, color="tab:orange", linewidth=2, label="estimate")
        ax.set(
            title=f"{p.key} = {est:.3g} [{low:.3g}, {high:.3g}]", xlim=(p.low, p.high), yticks=[]
        )
        ax.title.set_fontsize("small")
    axes[1][0].legend(fontsize="small")
    for row in axes:
        for ax in row:
            if not ax.has_data() and not ax.patches:
                ax.axis("off")
    fig.suptitle(f"Calibration ({result.method}): distance {result.distance:.3f}")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def calibrated_scenario(scenario, result: Calibration, folder: str | Path):
    """The scenario with the estimates in place, described, chart paths relative to ``folder``."""
    import os

    updated = scenario.with_overrides(**result.overrides())
    estimates = "; ".join(
        f"{p.key} = {e:.4g} [{lo:.4g}, {hi:.4g}]"
        for p, e, lo, hi in zip(result.parameters, result.estimate, result.low, result.high)
    )
    org = {}
    if updated.organisation.people_file:  # write the chart's size, which the model uses
        from simulation.orgchart import read_chart

        chart = read_chart(updated.organisation.people_file, updated.organisation.ties_file)
        org.update(n_agents=chart.n, departments=chart.departments)
    for key in ("people_file", "ties_file"):
        value = getattr(updated.organisation, key)
        if value:
            org[key] = os.path.relpath(value, Path(folder).resolve())
    name = f"{scenario.name or 'scenario'}_calibrated"
    return updated.with_overrides(organisation=org).model_copy(
        update={
            "name": name,
            "title": f"{scenario.title or scenario.name} (calibrated)",
            "rationale": (
                f"{scenario.rationale} Calibrated to {Path(result.observed.file).name} "
                f"({result.observed.weeks} weeks of {', '.join(result.observed.names)}) with "
                f"the {result.method} method: {estimates} ({result.interval})."
            ).strip(),
            "against": scenario.name or None,
        }
    )


def write_calibration(
    result: Calibration, scenario, out: str | Path, staging: str | Path | None = None
) -> list[Path]:
    """Write a calibration's files into ``out``, all or nothing.

    Files: ``estimates.csv``, ``samples.csv`` (bootstrap re-estimates or posterior particles),
    ``calibration.json``, ``fit.png``, ``NAME_calibrated.toml`` and, for ABC, ``abc.db`` (if
    ``staging`` was the ``workdir`` of `calibrate`). Files are written into ``staging`` (or a
    new temporary folder beside ``out``) and then moved in.
    """
    import json
    import os
    import shutil
    from datetime import datetime, timezone

    from experiments.tasks import environment
    from scenarios import to_toml

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    own = staging is None
    staging = Path(staging or tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        result.table().to_csv(staging / "estimates.csv", index=False)
        result.samples.to_csv(staging / "samples.csv", index=False)
        plot_fit(result, staging / "fit.png")
        calibrated = calibrated_scenario(scenario, result, out)
        toml_name = f"{calibrated.name}.toml"
        header = (
            f"# Calibrated by 'orglearn calibrate' ({result.method}); the estimates and "
            "intervals are in the rationale\n# and in calibration.json beside this file.\n\n"
        )
        (staging / toml_name).write_text(header + to_toml(calibrated), encoding="utf-8")
        record = {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "scenario": scenario.name,
            "observed_file": str(Path(result.observed.file).resolve()),
            "weeks": result.observed.weeks,
            "series": result.observed.names,
            "method": result.method,
            "interval": result.interval,
            "estimates": result.table().to_dict(orient="records"),
            "distance": result.distance,
            "simulations": result.simulations,
            "settings": result.settings,
            "versions": environment(),
        }
        (staging / "calibration.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
        out.mkdir(exist_ok=True)
        written = []
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
            written.append(out / item.name)
        return written
    finally:
        if own:
            shutil.rmtree(staging, ignore_errors=True)
