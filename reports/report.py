"""``orglearn report DIR``: an HTML report with plots and a plain-language summary of a sweep."""

from __future__ import annotations

import base64
import html
import io
import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from orglearn.experiments.dictionary import write_results_dictionary  # noqa: E402
from orglearn.experiments.plots import (  # noqa: E402
    CENSORED,
    parameter_label,
    save_figure,
    scenario_label,
)
from orglearn.experiments.stats import OUTCOMES, curve_bands, summarise_runs  # noqa: E402
from orglearn.experiments.integrity import check_sound  # noqa: E402
from orglearn.experiments.store import load_results  # noqa: E402
from orglearn.experiments.tasks import version_differences  # noqa: E402
from orglearn.reports.headline import headline_figure, headline_html, rank  # noqa: E402
from orglearn.simulation.metrics import CHANNELS, GAINS  # noqa: E402

__all__ = ["write_report"]

CURVES = (("idea_adoption", "share of staff who know the new idea"), ("mean_knowledge", "mean knowledge"))


def write_report(directory: str | Path) -> Path:
    """Write ``report.html`` into ``directory``, with its figures (SVG, PDF and 300-dpi PNG)
    and outcome table (``summary.csv``) in ``report/``, and update the folder's data
    dictionary.

    Returns:
        The path of ``report.html``.
    """
    root = Path(directory)
    check_sound(root)  # never report from damaged results
    results = load_results(root, metrics=[m for m, _ in CURVES])
    runs, manifest = results.runs, results.manifest
    if runs.empty:
        raise ValueError(f"{root} has no finished runs to report on")
    sweep = manifest.get("sweep", {})
    varied = list((sweep.get("vary") or {}).keys())
    by = ["scenario", "point_id", *varied] if varied else ["scenario"]
    summary = summarise_runs(runs, by)
    figures: list[tuple[str, str, plt.Figure]] = []
    # The headline (paired differences against each scenario's reference) opens the page.
    comparisons = [] if varied else rank(runs, _against, _group)
    if comparisons:
        figures.append(("headline", "What hurts and what helps: each scenario minus its "
                        "reference, paired by seed, mean with 95% CI", headline_figure(comparisons)))
    if results.timeseries is not None and not varied:
        for metric, label in CURVES:
            figures.append((f"curves_{metric}", f"Spread over time: {label}, mean with 95% CI",
                            _curves(results.timeseries, metric, label)))
    if not varied:
        figures.append(("times", "Time for the new idea to reach 50% and 90% of staff "
                        "(runs that never reached a level are marked as censored)",
                        _times(summary, runs)))
        if all(f"total_{g}" in runs for g in GAINS):
            figures.append(("channels", "Where knowledge came from: share of all knowledge "
                            "gained, by channel (mean over runs)", _channels(runs)))
    design = (sweep.get("design") or {}).get("kind", "factorial")
    sensitivity_tables: list[str] = []
    scenarios = list(dict.fromkeys(runs["scenario"]))
    for number, scenario in enumerate(scenarios):
        # One figure per scenario: pooling scenarios would mix different organisations.
        own = runs[runs["scenario"] == scenario]
        suffix = f"_{number}" if len(scenarios) > 1 else ""
        where = f" ({_short(scenario)})" if len(scenarios) > 1 else ""
        if design == "factorial" and len(varied) == 2:
            for col, label in (("t90", "days to reach 90% of staff"),
                               ("final_mean_knowledge", "final mean knowledge")):
                figures.append((f"heatmap_{col}{suffix}", f"{label} across the two varied parameters{where}",
                                _heatmap(own, varied, col, label, scenario_label(scenario))))
        elif design == "factorial" and len(varied) == 1:
            figures.append((f"response{suffix}", f"Outcomes against the varied parameter{where}",
                            _response(own, varied[0], scenario_label(scenario))))
        elif design in ("saltelli", "morris"):
            fig, table = _sensitivity(own, sweep, design, scenario_label(scenario))
            figures.append((f"sensitivity{suffix}", f"Sensitivity indices ({design}){where}", fig))
            sensitivity_tables.append(f"<h3>{html.escape(_short(scenario))}</h3>{table}" if where else table)

    out_dir = root / "report"
    out_dir.mkdir(exist_ok=True)
    blocks, headline_block = [], ""
    for name, caption, fig in figures:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)  # the page embeds a lighter PNG
        save_figure(fig, out_dir / name)
        data = base64.b64encode(buffer.getvalue()).decode()
        block = (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                 f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        if name == "headline":
            headline_block = block
        else:
            blocks.append(block)
    from orglearn.reports.discovery import discovery_section  # scenario discovery (PRIM)

    blocks.append(discovery_section(runs, sweep, out_dir)[0])
    headline = headline_html(comparisons, headline_block)
    page = _page(manifest, runs, summary, by, varied, blocks, sensitivity_tables, headline,
                 {c.scenario for c in comparisons})
    path = root / "report.html"
    path.write_text(page, encoding="utf-8")
    summary.to_csv(out_dir / "summary.csv", index=False)
    write_results_dictionary(root)  # now with the report's files
    return path


# -- plots ----------------------------------------------------------------------------------


def _runs_count(counts) -> str:
    """"n = 20 runs per scenario", or the range when groups differ (failed runs)."""
    counts = sorted({int(c) for c in counts})
    if not counts:
        return "no runs"
    if len(counts) == 1:
        return f"n = {counts[0]} run{'s' if counts[0] != 1 else ''}"
    return f"n = {counts[0]} to {counts[-1]} runs"


def _curves(series: pd.DataFrame, metric: str, label: str) -> plt.Figure:
    bands = curve_bands(series, ["scenario"], metric)
    names = list(dict.fromkeys(series["scenario"]))
    cols = min(5, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows + 0.6), sharex=True,
                             sharey=True, squeeze=False, constrained_layout=True)
    counts = series.groupby("scenario")["run_id"].nunique()
    for ax, name in zip(axes.flat, names):
        own = bands[bands["scenario"] == name]
        against = _against(name)
        reference_name = against if against in names else names[0]
        if name != reference_name:
            reference = bands[bands["scenario"] == reference_name]
            ax.plot(reference["step"], reference["mean"], color="grey", linestyle="--", linewidth=1)
            ax.text(0.98, 0.04, f"dashed: {scenario_label(reference_name)}", transform=ax.transAxes,
                    ha="right", fontsize="x-small", color="grey")
        ax.fill_between(own["step"], own["low"], own["high"], alpha=0.3, color="tab:blue")
        ax.plot(own["step"], own["mean"], color="tab:blue", linewidth=1.5)
        # Wrapped: a long name would run into the next panel's title.
        title = textwrap.fill(f"{scenario_label(name)} (n\u00a0=\u00a0{counts[name]})", width=36)
        ax.set_title(title, fontsize="small")
        ax.set_ylim(0, 1)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    fig.suptitle(f"{label[0].upper()}{label[1:]}: mean with 95% CI over runs "
                 f"({_runs_count(counts)} per scenario)", fontsize="medium")
    fig.supxlabel("day (model step)")
    fig.supylabel(label)
    return fig


def _channels(runs: pd.DataFrame) -> plt.Figure:
    """Stacked bars: each scenario's mean share of knowledge gained through each channel."""
    ok = runs[runs["status"] == "ok"]
    totals = ok[[f"total_{g}" for g in GAINS]].to_numpy()
    shares = pd.DataFrame(totals / np.maximum(totals.sum(axis=1, keepdims=True), 1e-12),
                          columns=list(CHANNELS))
    shares["scenario"] = ok["scenario"].to_numpy()
    means = shares.groupby("scenario", sort=False).mean()
    counts = shares.groupby("scenario", sort=False).size()
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(means) + 2.0), constrained_layout=True)
    y = np.arange(len(means))
    left = np.zeros(len(means))
    labels = {"field": "field (clients)", "direct": "asking colleagues", "esn": "ESN posts",
              "collaboration": "working together", "training": "formal training"}
    for channel in CHANNELS:
        ax.barh(y, means[channel], left=left, label=labels[channel])
        left += means[channel].to_numpy()
    ax.set_yticks(y, [scenario_label(s) for s in means.index])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of all knowledge gained (mean over runs)")
    fig.suptitle(f"Where knowledge came from, by channel ({_runs_count(counts)} per scenario)",
                 fontsize="medium")
    fig.legend(ncol=3, fontsize="small", loc="outside lower center")
    return fig


def _times(summary: pd.DataFrame, runs: pd.DataFrame) -> plt.Figure:
    """t50 and t90 per scenario: every run's value, and the mean with its 95% CI where every
    run reached the level; runs that never reached it are hollow markers at their end."""
    ok = runs[runs["status"] == "ok"]
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(summary) + 2.0), constrained_layout=True)
    y = np.arange(len(summary))
    shown: set[str] = set()

    def once(label: str) -> str | None:
        if label in shown:
            return None
        shown.add(label)
        return label

    for offset, col, color, words in ((-0.17, "t50", "tab:green", "half of staff"),
                                      (0.17, "t90", "tab:purple", "90% of staff")):
        for row, (_, group) in zip(y, summary.iterrows()):
            own = ok[ok["scenario"] == group["scenario"]]
            if "point_id" in group and "point_id" in own:
                own = own[own["point_id"] == group["point_id"]]
            reached, censored = own[own[col].notna()], own[own[col].isna()]
            ax.plot(reached[col], np.full(len(reached), row + offset), "o", color=color,
                    alpha=0.35, markersize=4, label=once(f"one run: day it reached {words}"))
            ax.plot(censored["steps_run"], np.full(len(censored), row + offset), "o",
                    markerfacecolor="white", markeredgecolor=color, markersize=6,
                    label=once(f"{words}: {CENSORED}"))
            if len(censored) == 0 and len(own):
                mean = group[col]
                low = group[f"{col}_low"] if pd.notna(group[f"{col}_low"]) else mean
                high = group[f"{col}_high"] if pd.notna(group[f"{col}_high"]) else mean
                ax.errorbar([mean], [row + offset], xerr=[[mean - low], [high - mean]], fmt="D",
                            color=color, markersize=7, capsize=4,
                            label=once(f"{words}: mean with 95% CI (all runs reached it)"))
            elif len(censored):
                ax.annotate(f"{len(censored)} of {len(own)} not reached", (own["steps_run"].max(),
                            row + offset), xytext=(10, 0), textcoords="offset points",
                            va="center", fontsize="x-small", color=color)
    ax.set_yticks(y, [scenario_label(s) for s in summary["scenario"]])
    ax.invert_yaxis()
    ax.set_xlabel("days (model steps)")
    # A figure title, not an axes title: the long scenario names leave the axes narrow.
    fig.suptitle("Days for the new idea to reach half and 90% of staff "
                 f"({_runs_count(summary['runs'])} per scenario)", fontsize="medium")
    fig.legend(fontsize="x-small", loc="outside lower center", ncol=2)
    return fig


def _censored_mean(ok: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per-run values where censored runs count as their length plus one, with a flag."""
    ok = ok.copy()
    if col in ("t50", "t90"):
        ok["_censored"] = ok[col].isna()
        ok[col] = ok[col].fillna(ok["steps_run"] + 1)
    else:
        ok["_censored"] = False
    return ok


def _heatmap(runs: pd.DataFrame, varied: list[str], col: str, label: str, scenario: str
             ) -> plt.Figure:
    ok = _censored_mean(runs[runs["status"] == "ok"], col)
    grouped = ok.groupby(varied)
    table = grouped[col].mean().unstack(varied[1])
    censored = grouped["_censored"].sum().unstack(varied[1]).reindex_like(table)
    counts = grouped.size().unstack(varied[1]).reindex_like(table)
    fig, ax = plt.subplots(figsize=(6.5, 5), constrained_layout=True)
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="viridis")
    ax.set_xticks(range(table.shape[1]), [_fmt(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [_fmt(v) for v in table.index])
    ax.set_xlabel(parameter_label(varied[1]))
    ax.set_ylabel(parameter_label(varied[0]))
    any_censored = False
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        k, n = int(censored.iat[i, j] or 0), int(counts.iat[i, j] or 0)
        text = _fmt(value)
        if k:  # a lower bound, not a mean of reached values
            any_censored = True
            text = f"≥ {text}\n{k} of {n} not reached"
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//",
                                       edgecolor="white", linewidth=0))
        ax.text(j, i, text, ha="center", va="center", color="white", fontsize="small")
    note = ("\nhatched: some runs never reached it (censored); ≥ marks a lower bound"
            if any_censored else "")
    ax.set_title(f"{scenario}: {label}, mean over runs; "
                 f"{_runs_count(counts.to_numpy().ravel())} per cell{note}", fontsize="small")
    fig.colorbar(image, ax=ax, label=label)
    return fig


def _response(runs: pd.DataFrame, key: str, scenario: str) -> plt.Figure:
    summary = summarise_runs(runs, [key])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), constrained_layout=True)
    labels = {c: lab for c, lab, _ in OUTCOMES}
    for ax, col in zip(axes, ("t90", "final_mean_knowledge")):
        full = summary if col != "t90" else summary[summary["t90_reached"] == summary["runs"]]
        if len(full):
            ax.errorbar(full[key], full[col], yerr=[full[col] - full[f"{col}_low"],
                        full[f"{col}_high"] - full[col]], fmt="o", capsize=3, color="tab:blue",
                        label="mean with 95% CI")
        if col == "t90":
            part = summary[summary["t90_reached"] < summary["runs"]]
            if len(part):
                ax.plot(part[key], part[col], "o", markerfacecolor="white",
                        markeredgecolor="tab:blue", markersize=8,
                        label="lower bound: some runs never reached 90% (censored)")
                for _, row in part.iterrows():
                    missing = int(row["runs"] - row["t90_reached"])
                    ax.annotate(f"{missing} of {int(row['runs'])} runs not reached",
                                (row[key], row[col]),
                                xytext=(6, 4), textcoords="offset points", fontsize="x-small")
        ax.set_xlabel(parameter_label(key))
        ax.set_ylabel(labels[col])
        ax.legend(fontsize="small")
    fig.suptitle(f"{scenario}: outcomes against {parameter_label(key)}; "
                 f"{_runs_count(summary['runs'])} per value", fontsize="medium")
    return fig


def _sensitivity(runs: pd.DataFrame, sweep: dict, design: str, scenario: str
                 ) -> tuple[plt.Figure, str]:
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    from orglearn.experiments.design import design_points, salib_problem
    from orglearn.experiments.sweep import Sweep

    spec = Sweep.model_validate(sweep)
    problem = salib_problem(spec)
    points = design_points(spec)
    matrix = np.array([[p[n] for n in problem["names"]] for p in points])
    ok = runs[runs["status"] == "ok"].copy()
    censored = int(ok["t90"].isna().sum())
    ok["t90"] = ok["t90"].fillna(ok["steps_run"] + 1)
    outputs = {"t90": "days to reach 90% of staff", "final_mean_knowledge": "final mean knowledge"}
    fig, axes = plt.subplots(1, len(outputs), figsize=(11, 4.6), constrained_layout=True)
    per_point = ok.groupby("point_id").size()
    note = (f"; t90 of the {censored} of {len(ok)} runs that never reached 90% (censored) "
            "counts as the run's length + 1" if censored else "")
    fig.suptitle(f"{scenario}: sensitivity indices ({design}) of the mean over "
                 f"{_runs_count(per_point)} per point{note}", fontsize="small")
    rows = []
    for ax, (col, label) in zip(axes, outputs.items()):
        y = ok.groupby("point_id")[col].mean().reindex(range(len(points))).to_numpy()
        if np.isnan(y).any():
            ax.set_title(f"{label}: missing runs, no indices")
            continue
        if np.ptp(y) == 0:
            # A constant output (e.g. t90 never reached) has no variance to apportion.
            ax.set_title(f"{label}: the same in every run, indices undefined")
            rows += [(label, name, np.nan, np.nan, np.nan, np.nan) for name in problem["names"]]
            continue
        x = np.arange(problem["num_vars"])
        if design == "saltelli":
            res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=spec.design.seed)
            ax.bar(x - 0.2, res["S1"], 0.4, yerr=res["S1_conf"], label="first order S1", capsize=3)
            ax.bar(x + 0.2, res["ST"], 0.4, yerr=res["ST_conf"], label="total order ST", capsize=3)
            for i, name in enumerate(problem["names"]):
                rows.append((label, name, res["S1"][i], res["S1_conf"][i], res["ST"][i], res["ST_conf"][i]))
        else:
            res = morris_analyze.analyze(problem, matrix, y, num_levels=spec.design.levels, seed=spec.design.seed)
            ax.bar(x - 0.2, res["mu_star"], 0.4, yerr=res["mu_star_conf"], label="mu*", capsize=3)
            ax.bar(x + 0.2, res["sigma"], 0.4, label="sigma", capsize=3)
            for i, name in enumerate(problem["names"]):
                rows.append((label, name, res["mu_star"][i], res["mu_star_conf"][i], res["sigma"][i], np.nan))
        ax.set_xticks(x, [parameter_label(n) for n in problem["names"]], rotation=20,
                      fontsize="small", ha="right")
        ax.set_title(label)
        ax.legend(fontsize="small")
    heads = ("S1", "S1 95% conf", "ST", "ST 95% conf") if design == "saltelli" else ("mu*", "mu* 95% conf", "sigma", "")
    table = "<table><tr><th>output</th><th>parameter</th>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"
    for row in rows:
        table += "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
    return fig, table + "</table>"


# -- text -----------------------------------------------------------------------------------


def _short(name: str) -> str:
    return Path(name).name.removesuffix(".toml")


def _fmt(value) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if float(value).is_integer() and abs(value) >= 10:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _against(name: str) -> str | None:
    """The scenario a scenario says it should be compared with, if it can still be loaded."""
    from orglearn.scenarios import ScenarioError, load

    try:
        return load(name).against
    except ScenarioError:  # a scenario file that moved since the sweep: no comparison
        return None


def _group(name: str) -> str:
    """"intervention" for a scenario with interventions, else "barrier"."""
    from orglearn.scenarios import ScenarioError, load

    try:
        return "intervention" if load(name).interventions else "barrier"
    except ScenarioError:
        return "barrier"


def _sentences(summary: pd.DataFrame, runs: pd.DataFrame, compared: set[str]) -> list[str]:
    """A plain-language paragraph for each scenario the headline does not compare with a
    reference (the references themselves): how far and how fast the idea spread."""
    steps = int(runs["steps_run"].max())
    out = []
    for _, row in summary.iterrows():
        name = row["scenario"]
        if name in compared:
            continue
        users = sorted({scenario_label(s) for s in compared if _against(s) == name})
        role = (f" It is the reference of: {html.escape(', '.join(users))}." if users else "")
        out.append(f"<h3>{html.escape(scenario_label(name))}</h3><p>The new idea "
                   f"{_reach(row, steps)}. Final mean knowledge was "
                   f"{row['final_mean_knowledge']:.3f} (95% CI {row['final_mean_knowledge_low']:.3f}"
                   f" to {row['final_mean_knowledge_high']:.3f}), and "
                   f"{row['final_participation']:.0%} of people with tools posted in the last "
                   f"month ({_runs_count([row['runs']])}).{role}</p>")
    return out


def _reach(row, steps: int) -> str:
    """How long the idea took to reach half and 90% of staff, honest about runs that never
    got there."""
    return f"{_reach_level(row, 't50', 'half of', steps)} and {_reach_level(row, 't90', '90% of', steps)}"


def _reach_level(row, col: str, level: str, steps: int) -> str:
    n, reached = int(row["runs"]), int(row[f"{col}_reached"])
    if reached == 0:
        return f"did not reach {level} staff: not reached in {steps} days (all {n} runs)"
    if reached < n:
        return (f"took at least {row[col]:.0f} days on average to reach {level} staff "
                f"({n - reached} of {n} runs had not reached it by day {steps})")
    return (f"reached {level} staff in {row[col]:.0f} days "
            f"(95% CI {row[f'{col}_low']:.0f} to {row[f'{col}_high']:.0f})")


def _page(manifest, runs, summary, by, varied, blocks, sensitivity_tables, headline="",
          compared=frozenset()) -> str:
    sweep = manifest.get("sweep", {})
    title = sweep.get("title") or "Sweep report"
    failed = runs[runs["status"] != "ok"]
    total = manifest.get("total_runs", len(runs))
    session = (manifest.get("sessions") or [{}])[-1]
    versions = ", ".join(f"{k} {v}" for k, v in (session.get("versions") or {}).items())
    status_line = (f"{len(runs) - len(failed)} runs finished, {len(failed)} failed, "
                   f"{total - len(runs)} not run, of {total}.")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
        "line-height:1.45;color:#222}img{max-width:100%}figure{margin:1.5em 0}figcaption{color:#555;"
        "font-size:.9em}table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;"
        "padding:.25em .5em;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}"
        ".note{color:#555;font-size:.9em}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(sweep.get('description', ''))}</p>",
        f"<p class='note'>{status_line} Replications per scenario and point: {sweep.get('replications')}; "
        f"root seed {sweep.get('seed')}. Status: {html.escape(str(manifest.get('status')))}.</p>",
    ]
    if not varied:
        # The headline holds the ranking, its figure and the compared scenarios' paragraphs.
        parts.append(headline or "<h2>In plain language</h2>")
        parts += _sentences(summary, runs, set(compared))
        parts.append("<p class='note'>Days are working days (model steps). Intervals are 95% "
                     "confidence intervals of the mean over replications (of the mean paired "
                     "difference in the headline); a run in which the idea never reached a level "
                     "counts as reaching it the day after it ended, so such means are lower "
                     "bounds and are marked as such.</p>")
    parts.append("<h2>Figures</h2>")
    parts += blocks
    parts += [f"<h2>Sensitivity indices</h2>{t}" for t in sensitivity_tables]
    parts.append("<h2>Outcomes</h2>" + _table(summary, by, int(runs["steps_run"].max())))
    if len(failed):
        parts.append("<h2>Failed runs</h2><table><tr><th>run</th><th>scenario</th><th>error</th></tr>")
        for _, row in failed.head(20).iterrows():
            last = (row["error"] or "").strip().splitlines()[-1:] or [""]
            parts.append(f"<tr><td>{row['run_id']}</td><td>{html.escape(str(row['scenario']))}</td>"
                         f"<td>{html.escape(last[0])}</td></tr>")
        parts.append("</table>")
    differences = list(version_differences(session.get("versions") or {},
                                           session.get("worker_versions") or []))
    if differences:
        parts.append("<p class='note'>Workers' package versions differed from this machine's: "
                     + "; ".join(html.escape(d) for d in differences) + ".</p>")
    parts.append(f"<p class='note'>Made by orglearn from {html.escape(str(manifest.get('sweep_sha256', ''))[:12])}; "
                 f"{html.escape(versions)}; git commit {html.escape(str(session.get('git_commit')))}.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(summary: pd.DataFrame, by: list[str], steps: int) -> str:
    cols = [c for c, _, _ in OUTCOMES if c in summary]
    head = "".join(f"<th>{html.escape(k)}</th>" for k in by) + "<th>runs</th>" + "".join(
        f"<th>{html.escape(dict((c, lab) for c, lab, _ in OUTCOMES)[c])}</th>" for c in cols)
    rows = []
    for _, row in summary.head(200).iterrows():
        cells = "".join(f"<td>{html.escape(_short(str(row[k])) if k == 'scenario' else _fmt(row[k]))}</td>" for k in by)
        cells += f"<td>{int(row['runs'])}</td>"
        for c in cols:
            cells += f"<td>{html.escape(_cell(row, c, steps))}</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"



def _cell(row, col: str, steps: int) -> str:
    """Mean [95% CI]; for t50/t90, honest about runs that never reached the level."""
    value = f"{_fmt(row[col])} [{_fmt(row[col + '_low'])}, {_fmt(row[col + '_high'])}]"
    if col not in ("t50", "t90"):
        return value
    n, reached = int(row["runs"]), int(row[f"{col}_reached"])
    if reached == 0:  # every run censored: a mean and interval of the run length mean nothing
        return f"not reached in {steps} days (all {n} runs)"
    if reached < n:
        return f"≥ {value} ({n - reached} of {n} not reached)"
    return value
