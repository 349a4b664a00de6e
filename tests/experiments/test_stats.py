"""`experiments.stats.equivalence`: two one-sided tests (TOST) on paired differences.

Equivalence is declared only when the ``1 - 2 alpha`` interval of the mean lies inside the
margin, so both a real difference beyond the margin and a sample too noisy to bound the
difference must be rejected, while a precise sample of a small difference passes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from orglearn.experiments.stats import Equivalence, equivalence


def test_the_interval_is_the_t_interval_of_level_one_minus_two_alpha():
    x = np.array([0.1, -0.2, 0.05, 0.3, 0.0, -0.1])
    result = equivalence(x, margin=1.0, alpha=0.05)
    low, high = stats.t.interval(0.90, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert isinstance(result, Equivalence)
    assert result.mean == pytest.approx(x.mean())
    assert (result.low, result.high) == (pytest.approx(low), pytest.approx(high))
    assert result.margin == 1.0 and result.equivalent


def test_a_precise_sample_of_a_small_difference_is_equivalent():
    x = np.random.default_rng(1).normal(0.02, 0.1, size=200)
    result = equivalence(x, margin=0.1, alpha=0.05 / 25)
    assert result.equivalent, result
    assert -0.1 < result.low < result.high < 0.1


def test_a_difference_beyond_the_margin_is_not_equivalent():
    x = np.random.default_rng(2).normal(0.3, 0.05, size=100)
    result = equivalence(x, margin=0.2)
    assert not result.equivalent
    assert result.low > 0.2  # and the interval says so: the whole of it is beyond the margin


def test_a_noisy_sample_is_not_equivalent_even_with_no_significant_difference():
    """The hollow check this replaces ("the mean is within t * SE of 0") passes such a sample."""
    x = np.random.default_rng(3).normal(0.0, 1.0, size=10)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert abs(x.mean()) < stats.t.ppf(0.975, x.size - 1) * se  # no difference found ...
    result = equivalence(x, margin=0.2)
    assert not result.equivalent  # ... but none is shown to be small either
    assert result.low < -0.2 or result.high > 0.2


def test_an_interval_crossing_the_margin_is_not_equivalent():
    x = np.array([0.15, 0.25, 0.2, 0.1, 0.3])  # mean 0.2: inside 0.25, interval is not
    result = equivalence(x, margin=0.25)
    assert -0.25 < result.mean < 0.25
    assert result.high > 0.25 and not result.equivalent


def test_a_smaller_alpha_widens_the_interval():
    x = np.random.default_rng(4).normal(0.0, 1.0, size=30)
    wide, narrow = equivalence(x, 1.0, alpha=0.05 / 25), equivalence(x, 1.0, alpha=0.05)
    assert wide.low < narrow.low < narrow.high < wide.high


def test_the_chance_of_declaring_equivalence_at_the_margin_is_at_most_alpha():
    """When the true mean is on the margin, equivalence is declared in at most alpha of samples."""
    rng = np.random.default_rng(5)
    samples = rng.normal(0.5, 1.0, size=(4000, 12))
    rate = np.mean([equivalence(x, margin=0.5, alpha=0.05).equivalent for x in samples])
    assert rate <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / len(samples)), rate


def test_no_spread_gives_the_mean_as_interval():
    assert equivalence(np.zeros(8), margin=1.0) == Equivalence(0.0, 0.0, 0.0, 1.0, True)
    assert not equivalence(np.full(8, 0.5), margin=0.5).equivalent  # the margin is excluded


def test_too_few_values_are_not_equivalent_and_nan_is_dropped():
    single = equivalence([0.0], margin=1.0)
    assert np.isnan(single.low) and np.isnan(single.high) and not single.equivalent
    empty = equivalence([np.nan], margin=1.0)
    assert np.isnan(empty.mean) and not empty.equivalent
    with_nan = equivalence([0.1, np.nan, -0.1, 0.0], margin=1.0)
    assert with_nan == equivalence([0.1, -0.1, 0.0], margin=1.0)


@pytest.mark.parametrize(("margin", "alpha"), [(0.0, 0.05), (-1.0, 0.05), (np.nan, 0.05)])
def test_a_margin_must_be_positive(margin, alpha):
    with pytest.raises(ValueError, match="'margin'"):
        equivalence([0.0, 1.0], margin=margin, alpha=alpha)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, -0.1, np.nan])
def test_alpha_must_be_below_one_half(alpha):
    with pytest.raises(ValueError, match="'alpha'"):
        equivalence([0.0, 1.0], margin=1.0, alpha=alpha)


@given(
    st.lists(st.floats(-100, 100), min_size=2, max_size=30),
    st.floats(0.01, 100),
    st.floats(0.001, 0.25),
)
def test_the_verdict_is_the_interval_inside_the_margin(values, margin, alpha):
    result = equivalence(values, margin, alpha)
    assert result.low <= result.mean <= result.high or np.isclose(result.low, result.high)
    assert result.equivalent == (-margin < result.low and result.high < margin)
