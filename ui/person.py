"""Looking at one person, as NetLogo's "inspect" does: click a dot (or give an id) and read who
they are, what they know, their ties and whom they learned from.

`person_facts` and `department_facts` turn the live model into plain sentences (tested without
a browser); `PersonPicker` is the organisation picture that reports where it was clicked, with
a "find a person" field and the facts below. Who taught whom comes from the model's
`simulation.sources.SourceLog` (the UI builds its models with ``track_sources=True``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import ipyvuetify as v
import numpy as np
import solara
import traitlets

from orglearn.simulation.parameters import STYLES
from orglearn.ui.drawing import clicked, department_labels

__all__ = ["Names", "Facts", "person_facts", "department_facts", "find_person", "PersonPicker",
           "ClickableImage", "selected", "names_of"]

#: What the page looks at: ("person", row), ("department", code) or None. Per page (kernel).
selected = solara.reactive(None)

#: Each channel in plain words, for "who they learned from".
CHANNEL_WORDS = {
    "direct": "asking colleagues",
    "esn": "colleagues' posts online",
    "collaboration": "working together",
    "training": "formal training",
    "field": "clients and their own work",
}
_STYLE_WORDS = {"top_down": "top-down"}
_TRAITS = (  # (column, plain label)
    ("proactivity", "Drive to learn"),
    ("absorption", "Takes in what they are taught"),
    ("tact", "Tact"),
    ("boldness", "Confidence to speak up"),
    ("generosity", "Willingness to help"),
    ("tech_savvy", "At ease with digital tools"),
)


@dataclass(frozen=True)
class Names:
    """How people, teams and departments are called: an uploaded chart's ids and names, or
    numbers for a generated organisation (arrays indexed by row or code; None for numbers)."""

    ids: np.ndarray | None = None
    teams: np.ndarray | None = None
    departments: np.ndarray | None = None

    def person(self, row: int) -> str:
        """"Person 12", or the chart's id."""
        return f"Person {row}" if self.ids is None else f"Person {self.ids[row]}"

    def team(self, code: int) -> str:
        return f"Team {code + 1}" if self.teams is None else str(self.teams[code])

    def department(self, code: int, count: int) -> str:
        return department_labels(count, self.departments)[code]


def names_of(chart_files) -> Names:
    """The names of an uploaded chart (a `session.ChartFiles`), or numbers without one."""
    if chart_files is None:
        return Names()
    from orglearn.simulation.orgchart import read_chart

    chart = read_chart(chart_files.people, chart_files.ties)  # cached: no second parse
    return Names(chart.ids, chart.team_names, chart.department_names)


@dataclass(frozen=True)
class Facts:
    """What the inspector shows: a title, (label, value) rows, and who taught them."""

    title: str
    rows: list[tuple[str, str]]
    learned_from: list[str] = field(default_factory=list)


def _share(x: float) -> str:
    return f"{100 * x:.0f}%"


def _channels(by_channel: np.ndarray, names: tuple[str, ...]) -> str:
    total = by_channel.sum()
    if total <= 0:
        return "nothing yet"
    order = np.argsort(-by_channel, kind="stable")
    return ", ".join(f"{CHANNEL_WORDS[names[i]]} {_share(by_channel[i] / total)}"
                     for i in order if by_channel[i] > 0)


def person_facts(model, row: int, names: Names = Names(), top: int = 5) -> Facts:
    """Plain facts about the person on ``row`` of the live model."""
    from orglearn.simulation.sources import CHANNELS

    state, net = model.state, model.network
    departments = int(net.department.max()) + 1
    where = lambda r: f"{names.team(int(net.team[r]))}, {names.department(int(net.department[r]), departments)}"  # noqa: E731
    rows = [("Works in", where(row))]
    boss = int(net.manager[row])
    rows.append(("Reports to", names.person(boss) if boss >= 0 else "no one (heads the organisation)"))
    roles = []
    if net.is_manager[row]:
        roles.append("manages a team")
    if state.champion[row]:
        roles.append("champions the new ways of working")
    if state.lurker[row]:
        roles.append("reads colleagues' posts but never posts")
    if state.hoarder[row]:
        roles.append("keeps what they know to themselves")
    if state.formal_devotee[row]:
        roles.append("waits for formal training")
    roles.append("has the online tools" if state.has_tools[row] else "has no access to the online tools")
    rows.append(("Role and habits", "; ".join(roles).capitalize()))
    rows.append(("Knows the new idea", _share(state.knowledge[row, 0])))
    rows.append(("Knows, over all topics", _share(state.knowledge[row].mean())))
    rows.append(("Communication style", _STYLE_WORDS.get(STYLES[int(state.style[row])],
                                                         STYLES[int(state.style[row])])))
    for column, label in _TRAITS:
        rows.append((label, _share(getattr(state, column)[row])))
    rows.append(("Working ties", _ties(model, row, names, where)))
    learned = []
    log = state.sources
    if log is not None:
        rows.append(("Learned through", _channels(log.by_channel[row], CHANNELS)))
        total = log.by_channel[row].sum()
        for source in log.teachers(row, top=top):
            learned.append(f"{names.person(source.teacher)} ({where(source.teacher)}), by "
                           f"{CHANNEL_WORDS[source.channel]}: {_share(source.amount / total)} of "
                           "all they learned")
    return Facts(names.person(row), rows, learned)


def _ties(model, row: int, names: Names, where) -> str:
    """How many ties, where they lead, and the strongest few."""
    net, strength = model.network, model.state.strength
    lo, hi = net.adjacency.indptr[row], net.adjacency.indptr[row + 1]
    others = net.adjacency.indices[lo:hi]
    if others.size == 0:
        return "none: they learn only from posts, training and clients"
    team = int(np.count_nonzero(net.team[others] == net.team[row]))
    department = int(np.count_nonzero(net.department[others] == net.department[row])) - team
    text = (f"{others.size} ({team} in their team, {department} elsewhere in their department, "
            f"{others.size - team - department} in other departments)")
    strongest = others[np.argsort(-strength[lo:hi], kind="stable")[:3]]
    return text + ". Closest: " + "; ".join(f"{names.person(int(o))} ({where(int(o))})"
                                            for o in strongest)


def department_facts(model, code: int, names: Names = Names()) -> Facts:
    """Plain facts about one department (when the organisation is drawn as departments)."""
    from orglearn.simulation.sources import CHANNELS

    state, net = model.state, model.network
    departments = int(net.department.max()) + 1
    members = np.flatnonzero(net.department == code)
    threshold = model.params.knowledge.threshold
    rows = [
        ("People", f"{members.size:,} in {np.unique(net.team[members]).size} teams"),
        ("Know the new idea", _share(np.count_nonzero(state.knowledge[members, 0] >= threshold)
                                     / max(members.size, 1))),
        ("Average knowledge of the new idea", _share(state.knowledge[members, 0].mean())),
        ("Have the online tools", _share(state.has_tools[members].mean())),
    ]
    if state.sources is not None:
        rows.append(("Learned through", _channels(state.sources.by_channel[members].sum(axis=0),
                                                  CHANNELS)))
    return Facts(names.department(code, departments), rows)


def find_person(text: str, n: int, names: Names = Names()) -> int | str:
    """The row of the person whose id (or number) is ``text``, or a message saying why not."""
    text = text.strip()
    if names.ids is not None:
        match = np.flatnonzero(names.ids.astype(str) == text)
        if match.size:
            return int(match[0])
        return f"No one has the id {text!r} in your org chart."
    if text.isdigit() and int(text) < n:
        return int(text)
    return f"Give a person's number, from 0 to {n - 1}."


class ClickableImage(v.VuetifyTemplate):
    """An image that reports where it was clicked: ``picked`` becomes {x, y, count}, the
    position as a share of the image's shown width and height from its top left corner."""

    src = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
    picked = traitlets.Dict(default_value={}).tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <img :src="src" :alt="alt" class="orglearn-clickable" title="Click a person to look at them"
       style="width: 100%; cursor: pointer; display: block" @click="pick" />
</template>
<script>
module.exports = {
  data() { return { count: 0 }; },
  methods: {
    pick(event) {
      const box = event.target.getBoundingClientRect();
      this.count += 1;
      this.picked = { x: (event.clientX - box.left) / box.width,
                      y: (event.clientY - box.top) / box.height, count: this.count };
    },
  },
};
</script>
"""
    ).tag(sync=True)


@solara.component
def PersonPicker(png: bytes, layout, model, names: Names):
    """The organisation picture (click a person or a department), a find-by-id field, and
    what was picked."""
    message, set_message = solara.use_state(None)
    query, set_query = solara.use_state("")
    src = solara.use_memo(lambda: "data:image/png;base64," + base64.b64encode(png).decode(), [png])

    def picked(where: dict) -> None:
        if not where:
            return
        hit = clicked(layout, float(where.get("x", -1)), float(where.get("y", -1)))
        if hit.person is not None:
            selected.set(("person", hit.person))
        elif hit.department is not None:
            selected.set(("department", hit.department))
        set_message(None if hit.person is not None or hit.department is not None else
                    "No one there: click a dot (zoom in with your browser on a crowded picture).")

    def find(text: str) -> None:
        set_query(text)
        if not text.strip():
            return
        row = find_person(text, model.network.n, names)
        if isinstance(row, str):
            set_message(row)
        else:
            set_message(None)
            selected.set(("person", row))

    ClickableImage.element(src=src, alt="The organisation: click a person", on_picked=picked)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        with solara.Div(style={"width": "220px"}):
            solara.InputText("Find a person by id", value=query, on_value=find,
                             classes=["orglearn-find-person"])
        solara.Text("or click a dot to look at one person.", style={"font-size": "13px", "color": "#555"})
    if message:
        solara.Warning(message, dense=True, classes=["orglearn-person-message"])
    choice = selected.value
    if choice is None:
        return
    kind, index = choice
    from orglearn.ui.page_state import current_session

    with current_session().lock:  # the run may be advancing in the page's play thread
        if kind == "person" and index < model.network.n:  # found by id, even among discs
            facts = person_facts(model, index, names)
        elif kind == "department" and index < layout.sizes.size:
            facts = department_facts(model, index, names)
        else:
            return
    with solara.Card(facts.title, classes=["orglearn-person"], margin=0):
        rows = "".join(f"<tr><td style='padding:2px 12px 2px 0;color:#555;vertical-align:top'>"
                       f"{_escape(label)}</td><td style='padding:2px 0'>{_escape(value)}</td></tr>"
                       for label, value in facts.rows)
        solara.HTML(tag="table", unsafe_innerHTML=rows, style={"font-size": "14px"})
        if kind == "person":
            solara.Markdown("**Learned most from**")
            if facts.learned_from:
                solara.HTML(tag="ul", unsafe_innerHTML="".join(
                    f"<li>{_escape(line)}</li>" for line in facts.learned_from),
                    classes=["orglearn-learned-from"])
            else:
                solara.Text("No colleague has taught them anything yet.",
                            classes=["orglearn-learned-from"])
        solara.Button("Close", text=True, on_click=lambda: selected.set(None))


def _escape(text: str) -> str:
    import html

    return html.escape(text)
