"""The shared learning rules: the pieces rule, and explicit and tacit pieces (`rules.learn`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation.processes.rules import absorb, learn

unit = st.floats(0.0, 1.0)


@given(k=unit, q=unit, rate=unit, tacit_rate=unit, c=unit)
def test_learning_stays_in_the_unit_interval_and_never_lowers_knowledge(k, q, rate, tacit_rate, c):
    new = learn(k, q, rate, tacit_rate, c)
    assert k - 1e-12 <= new <= 1.0 + 1e-12


@given(k=unit, q=unit, rate=unit, c=unit)
def test_without_tacit_learning_nobody_passes_the_codifiable_share(k, q, rate, c):
    new = learn(k, q, rate, 0.0, c)
    assert new <= max(k, c) + 1e-12


@given(k=unit, q=unit, rate=unit, tacit_rate=unit, c=st.floats(0.05, 0.95))
def test_tacit_pieces_come_only_from_a_source_who_has_them(k, q, rate, tacit_rate, c):
    source = min(q, c)  # knows explicit pieces only
    new = learn(k, source, rate, tacit_rate, c)
    assert new <= max(k, c) + 1e-12


def test_a_fully_explicit_topic_is_the_pieces_rule():
    k, q = np.array([0.2, 0.5, 0.0]), np.array([0.9, 0.3, 1.0])
    assert learn(k, q, 0.4, 0.0, 1.0) == pytest.approx(absorb(k, q, 0.4))


def test_explicit_and_tacit_parts_learn_at_their_own_rates():
    # c = 0.5: learner knows 0.2 explicit, nothing tacit; source knows all of both parts.
    new = learn(0.2, 1.0, 0.5, 0.1, 0.5)
    explicit = 0.2 + 0.5 * 0.5 * (0.5 - 0.2) / 0.5  # 0.35
    tacit = 0.1 * 0.5 * 0.5 / 0.5  # 0.05
    assert new == pytest.approx(explicit + tacit)
