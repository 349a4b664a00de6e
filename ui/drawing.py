"""Drawing the organisation: people coloured by what they know, grouped by department.

Up to `layout.MAX_PEOPLE_DRAWN` people each person is a dot (with a fixed sample of ties);
above it each department is one disc, sized by headcount, coloured by its mean, and joined to
the others by lines as thick as the ties between them. Figures are plain matplotlib `Figure`
objects (no pyplot state), so pages can draw them in parallel.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from orglearn.ui.charts import LiveChart
from orglearn.ui.layout import Layout

__all__ = ["draw_organisation", "OrganisationChart", "COLOUR_BY", "knowledge_values", "CMAP"]

CMAP = "viridis"
#: What the dots can show: label -> description in the colour bar.
COLOUR_BY: dict[str, str] = {
    "The new idea": "how well each person knows the new idea (0 to 1)",
    "All topics": "each person's mean knowledge over all topics (0 to 1)",
}


def knowledge_values(knowledge: np.ndarray, colour_by: str) -> np.ndarray:
    """Per-person value to colour by: knowledge of the new idea (topic 0) or of all topics."""
    if colour_by == "The new idea":
        return np.asarray(knowledge[:, 0], dtype=float)
    return np.asarray(knowledge.mean(axis=1), dtype=float)


def draw_organisation(
    layout: Layout,
    values: np.ndarray,
    department: np.ndarray,
    colour_by: str = "The new idea",
    day: int = 0,
    figsize: tuple[float, float] = (6.4, 5.6),
) -> Figure:
    """The organisation as a figure.

    Args:
        layout: fixed positions from `layout.organisation_layout`.
        values: the per-person value shown, in [0, 1].
        department: each person's department.
        colour_by: a key of `COLOUR_BY` (for the colour bar's label).
        day: the day shown in the title.
        figsize: size in inches.
    """
    chart = OrganisationChart(layout, department, colour_by, figsize)
    return chart.update(values, day).figure()


class OrganisationChart(LiveChart):
    """The organisation, drawn once and recoloured for each day (see `charts.LiveChart`).

    The ties, department names and colour bar are drawn once; each update recolours the people
    (or the department discs) and rewrites the title.
    """

    def __init__(
        self,
        layout: Layout,
        department: np.ndarray,
        colour_by: str = "The new idea",
        figsize: tuple[float, float] = (6.4, 5.6),
    ):
        """An organisation of ``layout``, everyone at 0 until `update`."""
        fig = Figure(figsize=figsize, dpi=100)
        super().__init__(fig)
        self.layout, self.department = layout, department
        ax = fig.add_axes((0.01, 0.01, 0.86, 0.92))
        colour_axes = fig.add_axes((0.89, 0.15, 0.025, 0.65))
        ax.set_aspect("equal")
        ax.set_axis_off()
        n = department.size
        if layout.aggregate:
            self.discs, self.labels, mappable = _draw_departments(ax, layout)
            for artist in (*self.discs, *self.labels):
                self._moving(artist)
            self.what = f"{n:,} people, drawn as {layout.sizes.size} departments"
        else:
            ax.add_collection(
                LineCollection(layout.ties, colors="#7a7a7a", linewidths=0.4, alpha=0.25, zorder=1)
            )
            size = float(np.clip(6000.0 / max(n, 1), 4.0, 40.0))
            self.people = mappable = self._moving(ax.scatter(
                layout.people[:, 0], layout.people[:, 1], c=np.zeros(n), cmap=CMAP, vmin=0.0,
                vmax=1.0, s=size, linewidths=0.0, zorder=2,
            ))
            self.what = f"{n:,} people"
        for d, (x, y) in enumerate(layout.centres):
            ax.annotate(
                f"Department {d + 1}", (x, y + layout.radii[d]), ha="center", va="bottom",
                fontsize=10, color="#333333", xytext=(0, 2), textcoords="offset points",
            )
        pad = layout.radii.max() * 1.15
        ax.set_xlim(layout.centres[:, 0].min() - pad, layout.centres[:, 0].max() + pad)
        ax.set_ylim(layout.centres[:, 1].min() - pad, layout.centres[:, 1].max() + pad * 1.1)
        self.title = self._moving(ax.set_title("", fontsize=12))
        bar = fig.colorbar(mappable, cax=colour_axes)
        bar.set_label(COLOUR_BY.get(colour_by, colour_by), fontsize=10.5)
        bar.ax.tick_params(labelsize=10)

    def update(self, values: np.ndarray, day: int) -> OrganisationChart:
        """Colour by ``values`` (per person, in [0, 1]) on ``day``."""
        layout = self.layout
        if layout.aggregate:
            means = np.bincount(self.department, weights=values,
                                minlength=layout.sizes.size) / np.maximum(layout.sizes, 1)
            colours = matplotlib.colormaps[CMAP](means)
            for disc, label, size, mean, colour in zip(self.discs, self.labels, layout.sizes,
                                                        means, colours):
                disc.set_color(colour)
                label.set_text(f"{size:,}\n{mean:.0%}")
                label.set_color("white" if mean < 0.6 else "black")
        else:
            self.people.set_array(values)
        self.title.set_text(f"The organisation on day {day} ({self.what})")
        return self


def _draw_departments(ax, layout: Layout):
    """The ties between departments (drawn once), and a disc and a label per department
    (recoloured by `OrganisationChart.update`); returns (discs, labels, colour mappable)."""
    ties = layout.department_ties
    d = layout.sizes.size
    between = [(a, b, ties[a, b]) for a in range(d) for b in range(a + 1, d) if ties[a, b] > 0]
    if between:
        top = max(t for _, _, t in between)
        segments = [layout.centres[[a, b]] for a, b, _ in between]
        widths = [0.5 + 6.0 * t / top for _, _, t in between]
        ax.add_collection(
            LineCollection(segments, colors="#7a7a7a", linewidths=widths, alpha=0.4, zorder=1)
        )
    scale = layout.radii.max() / np.sqrt(layout.sizes.max())
    cmap = matplotlib.colormaps[CMAP]
    discs, labels = [], []
    for c, size in zip(layout.centres, layout.sizes):
        discs.append(ax.add_patch(Circle(c, scale * np.sqrt(size), color=cmap(0.0), zorder=2)))
        labels.append(ax.annotate("", c, ha="center", va="center", fontsize=10, zorder=3))
    mappable = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    return discs, labels, mappable
