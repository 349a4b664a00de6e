"""Drawing the live run's four charts, outside the page's rendering.

A `Frame` is the four PNGs drawn for one state of the live run, with the `frame_key` of that
state (which model, which day, what the dots show). The page shows the last frame while the next
one is drawn in a thread (`draw_frame`), so that a click or a slider is answered at once and the
charts follow; a frame whose key is not the run's current key is stale, and the page says it is
busy until the new one arrives.

`draw_frame` copies what it needs under the session's lock and draws without it, so that the
run can step while a frame is drawn. Each session keeps its charts between frames and redraws
only what moves (`charts.LiveChart`).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np

from orglearn.simulation.metrics import first_crossing
from orglearn.ui import charts
from orglearn.ui.drawing import OrganisationChart, knowledge_values
from orglearn.ui.person import names_of

__all__ = ["Frame", "CHARTS", "frame_key", "draw_frame"]

#: The live view's charts, in the order they are shown.
CHARTS = ("organisation", "spread", "channels", "participation")


@dataclass(frozen=True)
class Frame:
    """The live run's charts as drawn for one state of the run.

    Attributes:
        key: the `frame_key` of the state drawn.
        pngs: chart name (see `CHARTS`) -> PNG bytes.
    """

    key: tuple[int, int, str, int | None]
    pngs: dict[str, bytes]


def frame_key(session, colour: str, ringed: int | None = None) -> tuple[int, int, str, int | None]:
    """What a frame of the session's live run shows now: (model generation, day, colour, the
    person ringed in the organisation)."""
    with session.lock:
        session.ensure_model()
        return (session.generation, session.day, colour, ringed)


class _Charts:
    """One session's live charts, kept between frames so that each frame redraws only what
    moves (see `charts.LiveChart`); rebuilt when the run's length, the organisation's layout
    or what the dots show changes."""

    def __init__(self):
        self.lock = threading.Lock()  # a frame is drawn by one thread at a time
        self.lines: tuple[int, dict] | None = None
        self.organisation: tuple[object, str, object, OrganisationChart] | None = None

    def line_charts(self, days: int) -> dict:
        if self.lines is None or self.lines[0] != days:
            self.lines = (days, {"spread": charts.SpreadChart(days),
                                 "channels": charts.ChannelsChart(days),
                                 "participation": charts.ParticipationChart(days)})
        return self.lines[1]

    def organisation_chart(self, layout, department: np.ndarray, colour: str,
                           names) -> OrganisationChart:
        kept = self.organisation
        if kept is None or kept[0] is not layout or kept[1] != colour or kept[2] != names:
            chart = OrganisationChart(layout, department, colour, department_names=names)
            kept = self.organisation = (layout, colour, names, chart)
        return kept[3]


_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def _charts_of(session) -> _Charts:
    with _kept_lock:
        kept = _kept.get(session)
        if kept is None:
            kept = _kept[session] = _Charts()
        return kept


def draw_frame(
    session, colour: str, cancel: threading.Event | None = None, ringed: int | None = None
) -> Frame | None:
    """Draw the live run's four charts as they are now, with ``ringed`` (a person being looked
    at) ringed; None if ``cancel`` was set meanwhile (a newer state is wanted, so the rest of
    this one is not drawn)."""
    kept = _charts_of(session)
    with kept.lock:
        with session.lock:
            model = session.ensure_model()
            key = (session.generation, session.day, colour, ringed)
            chart = session.chart
            series = {k: np.asarray(v) for k, v in model.datacollector.model_vars.items()}
            values = knowledge_values(model.state.knowledge, colour)
            department = model.network.department
            layout, day, days = session.layout, int(model.steps), session.days
        # An uploaded chart's department names (read once: `read_chart` is cached).
        named = names_of(chart).departments
        names = None if named is None else tuple(str(name) for name in named)
        steps = np.arange(series["idea_adoption"].size)
        t50 = first_crossing(series["idea_adoption"], steps, 0.5)
        t90 = first_crossing(series["idea_adoption"], steps, 0.9)
        lines = kept.line_charts(days)
        updates = {
            "organisation": lambda: kept.organisation_chart(
                layout, department, colour, names).update(values, day, ringed),
            "spread": lambda: lines["spread"].update(series, t50, t90),
            "channels": lambda: lines["channels"].update(series),
            "participation": lambda: lines["participation"].update(series),
        }
        pngs = {}
        for name in CHARTS:
            if cancel is not None and cancel.is_set():
                return None
            pngs[name] = updates[name]().png()
    return Frame(key, pngs)
