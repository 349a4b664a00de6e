"""Metrics: Gini, silo index, first crossing, and the per-step measures the model records."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from orglearn.simulation import SocialLearningModel
from orglearn.simulation.metrics import (
    METRICS,
    SCALAR_METRICS,
    SUMMARY_METRICS,
    first_crossing,
    gini,
    metric_label,
    silo_index,
    summary_fields,
)

values = hnp.arrays(
    float, st.integers(1, 60), elements=st.floats(0.0, 1.0, allow_subnormal=False)
)


@pytest.mark.parametrize("n", [1, 2, 5, 100])
def test_gini_known_values(n):
    assert gini(np.full(n, 0.7)) == pytest.approx(0.0, abs=1e-12)
    one_has_all = np.zeros(n)
    one_has_all[-1] = 3.0
    assert gini(one_has_all) == pytest.approx((n - 1) / n)


def test_gini_of_nothing_is_zero():
    assert gini(np.array([])) == 0.0
    assert gini(np.zeros(4)) == 0.0


def test_gini_textbook_example():
    # Incomes 1, 2, 3, 4: mean absolute difference / (2 * mean) = 0.25.
    assert gini(np.array([4.0, 1.0, 3.0, 2.0])) == pytest.approx(0.25)


@given(v=values, scale=st.floats(0.01, 100.0), seed=st.integers(0, 1000))
def test_gini_is_in_unit_interval_and_scale_and_order_free(v, scale, seed):
    g = gini(v)
    assert -1e-12 <= g < 1.0 + 1e-12  # up to rounding: equal values give about -2e-16
    assert gini(v * scale) == pytest.approx(g, abs=1e-9)
    assert gini(np.random.default_rng(seed).permutation(v)) == pytest.approx(g, abs=1e-12)


def test_silo_index_identical_departments_is_zero():
    department = np.repeat([0, 1, 2], 4)
    block = np.random.default_rng(0).random((4, 5))
    knowledge = np.vstack([block, block, block])
    assert silo_index(knowledge, department) == pytest.approx(
        0.0, abs=1e-12
    )


def test_silo_index_fully_separated_departments_is_one():
    department = np.repeat([0, 1, 2], 4)
    levels = np.array([[0.1, 0.9, 0.5], [0.8, 0.2, 0.5], [0.4, 0.4, 0.0]])  # department x topic
    knowledge = levels[department]
    assert silo_index(knowledge, department) == pytest.approx(
        1.0
    )


def test_silo_index_without_any_variance_is_zero():
    department = np.repeat([0, 1], 3)
    knowledge = np.full((6, 4), 0.3)
    assert silo_index(knowledge, department) == 0.0


@given(
    data=st.data(),
    n=st.integers(2, 40),
    topics=st.integers(1, 6),
    departments=st.integers(1, 5),
)
def test_silo_index_is_a_share_of_variance(data, n, topics, departments):
    departments = min(departments, n)
    department = np.concatenate(
        [np.arange(departments), data.draw(hnp.arrays(np.int64, n - departments,
                                                      elements=st.integers(0, departments - 1)))]
    )
    knowledge = data.draw(hnp.arrays(float, (n, topics), elements=st.floats(0.0, 1.0)))
    s = silo_index(knowledge, department)
    assert -1e-9 <= s <= 1.0 + 1e-9


def test_first_crossing():
    steps = np.arange(6)
    series = np.array([0.0, 0.2, 0.49, 0.5, 0.95, 0.4])
    assert first_crossing(series, steps, 0.5) == 3, "reaching the level counts"
    assert first_crossing(series, steps, 0.9) == 4
    assert first_crossing(series, steps, 0.0) == 0
    assert first_crossing(series, steps, 0.99) is None
    assert first_crossing(series, steps + 10, 0.5) == 13, "reports the step, not the position"
    assert isinstance(first_crossing(series, steps, 0.5), int)


@pytest.fixture(scope="module")
def ran_model():
    model = SocialLearningModel(n_agents=150, rng=4)
    model.run(40)
    return model


def test_recorded_metrics_match_the_state(ran_model):
    m, s, net = ran_model.metrics, ran_model.state, ran_model.network
    threshold = ran_model.params.knowledge.threshold
    assert set(SCALAR_METRICS) <= set(m)
    assert m["mean_knowledge"] == pytest.approx(s.knowledge.mean())
    assert m["coverage"] == pytest.approx((s.knowledge >= threshold).mean())
    assert m["idea_adoption"] == pytest.approx((s.knowledge[:, 0] >= threshold).mean())
    assert m["gini"] == pytest.approx(gini(s.knowledge.mean(axis=1)))
    assert m["mean_tie_strength"] == pytest.approx(s.strength.mean())
    for d in range(ran_model.params.organisation.departments):
        rows = net.department == d
        assert m[f"knowledge_dept_{d}"] == pytest.approx(s.knowledge[rows].mean())
    window = ran_model.params.metrics.participation_window
    posted = s.last_post > ran_model.steps - window
    assert m["participation"] == pytest.approx(posted[s.has_tools].mean())
    hoarders = s.hoarder
    assert m["reputation_hoarders"] == pytest.approx(s.reputation[hoarders].mean())
    assert m["reputation_others"] == pytest.approx(s.reputation[~hoarders].mean())


def test_shares_are_shares(ran_model):
    frame = ran_model.datacollector.get_model_vars_dataframe()
    for name in ("mean_knowledge", "coverage", "idea_adoption", "gini", "silo_index",
                 "participation", "reciprocity", "mean_tie_strength", "alignment"):
        assert frame[name].between(0.0, 1.0).all(), name
    for name in ("asks", "helps", "refusals", "posts", "field", "direct", "esn",
                 "collaboration", "training"):
        assert (frame[name] >= 0).all(), name
    assert (frame["helps"] <= frame["asks"]).all()
    assert (frame["direct"] <= frame["helps"]).all()
    assert (frame["helps"] + frame["refusals"] <= frame["asks"]).all()


def test_every_metric_is_described_once_in_plain_words(ran_model):
    """METRICS is the one source of labels, units and descriptions (data dictionaries,
    figures): it covers exactly the metrics the model records."""
    recorded = {k for k in ran_model.metrics if not k.startswith("knowledge_dept_")}
    assert set(METRICS) == set(SCALAR_METRICS) == recorded
    for name, metric in METRICS.items():
        assert metric.label and metric.unit and metric.description, name
        assert "_" not in metric.label, f"{name}: labels are words, not identifiers"
        assert metric.description.endswith("."), name
    assert metric_label("idea_adoption") == "share of staff who know the new idea"
    assert metric_label("final_gini") == "final inequality of knowledge (Gini)"


def test_summary_fields_describe_every_summary_key(ran_model):
    fields = summary_fields()
    assert list(fields) == list(ran_model.summary()) == ["scenario", "n_agents", "steps",
                                                           *SUMMARY_METRICS]
    for key, field in fields.items():
        assert field.label and field.unit and field.description, key
        assert "_" not in field.label, key
    assert "censored" in fields["t90"].description
    assert fields["total_asks"].unit == "people over the run"
