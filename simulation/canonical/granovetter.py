"""Granovetter (1978): threshold models of collective behaviour (the riot model).

Each of ``N`` people has a threshold: the number of others who must already have joined before
they join. Joining is for good. Starting from nobody, everyone whose threshold is at most the
number who have joined joins, all at once (synchronous rounds), until nobody new joins; the
cascade's size is that fixed point, the smallest ``r`` with ``r = #{thresholds <= r}``.

Granovetter's two illustrations:

* **Uniform thresholds** ``0, 1, ..., N-1``: the instigator (threshold 0) joins, then the person
  with threshold 1, and so on: everyone joins (`uniform_thresholds`).
* **One-person perturbation**: raise the threshold-1 person to 2 (`perturbed_thresholds`); after
  the instigator nobody else joins, and the cascade stops at 1. The two crowds are almost
  identical, yet their outcomes are opposite: collective outcomes cannot be read off average
  preferences.

With thresholds drawn from a normal distribution (``mean``, ``sd``), Granovetter followed the
expected number joining, ``r(t+1) = N * Phi((r(t) - mean) / sd)`` (`mean_field_cascade`): for
``N = 100`` and ``mean = 25`` it stays at a handful of people up to a critical ``sd`` of about
12.2 and jumps to almost everyone above it (`critical_sd`). `run_cascades` samples the thresholds
instead, one crowd per replication, vectorised, and runs each crowd's cascade person by person.
`run_model_cascades` runs `GranovetterModel`, one Mesa model per replication, with the crowd
seated in a random order each time.

References:
    Granovetter, M. (1978). Threshold models of collective behavior. American Journal of
    Sociology, 83(6), 1420-1443. https://doi.org/10.1086/226707
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
from scipy.special import ndtr

from orglearn.simulation.canonical._checks import check_count, check_positive

__all__ = [
    "cascade_size",
    "cascade_path",
    "uniform_thresholds",
    "perturbed_thresholds",
    "normal_thresholds",
    "run_cascades",
    "run_model_cascades",
    "mean_field_cascade",
    "critical_sd",
    "GranovetterModel",
]


def uniform_thresholds(n: int = 100) -> np.ndarray:
    """Granovetter's uniform crowd: thresholds ``0, 1, ..., n-1``."""
    return np.arange(check_count("n", n, "uniform_thresholds"), dtype=float)


def perturbed_thresholds(n: int = 100) -> np.ndarray:
    """The uniform crowd with the threshold-1 person raised to 2 (needs ``n >= 3``)."""
    thresholds = uniform_thresholds(check_count("n", n, "perturbed_thresholds", minimum=3))
    thresholds[1] = 2.0
    return thresholds


def normal_thresholds(
    n: int, mean: float, sd: float, *, replications: int = 1, rng: Any = None
) -> np.ndarray:
    """``(replications, n)`` thresholds drawn from a normal distribution.

    Negative draws are people who join whatever others do (instigators), as in the paper.
    """
    check_count("n", n, "normal_thresholds")
    check_count("replications", replications, "normal_thresholds")
    check_positive("sd", sd, "normal_thresholds", allow_zero=True)
    return np.random.default_rng(rng).normal(mean, sd, (replications, n))


def cascade_path(thresholds: Any) -> np.ndarray:
    """Number who have joined after each synchronous round, from 0 to the fixed point.

    Args:
        thresholds: ``(N,)`` or ``(R, N)`` thresholds (counts of others who must have joined).

    Returns:
        ``(rounds + 1,)`` or ``(R, rounds + 1)`` counts; crowds that settle early repeat their
        final size.
    """
    t = np.sort(np.atleast_2d(np.asarray(thresholds, dtype=float)), axis=1)
    joined = np.zeros(t.shape[0], dtype=np.int64)
    path = [joined]
    while True:
        nxt = _count_at_most(t, joined)
        if np.array_equal(nxt, joined):
            break
        joined = nxt
        path.append(joined)
    out = np.stack(path, axis=-1)
    return out[0] if np.ndim(thresholds) == 1 else out


def cascade_size(thresholds: Any) -> np.ndarray | int:
    """Final number who join (an int for one crowd, an ``(R,)`` array for a batch)."""
    path = cascade_path(thresholds)
    return int(path[-1]) if path.ndim == 1 else path[:, -1]


def _count_at_most(sorted_thresholds: np.ndarray, joined: np.ndarray) -> np.ndarray:
    """Per row, how many thresholds are <= that row's number joined."""
    return (sorted_thresholds <= joined[:, None]).sum(axis=1)


def run_cascades(
    n: int = 100, *, mean: float = 25.0, sd: float = 10.0, replications: int = 80,
    rng: Any = None,
) -> np.ndarray:
    """Cascade sizes of ``replications`` crowds with normally distributed thresholds."""
    return cascade_size(normal_thresholds(n, mean, sd, replications=replications, rng=rng))


def run_model_cascades(
    thresholds: Any, *, replications: int = 1, rng: Any = None
) -> np.ndarray:
    """Run `GranovetterModel` on one crowd ``replications`` times, seated in a random order.

    Each person is an entry of the model's ``active`` array, so this is the agent-level
    cascade; shuffling who sits where checks that only the thresholds matter.

    Args:
        thresholds: ``(N,)`` the crowd's thresholds.
        replications: number of runs, each with its own seating.
        rng: seed or generator for the seatings.

    Returns:
        ``(replications, rounds + 1)`` number joined after each step, from 0 to the fixed
        point (the same in every run, since the seating does not change the cascade).
    """
    check_count("replications", replications, "run_model_cascades")
    rng = np.random.default_rng(rng)
    crowd = np.asarray(thresholds, dtype=float)
    paths = []
    for _ in range(replications):
        model = GranovetterModel(thresholds=rng.permutation(crowd), rng=rng)
        model.run_to_equilibrium()
        paths.append(model.datacollector.get_model_vars_dataframe()["joined"].to_numpy())
    return np.stack(paths)


def mean_field_cascade(n: int = 100, *, mean: float = 25.0, sd: float = 10.0) -> float:
    """Granovetter's equilibrium for normal thresholds: iterate ``r = n * Phi((r - mean) / sd)``.

    Starts from ``r = 0`` and returns the first fixed point (to 1e-9).
    """
    check_count("n", n, "mean_field_cascade")
    check_positive("sd", sd, "mean_field_cascade")
    r = 0.0
    for _ in range(1_000_000):
        nxt = n * ndtr((r - mean) / sd)
        if abs(nxt - r) < 1e-9:
            return float(nxt)
        r = nxt
    return float(r)


def critical_sd(n: int = 100, *, mean: float = 25.0, low: float = 1.0, high: float = 50.0,
                tol: float = 1e-4) -> float:
    """The ``sd`` at which `mean_field_cascade` jumps from a few people to most of the crowd.

    Bisection between ``low`` (no cascade) and ``high`` (a cascade past half the crowd).
    """
    def big(sd: float) -> bool:
        return mean_field_cascade(n, mean=mean, sd=sd) > n / 2

    if big(low) or not big(high):
        raise ValueError(
            f"critical_sd needs no cascade at sd={low} and a cascade at sd={high} for "
            f"mean={mean}, n={n}; widen the bracket [low, high]."
        )
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if big(mid) else (mid, high)
    return 0.5 * (low + high)


class GranovetterModel(mesa.Model):
    """A threshold cascade as a Mesa model: one synchronous round per step.

    Args:
        thresholds: the crowd's thresholds (counts of others); default: 100 uniform.
        rng: seed or generator, Mesa's convention (the cascade itself is deterministic).

    Examples:
        >>> model = GranovetterModel(thresholds=perturbed_thresholds(100))
        >>> model.run_to_equilibrium()
        >>> model.joined
        1
    """

    def __init__(self, *, thresholds: Any = None, rng: Any = None) -> None:
        """Nobody has joined yet."""
        super().__init__(rng=rng)
        t = uniform_thresholds(100) if thresholds is None else np.asarray(thresholds, float)
        if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)):
            raise ValueError(
                "The 'thresholds' parameter of GranovetterModel must be a non-empty 1-D array "
                f"of finite numbers. Got {thresholds!r} instead."
            )
        self.thresholds = t
        self.active = np.zeros(t.size, dtype=bool)
        self.datacollector = mesa.DataCollector(model_reporters={"joined": "joined"})
        self.datacollector.collect(self)

    @property
    def joined(self) -> int:
        """Number who have joined."""
        return int(self.active.sum())

    @property
    def settled(self) -> bool:
        """Whether another round would add nobody."""
        return not np.any(~self.active & (self.thresholds <= self.joined))

    def step(self) -> None:
        """Everyone whose threshold is at most the number joined joins (synchronously)."""
        self.active |= self.thresholds <= self.joined
        self.datacollector.collect(self)

    def run_to_equilibrium(self) -> None:
        """Step until nobody new joins."""
        while not self.settled:
            self.step()
