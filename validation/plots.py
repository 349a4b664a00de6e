"""Plots of `orglearn validate`, drawn from its tidy points table (matplotlib, written to files).

Every plot is a function of the ``validation.csv`` table alone, so the figures can be redrawn
from a saved table: ``plot_validation(pd.read_csv("validation.csv"), out)``. Each figure is
written as SVG, PDF and a 300-dpi PNG (`orglearn.experiments.plots.save_figure`) and states
the number of runs behind its means and their 95% confidence intervals.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from orglearn.experiments.plots import save_figure  # noqa: E402

__all__ = ["plot_validation"]

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def plot_validation(points: pd.DataFrame, out: str | Path) -> list[Path]:
    """Draw every figure whose model appears in ``points``; returns the paths written (SVG,
    PDF and PNG of each)."""
    out = Path(out)
    written: list[Path] = []
    models = set(points["model"])
    if "march1991" in models:
        march = points[points["model"] == "march1991"]
        for draw in (_march_fig1, _march_fig2, _march_fig4, _march_fig5):
            written += draw(march, out)
    if "bass" in models:
        written += _bass(points[points["model"] == "bass"], out)
    if "granovetter" in models:
        written += _granovetter(points[points["model"] == "granovetter"], out)
    return written


def _errorbars(ax, rows: pd.DataFrame, label: str, colour: str, **style) -> None:
    rows = rows.sort_values("x")
    ax.errorbar(rows["x"], rows["mean"], yerr=[rows["mean"] - rows["low"],
                rows["high"] - rows["mean"]], label=label, color=colour, capsize=3,
                marker="o", markersize=4, **style)


def _band(ax, rows: pd.DataFrame, label: str, colour: str) -> None:
    rows = rows.sort_values("x")
    ax.plot(rows["x"], rows["mean"], color=colour, label=label, linewidth=1.8)
    ax.fill_between(rows["x"], rows["low"], rows["high"], color=colour, alpha=0.2, linewidth=0)


def _series(points: pd.DataFrame, figure: str) -> dict[str, pd.DataFrame]:
    rows = points[points["figure"] == figure]
    return {name: group for name, group in rows.groupby("series", sort=False)}


def _save(fig, path: Path) -> list[Path]:
    return save_figure(fig, path)


def _runs(rows: pd.DataFrame) -> str:
    """"mean with 95% CI, n = 20 runs per point" for the simulated rows."""
    simulated = rows[rows["kind"] == "simulated"] if "kind" in rows else rows
    counts = sorted({int(n) for n in simulated["n"]})
    n = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
    return f"mean with 95% CI, n = {n} runs per point"


def _march_fig1(points: pd.DataFrame, out: Path) -> list[Path]:
    series = _series(points, "fig1")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
    for colour, p2 in zip(COLOURS, (0.1, 0.5, 0.9)):
        _errorbars(left, series[f"p2={p2} (paper rules)"], f"p2 = {p2}", colour)
        _errorbars(right, series[f"p2={p2} (program rules)"], f"p2 = {p2}, ours", colour)
        ref = series[f"p2={p2} (reference)"].sort_values("x")
        right.plot(ref["x"], ref["mean"], linestyle="--", color=colour, linewidth=1,
                   label=f"p2 = {p2}, Workiewicz (2019)")
    left.set(title="Paper's rules: equilibrium knowledge",
             xlabel="socialisation rate p1", ylabel="share of dimensions the code gets right")
    right.set(title="Original program's rules, vs. its published recreation",
              xlabel="socialisation rate p1", ylabel="code score (matches - mismatches) / m")
    left.legend(fontsize="small")
    right.legend(fontsize="x-small", ncol=2)
    fig.suptitle("March (1991), figure 1: effect of learning rates (m = 30 dimensions, 50 "
                 f"people); {_runs(points[points['figure'] == 'fig1'])}")
    return _save(fig, out / "march1991_fig1.png")


def _march_fig2(points: pd.DataFrame, out: Path) -> list[Path]:
    fig, ax = plt.subplots(figsize=(6.5, 4.3), constrained_layout=True)
    for colour, (name, rows) in zip(COLOURS, _series(points, "fig2").items()):
        _errorbars(ax, rows, name, colour)
    ax.set(title="March (1991), figure 2: fast and slow learners (p2 = 0.5)\n"
           f"{_runs(points[points['figure'] == 'fig2'])}",
           xlabel="number of slow learners (of 50)", ylabel="equilibrium code knowledge")
    ax.legend(fontsize="small")
    return _save(fig, out / "march1991_fig2.png")


def _march_fig4(points: pd.DataFrame, out: Path) -> list[Path]:
    fig, ax = plt.subplots(figsize=(6.5, 4.3), constrained_layout=True)
    for colour, (name, rows) in zip(COLOURS, _series(points, "fig4").items()):
        _errorbars(ax, rows, name.replace("p1=", "p1 = "), colour)
    ax.set(title="March (1991), figure 4: turnover (p2 = 0.5)\n"
           f"{_runs(points[points['figure'] == 'fig4'])}",
           xlabel="turnover rate p3", ylabel="code knowledge at period 20")
    ax.legend(fontsize="small")
    return _save(fig, out / "march1991_fig4.png")


def _march_fig5(points: pd.DataFrame, out: Path) -> list[Path]:
    fig, ax = plt.subplots(figsize=(6.5, 4.3), constrained_layout=True)
    labels = {"p3=0.0": "no turnover", "p3=0.1": "turnover p3 = 0.1"}
    for colour, (name, rows) in zip(COLOURS, _series(points, "fig5").items()):
        _band(ax, rows, labels.get(name, name), colour)
    ax.set(title="March (1991), figure 5: turbulence p4 = 0.02 (p1 = p2 = 0.5)\n"
           f"{_runs(points[points['figure'] == 'fig5'])}",
           xlabel="period", ylabel="code knowledge", ylim=(0.0, 1.0))
    ax.legend(fontsize="small")
    return _save(fig, out / "march1991_fig5.png")


def _bass(points: pd.DataFrame, out: Path) -> list[Path]:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
    series = _series(points, "diffusion")
    abm_name = next(name for name in series if name.startswith("agent-based"))
    abm = series[abm_name].sort_values("x")
    closed = series["closed form"].sort_values("x")
    _band(left, abm, f"{abm_name}, {_runs(abm)}", "tab:blue")
    left.plot(closed["x"], closed["mean"], "k--", linewidth=1.2, label="closed form F(t)")
    left.set(title="Bass (1969): share adopted", xlabel="time t", ylabel="share adopted F(t)",
             ylim=(0, 1.02))
    left.legend(fontsize="small")
    gap = abm["mean"].to_numpy() - closed["mean"].to_numpy()
    right.plot(abm["x"], gap, color="tab:blue", label="agent-based mean - closed form")
    for name, rows in series.items():
        if name.startswith("discrete recursion"):
            right.plot(rows["x"], rows.sort_values("x")["mean"].to_numpy()
                       - closed["mean"].to_numpy(), color="grey", linestyle=":",
                       label=f"{name} - closed form")
    for level in (-0.02, 0.02):
        right.axhline(level, color="tab:red", linewidth=0.8, linestyle="--")
    right.set(title="Gap to the closed form (tolerance +/- 0.02)", xlabel="time t",
              ylabel="difference in share adopted", ylim=(-0.03, 0.03))
    right.legend(fontsize="small")
    return _save(fig, out / "bass.png")


def _granovetter(points: pd.DataFrame, out: Path) -> list[Path]:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3), constrained_layout=True)
    for colour, (name, rows) in zip(COLOURS, _series(points, "uniform").items()):
        rows = rows.sort_values("x")
        left.step(rows["x"], rows["mean"], where="post", color=colour, linewidth=1.8,
                  label=f"{name}: {rows['mean'].iloc[-1]:.0f} join", marker="o", markersize=2)
    left.annotate("one changed threshold:\nthe cascade stops at 1", (1, 1), xytext=(40, 8),
                  arrowprops={"arrowstyle": "->", "color": "tab:orange"}, fontsize="small",
                  color="tab:orange")
    uniform = points[points["figure"] == "uniform"]
    left.set(title="Granovetter (1978): 100 people, uniform thresholds\n"
             f"{_runs(uniform).replace('mean with 95% CI', 'mean')}",
             xlabel="round", ylabel="number who have joined")
    left.legend(fontsize="small")
    normal = _series(points, "normal")
    for colour, (name, rows) in zip(COLOURS, normal.items()):
        if rows["kind"].iloc[0] == "analytic":
            rows = rows.sort_values("x")
            right.plot(rows["x"], rows["mean"], color="black", linestyle="--", label=name)
        else:
            _errorbars(right, rows, name, colour, linestyle="none")
    right.axvline(12.2, color="grey", linewidth=0.8, linestyle=":")
    right.annotate("sd = 12.2\n(Granovetter)", (12.2, 45), xytext=(-70, 0),
                   textcoords="offset points", fontsize="small", color="grey")
    right.set(title="Normal thresholds, mean 25: equilibrium against spread\n"
              f"{_runs(points[points['figure'] == 'normal'])}",
              xlabel="standard deviation of thresholds", ylabel="number who join (of 100)")
    right.legend(fontsize="small", loc="upper left")
    return _save(fig, out / "granovetter.png")
