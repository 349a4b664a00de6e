"""Drawing the organisation: people coloured by what they know, grouped by department.

Up to `layout.MAX_PEOPLE_DRAWN` people each person is a dot (with a fixed sample of ties);
above it each department is one disc, sized by headcount, coloured by its mean, and joined to
the others by lines as thick as the ties between them. Figures are plain matplotlib `Figure`
objects (no pyplot state), so pages can draw them in parallel.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from orglearn.ui.charts import LiveChart
from orglearn.ui.layout import Layout

__all__ = ["draw_organisation", "OrganisationChart", "COLOUR_BY", "knowledge_values", "CMAP",
           "FIGSIZE", "department_labels", "clicked", "Clicked", "where_drawn"]

CMAP = "viridis"
#: The organisation figure's size in inches (at 100 dots per inch).
FIGSIZE = (6.4, 5.6)
#: A click this close to a dot (in pixels of the drawn image) picks its person.
PICK_PIXELS = 14.0
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


def department_labels(count: int, names=None) -> list[str]:
    """The departments' names: an uploaded chart's own, else "Department 1", "Department 2"..."""
    if names is not None and len(names) == count:
        return [str(name) for name in names]
    return [f"Department {d + 1}" for d in range(count)]


def _frame(layout: Layout, figsize: tuple[float, float]) -> tuple[Figure, object]:
    """The figure and the organisation's axes, limits set: one geometry for drawing and for
    mapping clicks back to people (`clicked`)."""
    fig = Figure(figsize=figsize, dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.86, 0.92))
    ax.set_aspect("equal")
    ax.set_axis_off()
    pad = layout.radii.max() * 1.15
    ax.set_xlim(layout.centres[:, 0].min() - pad, layout.centres[:, 0].max() + pad)
    ax.set_ylim(layout.centres[:, 1].min() - pad, layout.centres[:, 1].max() + pad * 1.1)
    return fig, ax


def _disc_radii(layout: Layout) -> np.ndarray:
    """Radius of each department's disc when drawn as departments (area = headcount)."""
    scale = layout.radii.max() / np.sqrt(layout.sizes.max())
    return scale * np.sqrt(layout.sizes)


@dataclass(frozen=True)
class Clicked:
    """What a click on the organisation picture landed on: a person (row) or a department
    (when the organisation is drawn as departments); at most one is set."""

    person: int | None = None
    department: int | None = None


def _to_pixels(layout: Layout, figsize: tuple[float, float]):
    """The data-to-pixel transform of the organisation's axes and the image's size in pixels."""
    fig, ax = _frame(layout, figsize)
    ax.apply_aspect()  # the axes box shrinks to keep the aspect equal, as when drawn
    return ax.transData, fig.get_size_inches() * fig.dpi


def where_drawn(layout: Layout, points: np.ndarray,
                figsize: tuple[float, float] = FIGSIZE) -> np.ndarray:
    """Where layout ``points`` (k, 2) appear in the picture, as shares of its width and height
    from the top left corner: the inverse of `clicked`."""
    transform, (width, height) = _to_pixels(layout, figsize)
    pixels = transform.transform(np.atleast_2d(points))
    return np.column_stack([pixels[:, 0] / width, 1.0 - pixels[:, 1] / height])


def clicked(layout: Layout, x: float, y: float,
            figsize: tuple[float, float] = FIGSIZE) -> Clicked:
    """The person (or department disc) under a click on the drawn organisation.

    Args:
        layout: the layout the picture was drawn with.
        x, y: the click's position as a share of the image's width and height, from its top
            left corner (so the answer does not depend on how large the image is shown).
        figsize: the figure's size in inches, as drawn.

    Returns:
        The nearest person within `PICK_PIXELS` of the click, or the department whose disc
        holds it; an empty `Clicked` when the click is on neither.
    """
    transform, (width, height) = _to_pixels(layout, figsize)
    point = np.array([x * width, (1.0 - y) * height])  # pixels from the bottom left
    if layout.aggregate:
        centres = transform.transform(layout.centres)
        edge = transform.transform(layout.centres + np.c_[_disc_radii(layout), np.zeros(len(layout.centres))])
        distance = np.hypot(*(centres - point).T)
        inside = distance <= np.hypot(*(edge - centres).T)
        if inside.any():
            return Clicked(department=int(np.argmin(np.where(inside, distance, np.inf))))
        return Clicked()
    if layout.people.size == 0:
        return Clicked()
    distance = np.hypot(*(transform.transform(layout.people) - point).T)
    nearest = int(np.argmin(distance))
    return Clicked(person=nearest) if distance[nearest] <= PICK_PIXELS else Clicked()


def draw_organisation(
    layout: Layout,
    values: np.ndarray,
    department: np.ndarray,
    colour_by: str = "The new idea",
    day: int = 0,
    figsize: tuple[float, float] = FIGSIZE,
    department_names=None,
    selected: int | None = None,
) -> Figure:
    """The organisation as a figure.

    Args:
        layout: fixed positions from `layout.organisation_layout`.
        values: the per-person value shown, in [0, 1].
        department: each person's department.
        colour_by: a key of `COLOUR_BY` (for the colour bar's label).
        day: the day shown in the title.
        figsize: size in inches.
        department_names: the departments' names (an uploaded chart's), in code order; None
            for "Department 1", "Department 2"...
        selected: a person to ring (the one being looked at), or None.
    """
    chart = OrganisationChart(layout, department, colour_by, figsize, department_names)
    return chart.update(values, day, selected).figure()


class OrganisationChart(LiveChart):
    """The organisation, drawn once and recoloured for each day (see `charts.LiveChart`).

    The ties, department names and colour bar are drawn once; each update recolours the people
    (or the department discs), moves the ring round the person looked at, and rewrites the
    title. The geometry is `_frame`'s, which `clicked` maps clicks back with.
    """

    def __init__(
        self,
        layout: Layout,
        department: np.ndarray,
        colour_by: str = "The new idea",
        figsize: tuple[float, float] = FIGSIZE,
        department_names=None,
    ):
        """An organisation of ``layout``, everyone at 0 until `update`."""
        fig, ax = _frame(layout, figsize)
        super().__init__(fig)
        self.layout, self.department = layout, department
        colour_axes = fig.add_axes((0.89, 0.15, 0.025, 0.65))
        n = department.size
        self.ring = None
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
            self.ring = self._moving(ax.scatter(
                [np.nan], [np.nan], s=160, facecolors="none", edgecolors="#d62728",
                linewidths=2.0, zorder=3,
            ))
            self.what = f"{n:,} people"
        labels = department_labels(len(layout.centres), department_names)
        for d, (x, y) in enumerate(layout.centres):
            ax.annotate(
                labels[d], (x, y + layout.radii[d]), ha="center", va="bottom",
                fontsize=10, color="#333333", xytext=(0, 2), textcoords="offset points",
            )
        self.title = self._moving(ax.set_title("", fontsize=12))
        bar = fig.colorbar(mappable, cax=colour_axes)
        bar.set_label(COLOUR_BY.get(colour_by, colour_by), fontsize=10.5)
        bar.ax.tick_params(labelsize=10)

    def update(self, values: np.ndarray, day: int,
               selected: int | None = None) -> OrganisationChart:
        """Colour by ``values`` (per person, in [0, 1]) on ``day``; ring ``selected``."""
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
            n = values.size
            shown = selected is not None and 0 <= selected < n
            self.ring.set_offsets(layout.people[[selected]] if shown else [[np.nan, np.nan]])
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
    cmap = matplotlib.colormaps[CMAP]
    discs, labels = [], []
    for c, radius in zip(layout.centres, _disc_radii(layout)):
        discs.append(ax.add_patch(Circle(c, radius, color=cmap(0.0), zorder=2)))
        labels.append(ax.annotate("", c, ha="center", va="center", fontsize=10, zorder=3))
    mappable = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(0, 1))
    return discs, labels, mappable
