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

from orglearn.simulation.metrics import distinct, knowledge_summary, silo_index, sort, sort_floats
from orglearn.simulation.processes.kernels import (
    NO_WEIGHT,
    asking_choices,
    column_means,
    pick_columns,
    pick_edges,
    read_posts,
)
from orglearn.simulation.processes.rules import pull_toward


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


def _ask(knowledge, indptr, indices, strength, askers, u_topic, u_helper, **given):
    """`asking_choices` with everyone in one team (expertise visible) unless given otherwise.

    ``findable`` (per person) stands for a post at step 1 against a window that starts after
    step 0; ``up_only`` is per person here and taken for each asker's row."""
    n = knowledge.shape[0]
    options = dict(
        team=np.zeros(n, np.int64), searches=np.zeros(n, bool), findable=np.zeros(n, bool),
        hidden=0.3, up_only=np.zeros(n, bool), manager=np.full(n, -1, np.int64),
        demand=np.ones(knowledge.shape[1]),
    )
    options.update(given)
    return asking_choices(
        indptr, indices, knowledge, options["demand"], strength, askers, u_topic, u_helper,
        0.05, options["team"], options["searches"], options["findable"].astype(np.int64), 0,
        options["hidden"], options["up_only"][askers], options["manager"],
    )


def test_asking_chooses_topics_by_demand_gap_and_neighbours_and_helpers_by_their_lead():
    # Asker 0 has neighbours 1 and 2. Topic weights: demand * (1 - own)^2 * (0.5 + neighbours'
    # mean); helper weights: strength * (0.05 + how much more the neighbour knows).
    knowledge = np.array([[0.0, 0.5, 1.0], [0.2, 0.4, 0.9], [0.6, 0.0, 0.1]])
    demand = np.array([1.0, 2.0, 1.0])
    indptr, indices = np.array([0, 2, 2, 2]), np.array([1, 2])
    strength = np.array([1.0, 0.5])
    # Every topic draw meets every helper draw: both spread evenly and independently.
    u_topic, u_helper = np.repeat(stratified(200), 200), np.tile(stratified(200), 200)
    topic, edge = _ask(knowledge, indptr, indices, strength, np.zeros(u_topic.size, np.int64),
                       u_topic, u_helper, demand=demand)
    topic_weight = demand * (1 - knowledge[0]) ** 2 * (0.5 + knowledge[[1, 2]].mean(axis=0))
    assert topic_weight[2] == 0 and np.all(topic < 2)
    assert np.bincount(topic) / topic.size == pytest.approx(
        topic_weight[:2] / topic_weight.sum(), abs=0.005
    )
    for t in (0, 1):
        mine = topic == t
        lead = np.maximum(knowledge[[1, 2], t] - knowledge[0, t], 0)
        helper_weight = strength * (0.05 + lead)
        counts = np.bincount(edge[mine], minlength=2) / mine.sum()
        assert counts == pytest.approx(helper_weight / helper_weight.sum(), abs=0.006)


def test_hidden_expertise_is_seen_in_part_and_posting_makes_it_findable():
    # Asker 0 in team 0; neighbour 1 (team 1) knows topic 0 fully, neighbour 2 (team 1) not.
    knowledge = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    indptr, indices = np.array([0, 2, 2, 2]), np.array([1, 2])
    u = stratified(4000)
    team = np.array([0, 1, 1])

    def share_to_expert(**given):
        _, edge = _ask(knowledge, indptr, indices, np.ones(2), np.zeros(u.size, np.int64),
                       np.zeros(u.size), u, team=team, **given)
        return np.mean(edge == 0)

    hidden = share_to_expert()  # weights 0.05 + 0.3 * 1 against 0.05
    assert hidden == pytest.approx(0.35 / 0.40, abs=0.002)
    seen = share_to_expert(searches=np.array([True, False, False]),
                           findable=np.array([False, True, False]))  # 1.05 against 0.05
    assert seen == pytest.approx(1.05 / 1.10, abs=0.002)
    assert share_to_expert(findable=np.array([False, True, False])) == hidden  # needs tools
    # Someone who asks only up asks only their manager.
    _, edge = _ask(knowledge, indptr, indices, np.ones(2), np.zeros(u.size, np.int64),
                   np.zeros(u.size), u, up_only=np.array([True, False, False]),
                   manager=np.array([2, -1, -1]))
    assert np.all(edge == 1)


def test_an_asker_without_ties_or_gaps_asks_nothing():
    knowledge = np.array([[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]])
    indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 0])
    topic, edge = _ask(knowledge, indptr, indices, np.ones(2), np.array([0, 2]),
                       np.full(2, 0.5), np.full(2, 0.5))
    # Person 0 knows everything; person 2 has no one to ask.
    assert topic.tolist() == [-1, -1] and edge.tolist() == [-1, -1]


def test_reading_is_synchronous_keeps_the_best_outcome_and_skips_own_posts():
    knowledge = np.array([[0.2, 0.0], [0.9, 0.0]])
    topic, quality, poster = np.array([0, 0, 0]), np.array([0.5, 1.0, 1.0]), np.array([1, 1, 0])
    codifiable = np.array([1.0, 1.0])  # all explicit: the pieces rule on the whole level
    # Reader 0 reads posts 0 and 1 (both topic 0) and its own post 2.
    cells, gained = read_posts(
        knowledge, np.array([0, 0, 0]), np.array([0, 1, 2]), topic, quality, poster,
        0.5, np.ones(2), np.ones(2), codifiable,
    )
    # From 0.2: post 0 gives 0.2 + 0.5*0.5*0.8 = 0.4, post 1 gives 0.6; not 0.4 then more.
    assert knowledge[0, 0] == pytest.approx(0.6)
    assert gained == pytest.approx(0.4)
    assert cells.tolist() == [0, 0]  # two reads taught; the own post did not count
    assert knowledge[1].tolist() == [0.9, 0.0]


def test_posts_teach_only_the_explicit_share():
    knowledge = np.array([[0.3, 0.0], [1.0, 0.0]])
    codifiable = np.array([0.4, 1.0])
    reader, post = np.zeros(50, np.int64), np.zeros(50, np.int64)
    # Fifty reads of a perfect post, one at a time: the reader approaches 0.4 and stops there.
    for _ in range(50):
        read_posts(knowledge, reader[:1], post[:1], np.array([0]), np.array([1.0]),
                   np.array([1]), 0.5, np.ones(2), np.ones(2), codifiable)
    assert knowledge[0, 0] == pytest.approx(0.4, abs=1e-9)
    assert knowledge[0, 0] <= 0.4


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


@given(values=hnp.arrays(float, st.integers(0, 300), elements=st.floats(allow_nan=False)))
def test_sort_sorts_floats_like_numpy(values):
    np.testing.assert_array_equal(sort(values), np.sort(values))


@given(values=hnp.arrays(np.int64, st.integers(0, 300), elements=st.integers(-50, 50)))
def test_sort_and_distinct_of_integers_are_numpys(values):
    np.testing.assert_array_equal(sort(values), np.sort(values))
    np.testing.assert_array_equal(distinct(values), np.unique(values))


def test_sort_handles_long_sorted_reversed_and_repeated_runs():
    rng = np.random.default_rng(5)
    for values in (
        rng.random(100_000), np.arange(5000.0), np.arange(5000.0)[::-1].copy(),
        np.repeat(rng.random(40), 250), np.zeros(3000),
    ):
        np.testing.assert_array_equal(sort(values), np.sort(values))


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
from orglearn.simulation import SocialLearningModel
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
