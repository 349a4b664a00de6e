"""The page's tabs: the live simulation and export (the comparison is `compare_view`).

Components only read the session and draw with the modules (`drawing`, `charts`, `glance`,
`export`); they hold no simulation logic.
"""

from __future__ import annotations

import threading
from pathlib import Path

import solara

from orglearn.ui import charts, export
from orglearn.ui.busy import Busy
from orglearn.ui.compare_view import comparison_png
from orglearn.ui.drawing import COLOUR_BY
from orglearn.ui.glance import three_values
from orglearn.ui.frames import CHARTS, draw_frame, frame_key
from orglearn.ui.person import PersonPicker, names_of, selected
from orglearn.ui.page_state import (
    FULL_SPEED,
    SPEEDS,
    achieved,
    bump,
    colour_by,
    compare_tick,
    current_session,
    frame,
    playing,
    speed,
    tick,
    version,
)

__all__ = ["LiveView", "ExportView", "live_pngs"]

_CAPTION = {"font-size": "13px", "color": "#555"}


def live_pngs(session, colour: str, ringed: int | None = None) -> dict[str, bytes]:
    """The live run's four charts as PNG bytes: organisation, spread, channels, participation
    (``ringed``: a person to ring in the organisation, the one being looked at)."""
    return draw_frame(session, colour, ringed=ringed).pngs


def _speed_label(value: int) -> str:
    if value == FULL_SPEED:
        return "Speed: full speed"
    return f"Speed: {value} day{'' if value == 1 else 's'} a second"


@solara.component
def RunControls():
    """Run / Pause, Step, Reset, speed, the day, and how fast the run really goes."""
    session = current_session()
    tick.value, frame.value  # redraw the day after a step, and as the run plays
    is_playing = playing.value
    went = achieved.value

    def run():
        achieved.set(None)
        current_session().playing = True
        playing.set(True)

    def pause():
        current_session().playing = False
        playing.set(False)

    def step():
        current_session().step(1)
        tick.set(tick.peek() + 1)

    def reset():
        playing.set(False)
        current_session().reset()
        bump()

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        if is_playing:
            solara.Button("Pause", icon_name="mdi-pause", on_click=pause, color="primary")
        else:
            solara.Button("Run", icon_name="mdi-play", on_click=run, color="primary",
                          disabled=session.finished)
        solara.Button("Step", icon_name="mdi-step-forward", on_click=step,
                      disabled=is_playing or session.finished)
        solara.Button("Reset", icon_name="mdi-restore", on_click=reset)
        with solara.Div(style={"width": "260px"}, classes=["orglearn-speed"]):
            solara.SliderInt(_speed_label(speed.value), value=SPEEDS.index(speed.value), min=0,
                             max=len(SPEEDS) - 1, on_value=lambda i: speed.set(SPEEDS[i]))
        solara.Text(f"Day {session.day} of {session.days}", classes=["orglearn-day"],
                    style={"font-size": "18px", "font-weight": "500"})
        if is_playing and went is not None:
            solara.Text(f"running at {went:,.0f} days a second", style=_CAPTION,
                        classes=["orglearn-achieved"])


@solara.component
def Glance(series):
    """The three values, as cards with a bar each."""
    with solara.Row(style={"flex-wrap": "wrap"}):
        for value in three_values(series):
            with solara.Card(value.name, style={"min-width": "260px", "flex": "1"}, margin=0):
                solara.Text(value.headline, style={"font-size": "16px", "font-weight": "500"})
                solara.ProgressLinear(value=100 * value.score)
                solara.Text(value.detail, style=_CAPTION)


@solara.component
def LiveView():
    """The live simulation: controls, the three values, the organisation and three charts.

    The charts are drawn in a thread (or by the play loop while the run plays), never while
    the page renders, so a click shows its effect at once and the charts follow.
    """
    session = current_session()
    ticks, versions, colour = tick.value, version.value, colour_by.value
    choice = selected.value
    ringed = choice[1] if choice and choice[0] == "person" else None
    shown, is_playing = frame.value, playing.value
    key = frame_key(session, colour, ringed)
    if shown is None:  # the first view: draw before showing the page
        shown = draw_frame(session, colour, ringed=ringed)
        frame.set(shown)

    def start_drawing():
        """Draw the run's current state in a thread, unless it is drawn already or the play
        loop draws; a newer state cancels this drawing (the last change wins)."""
        cancel = threading.Event()

        def draw() -> None:
            latest = frame.peek()
            wanted = frame_key(session, colour, ringed)
            if playing.peek() or (latest is not None and latest.key == wanted):
                return
            new = draw_frame(session, colour, cancel, ringed=ringed)
            if new is not None and not cancel.is_set():
                frame.set(new)

        # A plain thread, not solara.use_thread: its progress states would re-render the view
        # twice per frame. Solara's threads keep the page's context, so frame.set works.
        threading.Thread(target=draw, daemon=True, name="orglearn-ui-draw").start()
        return cancel.set

    solara.use_effect(start_drawing, [ticks, versions, colour, id(session), ringed])
    with session.lock:
        series = {k: list(v) for k, v in session.ensure_model().datacollector.model_vars.items()}
        layout, people = session.layout, session.model.network.n
    busy = is_playing or shown.key != key
    RunControls()
    Busy(busy)
    Glance(series)
    with solara.Row(style={"align-items": "center"}):
        solara.Text("Colour people by:", style=_CAPTION)
        solara.ToggleButtonsSingle(value=colour_by, values=list(COLOUR_BY))
    # The class names the day drawn, for tests and the benchmark (`orglearn bench --ui`).
    with solara.Div(classes=["orglearn-charts", f"orglearn-charts-day-{shown.key[1]}"]), \
            solara.ColumnsResponsive(default=12, large=6):
        for name in CHARTS:
            with solara.Div(classes=[f"orglearn-chart-{name}"]):
                if name == "organisation":  # click a person to look at them (ui.person)
                    PersonPicker(shown.pngs[name], layout, session.model, names_of(session.chart))
                else:
                    solara.Image(shown.pngs[name], width="100%")
                if name == "organisation":
                    solara.Text(_network_caption(layout, people), style=_CAPTION,
                                classes=["orglearn-network-caption"])


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:  # the session's files were deleted (idle page)
        return b""


def _network_caption(layout, people: int) -> str:
    if layout.aggregate:
        return (f"{people:,} people, drawn as {layout.sizes.size} departments: each disc's size "
                "is its headcount, its colour its average, and lines show ties between them.")
    return (f"{people:,} people, each a dot, grouped in teams and departments; grey lines are "
            "some of their working ties.")


@solara.component
def ExportView():
    """Downloads: the scenario file, the results as CSV, the charts as PNG."""
    session = current_session()
    version.value
    compare_tick.value
    scenario = session.scenario
    colour = colour_by.value
    job = session.job
    result = job.result if job is not None else None

    solara.Markdown("### Scenario")
    solara.Text("A complete scenario file with your changes. Upload it later, share it, or run "
                "it from the command line.", style=_CAPTION)
    solara.FileDownload(
        lambda: export.scenario_file(current_session().scenario, current_session().describe_changes()),
        filename=export.scenario_filename(scenario),
        label=f"Scenario file ({export.scenario_filename(scenario)})",
        mime_type="application/toml",
    )
    chart = session.chart
    if chart is not None:
        names = export.chart_names(scenario)
        solara.Text("This scenario simulates your org chart. The scenario file names the chart's "
                    "files without a folder (" + " and ".join(names.values()) + "): keep them "
                    "in the same folder as the scenario file. They are here too:",
                    style=_CAPTION, classes=["orglearn-chart-export"])
        with solara.Row(style={"flex-wrap": "wrap"}):
            for path in (chart.people, chart.ties):
                if path:
                    solara.FileDownload(lambda path=path: _read_bytes(path),
                                        filename=Path(path).name, label=Path(path).name, mime_type="text/csv")
    solara.Markdown("### Results (CSV)")
    solara.FileDownload(lambda: export.run_csv(current_session().ensure_model()),
                        filename="simulation.csv", label="This run, every day so far (simulation.csv)",
                        mime_type="text/csv")
    if result is not None:
        solara.FileDownload(lambda: export.comparison_csv(result, "runs"),
                            filename="comparison_runs.csv",
                            label="Comparison, one row per run (comparison_runs.csv)",
                            mime_type="text/csv")
        solara.FileDownload(lambda: export.comparison_csv(result, "curves"),
                            filename="comparison_days.csv",
                            label="Comparison, every day of every run (comparison_days.csv)",
                            mime_type="text/csv")
    else:
        solara.Text("Comparison results appear here once a comparison has run.", style=_CAPTION)
    solara.Markdown("### Charts (PNG)")
    with solara.Row(style={"flex-wrap": "wrap"}):
        for name in ("organisation", "spread", "channels", "participation"):
            solara.FileDownload(lambda name=name: live_pngs(current_session(), colour)[name],
                                filename=f"{name}.png", label=f"{name}.png", mime_type="image/png")
        if result is not None:
            solara.FileDownload(lambda: comparison_png(result), filename="comparison.png",
                                label="comparison.png", mime_type="image/png")
