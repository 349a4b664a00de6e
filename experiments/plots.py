"""Plots of a run's results (matplotlib, written to files; no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

__all__ = ["plot_spread"]


def plot_spread(timeseries: pd.DataFrame, summary: dict, path: str | Path) -> Path:
    """Knowledge over time by department, and the new idea's reach with its t50 and t90.

    Args:
        timeseries: the tidy table of `SocialLearningModel.timeseries`.
        summary: the dict of `SocialLearningModel.summary`.
        path: where to write the PNG.

    Returns:
        The path written.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    knowledge = timeseries[timeseries["metric"] == "mean_knowledge"]
    for scope, rows in knowledge.groupby("scope", sort=True):
        whole = scope == "organisation"
        left.plot(
            rows["step"],
            rows["value"],
            label="whole organisation" if whole else scope,
            color="black" if whole else None,
            linewidth=2.5 if whole else 1.2,
            zorder=3 if whole else 2,
        )
    left.set(
        title="Mean knowledge by department",
        xlabel="step (working day)",
        ylabel="mean knowledge (0 to 1)",
        ylim=(0, 1),
    )
    left.legend(fontsize="small", loc="upper left")

    idea = timeseries[(timeseries["metric"] == "idea_adoption")]
    right.plot(idea["step"], idea["value"], color="tab:purple", linewidth=2)
    for level, key in ((0.5, "t50"), (0.9, "t90")):
        right.axhline(level, color="grey", linestyle=":", linewidth=1)
        if summary.get(key) is not None:
            right.axvline(summary[key], color="tab:purple", linestyle="--", linewidth=1)
            right.annotate(f"{key} = {summary[key]}", (summary[key], level), xytext=(4, 4),
                           textcoords="offset points", fontsize="small")
    right.set(
        title="Reach of the seeded new idea",
        xlabel="step (working day)",
        ylabel="share of staff who know it",
        ylim=(0, 1.02),
    )
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
