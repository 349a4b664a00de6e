"""The worker processes that run a comparison's replicates, started and warmed ahead of time.

A comparison's runs go to a shared pool of worker processes (spawned, so that the server's
threads are not copied), one per core, so the page stays responsive. Starting a worker costs
seconds (importing Mesa, numpy and scipy; a first model's caches), which a person would wait for
on their first comparison: `warm` starts the pool and builds a tiny model in every worker as the
server starts. This module imports only the engine, so that a worker loads nothing else.

A replicate returns compact numpy arrays (its daily curves and its final outcomes), not tables,
so little crosses between processes.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import os
import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from orglearn.scenarios import Scenario

__all__ = ["CURVES", "OUTCOME_COLUMNS", "replicate", "executor", "warm", "reset_executor"]

#: Metrics kept per day for each replicate (rows of a replicate's curves).
CURVES = ("idea_adoption", "mean_knowledge", "participation")
#: Final values kept per replicate, in this order; t50 and t90 are NaN when never reached.
OUTCOME_COLUMNS = ("t50", "t90", "mean_knowledge", "participation", "silo_index", "exchanges")

_executor: cf.ProcessPoolExecutor | None = None
_lock = threading.Lock()


def replicate(scenario: Scenario, seed: np.random.SeedSequence, steps: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Run one replicate.

    Returns:
        ``(curves, outcomes)``: curves of shape ``(len(CURVES), steps + 1)`` (day 0 to the last
        day) and the final outcomes in `OUTCOME_COLUMNS` order.
    """
    from orglearn.simulation.metrics import CHANNELS
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(scenario, rng=seed)
    model.run(steps)
    summary = model.summary()
    collected = model.datacollector.model_vars
    curves = np.array([collected[m] for m in CURVES], dtype=float)
    exchanges = float(sum(summary[f"total_{c}"] for c in CHANNELS))
    outcomes = np.array([
        np.nan if summary["t50"] is None else summary["t50"],
        np.nan if summary["t90"] is None else summary["t90"],
        summary["final_mean_knowledge"], summary["final_participation"],
        summary["final_silo_index"], exchanges,
    ], dtype=float)
    return curves, outcomes


def _warm_up() -> int:
    """Import the engine and load every kernel, running a tiny model (in a worker)."""
    from orglearn.simulation.compiled import warm_up

    warm_up()
    return os.getpid()


def executor() -> cf.ProcessPoolExecutor:
    """The shared pool: one worker process per core, created on first use."""
    global _executor
    with _lock:
        if _executor is None:
            context = multiprocessing.get_context("spawn")
            _executor = cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context)
        return _executor


def warm() -> list[cf.Future]:
    """Start every worker now and warm it up (returns at once; the futures end when done).

    One warm-up task per worker: the pool starts a new process for each task submitted while
    none is idle, so all of them start."""
    pool = executor()
    return [pool.submit(_warm_up) for _ in range(pool._max_workers)]


def reset_executor() -> None:
    """Shut down and forget the pool: a broken one (the next comparison starts a new one), and
    at exit."""
    global _executor
    with _lock:
        if _executor is not None:
            _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None


# Shut the pool down while the interpreter is whole: left to the end of its shutdown, the
# pool's clean-up can run after the modules it needs are gone ("Exception ignored in ...").
atexit.register(reset_executor)
