"""`Employee`: a Mesa agent that is a view on one row of the model's arrays."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation import SocialLearningModel
from orglearn.simulation.parameters import STYLES
from orglearn.simulation.state import ROLES, TRAIT_COLUMNS

FLOAT_COLUMNS = (*TRAIT_COLUMNS, "reputation")
BOOL_COLUMNS = ("has_tools", "lurker", "hoarder", "formal_devotee")


def test_agents_package_imports_on_its_own():
    """``from agents import Employee`` works in a fresh interpreter (a user's first import)."""
    for statement in ("from agents import Employee", "import agents.employee"):
        result = subprocess.run(
            [sys.executable, "-c", statement], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{statement!r} failed:\n{result.stderr[-600:]}"


@pytest.fixture
def model():
    return SocialLearningModel(n_agents=60, rng=7)


def test_attributes_read_the_state(model):
    s = model.state
    for e in model.employees:
        for name in FLOAT_COLUMNS:
            assert getattr(e, name) == getattr(s, name)[e.row]
            assert isinstance(getattr(e, name), float)
        for name in BOOL_COLUMNS:
            assert getattr(e, name) is bool(getattr(s, name)[e.row])
        assert e.style == STYLES[s.style[e.row]]
        assert e.role == ROLES[s.role[e.row]]
        assert e.team == model.network.team[e.row]
        assert e.department == model.network.department[e.row]
        assert e.mean_knowledge == pytest.approx(s.knowledge[e.row].mean())


@pytest.mark.parametrize("name", FLOAT_COLUMNS)
@given(value=st.floats(0.0, 1.0))
def test_setting_a_trait_writes_the_state(name, value):
    model = SocialLearningModel(n_agents=20, rng=0)
    e = model.employees[5]
    setattr(e, name, value)
    assert getattr(model.state, name)[5] == value
    assert getattr(e, name) == value
    # Other rows are untouched.
    fresh = SocialLearningModel(n_agents=20, rng=0)
    assert np.array_equal(
        np.delete(getattr(fresh.state, name), 5), np.delete(getattr(model.state, name), 5)
    )


@pytest.mark.parametrize("name", FLOAT_COLUMNS)
@given(value=st.one_of(st.floats(max_value=-1e-9), st.floats(min_value=1.0 + 1e-9),
                       st.just(math.nan)))
def test_setting_a_trait_out_of_range_raises(name, value):
    model = SocialLearningModel(n_agents=20, rng=0)
    e = model.employees[3]
    old = getattr(e, name)
    with pytest.raises(ValueError, match=name):
        setattr(e, name, value)
    assert getattr(e, name) == old, "a rejected value changes nothing"


def test_flags_and_labels(model):
    e = model.employees[4]
    e.has_tools = False
    assert not model.state.has_tools[4] and e.has_tools is False
    e.has_tools = True
    assert model.state.has_tools[4]
    e.lurker = True
    assert model.state.lurker[4]
    e.style = "rude"
    assert model.state.style[4] == STYLES.index("rude") and e.style == "rude"
    e.role = "champion"
    assert e.role == "champion" and e.champion and model.state.champion[4]
    with pytest.raises(ValueError, match="tactful"):
        e.style = "grumpy"
    with pytest.raises(ValueError):
        e.role = "boss"
    assert e.style == "rude" and e.role == "champion"
    e.role = "member"
    assert not e.champion  # no longer a champion


def test_knowledge_is_a_view_of_the_row(model):
    e = model.employees[9]
    view = e.knowledge
    assert view.shape == (model.state.topics,)
    assert np.shares_memory(view, model.state.knowledge)
    view[2] = 0.77
    assert model.state.knowledge[9, 2] == 0.77
    model.state.knowledge[9, 3] = 0.11
    assert e.knowledge[3] == 0.11


def test_knowledge_can_be_replaced_whole(model):
    e = model.employees[1]
    new = np.linspace(0, 1, model.state.topics)
    e.knowledge = new
    assert np.array_equal(model.state.knowledge[1], new)
    e.knowledge = list(np.zeros(model.state.topics))
    assert not model.state.knowledge[1].any()


@pytest.mark.parametrize(
    "values",
    [
        pytest.param("too_high", id="above-1"),
        pytest.param("negative", id="below-0"),
        pytest.param("short", id="wrong-length"),
        pytest.param("nan", id="nan"),
    ],
)
def test_knowledge_out_of_range_raises(model, values):
    k = model.state.topics
    bad = {
        "too_high": np.full(k, 1.5),
        "negative": np.full(k, -0.5),
        "short": np.zeros(k - 1),
        "nan": np.full(k, np.nan),
    }[values]
    e = model.employees[2]
    old = model.state.knowledge[2].copy()
    with pytest.raises(ValueError, match="[Kk]nowledge"):
        e.knowledge = bad
    assert np.array_equal(model.state.knowledge[2], old), "a rejected value changes nothing"


def test_manager_and_neighbours(model):
    net = model.network
    for e in model.employees:
        boss = net.manager[e.row]
        if boss < 0:
            assert e.manager is None
        else:
            assert e.manager is model.employees[boss]
            assert e in e.manager.neighbours, "managers are tied to their reports"
        adj = net.adjacency
        expected = adj.indices[adj.indptr[e.row]: adj.indptr[e.row + 1]]
        assert [n.row for n in e.neighbours] == list(expected)
        assert e not in e.neighbours


def test_changes_through_employees_change_the_model():
    """Setting a trait through the agent is the same as writing the array: same run."""
    a = SocialLearningModel(n_agents=80, rng=3)
    b = SocialLearningModel(n_agents=80, rng=3)
    for e in a.employees[:40]:
        e.generosity = 0.0
        e.has_tools = False
    b.state.generosity[:40] = 0.0
    b.state.has_tools[:40] = False
    a.run(15)
    b.run(15)
    assert np.array_equal(a.state.knowledge, b.state.knowledge)
    c = SocialLearningModel(n_agents=80, rng=3)
    c.run(15)
    assert not np.array_equal(a.state.knowledge, c.state.knowledge)


def test_departed_employee_is_replaced():
    model = SocialLearningModel(n_agents=50, rng=0, turnover__rate=0.1)
    original = list(model.employees)
    ids = {e.unique_id for e in original}
    for _ in range(30):
        model.step()
        if any(now is not then for now, then in zip(model.employees, original)):
            break
    replaced = [row for row, e in enumerate(original) if model.employees[row] is not e]
    assert replaced, "someone left at a 10% daily rate"

    for row in replaced:
        gone, newcomer = original[row], model.employees[row]
        assert gone.row is None
        for attribute in ("generosity", "knowledge", "team", "style", "mean_knowledge"):
            with pytest.raises(RuntimeError, match="left"):
                getattr(gone, attribute)
        with pytest.raises(RuntimeError):
            gone.generosity = 0.5
        assert gone not in model.agents
        assert type(newcomer) is type(gone) and newcomer.row == row
        assert newcomer in model.agents
        assert newcomer.unique_id not in ids
        assert newcomer.team == model.network.team[row]

    assert len(model.agents) == 50
    assert set(model.agents) == set(model.employees)
    assert {e.unique_id for e in model.agents} != ids


def test_repr_names_the_row(model):
    assert "row=3" in repr(model.employees[3])
