"""What-if comparison: two to four scenarios ("arms"), replicated, in the background.

Every arm runs ``replications`` times with the same seeds (children of one
`numpy.random.SeedSequence`), so replicate r of each arm faces the same chance events: the runs
are pairs, and each arm is compared with the reference arm by paired differences with 95% CIs
(`compare_verdicts`). Runs go to the warmed worker pool of `compare_pool` and come back as numpy
arrays. A finished comparison is kept in a small in-memory cache, so asking for the identical
comparison again (same arms, settings and seed) shows it at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections import OrderedDict
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from orglearn.scenarios import Scenario
from orglearn.ui import compare_pool
from orglearn.ui.compare_pool import CURVES, OUTCOME_COLUMNS, executor
from orglearn.ui.compare_verdicts import (
    MAIN,
    OUTCOMES,
    arm_value,
    difference,
    difference_words,
    sentence,
    tone,
    verdict,
)

__all__ = ["ComparisonSpec", "ComparisonJob", "ComparisonResult", "Headline", "CURVES",
           "MAX_ARMS", "CACHE_SIZE", "clear_cache"]

MAX_ARMS = 4
#: Finished comparisons kept for showing again at once.
CACHE_SIZE = 8
#: Finished scenarios' runs kept (per scenario, seed, runs and length), so that adding a
#: scenario to a comparison runs only the new one.
ARM_CACHE_SIZE = 4 * CACHE_SIZE
_cache: OrderedDict[tuple, ComparisonResult] = OrderedDict()
_arms: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_cache_lock = threading.Lock()


def _keep(store: OrderedDict, key: tuple, value, size: int) -> None:
    """Keep ``value`` in a bounded least-recently-used store."""
    with _cache_lock:
        store[key] = value
        store.move_to_end(key)
        while len(store) > size:
            store.popitem(last=False)


#: Runs one replicate in a worker. The pool's own function (not a wrapper here), so that a worker
#: imports only `compare_pool` and the engine, not this module's pandas and scipy.
replicate = compare_pool.replicate


@dataclass(frozen=True)
class ComparisonSpec:
    """What to compare: two to four scenarios, their names for people, which one the others
    are compared with, how many runs of each, of what size, from which seed."""

    arms: tuple[Scenario, ...]
    labels: tuple[str, ...]
    reference: int = 0
    replications: int = 10
    n_agents: int = 300
    seed: int = 1

    def __post_init__(self):
        if not 2 <= len(self.arms) <= MAX_ARMS or len(self.labels) != len(self.arms):
            raise ValueError(f"a comparison needs 2 to {MAX_ARMS} scenarios, each with a label")
        if len(set(self.labels)) != len(self.labels):
            raise ValueError("each scenario of a comparison needs its own label")
        if not 0 <= self.reference < len(self.arms):
            raise ValueError("the reference must be one of the scenarios compared")

    @property
    def steps(self) -> int:
        """Days per run: the first arm's."""
        return int(self.arms[0].steps)

    def scenarios(self) -> tuple[Scenario, ...]:
        """Every arm at the comparison's headcount and run length."""
        return tuple(s.model_copy(update={"steps": self.steps}).with_overrides(
            n_agents=self.n_agents) for s in self.arms)

    def key(self) -> tuple:
        """What makes two comparisons identical (for the cache)."""
        return (tuple(s.model_dump_json() for s in self.scenarios()), self.labels,
                self.reference, self.replications, self.n_agents, self.seed)

    def arm_keys(self) -> list[tuple]:
        """What makes one scenario's runs identical to another's (for the cache)."""
        return [(s.model_dump_json(), self.replications, self.seed, self.steps)
                for s in self.scenarios()]


@dataclass(frozen=True)
class Headline:
    """One arm against the reference: the sentence and its tone (better, worse, mixed,
    unclear; from the main outcomes)."""

    arm: str
    text: str
    tone: str


@dataclass(frozen=True)
class ComparisonResult:
    """Finished replicates of every arm.

    Attributes:
        spec: what was compared.
        values: outcomes, shape ``(arms, replications, len(OUTCOME_COLUMNS))`` (NaN: t50 or t90
            not reached within the run).
        series: daily curves, shape ``(arms, replications, len(CURVES), steps + 1)``.
        spawn_keys: each replicate's seed, as its `SeedSequence` spawn key.
    """

    spec: ComparisonSpec
    values: np.ndarray
    series: np.ndarray
    spawn_keys: tuple[str, ...] = field(default=())

    def outcome(self, arm: int, column: str) -> np.ndarray:
        """One outcome's values per replicate for an arm."""
        return self.values[arm, :, OUTCOME_COLUMNS.index(column)]

    def _by_column(self, arm: int) -> dict[str, np.ndarray]:
        return {c: self.outcome(arm, c) for c in OUTCOME_COLUMNS}

    @property
    def others(self) -> list[int]:
        """The arms compared with the reference, in order."""
        return [i for i in range(len(self.spec.arms)) if i != self.spec.reference]

    @cached_property
    def headlines(self) -> list[Headline]:
        """Each arm against the reference, in words, with its tone."""
        spec, ref = self.spec, self.spec.reference
        found = []
        for arm in self.others:
            verdicts = [verdict(difference(self.outcome(arm, o.column), self.outcome(ref, o.column),
                                           spec.steps, o), o)
                        for o in OUTCOMES if o.column in MAIN]
            text = sentence(self._by_column(arm), self._by_column(ref), spec.labels[arm],
                            spec.labels[ref], spec.steps)
            found.append(Headline(spec.labels[arm], text, tone(verdicts)))
        return found

    def sentence(self) -> str:
        """Every arm against the reference, in plain words."""
        return " ".join(h.text for h in self.headlines)

    @cached_property
    def table(self) -> list[dict[str, tuple[str, str]]]:
        """Per outcome: each arm's value [95% CI] and each other arm's paired difference from the
        reference, as ``column -> (text, tone)`` (tone "" for plain values)."""
        spec, ref = self.spec, self.spec.reference
        rows = []
        for o in OUTCOMES:
            row = {"Outcome": (o.label, "")}
            reference = self.outcome(ref, o.column)
            row[spec.labels[ref] + " (reference)"] = (arm_value(reference, spec.steps, o), "")
            for arm in self.others:
                values = self.outcome(arm, o.column)
                d = difference(values, reference, spec.steps, o)
                row[spec.labels[arm]] = (arm_value(values, spec.steps, o), "")
                row[f"{spec.labels[arm]}: difference"] = (difference_words(d, o, spec.steps),
                                                          verdict(d, o))
            rows.append(row)
        return rows

    def outcomes(self) -> pd.DataFrame:
        """The table's text as a data frame."""
        return pd.DataFrame([{k: v[0] for k, v in row.items()} for row in self.table])

    def bands(self) -> dict[str, np.ndarray]:
        """Curve -> array ``(arms, 3, days)``: mean, low and high of the 95% CI per day."""
        reps = self.series.shape[1]
        mean = self.series.mean(axis=1)
        if reps > 1:
            half = stats.t.ppf(0.975, reps - 1) * self.series.std(axis=1, ddof=1) / np.sqrt(reps)
        else:
            half = np.zeros_like(mean)
        both = np.stack([mean, mean - half, mean + half], axis=1)  # arms, 3, curves, days
        return {c: both[:, :, i, :] for i, c in enumerate(CURVES)}

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: ``group`` (the arm's label), ``replicate``, its seed, the outcomes."""
        arms, reps, _ = self.values.shape
        frame = pd.DataFrame(self.values.reshape(arms * reps, -1), columns=list(OUTCOME_COLUMNS))
        frame.insert(0, "group", np.repeat(self.spec.labels, reps))
        frame.insert(1, "replicate", np.tile(np.arange(reps), arms))
        frame.insert(2, "seed_spawn_key", np.tile(np.array(self.spawn_keys, dtype=object), arms))
        return frame

    @cached_property
    def curves(self) -> pd.DataFrame:
        """Every day of every run, tidy: ``group``, ``replicate``, ``step``, ``metric``,
        ``value``."""
        arms, reps, metrics, days = self.series.shape
        index = np.indices(self.series.shape).reshape(4, -1)
        return pd.DataFrame({
            "group": np.asarray(self.spec.labels, dtype=object)[index[0]],
            "replicate": index[1], "step": index[3],
            "metric": np.asarray(CURVES, dtype=object)[index[2]],
            "value": self.series.ravel(),
        })


def clear_cache() -> None:
    """Forget the finished comparisons and runs kept for showing again."""
    with _cache_lock:
        _cache.clear()
        _arms.clear()


class ComparisonJob:
    """A comparison running in the background; poll ``done``, ``total``, ``result``, ``error``,
    ``stopped``."""

    def __init__(self, spec: ComparisonSpec, pool: cf.Executor | None = None):
        """Prepare the runs (``pool`` defaults to the shared, warmed `compare_pool.executor`)."""
        self.spec = spec
        self.total = len(spec.arms) * spec.replications
        self.done = 0
        self.result: ComparisonResult | None = None
        self.error: str | None = None
        self.stopped = False
        self.cached = False
        self._pool = pool
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="orglearn-compare")

    @property
    def running(self) -> bool:
        """Whether runs are still going."""
        return self._thread.is_alive()

    @property
    def finished(self) -> bool:
        """Whether the job ended (with a result, an error, or stopped)."""
        return self._thread.ident is not None and not self._thread.is_alive()

    def start(self) -> ComparisonJob:
        """Start the runs in a background thread (or take the result from the cache at once);
        returns self."""
        key = self.spec.key()
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
        if hit is not None:
            self.result, self.done, self.cached = hit, self.total, True
            self._thread = threading.Thread(target=lambda: None, daemon=True)
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
        futures: dict[cf.Future, tuple[int, int]] = {}
        try:
            scenarios = spec.scenarios()
            values = np.empty((len(scenarios), spec.replications, len(OUTCOME_COLUMNS)))
            series = np.empty((len(scenarios), spec.replications, len(CURVES), spec.steps + 1))
            arm_keys = spec.arm_keys()
            todo = []
            for arm, key in enumerate(arm_keys):
                with _cache_lock:
                    kept = _arms.get(key)
                if kept is None:
                    todo.append(arm)
                else:
                    values[arm], series[arm] = kept
                    self.done += spec.replications
            # Replicate-major order: the first pairs finish first, so progress is even.
            for r, seed in enumerate(seeds):
                for arm in todo:
                    if self._cancel.is_set():
                        break
                    futures[pool.submit(replicate, scenarios[arm], seed, spec.steps)] = (arm, r)
            for future in cf.as_completed(futures):
                if self._cancel.is_set():
                    break
                arm, r = futures[future]
                series[arm, r], values[arm, r] = future.result()
                self.done += 1
            if self._cancel.is_set():
                self.stopped = True
                return
            for arm in todo:
                _keep(_arms, arm_keys[arm], (values[arm].copy(), series[arm].copy()),
                      ARM_CACHE_SIZE)
            keys = tuple("/".join(map(str, s.spawn_key)) for s in seeds)
            self.result = ComparisonResult(spec, values, series, keys)
            _keep(_cache, spec.key(), self.result, CACHE_SIZE)
        except BrokenProcessPool:
            compare_pool.reset_executor()
            self.error = "A worker process stopped unexpectedly; please run the comparison again."
        except Exception as err:  # a failed run is shown in the page, never crashes it
            self.error = f"The comparison failed: {type(err).__name__}: {err}"
        finally:
            for future in futures:
                future.cancel()
