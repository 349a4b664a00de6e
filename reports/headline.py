"""The report's headline: each scenario against its reference as paired differences (replicate r
of a scenario against replicate r of its reference, which share a seed), ranked, in one forest
plot and one plain-language paragraph per scenario.

Censoring. A run in which the new idea never reached 90% of staff has no t90 (it is censored
at ``steps_run + 1``). A paired t90 difference is then:

- ``exact`` when no run of either side is censored;
- ``at least`` when only the scenario's runs are censored: each censored pair's difference
  computed at ``steps_run + 1`` is a lower bound, so their mean is one;
- ``at most`` when only the reference's runs are censored (an upper bound, likewise);
- ``share`` when both sides have censored runs: no bound holds, so the comparison is the paired
  difference in the share of runs that reached 90% of staff;
- ``none`` when no run of either side reached 90%: there is nothing to compare.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from orglearn.experiments.plots import scenario_label
from orglearn.experiments.stats import Difference, censored_difference, paired_difference

__all__ = ["Comparison", "Difference", "compare", "rank", "headline_figure", "headline_html"]

KNOWLEDGE = "final_mean_knowledge"
#: Replicates are paired on these columns (same point and replicate = same seed).
PAIR_KEY = ["point_id", "replicate"]
GROUPS = (("barrier", "Barriers, against their reference"),
          ("intervention", "Interventions, against the scenario they are compared with"))


@dataclass(frozen=True)
class Comparison:
    """One scenario against its reference over ``n`` pairs of runs."""

    scenario: str
    reference: str
    group: str  # "barrier" or "intervention"
    n: int
    knowledge: Difference
    knowledge_means: tuple[float, float]  # scenario, reference
    t90: Difference
    reached: tuple[int, int]  # runs reaching 90% of staff: scenario, reference
    reached_share: Difference  # paired difference in reaching 90% of staff (1 or 0 per run)
    steps: int  # the longest run, in days


def compare(runs: pd.DataFrame, scenario: str, reference: str, group: str) -> Comparison | None:
    """The paired comparison of ``scenario`` with ``reference``; None without a finished pair.

    Pairs are the finished runs of both with the same point and replicate: in a sweep they share
    a seed (common random numbers), so the difference removes what the seed alone explains.
    """
    ok = runs[runs["status"] == "ok"]
    cols = [*PAIR_KEY, KNOWLEDGE, "t90", "steps_run"]
    pairs = ok.loc[ok["scenario"] == scenario, cols].merge(
        ok.loc[ok["scenario"] == reference, cols], on=PAIR_KEY, suffixes=("", "_ref"))
    if pairs.empty:
        return None
    knowledge = pairs[KNOWLEDGE].to_numpy(float) - pairs[f"{KNOWLEDGE}_ref"].to_numpy(float)
    cens, cens_ref = pairs["t90"].isna().to_numpy(), pairs["t90_ref"].isna().to_numpy()
    t90 = pairs["t90"].fillna(pairs["steps_run"] + 1).to_numpy(float)
    t90_ref = pairs["t90_ref"].fillna(pairs["steps_run_ref"] + 1).to_numpy(float)
    share = (~cens).astype(float) - (~cens_ref).astype(float)
    t90_diff = censored_difference(t90, t90_ref, cens, cens_ref)
    return Comparison(
        scenario, reference, group, len(pairs), paired_difference(knowledge),
        (float(pairs[KNOWLEDGE].mean()), float(pairs[f"{KNOWLEDGE}_ref"].mean())), t90_diff,
        (int((~cens).sum()), int((~cens_ref).sum())), paired_difference(share, "share"),
        int(max(pairs["steps_run"].max(), pairs["steps_run_ref"].max())))


def rank(runs: pd.DataFrame, against: Callable[[str], str | None],
         group: Callable[[str], str]) -> list[Comparison]:
    """Every scenario whose reference (``against(name)``) is in ``runs``, compared with it:
    barriers first, the most harmful (largest loss of final mean knowledge) first, then
    interventions, the most helpful first.

    Final mean knowledge orders the ranking because every run has it; t90 is censored in runs
    where the idea never reached 90% of staff."""
    names = list(dict.fromkeys(runs["scenario"]))
    found = []
    for name in names:
        reference = against(name)
        if reference in names and reference != name:
            comparison = compare(runs, name, reference, group(name))
            if comparison is not None:
                found.append(comparison)

    def key(c: Comparison):
        sign = 1 if c.group == "barrier" else -1
        value = c.knowledge.mean if np.isfinite(c.knowledge.mean) else np.inf
        return ([g for g, _ in GROUPS].index(c.group), sign * value)

    return sorted(found, key=key)


# -- words ----------------------------------------------------------------------------------


def _days(value: float) -> str:
    return f"{abs(value):.0f} day{'' if round(abs(value)) == 1 else 's'}"


def t90_words(c: Comparison) -> str:
    """The t90 difference in words, honest about censoring."""
    d, (a, b), n, steps = c.t90, c.reached, c.n, c.steps
    if d.kind == "none":
        return f"not reached in {steps} days (all {n} runs) in either"
    if d.kind == "share":
        return (f"reached in {a} of {n} runs against {b} of {n} (paired difference in the share "
                f"of runs {d.mean * 100:+.0f} points, 95% CI {d.low * 100:+.0f} to "
                f"{d.high * 100:+.0f}); where neither reached it, the time is unknown")
    ci = f"95% CI {d.low:+.0f} to {d.high:+.0f} days"
    if d.kind == "exact":
        if d.mean == 0:
            return f"the same ({ci})"
        return f"{_days(d.mean)} {'later' if d.mean > 0 else 'sooner'} ({ci})"
    # A bound: censored runs count as reaching 90% the day after they ended.
    later = d.mean >= 0
    if d.kind == "at least":
        words = f"at least {_days(d.mean)} later" if later else f"at most {_days(d.mean)} sooner"
        note = f"{n - a} of {n} runs of this scenario never reached it"
    else:
        words = (f"at least {_days(d.mean)} sooner" if not later
                 else f"at most {_days(d.mean)} later")
        note = f"{n - b} of {n} reference runs never reached it"
    return f"{words} ({note}; the bound's {ci})"


def verdict(d: Difference) -> str:
    """"a clear difference", "no clear difference" or, without an interval, why."""
    if d.kind == "none":
        return "nothing to compare"
    if not np.isfinite(d.low):
        return "too few runs to tell"
    return "a clear difference" if d.clear else "no clear difference"


def _meaning(c: Comparison) -> str:
    """What the comparison means for a learning-and-development leader."""
    loss = c.knowledge.mean < 0
    if not c.knowledge.clear:
        if c.group == "barrier":
            return ("On its own, this barrier made no clear difference to what people ended up "
                    "knowing in these runs; other barriers deserve attention first.")
        return ("This intervention did not clearly change what people ended up knowing in these "
                "runs: do not count on it alone.")
    if c.group == "barrier":
        return ("Tackling this barrier is worth it: it clearly lowers what people end up "
                "knowing." if loss else
                "Surprisingly, knowledge ended clearly higher with this barrier than without it.")
    return ("This intervention clearly recovers knowledge: a good candidate to invest in."
            if not loss else
            "This intervention clearly left people knowing less: reconsider it.")


def paragraph(c: Comparison) -> str:
    """One plain-language paragraph (HTML) for a comparison."""
    k, (mine, theirs) = c.knowledge, c.knowledge_means
    reference = html.escape(scenario_label(c.reference))
    if k.mean == 0 and k.low == k.high == 0:
        change = "was the same in every pair of runs"
    else:
        change = (f"was {abs(k.mean):.3f} {'higher' if k.mean > 0 else 'lower'} "
                  f"({mine:.3f} against {theirs:.3f}; 95% CI of the paired difference "
                  f"{k.low:+.3f} to {k.high:+.3f})")
    return (f"<h3>{html.escape(scenario_label(c.scenario))}</h3><p>Compared with "
            f"<b>{reference}</b> over {c.n} pairs of runs with the same seeds, final mean "
            f"knowledge {change}: {verdict(k)}. The time for the new idea to reach 90% of "
            f"staff ({verdict(c.t90)}): {html.escape(t90_words(c))}. {_meaning(c)}</p>")


# -- figure ---------------------------------------------------------------------------------


def headline_figure(comparisons: list[Comparison]) -> plt.Figure:
    """A forest plot of the paired differences, barriers and interventions grouped, in ranking
    order: final mean knowledge, the share of runs reaching 90% of staff, and the days to
    reach it (where censoring leaves a value or a bound)."""
    rows: list[tuple[float, Comparison | str]] = []
    y = 0.0
    for group, title in GROUPS:
        members = [c for c in comparisons if c.group == group]
        if not members:
            continue
        rows.append((y, title))
        y += 1.0
        for c in members:
            rows.append((y, c))
            y += 1.0
        y += 0.4  # a gap between the groups
    height = 0.62 * y + 2.4
    fig, axes = plt.subplots(1, 3, figsize=(15, height), sharey=True, constrained_layout=True)
    k_ax, s_ax, t_ax = axes
    labels, ticks = [], []
    for pos, item in rows:
        if isinstance(item, str):
            for ax in axes:
                ax.axhline(pos + 0.5, color="#bbb", linewidth=0.6)
            k_ax.text(-0.02, pos, item, transform=k_ax.get_yaxis_transform(), ha="right",
                      va="center", fontweight="bold", fontsize="small")
            continue
        c = item
        ticks.append(pos)
        labels.append(textwrap.fill(scenario_label(c.scenario), 40) + "\n"
                      + textwrap.fill(f"against: {scenario_label(c.reference)}", 44))
        color = "tab:red" if c.group == "barrier" else "tab:blue"
        k = c.knowledge
        k_ax.errorbar([k.mean], [pos], xerr=[[k.mean - k.low], [k.high - k.mean]], fmt="o",
                      color=color, capsize=3, markerfacecolor=color if k.clear else "white")
        r = c.reached_share
        s_ax.errorbar([r.mean * 100], [pos], xerr=[[(r.mean - r.low) * 100],
                      [(r.high - r.mean) * 100]], fmt="s", color=color, capsize=3,
                      markerfacecolor=color if r.clear else "white")
        d = c.t90
        if d.kind in ("exact", "at least", "at most"):
            marker = {"exact": "o", "at least": ">", "at most": "<"}[d.kind]
            t_ax.errorbar([d.mean], [pos], xerr=[[d.mean - d.low], [d.high - d.mean]],
                          fmt=marker, color=color, capsize=3, markersize=7,
                          markerfacecolor=color if d.clear else "white")
        else:
            # No bound holds when both sides have censored runs: the share panel speaks.
            text = (f"never reached in {c.steps} days (all {c.n} runs)" if d.kind == "none"
                    else f"censored on both sides\n(reached in {c.reached[0]} vs "
                         f"{c.reached[1]} of {c.n} runs)")
            t_ax.text(0.5, pos, text, transform=t_ax.get_yaxis_transform(), ha="center",
                      va="center", fontsize="x-small", color="#555",
                      bbox={"facecolor": "white", "edgecolor": "#ccc", "pad": 2})
    for ax in axes:
        ax.axvline(0, color="black", linewidth=0.8)
        ax.grid(axis="x", color="#eee")
    k_ax.set_yticks(ticks, labels, fontsize="x-small")
    k_ax.set_ylim(y - 0.4, -0.6)
    k_ax.set_xlabel("difference in final mean knowledge\n(left of 0: people know less)")
    s_ax.set_xlabel("difference in runs reaching 90%\n(percentage points)")
    s_ax.set_title("Runs in which the idea reached 90% of staff", fontsize="small")
    t_ax.set_xlabel("difference in days to reach 90%\n(right of 0: the idea spreads slower)")
    k_ax.set_title("Final mean knowledge", fontsize="small")
    t_ax.set_title("Days to reach 90% of staff\n(▶ at least, ◀ at most: censored runs)",
                   fontsize="small")
    counts = sorted({c.n for c in comparisons})
    n = f"n = {counts[0]}" if len(counts) == 1 else f"n = {counts[0]} to {counts[-1]}"
    fig.suptitle("What hurts and what helps: each scenario minus its reference, paired "
                 f"differences with 95% CI\n({n} pairs of runs with the same seeds; hollow: no "
                 "clear difference)",
                 fontsize="medium")
    return fig


def headline_html(comparisons: list[Comparison], figure_block: str) -> str:
    """The headline section: ranking table, forest plot and one paragraph per scenario."""
    if not comparisons:
        return ""
    parts = ["<h2>Headline: what hurts most, and what helps most</h2>",
             "<p>Each scenario is compared with the scenario it declares as its reference, run "
             "for run: replicate r of both used the same seed, so each difference is a "
             "<i>paired</i> difference and the 95% confidence intervals are of the mean paired "
             "difference. Barriers are ranked by how much final mean knowledge they cost, "
             "interventions by how much they recover; the time to reach 90% of staff is shown "
             "beside it. Where runs never reached 90% of staff, a difference is a bound (“at "
             "least”, “at most”), or the share of runs that reached it is compared.</p>",
             "<table><tr><th>rank</th><th>scenario</th><th>against</th>"
             "<th>final mean knowledge, paired difference [95% CI]</th>"
             "<th>days to reach 90% of staff, paired difference</th></tr>"]
    for group, title in GROUPS:
        members = [c for c in comparisons if c.group == group]
        if members:
            parts.append(f"<tr><th colspan='5' style='text-align:left'>{title}</th></tr>")
        for number, c in enumerate(members, 1):
            k = c.knowledge
            parts.append(
                f"<tr><td>{number}</td><td>{html.escape(scenario_label(c.scenario))}</td>"
                f"<td>{html.escape(scenario_label(c.reference))}</td>"
                f"<td>{k.mean:+.3f} [{k.low:+.3f}, {k.high:+.3f}]; {verdict(k)}</td>"
                f"<td>{html.escape(t90_words(c))}; {verdict(c.t90)}</td></tr>")
    parts.append("</table>")
    parts.append(figure_block)
    parts.append("<h2>In plain language</h2>")
    parts += [paragraph(c) for c in comparisons]
    return "\n".join(parts)
