"""Drawing the organisation: people coloured by what they know, grouped by department.

Up to `layout.MAX_PEOPLE_DRAWN` people each person is a dot (with a fixed sample of ties);
above it each department is one disc, sized by headcount, coloured by its mean, and joined to
the others by lines as thick as the ties between them. Figures are plain matplotlib `Figure`
objects (no pyplot state), so pages can draw them in parallel.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from orglearn.ui.layout import Layout

__all__ = ["draw_organisation", "COLOUR_BY", "knowledge_values", "CMAP"]

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
    fig = Figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.86, 0.92))
    colour_axes = fig.add_axes((0.89, 0.15, 0.025, 0.65))
    ax.set_aspect("equal")
    ax.set_axis_off()
    n = values.size
    if layout.aggregate:
        means = np.bincount(department, weights=values, minlength=layout.sizes.size) / np.maximum(
            layout.sizes, 1
        )
        mappable = _draw_departments(ax, layout, means)
        what = f"{n:,} people, drawn as {layout.sizes.size} departments"
    else:
        ax.add_collection(
            LineCollection(layout.ties, colors="#7a7a7a", linewidths=0.4, alpha=0.25, zorder=1)
        )
        size = float(np.clip(6000.0 / max(n, 1), 4.0, 40.0))
        mappable = ax.scatter(
            layout.people[:, 0], layout.people[:, 1], c=values, cmap=CMAP, vmin=0.0, vmax=1.0,
            s=size, linewidths=0.0, zorder=2,
        )
        what = f"{n:,} people"
    for d, (x, y) in enumerate(layout.centres):
        ax.annotate(
            f"Department {d + 1}", (x, y + layout.radii[d]), ha="center", va="bottom",
            fontsize=8, color="#333333", xytext=(0, 2), textcoords="offset points",
        )
    pad = layout.radii.max() * 1.15
    ax.set_xlim(layout.centres[:, 0].min() - pad, layout.centres[:, 0].max() + pad)
    ax.set_ylim(layout.centres[:, 1].min() - pad, layout.centres[:, 1].max() + pad * 1.1)
    ax.set_title(f"The organisation on day {day} ({what})", fontsize=10)
    bar = fig.colorbar(mappable, cax=colour_axes)
    bar.set_label(COLOUR_BY.get(colour_by, colour_by), fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return fig


def _draw_departments(ax, layout: Layout, means: np.ndarray):
    ties = layout.department_ties
    d = means.size
    between = [(a, b, ties[a, b]) for a in range(d) for b in range(a + 1, d) if ties[a, b] > 0]
    if between:
        top = max(t for _, _, t in between)
        segments = [layout.centres[[a, b]] for a, b, _ in between]
        widths = [0.5 + 6.0 * t / top for _, _, t in between]
        ax.add_collection(
            LineCollection(segments, colors="#7a7a7a", linewidths=widths, alpha=0.4, zorder=1)
        )
    scale = layout.radii.max() / np.sqrt(layout.sizes.max())
    import matplotlib

    cmap = matplotlib.colormaps[CMAP]
    for c, size, mean in zip(layout.centres, layout.sizes, means):
        ax.add_patch(Circle(c, scale * np.sqrt(size), color=cmap(float(mean)), zorder=2))
        ax.annotate(f"{size:,}\n{mean:.0%}", c, ha="center", va="center", fontsize=8,
                    color="white" if mean < 0.6 else "black", zorder=3)
    mappable = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    return mappable
