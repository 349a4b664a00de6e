"""The contract every process of `simulation.processes.PIPELINE` keeps, and process specifics.

A process is ``(state, network, params, rng, step) -> counts``: it changes the workforce's
arrays in place (never replacing them), keeps every share in [0, 1], draws its randomness from
``rng`` only, leaves the network alone and reports non-negative event counts.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation import SocialLearningModel
from orglearn.simulation.processes import PIPELINE, forget
from orglearn.simulation.state import TRAIT_COLUMNS
from tests.helpers import NEVER_POSTED, scenarios, unit_interval

LEARNING = {"field_learning", "asking", "esn", "collaboration", "training"}
pipeline = pytest.mark.parametrize(
    "section, process", PIPELINE, ids=[section for section, _ in PIPELINE]
)


def test_pipeline_runs_the_processes_in_design_order():
    assert [section for section, _ in PIPELINE] == [
        "field_learning", "asking", "esn", "collaboration", "training", "culture_change",
        "forgetting", "turnover",
    ]


@st.composite
def situations(draw):
    """A model some steps into a random scenario, and a step number to call a process with."""
    overrides = draw(scenarios(max_agents=120))
    model = SocialLearningModel(rng=draw(st.integers(0, 2**32 - 1)), **overrides)
    model.run(draw(st.integers(0, 5)))
    return model, draw(st.integers(1, 400))


def arrays_of(state) -> dict[str, np.ndarray]:
    """The workforce's numpy columns (per person, per tie, per topic), by name."""
    return {
        f.name: getattr(state, f.name)
        for f in dataclasses.fields(state)
        if isinstance(getattr(state, f.name), np.ndarray)
    }


def snapshot(state) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in arrays_of(state).items()}


def network_snapshot(network) -> dict[str, np.ndarray]:
    return {
        "team": network.team.copy(), "department": network.department.copy(),
        "manager": network.manager.copy(), "reverse": network.reverse.copy(),
        "tie_kind": network.tie_kind.copy(), "indices": network.adjacency.indices.copy(),
        "indptr": network.adjacency.indptr.copy(),
    }


@pipeline
@given(situation=situations(), seed=st.integers(0, 2**32 - 1))
def test_process_contract(section, process, situation, seed):
    model, step = situation
    state, network, params = model.state, model.network, model.params
    arrays = arrays_of(state)
    assert {"knowledge", "reputation", "strength", "given", "received"} <= set(arrays)
    before = snapshot(state)
    net_before = network_snapshot(network)
    twin = copy.deepcopy(state)

    np.random.seed(seed % 1000)  # a process must not use numpy's global state
    counts = process(state, network, params, np.random.default_rng(seed), step)
    np.random.seed(seed % 1000 + 1)
    twin_counts = process(twin, network, params, np.random.default_rng(seed), step)

    # Counts: a dict of non-negative integers, and knowledge gained per channel as
    # non-negative floats (turnover also hands over the leavers' rows).
    assert isinstance(counts, dict)
    leavers = counts.pop("leavers", None)
    for name, value in counts.items():
        kind = float if name.startswith("gain_") else int
        assert isinstance(value, kind) and value >= 0, name
    if leavers is not None:
        assert section == "turnover"
        assert leavers.ndim == 1 and np.unique(leavers).size == leavers.size
        assert np.all((leavers >= 0) & (leavers < state.n))
    # Deterministic given the generator.
    twin_leavers = twin_counts.pop("leavers", None)
    assert counts == twin_counts
    if leavers is not None:
        assert np.array_equal(leavers, twin_leavers)
    for name, array in arrays.items():
        assert np.array_equal(array, getattr(twin, name)), f"{name} differs between twins"

    # In place: the arrays are the same objects with the same shapes and dtypes.
    for name, array in arrays.items():
        assert getattr(state, name) is array, f"{section} replaced state.{name}"
        assert array.shape == before[name].shape and array.dtype == before[name].dtype
    for name, array in network_snapshot(network).items():
        assert np.array_equal(array, net_before[name]), f"{section} changed network.{name}"

    # Shares stay shares.
    assert unit_interval(state.knowledge)
    assert unit_interval(state.reputation)
    assert unit_interval(state.strength)
    for name in TRAIT_COLUMNS:
        assert unit_interval(getattr(state, name)), name

    # What each kind of process may do to knowledge.
    k0, k1 = before["knowledge"], state.knowledge.copy()
    if section in LEARNING:
        assert np.all(k1 >= k0), f"{section} lowered someone's knowledge"
        # What was just learned counts as used, so forgetting later in the step spares it.
        learned = k1 > k0
        forget(state, network, params.with_overrides(forgetting__rate=0.5),
               np.random.default_rng(seed), step)
        assert np.array_equal(state.knowledge[learned], k1[learned]), (
            f"knowledge learned by {section} was forgotten in the same step"
        )
    elif section == "culture_change":
        assert np.array_equal(k1, k0)
    elif section == "forgetting":
        assert np.all(k1 <= k0)
        decayed = k1 != k0
        rate = params.forgetting.rate
        assert np.allclose(k1[decayed], k0[decayed] * (1.0 - rate), rtol=1e-12, atol=0.0)
    elif section == "turnover":
        stayers = np.setdiff1d(np.arange(state.n), leavers)
        assert np.array_equal(k1[stayers], k0[stayers])
        assert np.all(k1[leavers] <= params.knowledge.newcomer_max)
        assert np.all(k1[leavers, 0] == 0.0), "newcomers do not know the new idea"


@pipeline
def test_process_on_a_tiny_organisation(section, process):
    """Two people, one tie: every process copes with the smallest organisation there is."""
    model = SocialLearningModel(n_agents=2, departments=1, rng=0)
    counts = process(model.state, model.network, model.params, np.random.default_rng(0), 1)
    assert isinstance(counts, dict)
    assert unit_interval(model.state.knowledge)


# -- specifics -------------------------------------------------------------------------------


def run_process(section, model, step=1, seed=0):
    process = dict(PIPELINE)[section]
    return process(model.state, model.network, model.params, np.random.default_rng(seed), step)


def test_training_only_on_session_days():
    model = SocialLearningModel(n_agents=100, rng=0, training__enabled=True,
                                training__interval=10, training__attendance=1.0)
    before = model.state.knowledge.copy()
    assert run_process("training", model, step=7) == {"training": 0, "gain_training": 0.0}
    assert np.array_equal(model.state.knowledge, before)
    counts = run_process("training", model, step=20)
    assert counts["training"] > 0
    changed = np.flatnonzero((model.state.knowledge != before).any(axis=0))
    assert changed.size == 1, "a session covers one curriculum topic"


def test_turnover_gives_newcomers_a_fresh_start():
    model = SocialLearningModel(n_agents=120, rng=2, turnover__rate=0.2)
    model.run(10)  # build up ledgers and posts
    counts = run_process("turnover", model, step=11, seed=5)
    leavers = counts["leavers"]
    assert leavers.size > 0
    s, net = model.state, model.network
    assert np.all(s.reputation[leavers] == 0.5)
    assert np.all(s.last_post[leavers] == NEVER_POSTED)
    indptr = net.adjacency.indptr
    for row in leavers:
        out = np.arange(indptr[row], indptr[row + 1])
        edges = np.concatenate((out, net.reverse[out]))
        assert not s.given[edges].any() and not s.received[edges].any()


def test_culture_change_spares_hoarders_generosity():
    model = SocialLearningModel(n_agents=200, rng=1, hoarder_share=0.3, culture_change__rate=1.0,
                                traits__adaptability=0.9)
    hoarders = model.state.hoarder.copy()
    before = model.state.generosity.copy()
    counts = run_process("culture_change", model)
    assert counts["imitations"] > 0
    assert np.array_equal(model.state.generosity[hoarders], before[hoarders])
    assert not np.array_equal(model.state.generosity[~hoarders], before[~hoarders])


def test_champions_managers_included_never_start_lurking():
    from orglearn.simulation.interventions import AppointChampions
    from orglearn.simulation.state import MANAGER

    model = SocialLearningModel(n_agents=300, rng=2, lurker_share=0.8, culture_change__rate=1.0,
                                traits__adaptability=1.0)
    AppointChampions(step=1, share=0.5).apply(model)
    champions = model.state.champion.copy()
    managers = champions & (model.state.role == MANAGER)
    assert managers.any(), "some managers were appointed, and keep their role"
    others_before = model.state.lurker[~champions].copy()
    for _ in range(10):
        run_process("culture_change", model)
        assert not model.state.lurker[champions].any()
    assert (model.state.lurker[~champions] != others_before).any()  # the others do switch


def test_field_learning_never_teaches_the_new_idea():
    model = SocialLearningModel(n_agents=100, rng=0, field_learning__exposure=1.0,
                                traits__proactivity=0.99)
    before = model.state.knowledge[:, 0].copy()
    counts = run_process("field_learning", model)
    assert counts["field"] > 0
    assert np.array_equal(model.state.knowledge[:, 0], before)


def test_hoarders_never_post():
    model = SocialLearningModel(n_agents=150, rng=0, tool_access=1.0, hoarder_share=0.5,
                                lurker_share=0.0, esn__post_rate=1.0)
    hoarders = model.state.hoarder.copy()
    for step in range(1, 20):
        run_process("esn", model, step=step, seed=step)
    assert np.all(model.state.last_post[hoarders] == NEVER_POSTED)
    assert np.any(model.state.last_post[~hoarders] != NEVER_POSTED)
