"""The Compare tab: choose two to four scenarios, run them side by side, read an honest result.

The settings (which scenarios, which is the reference, runs, people) live in the session's
plain `UiSession.compare_settings`, so they can be kept in the page's address; the component
only reads and writes them there. Each scenario compared with the reference gets a box whose
colour and icon say better, worse, mixed or unclear (`compare_verdicts.TONES`), then a chart of
the curves (drawn once per result) and a table of every outcome with its paired difference.
"""

from __future__ import annotations

import html
import threading
import time

import solara

from orglearn.ui import charts
from orglearn.ui.busy import Busy
from orglearn.ui.compare_verdicts import TONES
from orglearn.ui.comparison import MAX_ARMS, ComparisonResult
from orglearn.ui.page_state import compare_tick, current_session, version
from orglearn.ui.session import COMPARE_PEOPLE, COMPARE_RUNS

__all__ = ["CompareView", "comparison_png"]

_CAPTION = {"font-size": "13px", "color": "#555"}
_POLL = 0.2  # seconds between looks at a running comparison's progress
#: Charts of recent results, by result (a result is drawn once, whichever tab shows it).
_pngs: dict[int, tuple[ComparisonResult, bytes]] = {}
_pngs_lock = threading.Lock()


def comparison_png(result: ComparisonResult) -> bytes:
    """The comparison's curves as PNG bytes (drawn once per result)."""
    with _pngs_lock:
        kept = _pngs.get(id(result))
        if kept is not None and kept[0] is result:
            return kept[1]
    spec = result.spec
    data = charts.png(charts.comparison_chart(result.bands(), spec.labels, spec.steps,
                                              spec.reference))
    with _pngs_lock:
        _pngs[id(result)] = (result, data)
        while len(_pngs) > 8:
            _pngs.pop(next(iter(_pngs)))
    return data


def _update(**changes) -> None:
    current_session().set_comparison_settings(**changes)
    compare_tick.set(compare_tick.peek() + 1)


@solara.component
def Verdict(text: str, tone: str):
    """One scenario against the reference: a box coloured by better, worse or unclear."""
    colour, background, icon, word = TONES[tone]
    with solara.Div(classes=["orglearn-sentence", f"orglearn-{tone}"],
                    style={"background": background, "border-left": f"6px solid {colour}",
                           "padding": "10px 14px", "margin": "8px 0", "border-radius": "4px",
                           "color": "#212121", "font-size": "15px"}):
        with solara.Row(style={"align-items": "center", "background": "transparent"}):
            solara.v.Icon(children=[icon], color=colour)
            solara.Text(word, style={"font-weight": "600", "color": colour})
        solara.Text(text)


@solara.component
def CompareView():
    """Compare scenarios: choose, run the replications, read the result."""
    session = current_session()
    version.value
    compare_tick.value
    choices = session.baseline_choices()
    settings = session.comparison_settings()
    job = session.job
    running = job is not None and job.running
    # Checked only when it matters: the page redraws as runs finish, and it costs a few ms.
    problem = None if running else session.comparison_problem()
    result = job.result if job is not None and not running else None

    def follow(cancel):
        """Redraw when the running comparison makes progress, and when it ends."""
        seen = -1
        while job is not None and job.running and not cancel.is_set():
            if job.done != seen:
                seen = job.done
                compare_tick.set(compare_tick.peek() + 1)
            time.sleep(_POLL)
        compare_tick.set(compare_tick.peek() + 1)

    solara.use_thread(follow, dependencies=[id(job)], intrusive_cancel=False)

    def start():
        outcome = current_session().start_comparison()
        if isinstance(outcome, str):
            session.notice = outcome
        compare_tick.set(compare_tick.peek() + 1)

    def choose(labels: list[str]) -> None:
        keys = [k for k, v in choices.items() if v in labels]
        _update(arms=keys[:MAX_ARMS])

    solara.Markdown(
        "Run two to four scenarios several times each, with the same chance events in each set "
        "of runs, and see how they differ on average. Each is compared with the one you choose "
        "as the reference: a difference is stated only when it is clear (its 95% confidence "
        "interval excludes no difference). To be quick, each run has the number of people set "
        f"below (the live simulation has {session.scenario.organisation.n_agents:,}); the "
        "organisations' other settings are their own."
    )
    labels = [choices[k] for k in settings["arms"]]
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        with solara.Div(style={"min-width": "420px", "flex": "2"},
                        classes=["orglearn-compare-arms"]):
            solara.SelectMultiple(f"Scenarios to compare (up to {MAX_ARMS})", values=labels,
                                  all_values=list(choices.values()), on_value=choose,
                                  disabled=running)
        with solara.Div(style={"min-width": "300px", "flex": "1"},
                        classes=["orglearn-compare-reference"]):
            solara.Select("Compare them with (the reference)", value=choices[settings["reference"]],
                          values=labels, disabled=running,
                          on_value=lambda label: _update(reference=next(
                              k for k, v in choices.items() if v == label)))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        low, high, step, _ = COMPARE_RUNS
        with solara.Div(style={"width": "240px"}):
            solara.SliderInt(f"Runs of each: {settings['runs']}", value=settings["runs"],
                             min=low, max=high, step=step, disabled=running,
                             on_value=lambda v: _update(runs=v))
        low, high, step, _ = COMPARE_PEOPLE
        with solara.Div(style={"width": "280px"}):
            solara.SliderInt(f"People in each run: {settings['people']}",
                             value=settings["people"], min=low, max=high, step=step,
                             disabled=running, on_value=lambda v: _update(people=v))
    with solara.Row(style={"align-items": "center"}):
        solara.Button("Run the comparison", icon_name="mdi-scale-balance", color="primary",
                      on_click=start, disabled=running or problem is not None)
        if running:
            solara.Button("Stop", icon_name="mdi-stop", on_click=job.cancel)
    if problem and not running:
        solara.Text(problem, style=_CAPTION, classes=["orglearn-compare-problem"])
    Busy(running)
    if running:
        solara.Text(f"{job.done} of {job.total} runs done ({session.days} working days each)...",
                    classes=["orglearn-compare-progress"])
        solara.ProgressLinear(value=100 * job.done / job.total)
    elif job is not None and job.stopped:
        solara.Info("The comparison was stopped before it finished, so there is no result. Run "
                    "it again when you are ready.", classes=["orglearn-compare-stopped"])
    elif job is not None and job.error:
        solara.Error(job.error)
    elif result is not None:
        for headline in result.headlines:
            Verdict(headline.text, headline.tone)
        solara.Image(comparison_png(result), width="100%")
        solara.HTML(tag="div", unsafe_innerHTML=_table(result))


def _table(result: ComparisonResult) -> str:
    """The outcomes table: values plain, differences coloured by better, worse or unclear."""
    rows = result.table
    columns = list(rows[0])
    head = "".join(f"<th style='text-align:left;padding:4px 10px'>{html.escape(c)}</th>"
                   for c in columns)
    body = []
    for row in rows:
        cells = []
        for text, tone in row.values():
            style = "padding:4px 10px;vertical-align:top"
            if tone:
                colour, background, _, _ = TONES[tone]
                style += f";color:{colour};background:{background}"
            cells.append(f"<td class='orglearn-{tone or 'value'}' style='{style}'>"
                         f"{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table class='orglearn-compare-table' style='border-collapse:collapse;"
            f"font-size:14px'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table><p style='font-size:12px;color:#555'>Each value: the mean of the runs [95% "
            "confidence interval]. Each difference: from the reference, pair by pair (runs with "
            "the same chance events), with its 95% confidence interval; green is better, red "
            "worse, grey no clear difference. A time some runs never reached is “at least”: "
            "those runs count as the day after the run ended.</p>")
