"""The page's tabs: the live simulation and export (the comparison is `compare_view`).

Components only read the session and draw with the modules (`drawing`, `charts`, `glance`,
`export`); they hold no simulation logic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import solara

from orglearn.ui import charts, export
from orglearn.ui.compare_view import comparison_png
from orglearn.ui.drawing import COLOUR_BY, draw_organisation, knowledge_values
from orglearn.ui.glance import three_values
from orglearn.ui.page_state import (
    bump,
    colour_by,
    compare_tick,
    current_session,
    playing,
    speed,
    tick,
    version,
)
from orglearn.simulation.metrics import first_crossing

__all__ = ["LiveView", "ExportView", "live_pngs"]

_CAPTION = {"font-size": "13px", "color": "#555"}


def live_pngs(session, colour: str) -> dict[str, bytes]:
    """The live run's four charts as PNG bytes: organisation, spread, channels, participation."""
    with session.lock:
        model = session.ensure_model()
        series = {k: np.asarray(v) for k, v in model.datacollector.model_vars.items()}
        values = knowledge_values(model.state.knowledge, colour)
        department = model.network.department.copy()
        layout, day, days = session.layout, int(model.steps), session.days
    steps = np.arange(series["idea_adoption"].size)
    t50 = first_crossing(series["idea_adoption"], steps, 0.5)
    t90 = first_crossing(series["idea_adoption"], steps, 0.9)
    figures = {
        "organisation": draw_organisation(layout, values, department, colour, day),
        "spread": charts.spread_chart(series, days, t50, t90),
        "channels": charts.channels_chart(series, days),
        "participation": charts.participation_chart(series, days),
    }
    return {name: charts.png(fig) for name, fig in figures.items()}


@solara.component
def RunControls():
    """Run / Pause, Step, Reset, speed, and the day."""
    session = current_session()
    tick.value  # redraw the day as the run advances
    is_playing = playing.value

    def run():
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
        with solara.Div(style={"width": "260px"}):
            solara.SliderInt(f"Speed: {speed.value} days/s", value=speed, min=1, max=60)
        solara.Text(f"Day {session.day} of {session.days}", classes=["orglearn-day"],
                    style={"font-size": "18px", "font-weight": "500"})


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
    """The live simulation: controls, the three values, the organisation and three charts."""
    session = current_session()
    ticks, versions, colour = tick.value, version.value, colour_by.value
    pngs = solara.use_memo(lambda: live_pngs(session, colour), [ticks, versions, colour, id(session)])
    with session.lock:
        series = {k: list(v) for k, v in session.ensure_model().datacollector.model_vars.items()}
        layout, people = session.layout, session.model.network.n
    RunControls()
    Glance(series)
    with solara.Row(style={"align-items": "center"}):
        solara.Text("Colour people by:", style=_CAPTION)
        solara.ToggleButtonsSingle(value=colour_by, values=list(COLOUR_BY))
    with solara.ColumnsResponsive(default=12, large=6):
        for name in ("organisation", "spread", "channels", "participation"):
            with solara.Div(classes=[f"orglearn-chart-{name}"]):
                solara.Image(pngs[name], width="100%")
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
