"""The model as a user drives it: seeding, running, results, and Mesa's tools on it."""

from __future__ import annotations

import json

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from orglearn import load_scenario
from orglearn.simulation import SocialLearningModel
from orglearn.simulation.metrics import SCALAR_METRICS, SUMMARY_METRICS, TOTALS, first_crossing
from tests.helpers import model_frame, scenarios

STATE_ARRAYS = (
    "knowledge", "reputation", "strength", "given", "received", "last_post", "generosity",
    "proactivity", "formal_preference", "has_tools", "lurker", "hoarder", "role", "demand",
)


def assert_same_run(a: SocialLearningModel, b: SocialLearningModel) -> None:
    assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
    assert_frame_equal(model_frame(a), model_frame(b), check_exact=True)
    for name in STATE_ARRAYS:
        assert np.array_equal(getattr(a.state, name), getattr(b.state, name)), name
    assert [e.unique_id for e in a.employees] == [e.unique_id for e in b.employees]


# -- seeding and reproducibility -------------------------------------------------------------


@given(overrides=scenarios(), seed=st.integers(0, 2**63 - 1))
def test_same_seed_gives_bit_identical_runs(overrides, seed):
    a = SocialLearningModel(rng=seed, **overrides)
    b = SocialLearningModel(rng=seed, **overrides)
    a.run(12)
    b.run(12)
    assert_same_run(a, b)


@given(
    overrides=scenarios(),
    seeds=st.lists(st.integers(0, 2**32 - 1), min_size=2, max_size=2, unique=True),
)
def test_different_seeds_give_different_runs(overrides, seeds):
    a = SocialLearningModel(rng=seeds[0], **overrides)
    b = SocialLearningModel(rng=seeds[1], **overrides)
    a.run(5)
    b.run(5)
    assert not np.array_equal(a.state.knowledge, b.state.knowledge)
    assert not a.timeseries().equals(b.timeseries())


def test_seed_sequence_is_accepted_and_reproducible():
    a = SocialLearningModel(n_agents=80, rng=np.random.SeedSequence(2024))
    b = SocialLearningModel(n_agents=80, rng=np.random.SeedSequence(2024))
    a.run(20)
    b.run(20)
    assert_same_run(a, b)
    # Independent streams from one SeedSequence (as batch runners spawn them) differ.
    first, second = np.random.SeedSequence(2024).spawn(2)
    c = SocialLearningModel(n_agents=80, rng=first)
    d = SocialLearningModel(n_agents=80, rng=second)
    c.run(20)
    d.run(20)
    assert not np.array_equal(c.state.knowledge, d.state.knowledge)


def test_generator_is_accepted_and_reproducible():
    a = SocialLearningModel(n_agents=60, rng=np.random.default_rng(9))
    b = SocialLearningModel(n_agents=60, rng=np.random.default_rng(9))
    a.run(10)
    b.run(10)
    assert_same_run(a, b)


def test_no_seed_draws_fresh_entropy():
    a = SocialLearningModel(n_agents=60)
    b = SocialLearningModel(n_agents=60)
    assert not np.array_equal(a.state.knowledge, b.state.knowledge)


def test_global_numpy_random_state_plays_no_part():
    np.random.seed(1)
    a = SocialLearningModel(n_agents=60, rng=5)
    a.run(10)
    np.random.seed(2)
    b = SocialLearningModel(n_agents=60, rng=5)
    b.run(10)
    assert_same_run(a, b)


def test_running_in_two_halves_equals_one_run():
    a = SocialLearningModel(n_agents=80, rng=11)
    a.run(30)
    b = SocialLearningModel(n_agents=80, rng=11)
    b.run(12)
    b.run(18)
    assert_same_run(a, b)


# -- running and results ---------------------------------------------------------------------


def test_run_counts_steps_and_reports_progress():
    model = SocialLearningModel(n_agents=40, rng=0)
    ticks = []
    model.run(7, progress=ticks.append)
    assert ticks == [1] * 7
    assert model.steps == 7
    assert len(model_frame(model)) == 8, "step 0 and every step after it are recorded"
    model.run(0)
    assert model.steps == 7
    with pytest.raises(ValueError, match="steps"):
        model.run(-1)


def test_timeseries_is_tidy():
    model = SocialLearningModel(n_agents=60, departments=3, rng=1)
    model.run(10)
    ts = model.timeseries()
    assert list(ts.columns) == ["step", "metric", "scope", "department", "value"]
    assert ts["value"].dtype == float
    assert str(ts["department"].dtype) == "Int64"  # a nullable integer
    assert sorted(ts["step"].unique()) == list(range(11))
    assert not ts.duplicated(["step", "metric", "scope", "department"]).any()
    assert set(ts["scope"]) == {"organisation", "department"}
    organisation = ts[ts["scope"] == "organisation"]
    assert organisation["department"].isna().all()
    departments = ts[ts["scope"] == "department"]
    assert set(departments["metric"]) == {"mean_knowledge"}
    assert departments["department"].notna().all()
    assert sorted(departments["department"].unique()) == [0, 1, 2]
    assert set(organisation["metric"]) == set(SCALAR_METRICS)
    org = ts[(ts["metric"] == "mean_knowledge") & (ts["scope"] == "organisation")]
    assert np.array_equal(org["value"].to_numpy(), model_frame(model)["mean_knowledge"].to_numpy())
    last = ts[(ts["step"] == 10) & (ts["department"] == 2)]["value"].item()
    rows = model.network.department == 2
    assert last == pytest.approx(model.state.knowledge[rows].mean())


def test_summary_is_consistent_with_the_time_series():
    model = SocialLearningModel(n_agents=200, rng=3)
    model.run(365)
    summary = model.summary()
    frame = model_frame(model)
    adoption = frame["idea_adoption"].to_numpy()
    steps = np.arange(len(frame))
    assert summary["steps"] == 365 and summary["n_agents"] == 200
    assert summary["t50"] == first_crossing(adoption, steps, 0.5)
    assert summary["t90"] == first_crossing(adoption, steps, 0.9)
    assert summary["t50"] is not None, "the idea reaches half the staff within a year"
    assert adoption[summary["t50"]] >= 0.5 > adoption[summary["t50"] - 1]
    for key in ("final_mean_knowledge", "final_gini", "final_silo_index", "final_participation"):
        assert 0.0 <= summary[key] <= 1.0
    for name in SCALAR_METRICS:
        value = model.metrics[name]
        assert summary[f"final_{name}"] == (None if np.isnan(value) else value), name
    for name in TOTALS:
        assert summary[f"total_{name}"] == pytest.approx(frame[name].sum(), rel=1e-12), name
    assert summary["total_refusals"] == frame["refusals"].sum()
    assert isinstance(summary["total_asks"], int) and isinstance(summary["final_asks"], int)


def test_summary_uses_one_naming_scheme():
    """Keys: scenario, n_agents, steps, then t50, t90, final_<metric> for every scalar metric,
    total_<name> flat; no nested values, no bare metric names."""
    model = SocialLearningModel(load_scenario("hoarders"), n_agents=40, rng=2)
    model.run(5)
    summary = model.summary()
    assert list(summary) == ["scenario", "n_agents", "steps", *SUMMARY_METRICS]
    assert summary["scenario"] == "hoarders"
    assert [k for k in summary if k.startswith("final_")] == [f"final_{m}" for m in SCALAR_METRICS]
    assert not any(isinstance(v, (dict, list)) for v in summary.values())
    assert not set(summary) & set(SCALAR_METRICS), "metric names are always prefixed"
    assert SocialLearningModel(n_agents=20, rng=1).summary()["scenario"] == ""


def test_summary_is_json_ready_and_undefined_values_are_none():
    """No hoarders: their reputation is undefined, and the summary says None (JSON null), so
    summaries compare equal and serialise as strict JSON."""
    model = SocialLearningModel(n_agents=30, hoarder_share=0.0, rng=1)
    model.run(3)
    summary = model.summary()
    assert np.isnan(model.metrics["reputation_hoarders"])
    assert summary["final_reputation_hoarders"] is None
    json.dumps(summary, allow_nan=False)
    again = SocialLearningModel(n_agents=30, hoarder_share=0.0, rng=1)
    again.run(3)
    assert again.summary() == summary


def test_t50_is_none_when_the_idea_never_spreads():
    # With every channel closed nobody learns the idea beyond the initial seeds.
    model = SocialLearningModel(
        n_agents=50, rng=0, field_learning__enabled=False, asking__enabled=False,
        esn__enabled=False, collaboration__enabled=False,
    )
    model.run(20)
    assert model.summary()["t50"] is None and model.summary()["t90"] is None


def test_turbulence_makes_knowledge_obsolete_but_not_the_idea():
    model = SocialLearningModel(
        n_agents=30, rng=0, turbulence=1.0, obsolescence=0.5,
        **{f"{s}__enabled": False for s in (
            "field_learning", "asking", "esn", "collaboration", "training", "culture_change",
            "forgetting", "turnover")},
    )
    before = model.state.knowledge.copy()
    appeal = model.state.demand[0]
    model.step()
    assert np.array_equal(model.state.knowledge[:, 0], before[:, 0])
    assert np.allclose(model.state.knowledge[:, 1:], 0.5 * before[:, 1:])
    assert model.state.demand[0] == appeal


def test_to_networkx_carries_knowledge():
    model = SocialLearningModel(n_agents=50, rng=0)
    graph = model.to_networkx()
    assert graph.number_of_nodes() == 50
    assert graph.nodes[7]["knowledge"] == pytest.approx(model.state.knowledge[7].mean())


# -- Mesa integration ------------------------------------------------------------------------


def test_employees_are_the_models_agents():
    model = SocialLearningModel(n_agents=70, rng=0)
    assert len(model.agents) == 70
    assert set(model.agents) == set(model.employees)
    assert [e.row for e in model.employees] == list(range(70))


def test_user_datacollector_with_agent_reporters():
    model = SocialLearningModel(n_agents=50, rng=2, turnover__rate=0.05)
    collector = mesa.DataCollector(
        model_reporters={"idea": lambda m: m.metrics["idea_adoption"]},
        agent_reporters={"k": "mean_knowledge", "generosity": "generosity"},
    )
    for _ in range(6):
        collector.collect(model)
        model.step()
    agents = collector.get_agent_vars_dataframe()
    assert list(agents.columns) == ["k", "generosity"]
    assert len(agents) == 6 * 50, "every current employee is reported at every collection"
    assert agents["k"].between(0, 1).all() and agents["generosity"].between(0, 1).all()
    # A collection reads the model's arrays: compare one with the state, agent by agent.
    collector.collect(model)
    latest = collector.get_agent_vars_dataframe().xs(model.time, level="Step")
    by_id = {e.unique_id: e.row for e in model.employees}
    assert set(latest.index) == set(by_id)
    rows = np.array([by_id[i] for i in latest.index])
    assert np.allclose(latest["k"].to_numpy(), model.state.knowledge[rows].mean(axis=1))
    assert np.array_equal(latest["generosity"].to_numpy(), model.state.generosity[rows])
    assert len(collector.get_model_vars_dataframe()) == 7


def test_mesa_batch_run_accepts_the_model():
    results = mesa.batch_run(
        SocialLearningModel,
        parameters={"n_agents": 40, "esn__enabled": [True, False]},
        rng=[1, 2],
        max_steps=5,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    frame = pd.DataFrame(results)
    assert len(frame) == 4, "2 settings x 2 seeds"
    assert set(frame["rng"]) == {1, 2}
    assert (frame["Step"] == 5).all()
    assert (frame.loc[~frame["esn__enabled"], "posts"] == 0).all()
    assert frame["mean_knowledge"].between(0, 1).all()
    # Each run equals a model built by hand with the same arguments and seed.
    by_hand = SocialLearningModel(n_agents=40, esn__enabled=True, rng=2)
    by_hand.run(5)
    row = frame[(frame["rng"] == 2) & frame["esn__enabled"]].iloc[0]
    assert row["mean_knowledge"] == by_hand.metrics["mean_knowledge"]
