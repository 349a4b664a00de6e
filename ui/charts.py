"""The UI's charts: knowledge spread, exchanges by channel, participation, and the comparison.

Each function takes plain data (metric name -> values per day, or a comparison's bands) and
returns a matplotlib `Figure`; `png` turns one into the bytes the page shows and exports. The
x axis always spans the whole run, so a chart does not jump while the simulation plays.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = [
    "png",
    "spread_chart",
    "channels_chart",
    "participation_chart",
    "comparison_chart",
    "CHANNEL_LABELS",
    "COMPARED_METRICS",
    "ARM_COLOURS",
]

#: The channels through which knowledge moves, in plain words.
CHANNEL_LABELS: dict[str, str] = {
    "direct": "asking a colleague",
    "esn": "reading posts",
    "collaboration": "working together",
    "training": "formal training",
    "field": "from clients' work",
}
#: The metrics a comparison shows: (metric, title, y label).
COMPARED_METRICS: tuple[tuple[str, str, str], ...] = (
    ("idea_adoption", "Reach of the new idea", "share of staff who know it"),
    ("mean_knowledge", "What people know", "mean knowledge (0 to 1)"),
    ("participation", "Participation", "share of tool users who posted"),
)
#: One colour per compared scenario, in order.
ARM_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple")


def png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    # Fast compression: a frame is drawn several times a second while the run plays.
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _days(series: Mapping[str, Sequence[float]]) -> np.ndarray:
    first = next(iter(series.values()))
    return np.arange(len(first))


def _frame(ax, steps: int, title: str, ylabel: str, ylim=(0.0, 1.02)) -> None:
    ax.set_xlim(0, max(steps, 1))
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("working day", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25)


def _single(width: float = 6.4, height: float = 3.4):
    """A figure with one chart and fixed margins (faster than a layout engine)."""
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.91, bottom=0.14)
    return fig, fig.subplots()


def spread_chart(
    series: Mapping[str, Sequence[float]], steps: int, t50: int | None, t90: int | None
) -> Figure:
    """Knowledge spread: the share who know the new idea, and mean knowledge, day by day."""
    fig, ax = _single()
    days = _days(series)
    ax.plot(days, series["idea_adoption"], color="tab:purple", lw=2.2,
            label="staff who know the new idea")
    ax.plot(days, series["mean_knowledge"], color="tab:green", lw=1.6,
            label="mean knowledge, all topics")
    ax.plot(days, series["coverage"], color="tab:green", lw=1.0, ls="--",
            label="share of topics people know")
    for level, when, name in ((0.5, t50, "half"), (0.9, t90, "90%")):
        ax.axhline(level, color="grey", ls=":", lw=0.8)
        if when is not None:
            ax.axvline(when, color="tab:purple", ls="--", lw=0.8)
            ax.annotate(f"{name} of staff on day {when}", (when, level), xytext=(4, -12),
                        textcoords="offset points", fontsize=7, color="tab:purple")
    _frame(ax, steps, "Knowledge spread", "share (0 to 1)")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def channels_chart(series: Mapping[str, Sequence[float]], steps: int, window: int = 7) -> Figure:
    """Exchanges by channel: how many knowledge exchanges each channel carried per day (a
    ``window``-day moving average), with the run's totals in the legend.

    The scale is logarithmic, since reading posts can carry a hundred times more exchanges
    than asking a colleague and both matter.
    """
    fig, ax = _single()
    days = _days(series)
    top = 1.0
    for name, label in CHANNEL_LABELS.items():
        values = np.asarray(series[name], dtype=float)
        smooth = pd.Series(values).rolling(window, min_periods=1).mean().to_numpy()
        top = max(top, float(smooth.max()))
        ax.plot(days, smooth, lw=1.8, label=f"{label} ({int(values.sum()):,})")
    _frame(ax, steps, f"Exchanges by channel ({window}-day average; totals in brackets)",
           "exchanges per day (log scale)", ylim=None)
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(0, top * 40)  # room for the legend above the lines
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    ax.legend(fontsize=7, loc="upper left", ncols=3)
    return fig


def participation_chart(series: Mapping[str, Sequence[float]], steps: int) -> Figure:
    """Participation on the social network, lurking and reciprocity, day by day."""
    fig, ax = _single()
    days = _days(series)
    ax.plot(days, series["participation"], color="tab:blue", lw=2,
            label="tool users who posted in the last 30 days")
    ax.plot(days, series["lurking"], color="tab:grey", lw=1.4, label="lurkers")
    ax.plot(days, series["reciprocity"], color="tab:red", lw=1.4,
            label="helping relationships that go both ways")
    _frame(ax, steps, "Participation", "share (0 to 1)")
    ax.legend(fontsize=7, loc="upper right")
    return fig


def comparison_chart(bands: Mapping[str, np.ndarray], labels: Sequence[str], steps: int,
                     reference: int = 0) -> Figure:
    """Side by side, for each compared metric: every arm's mean with its 95% confidence band
    across replications, one colour per arm (the reference's line dashed).

    Args:
        bands: metric -> array ``(arms, 3, days)`` of mean, low and high per day
            (`ComparisonResult.bands`).
        labels: the arms' names, in the arrays' order.
        steps: days in a run.
        reference: the index of the arm the others are compared with.
    """
    fig = Figure(figsize=(12.0, 3.8), dpi=100)
    fig.subplots_adjust(left=0.05, right=0.99, top=0.80, bottom=0.14, wspace=0.22)
    axes = fig.subplots(1, len(COMPARED_METRICS))
    for ax, (metric, title, ylabel) in zip(axes, COMPARED_METRICS):
        table = bands[metric]
        days = np.arange(table.shape[-1])
        for arm, label in enumerate(labels):
            colour = ARM_COLOURS[arm % len(ARM_COLOURS)]
            mean, low, high = table[arm]
            ax.fill_between(days, low, high, color=colour, alpha=0.2, lw=0)
            name = f"{label} (reference)" if arm == reference else label
            ax.plot(days, mean, color=colour, lw=1.8, ls="--" if arm == reference else "-",
                    label=name)
        if metric == "idea_adoption":
            ax.axhline(0.9, color="grey", ls=":", lw=0.8)
        _frame(ax, steps, title, ylabel)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncols=min(len(labels), 4), fontsize=8,
               frameon=False, bbox_to_anchor=(0.5, 0.93))
    fig.suptitle("Mean of the runs with its 95% confidence band", fontsize=9, y=0.995)
    return fig
