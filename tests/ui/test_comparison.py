"""What-if comparison: common seeds, paired differences with CIs, censoring, verdicts, arms,
the settings on the session, the cache, and running in the background."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest

from orglearn.ui import comparison
from orglearn.ui.compare_pool import OUTCOME_COLUMNS
from orglearn.ui.compare_verdicts import (
    OUTCOMES,
    arm_value,
    difference,
    difference_words,
    sentence,
    tone,
    verdict,
)
from orglearn.ui.comparison import ComparisonJob, ComparisonResult, ComparisonSpec
from orglearn.ui.export import comparison_csv
from orglearn.ui.session import AS_LOADED, WHAT_IF, UiSession
from orglearn.scenarios import load

STEPS = 40
OUT = {o.column: o for o in OUTCOMES}
nan = np.nan


def small(name: str):
    return load(name).model_copy(update={"steps": STEPS})


@pytest.fixture(scope="module")
def threads():
    with cf.ThreadPoolExecutor(2) as pool:
        yield pool


@pytest.fixture(autouse=True)
def no_cache():
    comparison.clear_cache()
    yield
    comparison.clear_cache()


def run(spec, pool):
    job = ComparisonJob(spec, pool).start()
    assert job.wait(120)
    return job


# -- running -------------------------------------------------------------------------------


def test_same_scenario_gives_identical_pairs(threads):
    spec = ComparisonSpec((small("baseline"), small("baseline")), ("A", "B"), replications=3,
                          n_agents=60, seed=5)
    job = run(spec, threads)
    assert job.error is None and job.done == job.total == 6
    result = job.result
    np.testing.assert_array_equal(result.series[0], result.series[1])
    finals = result.outcome(0, "mean_knowledge")
    assert len(set(finals.round(12))) == 3  # each replicate has its own seed
    assert "no clear difference in what people know" in result.sentence()
    assert all(h.tone == "unclear" for h in result.headlines)


def test_result_tables_bands_and_csv(threads):
    spec = ComparisonSpec((small("baseline"), small("no_tools")), ("Reference", "What-if"),
                          replications=3, n_agents=60, seed=1)
    result = run(spec, threads).result
    assert result.values.shape == (2, 3, len(OUTCOME_COLUMNS))
    assert result.series.shape == (2, 3, len(comparison.CURVES), STEPS + 1)
    for metric, band in result.bands().items():
        mean, low, high = band[:, 0], band[:, 1], band[:, 2]
        assert band.shape == (2, 3, STEPS + 1)
        assert (low <= mean + 1e-12).all() and (mean <= high + 1e-12).all()
    table = result.outcomes()
    assert list(table.columns) == ["Outcome", "Reference (reference)", "What-if",
                                   "What-if: difference"]
    assert len(table) == len(OUTCOMES)
    runs = comparison_csv(result, "runs")
    assert runs.startswith("group,replicate,seed_spawn_key,t50,t90")
    assert len(result.runs) == 6
    assert comparison_csv(result, "curves").startswith("group,replicate,step,metric,value")
    assert len(result.curves) == 6 * len(comparison.CURVES) * (STEPS + 1)
    assert result.sentence().startswith("What-if against Reference (3 pairs of runs")


def test_same_seed_same_numbers(threads):
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=2,
                          n_agents=60, seed=3)
    first = run(spec, threads).result
    comparison.clear_cache()
    second = run(spec, threads).result
    assert first is not second
    np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(first.series, second.series)


def test_an_identical_comparison_is_shown_again_at_once(threads, monkeypatch):
    calls = []
    real = comparison.replicate
    monkeypatch.setattr(comparison, "replicate", lambda *a: calls.append(a) or real(*a))
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=2,
                          n_agents=60, seed=4)
    first = run(spec, threads)
    assert len(calls) == 4
    again = ComparisonJob(spec, threads).start()
    assert again.wait(1) and again.cached and again.result is first.result and len(calls) == 4
    # A third scenario: only its runs are new; the others' are the same numbers as before.
    three = run(ComparisonSpec((*spec.arms, small("lurkers")), ("A", "B", "C"), replications=2,
                               n_agents=60, seed=4), threads)
    assert len(calls) == 6 and not three.cached and three.done == three.total == 6
    np.testing.assert_array_equal(three.result.values[:2], first.result.values)
    # Another seed runs again; the caches stay bounded.
    for seed in range(5, 6 + comparison.CACHE_SIZE):
        run(ComparisonSpec(spec.arms, spec.labels, replications=2, n_agents=60, seed=seed),
            threads)
    assert len(comparison._cache) == comparison.CACHE_SIZE
    assert len(comparison._arms) <= comparison.ARM_CACHE_SIZE
    assert not ComparisonJob(spec, threads).start().cached  # the oldest was dropped


def test_replicates_use_children_of_one_seed_sequence(threads):
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=2,
                          n_agents=60, seed=9)
    result = run(spec, threads).result
    expected = [str(c.spawn_key[0]) for c in np.random.SeedSequence(9).spawn(2)]
    assert result.runs["seed_spawn_key"].tolist()[:2] == expected


def test_a_failed_run_becomes_a_message(threads, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(comparison, "replicate", broken)
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=2,
                          n_agents=60)
    job = run(spec, threads)
    assert job.result is None and job.error == "The comparison failed: RuntimeError: boom"


def test_a_stopped_comparison_is_no_error(threads):
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=20,
                          n_agents=60)
    job = ComparisonJob(spec, threads)
    job.cancel()
    job.start()
    assert job.wait(120)
    assert job.result is None and job.error is None and job.stopped


def test_the_shared_process_pool_runs_replicates():
    from orglearn.ui import compare_pool

    assert all(f.result(timeout=180) > 0 for f in compare_pool.warm())  # as the server starts
    spec = ComparisonSpec((small("baseline"), small("hoarders")), ("A", "B"), replications=2,
                          n_agents=60)
    job = ComparisonJob(spec).start()
    assert job.wait(180) and job.error is None and job.result.values.shape[:2] == (2, 2)


def test_a_spec_needs_two_to_four_labelled_arms():
    base = small("baseline")
    with pytest.raises(ValueError, match="2 to 4"):
        ComparisonSpec((base,), ("A",))
    with pytest.raises(ValueError, match="2 to 4"):
        ComparisonSpec((base,) * 5, tuple("ABCDE"))
    with pytest.raises(ValueError, match="own label"):
        ComparisonSpec((base, base), ("A", "A"))


# -- statistics and words ------------------------------------------------------------------


def fake_result(t90s, knowledge, labels=("Ref", "W"), steps=365) -> ComparisonResult:
    """A result from per-arm t90 and final knowledge values (other outcomes constant)."""
    arms, reps = len(t90s), len(t90s[0])
    values = np.zeros((arms, reps, len(OUTCOME_COLUMNS)))
    values[..., OUTCOME_COLUMNS.index("t50")] = 10
    values[..., OUTCOME_COLUMNS.index("t90")] = np.asarray(t90s, dtype=float)
    values[..., OUTCOME_COLUMNS.index("mean_knowledge")] = np.asarray(knowledge, dtype=float)
    base = small("baseline").model_copy(update={"steps": steps})
    spec = ComparisonSpec((base,) * arms, tuple(labels), replications=reps)
    series = np.zeros((arms, reps, len(comparison.CURVES), steps + 1))
    return ComparisonResult(spec, values, series, tuple(str(r) for r in range(reps)))


def test_overlapping_intervals_say_no_clear_difference():
    """The issue's case: 182 [151-214] against 167 [133-202] is not "15 days later"."""
    rng = np.random.default_rng(0)
    ref = 167 + rng.normal(0, 40, 10)
    what_if = ref + 15 + rng.normal(0, 60, 10)
    knowledge = np.full(10, .6)
    result = fake_result([ref, what_if], [knowledge, knowledge + rng.normal(0, .01, 10)])
    text = result.sentence()
    assert "no clear difference in when the new idea reached 90% of staff" in text
    assert "days later" not in text and "days sooner" not in text
    assert result.headlines[0].tone == "unclear"


def test_a_clear_difference_is_stated_with_its_interval():
    ref = np.array([30., 31, 32, 30, 29, 31, 33, 30, 31, 32])
    result = fake_result([ref, ref + 17 + np.arange(10) % 3],
                         [np.full(10, .55) + np.arange(10) / 1000, np.full(10, .61)])
    text = result.sentence()
    assert "the new idea reached 90% of staff 18 days later" in text
    assert "95% CI of the difference +17 to +19 days" in text
    assert "at the end people know 5.5 points more (61% against 55%" in text
    assert result.headlines[0].tone == "mixed"  # slower, but people know more
    d = difference(ref + 17, ref, 365, OUT["t90"])
    assert verdict(d, OUT["t90"]) == "worse"
    assert difference_words(d, OUT["t90"], 365).startswith("17 days later (95% CI +17 to +17")


def test_censored_runs_are_at_least_never_averaged_away():
    ref = np.array([100., 110, 105, 98, 102, 101, 99, 104, 103, 100])
    late = np.array([300., nan, 310, nan, nan, 320, 305, nan, 315, 300])
    assert arm_value(late, 365, OUT["t90"]).startswith(
        "at least 331 (4 of 10 runs did not reach it within 365 days)")
    assert arm_value(np.full(3, nan), 365, OUT["t90"]) == "not within 365 days (no run reached it)"
    result = fake_result([ref, late], [np.full(10, .6), np.full(10, .6)])
    text = result.sentence()
    assert "at least 229 days later (4 of 10 runs of W never reached it within 365 days)" in text
    d = difference(late, ref, 365, OUT["t90"])
    assert d.kind == "at least" and verdict(d, OUT["t90"]) == "worse"
    # The reference censored: the what-if is at least so much sooner.
    d = difference(ref, late, 365, OUT["t90"])
    assert d.kind == "at most" and verdict(d, OUT["t90"]) == "better"
    assert difference_words(d, OUT["t90"], 365).startswith("at least 229 days sooner")
    # Both censored: only the share of runs reaching it can be compared.
    d = difference(np.array([nan, 50, 60, nan]), np.array([nan, nan, 70, 80]), 365, OUT["t90"])
    assert d.kind == "share" and verdict(d, OUT["t90"]) == "unclear"
    assert difference_words(d, OUT["t90"], 365) == "no clear difference in how many runs reached it"
    d = difference(np.array([40., 50, 60, 70]), np.full(4, nan), 365, OUT["t90"])
    assert d.kind == "at most"
    d = difference(np.full(10, nan), np.array([nan] * 3 + [200.0] * 7), 365, OUT["t90"])
    assert d.kind == "share" and verdict(d, OUT["t90"]) == "worse"
    assert difference_words(d, OUT["t90"], 365) == (  # the interval clipped to what can be
        "reached it less often: in 70% fewer of the runs (95% CI 35% to 100%)")


def test_direction_decides_better_or_worse():
    up = difference(np.array([.3, .32, .31]), np.array([.2, .21, .2]), 365, OUT["silo_index"])
    assert verdict(up, OUT["silo_index"]) == "worse"  # departments further apart
    assert verdict(up, OUT["participation"]) == "better"
    flat = difference(np.array([.3, .2, .25]), np.array([.25, .25, .25]), 365, OUT["silo_index"])
    assert verdict(flat, OUT["silo_index"]) == "unclear"
    assert tone(["better", "unclear"]) == "better"
    assert tone(["worse", "worse"]) == "worse"
    assert tone(["better", "worse"]) == "mixed"
    assert tone(["unclear", "unclear"]) == "unclear"


def test_every_outcome_gets_a_paired_difference_in_the_table():
    result = fake_result([np.full(5, 50.), np.full(5, 60.)], [np.full(5, .5), np.full(5, .5)])
    differences = [row["W: difference"][0] for row in result.table]
    assert len(differences) == len(OUTCOMES)
    assert differences[1].startswith("10 days later")
    assert all(d.startswith("no clear difference") for i, d in enumerate(differences) if i != 1)


def test_four_arms_each_against_the_reference():
    ref = np.full(5, 50.) + np.arange(5)
    result = fake_result([ref, ref + 20, ref - 20, ref + np.array([-3, 3, -2, 2, 0])],
                         [np.full(5, .5)] * 4, labels=("Ref", "Slow", "Fast", "Same"))
    tones = {h.arm: h.tone for h in result.headlines}
    assert tones == {"Slow": "worse", "Fast": "better", "Same": "unclear"}
    columns = list(result.outcomes().columns)
    assert columns == ["Outcome", "Ref (reference)", "Slow", "Slow: difference", "Fast",
                       "Fast: difference", "Same", "Same: difference"]


def test_sentence_with_too_few_runs():
    text = sentence({"t90": np.array([50.]), "mean_knowledge": np.array([.5])},
                    {"t90": np.array([40.]), "mean_knowledge": np.array([.4])}, "W", "R", 365)
    assert "too few runs to tell" in text


# -- the session's settings ----------------------------------------------------------------


def test_choices_are_plain_titles_and_never_the_scenario_itself():
    session = UiSession("s", scenario="hoarders")
    choices = session.baseline_choices()
    assert choices[AS_LOADED] == "Knowledge hoarders" and WHAT_IF not in choices
    assert "hoarders" not in choices and choices["baseline"] == "Baseline organisation"
    assert session.comparison_settings() == {"arms": [AS_LOADED, "baseline"],
                                             "reference": "baseline", "runs": 10, "people": 300}
    session.set_control("hoarders", 0)
    choices = session.baseline_choices()
    assert choices[WHAT_IF] == "Your what-if"
    assert choices[AS_LOADED] == "Knowledge hoarders as loaded, without your changes"
    assert session.comparison_settings()["arms"] == [WHAT_IF, AS_LOADED]


def test_a_scenario_cannot_be_compared_with_itself():
    session = UiSession("s", scenario="baseline")
    assert session.comparison_settings()["arms"] == [AS_LOADED]
    assert session.comparison_problem().startswith("Choose at least two scenarios to compare")
    assert isinstance(session.start_comparison(), str)
    session.set_control("hoarders", 30)  # the baseline with hoarders' share: the same...
    session.set_comparison_settings(arms=[WHAT_IF, "hoarders"])
    assert session.comparison_problem() == (
        "“Your what-if” and “Knowledge hoarders” are the same scenario, so there is nothing "
        "to compare: pick another organisation, or change something in the sidebar.")
    assert isinstance(session.start_comparison(), str) and session.job is None
    session.set_control("hoarders", 40)  # ...now not
    assert session.comparison_problem() is None
    session.set_comparison_settings(arms=[WHAT_IF, AS_LOADED])
    assert session.comparison_problem() is None
    session.set_control("hoarders", session.base.population.hoarder_share * 100)
    assert WHAT_IF not in session.baseline_choices()  # moved back: nothing changed


def test_an_unchanged_what_if_that_equals_another_scenario_is_refused():
    session = UiSession("s", scenario="tools_rollout")
    session.set_comparison_settings(arms=[AS_LOADED, "tools_rollout"])
    assert session.comparison_settings()["arms"] == [AS_LOADED]  # not offered
    session.set_control("days", 365)
    # Two built-ins that simulate the same thing are refused with a plain reason.
    session.set_comparison_settings(arms=["baseline", "baseline"])
    assert session.comparison_settings()["arms"] == ["baseline"]


def test_settings_from_an_address_are_checked():
    session = UiSession("s", scenario="hoarders")
    session.compare_settings = {"arms": ["bogus", AS_LOADED, "lurkers", "silos", "no_tools",
                                         "baseline"], "reference": "nope", "runs": "abc",
                                "people": 10**9}
    assert session.comparison_settings() == {
        "arms": [AS_LOADED, "lurkers", "silos", "no_tools"], "reference": AS_LOADED,
        "runs": 10, "people": 300}
    session.compare_settings = "not a dict"
    assert session.comparison_settings()["arms"] == [AS_LOADED, "baseline"]
    session.compare_settings = {"runs": 25.0, "people": "475", "arms": [WHAT_IF]}
    settings = session.comparison_settings()
    assert settings["runs"] == 25 and settings["people"] == 450  # on the slider's grid
    assert settings["arms"] == [AS_LOADED, "baseline"]  # no what-if yet: the default
    stored = session.set_comparison_settings(runs=12, reference="baseline")
    assert session.compare_settings == stored and stored["runs"] == 12
    import json
    assert json.loads(json.dumps(session.compare_settings)) == stored


def test_start_comparison_runs_the_settings(monkeypatch):
    started = []
    monkeypatch.setattr(comparison.ComparisonJob, "start",
                        lambda self: started.append(self) or self)
    session = UiSession("s", scenario="hoarders")
    session.set_comparison_settings(arms=[AS_LOADED, "baseline", "lurkers"], reference="baseline",
                                    runs=12, people=200)
    job = session.start_comparison()
    spec = job.spec
    assert spec.labels == ("Baseline organisation", "Knowledge hoarders",
                           "Lurkers: nine in ten only read")
    assert spec.reference == 0 and spec.replications == 12 and spec.n_agents == 200
    assert all(s.organisation.n_agents == 200 for s in spec.scenarios())
