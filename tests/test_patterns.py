"""The patterns the model must reproduce (pattern-oriented modelling; `orglearn.validation.patterns`).

Every pattern runs its arms over the same 20 seeds (common random numbers: 300 employees, 365
days) and each claim is a paired contrast whose 95% confidence interval must lie above a stated
bound: 0 for "significantly positive", a stated margin for "not worse than". Then each pattern
with an ablation runs again with its mechanism switched off, and must then fail: a pattern that
held either way would say nothing about its mechanism. ``ORGLEARN_PATTERN_SEED_OFFSET`` reruns
everything on fresh seeds.
"""

from __future__ import annotations

import os

import pytest

from orglearn.validation.patterns import PATTERNS, evaluate, run_patterns

pytestmark = pytest.mark.slow

OFFSET = int(os.environ.get("ORGLEARN_PATTERN_SEED_OFFSET", "0"))
SEEDS = range(OFFSET, OFFSET + 20)
ABLATED = [p for p in PATTERNS if p.ablation]


def _ids(pattern) -> str:
    return pattern.key


@pytest.fixture(scope="module")
def results():
    return run_patterns(PATTERNS, SEEDS, workers=2)


@pytest.fixture(scope="module")
def ablated_results():
    return run_patterns(ABLATED, SEEDS, workers=2, ablate=True)


@pytest.mark.parametrize("pattern", PATTERNS, ids=_ids)
def test_pattern_holds(pattern, results):
    table = evaluate(pattern, results, SEEDS)
    failing = table[~table["holds"]]
    assert failing.empty, (
        f"pattern '{pattern.key}' ({pattern.title}): claims that do not hold over "
        f"{len(SEEDS)} paired seeds:\n"
        + failing[["claim", "estimate", "low", "high", "bound"]].to_string()
    )


@pytest.mark.parametrize("pattern", ABLATED, ids=_ids)
def test_pattern_fails_without_its_mechanism(pattern, ablated_results):
    table = evaluate(pattern, ablated_results, SEEDS, ablate=True)
    assert not table["holds"].all(), (
        f"pattern '{pattern.key}' still holds with its mechanism ({pattern.mechanism}) "
        f"switched off by {dict(pattern.ablation)}: the claims do not test that mechanism\n"
        + table[["claim", "estimate", "low", "high", "bound"]].to_string()
    )
