"""The report's headline: paired differences against each scenario's reference, ranked, with
censoring reported as bounds, a forest plot, and one paragraph per scenario."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from orglearn.experiments import run_sweep
from orglearn.reports.headline import compare, rank, t90_words, verdict
from orglearn.reports.report import write_report
from tests.experiments._sweep_support import write_sweep

REFERENCES = {"a": "ref", "b": "ref", "ref": None}


def runs_table(values: dict[str, list[float]], t90: dict[str, list[float]] | None = None,
               steps: int = 60) -> pd.DataFrame:
    """A runs table as the store gives it: one row per scenario and replicate."""
    rows = []
    for scenario, knowledge in values.items():
        for replicate, value in enumerate(knowledge):
            reached = (t90 or {}).get(scenario, [np.nan] * len(knowledge))[replicate]
            rows.append({"scenario": scenario, "point_id": 0, "replicate": replicate,
                         "status": "ok", "steps_run": steps, "t90": reached,
                         "final_mean_knowledge": value})
    return pd.DataFrame(rows)


def test_the_ranking_orders_barriers_by_their_paired_difference():
    # Replicates differ a lot from each other (the seed); each barrier shifts every replicate
    # by a fixed amount. Only pairing sees "b" as clearly worse, and "a" as worse than "b".
    base = np.array([0.1, 0.5, 0.3, 0.7, 0.2])
    runs = runs_table({"ref": list(base), "a": list(base - 0.04 + [0, 1e-3, 0, 2e-3, 0]),
                       "b": list(base - 0.01 + [0, 1e-3, 0, 0, 2e-3])})
    ranked = rank(runs, REFERENCES.get, lambda name: "barrier")
    assert [c.scenario for c in ranked] == ["a", "b"]
    for c in ranked:
        assert c.n == 5 and c.reference == "ref"
        assert c.knowledge.high < 0, "paired: the spread between seeds cancels out"
        assert verdict(c.knowledge) == "a clear difference"


def test_a_scenario_identical_to_its_reference_differs_by_exactly_zero(tmp_path):
    """A copy of the baseline compared with it (same parameters, same seeds): 0, not clear."""
    (tmp_path / "copy.toml").write_text(
        'extends = "baseline"\nagainst = "baseline"\ntitle = "A copy of the baseline"\n',
        encoding="utf-8")
    sweep = write_sweep(tmp_path / "sweep.toml", """
title = "copy, hoarders and the baseline"
scenarios = ["baseline", "copy.toml", "hoarders"]
replications = 4
seed = 5
steps = 60
[fixed]
"organisation.n_agents" = 40
""")
    out = tmp_path / "out"
    assert run_sweep(sweep, out, workers=1, progress=False).complete
    page = write_report(out).read_text(encoding="utf-8")
    runs = pd.read_csv(out / "runs.csv")
    copy = next(s for s in runs["scenario"].unique() if s.endswith("copy.toml"))
    same = compare(runs, copy, "baseline", "barrier")
    assert same.knowledge.mean == 0 and same.knowledge.low == same.knowledge.high == 0
    assert verdict(same.knowledge) == "no clear difference"
    # The headline comes first, with its figure, ranked: hoarders cost more than a copy.
    headline = page.index("Headline: what hurts most")
    assert headline < page.index("<h2>Figures</h2>")
    paragraphs = re.findall(r"<h3>(.*?)</h3><p>(.*?)</p>", page, flags=re.S)
    titles = [t for t, _ in paragraphs]
    assert titles[:2] == ["Knowledge hoarders", "A copy of the baseline"]
    assert "Baseline organisation" in titles, "the reference has its own paragraph"
    text = dict(paragraphs)["A copy of the baseline"]
    assert "was the same in every pair of runs" in text and "no clear difference" in text
    assert "hoarders" not in titles and "baseline" not in titles, "plain titles, no ids"
    # 60 days: the idea never reached 90% of staff; no degenerate "61 [61, 61]".
    assert runs["t90"].isna().all()
    assert "not reached in 60 days (all 4 runs)" in page
    assert not re.search(r"(\d+) \[\1, \1\]", page)
    for ext in ("png", "svg", "pdf"):
        assert (out / "report" / f"headline.{ext}").stat().st_size > 0
    svg = (out / "report" / "headline.svg").read_text(encoding="utf-8")
    assert "n = 4 pairs of runs" in svg and "Barriers, against their reference" in svg


def test_censored_runs_make_the_t90_difference_a_bound():
    knowledge = [0.3, 0.4, 0.5, 0.6]
    runs = runs_table({"ref": knowledge, "a": knowledge, "b": knowledge},
                      t90={"ref": [20, 25, 30, 35], "a": [50, np.nan, 55, np.nan],
                           "b": [np.nan] * 4})
    slower = compare(runs, "a", "ref", "barrier")
    assert slower.t90.kind == "at least"
    # Censored runs count as reaching 90% on day 61: (30 + 36 + 25 + 26) / 4.
    assert slower.t90.mean == 117 / 4
    words = t90_words(slower)
    assert words.startswith("at least 29 days later") and "2 of 4 runs" in words
    never = compare(runs, "b", "ref", "barrier")  # never reached: still a lower bound
    assert never.t90.kind == "at least" and t90_words(never).startswith("at least 34 days later")
    # Censored runs on both sides: no bound holds, the share of runs reaching 90% is compared.
    both = compare(runs, "b", "a", "barrier")
    assert both.t90.kind == "share"
    assert "reached in 0 of 4 runs against 2 of 4" in t90_words(both)
    # The reference side censored: an upper bound.
    faster = compare(runs, "ref", "a", "barrier")
    assert faster.t90.kind == "at most" and t90_words(faster).startswith("at least 29 days sooner")
