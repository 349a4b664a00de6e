"""The orglearn web UI: the Solara page. Start it with ``orglearn ui`` (or ``python -m
orglearn.ui``); it wires the modules of `orglearn.ui` together and holds no logic.

The sidebar chooses the scenario (grouped: barriers, combined organisations, interventions), then
has sections that fold: interventions first (visible without scrolling), barriers, the
organisation and run, and an uploaded org chart. The main area starts with the first-visit guide
and has four tabs: the live simulation, the comparison with a baseline, export, and About.
`Layout` (from `responsive`) keeps the page usable on a phone.
"""

from __future__ import annotations

import time

import reacton.ipyvuetify as rv
import solara
import solara.lab

from orglearn.ui.about import AboutView
from orglearn.ui.controls import BARRIERS, INTERVENTIONS, ORGANISATION, PlannedIntervention
from orglearn.ui.frames import draw_frame
from orglearn.ui.guide import GuideStrip
from orglearn.ui.person import selected
from orglearn.ui.page_state import (
    FULL_SPEED,
    achieved,
    bump,
    colour_by,
    current_session,
    frame,
    playing,
    problem,
    restore_from_address,
    speed,
    version,
)
from orglearn.ui.picker import ordered, picker_items
from orglearn.ui.responsive import Layout
from orglearn.ui.share import KeepInAddress, ShareControl
from orglearn.ui.upload import ChartFileInput, ScenarioFileInput, read_scenario, strip_chart_files
from orglearn.ui.compare_view import CompareView
from orglearn.ui.views import ExportView, LiveView
from orglearn.scenarios import builtin_names, load

__all__ = ["Page", "Layout"]

_CAPTION = {"font-size": "12px", "color": "#555", "line-height": "1.3"}
_BUILTINS = {name: load(name) for name in builtin_names()}
#: Built-in scenarios by title, for the picker.
_TITLES: dict[str, str] = {s.title or name: name for name, s in _BUILTINS.items()}
#: The picker's items: the baseline, then each group under its heading.
_PICKER = picker_items(ordered(_BUILTINS), {name: title for title, name in _TITLES.items()})
_FRAME = 0.05  # seconds: the shortest wait between frames while playing
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
    """Pick a built-in scenario (grouped, see `picker`) or upload a file; lists your changes.
    The description is shown under the title, above the tabs."""
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
        session.open_file(scenario, name, text=stripped if charts else text)
        if charts:
            session.notice = (f"{name} names an org chart ({', '.join(charts)}). Upload it with "
                              "'Upload an org chart' to simulate it; until then the organisation "
                              "is " + ("your uploaded chart." if session.chart else "generated."))
        problem.set(None)
        bump()

    solara.Markdown("#### Scenario")
    rv.Select(label="Built-in scenario", v_model=title if session.builtin else None,
              items=_PICKER, on_v_model=pick, class_="orglearn-picker",
              menu_props={"maxHeight": 560})
    ScenarioFileInput.element(on_upload=uploaded)
    if not session.builtin:
        solara.Text(f"From your file: {session.base_label}", style={"font-weight": "500"})
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

    ChartFileInput.element(on_upload=lambda u: uploaded("people", u))
    # Observed ties join the people of a chart: no chart, nothing to join them to yet.
    ChartFileInput.element(label="Upload observed ties (.csv, optional)",
                           upload_class="orglearn-ties-upload", disabled=chart is None,
                           hint="Upload the people file first." if chart is None else "",
                           on_upload=lambda u: uploaded("ties", u))
    if chart is None:
        solara.Text("Simulate your own organisation: a CSV of people (person_id, manager_id, "
                    "team, department) and, optionally, one of observed ties (person_a, "
                    "person_b, weight). Only ids and codes: no names or emails. The About tab "
                    "explains the columns.", style=_CAPTION)
    else:
        files = chart.people_name + (f" and {chart.ties_name}" if chart.ties_name else "")
        solara.Success(f"Your org chart: {chart.summary} (from {files}).", dense=True,
                       classes=["orglearn-chart"])
        solara.Button("Back to a generated organisation", icon_name="mdi-restore", text=True,
                      on_click=generated)


@solara.component
def ControlPanel(controls):
    """Sliders and switches for barriers or the organisation."""
    session = current_session()
    version.value
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
    for control in INTERVENTIONS:
        item = session.intervention(control.kind)
        kind = control.kind
        with solara.Div(classes=[f"orglearn-intervention-{kind}"]):
            solara.Switch(label=control.label, value=item.on,
                          on_value=lambda on, kind=kind, item=item: _plan(kind, _with(item, on=on)))
            solara.Text(control.help, style=_CAPTION)
            if item.on:
                late = " (after the run ends: it will never happen)" if item.day > session.days else ""
                Slider(f"On working day {item.day}{late}", min(item.day, session.days), 1, session.days, 1,
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

    wrong, set_wrong = solara.use_state(None)

    def set_seed(text: str) -> None:
        seed = _seed(text)
        if seed is None:  # keep the last good seed, and say why this one is refused
            set_wrong(f"'{text.strip()}' is not a seed: give a whole number, 0 or more. The run "
                      f"keeps seed {current_session().seed}.")
            return
        set_wrong(None)
        playing.set(False)
        current_session().reset(seed=seed)
        bump()

    solara.InputText("Random seed", value=str(session.seed), on_value=set_seed,
                     error=bool(wrong), classes=["orglearn-seed"])
    if wrong:
        solara.Error(wrong, dense=True, classes=["orglearn-seed-problem"])
    solara.Text("The same seed gives the same run; change it to see another possible run.",
                style=_CAPTION)


def _seed(text: str) -> int | None:
    """A seed typed in the page: a whole number from 0 to 2**63 - 1, else None."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    return value if value < 2**63 else None


@solara.component
def OrganisationPanel():
    """The organisation's size, the run's length and the random seed."""
    ControlPanel(ORGANISATION)
    SeedInput()


#: CSS classes of the sidebar's sections, in order; all but the org chart are open at first.
_SECTIONS = ("orglearn-section-interventions", "orglearn-section-barriers",
             "orglearn-section-organisation", "orglearn-section-chart")


@solara.component
def SidebarSections():
    """The sidebar's sections, each folding on a click; interventions come first so that they
    show without scrolling. Contents are rendered while folded (eager), so nothing is lost."""
    session = current_session()
    version.value
    opened, set_opened = solara.use_state([0, 1, 2])
    has_chart = session.chart is not None

    def show_chart() -> None:  # an uploaded chart's confirmation must not stay folded away
        if has_chart and 3 not in opened:
            set_opened([*opened, 3])

    solara.use_effect(show_chart, [has_chart])
    switched_on = sum(session.intervention(c.kind).on for c in INTERVENTIONS)
    headings = [f"Interventions ({switched_on} on)" if switched_on else "Interventions",
                "Barriers", "Organisation and run",
                "Your org chart (in use)" if has_chart else "Your org chart"]
    bodies = [InterventionPanel, lambda: ControlPanel(BARRIERS),
              OrganisationPanel, ChartPanel]
    with rv.ExpansionPanels(multiple=True, accordion=True, flat=True, v_model=opened,
                            on_v_model=set_opened, class_="orglearn-sections"):
        for heading, css, body in zip(headings, _SECTIONS, bodies):
            with rv.ExpansionPanel(class_=css):
                rv.ExpansionPanelHeader(children=[heading])
                with rv.ExpansionPanelContent(eager=True):
                    body()


@solara.component
def Page():
    """The whole page."""
    session = current_session()
    restore_from_address(session, solara.use_router().search)  # after a reload, or a link
    is_playing = playing.value
    version.value

    def play(cancel):
        """Advance the live run while it plays, and draw each frame before stepping on.

        At a set speed the day follows the clock (as many days per frame as time has passed,
        so the run goes at the speed shown however long a frame takes to draw); at full speed
        each frame steps for about twice as long as the last frame took to draw. The speed
        really reached is shown beside the day.
        """
        clock = time.perf_counter
        pace, since, first_day = speed.peek(), clock(), session.day
        drawing = _FRAME
        while not cancel.is_set() and session.playing:
            if speed.peek() != pace:  # measure the new speed from now
                pace, since, first_day = speed.peek(), clock(), session.day
            if pace == FULL_SPEED:
                until = clock() + max(_FRAME, 2 * drawing)
                while clock() < until and session.step(1, only_if_playing=True) and session.playing:
                    pass
            else:
                due = first_day + int((clock() - since) * pace)
                if due <= session.day:
                    time.sleep(max(0.0, min(_FRAME, (due + 1 - first_day) / pace - (clock() - since))))
                    continue
                session.step(due - session.day, only_if_playing=True)
            started = clock()
            choice = selected.peek()  # the person looked at stays ringed while the run plays
            ringed = choice[1] if choice and choice[0] == "person" else None
            drawn = draw_frame(session, colour_by.peek(), ringed=ringed)
            drawing = clock() - started
            elapsed = clock() - since
            if elapsed > 0:
                achieved.set((session.day - first_day) / elapsed)
            frame.set(drawn)  # one render: the live view and its controls read the frame
        if not session.playing:
            playing.set(False)

    solara.use_thread(play, dependencies=[is_playing, id(session)], intrusive_cancel=False)

    solara.Title("orglearn: how knowledge spreads")
    with solara.AppBarTitle():
        solara.Text("orglearn: how knowledge spreads in your organisation")
    with solara.AppBar():
        ShareControl()
    KeepInAddress()
    with solara.Sidebar():
        ScenarioPanel()
        SidebarSections()
    GuideStrip.element()
    if session.notice:
        solara.Info(session.notice)
        solara.Button("Dismiss", text=True, on_click=lambda: (_dismiss(), bump()))
    if problem.value:
        solara.Error(problem.value, classes=["orglearn-problem"])
    for late in session.late_interventions():  # planned after the run's end: never happens
        solara.Warning(late, classes=["orglearn-late"])
    scenario = session.scenario
    solara.Markdown(f"## {scenario.title or scenario.name}")
    if session.base.description:  # here rather than under the picker: room to read it
        solara.Text(session.base.description.strip(), classes=["orglearn-description"],
                    style={"font-size": "14px", "color": "#444", "max-width": "900px"})
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Simulation", icon_name="mdi-play-circle-outline"):
            LiveView()
        with solara.lab.Tab("Compare with a baseline", icon_name="mdi-scale-balance"):
            CompareView()
        with solara.lab.Tab("Export", icon_name="mdi-download"):
            ExportView()
        with solara.lab.Tab("About", icon_name="mdi-information-outline"):
            AboutView()


def _dismiss() -> None:
    current_session().notice = None
