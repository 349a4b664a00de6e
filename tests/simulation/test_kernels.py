"""The compiled kernels: weighted picks follow their weights exactly, reading is synchronous,
the fused metric passes agree with numpy, and results do not depend on thread counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from simulation.metrics import knowledge_summary, silo_index, sort_floats
from simulation.processes.kernels import (
    NO_WEIGHT,
    asking_choices,
    column_means,
    pick_columns,
    pick_edges,
    read_posts,
)
from simulation.processes.rules import pull_toward


def stratified(m: int) -> np.ndarray:
    """``m`` evenly spread uniforms: each pick then lands exactly in proportion to its weight."""
    return (np.arange(m) + 0.5) / m


def assert_proportional(picks: np.ndarray, weights: np.ndarray) -> None:
    counts = np.bincount(picks, minlength=weights.size)
    expected = weights / weights.sum() * picks.size
    assert np.all(np.abs(counts - expected) <= 1.0), (counts, expected)


weights = hnp.arrays(
    float, st.integers(1, 12), elements=st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0, 2.5, 7.0])
)


@given(w=weights)
def test_pick_edges_follows_edge_weights(w):
    indptr = np.array([0, w.size])
    rows = np.zeros(1000, dtype=np.int64)
    chosen = pick_edges(indptr, np.arange(w.size), rows, stratified(1000), w, NO_WEIGHT)
    if w.sum() == 0:
        assert np.all(chosen == -1)
    else:
        assert_proportional(chosen, w)


@given(w=weights)
def test_pick_edges_follows_node_weights_of_the_far_end(w):
    indptr = np.array([0, w.size])
    indices = np.arange(w.size)[::-1].copy()  # edge e points at node size - 1 - e
    chosen = pick_edges(indptr, indices, np.zeros(1000, np.int64), stratified(1000), NO_WEIGHT, w)
    if w.sum() == 0:
        assert np.all(chosen == -1)
    else:
        assert_proportional(w.size - 1 - chosen, w)


def test_a_zero_weight_edge_is_never_picked_even_at_the_edge_of_rounding():
    indptr = np.array([0, 3, 3])  # row 1 has no edges at all
    w = np.array([0.1, 0.2, 0.0])
    u = np.array([0.0, np.nextafter(1.0, 0.0), 0.5])
    chosen = pick_edges(indptr, np.arange(3), np.array([0, 0, 1]), u, w, NO_WEIGHT)
    assert chosen.tolist() == [0, 1, -1]


@given(w=weights)
def test_pick_columns_follows_matrix_times_scale(w):
    matrix = np.tile(w, (2, 1))
    scale = np.linspace(1.0, 2.0, w.size)
    chosen = pick_columns(matrix, np.zeros(1000, np.int64), scale, stratified(1000))
    if (w * scale).sum() == 0:
        assert np.all(chosen == -1)
    else:
        assert_proportional(chosen, w * scale)


def test_asking_chooses_topics_by_demand_gap_and_neighbours_and_helpers_by_expertise():
    # Asker 0 has neighbours 1 and 2. Topic weights: demand * (1 - own) * neighbours' sum.
    knowledge = np.array([[0.0, 0.5, 1.0], [0.2, 0.4, 0.9], [0.6, 0.0, 0.1]])
    demand = np.array([1.0, 2.0, 1.0])
    indptr, indices = np.array([0, 2, 2, 2]), np.array([1, 2])
    strength = np.array([1.0, 0.5])
    # Every topic draw meets every helper draw: both spread evenly and independently.
    u_topic, u_helper = np.repeat(stratified(200), 200), np.tile(stratified(200), 200)
    topic, edge = asking_choices(
        indptr, indices, knowledge, demand, strength, np.zeros(u_topic.size, np.int64),
        u_topic, u_helper, 0.05,
    )
    topic_weight = demand * (1 - knowledge[0]) * knowledge[[1, 2]].sum(axis=0)
    assert topic_weight[2] == 0 and np.all(topic < 2)
    assert np.bincount(topic) / topic.size == pytest.approx(
        topic_weight[:2] / topic_weight.sum(), abs=0.005
    )
    for t in (0, 1):
        mine = topic == t
        helper_weight = strength * (0.05 + knowledge[[1, 2], t])
        counts = np.bincount(edge[mine], minlength=2) / mine.sum()
        assert counts == pytest.approx(helper_weight / helper_weight.sum(), abs=0.006)


def test_an_asker_without_ties_or_gaps_asks_nothing():
    knowledge = np.array([[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]])
    indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 0])
    topic, edge = asking_choices(
        indptr, indices, knowledge, np.ones(2), np.ones(2), np.array([0, 2]),
        np.full(2, 0.5), np.full(2, 0.5), 0.05,
    )
    # Person 0 knows everything; person 2 has no neighbours to hear about topics from.
    assert topic.tolist() == [-1, -1] and edge.tolist() == [-1, -1]


def test_reading_is_synchronous_keeps_the_best_outcome_and_skips_own_posts():
    knowledge = np.array([[0.2, 0.0], [0.9, 0.0]])
    topic, quality, poster = np.array([0, 0, 0]), np.array([0.5, 1.0, 1.0]), np.array([1, 1, 0])
    # Reader 0 reads posts 0 and 1 (both topic 0) and its own post 2.
    cells = read_posts(
        knowledge, np.array([0, 0, 0]), np.array([0, 1, 2]), topic, quality, poster,
        0.5, np.ones(2), np.ones(2),
    )
    # From 0.2: post 0 gives 0.2 + 0.5*0.5*0.8 = 0.4, post 1 gives 0.6; not 0.4 then more.
    assert knowledge[0, 0] == pytest.approx(0.6)
    assert cells.tolist() == [0, 0]  # two reads taught; the own post did not count
    assert knowledge[1].tolist() == [0.9, 0.0]


@given(
    matrix=hnp.arrays(float, hnp.array_shapes(min_dims=2, max_dims=2, max_side=30),
                      elements=st.floats(0, 1))
)
def test_column_means_and_knowledge_summary_agree_with_numpy(matrix):
    n, topics = matrix.shape
    np.testing.assert_allclose(column_means(matrix), matrix.mean(axis=0), atol=1e-12)
    department = np.arange(n) % 3
    per_person, sums, squares, covered, adopted = knowledge_summary(matrix, department, 3, 0.5)
    np.testing.assert_allclose(per_person, matrix.mean(axis=1), atol=1e-12)
    for d in range(3):
        np.testing.assert_allclose(sums[d], matrix[department == d].sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(squares, (matrix**2).sum(axis=0), atol=1e-12)
    assert covered == np.count_nonzero(matrix >= 0.5)
    assert adopted == np.count_nonzero(matrix[:, 0] >= 0.5)


def test_silo_index_ignores_a_department_without_members():
    knowledge = np.array([[1.0], [1.0], [0.0], [0.0]])
    assert silo_index(knowledge, np.array([0, 0, 2, 2])) == pytest.approx(1.0)


@given(values=hnp.arrays(float, st.integers(0, 300), elements=st.floats(allow_nan=False)))
def test_sort_floats_sorts_like_numpy(values):
    np.testing.assert_array_equal(sort_floats(values), np.sort(values))


@given(
    who=hnp.arrays(np.int64, st.integers(0, 60), elements=st.integers(0, 9)),
    rate=st.floats(0, 1),
    data=st.data(),
)
def test_pull_toward_compounds_each_entrys_events_toward_their_mean_target(who, rate, data):
    targets = data.draw(hnp.arrays(float, who.size, elements=st.floats(0, 1)))
    values = np.linspace(0.0, 1.0, 10)
    expected = values.copy()
    for h in set(who.tolist()):
        n, mean = np.count_nonzero(who == h), targets[who == h].mean()
        expected[h] += (1 - (1 - rate) ** n) * (mean - expected[h])
    for _ in range(2):  # a second call must not see the first one's counters
        got = values.copy()
        pull_toward(got, who, targets, rate)
        np.testing.assert_allclose(got, expected, atol=1e-12)
    got = values.copy()
    pull_toward(got, who, 0.25, rate)  # one target for all events
    moved = np.isin(np.arange(10), who)
    assert np.all((got[moved] - 0.25) * (values[moved] - 0.25) >= 0)
    np.testing.assert_array_equal(got[~moved], values[~moved])


RUN = """
import json, hashlib, numpy as np
from simulation import SocialLearningModel
m = SocialLearningModel(n_agents=3000, rng=7)
m.run(25)
s = m.state
digest = hashlib.sha256(s.knowledge.tobytes() + s.strength.tobytes() + s.reputation.tobytes())
print(json.dumps({"state": digest.hexdigest(), "metrics": m.metrics}))
"""


def test_results_do_not_depend_on_thread_counts():
    runs = []
    for threads in ("1", "2"):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads,
                   NUMBA_NUM_THREADS=threads)
        out = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True,
                             text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert runs[0] == runs[1]
