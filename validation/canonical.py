"""``orglearn validate``: reproduce the canonical models' published results on orglearn's engine.

Three reproductions, each a set of jobs (one parameter point, all its replications vectorised
in one call) and a summary that turns the jobs' per-replication values into points (mean and
95% t confidence interval) and checks (a published claim, our numbers, passed or not):

* ``march1991``: March (1991) figure 1 (equilibrium knowledge against ``p1`` for three ``p2``)
  under his original program's rules, `run_march`'s default (compared with a published
  recreation of that program), and under the rules as the paper's text states them, for
  comparison; figures 2 (fast and slow learners mixed), 4 (turnover, knowledge at period 20)
  and 5 (turbulence with and without turnover) under the default rules.
* ``bass``: the agent-based Bass (1969) model against its closed form.
* ``granovetter``: Granovetter's (1978) uniform crowd and its one-person perturbation (the
  Mesa model, person by person), and the jump of the cascade with the spread of normally
  distributed thresholds (sampled crowds, each run to its fixed point).

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
import multiprocessing
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from orglearn.simulation.canonical.bass import bass_closed_form, bass_recursion, run_bass
from orglearn.simulation.canonical.granovetter import (
    critical_sd,
    mean_field_cascade,
    perturbed_thresholds,
    run_cascades,
    run_model_cascades,
    uniform_thresholds,
)
from orglearn.simulation.canonical.march1991 import PAPER_RULES, PROGRAM_RULES, run_march

__all__ = [
    "MODELS",
    "Point",
    "Check",
    "Validation",
    "run_validation",
    "write_validation",
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
PAPER = PAPER_RULES
PROGRAM = PROGRAM_RULES  # run_march's default
#: The recreation's value must lie in our 95% CI at this many of the 27 figure-1 points: if the
#: rules are right each does with chance 0.95, and fewer than 23 of 27 has chance 1%.
FIG1_INSIDE = 23
#: ...and our points must be this close to it on average (80 runs give about 0.01).
FIG1_MEAN_GAP = 0.02
SLOW_COUNTS = tuple(range(0, 51, 5))
TURNOVER_GRID = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)
BASS = {"n": 10_000, "p": 0.03, "q": 0.38, "dt": 0.05, "t_max": 30.0}
BASS_TOLERANCE = 0.02
GRANOVETTER_N = 100
GRANOVETTER_SDS = tuple(round(0.5 * i, 1) for i in range(0, 51))
GRANOVETTER_MEAN_FIELD_SDS = tuple(round(0.1 * i, 1) for i in range(0, 251))
GRANOVETTER_CRITICAL = 12.2  # Granovetter's critical sd for mean 25, N = 100
#: Half the sampled crowds must riot within this distance of the critical sd (crowds of 100
#: need a little more spread than the infinite crowd of the mean field: 13.5 with 2,000 per sd).
GRANOVETTER_SHIFT = 2.0
GRANOVETTER_BELOW, GRANOVETTER_ABOVE = 10.0, 17.0  # spreads well below and above the jump
GRANOVETTER_SHARE = 0.95  # of crowds that must stay small below, and riot above, the jump
GRANOVETTER_MIDDLE = 0.02  # at most this share of all crowds may end between 10% and 90%


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
        kind: ``"march"``, ``"bass"``, ``"cascades"`` (sampled crowds) or ``"crowd"`` (the
            Mesa model on one given crowd).
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
    if kind == "crowd":
        return {"path": run_model_cascades(rng=rng, **kwargs)}
    raise ValueError(
        f"Unknown job kind {kind!r}; expected 'march', 'bass', 'cascades' or 'crowd'."
    )


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
            "march", {"replications": r, "p1": mixed, "p2": 0.5, **PROGRAM}, (2, 0, j)
        )
        jobs[("fig2", "uniform", slow)] = _Job(
            "march", {"replications": r, "p1": float(mixed.mean()), "p2": 0.5, **PROGRAM},
            (2, 1, j),
        )
    for i, p1 in enumerate((0.1, 0.5, 0.9)):
        for j, p3 in enumerate(TURNOVER_GRID):
            jobs[("fig4", p1, p3)] = _Job(
                "march",
                {"replications": r, "p1": p1, "p2": 0.5, "p3": p3, "periods": 20, **PROGRAM},
                (4, i, j),
            )
    for i, p3 in enumerate((0.0, 0.1)):
        jobs[("fig5", p3)] = _Job(
            "march",
            {"replications": r, "p1": 0.5, "p2": 0.5, "p3": p3, "p4": 0.02, "periods": 100,
             "record_series": True, **PROGRAM},
            (5, i),
        )
    return jobs


def _march_summary(results: dict[Any, dict]) -> tuple[list[Point], list[Check]]:
    points: list[Point] = []
    base = {"model": "march1991"}
    unconverged = 0
    # The program's rules with the program's measure (the code score); the paper's with the
    # paper's (knowledge) and, to compare them with the recreation of the program, the score.
    shown = {"program": (("score", ""),), "paper": (("knowledge", ""), ("score", ", score"))}
    for p2 in P2_VALUES:
        for rules_name, metrics in shown.items():
            for p1 in P1_GRID:
                res = results[("fig1", rules_name, p2, p1)]
                unconverged += int((~res["converged"]).sum())
                for metric, suffix in metrics:
                    points += _points(res[metric], [p1], **base, figure="fig1",
                                      series=f"p2={p2} ({rules_name} rules{suffix})",
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
    for rules_name, who in (("program", "March's program, the default rules"),
                            ("paper", "the paper's rules")):
        for claim, ours, ok in _fig1_orderings(points, rules_name):
            add("fig1", f"{claim} ({who})", ours, ok)
    program, paper, paper_score = (
        _fig1_agreement(points, label)
        for label in ("program rules", "paper rules", "paper rules, score")
    )
    add("fig1", "March's original program (stepwise socialisation, superiority on actions; "
        "run_march's default) matches its published recreation (Workiewicz 2019, 10,000 runs "
        f"per point): the recreation's value lies in our 95% CI at {FIG1_INSIDE} or more of "
        f"the 27 points and our code score is within {FIG1_MEAN_GAP} of it on average",
        f"default (program) rules: {program[0]} of 27 inside, mean |difference| "
        f"{program[1]:.4f}, largest {program[2]:.4f}; the paper's rules, for comparison: "
        f"{paper[0]} of 27 inside with their knowledge (mean |difference| {paper[1]:.4f}), "
        f"{paper_score[0]} with their code score ({paper_score[1]:.4f})",
        program[0] >= FIG1_INSIDE and program[1] <= FIG1_MEAN_GAP)
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


def _fig1_orderings(points: list[Point], rules_name: str) -> list[tuple[str, str, bool]]:
    """Figure 1's two published orderings for one rule set, as (claim, ours, passed)."""
    series = lambda p2: f"p2={p2} ({rules_name} rules)"  # noqa: E731
    ends = {p2: [_find(points, "fig1", series(p2), p1)[0] for p1 in (0.1, 0.9)]
            for p2 in P2_VALUES}
    drops = {p2: slow.mean - fast.mean for p2, (slow, fast) in ends.items()}
    metric = ends[0.1][0].metric
    return [
        ("Slower socialisation gives higher equilibrium knowledge when the code learns fast",
         "; ".join(f"p2={p2}: {metric} {_fmt(ends[p2][0])} at p1=0.1, {_fmt(ends[p2][1])} at "
                   "p1=0.9" for p2 in (0.5, 0.9)),
         all(ends[p2][0].low > ends[p2][1].high for p2 in (0.5, 0.9))),
        ("The advantage of slow socialisation is largest when the code learns fast",
         f"{metric}(p1=0.1) - {metric}(p1=0.9): "
         + ", ".join(f"p2={p2}: {d:+.3f}" for p2, d in drops.items()),
         drops[0.9] > drops[0.1] and drops[0.5] > drops[0.1]),
    ]


def _fig1_agreement(points: list[Point], label: str) -> tuple[int, float, float]:
    """Figure-1 code scores (the series ``p2=... (<label>)``) against `REFERENCE_FIG1`.

    Returns:
        How many of the 27 reference values lie in our 95% CI, the mean and the largest
        absolute difference of our means from them.
    """
    ours = [(_find(points, "fig1", f"p2={p2} ({label})", p1)[0], ref)
            for p2 in P2_VALUES for p1, ref in zip(P1_GRID, REFERENCE_FIG1[p2])]
    gaps = np.array([abs(point.mean - ref) for point, ref in ours])
    inside = sum(point.low <= ref <= point.high for point, ref in ours)
    return int(inside), float(gaps.mean()), float(gaps.max())


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
    jobs = {
        ("normal", sd): _Job(
            "cascades",
            {"n": GRANOVETTER_N, "mean": 25.0, "sd": sd, "replications": replications},
            (7, i),
        )
        for i, sd in enumerate(GRANOVETTER_SDS)
    }
    for i, (name, thresholds) in enumerate(_granovetter_crowds().items()):
        jobs[("crowd", name)] = _Job(
            "crowd", {"thresholds": thresholds, "replications": replications}, (8, i)
        )
    return jobs


def _granovetter_crowds() -> dict[str, np.ndarray]:
    n = GRANOVETTER_N
    return {f"uniform thresholds 0..{n - 1}": uniform_thresholds(n),
            "threshold 1 raised to 2": perturbed_thresholds(n)}


def _granovetter_summary(results: dict[Any, dict]) -> tuple[list[Point], list[Check]]:
    n = GRANOVETTER_N
    points: list[Point] = []
    for name in _granovetter_crowds():
        paths = results[("crowd", name)]["path"]
        points += _points(paths, range(paths.shape[1]), model="granovetter", figure="uniform",
                          series=name, kind="simulated", metric="joined", x_name="round")
    base = {"model": "granovetter", "figure": "normal", "metric": "joined", "x_name": "sd"}
    for sd in GRANOVETTER_SDS:
        points += _points(results[("normal", sd)]["size"], [sd], **base,
                          series=f"sampled crowds (N={n}, mean 25)", kind="simulated")
    for sd in GRANOVETTER_MEAN_FIELD_SDS:
        v = mean_field_cascade(n, mean=25.0, sd=sd) if sd > 0 else 0.0
        points.append(Point(**base, series="mean field (Granovetter)", kind="analytic", x=sd,
                            mean=v, low=v, high=v, n=1))
    return points, [*_granovetter_crowd_checks(results), _granovetter_jump_check(results)]


def _granovetter_crowd_checks(results: dict[Any, dict]) -> list[Check]:
    """Granovetter's two crowds, each run `replications` times in the Mesa model."""
    uniform, perturbed = (results[("crowd", name)]["path"] for name in _granovetter_crowds())
    n = GRANOVETTER_N
    return [
        Check("granovetter", "uniform", f"Uniform thresholds 0..{n - 1}: all {n} join",
              _crowd_outcomes(uniform), bool(np.all(uniform[:, -1] == n))),
        Check("granovetter", "uniform",
              "Raising the threshold-1 person to 2 stops the cascade at the instigator",
              _crowd_outcomes(perturbed), bool(np.all(perturbed[:, -1] == 1))),
    ]


def _crowd_outcomes(paths: np.ndarray) -> str:
    """How many joined in how many of the Mesa runs ``paths`` (runs x rounds), and the rounds."""
    sizes, counts = np.unique(paths[:, -1], return_counts=True)
    rounds = paths.shape[1] - 1
    return (f"Mesa model, {paths.shape[0]} runs with the crowd seated in random orders; number "
            "who joined: " + ", ".join(f"{s} ({c} runs)" for s, c in zip(sizes, counts))
            + f"; {rounds} round{'s' * (rounds != 1)}")


def _granovetter_jump_check(results: dict[Any, dict]) -> Check:
    """The sampled crowds' cascades against Granovetter's jump at the critical spread."""
    n, sds = GRANOVETTER_N, np.array(GRANOVETTER_SDS)
    sizes = np.stack([results[("normal", sd)]["size"] for sd in GRANOVETTER_SDS])  # (sds, R)
    riot = (sizes >= n / 2).mean(axis=1)
    half = _first_crossing(sds, riot, 0.5)
    small = (sizes[sds <= GRANOVETTER_BELOW] < 0.1 * n).mean()
    large = (sizes[sds >= GRANOVETTER_ABOVE] >= 0.9 * n).mean()
    middle = ((sizes >= 0.1 * n) & (sizes < 0.9 * n)).mean()
    critical = critical_sd(n, mean=25.0)
    ok = (abs(half - GRANOVETTER_CRITICAL) <= GRANOVETTER_SHIFT and small >= GRANOVETTER_SHARE
          and large >= GRANOVETTER_SHARE and middle <= GRANOVETTER_MIDDLE)
    return Check(
        "granovetter", "normal",
        f"Normal thresholds (mean 25, N={n}): the cascade jumps from a few people to nearly "
        f"all at a critical sd of about {GRANOVETTER_CRITICAL} (sampled crowds, each run to its "
        f"fixed point: half of them riot within {GRANOVETTER_SHIFT} of it; at least "
        f"{GRANOVETTER_SHARE:.0%} stay under {n // 10} at sd <= {GRANOVETTER_BELOW:g} and "
        f"reach {9 * n // 10} at sd >= {GRANOVETTER_ABOVE:g}; at most "
        f"{GRANOVETTER_MIDDLE:.0%} end in between)",
        f"{sizes.shape[1]} crowds per sd: half riot at sd {half:.2f}; {small:.1%} stay under "
        f"{n // 10} at sd <= {GRANOVETTER_BELOW:g}, {large:.1%} reach {9 * n // 10} at sd >= "
        f"{GRANOVETTER_ABOVE:g}; {middle:.2%} of all crowds end in between. Mean field: "
        f"critical sd {critical:.3f}, {mean_field_cascade(n, sd=12.0):.1f} join at sd=12 and "
        f"{mean_field_cascade(n, sd=12.5):.1f} at sd=12.5",
        bool(ok),
    )


def _first_crossing(xs: np.ndarray, ys: np.ndarray, level: float) -> float:
    """The x at which ``ys`` first reaches ``level``, linearly interpolated (NaN if never)."""
    above = np.flatnonzero(ys >= level)
    if above.size == 0:
        return float("nan")
    k = above[0]
    if k == 0:
        return float(xs[0])
    return float(np.interp(level, ys[k - 1:k + 1], xs[k - 1:k + 1]))


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
    from orglearn.validation.plots import plot_validation

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "validation.csv"
    validation.table().to_csv(table, index=False)
    checks = out / "checks.csv"
    pd.DataFrame([asdict(c) for c in validation.checks],
                 columns=list(Check.__annotations__)).to_csv(checks, index=False)
    return [table, checks, *plot_validation(validation.table(), out)]
