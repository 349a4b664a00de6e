"""Plots of a run's results, and how every orglearn figure is written (matplotlib, to files).

`save_figure` writes a figure as SVG and PDF (vector, text kept as text) and as a 300-dpi PNG,
with no dates or random ids in the files, so the same figure gives the same bytes.
`parameter_label` and `scenario_label` turn identifiers into words for titles and axes.

Importing this module does not import matplotlib (about 0.25 s): `figure_paths` and the labels
are needed where no figure is drawn (``orglearn run --no-plot``), and `plot_spread` builds a
bare `matplotlib.figure.Figure`, not a pyplot one, so a run never imports pyplot either.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "plot_spread",
    "save_figure",
    "figure_paths",
    "parameter_label",
    "scenario_label",
    "CENSORED",
    "FORMATS",
    "DPI",
]

#: The formats every figure is written in, and the resolution of its PNG.
FORMATS = ("svg", "pdf", "png")
DPI = 300
#: The legend of a marker for a level a run never reached.
CENSORED = "not reached by the end of the run (censored)"

_STYLE = {
    "svg.fonttype": "none",  # text stays text in SVG: searchable, editable
    "svg.hashsalt": "orglearn",  # fixed ids, so the same figure gives the same bytes
    "pdf.fonttype": 42,  # TrueType fonts in PDF, as journals ask
}
_METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}, "png": {}}


def figure_paths(path: str | Path) -> list[Path]:
    """The files `save_figure` writes for ``path`` (its suffix, if any, is replaced)."""
    stem = Path(path)
    if stem.suffix.lower().lstrip(".") in FORMATS:
        stem = stem.with_suffix("")
    return [stem.with_name(f"{stem.name}.{ext}") for ext in FORMATS]


def save_figure(fig: Figure, path: str | Path, close: bool = True) -> list[Path]:
    """Write ``fig`` as ``<path>.svg``, ``.pdf`` and a 300-dpi ``.png``; returns the paths.

    Args:
        fig: the figure (from pyplot or a bare `matplotlib.figure.Figure`).
        path: where, with or without a suffix (``out/spread`` or ``out/spread.png``).
        close: close the figure afterwards (only pyplot keeps figures open).
    """
    import matplotlib

    paths = figure_paths(path)
    # A layout engine (constrained layout) lays the figure out at every save, in a draw of its
    # own; the first save's layout is kept for the other formats, so each of them draws once.
    engine = fig.get_layout_engine()
    try:
        with matplotlib.rc_context(_STYLE):
            for target in paths:
                ext = target.suffix.lstrip(".")
                with _without_ligatures(fig) if ext == "pdf" else nullcontext():
                    fig.savefig(target, format=ext, dpi=DPI, metadata=_METADATA[ext])
                if engine is not None:
                    fig.set_layout_engine("none")
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)
    # A figure pyplot manages needs closing; if pyplot was never imported there is none.
    if close and (pyplot := sys.modules.get("matplotlib.pyplot")) is not None:
        pyplot.close(fig)
    return paths


@contextmanager
def _without_ligatures(fig: Figure) -> Iterator[None]:
    """Typeset the figure's text without ligatures (unless a text asks for features itself).

    For the PDF: matplotlib (3.11) puts a ligature glyph, such as the "ff" of "staff", in a
    subset of its own and so embeds the font twice, subsetting it twice (about 0.06 CPU-s and
    a tenth of the file). Matplotlib without text features has no ligatures to remove.
    """
    from matplotlib.text import Text

    if not hasattr(Text, "set_fontfeatures"):
        yield
        return
    texts = [t for t in fig.findobj(Text) if t.get_fontfeatures() is None]
    for text in texts:
        text.set_fontfeatures(("-liga",))
    try:
        yield
    finally:
        for text in texts:
            text.set_fontfeatures(None)


def parameter_label(key: str) -> str:
    """A parameter's dotted name in words: ``population.hoarder_share`` -> "hoarder share
    (population)"."""
    section, _, name = key.rpartition(".")
    words = name.replace("_", " ")
    return f"{words} ({section.replace('_', ' ').replace('.', ', ')})" if section else words


def scenario_label(name: str) -> str:
    """A scenario's title for figures: its ``title`` if it can be loaded, else its name (or
    file name) in words."""
    short = Path(name).name.removesuffix(".toml")
    try:
        from orglearn.scenarios import load

        title = load(name).title
    except Exception:  # noqa: BLE001 - a scenario that moved: its name will do
        title = ""
    return title or short.replace("_", " ")


def plot_spread(
    timeseries: pd.DataFrame, summary: dict, path: str | Path, title: str | None = None
) -> list[Path]:
    """Knowledge over time by department, and the new idea's reach with its t50 and t90.

    A level the idea never reached is drawn as a hollow marker at the run's end, labelled as
    not reached (censored).

    Args:
        timeseries: the tidy table of `SocialLearningModel.timeseries`.
        summary: the dict of `SocialLearningModel.summary` (with ``seed``, if known).
        path: where to write the figure (see `save_figure`).
        title: the scenario's title (default: its name in words).

    Returns:
        The paths written.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    knowledge = timeseries[timeseries["metric"] == "mean_knowledge"]
    whole = knowledge[knowledge["scope"] == "organisation"]
    for number, rows in knowledge[knowledge["scope"] == "department"].groupby("department"):
        left.plot(rows["step"], rows["value"], label=f"department {number}", linewidth=1.2)
    left.plot(whole["step"], whole["value"], label="whole organisation", color="black",
              linewidth=2.5, zorder=3)
    left.set(title="Mean knowledge, by department", xlabel="day (model step)",
             ylabel="mean knowledge (0 to 1)", ylim=(0, 1))
    left.legend(fontsize="small", loc="upper left", ncol=2)

    idea = timeseries[timeseries["metric"] == "idea_adoption"]
    right.plot(idea["step"], idea["value"], color="tab:purple", linewidth=2,
               label="share of staff who know it")
    end = int(summary.get("steps", idea["step"].max()))
    censored = False
    for level, key, words in ((0.5, "t50", "half"), (0.9, "t90", "90%")):
        right.axhline(level, color="grey", linestyle=":", linewidth=1)
        if summary.get(key) is not None:
            right.axvline(summary[key], color="tab:purple", linestyle="--", linewidth=1)
            right.annotate(f"{words} of staff on day {summary[key]}", (summary[key], level),
                           xytext=(4, 4), textcoords="offset points", fontsize="small")
        else:
            right.plot([end], [level], marker="o", markersize=9, markerfacecolor="white",
                       markeredgecolor="tab:purple", linestyle="none",
                       label=CENSORED if not censored else None)
            right.annotate(f"{words} of staff: not reached in {end} days", (end, level),
                           xytext=(-6, 6), textcoords="offset points", ha="right",
                           fontsize="small")
            censored = True
    right.set(title="Reach of the seeded new idea", xlabel="day (model step)",
              ylabel="share of staff who know it", ylim=(0, 1.02))
    right.legend(fontsize="small", loc="lower right")
    fig.suptitle(_run_title(summary, title), fontsize="medium")
    return save_figure(fig, path)


def _run_title(summary: dict, title: str | None) -> str:
    """"<scenario>: one run, N employees, T days, seed S" (what the figure shows)."""
    name = title or str(summary.get("scenario") or "").replace("_", " ")
    what = ["one run"]
    if summary.get("n_agents") is not None:
        what.append(f"{summary['n_agents']} employees")
    if summary.get("steps") is not None:
        what.append(f"{summary['steps']} days")
    if summary.get("seed") is not None:
        what.append(f"seed {summary['seed']}")
    return ": ".join([*([name] if name else []), ", ".join(what)])
