"""The orglearn web UI: the Solara page. Start it with ``orglearn ui`` (or ``python -m
orglearn.ui``); it wires the modules of `orglearn.ui` together and holds no logic.

The sidebar chooses the scenario and moves its barriers and interventions; the main area has
three tabs: the live simulation, the comparison with a baseline, and export.
"""

from __future__ import annotations

import time

import reacton.ipyvuetify as rv
import solara
import solara.lab

from orglearn.ui.controls import BARRIERS, INTERVENTIONS, ORGANISATION, PlannedIntervention
from orglearn.ui.page_state import (
    bump,
    current_session,
    playing,
    problem,
    speed,
    tick,
    version,
)
from orglearn.ui.upload import ChartFileInput, ScenarioFileInput, read_scenario, strip_chart_files
from orglearn.ui.compare_view import CompareView
from orglearn.ui.views import ExportView, LiveView
from orglearn.scenarios import builtin_names, load

__all__ = ["Page"]

_CAPTION = {"font-size": "12px", "color": "#555", "line-height": "1.3"}
#: Built-in scenarios by title, for the picker.
_TITLES: dict[str, str] = {load(name).title or name: name for name in builtin_names()}
_FRAME = 0.25  # seconds between redraws while playing
#: Controls an uploaded org chart decides (hidden while one is used).
_CHART_SETS = ("people", "departments")


def _change(key: str, value) -> None:
    playing.set(False)
    problem.set(current_session().set_control(key, value))
    bump()


def _plan(kind: str, item: PlannedIntervention) -> None:
    playing.set(False)
    problem.set(current_session().set_intervention(kind, item))
    bump()


@solara.component
def Slider(label: str, value: int, low: int, high: int, step: int, on_change):
    """A slider that reports its value when let go (or on a key press), not while dragged,
    since each change rebuilds the model."""
    callback = solara.use_ref(on_change)
    callback.current = on_change
    slider = rv.Slider(label=label, v_model=value, min=low, max=high, step=step,
                       hide_details=True, thumb_label=False)

    def attach():
        widget = solara.get_widget(slider)

        def changed(_widget, _event, data) -> None:
            callback.current(int(data))

        widget.on_event("change", changed)
        return lambda: widget.on_event("change", changed, remove=True)

    solara.use_effect(attach, [])
    return slider


@solara.component
def ScenarioPanel():
    """Pick a built-in scenario or upload a file; shows the description."""
    session = current_session()
    version.value
    title = session.base.title or session.base_label

    def pick(label: str) -> None:
        playing.set(False)
        current_session().choose_builtin(_TITLES[label])
        problem.set(None)
        bump()

    def uploaded(upload: dict) -> None:
        if not upload:
            return
        name = upload.get("name", "file")
        if "error" in upload:
            problem.set(f"{name} could not be read ({upload['error']}); choose a scenario file "
                        "(.toml) smaller than 256 KB. The scenario on screen is unchanged.")
            return
        text = upload.get("text", "")
        scenario, error = read_scenario(name, text)
        charts = []
        if error:  # chart files named relative to the file it came from are not here
            stripped, charts = strip_chart_files(text)
            if charts:
                scenario, error = read_scenario(name, stripped)
        if error:
            problem.set(f"This file could not be used, so the scenario on screen is unchanged. {error}")
            return
        playing.set(False)
        session = current_session()
        session.open_file(scenario, name)
        if charts:
            session.notice = (f"{name} names an org chart ({', '.join(charts)}). Upload it with "
                              "'Upload an org chart' to simulate it; until then the organisation "
                              "is " + ("your uploaded chart." if session.chart else "generated."))
        problem.set(None)
        bump()

    solara.Markdown("#### Scenario")
    solara.Select("Built-in scenario", value=title if session.builtin else None,
                  values=list(_TITLES), on_value=pick)
    ScenarioFileInput.element(on_upload=uploaded)
    if not session.builtin:
        solara.Text(f"From your file: {session.base_label}", style={"font-weight": "500"})
    if session.base.description:
        solara.Text(session.base.description.strip(), style=_CAPTION)
    if session.modified:
        solara.Text("Your changes: " + "; ".join(session.describe_changes()),
                    style={**_CAPTION, "color": "#b35900"}, classes=["orglearn-changes"])


@solara.component
def ChartPanel():
    """Upload an org chart (people, and optionally observed ties), or go back to a generated
    organisation."""
    session = current_session()
    version.value
    chart = session.chart

    def uploaded(kind: str, upload: dict) -> None:
        if not upload:
            return
        name = upload.get("name", "file")
        if "error" in upload:
            problem.set(f"{name} could not be read ({upload['error']}); choose a CSV file smaller "
                        "than 8 MB. The organisation on screen is unchanged.")
            return
        playing.set(False)
        error = current_session().set_chart(kind, name, upload.get("text", ""))
        if error:
            problem.set("This org chart could not be used, so the organisation on screen is "
                        f"unchanged. {error}")
        else:
            problem.set(None)
        bump()

    def generated() -> None:
        playing.set(False)
        problem.set(current_session().clear_chart())
        bump()

    solara.Markdown("#### Your organisation")
    ChartFileInput.element(on_upload=lambda u: uploaded("people", u))
    ChartFileInput.element(label="Upload observed ties (.csv, optional)",
                           upload_class="orglearn-ties-upload", on_upload=lambda u: uploaded("ties", u))
    if chart is None:
        solara.Text("Simulate your own organisation: a CSV of people (person_id, manager_id, "
                    "team, department) and, optionally, one of observed ties (person_a, "
                    "person_b, weight). Only ids and codes: no names or emails.", style=_CAPTION)
    else:
        files = chart.people_name + (f" and {chart.ties_name}" if chart.ties_name else "")
        solara.Success(f"Your org chart: {chart.summary} (from {files}).", dense=True,
                       classes=["orglearn-chart"])
        solara.Button("Back to a generated organisation", icon_name="mdi-restore", text=True,
                      on_click=generated)


@solara.component
def ControlPanel(title: str, controls):
    """Sliders and switches for barriers or the organisation."""
    session = current_session()
    version.value
    solara.Markdown(f"#### {title}")
    if session.chart is not None:
        shown = [c for c in controls if c.key not in _CHART_SETS]
        if len(shown) < len(controls):
            solara.Text("People and departments follow your org chart.", style=_CAPTION)
        controls = shown
    for control in controls:
        value = session.value(control.key)
        with solara.Div(classes=[f"orglearn-control-{control.key}"]):
            if control.switch:
                solara.Switch(label=control.label, value=bool(value),
                              on_value=lambda v, key=control.key: _change(key, v))
            else:
                Slider(f"{control.label}: {value:,}{control.unit}", int(value), control.low,
                       control.high, control.step, lambda v, key=control.key: _change(key, v))
            solara.Text(control.help, style=_CAPTION)


@solara.component
def InterventionPanel():
    """Interventions: a switch each, with the day and how widely when on."""
    session = current_session()
    version.value
    solara.Markdown("#### Interventions")
    for control in INTERVENTIONS:
        item = session.intervention(control.kind)
        kind = control.kind
        with solara.Div(classes=[f"orglearn-intervention-{kind}"]):
            solara.Switch(label=control.label, value=item.on,
                          on_value=lambda on, kind=kind, item=item: _plan(kind, _with(item, on=on)))
            solara.Text(control.help, style=_CAPTION)
            if item.on:
                Slider(f"On working day {item.day}", item.day, 1, session.days, 1,
                       lambda d, kind=kind, item=item: _plan(kind, _with(item, day=d)))
                if control.share:
                    Slider(f"{control.share_label}: {item.share}%", item.share, 1, 100, 1,
                           lambda s, kind=kind, item=item: _plan(kind, _with(item, share=s)))


def _with(item: PlannedIntervention, **update) -> PlannedIntervention:
    return PlannedIntervention(**{**item.__dict__, **update})


@solara.component
def SeedInput():
    """The random seed of the run and of the comparison."""
    session = current_session()
    version.value

    def set_seed(value) -> None:
        if value is None or int(value) < 0:
            return
        playing.set(False)
        current_session().reset(seed=int(value))
        bump()

    solara.InputInt("Random seed", value=session.seed, on_value=set_seed)
    solara.Text("The same seed gives the same run; change it to see another possible run.",
                style=_CAPTION)


@solara.component
def Page():
    """The whole page."""
    session = current_session()
    is_playing = playing.value
    version.value

    def play(cancel):
        """Advance the live run while it plays, about `speed` days a second."""
        last, carry = time.perf_counter(), 0.0
        while not cancel.is_set() and session.playing:
            time.sleep(_FRAME)
            now = time.perf_counter()
            carry += (now - last) * speed.peek()
            last = now
            if carry >= 1:
                days = int(carry)
                carry -= days
                if session.step(days, only_if_playing=True):
                    tick.set(tick.peek() + 1)
        if not session.playing:
            playing.set(False)

    solara.use_thread(play, dependencies=[is_playing, id(session)], intrusive_cancel=False)

    solara.Title("orglearn: how knowledge spreads")
    with solara.AppBarTitle():
        solara.Text("orglearn: how knowledge spreads in your organisation")
    with solara.Sidebar():
        ScenarioPanel()
        ChartPanel()
        ControlPanel("Barriers", BARRIERS)
        InterventionPanel()
        ControlPanel("Organisation", ORGANISATION)
        SeedInput()
    if session.notice:
        solara.Info(session.notice)
        solara.Button("Dismiss", text=True, on_click=lambda: (_dismiss(), bump()))
    if problem.value:
        solara.Error(problem.value, classes=["orglearn-problem"])
    scenario = session.scenario
    solara.Markdown(f"## {scenario.title or scenario.name}")
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Simulation", icon_name="mdi-play-circle-outline"):
            LiveView()
        with solara.lab.Tab("Compare with a baseline", icon_name="mdi-scale-balance"):
            CompareView()
        with solara.lab.Tab("Export", icon_name="mdi-download"):
            ExportView()


def _dismiss() -> None:
    current_session().notice = None
