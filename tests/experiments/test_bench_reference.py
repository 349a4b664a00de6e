"""The benchmark's per-agent reference model follows the vectorised model's rules.

`experiments.bench.ReferenceModel` is checked against `SocialLearningModel`:

* Same start: a seed gives both models the same organisation and workforce.
* Switches: with every process switched off nothing changes; a process switched off leaves no
  trace in either model while everything else runs, and leaves one when switched on.
* Agreement: over seeds, the two models' outcomes agree statistically. Each seed starts both
  models from the same state (common random numbers), so the per-seed differences are paired;
  the mean difference of every outcome must lie within ``t * SE`` of 0, with ``t`` the
  Bonferroni-corrected two-sided t quantile for a family-wise error of 1% over the outcomes of
  a configuration (4.53 for 16 seeds and 25 outcomes). Set ``ORGLEARN_BENCH_SEED_OFFSET``
  to rerun on fresh seeds.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from scipy import stats

from experiments.bench import ReferenceModel
from simulation import SocialLearningModel
from simulation.parameters import Parameters
from tests.helpers import PROCESS_SECTIONS, all_off, model_frame

pytestmark = pytest.mark.slow

N_AGENTS = 150
STEPS = 120
OFFSET = int(os.environ.get("ORGLEARN_BENCH_SEED_OFFSET", "0"))
SEEDS = range(OFFSET, OFFSET + 16)
FAMILY_ERROR = 0.01
#: Configurations compared: the defaults, and one where every process and barrier is busy
#: (training on, client drift, high turnover, hoarders, champions, no reputation detection).
CONFIGS = {
    "defaults": {},
    "busy": {
        "training__enabled": True,
        "training__interval": 10,
        "turbulence": 0.003,
        "turnover__rate": 0.005,
        "hoarder_share": 0.2,
        "champion_share": 0.05,
        "reputation_detection": False,
        "esn__reads": 5,
    },
}
ADOPTION_AT = (30, 60, 90, STEPS)
TOTALS = (
    "asks",
    "helps",
    "direct",
    "refusals",
    "posts",
    "esn",
    "collaboration",
    "field",
    "imitations",
    "training",
)
FINAL = (
    "mean_knowledge",
    "coverage",
    "participation",
    "mean_tie_strength",
    "reciprocity",
    "lurking",
    "mean_generosity",
    "gini",
    "silo_index",
    "alignment",
    "reputation_others",
)
OUTCOMES = (
    *(f"idea_adoption at step {s}" for s in ADOPTION_AT),
    *(f"total {name}" for name in TOTALS),
    *(f"final {name}" for name in FINAL),
)


def outcomes(model) -> dict[str, float]:
    """Run ``model`` for STEPS steps; its adoption path, event totals and final metrics."""
    model.run(STEPS)
    frame = model_frame(model)
    out = {f"idea_adoption at step {s}": frame["idea_adoption"].iloc[s] for s in ADOPTION_AT}
    out.update({f"total {name}": frame[name].sum() for name in TOTALS})
    out.update({f"final {name}": frame[name].iloc[-1] for name in FINAL})
    return out


@pytest.fixture(scope="module", params=list(CONFIGS))
def paired_runs(request):
    """Per seed, both models' outcomes from the same start: (config, reference, vectorised)."""
    params = Parameters().with_overrides(n_agents=N_AGENTS, **CONFIGS[request.param])
    reference = [outcomes(ReferenceModel(params, rng=seed)) for seed in SEEDS]
    vectorised = [outcomes(SocialLearningModel(scenario=params, rng=seed)) for seed in SEEDS]
    return request.param, reference, vectorised


def test_same_seed_same_start():
    """The reference copies the vectorised model's initial organisation and workforce."""
    params = Parameters().with_overrides(n_agents=90, champion_share=0.1, hoarder_share=0.2)
    reference = ReferenceModel(params, rng=7).as_arrays()
    state = SocialLearningModel(scenario=params, rng=7).state
    for name, values in reference.items():
        assert np.array_equal(values, getattr(state, name)), name


def test_the_two_models_agree_statistically(paired_runs):
    """Every outcome's mean paired difference is within the Bonferroni t margin of 0."""
    config, reference, vectorised = paired_runs
    t = stats.t.ppf(1.0 - FAMILY_ERROR / (2 * len(OUTCOMES)), len(SEEDS) - 1)
    failures = []
    for name in OUTCOMES:
        ref = np.array([run[name] for run in reference], dtype=float)
        vec = np.array([run[name] for run in vectorised], dtype=float)
        diff = ref - vec
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        if abs(diff.mean()) > t * se:
            failures.append(
                f"{name}: reference {ref.mean():.4g} vs vectorised {vec.mean():.4g}, mean paired "
                f"difference {diff.mean():+.4g} beyond the margin {t:.2f} x SE {se:.3g} = "
                f"{t * se:.3g}"
            )
    assert not failures, (
        f"[{config}] {len(SEEDS)} seeds, {N_AGENTS} employees, {STEPS} steps; outcomes that "
        "disagree:\n" + "\n".join(failures)
    )


# -- switches -------------------------------------------------------------------------------

SWITCH_AGENTS, SWITCH_STEPS = 80, 10
#: Everything on and busy, so that each process leaves a trace within a few steps.
BUSY = {
    "training__enabled": True,
    "training__interval": 2,
    "turnover__rate": 0.05,
    "asking__rate": 1.0,
    "collaboration__rate": 0.5,
    "collaboration__trust_threshold": 0.3,
    "forgetting__rate": 0.01,
}
COUNTED = {
    "field_learning": "field",
    "asking": "asks",
    "esn": "posts",
    "collaboration": "collaboration",
    "training": "training",
    "culture_change": "imitations",
}


def seat_ids(model) -> list[int]:
    """Return the unique_id of the Mesa agent on each seat (row)."""
    people = model.seats if isinstance(model, ReferenceModel) else model.employees
    return [agent.unique_id for agent in people]


def knowledge(model) -> np.ndarray:
    """Return a copy of the (people, topics) knowledge matrix."""
    if isinstance(model, ReferenceModel):
        return model.as_arrays()["knowledge"]
    return model.state.knowledge.copy()


def trace(model, section: str) -> bool:
    """Step ``model`` SWITCH_STEPS times; whether ``section``'s process left a trace."""
    forgot = replaced = False
    for _ in range(SWITCH_STEPS):
        before, ids = knowledge(model), seat_ids(model)
        model.step()
        stayed = np.array(seat_ids(model)) == np.array(ids)
        replaced |= not stayed.all()
        # Only forgetting lowers knowledge (no client drift here), apart from newcomers.
        forgot |= bool((knowledge(model)[stayed] < before[stayed]).any())
    if section == "forgetting":
        return forgot
    if section == "turnover":
        return replaced
    return bool(model_frame(model)[COUNTED[section]].sum() > 0)


@pytest.mark.parametrize("enabled", [True, False], ids=["on", "off"])
@pytest.mark.parametrize("section", PROCESS_SECTIONS)
def test_a_switch_decides_whether_a_process_leaves_a_trace(section, enabled):
    """With everything else on, a process leaves a trace in both models exactly when enabled."""
    overrides = {**BUSY, f"{section}__enabled": enabled}
    params = Parameters().with_overrides(n_agents=SWITCH_AGENTS, **overrides)
    state = "on" if enabled else "off"
    assert trace(ReferenceModel(params, rng=1), section) == enabled, f"reference, {section} {state}"
    assert trace(SocialLearningModel(scenario=params, rng=1), section) == enabled, (
        f"vectorised, {section} {state}"
    )


def test_with_every_process_off_nothing_changes():
    """All switches off: no state of the reference changes and nobody is replaced."""
    params = Parameters().with_overrides(n_agents=SWITCH_AGENTS, **{**BUSY, **all_off()})
    model = ReferenceModel(params, rng=3)
    before, ids = model.as_arrays(), seat_ids(model)
    model.run(SWITCH_STEPS)
    after = model.as_arrays()
    assert seat_ids(model) == ids
    for name, values in before.items():
        assert np.array_equal(after[name], values), name
    assert all(model.metrics[name] == 0 for name in TOTALS)
