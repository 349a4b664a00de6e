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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from matplotlib.ticker import FuncFormatter

__all__ = [
    "png",
    "LiveChart",
    "SpreadChart",
    "ChannelsChart",
    "ParticipationChart",
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


#: Font sizes in points. The live charts are 5 inches wide at 100 dpi, shown about 500 pixels
#: wide beside each other at 1440 pixels, so a point is about 1.4 pixels on screen: ticks and
#: legends about 12 px, titles about 15 px.
_TITLE, _LABEL, _TICK, _LEGEND = 11, 9.5, 8.5, 8.5


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
    ax.set_title(title, fontsize=_TITLE)
    ax.set_xlabel("working day", fontsize=_LABEL)
    ax.set_ylabel(ylabel, fontsize=_LABEL)
    ax.tick_params(labelsize=_TICK)
    ax.grid(alpha=0.25)


def _single(width: float = 5.0, height: float = 3.0):
    """A figure with one chart and fixed margins (faster than a layout engine)."""
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=0.13, right=0.98, top=0.9, bottom=0.15)
    return fig, fig.subplots()


class LiveChart:
    """A chart drawn once and then updated in place for each new day of the live run.

    The axes, ticks, titles and grid are drawn once and kept as a picture; each `png` puts that
    picture back and draws only the artists that move (lines, markers, legends) over it
    (matplotlib's "blitting"), several times faster than drawing a new figure.
    Subclasses create their moving artists with `_moving` and set their data in ``update``.
    """

    def __init__(self, fig: Figure):
        """Keep ``fig`` and give it an Agg canvas."""
        self.fig = fig
        self.moving: list = []
        self.on_top: list = []
        self._background = None
        FigureCanvasAgg(fig)

    def _moving(self, artist):
        artist.set_animated(True)
        self.moving.append(artist)
        return artist

    def _kept_on_top(self, artist):
        """A still artist (a legend) that the moving ones must not cover: drawn once, and its
        pixels put back over them, which saves laying out its text for every frame."""
        self.on_top.append(artist)
        return artist

    def redraw_all(self) -> None:
        """Draw everything again at the next `png` (after an axis limit changed)."""
        self._background = None

    def png(self) -> bytes:
        """The chart as it is now, as PNG bytes."""
        canvas = self.fig.canvas
        if self._background is None:
            canvas.draw()  # everything but the moving artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        for artist in self.on_top:
            canvas.restore_region(self._background, bbox=artist.get_window_extent().expanded(1.02, 1.05))
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def figure(self) -> Figure:
        """The figure with every artist drawn as usual (to save it, or show it once)."""
        for artist in self.moving:
            artist.set_animated(False)
        return self.fig


class SpreadChart(LiveChart):
    """Knowledge spread: the share who know the new idea, and mean knowledge, day by day, with
    the days half and 90% of staff knew the idea marked."""

    def __init__(self, steps: int):
        """An empty chart for a run of ``steps`` days."""
        fig, ax = _single()
        super().__init__(fig)
        self.idea = self._moving(ax.plot([], [], color="tab:purple", lw=2.2,
                                         label="staff who know the new idea")[0])
        self.mean = self._moving(ax.plot([], [], color="tab:green", lw=1.6,
                                         label="mean knowledge, all topics")[0])
        self.coverage = self._moving(ax.plot([], [], color="tab:green", lw=1.0, ls="--",
                                             label="share of topics people know")[0])
        self.marks = {}
        for level, name in ((0.5, "half"), (0.9, "90%")):
            ax.axhline(level, color="grey", ls=":", lw=0.8)
            line = self._moving(ax.axvline(0, color="tab:purple", ls="--", lw=0.8, visible=False))
            text = self._moving(ax.annotate("", (0, level), xytext=(4, -14),
                                            textcoords="offset points", fontsize=_LEGEND,
                                            color="tab:purple", visible=False))
            self.marks[level] = (name, line, text)
        _frame(ax, steps, "Knowledge spread", "share (0 to 1)")
        self._kept_on_top(ax.legend(fontsize=_LEGEND, loc="upper left", framealpha=1.0))

    def update(self, series: Mapping[str, Sequence[float]], t50: int | None,
               t90: int | None) -> SpreadChart:
        """Show ``series`` (metric -> value per day so far) and the days of half and 90%."""
        days = _days(series)
        self.idea.set_data(days, series["idea_adoption"])
        self.mean.set_data(days, series["mean_knowledge"])
        self.coverage.set_data(days, series["coverage"])
        for when, (level, (name, line, text)) in zip((t50, t90), self.marks.items()):
            line.set_visible(when is not None)
            text.set_visible(when is not None)
            if when is not None:
                line.set_xdata([when, when])
                text.xy = (when, level)
                text.set_text(f"{name} of staff on day {when}")
        return self


class ChannelsChart(LiveChart):
    """Exchanges by channel: how many knowledge exchanges each channel carried per day (a
    ``window``-day moving average), with the run's totals in the legend.

    The scale is logarithmic, since reading posts can carry a hundred times more exchanges
    than asking a colleague and both matter.
    """

    def __init__(self, steps: int, window: int = 7):
        """An empty chart for a run of ``steps`` days."""
        fig, ax = _single()
        super().__init__(fig)
        self.ax, self.window, self.top = ax, window, 0.0
        self.lines = {name: self._moving(ax.plot([], [], lw=1.8, label=label)[0])
                      for name, label in CHANNEL_LABELS.items()}
        _frame(ax, steps, f"Exchanges by channel ({window}-day average)",
               "exchanges per day (log scale)", ylim=None)
        ax.set_yscale("symlog", linthresh=1.0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        self._set_top(1.0)
        self.legend = self._moving(ax.legend(fontsize=_LEGEND, loc="upper left", ncols=2,
                                             title="totals in brackets",
                                             title_fontsize=_LEGEND))

    def _set_top(self, top: float) -> None:
        # Room for the legend above the lines; whole powers of ten, so that the axis (drawn
        # once) changes only now and then as the run goes on.
        limit = 10.0 ** np.ceil(np.log10(max(top, 1.0) * 100))
        if limit != self.top:
            self.top = limit
            self.ax.set_ylim(0, limit)
            self.redraw_all()

    def update(self, series: Mapping[str, Sequence[float]]) -> ChannelsChart:
        """Show ``series`` (metric -> value per day so far)."""
        days = _days(series)
        top = 1.0
        for text, (name, line) in zip(self.legend.get_texts(), self.lines.items()):
            values = np.asarray(series[name], dtype=float)
            smooth = _moving_mean(values, self.window)
            top = max(top, float(smooth.max(initial=0.0)))
            line.set_data(days, smooth)
            text.set_text(f"{CHANNEL_LABELS[name]} ({int(values.sum()):,})")
        self._set_top(top)
        return self


def _moving_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of each value and up to ``window - 1`` before it (vectorised)."""
    total = np.cumsum(values)
    before = np.zeros_like(total)
    before[window:] = total[:-window]
    return (total - before) / np.minimum(np.arange(1, values.size + 1), window)


class ParticipationChart(LiveChart):
    """Participation on the social network, lurking and reciprocity, day by day."""

    def __init__(self, steps: int):
        """An empty chart for a run of ``steps`` days."""
        fig, ax = _single()
        super().__init__(fig)
        self.lines = {
            "participation": self._moving(ax.plot([], [], color="tab:blue", lw=2,
                                                  label="tool users who posted in the last 30 days")[0]),
            "lurking": self._moving(ax.plot([], [], color="tab:grey", lw=1.4, label="lurkers")[0]),
            "reciprocity": self._moving(ax.plot([], [], color="tab:red", lw=1.4,
                                                label="helping relationships that go both ways")[0]),
        }
        _frame(ax, steps, "Participation", "share (0 to 1)")
        self._kept_on_top(ax.legend(fontsize=_LEGEND, loc="upper right", framealpha=1.0))

    def update(self, series: Mapping[str, Sequence[float]]) -> ParticipationChart:
        """Show ``series`` (metric -> value per day so far)."""
        days = _days(series)
        for name, line in self.lines.items():
            line.set_data(days, series[name])
        return self


def spread_chart(
    series: Mapping[str, Sequence[float]], steps: int, t50: int | None, t90: int | None
) -> Figure:
    """Knowledge spread as a figure (see `SpreadChart`)."""
    return SpreadChart(steps).update(series, t50, t90).figure()


def channels_chart(series: Mapping[str, Sequence[float]], steps: int, window: int = 7) -> Figure:
    """Exchanges by channel as a figure (see `ChannelsChart`)."""
    return ChannelsChart(steps, window).update(series).figure()


def participation_chart(series: Mapping[str, Sequence[float]], steps: int) -> Figure:
    """Participation as a figure (see `ParticipationChart`)."""
    return ParticipationChart(steps).update(series).figure()


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
