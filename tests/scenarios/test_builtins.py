"""Every built-in scenario loads, is documented, runs, and its interventions really fire.

Interventions apply at the start of the step whose number equals their ``step`` (Mesa increments
``model.steps`` before calling ``step``), so after ``run(k - 1)`` an intervention at step ``k``
has not happened yet and after one more step it has.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from orglearn import scenarios
from orglearn.scenarios import Scenario, builtin_names, builtin_path, load, load_text
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.network import TIE_COMMUNITY
from orglearn.simulation.parameters import STYLES
from orglearn.simulation.state import CHAMPION, MANAGER
from tests.scenarios._support import KNOWN_BUILTINS

NAMES = builtin_names()
N_AGENTS = 80


def _model(scenario, **overrides) -> SocialLearningModel:
    return SocialLearningModel(load(scenario) if isinstance(scenario, str) else scenario, n_agents=N_AGENTS, rng=0, **overrides)


# -- loading and documentation -----------------------------------------------------------------


def test_the_builtins_of_the_issue_are_all_there():
    assert set(KNOWN_BUILTINS) <= set(NAMES), sorted(set(KNOWN_BUILTINS) - set(NAMES))
    assert NAMES == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_builtin_loads_and_is_documented(name):
    scenario = load(name)
    assert isinstance(scenario, Scenario)
    assert scenario.name == name
    assert builtin_path(name).is_file()
    for field in ("title", "description", "rationale"):
        text = getattr(scenario, field)
        assert isinstance(text, str) and text.strip(), f"{name}: empty {field}"
    assert all(isinstance(s, str) and s.strip() for s in scenario.sources)
    if scenario.against is not None:
        assert scenario.against in NAMES, f"{name}: against={scenario.against!r} is not a built-in"
        assert scenario.against != name
    if scenario.extends is not None:
        assert scenario.extends in NAMES
    for event in scenario.interventions:
        assert 1 <= event.step <= scenario.steps


@pytest.mark.parametrize("name", NAMES)
def test_builtin_loads_the_same_by_name_and_by_path(name):
    assert load(name) == load(builtin_path(name))
    assert load(name) == load(str(builtin_path(name)))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "baseline"])
def test_every_barrier_and_intervention_says_what_to_compare_it_with(name):
    scenario = load(name)
    assert scenario.against is not None, f"{name} has no 'against'"
    other = load(scenario.against)
    differs = scenario.sections() != other.sections() or scenario.interventions != other.interventions
    assert differs, f"{name} is identical to {scenario.against}, its comparison"


@pytest.mark.parametrize("name", [n for n in NAMES if load(n).interventions])
def test_an_intervention_scenario_is_its_comparison_plus_events(name):
    """An intervention changes nothing but adds timed events to the scenario it is compared with."""
    scenario = load(name)
    base = load(scenario.against)
    assert scenario.sections() == base.sections()
    assert scenario.steps == base.steps
    assert scenario.interventions[: len(base.interventions)] == base.interventions
    assert len(scenario.interventions) > len(base.interventions)


def test_the_public_api():
    assert set(scenarios.__all__) >= {
        "Scenario", "ScenarioError", "load", "load_text", "builtin_names", "builtin_path", "to_toml"
    }
    assert issubclass(scenarios.ScenarioError, Exception)


# -- every built-in runs -----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_builtin_runs_past_its_interventions(name):
    scenario = load(name)
    steps = max([5] + [event.step + 1 for event in scenario.interventions])
    model = _model(name)
    assert model.interventions == scenario.interventions
    model.run(steps)
    assert model.steps == steps
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == steps + 1
    for column in frame.columns:
        if column.startswith("reputation_"):
            continue  # NaN when a group (e.g. hoarders) is empty
        assert np.isfinite(frame[column].to_numpy(float)).all(), f"{name}: {column} not finite"
    summary = model.summary()
    assert summary["steps"] == steps and summary["n_agents"] == N_AGENTS
    assert 0.0 <= summary["final_mean_knowledge"] <= 1.0
    assert math.isfinite(summary["final_gini"])


def test_scenario_object_and_name_give_the_same_run():
    by_name = _model("hoarders")
    by_object = _model(load("hoarders"))
    by_name.run(20)
    by_object.run(20)
    assert by_name.summary() == by_object.summary()


# -- interventions change the state when they fire -------------------------------------------


def _before_and_at(scenario, step: int):
    """A model run to just before ``step`` (a copy of its state) and then through it."""
    model = _model(scenario)
    model.run(step - 1)
    assert model.steps == step - 1
    return model


def test_tools_rollout_gives_tools_at_step_30():
    model = _before_and_at("tools_rollout", 30)
    before = model.state.has_tools.mean()
    assert before < 0.3  # no_tools: 10% have the ESN
    model.run(1)
    after = model.state.has_tools.mean()
    assert after >= 0.9, f"share with tools went from {before:.3f} to {after:.3f}, expected ~0.95"
    assert model.params.tools.tool_access == pytest.approx(0.1)  # access was given, not the parameter


def test_tech_skills_training_raises_tech_savvy_at_step_30():
    model = _before_and_at("tech_skills_training", 30)
    before = model.state.tech_savvy.copy()
    model.run(1)
    after = model.state.tech_savvy
    expected = before + 0.6 * (1.0 - before)
    # Everyone is trained (share = 1); newcomers of the step are the only exceptions.
    assert np.mean(np.isclose(after, expected)) >= 0.95
    assert after.mean() > before.mean() + 0.3
    assert model.state.has_tools.mean() >= 0.9  # the roll-out it extends happened too


def test_champions_council_appoints_champions_at_step_30():
    model = _before_and_at("champions_council", 30)
    assert not (model.state.role == CHAMPION).any()
    model.run(1)
    champions = np.flatnonzero(model.state.role == CHAMPION)
    assert 1 <= champions.size <= round(0.05 * N_AGENTS)
    state = model.state
    assert state.has_tools[champions].all()
    assert not state.hoarder[champions].any()
    assert (state.tech_savvy[champions] >= 0.9).all()


def test_community_of_practice_starts_at_step_30():
    model = _before_and_at("community_of_practice", 30)
    assert (model.state.community < 0).all()
    assert model.params.esn.community_reads == 0
    tools = model.state.has_tools.copy()
    edges = model.network.adjacency.nnz
    model.run(1)
    members = model.state.community >= 0
    assert members.mean() == pytest.approx(0.25, abs=0.02)
    assert model.params.esn.community_reads == 3
    assert np.array_equal(model.state.has_tools, tools)  # give_tools = false: nobody gets tools
    assert np.unique(model.network.department[members]).size > 1  # it bridges departments
    # Members got to know each other: new ties, all between members.
    new = model.network.tie_kind == TIE_COMMUNITY
    assert model.network.adjacency.nnz > edges and new.any()
    assert members[model.network.sources[new]].all()
    assert members[model.network.adjacency.indices[new]].all()
    assert model.state.strength.size == model.network.adjacency.nnz


def test_leadership_modelling_makes_managers_tactful_at_step_30():
    model = _before_and_at("leadership_modelling", 30)
    managers = model.state.role == MANAGER
    assert managers.any()
    assert (model.state.style[managers] != STYLES.index("tactful")).any()
    assert model.params.culture.psychological_safety == pytest.approx(0.3)
    model.run(1)
    managers = model.state.role == MANAGER
    assert (model.state.style[managers] == STYLES.index("tactful")).all()
    assert np.allclose(model.state.tact[managers], model.params.traits.tact)
    assert np.allclose(model.state.boldness[managers], model.params.traits.boldness)
    assert not model.state.hoarder[managers].any()
    assert model.params.culture.psychological_safety == pytest.approx(0.7)


def test_change_leadership_style_applied_directly():
    """The exact effect of the event (within a step, culture change may move generosity a bit)."""
    model = _model("poor_communication")
    event = INTERVENTION_KINDS["change_leadership_style"](
        step=1, style="pushy", generosity=0.95, psychological_safety=0.6
    )
    event.apply(model)
    managers = model.state.role == MANAGER
    assert (model.state.style[managers] == STYLES.index("pushy")).all()
    assert (model.state.generosity[managers] >= 0.95).all()
    assert not model.state.lurker[managers].any()
    assert not model.state.hoarder[managers].any()
    assert model.params.culture.psychological_safety == 0.6


def test_appoint_champions_applied_directly():
    model = _model("typical_2012")
    INTERVENTION_KINDS["appoint_champions"](step=1, share=0.1).apply(model)
    acting = (model.state.generosity >= 0.9) & (model.state.tech_savvy >= 0.9) & ~model.state.lurker
    assert (model.state.role == CHAMPION).sum() >= 1
    assert acting.sum() >= round(0.1 * N_AGENTS)


def test_run_formal_training_starts_sessions_at_its_step():
    scenario = load_text(
        'extends = "baseline"\nsteps = 40\n\n[[interventions]]\nkind = "run_formal_training"\n'
        "step = 10\ninterval = 7\nattendance = 0.9\ngain = 0.5\n"
    )
    model = _model(scenario)
    model.run(9)
    assert not model.params.training.enabled
    model.run(31)
    training = model.params.training
    assert training.enabled and training.interval == 7 and training.attendance == 0.9
    sessions = model.datacollector.get_model_vars_dataframe()["training"].to_numpy()
    held = set(np.flatnonzero(sessions).tolist())
    assert held == {10, 17, 24, 31, 38}, f"training exchanges at steps {sorted(held)}"


def test_set_parameters_changes_parameters_at_its_step():
    scenario = load_text(
        'extends = "baseline"\nsteps = 20\n\n[[interventions]]\nkind = "set_parameters"\n'
        'step = 8\nvalues = { "asking.enabled" = false, "esn.reads" = 5, "forgetting.rate" = 0.01 }\n'
    )
    model = _model(scenario)
    model.run(7)
    asks_before = model.datacollector.get_model_vars_dataframe()["asks"].sum()
    assert model.params.asking.enabled and model.params.esn.reads == 3
    assert asks_before > 0
    model.run(13)
    assert not model.params.asking.enabled
    assert model.params.esn.reads == 5
    assert model.params.forgetting.rate == 0.01
    asks = model.datacollector.get_model_vars_dataframe()["asks"].to_numpy()
    assert (asks[8:] == 0).all()


def test_interventions_of_a_parent_come_first_and_all_fire():
    """tech_skills_training extends tools_rollout: both events happen at step 30."""
    scenario = load("tech_skills_training")
    assert [e.kind for e in scenario.interventions] == ["roll_out_tools", "train_tech_skills"]
