"""What-if comparison: common seeds, bands, the sentence, and running in the background."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest

from orglearn.ui import comparison
from orglearn.ui.comparison import ComparisonJob, ComparisonSpec, describe
from orglearn.ui.export import comparison_csv
from orglearn.scenarios import load

STEPS = 40


def small(name: str):
    return load(name).model_copy(update={"steps": STEPS})


@pytest.fixture(scope="module")
def threads():
    with cf.ThreadPoolExecutor(2) as pool:
        yield pool


def run(spec, pool):
    job = ComparisonJob(spec, pool).start()
    assert job.wait(120)
    return job


def test_same_scenario_gives_identical_pairs(threads):
    spec = ComparisonSpec(small("baseline"), small("baseline"), ("A", "B"), replications=3,
                          n_agents=60, seed=5)
    job = run(spec, threads)
    assert job.error is None and job.done == job.total == 6
    result = job.result
    a = result.curves[result.curves["group"] == "A"].drop(columns="group").reset_index(drop=True)
    b = result.curves[result.curves["group"] == "B"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    # Different replicates differ (each has its own seed).
    idea = result.curves[(result.curves["metric"] == "mean_knowledge") & (result.curves["group"] == "A")]
    finals = idea[idea["step"] == STEPS]["value"].to_numpy()
    assert len(set(finals.round(12))) == 3
    assert "too small a difference to be sure of" in result.sentence()


def test_result_tables_and_bands(threads):
    spec = ComparisonSpec(small("baseline"), small("no_tools"), ("What-if", "Baseline"),
                          replications=3, n_agents=60, seed=1)
    result = run(spec, threads).result
    assert len(result.runs) == 6
    assert set(result.runs.columns) >= {"group", "replicate", "t50", "t90", "mean_knowledge"}
    assert len(result.curves) == 6 * len(comparison.CURVES) * (STEPS + 1)
    bands = result.bands()
    for metric in comparison.CURVES:
        table = bands[metric]
        assert len(table) == 2 * (STEPS + 1)
        assert (table["low"] <= table["mean"] + 1e-12).all()
        assert (table["mean"] <= table["high"] + 1e-12).all()
    outcomes = result.outcomes()
    assert list(outcomes.columns) == ["Outcome", "What-if", "Baseline"]
    assert comparison_csv(result, "runs").startswith("group,replicate")
    assert comparison_csv(result, "curves").startswith("group,replicate,step,metric,value")
    assert result.sentence().startswith("With your changes, the new idea reached 90% of staff")


def test_replicates_use_children_of_one_seed_sequence(threads):
    spec = ComparisonSpec(small("baseline"), small("baseline"), replications=2, n_agents=60, seed=9)
    result = run(spec, threads).result
    expected = [str(c.spawn_key[0]) for c in np.random.SeedSequence(9).spawn(2)]
    assert result.runs["seed_spawn_key"].tolist()[:2] == expected


def test_a_failed_run_becomes_a_message(threads, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(comparison, "replicate", broken)
    spec = ComparisonSpec(small("baseline"), small("baseline"), replications=2, n_agents=60)
    job = run(spec, threads)
    assert job.result is None and job.error == "The comparison failed: RuntimeError: boom"


def test_a_comparison_can_be_stopped(threads):
    spec = ComparisonSpec(small("baseline"), small("baseline"), replications=20, n_agents=60)
    job = ComparisonJob(spec, threads)
    job.cancel()
    job.start()
    assert job.wait(120)
    assert job.result is None and job.error == "The comparison was stopped."


def test_the_shared_process_pool_runs_replicates():
    spec = ComparisonSpec(small("baseline"), small("hoarders"), replications=2, n_agents=60)
    job = ComparisonJob(spec).start()
    assert job.wait(180) and job.error is None and len(job.result.runs) == 4


def _runs(t90_a, t90_b, k_a, k_b) -> pd.DataFrame:
    rows = []
    for group, t90s, ks in (("W", t90_a, k_a), ("B", t90_b, k_b)):
        for r, (t90, k) in enumerate(zip(t90s, ks)):
            rows.append({"group": group, "replicate": r, "t90": t90, "mean_knowledge": k})
    return pd.DataFrame(rows)


def test_sentence_when_both_reach_90_percent():
    text = describe(_runs([48, 50, 46], [31, 30, 32], [.6, .61, .62], [.55, .56, .55]),
                    ("W", "B"), 365)
    assert text.startswith(
        "With your changes, the new idea reached 90% of staff in 48 working days, against 31 in "
        "the baseline (17 days later; mean of 3 runs each)."
    )
    assert "people know 61% of what there is to know, against 55% in the baseline" in text
    assert "a clear difference" in text


def test_sentence_when_some_runs_do_not_reach_90_percent():
    nan = np.nan
    text = describe(_runs([nan, 50, 46], [nan] * 3, [.6, .61, .62], [.6, .62, .61]), ("W", "B"), 365)
    assert "reached 90% of staff in 2 of 3 runs, after 48 working days on average" in text
    assert "in the baseline, in none of the 3 runs within 365 working days" in text
    assert "too small a difference to be sure of" in text
