"""Each browser page's own simulation, and the clean-up of pages left idle.

A `UiSession` holds what one page works on: the scenario picked or uploaded, the controls moved,
the live model and its drawing layout, and a running comparison. The `SessionRegistry` maps
page ids to sessions; `SessionRegistry.reap` releases sessions unused for longer than the idle
time (their models and results are dropped; the scenario and controls are kept, so a person
who comes back finds their settings and a fresh run).

A session may also hold an uploaded org chart (`UiSession.set_chart`): the people file and the
optional ties file are saved in the session's own temporary folder, validated with
`simulation.orgchart.read_chart`, and set as the scenario's ``organisation.people_file`` and
``ties_file``, so that the live run and the comparison are built from the chart. The folder is
deleted when the session is released (its page closed or left idle) and at exit.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import tempfile
import threading
import time
import tomllib
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orglearn.ui.comparison import MAX_ARMS, ComparisonJob, ComparisonSpec
from orglearn.ui.controls import (
    BARRIERS,
    INTERVENTIONS,
    ORGANISATION,
    PlannedIntervention,
    apply_changes,
    control_value,
    planned,
)
from orglearn.ui.layout import Layout, organisation_layout
from orglearn.ui.saved_state import MAX_COMPARE
from orglearn.ui.upload import encoding_problem, read_scenario
from orglearn.scenarios import Scenario, ScenarioError, builtin_names, load
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.orgchart import read_chart
from orglearn.simulation.parameters import ParameterError, dotted_overrides

__all__ = ["UiSession", "SessionRegistry", "ChartFiles", "DEFAULT_SCENARIO", "AS_LOADED", "WHAT_IF",
           "COMPARE_RUNS", "COMPARE_PEOPLE"]

DEFAULT_SCENARIO = "baseline"
#: Baseline choice meaning "the scenario as picked or uploaded, without the changes".
AS_LOADED = "as loaded"
#: Comparison choice meaning "the scenario with your changes".
WHAT_IF = "what-if"
#: Runs of each scenario in a comparison, and people in each run: (lowest, highest, step, default).
COMPARE_RUNS = (10, 40, 1, 10)
COMPARE_PEOPLE = (100, 2000, 50, 300)
_CONTROLS = {c.key: c for c in (*BARRIERS, *ORGANISATION)}
_INTERVENTIONS = {i.kind: i for i in INTERVENTIONS}


@dataclass(frozen=True)
class ChartFiles:
    """An uploaded org chart: where its files are saved, their names as uploaded, and a summary.

    Attributes:
        people, ties: the saved files (absolute paths; ties is None without observed ties).
        people_name, ties_name: the files' names as uploaded.
        summary: e.g. "244 people in 29 teams and 5 departments".
    """

    people: str
    ties: str | None
    people_name: str
    ties_name: str | None
    summary: str


def _chart_summary(chart) -> str:
    text = (f"{chart.n:,} people in {chart.team_names.size:,} teams and "
            f"{chart.departments:,} departments")
    if chart.tie_a is not None:
        text += f", with {chart.tie_a.size:,} observed ties"
    return text


def _file_name(name: str) -> str:
    """A safe file name for an uploaded CSV (its folder is the session's own)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).name).strip("._") or "chart"
    return stem if stem.lower().endswith(".csv") else f"{stem}.csv"


class UiSession:
    """One page's scenario, controls, live model and comparison. Thread-safe.

    Args:
        session_id: the page's id.
        scenario: the built-in scenario to start with.
        seed: seed of the live run and of the comparison's replications.
        clock: time source for idleness (seconds).
    """

    def __init__(
        self,
        session_id: str,
        scenario: str = DEFAULT_SCENARIO,
        seed: int = 1,
        clock: Callable[[], float] = time.monotonic,
        settings: Mapping[str, Any] | None = None,
    ):
        """Start on a built-in scenario; the model is built on first use."""
        self.id = session_id
        self.lock = threading.RLock()
        self.seed = int(seed)
        self.clock = clock
        self.last_seen = clock()
        self.released = False
        self.notice: str | None = None
        self.playing = False
        self.speed = 10
        self.model: SocialLearningModel | None = None
        #: Counts the models built, so a drawing can tell which model it shows.
        self.generation = 0
        self.layout: Layout | None = None
        self.job: ComparisonJob | None = None
        #: The comparison's settings as the page last set them, a plain JSON-able dict (kept in
        #: the page's address too): ``arms`` (keys of `baseline_choices`), ``reference`` (one of
        #: them), ``runs``, ``people``. Read through `comparison_settings`, which checks them.
        self.compare_settings: dict[str, Any] = {}
        self.changes: dict[str, Any] = {}
        self.plan: dict[str, PlannedIntervention] = {}
        self.chart: ChartFiles | None = None
        self._chart_dir: Path | None = None
        self._chart_cleanup: weakref.finalize | None = None
        self._uploads = 0
        self._chart_dropped = False
        #: The comparison's settings (owned by the comparison view), kept in the page's address
        #: as they are: a dict of JSON values.
        self.compare_settings: dict[str, Any] = {}
        #: The ``orglearn ui --set`` settings of the built-in scenario, and an uploaded
        #: scenario file's text, so that the page's address can rebuild the scenario.
        self.settings: dict[str, Any] = {}
        self.loaded_text: str | None = None
        self.choose_builtin(scenario, settings)

    # -- the scenario -------------------------------------------------------------------------

    def choose_builtin(self, name: str, settings: Mapping[str, Any] | None = None) -> None:
        """Start again from a built-in scenario (controls back to its values), with
        ``settings`` (``{"section.field": value}``, from ``orglearn ui --set``) applied.

        Raises:
            ValueError: a setting is not a parameter, or its value is out of range.
        """
        scenario = load(name)
        if settings:
            shown = " ".join(f"--set {key}={json.dumps(value)}" for key, value in settings.items())
            scenario = scenario.with_overrides(**dotted_overrides(settings)).model_copy(
                update={"description": f"{scenario.description.strip()}\n\n(orglearn ui {shown})"}
            )
        self._set_base(scenario, name, builtin=True)
        self.settings, self.loaded_text = dict(settings or {}), None

    def open_file(self, scenario: Scenario, label: str, text: str | None = None) -> None:
        """Start again from an uploaded, already validated scenario (``text``: the file's
        text as used, kept for the page's address)."""
        self._set_base(scenario, label, builtin=False)
        self.settings, self.loaded_text = {}, text

    def _set_base(self, scenario: Scenario, label: str, builtin: bool) -> None:
        with self.lock:
            self.loaded, self.base_label, self.builtin = scenario, label, builtin
            self.base = self._charted(scenario)
            self.changes, self.plan = {}, {}
            self._scenario = self.base
            self.reset()

    # -- an uploaded org chart ----------------------------------------------------------------

    def _charted(self, scenario: Scenario) -> Scenario:
        """The scenario built from the uploaded org chart, if there is one."""
        if self.chart is None:
            return scenario
        return scenario.with_overrides(
            organisation={"people_file": self.chart.people, "ties_file": self.chart.ties}
        )

    def _save_upload(self, name: str, data: bytes) -> Path:
        """Save an uploaded file in a new sub-folder of the session's temporary folder (so a
        file in use is never overwritten)."""
        if self._chart_dir is None:
            self._chart_dir = Path(tempfile.mkdtemp(prefix="orglearn-ui-chart-"))
            self._chart_cleanup = weakref.finalize(
                self, shutil.rmtree, str(self._chart_dir), ignore_errors=True
            )
        self._uploads += 1
        folder = self._chart_dir / str(self._uploads)
        folder.mkdir()
        path = folder / _file_name(name)
        path.write_bytes(data)
        return path

    def set_chart(self, kind: str, name: str, data: str | bytes) -> str | None:
        """Use an uploaded org chart file: ``kind`` is ``"people"`` or ``"ties"``.

        The file is validated with `simulation.orgchart.read_chart` (a new people file drops
        the observed ties of the previous one). On success the scenario's organisation is
        built from the chart and the live run restarts; otherwise nothing changes and the
        problem is returned (the `scenarios.ScenarioError` naming the file, row and problem).
        """
        if kind not in ("people", "ties"):
            raise ValueError(f"kind must be 'people' or 'ties', not {kind!r}")
        with self.lock:
            if kind == "ties" and self.chart is None:
                return (f"{name} could not be used: upload the org chart's people file first "
                        "(the observed ties join people of the chart).")
            mangled = encoding_problem(name, data)  # before it could become a new team
            if mangled:
                return mangled
            if isinstance(data, str):
                data = data.encode("utf-8")
            path = self._save_upload(name, data)
            if kind == "people":
                people, ties, people_name, ties_name = str(path), None, name, None
            else:
                people, ties = self.chart.people, str(path)
                people_name, ties_name = self.chart.people_name, name
            try:
                chart = read_chart(people, ties)
            except ScenarioError as err:
                shutil.rmtree(path.parent, ignore_errors=True)
                message = str(err)  # name the files as uploaded, not where they were saved
                for saved, shown in ((ties, ties_name), (people, people_name)):
                    if saved:
                        message = message.replace(saved, shown)
                return message
            new = ChartFiles(people, ties, people_name, ties_name, _chart_summary(chart))
            problem = self._use_chart(new)
            if problem:
                shutil.rmtree(path.parent, ignore_errors=True)
            return problem

    def clear_chart(self) -> str | None:
        """Go back to a generated organisation (the scenario's own)."""
        with self.lock:
            if self.chart is None:
                return None
            return self._use_chart(None)

    def _use_chart(self, chart: ChartFiles | None) -> str | None:
        """Rebuild the scenario and the live run with another chart; on a problem, keep all."""
        before = (self.chart, self.base, self._scenario, self.model, self.layout, self.playing)
        self.chart = chart
        try:
            self.base = self._charted(self.loaded)
            problem = self._apply(self.changes, self.plan)
        except (ScenarioError, ParameterError, ValueError) as err:
            problem = str(err)
        if problem:
            self.chart, self.base, self._scenario, self.model, self.layout, self.playing = before
        return problem

    def late_interventions(self) -> list[str]:
        """Interventions planned after the run's last day, in plain words: they would never
        happen (they are kept as planned, not moved, so that a longer run brings them back)."""
        days = [(e.kind, e.step) for e in self.base.interventions if e.kind not in self.plan]
        days += [(kind, item.day) for kind, item in self.plan.items() if item.on]
        late = []
        for kind, day in sorted(days, key=lambda kd: kd[1]):
            if day > self.days:
                control = _INTERVENTIONS.get(kind)
                what = control.label if control else kind.replace("_", " ").capitalize()
                late.append(f"{what} is planned for working day {day}, after the run's last "
                            f"day ({self.days}), so it will never happen. Plan it earlier or "
                            "make the run longer.")
        return late

    @property
    def modified(self) -> bool:
        """Whether any control was moved."""
        return bool(self.changes or self.plan)

    @property
    def scenario(self) -> Scenario:
        """The scenario with the controls applied, named as a what-if when modified."""
        return self._scenario

    def value(self, key: str) -> Any:
        """The value a barrier or organisation control shows."""
        return control_value(self.base, key, self.changes)

    def intervention(self, kind: str) -> PlannedIntervention:
        """What an intervention control shows."""
        return planned(self.base, kind, self.plan)

    def set_control(self, key: str, value: Any) -> str | None:
        """Move a control and restart the live run; returns a problem to show, or None."""
        with self.lock:
            changes = dict(self.changes)
            if value == _CONTROLS[key].read(self.base):
                changes.pop(key, None)
            else:
                changes[key] = value
            return self._apply(changes, self.plan)

    def set_intervention(self, kind: str, item: PlannedIntervention) -> str | None:
        """Plan an intervention (or switch it off) and restart the live run."""
        with self.lock:
            plan = dict(self.plan)
            plan[kind] = item
            if item == planned(self.base, kind, {}):
                plan.pop(kind)
            return self._apply(self.changes, plan)

    def _apply(self, changes: dict[str, Any], plan: dict[str, PlannedIntervention]) -> str | None:
        try:
            scenario = apply_changes(self.base, changes, plan)
        except (ParameterError, ValueError) as err:
            return str(err)
        if changes or plan:
            scenario = _as_what_if(scenario, self.base, self.base_label, self.builtin,
                                   self.describe_changes(changes, plan))
        self.changes, self.plan, self._scenario = changes, plan, scenario
        self.reset()
        return None

    def describe_changes(
        self,
        changes: dict[str, Any] | None = None,
        plan: dict[str, PlannedIntervention] | None = None,
    ) -> list[str]:
        """The moved controls in words, e.g. "Lurkers: 30% -> 60%"."""
        changes = self.changes if changes is None else changes
        plan = self.plan if plan is None else plan
        lines = []
        for key, value in changes.items():
            control = _CONTROLS[key]
            before = control.read(self.base)
            lines.append(f"{control.label}: {_show(before, control)} -> {_show(value, control)}")
        for kind, item in plan.items():
            label = _INTERVENTIONS[kind].label
            if not item.on:
                lines.append(f"{label}: off")
            else:
                share = f" ({item.share}% of staff)" if item.share is not None else ""
                lines.append(f"{label}: on day {item.day}{share}")
        return lines

    # -- the live run -------------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> None:
        """Build a new model of the scenario at day 0 (same seed unless given)."""
        with self.lock:
            if seed is not None:
                self.seed = int(seed)
            self.playing = False
            # Tracking who learned from whom feeds the person inspector (ui.person).
            model = SocialLearningModel(self._scenario, rng=self.seed, track_sources=True)
            net = model.network
            if self.layout is None or self.layout.people.shape[0] != net.n or not _same_structure(
                self.model, model
            ):
                self.layout = organisation_layout(net.department, net.team, net.adjacency)
            self.model = model
            self.generation += 1

    def ensure_model(self) -> SocialLearningModel:
        """The live model, rebuilt if the session was released."""
        with self.lock:
            if self.model is None:
                self.reset()
            return self.model

    @property
    def day(self) -> int:
        """The live run's current day."""
        return 0 if self.model is None else int(self.model.steps)

    @property
    def days(self) -> int:
        """Days in the run."""
        return int(self._scenario.steps)

    @property
    def finished(self) -> bool:
        """Whether the live run reached its last day."""
        return self.day >= self.days

    def step(self, n: int = 1, only_if_playing: bool = False) -> int:
        """Advance the live run by up to ``n`` days (never past its last day); returns the day.

        With ``only_if_playing`` nothing happens (and 0 is returned) once the run was paused,
        so that a pause takes effect even while a frame is being prepared.
        """
        with self.lock:
            if only_if_playing and not self.playing:
                return 0
            model = self.ensure_model()
            for _ in range(max(0, min(int(n), self.days - int(model.steps)))):
                model.step()
            if self.finished:
                self.playing = False
            return int(model.steps)

    # -- comparison ---------------------------------------------------------------------------

    def baseline_choices(self) -> dict[str, str]:
        """What can be compared: key -> plain title. Your what-if (once something changed), the
        scenario as loaded, and every other built-in organisation (the scenario itself is not
        offered twice)."""
        choices = {}
        loaded = self.base.title or self.base_label
        if self.modified:
            choices[WHAT_IF] = "Your what-if"
            choices[AS_LOADED] = f"{loaded} as loaded, without your changes"
        else:
            choices[AS_LOADED] = loaded
        for name in builtin_names():
            if self.builtin and name == self.base_label:
                continue
            title = _title(name)
            choices[name] = title if title not in choices.values() else f"{title} (built in)"
        return choices

    def baseline(self, key: str) -> Scenario:
        """The scenario for a key of `baseline_choices` (built-in ones on the uploaded org
        chart, if there is one, like the what-if)."""
        if key == WHAT_IF:
            return self._scenario
        if key == AS_LOADED:
            return self.base
        return self._charted(load(key))

    def _default_arms(self, choices: dict[str, str]) -> tuple[list[str], str]:
        if self.modified:
            return [WHAT_IF, AS_LOADED], AS_LOADED
        against = self.base.against
        if against in choices and against != AS_LOADED:
            return [AS_LOADED, against], against
        return [AS_LOADED], AS_LOADED

    def comparison_settings(self) -> dict[str, Any]:
        """`compare_settings`, checked (they may come from an address): unknown arms dropped,
        at most four, a reference among them, runs and people within range; anything missing
        or wrong falls back to the default (your what-if against the scenario as loaded, or the
        scenario against the one it is meant to be compared with; 10 runs of 300 people)."""
        raw = self.compare_settings if isinstance(self.compare_settings, Mapping) else {}
        choices = self.baseline_choices()
        default_arms, default_reference = self._default_arms(choices)
        arms = raw.get("arms")
        if isinstance(arms, (list, tuple)):
            arms = list(dict.fromkeys(a for a in arms if isinstance(a, str) and a in choices))
            arms = arms[:MAX_ARMS]
        if not arms:
            arms = default_arms
        reference = raw.get("reference")
        if reference not in arms:
            reference = default_reference if default_reference in arms else arms[0]
        return {"arms": arms, "reference": reference,
                "runs": _within(raw.get("runs"), COMPARE_RUNS),
                "people": _within(raw.get("people"), COMPARE_PEOPLE)}

    def set_comparison_settings(self, **changes: Any) -> dict[str, Any]:
        """Change some settings (``arms``, ``reference``, ``runs``, ``people``); returns them,
        checked, as now stored in `compare_settings`."""
        with self.lock:
            self.compare_settings = {**self.comparison_settings(), **changes}
            self.compare_settings = self.comparison_settings()
            return dict(self.compare_settings)

    def _comparison_spec(self, settings: dict[str, Any]) -> ComparisonSpec | str:
        """The comparison the settings describe, or why it cannot run (in plain words)."""
        choices = self.baseline_choices()
        arms = settings["arms"]
        if len(arms) < 2:
            hint = ("pick another organisation below" if self.modified else
                    "pick another organisation below, or change a barrier or intervention in "
                    "the sidebar to compare your what-if with the scenario as loaded")
            return f"Choose at least two scenarios to compare: {hint}."
        ordered = [settings["reference"], *[a for a in arms if a != settings["reference"]]]
        try:
            scenarios = tuple(self.baseline(a).model_copy(update={"steps": self.days})
                              for a in ordered)
            spec = ComparisonSpec(
                arms=scenarios, labels=tuple(choices[a] for a in ordered), reference=0,
                replications=settings["runs"], n_agents=settings["people"], seed=self.seed,
            )
            runs = spec.scenarios()  # also checks the headcount fits every scenario
        except (ScenarioError, ParameterError, ValueError) as err:
            return str(err)
        for i, a in enumerate(runs):
            for j in range(i):
                if _same(a, runs[j]):
                    return (f"“{spec.labels[j]}” and “{spec.labels[i]}” are the same scenario, "
                            "so there is nothing to compare: pick another organisation, or change "
                            "something in the sidebar.")
        return spec

    def comparison_problem(self) -> str | None:
        """Why the comparison set now cannot run (e.g. a scenario compared with itself), or
        None."""
        with self.lock:
            spec = self._comparison_spec(self.comparison_settings())
            return spec if isinstance(spec, str) else None

    def start_comparison(
        self, baseline: str | None = None, replications: int | None = None,
        n_agents: int | None = None,
    ) -> ComparisonJob | str:
        """Start the comparison of `comparison_settings`; returns the job or a problem.

        ``baseline`` (a key of `baseline_choices`) compares the scenario on screen with it
        instead; ``replications`` and ``n_agents`` override the runs and people.
        """
        with self.lock:
            if self.job is not None and self.job.running:
                return "A comparison is already running."
            settings = self.comparison_settings()
            if baseline is not None:
                mine = WHAT_IF if self.modified else AS_LOADED
                settings.update(arms=[mine, baseline], reference=baseline)
            if replications is not None:
                settings["runs"] = int(replications)
            if n_agents is not None:
                settings["people"] = int(n_agents)
            spec = self._comparison_spec(settings)
            if isinstance(spec, str):
                return spec
            self.job = ComparisonJob(spec).start()
            return self.job

    # -- the page's address ------------------------------------------------------------------

    def export_state(self, day: bool = True) -> dict[str, Any]:
        """This page's what-if as JSON values, for its address (`orglearn.ui.saved_state`):
        the scenario, the moved controls, the planned interventions, the seed, the day (unless
        ``day`` is False, as for a shared link) and the comparison's settings. An uploaded org
        chart is never included, only the fact that one is used (docs/privacy.md)."""
        with self.lock:
            state: dict[str, Any] = {}
            if self.builtin:
                state["scenario"] = self.base_label
                if self.settings:
                    state["set"] = dict(self.settings)
            elif self.loaded_text is not None:
                state["file"] = {"name": self.base_label, "text": self.loaded_text}
            else:
                state["lost_file"] = self.base_label
            if self.changes:
                state["changes"] = dict(self.changes)  # in the order they were made
            if self.plan:
                state["plan"] = {kind: {"on": item.on, "day": item.day, "share": item.share}
                                 for kind, item in self.plan.items()}
            state["seed"] = self.seed
            if day and self.day:
                state["day"] = self.day
            if self.compare_settings and _json_able(self.compare_settings):
                state["compare"] = dict(self.compare_settings)
            if self.chart is not None:
                state["chart"] = True
            return state

    def restore_state(
        self, state: Mapping[str, Any], settings: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Bring back a what-if of `export_state` (as read by `saved_state.decode`), paused.

        Every value goes through the page's own checks: the scenario loader, the controls'
        ranges, `set_control` and `set_intervention`; a scenario may not be larger or longer
        than the controls allow. The state's ``orglearn ui --set`` settings are used only if
        they are this server's own (``settings``): an address may not set any parameter.
        Whatever is unknown, out of range or impossible is left out. Never raises.

        Returns:
            What was left out, in plain words.
        """
        problems: list[str] = []
        with self.lock:
            scenario_kept = self._restore_scenario(state, problems, settings or {})
            if scenario_kept:
                self._restore_controls(state, problems)
            elif state.get("changes") or state.get("plan"):
                problems.append("Your changes were made on that scenario, so they were left out.")
            seed = state.get("seed")
            if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**63:
                self.reset(seed=seed)
            compare = state.get("compare")
            if isinstance(compare, dict) and _json_able(compare):
                self.compare_settings = dict(compare)
            if state.get("chart"):
                problems.append(
                    "This what-if was made on an uploaded org chart, which is never kept in the "
                    "page's address: upload it again under 'Your organisation' to simulate it. "
                    "Until then the organisation is generated.")
            day = state.get("day")
            if isinstance(day, int) and not isinstance(day, bool) and day > 0:
                self.step(min(day, self.days))  # the model is deterministic for its seed
            self.playing = False
        return problems

    def _restore_scenario(
        self, state: Mapping[str, Any], problems: list[str], settings: Mapping[str, Any]
    ) -> bool:
        """Open the state's scenario; whether the changes can then be applied to it."""
        file, name, lost = state.get("file"), state.get("scenario"), state.get("lost_file")
        if isinstance(file, Mapping):
            if _names_files(str(file.get("text", ""))):  # before the loader reads any file
                problems.append("The scenario file kept in the page's address names other files "
                                "(to extend, or an org chart), which an address may not do: "
                                "upload the file itself instead.")
                return False
            name, text = str(file.get("name", "file")), str(file.get("text", ""))
            scenario, error = read_scenario(name, text)
            if not error and not _within_controls(scenario):
                error = (f"It has more people or more working days than the page's controls "
                         f"allow ({_CONTROLS['people'].high:,} and {_CONTROLS['days'].high}); "
                         "upload the file itself instead.")
            if error:
                problems.append(f"The scenario file kept in the page's address could not be "
                                f"used. {error}")
                return False
            self.open_file(scenario, name, text=text)
            return True
        if isinstance(lost, str):
            problems.append(f"This what-if was made on the scenario file {lost}, too large to keep "
                            "in the page's address: upload it again.")
            return False
        if name is None:
            return True
        if name not in builtin_names():
            problems.append("The page's address names a built-in scenario this version of "
                            "orglearn does not have, so the page opened on its first scenario.")
            return False
        wanted = state.get("set") or {}
        if wanted and dict(wanted) != dict(settings):
            problems.append("This what-if was made in an orglearn started with other settings "
                            "(orglearn ui --set): the scenario opened without them.")
        self.choose_builtin(name, settings if wanted == dict(settings) else None)
        return True

    def _restore_controls(self, state: Mapping[str, Any], problems: list[str]) -> None:
        """Move the controls and plan the interventions as the page would, one by one in the
        order they were made (each step is a state the person saw)."""
        bad: list[str] = []
        changes = state.get("changes")
        for key, value in (changes.items() if isinstance(changes, Mapping) else ()):
            control = _CONTROLS.get(key)
            if control is None or not _possible(control, value):
                bad.append(control.label if control else "a control this version does not have")
            elif self.set_control(key, value):
                bad.append(control.label)
        plan = state.get("plan")
        for kind, item in (plan.items() if isinstance(plan, Mapping) else ()):
            control = _INTERVENTIONS.get(kind)
            planned_item = _planned(control, item, self.days) if control else None
            if planned_item is None:
                bad.append(control.label if control else "an intervention this version does "
                           "not have")
            elif self.set_intervention(kind, planned_item):
                bad.append(control.label)
        if bad:
            problems.append("These settings in the page's address are not possible and were "
                            "left out: " + ", ".join(dict.fromkeys(bad)) + ".")

    # -- life cycle ---------------------------------------------------------------------------

    def touch(self) -> None:
        """Note that the page was used now; a released session comes back with a notice."""
        with self.lock:
            self.last_seen = self.clock()
            if self.released:
                self.released = False
                self.notice = (
                    "This page was not used for a while, so its simulation was cleared to free "
                    "memory. Your scenario and settings are kept; the run starts again at day 0."
                )
                if self._chart_dropped:
                    self._chart_dropped = False
                    self.notice += (" Your uploaded org chart was deleted with it: upload it "
                                    "again to simulate your organisation.")

    def idle_for(self, now: float | None = None) -> float:
        """Seconds since the page was last used."""
        return (self.clock() if now is None else now) - self.last_seen

    def release(self) -> None:
        """Free the heavy parts: the model, its layout, any comparison, and the uploaded org
        chart's temporary files (the organisation goes back to a generated one; the other
        settings are kept)."""
        with self.lock:
            self.playing = False
            if self.job is not None:
                self.job.cancel()
            self.model, self.layout, self.job = None, None, None
            if self.chart is not None:
                self.chart, self._chart_dropped = None, True
                self.base = self.loaded
                try:
                    self._scenario = apply_changes(self.base, self.changes, self.plan)
                    if self.modified:
                        self._scenario = _as_what_if(self._scenario, self.base, self.base_label,
                                                     self.builtin, self.describe_changes())
                except (ParameterError, ValueError):
                    self.changes, self.plan, self._scenario = {}, {}, self.base
            if self._chart_cleanup is not None:
                self._chart_cleanup()  # deletes the folder (once)
                self._chart_dir, self._chart_cleanup = None, None
            self.released = True


def _names_files(text: str) -> bool:
    """Whether a scenario's TOML names files to read (``extends`` other than a built-in name,
    an org chart): an address is untrusted, so it may not make the server read files."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return False  # the scenario loader says what is wrong
    extends = data.get("extends")
    organisation = data.get("organisation")
    return (extends is not None and extends not in builtin_names()) or (
        isinstance(organisation, dict)
        and any(organisation.get(key) for key in ("people_file", "ties_file"))
    )


def _within_controls(scenario: Scenario) -> bool:
    """Whether a scenario is no larger and no longer than the page's controls can make it
    (an address must not make the server build a huge model)."""
    return (scenario.organisation.n_agents <= _CONTROLS["people"].high
            and scenario.steps <= _CONTROLS["days"].high)


def _json_able(value: Any) -> bool:
    """Whether comparison settings can be kept in an address: JSON, and small."""
    try:
        return len(json.dumps(value, allow_nan=False)) <= MAX_COMPARE
    except (TypeError, ValueError, RecursionError):
        return False


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _possible(control, value: Any) -> bool:
    """Whether a control can show ``value``: a switch's True/False, a slider's whole number in
    its range (as the page's controls allow)."""
    if control.switch:
        return isinstance(value, bool)
    return _is_int(value) and control.low <= value <= control.high


def _planned(control, item: Any, days: int) -> PlannedIntervention | None:
    """A planned intervention from the page's address, if the intervention's controls can
    show it (a day of the run; a share from 1 to 100% where it has one)."""
    if not isinstance(item, Mapping) or not isinstance(item.get("on"), bool):
        return None
    day, share = item.get("day"), item.get("share")
    if not _is_int(day) or not 1 <= day <= days:
        return None
    if control.share:
        if not _is_int(share) or not 1 <= share <= 100:
            return None
    elif share is not None:
        return None
    return PlannedIntervention(item["on"], day, share)


@functools.lru_cache(maxsize=None)
def _title(name: str) -> str:
    """A built-in scenario's title (its file is read once)."""
    return load(name).title or name


def _within(value: Any, bounds: tuple[int, int, int, int]) -> int:
    """``value`` as an integer on the grid of ``(low, high, step, default)``, or the default."""
    low, high, step, default = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default
    if not low <= number <= high:
        return default
    return low + (number - low) // step * step


def _same(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios simulate the same thing (names and descriptions aside)."""
    return (a.sections() == b.sections() and a.interventions == b.interventions
            and a.steps == b.steps)


def _show(value: Any, control) -> str:
    if control.switch:
        return "on" if value else "off"
    return f"{value:,}{control.unit}"


def _same_structure(old: SocialLearningModel | None, new: SocialLearningModel) -> bool:
    if old is None:
        return False
    a, b = old.network, new.network
    return (
        a.n == b.n
        and (a.department == b.department).all()
        and (a.team == b.team).all()
        and a.adjacency.nnz == b.adjacency.nnz
        and (a.adjacency.indices == b.adjacency.indices).all()
    )


def _as_what_if(
    scenario: Scenario, base: Scenario, label: str, builtin: bool, changes: list[str]
) -> Scenario:
    name = (base.name or label).removesuffix(".toml")
    what = "; ".join(changes)
    description = (base.description.strip() + "\n\n" if base.description else "") + (
        f"What-if made in the orglearn UI from '{label}': {what}."
    )
    return scenario.model_copy(update={
        "name": f"{name}-what-if",
        "title": f"{base.title or name} (what-if)",
        "description": description,
        "against": name if builtin else (base.against or None),
    })


class SessionRegistry:
    """Sessions by page id, with explicit clean-up of idle ones.

    Args:
        idle_seconds: a session unused for longer than this is released by `reap`.
        clock: time source (seconds); tests pass a fake one.
        factory: makes a session for a new page id.
    """

    def __init__(
        self,
        idle_seconds: float = 30 * 60,
        clock: Callable[[], float] = time.monotonic,
        factory: Callable[[str], UiSession] | None = None,
    ):
        """Empty registry; call `start_reaper` to reap in the background."""
        self.idle_seconds = float(idle_seconds)
        self.clock = clock
        self.factory = factory or (lambda sid: UiSession(sid, clock=clock))
        self._sessions: dict[str, UiSession] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None
        self._stop = threading.Event()

    def get(self, session_id: str, previous: UiSession | None = None) -> UiSession:
        """The page's session, marked as used now.

        A new page id gets a new session; a page whose session was reaped passes it as
        ``previous`` to get it back (released: settings kept, model rebuilt, with a notice).
        """
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                session = previous if previous is not None else self.factory(session_id)
                self._sessions[session_id] = session
        session.touch()
        return session

    def drop(self, session_id: str) -> None:
        """Release and forget a session (its page closed)."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None:
            session.release()

    def reap(self, now: float | None = None) -> list[str]:
        """Release and forget every session idle for longer than ``idle_seconds``.

        A page that is still open and used again gets its session back through `get`.

        Returns:
            The ids reaped.
        """
        now = self.clock() if now is None else now
        with self._lock:
            idle = [sid for sid, s in self._sessions.items() if s.idle_for(now) > self.idle_seconds]
            reaped = [self._sessions.pop(sid) for sid in idle]
        for session in reaped:
            session.release()
        return idle

    def __len__(self) -> int:
        """Number of live sessions."""
        with self._lock:
            return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        """Whether a page id has a live session."""
        with self._lock:
            return session_id in self._sessions

    def start_reaper(self, interval: float = 60.0) -> None:
        """Reap every ``interval`` seconds in a daemon thread (once per registry)."""
        if self._reaper is not None:
            return

        def loop() -> None:
            while not self._stop.wait(interval):
                self.reap()

        self._reaper = threading.Thread(target=loop, daemon=True, name="orglearn-ui-reaper")
        self._reaper.start()

    def stop_reaper(self) -> None:
        """Stop the background reaping."""
        self._stop.set()
