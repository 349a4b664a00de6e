"""Summary statistics across replications: means with 95% confidence intervals, censoring, and
equivalence tests of paired differences."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["mean_ci", "summarise_runs", "curve_bands", "equivalence", "Equivalence", "OUTCOMES"]

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
