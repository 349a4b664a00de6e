"""Pattern-oriented validation: the patterns the model must reproduce, as paired-seed tests.

Each `Pattern` is a small experiment (arms: a scenario plus parameter overrides) and one or
more `Contrast` claims about it. A contrast is a weighted sum of one outcome over the arms,
computed per seed (every arm runs on the same seeds: common random numbers), so that its
per-seed values are paired. A claim holds when the 95% confidence interval of the contrast's
mean lies above its ``bound``: a bound of 0 means "significantly positive", a negative bound
is a stated margin of non-inferiority. `Pattern.ablation` names the parameters that switch the
pattern's mechanism off: with them applied to every arm the pattern should fail, which is how
the tests show that each pattern is carried by its mechanism (Grimm et al. 2005).

`orglearn validate patterns` runs them all and writes a table and a figure
(docs/validation.md); tests/test_patterns.py asserts them.

References:
    Grimm, V., et al. (2005). Pattern-oriented modeling of agent-based complex systems: lessons
    from ecology. Science, 310, 987-991.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "Arm",
    "Contrast",
    "Pattern",
    "PATTERNS",
    "run_arm",
    "run_patterns",
    "evaluate",
    "OUTCOMES",
]

#: Outcomes `run_arm` measures, with what they mean.
OUTCOMES: dict[str, str] = {
    "gain": "mean knowledge gained over the run (final minus initial mean knowledge)",
    "learning_esn": "knowledge learned from posts per person over the run",
    "learning": "knowledge learned through all channels per person over the run, before "
    "forgetting (the sum of every lesson's rise, over staff)",
    "log_learning": "natural log of learning: effects that multiply add up on this scale",
    "knowledge": "final mean knowledge",
    "t50": "day the new idea reaches half of staff (run length + 1 if never)",
    "t50_cross": "day it reaches half of staff outside the department where it started",
    "reach": "mean share of staff who know the new idea, over the run (the area under its "
    "adoption curve, divided by the run's length)",
    "cross_reach": "mean share of staff outside the idea's department who know it, over the run",
    "silo": "silo index, mean of the last 60 days",
    "alignment": "alignment with client needs, mean of the last 60 days",
    "participation": "share of staff with tools who posted in the last 30 days, mean of the "
    "last 60 days",
    "ties": "final mean tie strength",
    "ties_change": "final minus initial mean tie strength: how relationships developed, "
    "whatever mix of strong and weak ties the structure started with",
    "generosity": "final mean generosity",
    "hoarder_gap": "final mean knowledge of others minus that of hoarders",
    "refusal_rate": "refusals over refusals plus helps",
    "asks": "asks per person per day",
    "posts": "posts per person per day",
    "knowledge_managers": "final mean knowledge of managers",
    "share_field": "share of knowledge gained through field learning",
    "share_direct": "share of knowledge gained through direct help",
    "share_esn": "share of knowledge gained through the ESN",
    "share_collaboration": "share of knowledge gained through collaboration",
    "share_training": "share of knowledge gained through formal training",
    "share_interpersonal": "share gained through direct help and collaboration together",
    "interpersonal_over_esn": "share_interpersonal minus share_esn",
}


@dataclass(frozen=True)
class Arm:
    """One condition: a built-in scenario (or the defaults) with parameter overrides."""

    scenario: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, scenario: str | None = None, **overrides: Any) -> Arm:
        """An arm from keyword overrides (``with_overrides`` keys)."""
        return cls(scenario, tuple(sorted(overrides.items())))

    def with_overrides(self, extra: Mapping[str, Any]) -> Arm:
        """This arm with ``extra`` overrides on top."""
        return Arm(self.scenario, tuple(sorted({**dict(self.overrides), **extra}.items())))


@dataclass(frozen=True)
class Contrast:
    """A claim: the 95% CI of ``sum(weight * outcome of arm)`` per seed lies above ``bound``."""

    claim: str
    outcome: str
    weights: tuple[tuple[str, float], ...]
    bound: float = 0.0


@dataclass(frozen=True)
class Pattern:
    """A pattern of the model: arms, claims about them, and the switch that removes it."""

    key: str
    title: str
    mechanism: str
    arms: Mapping[str, Arm]
    contrasts: tuple[Contrast, ...]
    ablation: Mapping[str, Any] = field(default_factory=dict)


def _c(claim: str, outcome: str, bound: float = 0.0, **weights: float) -> Contrast:
    return Contrast(claim, outcome, tuple(weights.items()), bound)


NO_POOR_STYLES = {
    f"{style}_share": 0.0
    for style in ("rude", "abrasive", "defensive", "pushy", "top_down", "shy")
}
#: 40% of staff with one style, the rest tactful: each style against an all-tactful staff.
STYLE_SHARE = 0.4
SILO_STRUCTURE = {"rewiring": 0.01, "department_locality": 0.98}


def _patterns() -> tuple[Pattern, ...]:
    base = Arm.of(idea_department=0)
    turbulent = {"turbulence": 0.01}
    styles = ("rude", "abrasive", "defensive", "pushy", "top_down", "shy")
    style_arms = {
        s: Arm.of(**{**NO_POOR_STYLES, f"{s}_share": STYLE_SHARE}) for s in styles
    }
    barriers = (
        "lurkers", "hoarders", "no_tools", "poor_communication", "formal_training_culture",
        "silos", "high_turnover", "turbulent_market", "typical_2012",
    )
    return (
        Pattern(
            "channels",
            "Channel mix: colleagues, not a broadcast, carry actionable knowledge",
            "posts carry only a topic's codifiable share, and feeds follow departments",
            {"base": base},
            (
                *(
                    _c(f"{ch} carries at most 60% of knowledge gained", f"share_{ch}",
                       -0.6, base=-1.0)
                    for ch in ("field", "direct", "esn", "collaboration", "training")
                ),
                _c("direct help and collaboration carry at least 25%", "share_interpersonal",
                   0.25, base=1.0),
                _c("colleagues (direct help and collaboration) carry more than the ESN",
                   "interpersonal_over_esn", base=1.0),
            ),
            {"codifiable": 1.0, "idea_codifiable": 1.0, "feed_locality": 0.0},
        ),
        Pattern(
            "values",
            "The three values multiply",
            "every channel is gated by proactivity, tact or generosity",
            {
                # Without the poor styles, whose tact is their own, tact 0.1 applies to all.
                "base": Arm.of(**NO_POOR_STYLES),
                "proactivity": Arm.of(traits__proactivity=0.1, **NO_POOR_STYLES),
                "tact": Arm.of(traits__tact=0.1, **NO_POOR_STYLES),
                "generosity": Arm.of(traits__generosity=0.1, **NO_POOR_STYLES),
                "proactivity+tact": Arm.of(
                    traits__proactivity=0.1, traits__tact=0.1, **NO_POOR_STYLES
                ),
                "proactivity+generosity": Arm.of(
                    traits__proactivity=0.1, traits__generosity=0.1, **NO_POOR_STYLES
                ),
                "tact+generosity": Arm.of(
                    traits__tact=0.1, traits__generosity=0.1, **NO_POOR_STYLES
                ),
            },
            (
                *(
                    _c(f"{v} at 0.1 lowers knowledge gained", "gain", base=1.0, **{v: -1.0})
                    for v in ("proactivity", "tact", "generosity")
                ),
                *(
                    _c(
                        f"{a} and {b} at 0.1 together cut learning at least by the product of "
                        "each alone's cut (log scale, margin 0.25)",
                        "log_learning", -0.25,
                        **{a: 1.0, b: 1.0, "base": -1.0, f"{a}+{b}": -1.0},
                    )
                    for a, b in (
                        ("proactivity", "tact"), ("proactivity", "generosity"),
                        ("tact", "generosity"),
                    )
                ),
            ),
        ),
        Pattern(
            "structure",
            "Structure matters: silos and weak ties",
            "tacit knowledge moves only along ties; feeds follow departments",
            {
                "base": base,
                "silos": base.with_overrides(SILO_STRUCTURE),
                "no_cross_ties": base.with_overrides({"department_locality": 1.0}),
            },
            (
                _c("silo structure raises the silo index", "silo", silos=1.0, base=-1.0),
                _c("silo structure delays the idea outside its department", "t50_cross",
                   silos=1.0, base=-1.0),
                _c("without cross-department informal ties the idea reaches fewer people "
                   "outside its department", "cross_reach", base=1.0, no_cross_ties=-1.0),
            ),
            {"codifiable": 1.0, "idea_codifiable": 1.0, "feed_locality": 0.0},
        ),
        Pattern(
            "reciprocity",
            "Reciprocity detection has an upside",
            "helpers condition help on the asker's record and reputation; sharing costs time",
            {
                "detection": Arm.of(hoarder_share=0.3),
                "no_detection": Arm.of(hoarder_share=0.3, reputation_detection=False),
            },
            (
                _c("with detection, hoarders end with less knowledge than others",
                   "hoarder_gap", detection=1.0),
                _c("detection widens the hoarders' knowledge gap", "hoarder_gap",
                   detection=1.0, no_detection=-1.0),
                _c("mean generosity at the end is higher with detection", "generosity",
                   detection=1.0, no_detection=-1.0),
            ),
            {"reputation_detection": False},
        ),
        Pattern(
            "turbulence",
            "Turbulence makes knowledge obsolete",
            "client needs shift and part of what people knew becomes obsolete",
            {"stable": Arm.of(), "turbulent": Arm.of(**turbulent)},
            (
                _c("turbulence lowers alignment", "alignment", stable=1.0, turbulent=-1.0),
                _c("turbulence lowers mean knowledge", "knowledge", stable=1.0,
                   turbulent=-1.0),
                _c("the new idea is not faster in a turbulent market (t50, margin 10 days)",
                   "t50", -10.0, turbulent=1.0, stable=-1.0),
                _c("the new idea reaches no more people over the run in a turbulent market "
                   "(margin 0.02)", "reach", -0.02, stable=1.0, turbulent=-1.0),
            ),
            {"obsolescence": 0.0},
        ),
        Pattern(
            "march",
            "March in the organisation: turnover and turbulence",
            "newcomers are hired from the market, with current knowledge of client needs",
            {
                "turbulent": Arm.of(turnover__rate=0.0, **turbulent),
                "turbulent_turnover": Arm.of(turnover__rate=0.002, **turbulent),
                "stable": Arm.of(turnover__rate=0.0),
                "stable_turnover": Arm.of(turnover__rate=0.002),
            },
            (
                _c("under turbulence, moderate turnover raises alignment", "alignment",
                   turbulent_turnover=1.0, turbulent=-1.0),
                _c("in a stable market, turnover lowers knowledge", "knowledge",
                   stable=1.0, stable_turnover=-1.0),
            ),
            {"newcomer_max": 0.05},
        ),
        Pattern(
            "styles",
            "Each communication style acts through its own mechanism",
            "style rules in asking and posting",
            {"tactful": Arm.of(**NO_POOR_STYLES), **style_arms},
            (
                _c("rude requests are refused more often", "refusal_rate", rude=1.0,
                   tactful=-1.0),
                _c("abrasive help weakens ties", "ties", tactful=1.0, abrasive=-1.0),
                _c("defensive people learn less", "gain", tactful=1.0, defensive=-1.0),
                _c("pushy people ask more", "asks", pushy=1.0, tactful=-1.0),
                _c("pushy insistence strains ties", "ties", tactful=1.0, pushy=-1.0),
                _c("top-down managers, who tell rather than listen, know less",
                   "knowledge_managers", tactful=1.0, top_down=-1.0),
                _c("shy people ask less", "asks", tactful=1.0, shy=-1.0),
                _c("shy people post less", "posts", tactful=1.0, shy=-1.0),
            ),
            {"style_rules": False},
        ),
        Pattern(
            "formal_training",
            "A formal-training culture delays the new idea; training recovers part",
            "devotees wait for courses instead of asking; the curriculum follows the idea late",
            {
                "base": Arm.of(),
                "formal": Arm.of(formal_devotee_share=0.6, formal_preference=0.5),
                "formal_sessions": Arm.of(
                    formal_devotee_share=0.6, formal_preference=0.5,
                    training__enabled=True, training__interval=60,
                ),
            },
            (
                _c("a formal-training culture delays t50", "t50", formal=1.0, base=-1.0),
                _c("scheduled training recovers part of the delay", "t50", formal=1.0,
                   formal_sessions=-1.0),
            ),
            {"formal_damping": 0.0, "curriculum_adoption": 2.0},
        ),
        Pattern(
            "interventions",
            "Interventions act through their mechanism",
            "community ties and sub-feeds; audiences for posts; champions imitated",
            {
                "silos": Arm.of("silos", tool_access=1.0, idea_department=0),
                "community": Arm.of("community_of_practice", tool_access=1.0,
                                    idea_department=0),
                "no_tools": Arm.of("no_tools"),
                "tools_rollout": Arm.of("tools_rollout"),
                "typical": Arm.of("typical_2012"),
                "champions": Arm.of("champions_council"),
            },
            (
                _c("a community of practice lowers the silo index (tools equal)", "silo",
                   silos=1.0, community=-1.0),
                _c("a community of practice speeds the idea across departments (tools "
                   "equal)", "t50_cross", silos=1.0, community=-1.0),
                _c("a tools roll-out raises participation", "participation",
                   tools_rollout=1.0, no_tools=-1.0),
                _c("champions raise participation", "participation", champions=1.0,
                   typical=-1.0),
            ),
            {"esn__audience": 0.0, "champion_weight": 1.0},
        ),
        Pattern(
            "ties",
            "No backwards indicators: no barrier strengthens ties",
            "relationships fade unless used",
            {"base": Arm.of("baseline"), **{b: Arm.of(b) for b in barriers}},
            tuple(
                _c(f"{b} does not strengthen ties more than the baseline does (margin 0.02)",
                   "ties_change", -0.02,
                   base=1.0, **{b: -1.0})
                for b in barriers
            ),
            {"tie_decay": 0.0},
        ),
    )


PATTERNS: tuple[Pattern, ...] = _patterns()


def run_arm(arm: Arm, seed: int, n_agents: int = 300, steps: int = 365) -> dict[str, float]:
    """Run one arm with one seed and return every outcome of `OUTCOMES`.

    A top-level function, so that worker processes can run it.
    """
    from orglearn.scenarios import load
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(
        None if arm.scenario is None else load(arm.scenario), rng=seed, n_agents=n_agents, **dict(arm.overrides)
    )
    state, network = model.state, model.network
    threshold = model.params.knowledge.threshold
    origin = model.params.knowledge.idea_department
    outside = network.department != origin if origin >= 0 else np.ones(network.n, bool)
    initial = float(state.knowledge.mean())
    initial_ties = float(state.strength.mean())
    reach = np.empty(steps + 1)
    reach[0] = float((state.knowledge[outside, 0] >= threshold).mean())
    for t in range(1, steps + 1):
        model.step()
        reach[t] = float((state.knowledge[outside, 0] >= threshold).mean())
    adoption = model.datacollector.get_model_vars_dataframe()["idea_adoption"].to_numpy()
    frame = model.datacollector.get_model_vars_dataframe()
    summary = model.summary()
    last = frame.iloc[-60:]
    gains = {ch: float(frame[f"gain_{ch}"].sum()) for ch in
             ("field", "direct", "esn", "collaboration", "training")}
    total_gain = sum(gains.values()) or 1.0
    refusals, helps = float(frame["refusals"].sum()), float(frame["helps"].sum())
    crossed = np.flatnonzero(reach >= 0.5)
    managers = network.is_manager
    out = {
        "gain": float(state.knowledge.mean()) - initial,
        "learning": sum(gains.values()) / network.n,
        "learning_esn": gains["esn"] / network.n,
        "log_learning": float(np.log(max(sum(gains.values()) / network.n, 1e-12))),
        "knowledge": float(summary["final_mean_knowledge"]),
        "t50": float(steps + 1 if summary["t50"] is None else summary["t50"]),
        "t50_cross": float(crossed[0] if crossed.size else steps + 1),
        "reach": float(adoption.mean()),
        "cross_reach": float(reach.mean()),
        "silo": float(last["silo_index"].mean()),
        "alignment": float(last["alignment"].mean()),
        "participation": float(last["participation"].mean()),
        "ties": float(frame["mean_tie_strength"].iloc[-1]),
        "ties_change": float(frame["mean_tie_strength"].iloc[-1]) - initial_ties,
        "generosity": float(frame["mean_generosity"].iloc[-1]),
        "hoarder_gap": float(
            frame["knowledge_others"].iloc[-1] - frame["knowledge_hoarders"].iloc[-1]
        ),
        "refusal_rate": refusals / (refusals + helps) if refusals + helps else 0.0,
        "asks": float(frame["asks"].sum()) / (network.n * steps),
        "posts": float(frame["posts"].sum()) / (network.n * steps),
        "knowledge_managers": float(model.state.knowledge[managers].mean()),
    }
    for ch, value in gains.items():
        out[f"share_{ch}"] = value / total_gain
    out["share_interpersonal"] = out["share_direct"] + out["share_collaboration"]
    out["interpersonal_over_esn"] = out["share_interpersonal"] - out["share_esn"]
    return out


def _job(args: tuple[Arm, int, int, int]) -> dict[str, float]:
    return run_arm(*args)


def run_patterns(
    patterns: Sequence[Pattern] = PATTERNS,
    seeds: Iterable[int] = range(20),
    *,
    n_agents: int = 300,
    steps: int = 365,
    workers: int = 2,
    ablate: bool = False,
    progress: Callable[[int], None] | None = None,
) -> dict[tuple[Arm, int], dict[str, float]]:
    """Run every arm of ``patterns`` (each distinct arm once) for each seed.

    With ``ablate``, each pattern's arms run with its ablation overrides. Returns
    ``{(arm, seed): outcomes}``; arms are as run (ablation included). Runs in ``workers``
    processes (spawned: forking a process that may run threads can deadlock).
    """
    seeds = list(seeds)
    arms = sorted(
        {arm for p in patterns for arm in _arms(p, ablate).values()},
        key=repr,
    )
    jobs = [(arm, seed, n_agents, steps) for arm in arms for seed in seeds]
    results: dict[tuple[Arm, int], dict[str, float]] = {}
    if workers <= 1:
        for job in jobs:
            results[job[:2]] = _job(job)
            if progress:
                progress(1)
        return results
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(workers, mp_context=context) as pool:
        for job, outcome in zip(jobs, pool.map(_job, jobs, chunksize=4)):
            results[job[:2]] = outcome
            if progress:
                progress(1)
    return results


def _arms(pattern: Pattern, ablate: bool) -> dict[str, Arm]:
    if not ablate or not pattern.ablation:
        return dict(pattern.arms)
    return {name: arm.with_overrides(pattern.ablation) for name, arm in pattern.arms.items()}


def evaluate(
    pattern: Pattern,
    results: Mapping[tuple[Arm, int], dict[str, float]],
    seeds: Iterable[int],
    *,
    ablate: bool = False,
) -> pd.DataFrame:
    """One row per claim: the contrast's mean, 95% CI, Wilcoxon p, bound and verdict."""
    seeds = list(seeds)
    arms = _arms(pattern, ablate)
    rows = []
    for contrast in pattern.contrasts:
        values = np.array([
            sum(w * results[(arms[name], s)][contrast.outcome] for name, w in contrast.weights)
            for s in seeds
        ])
        mean = float(values.mean())
        half = float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1)
                     / np.sqrt(values.size))
        shifted = values - contrast.bound
        p = (float(stats.wilcoxon(shifted, alternative="greater").pvalue)
             if np.any(shifted != 0) else 1.0)
        rows.append({
            "pattern": pattern.key,
            "claim": contrast.claim,
            "outcome": contrast.outcome,
            "contrast": " ".join(f"{w:+g}*{name}" for name, w in contrast.weights),
            "estimate": mean,
            "low": mean - half,
            "high": mean + half,
            "bound": contrast.bound,
            "wilcoxon_p": p,
            "seeds": values.size,
            "holds": bool(mean - half > contrast.bound),
        })
    return pd.DataFrame(rows)


def pattern_table(
    results: Mapping[tuple[Arm, int], dict[str, float]],
    seeds: Iterable[int],
    patterns: Sequence[Pattern] = PATTERNS,
    *,
    ablate: bool = False,
) -> pd.DataFrame:
    """Every claim of ``patterns`` (`evaluate`), in one table."""
    seeds = list(seeds)
    return pd.concat(
        [evaluate(p, results, seeds, ablate=ablate) for p in patterns], ignore_index=True
    )


def markdown(table: pd.DataFrame) -> str:
    """The table as Markdown: claim, estimate with 95% CI, bound, Wilcoxon p, verdict."""
    lines = [
        "| pattern | claim | outcome | estimate [95% CI] | must exceed | Wilcoxon p | holds |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.pattern} | {row.claim} | {row.outcome} | {row.estimate:.3g} "
            f"[{row.low:.3g}, {row.high:.3g}] | {row.bound:g} | {row.wilcoxon_p:.2g} | "
            f"{'yes' if row.holds else '**no**'} |"
        )
    return "\n".join(lines)


def plot_patterns(table: pd.DataFrame, path) -> None:
    """A forest plot (written as SVG, PDF and 300-dpi PNG): each claim's 95% CI in standard errors above its bound (right of the
    line at 0 means the claim holds). Claims further than 30 standard errors, or with no
    spread at all, are drawn at the edge as a triangle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    half = (table["high"] - table["low"]) / 2
    se = half / stats.t.ppf(0.975, table["seeds"] - 1)
    gap = table["estimate"] - table["bound"]
    centre = (gap / se.where(se > 0)).fillna(np.sign(gap) * np.inf).fillna(0.0)
    reach = (half / se.where(se > 0)).fillna(0.0)
    edge = centre.abs() > 30
    shown = centre.clip(-30, 30)
    rows = np.arange(len(table))[::-1]
    colours = np.where(table["holds"], "tab:blue", "tab:red")
    fig, ax = plt.subplots(figsize=(12, 0.26 * len(table) + 1.4), layout="constrained")
    ax.errorbar(shown[~edge], rows[~edge], xerr=reach[~edge], fmt="o", ms=3, lw=1.5,
                ecolor=colours[~edge], mfc="black", mec="black")
    ax.scatter(shown[edge], rows[edge], marker=">", c=colours[edge], s=30)
    ax.axvline(0, color="black", lw=1)
    ax.set_xlim(-32, 32)
    ax.set_yticks(rows)
    ax.set_yticklabels([f"{p}: {c}" for p, c in zip(table["pattern"], table["claim"])],
                       fontsize=7)
    ax.set_xlabel("(estimate - bound) / standard error, with the 95% CI; right of 0: the "
                  "claim holds; triangles: beyond 30 or no spread", fontsize=8)
    ax.set_title(f"Patterns: paired contrasts over {int(table['seeds'].max())} seeds "
                 "(blue: holds, red: does not)", fontsize=9, loc="left")
    from orglearn.experiments.plots import save_figure

    save_figure(fig, path)
