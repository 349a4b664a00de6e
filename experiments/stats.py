"""Summary statistics across replications: means with 95% confidence intervals, censoring,
paired differences (honest about censored runs), and equivalence tests of paired differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mean_ci", "summarise_runs", "curve_bands", "equivalence", "Equivalence", "OUTCOMES",
           "Difference", "paired_difference", "censored_difference"]

#: Per-run outcomes summarised in reports: (column, label, higher is better).
OUTCOMES: tuple[tuple[str, str, bool], ...] = (
    ("t50", "days to reach 50% of staff", False),
    ("t90", "days to reach 90% of staff", False),
    ("final_mean_knowledge", "final mean knowledge", True),
    ("final_participation", "participation on the ESN", True),
    ("final_silo_index", "silo index", False),
    ("final_alignment", "alignment with client needs", True),
    ("final_gini", "inequality of knowledge (Gini)", False),
)


def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t-based confidence interval of the mean (NaN where undefined)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(x.mean())
    if x.size < 2:
        return (mean, np.nan, np.nan)
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (mean, mean - half, mean + half)


@dataclass(frozen=True)
class Difference:
    """A paired difference (scenario minus reference): mean and 95% CI over pairs.

    ``kind`` is "exact" or, for a time that runs may never reach (censored), "at least", "at
    most", "share" (a difference in the share of runs reaching it, from -1 to 1) or "none" (no
    values); see `censored_difference`."""

    kind: str
    mean: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The 95% CI excludes 0, in the direction a bound can speak for."""
        if self.kind in ("exact", "share"):
            return bool(self.low > 0 or self.high < 0)
        if self.kind == "at least":  # the true difference is above the bound
            return bool(self.low > 0)
        if self.kind == "at most":
            return bool(self.high < 0)
        return False


def paired_difference(values, kind: str = "exact") -> Difference:
    """The mean of per-pair differences with its 95% t interval; identical pairs (no spread)
    give the value itself as the interval, not NaN."""
    values = np.asarray(values, dtype=float)
    mean, low, high = mean_ci(values)
    if len(values) >= 2 and np.ptp(values) == 0:
        low = high = mean
    return Difference(kind, mean, low, high)


def censored_difference(a, b, censored_a, censored_b) -> Difference:
    """The paired difference ``a - b`` of a time some runs never reach within the run.

    ``a`` and ``b`` hold each pair's times with censored runs already set to the censoring time
    (e.g. the run's length + 1); ``censored_a`` and ``censored_b`` mark those runs. The result is:

    - ``exact`` when no run of either side is censored;
    - ``at least`` when only ``a`` has censored runs: each such pair's difference is a lower
      bound, so their mean is one;
    - ``at most`` when only ``b`` has censored runs (an upper bound, likewise);
    - ``share`` when both sides have censored runs: no bound holds, so it is the paired
      difference in the share of runs that reached the level (1 or 0 per run);
    - ``none`` when no run of either side reached it.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    cens_a, cens_b = np.asarray(censored_a, dtype=bool), np.asarray(censored_b, dtype=bool)
    if cens_a.all() and cens_b.all():
        return Difference("none", np.nan, np.nan, np.nan)
    if not cens_a.any() and not cens_b.any():
        return paired_difference(a - b, "exact")
    if not cens_b.any():
        return paired_difference(a - b, "at least")
    if not cens_a.any():
        return paired_difference(a - b, "at most")
    return paired_difference((~cens_a).astype(float) - (~cens_b).astype(float), "share")


class Equivalence(NamedTuple):
    """The verdict of `equivalence`: the mean difference, its interval, the margin, the verdict."""

    mean: float
    low: float
    high: float
    margin: float
    equivalent: bool


def equivalence(differences, margin: float, alpha: float = 0.05) -> Equivalence:
    """Two one-sided t tests (TOST) that the mean of ``differences`` lies within ``±margin``.

    The mean difference is declared equivalent to zero when its ``1 - 2 * alpha`` t confidence
    interval lies strictly inside ``(-margin, +margin)``: this rejects both "mean <= -margin" and
    "mean >= +margin" at level ``alpha`` (Schuirmann 1987). Unlike "no significant difference",
    a noisy or small sample cannot pass: its interval is wide and crosses the margin. For paired
    data (common random numbers) pass the per-pair differences. Over a family of ``m`` outcomes,
    pass ``alpha / m`` (Bonferroni) to bound the chance of declaring any non-equivalent one
    equivalent.

    NaN differences are dropped. With fewer than two left the interval is undefined (NaN) and the
    verdict is False; with no spread the interval is the mean itself.

    Args:
        differences: the (paired) differences, one per replication.
        margin: the equivalence margin, > 0, in the differences' units.
        alpha: the risk of declaring equivalence when the true mean is at or beyond a margin,
            in (0, 0.5).

    Returns:
        ``Equivalence(mean, low, high, margin, equivalent)``.

    Raises:
        ValueError: ``margin`` is not positive or ``alpha`` is not in (0, 0.5).

    """
    if not margin > 0:
        raise ValueError(f"The 'margin' value must be > 0. Got {margin!r} instead.")
    if not 0 < alpha < 0.5:
        raise ValueError(f"The 'alpha' value must be in (0, 0.5). Got {alpha!r} instead.")
    x = np.asarray(differences, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if x.size < 2:
        mean = float(x.mean()) if x.size else np.nan
        return Equivalence(mean, np.nan, np.nan, float(margin), False)
    mean = float(x.mean())
    half = float(stats.t.ppf(1.0 - alpha, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    low, high = mean - half, mean + half
    return Equivalence(mean, low, high, float(margin), bool(-margin < low and high < margin))


def summarise_runs(runs: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean, CI and n of each outcome per group; t50/t90 not reached count at steps_run + 1.

    Adds ``<t>_reached`` (how many runs reached the level) for t50 and t90, since a mean over
    censored runs is a lower bound.
    """
    ok = runs[runs["status"] == "ok"].copy()
    for col in ("t50", "t90"):
        ok[f"{col}_reached"] = ok[col].notna()
        ok[col] = ok[col].fillna(ok["steps_run"] + 1)
    rows = []
    for key, group in ok.groupby(by, sort=False):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        row["runs"] = len(group)
        for col, _, _ in OUTCOMES:
            if col in group:
                row[col], row[f"{col}_low"], row[f"{col}_high"] = mean_ci(group[col])
        for col in ("t50", "t90"):
            row[f"{col}_reached"] = int(group[f"{col}_reached"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def curve_bands(series: pd.DataFrame, by: list[str], metric: str) -> pd.DataFrame:
    """Per group and step: mean of ``metric`` across runs with a 95% CI band."""
    data = series[series["metric"] == metric]
    grouped = data.groupby([*by, "step"], sort=True)["value"]
    out = grouped.agg(["mean", "std", "count"]).reset_index()
    tcrit = stats.t.ppf(0.975, np.maximum(out["count"] - 1, 1))
    half = np.where(out["count"] > 1, tcrit * out["std"].fillna(0) / np.sqrt(out["count"]), 0.0)
    out["low"] = out["mean"] - half
    out["high"] = out["mean"] + half
    return out
