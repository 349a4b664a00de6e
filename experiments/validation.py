"""``orglearn validate``: reproduce the canonical models' published results on orglearn's engine.

Three reproductions, each a set of jobs (one parameter point, all its replications vectorised
in one call) and a summary that turns the jobs' per-replication values into points (mean and
95% t confidence interval) and checks (a published claim, our numbers, passed or not):

* ``march1991``: March (1991) figure 1 (equilibrium knowledge against ``p1`` for three ``p2``),
  under the paper's rules and under his original program's rules (compared with a published
  recreation of that program), figure 2 (fast and slow learners mixed), figure 4 (turnover,
  knowledge at period 20) and figure 5 (turbulence with and without turnover).
* ``bass``: the agent-based Bass (1969) model against its closed form.
* ``granovetter``: Granovetter's (1978) uniform crowd, its one-person perturbation, and the
  jump of the cascade with the spread of normally distributed thresholds.

A job's numbers depend only on the seed and the job's fixed key (its `numpy.random.SeedSequence`
spawn key), never on how many workers ran it. The CLI writes ``validation.csv`` (every point),
``checks.csv`` and one PNG per figure into ``--out``; ``docs/validation.md`` explains each.

References:
    See `simulation.canonical.march1991`, `simulation.canonical.bass` and
    `simulation.canonical.granovetter`.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.arguments import int_at_least
from simulation.canonical.bass import bass_closed_form, bass_recursion, run_bass
from simulation.canonical.granovetter import (
    cascade_path,
    critical_sd,
    mean_field_cascade,
    perturbed_thresholds,
    run_cascades,
    uniform_thresholds,
)
from simulation.canonical.march1991 import run_march

__all__ = [
    "MODELS",
    "Point",
    "Check",
    "Validation",
    "run_validation",
    "write_validation",
    "add_validate_command",
    "validate_command",
    "run_job",
    "REFERENCE_FIG1",
]

#: The reproductions `orglearn validate` knows, in the order ``all`` runs them.
MODELS: tuple[str, ...] = ("march1991", "bass", "granovetter")

#: Mean code score (matches minus mismatches over m) at equilibrium from Workiewicz's (2019)
#: recreation of March's original program (stepwise socialisation, superiority judged on
#: actions), 10,000 runs per point, p1 = 0.1..0.9; github.com/Mac13kW/March_1991_Original,
#: file Output/March_1991_p1_0.1-0.9_p2_0.1-0.9_p3_0_p4_0_t_limit_100_i_10000.csv.
REFERENCE_FIG1: dict[float, tuple[float, ...]] = {
    0.1: (0.8633, 0.8171, 0.8051, 0.8021, 0.7994, 0.8032, 0.8060, 0.8090, 0.8132),
    0.5: (0.9543, 0.9088, 0.8691, 0.8371, 0.8106, 0.7867, 0.7679, 0.7540, 0.7421),
    0.9: (0.9724, 0.9404, 0.9081, 0.8737, 0.8401, 0.8067, 0.7796, 0.7561, 0.7284),
}

P1_GRID = tuple(round(0.1 * i, 1) for i in range(1, 10))
P2_VALUES = (0.1, 0.5, 0.9)
PAPER = {"socialisation": "direct", "superiority": "knowledge"}
PROGRAM = {"socialisation": "stepwise", "superiority": "actions"}
SLOW_COUNTS = tuple(range(0, 51, 5))
TURNOVER_GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
BASS = {"n": 10_000, "p": 0.03, "q": 0.38, "dt": 0.05, "t_max": 30.0}
BASS_TOLERANCE = 0.02
GRANOVETTER_N = 100
GRANOVETTER_SDS = tuple(round(0.5 * i, 1) for i in range(0, 51))
GRANOVETTER_MEAN_FIELD_SDS = tuple(round(0.1 * i, 1) for i in range(0, 251))


@dataclass(frozen=True)
class Point:
    """One point of a reproduced figure: a mean over replications with its 95% CI.

    ``kind`` is ``simulated`` (ours), ``analytic`` (a closed form or deterministic
    recursion) or ``reference`` (a published value); the last two have ``low = high = mean``
    or NaN bounds.
    """

    model: str
    figure: str
    series: str
    kind: str
    metric: str
    x_name: str
    x: float
    mean: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class Check:
    """A published result, what we got, and whether ours reproduces it."""

    model: str
    figure: str
    claim: str
    ours: str
    passed: bool


@dataclass
class Validation:
    """The points and checks of the reproductions that ran, and how they ran."""

    points: list[Point] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    replications: int = 80
    seed: int = 1991
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(c.passed for c in self.checks)

    def table(self) -> pd.DataFrame:
        """Every point as a tidy table (the ``validation.csv`` file)."""
        return pd.DataFrame([asdict(p) for p in self.points], columns=list(Point.__annotations__))


# --- jobs: one parameter point, all replications, run anywhere ---------------------------------


@dataclass(frozen=True)
class _Job:
    kind: str
    kwargs: dict[str, Any]
    key: tuple[int, ...]


def run_job(kind: str, kwargs: dict[str, Any], seed: int, key: tuple[int, ...]) -> dict:
    """Run one job; a picklable top-level function for any `concurrent.futures.Executor`.

    Args:
        kind: ``"march"``, ``"bass"`` or ``"cascades"``.
        kwargs: the model function's arguments (replications included).
        seed: the validation's root seed.
        key: the job's fixed spawn key; with ``seed`` it alone decides the random numbers.

    Returns:
        Per-replication arrays by name.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    if kind == "march":
        run = run_march(rng=rng, **kwargs)
        out = {"knowledge": run.knowledge, "score": run.score, "converged": run.converged}
        if run.series is not None:
            out["series"] = run.series
        return out
    if kind == "bass":
        times, shares = run_bass(rng=rng, **kwargs)
        return {"times": times, "shares": shares}
    if kind == "cascades":
        return {"size": run_cascades(rng=rng, **kwargs)}
    raise ValueError(f"Unknown job kind {kind!r}; expected 'march', 'bass' or 'cascades'.")


def _run_jobs(
    jobs: dict[Any, _Job], seed: int, workers: int, executor: cf.Executor | None
) -> dict[Any, dict]:
    if executor is not None:
        return _submit_all(executor, jobs, seed)
    if workers <= 1:
        return {name: run_job(j.kind, j.kwargs, seed, j.key) for name, j in jobs.items()}
    context = multiprocessing.get_context("forkserver")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return _submit_all(pool, jobs, seed)


def _submit_all(executor: cf.Executor, jobs: dict[Any, _Job], seed: int) -> dict[Any, dict]:
    # The slowest jobs first, so that no worker is left with a long one at the end.
    order = sorted(jobs, key=lambda name: -_cost(jobs[name]))
    futures = {
        name: executor.submit(run_job, jobs[name].kind, jobs[name].kwargs, seed, jobs[name].key)
        for name in order
    }
    return {name: futures[name].result() for name in jobs}


def _cost(job: _Job) -> float:
    """A rough relative cost, to schedule long jobs first."""
    kw = job.kwargs
    if job.kind == "bass":
        return 50.0
    if job.kind != "march":
        return 0.1
    slow = 1.0 / max(float(np.min(kw.get("p1", 0.5))), 0.05)
    periods = kw.get("periods")
    rounds = periods / 10 if periods else 10 * slow
    return rounds * (3 if kw.get("superiority") == "actions" else 1)


def _summary(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% t confidence bounds over axis 0 (replications)."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    mean = values.mean(axis=0)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan
    half = stats.t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _points(values: np.ndarray, xs: Iterable[float], **labels: Any) -> list[Point]:
    """Points of per-replication ``values`` (``(R,)`` for one x, ``(R, len(xs))`` for many)."""
    mean, low, high = (np.atleast_1d(a) for a in _summary(values))
    n = np.asarray(values).shape[0]
    return [
        Point(**labels, x=float(x), mean=float(m), low=float(lo), high=float(hi), n=n)
        for x, m, lo, hi in zip(xs, mean, low, high)
    ]


def _fmt(point: Point) -> str:
    if np.isnan(point.low):
        return f"{point.mean:.3f}"
    return f"{point.mean:.3f} [{point.low:.3f}, {point.high:.3f}]"


def _find(points: list[Point], figure: str, series: str, x: float | None = None) -> list[Point]:
    found = [p for p in points if p.figure == figure and p.series == series]
    return [p for p in found if np.isclose(p.x, x)] if x is not None else found


# --- March (1991) ------------------------------------------------------------------------------


def _march_jobs(replications: int) -> dict[Any, _Job]:
    jobs: dict[Any, _Job] = {}
    r = replications
    for v, (rules_name, rules) in enumerate((("paper", PAPER), ("program", PROGRAM))):
        for i, p2 in enumerate(P2_VALUES):
            for j, p1 in enumerate(P1_GRID):
                jobs[("fig1", rules_name, p2, p1)] = _Job(
                    "march", {"replications": r, "p1": p1, "p2": p2, **rules}, (1, v, i, j)
                )
    for j, slow in enumerate(SLOW_COUNTS):
        mixed = np.array([0.1] * slow + [0.9] * (50 - slow))
        jobs[("fig2", "mixed", slow)] = _Job(
            "march", {"replications": r, "p1": mixed, "p2": 0.5, **PAPER}, (2, 0, j)
        )
        jobs[("fig2", "uniform", slow)] = _Job(
            "march", {"replications": r, "p1": float(mixed.mean()), "p2": 0.5, **PAPER},
            (2, 1, j),
        )
    for i, p1 in enumerate((0.1, 0.5, 0.9)):
        for j, p3 in enumerate(TURNOVER_GRID):
            jobs[("fig4", p1, p3)] = _Job(
                "march",
                {"replications": r, "p1": p1, "p2": 0.5, "p3": p3, "periods": 20, **PAPER},
                (4, i, j),
            )
    for i, p3 in enumerate((0.0, 0.1)):
        jobs[("fig5", p3)] = _Job(
            "march",
            {"replications": r, "p1": 0.5, "p2": 0.5, "p3": p3, "p4": 0.02, "periods": 100,
             "record_series": True, **PAPER},
            (5, i),
        )
    return jobs


def _march_summary(results: dict[Any, dict]) -> tuple[list[Point], list[Check]]:
    points: list[Point] = []
    base = {"model": "march1991"}
    unconverged = 0
    for p2 in P2_VALUES:
        for rules_name, metric in (("paper", "knowledge"), ("program", "score")):
            series = f"p2={p2} ({rules_name} rules)"
            for p1 in P1_GRID:
                res = results[("fig1", rules_name, p2, p1)]
                unconverged += int((~res["converged"]).sum())
                points += _points(res[metric], [p1], **base, figure="fig1", series=series,
                                  kind="simulated", metric=metric, x_name="p1")
        points += [
            Point(**base, figure="fig1", series=f"p2={p2} (reference)", kind="reference",
                  metric="score", x_name="p1", x=p1, mean=v, low=np.nan, high=np.nan, n=10_000)
            for p1, v in zip(P1_GRID, REFERENCE_FIG1[p2])
        ]
    for label in ("mixed", "uniform"):
        name = ("mixed fast (p1=0.9) and slow (p1=0.1)" if label == "mixed"
                else "uniform p1 with the same mean")
        for slow in SLOW_COUNTS:
            unconverged += int((~results[("fig2", label, slow)]["converged"]).sum())
            points += _points(results[("fig2", label, slow)]["knowledge"], [slow], **base,
                              figure="fig2", series=name, kind="simulated", metric="knowledge",
                              x_name="slow learners")
    for p1 in (0.1, 0.5, 0.9):
        for p3 in TURNOVER_GRID:
            points += _points(results[("fig4", p1, p3)]["knowledge"], [p3], **base,
                              figure="fig4", series=f"p1={p1}", kind="simulated",
                              metric="knowledge at period 20", x_name="p3")
    for p3 in (0.0, 0.1):
        series = results[("fig5", p3)]["series"]
        points += _points(series, range(series.shape[1]), **base, figure="fig5",
                          series=f"p3={p3}", kind="simulated", metric="knowledge",
                          x_name="period")
    return points, _march_checks(points, unconverged)


def _march_checks(points: list[Point], unconverged: int) -> list[Check]:
    checks: list[Check] = []
    add = lambda fig, claim, ours, ok: checks.append(  # noqa: E731
        Check("march1991", fig, claim, ours, bool(ok))
    )
    drops = {}
    for p2 in P2_VALUES:
        slow, fast = (_find(points, "fig1", f"p2={p2} (paper rules)", p1)[0] for p1 in (0.1, 0.9))
        drops[p2] = slow.mean - fast.mean
        if p2 >= 0.5:
            add("fig1", f"Slower socialisation gives higher equilibrium knowledge (p2={p2})",
                f"p1=0.1: {_fmt(slow)}; p1=0.9: {_fmt(fast)}", slow.low > fast.high)
    add("fig1", "The advantage of slow socialisation is largest when the code learns fast",
        "knowledge(p1=0.1) - knowledge(p1=0.9): "
        + ", ".join(f"p2={p2}: {d:+.3f}" for p2, d in drops.items()),
        drops[0.9] > drops[0.1] and drops[0.5] > drops[0.1])
    gaps = [
        abs(_find(points, "fig1", f"p2={p2} (program rules)", p1)[0].mean - ref)
        for p2 in P2_VALUES for p1, ref in zip(P1_GRID, REFERENCE_FIG1[p2])
    ]
    add("fig1", "March's original program (stepwise socialisation, superiority on actions) "
        "matches its published recreation (Workiewicz 2019, 10,000 runs per point)",
        f"mean |difference| of the code score over 27 points: {np.mean(gaps):.4f}, "
        f"largest {np.max(gaps):.4f} (tolerance 0.02 on the mean)", np.mean(gaps) <= 0.02)
    add("fig1", "Every closed-system run (figures 1 and 2) reaches equilibrium",
        f"{unconverged} runs stopped at the period cap", unconverged == 0)

    mixed = {p.x: p for p in _find(points, "fig2", "mixed fast (p1=0.9) and slow (p1=0.1)")}
    uniform = {p.x: p for p in _find(points, "fig2", "uniform p1 with the same mean")}
    inner = [s for s in SLOW_COUNTS if 0 < s < 50]
    wins = sum(mixed[s].mean > uniform[s].mean for s in inner)
    add("fig2", "A mix of fast and slow learners reaches higher equilibrium knowledge than a "
        "uniform population with the same mean socialisation rate",
        f"25 slow + 25 fast: {_fmt(mixed[25])}; uniform p1=0.5: {_fmt(uniform[25])}; mix "
        f"higher at {wins} of {len(inner)} mixes",
        mixed[25].low > uniform[25].high and wins >= len(inner) - 1)

    for p1 in (0.5, 0.9):
        curve = _find(points, "fig4", f"p1={p1}")
        none = curve[0]
        best = max(curve[1:], key=lambda p: p.mean)
        add("fig4", f"Moderate turnover raises knowledge when socialisation is fast (p1={p1}, "
            "period 20)", f"p3=0: {_fmt(none)}; best p3={best.x:g}: {_fmt(best)}",
            best.low > none.high)

    still, moving = _find(points, "fig5", "p3=0.0"), _find(points, "fig5", "p3=0.1")
    peak = max(still, key=lambda p: p.mean)
    add("fig5", "Under turbulence (p4=0.02) knowledge decays without turnover",
        f"peak {peak.mean:.3f} at period {peak.x:g}; period 100: {_fmt(still[-1])}",
        still[-1].high < peak.mean - 0.05)
    add("fig5", "Turnover (p3=0.1) sustains knowledge under turbulence",
        f"period 100 with turnover: {_fmt(moving[-1])}; without: {_fmt(still[-1])}",
        moving[-1].low > still[-1].high)
    return checks


# --- Bass (1969) -------------------------------------------------------------------------------


def _bass_jobs(replications: int) -> dict[Any, _Job]:
    return {"bass": _Job("bass", {**BASS, "replications": replications}, (6,))}


def _bass_summary(results: dict[Any, dict]) -> tuple[list[Point], list[Check]]:
    times, shares = results["bass"]["times"], results["bass"]["shares"]
    p, q, dt = BASS["p"], BASS["q"], BASS["dt"]
    closed = bass_closed_form(times, p, q)
    recursion = bass_recursion(times.size - 1, p, q, dt)
    every = max(1, int(round(0.5 / dt)))  # the table keeps every 0.5 time units
    keep = slice(None, None, every)
    base = {"model": "bass", "figure": "diffusion", "metric": "share adopted", "x_name": "t"}
    n = BASS["n"]
    points = _points(shares[:, keep], times[keep], **base, series=f"agent-based (N={n:,})",
                     kind="simulated")
    for name, curve in (("closed form", closed), (f"discrete recursion (dt={dt})", recursion)):
        points += [Point(**base, series=name, kind="analytic", x=float(t), mean=float(v),
                         low=float(v), high=float(v), n=1)
                   for t, v in zip(times[keep], curve[keep])]
    gap = np.abs(shares.mean(axis=0) - closed)
    per_run = np.abs(shares - closed).max(axis=1)
    checks = [Check(
        "bass", "diffusion",
        f"The agent-based model follows the closed form F(t) (p={p}, q={q}, N={n:,}, "
        f"dt={dt}) within {BASS_TOLERANCE}",
        f"largest gap of the mean of {shares.shape[0]} runs: {gap.max():.4f} at t="
        f"{times[gap.argmax()]:.2f}; single runs: median largest gap "
        f"{np.median(per_run):.4f}; discretisation alone: "
        f"{np.abs(recursion - closed).max():.4f}",
        bool(gap.max() <= BASS_TOLERANCE),
    )]
    return points, checks


# --- Granovetter (1978) ------------------------------------------------------------------------


def _granovetter_jobs(replications: int) -> dict[Any, _Job]:
    return {
        ("normal", sd): _Job(
            "cascades",
            {"n": GRANOVETTER_N, "mean": 25.0, "sd": sd, "replications": replications},
            (7, i),
        )
        for i, sd in enumerate(GRANOVETTER_SDS)
    }


def _granovetter_summary(results: dict[Any, dict]) -> tuple[list[Point], list[Check]]:
    n = GRANOVETTER_N
    points: list[Point] = []
    paths = {}
    for name, thresholds in (("uniform thresholds 0..99", uniform_thresholds(n)),
                             ("threshold 1 raised to 2", perturbed_thresholds(n))):
        paths[name] = path = cascade_path(thresholds)
        points += [Point("granovetter", "uniform", name, "analytic", "joined", "round", float(k),
                         float(v), float(v), float(v), 1) for k, v in enumerate(path)]
    base = {"model": "granovetter", "figure": "normal", "metric": "joined", "x_name": "sd"}
    for sd in GRANOVETTER_SDS:
        points += _points(results[("normal", sd)]["size"], [sd], **base,
                          series="sampled crowds (N=100, mean 25)", kind="simulated")
    for sd in GRANOVETTER_MEAN_FIELD_SDS:
        v = mean_field_cascade(n, mean=25.0, sd=sd) if sd > 0 else 0.0
        points.append(Point(**base, series="mean field (Granovetter)", kind="analytic", x=sd,
                            mean=v, low=v, high=v, n=1))
    critical = critical_sd(n, mean=25.0)
    uniform, perturbed = (int(p[-1]) for p in paths.values())
    checks = [
        Check("granovetter", "uniform", "Uniform thresholds 0..99: all 100 join",
              f"{uniform} join after {len(paths['uniform thresholds 0..99']) - 1} rounds",
              uniform == n),
        Check("granovetter", "uniform",
              "Raising the threshold-1 person to 2 stops the cascade at 1",
              f"{perturbed} joins", perturbed == 1),
        Check("granovetter", "normal",
              "Normal thresholds (mean 25, N=100): the equilibrium jumps from a few people to "
              "nearly all at a critical sd of about 12.2",
              f"critical sd {critical:.3f}; mean field {mean_field_cascade(n, sd=12.0):.1f} at "
              f"sd=12 and {mean_field_cascade(n, sd=12.5):.1f} at sd=12.5",
              abs(critical - 12.2) < 0.05),
    ]
    return points, checks


_SPECS: dict[str, tuple[Callable, Callable]] = {
    "march1991": (_march_jobs, _march_summary),
    "bass": (_bass_jobs, _bass_summary),
    "granovetter": (_granovetter_jobs, _granovetter_summary),
}


def run_validation(
    models: Iterable[str] = MODELS, *, replications: int = 80, seed: int = 1991,
    workers: int | None = 1, executor: cf.Executor | None = None,
) -> Validation:
    """Run the reproductions of ``models``.

    Args:
        models: names from `MODELS`.
        replications: replications per point (the paper's March figures used 80).
        seed: root seed; each job's generator is ``SeedSequence(seed, spawn_key=job key)``.
        workers: local processes; 1 runs in this process, None uses every core. Worker
            processes start by the ``forkserver`` method, so a script that asks for more than
            one must guard its entry point with ``if __name__ == "__main__":``.
        executor: any `concurrent.futures.Executor` to run the jobs instead (e.g. a Dask
            client's ``get_executor()``); ``workers`` is then ignored.

    Returns:
        The `Validation` with every point and check.
    """
    models = list(dict.fromkeys(models))
    for model in models:
        if model not in _SPECS:
            raise ValueError(f"Unknown model {model!r}; choose from {', '.join(MODELS)} or all.")
    if int(replications) < 2:
        raise ValueError(
            f"The 'replications' value must be an integer >= 2 (for a confidence interval). "
            f"Got {replications} instead."
        )
    start = time.perf_counter()
    jobs = {(m, name): job for m in models for name, job in _SPECS[m][0](replications).items()}
    workers = multiprocessing.cpu_count() if workers is None else workers
    results = _run_jobs(jobs, seed, min(workers, len(jobs)), executor)
    out = Validation(replications=replications, seed=seed)
    for model in models:
        mine = {name: res for (m, name), res in results.items() if m == model}
        points, checks = _SPECS[model][1](mine)
        out.points += points
        out.checks += checks
    out.seconds = time.perf_counter() - start
    return out


def write_validation(validation: Validation, out: str | Path) -> list[Path]:
    """Write ``validation.csv``, ``checks.csv`` and the plots into ``out``; returns the paths."""
    from experiments.validation_plots import plot_validation

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "validation.csv"
    validation.table().to_csv(table, index=False)
    checks = out / "checks.csv"
    pd.DataFrame([asdict(c) for c in validation.checks],
                 columns=list(Check.__annotations__)).to_csv(checks, index=False)
    return [table, checks, *plot_validation(validation.table(), out)]


# --- command line ------------------------------------------------------------------------------


def add_validate_command(subparsers) -> argparse.ArgumentParser:
    """Add ``validate`` to an argparse subparsers object; its handler is `validate_command`."""
    parser = subparsers.add_parser(
        "validate",
        help="reproduce the published results of the canonical models (March, Bass, Granovetter)",
        description="Reproduce March (1991) figures 1, 2, 4 and 5, the Bass (1969) closed form "
        "and Granovetter's (1978) threshold cascades; write validation.csv, checks.csv and the "
        "plots into --out. Exit status 0 if every published result is reproduced, 1 if not.",
    )
    parser.add_argument("model", nargs="?", default="all", choices=[*MODELS, "all"],
                        help="which reproduction to run (default: all)")
    parser.add_argument("--replications", type=int_at_least(2), default=80,
                        help="replications per point (default: 80, as in March 1991)")
    parser.add_argument("--out", type=Path, default=Path("results/validation"),
                        help="output directory (default: results/validation)")
    parser.add_argument("--json", action="store_true",
                        help="print every point (mean and 95%% CI) and check as JSON")
    parser.add_argument("--seed", type=int_at_least(0), default=1991, help="root seed (default: 1991)")
    parser.add_argument("--workers", type=int_at_least(1), default=1,
                        help="worker processes (default: 1; the default run takes seconds of "
                        "computing, less than starting workers costs; more pay off for "
                        "thousands of replications)")
    parser.set_defaults(handler=validate_command)
    return parser


def validate_command(args: argparse.Namespace) -> int:
    """Run ``orglearn validate``; returns the exit status."""
    if args.out.exists() and not args.out.is_dir():
        print(f"orglearn: error: --out {args.out} exists and is not a directory", file=sys.stderr)
        return 2
    models = MODELS if args.model == "all" else (args.model,)
    validation = run_validation(models, replications=args.replications, seed=args.seed,
                                workers=args.workers)
    written = write_validation(validation, args.out)
    if args.json:
        print(json.dumps({
            "replications": validation.replications,
            "seed": validation.seed,
            "seconds": round(validation.seconds, 2),
            "passed": validation.passed,
            "checks": [asdict(c) for c in validation.checks],
            "points": [_json_point(p) for p in validation.points],
            "files": [str(p) for p in written],
        }, indent=1))
    else:
        print(f"orglearn validate {args.model}: {args.replications} replications per point, "
              f"seed {args.seed}, {validation.seconds:.1f} s")
        for check in validation.checks:
            mark = "ok  " if check.passed else "FAIL"
            print(f"{mark} {check.model} {check.figure}: {check.claim}\n       ours: {check.ours}")
        passed = sum(c.passed for c in validation.checks)
        print(f"{passed} of {len(validation.checks)} checks passed; "
              f"{len(validation.points)} points in {written[0]}, plots in {args.out}/")
    return 0 if validation.passed else 1


def _json_point(point: Point) -> dict:
    return {k: (None if isinstance(v, float) and np.isnan(v) else v)
            for k, v in asdict(point).items()}
