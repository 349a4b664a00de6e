"""Properties that hold for any parameters: values stay in range, nothing moves over a
switched-off channel, and the archetypes (lurkers, non-givers, people without tools) behave
as their definition says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation import SocialLearningModel
from orglearn.simulation.state import TRAIT_COLUMNS
from tests.helpers import NEVER_POSTED, all_off, scenarios, unit_interval

STEPS = 12
seeds = st.integers(0, 2**32 - 1)


def stepping(model: SocialLearningModel, steps: int = STEPS):
    """Step the model, yielding its metrics after each step."""
    for _ in range(steps):
        model.step()
        yield model.metrics


@given(overrides=scenarios(), seed=seeds)
def test_values_stay_in_range(overrides, seed):
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        s = model.state
        assert unit_interval(s.knowledge), "knowledge in [0, 1]"
        assert unit_interval(s.reputation), "reputation in [0, 1]"
        assert unit_interval(s.strength), "tie strength in [0, 1]"
        for name in TRAIT_COLUMNS:
            assert unit_interval(getattr(s, name)), name
        assert np.all(s.given >= 0) and np.all(s.received >= 0)
        # Ledgers are two views of the same exchanges.
        assert np.array_equal(s.given, s.received[model.network.reverse])
        for name in ("mean_knowledge", "coverage", "idea_adoption", "gini", "silo_index",
                     "participation", "reciprocity", "mean_tie_strength", "alignment"):
            assert 0.0 <= metrics[name] <= 1.0, name


@given(overrides=scenarios(), seed=seeds)
def test_nothing_is_posted_or_read_with_the_esn_off(overrides, seed):
    overrides["esn__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        assert metrics["posts"] == 0 and metrics["esn"] == 0 and metrics["gain_esn"] == 0
        assert metrics["participation"] == 0.0
    assert np.all(model.state.last_post == NEVER_POSTED)


@given(overrides=scenarios(), seed=seeds)
def test_no_direct_exchange_with_asking_off(overrides, seed):
    overrides["asking__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        for name in ("asks", "helps", "direct", "refusals", "tells", "gain_direct"):
            assert metrics[name] == 0, name
        assert not model.state.given.any() and not model.state.received.any()
        assert metrics["reciprocity"] == 0.0


@given(overrides=scenarios(), seed=seeds)
def test_no_collaboration_when_switched_off(overrides, seed):
    overrides["collaboration__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        assert metrics["collaboration"] == 0 and metrics["gain_collaboration"] == 0


@given(overrides=scenarios(), seed=seeds)
def test_no_training_when_switched_off(overrides, seed):
    overrides["training__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        assert metrics["training"] == 0 and metrics["gain_training"] == 0


@given(overrides=scenarios(), seed=seeds)
def test_no_field_learning_when_switched_off(overrides, seed):
    overrides["field_learning__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    for metrics in stepping(model):
        assert metrics["field"] == 0 and metrics["gain_field"] == 0


@given(overrides=scenarios(), seed=seeds)
def test_posts_alone_never_teach_beyond_the_codifiable_share(overrides, seed):
    """With only the ESN on, nobody learns the tacit part of the new idea: whoever started
    below its codifiable share stays at or below it."""
    overrides.update(all_off(esn=True), turbulence=0.0)
    model = SocialLearningModel(rng=seed, **overrides)
    c = model.state.codifiable[0]
    below = model.state.knowledge[:, 0] <= c
    for _ in stepping(model):
        assert np.all(model.state.knowledge[below, 0] <= c + 1e-12)


@given(overrides=scenarios(), seed=seeds)
def test_nobody_leaves_with_turnover_off(overrides, seed):
    overrides["turnover__enabled"] = False
    model = SocialLearningModel(rng=seed, **overrides)
    before = list(model.employees)
    ids = sorted(a.unique_id for a in model.agents)
    for _ in stepping(model):
        assert model.employees == before
        assert sorted(a.unique_id for a in model.agents) == ids
    assert all(e.row == i for i, e in enumerate(before))


@given(overrides=scenarios(), seed=seeds)
def test_headcount_is_constant_with_turnover(overrides, seed):
    overrides.update(turnover__enabled=True, turnover__rate=0.2)
    model = SocialLearningModel(rng=seed, **overrides)
    n = overrides["n_agents"]
    ids = {a.unique_id for a in model.agents}
    for _ in stepping(model, 3):
        assert len(model.agents) == n
        assert set(model.agents) == set(model.employees)
        assert [e.row for e in model.employees] == list(range(n))
    assert {a.unique_id for a in model.agents} != ids, "someone left at a 20% daily rate"


@given(overrides=scenarios(), seed=seeds)
def test_knowledge_is_constant_with_everything_off(overrides, seed):
    overrides.update(all_off(), turbulence=0.0)
    model = SocialLearningModel(rng=seed, **overrides)
    knowledge = model.state.knowledge.copy()
    strength = model.state.strength.copy()
    reputation = model.state.reputation.copy()
    for metrics in stepping(model):
        assert np.array_equal(model.state.knowledge, knowledge)
        assert np.array_equal(model.state.strength, strength)
        assert np.array_equal(model.state.reputation, reputation)
        assert sum(metrics[c] for c in ("field", "direct", "esn", "collaboration",
                                        "training", "posts", "asks")) == 0


@given(overrides=scenarios(), seed=seeds)
def test_forgetting_alone_only_lowers_knowledge(overrides, seed):
    overrides.update(all_off(forgetting=True), turbulence=0.0)
    model = SocialLearningModel(rng=seed, **overrides)
    rate = overrides["forgetting__rate"]
    for _ in stepping(model, 3):
        before = model.state.knowledge.copy()
        model.step()
        assert np.allclose(model.state.knowledge, before * (1.0 - rate), rtol=0, atol=1e-15)


@given(overrides=scenarios(), seed=seeds)
def test_ties_move_only_through_exchanges(overrides, seed):
    """Tie strength changes through asking, collaborating and posting (ambient awareness), and
    fades by forgetting; reputation changes through asking and posting. With those off (and no
    turnover resetting newcomers' ties) both stay put."""
    overrides.update(
        asking__enabled=False, collaboration__enabled=False, esn__enabled=False,
        turnover__enabled=False, forgetting__enabled=False,
    )
    model = SocialLearningModel(rng=seed, **overrides)
    strength = model.state.strength.copy()
    reputation = model.state.reputation.copy()
    for _ in stepping(model):
        assert np.array_equal(model.state.strength, strength)
        assert np.array_equal(model.state.reputation, reputation)


@given(overrides=scenarios(), seed=seeds, data=st.data())
def test_someone_with_no_generosity_never_helps_or_posts(overrides, seed, data):
    """An employee whose generosity is 0 (and who does not imitate others' generosity, since
    their adaptability is 0) never helps, never posts and never collaborates."""
    overrides.update(turnover__enabled=False)
    model = SocialLearningModel(rng=seed, **overrides)
    row = data.draw(st.integers(0, overrides["n_agents"] - 1), label="row")
    person = model.employees[row]
    person.generosity = 0.0
    person.adaptability = 0.0
    indptr = model.network.adjacency.indptr
    out_edges = slice(indptr[row], indptr[row + 1])
    for _ in stepping(model):
        assert model.state.generosity[row] == 0.0
        assert not model.state.given[out_edges].any(), "gave help"
        assert model.state.last_post[row] == NEVER_POSTED, "posted"


def test_someone_with_no_generosity_is_asked_but_refuses():
    """Not vacuous: the non-giver is asked and refuses, while others help."""
    model = SocialLearningModel(n_agents=60, rng=1, turnover__enabled=False,
                                culture_change__enabled=False)
    expert = max(model.employees, key=lambda e: len(e.neighbours))
    expert.generosity = 0.0
    expert.knowledge = np.ones(model.state.topics)
    indptr = model.network.adjacency.indptr
    out_edges = slice(indptr[expert.row], indptr[expert.row + 1])
    refusals = 0
    for metrics in stepping(model, 30):
        refusals += metrics["refusals"]
    assert not model.state.given[out_edges].any()
    assert model.state.given.any(), "others helped"
    assert refusals > 0


@given(
    n_agents=st.integers(40, 150),
    lurker_share=st.floats(0.2, 0.8),
    seed=seeds,
)
def test_lurkers_never_post_but_learn_from_posts(n_agents, lurker_share, seed):
    model = SocialLearningModel(
        rng=seed, n_agents=n_agents, tool_access=1.0, lurker_share=lurker_share,
        hoarder_share=0.0, champion_share=0.0, esn__post_rate=1.0, turbulence=0.0,
        **all_off(esn=True),
    )
    lurkers = model.state.lurker.copy()
    assert lurkers.any()
    start = model.state.knowledge[lurkers].copy()
    total_posts = 0
    for metrics in stepping(model, 20):
        total_posts += metrics["posts"]
        assert np.all(model.state.last_post[lurkers] == NEVER_POSTED)
        assert np.all(model.state.knowledge[lurkers] >= start)
    assert total_posts > 0
    assert model.state.knowledge[lurkers].sum() > start.sum(), "lurkers learned from posts"
    assert model.metrics["participation"] <= 1.0 - lurkers.mean() + 1e-12


def test_every_lurker_learns_from_reading():
    """Every reader with tools learns from posts; lurkers learn from the posts of others."""
    model = SocialLearningModel(
        rng=3, n_agents=100, tool_access=1.0, lurker_share=0.5, hoarder_share=0.0,
        champion_share=0.0, turbulence=0.0, **all_off(esn=True),
    )
    lurkers = model.state.lurker.copy()
    start = model.state.knowledge.copy()
    model.run(10)
    gained = (model.state.knowledge - start).sum(axis=1)
    assert np.all(gained[lurkers] > 0), "every lurker learned something in 10 days of reading"


@given(overrides=scenarios(), seed=seeds)
def test_no_posting_or_reading_without_tools(overrides, seed):
    overrides.update(tool_access=0.0, champion_share=0.0, esn__enabled=True)
    model = SocialLearningModel(rng=seed, **overrides)
    assert not model.state.has_tools.any()
    for metrics in stepping(model):
        assert metrics["posts"] == 0 and metrics["esn"] == 0
        assert metrics["participation"] == 0.0
    assert np.all(model.state.last_post == NEVER_POSTED)


@pytest.mark.parametrize(
    "channel, section",
    [("field", "field_learning"), ("direct", "asking"), ("esn", "esn"),
     ("collaboration", "collaboration"), ("training", "training")],
)
def test_each_channel_carries_knowledge_when_on(channel, section):
    """The switched-off tests above are not vacuous: each channel, alone, moves knowledge."""
    model = SocialLearningModel(
        n_agents=120, rng=0, turbulence=0.0, training__interval=5, **all_off(**{section: True})
    )
    before = model.state.knowledge.copy()
    total = sum(metrics[channel] for metrics in stepping(model, 20))
    assert total > 0
    assert model.state.knowledge.sum() > before.sum()
    assert np.all(model.state.knowledge >= before), "learning never lowers knowledge"
