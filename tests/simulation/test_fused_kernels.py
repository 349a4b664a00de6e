"""The kernels that stand in for numpy calls inside the processes give numpy's bits: its sum, its
standard deviation, ``Generator.choice`` with probabilities, and ``flatnonzero`` of a chance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from orglearn.simulation.processes.kernels import (
    NO_WEIGHT,
    bernoulli_rows,
    choose,
    pairwise_sum,
    pick_edges,
    pick_ties,
    std,
    true_rows,
)

# Around numpy's block of 128 and its unrolling by 8, and large enough to split many times.
SIZES = [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 8191, 8192, 8193,
         100_001]


@pytest.mark.parametrize("n", SIZES)
def test_pairwise_sum_and_std_are_numpys_to_the_bit(n):
    rng = np.random.default_rng(n)
    for values in (rng.random(n), rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)):
        assert pairwise_sum(values) == values.sum()
        if n:
            assert std(values) == values.std()


@given(values=hnp.arrays(float, st.integers(0, 300),
                         elements=st.floats(-1e6, 1e6, allow_nan=False)))
def test_pairwise_sum_matches_numpy_on_any_values(values):
    assert pairwise_sum(values) == values.sum()


@settings(max_examples=50)
@given(
    weights=hnp.arrays(float, st.integers(1, 25),
                       elements=st.sampled_from([0.0, 0.05, 0.2, 0.5, 0.77, 1.0, 3.0])),
    size=st.integers(1, 500),
    seed=st.integers(0, 2**32 - 1),
)
def test_choose_makes_generator_choice_picks_from_the_same_draws(weights, size, seed):
    if not weights.sum() > 0:
        weights[0] = 1.0
    expected = np.random.default_rng(seed)
    ours = np.random.default_rng(seed)
    picks = choose(weights, ours.random(size))
    np.testing.assert_array_equal(
        picks, expected.choice(weights.size, size=size, p=weights / weights.sum())
    )
    assert ours.random() == expected.random()  # and the generators are left in the same state


def test_bernoulli_rows_and_pick_ties_agree_with_their_numpy_forms():
    rng = np.random.default_rng(3)
    u, chance = rng.random(1000), rng.random(1000)
    np.testing.assert_array_equal(bernoulli_rows(u, chance, 0.3),
                                  np.flatnonzero(u < chance * 0.3))
    for mask in (u < 0.5, np.zeros(5, bool), np.ones(5, bool)):
        np.testing.assert_array_equal(true_rows(mask), np.flatnonzero(mask))
    indptr = np.array([0, 2, 2, 5])  # row 1 has no tie; row 2's ties have weight 0
    indices, weight = np.array([1, 2, 0, 1, 0]), np.array([1.0, 2.0, 0.0, 0.0, 0.0])
    rows, v = np.array([0, 1, 2, 0]), rng.random(4)
    edge = pick_edges(indptr, indices, rows, v, weight, NO_WEIGHT)
    kept, kept_edge = pick_ties(indptr, indices, rows, v, weight, NO_WEIGHT)
    np.testing.assert_array_equal(kept, rows[edge >= 0])
    np.testing.assert_array_equal(kept_edge, edge[edge >= 0])
