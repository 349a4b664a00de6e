"""What a calibration writes: the fit plot, the calibrated scenario and its record."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from orglearn.calibration.run import Calibration
from orglearn.calibration.simulate import LEVEL

__all__ = ["plot_fit", "calibrated_scenario", "write_calibration"]


def plot_fit(result: Calibration, path: str | Path) -> list[Path]:
    """Observed series against the model at the estimate, and each parameter's estimate.

    Top row: each observed series (black) with the simulated median and 5-95% range of the
    runs at the estimate. Bottom row: each parameter's bootstrap re-estimates (quick) or
    posterior particles (abc), the estimate and the interval. Written as SVG, PDF and a
    300-dpi PNG (`orglearn.experiments.plots.save_figure`); returns the paths.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from orglearn.calibration.observed import SERIES
    from orglearn.experiments.plots import parameter_label, save_figure

    names, params = result.observed.names, result.parameters
    cols = max(len(names), len(params))
    fig, axes = plt.subplots(
        2, cols, figsize=(3.6 * cols, 6.4), constrained_layout=True, squeeze=False
    )
    for ax, name in zip(axes[0], names):
        sim = result.fitted[result.fitted["series"] == name]
        ax.fill_between(
            sim["week"],
            sim["low"],
            sim["high"],
            color="tab:blue",
            alpha=0.25,
            label="model, 5-95% of runs",
        )
        ax.plot(sim["week"], sim["median"], color="tab:blue", label="model, median")
        observed = result.observed.frame[name]
        ax.plot(
            np.arange(1, len(observed) + 1),
            observed.to_numpy(),
            "o-",
            color="black",
            markersize=3,
            linewidth=1,
            label="observed",
        )
        words = SERIES.get(name, name.replace("_", " ")).split(" (")[0]
        ax.set(title=words[0].upper() + words[1:], xlabel="week", ylim=(0, None))
        ax.title.set_fontsize("small")
    axes[0][0].legend(fontsize="small")
    weights = result.samples["weight"].to_numpy() if "weight" in result.samples else None
    for ax, p, est, low, high in zip(axes[1], params, result.estimate, result.low, result.high):
        if p.key in result.samples:
            ax.hist(result.samples[p.key], bins=30, weights=weights, color="tab:grey", alpha=0.6)
        ax.axvspan(low, high, color="tab:orange", alpha=0.2, label=f"{LEVEL:.0%} interval")
        ax.axvline(est, color="tab:orange", linewidth=2, label="estimate")
        ax.set(
            title=f"{parameter_label(p.key)} = {est:.3g} [{low:.3g}, {high:.3g}]",
            xlim=(p.low, p.high), yticks=[],
        )
        ax.title.set_fontsize("small")
    axes[1][0].legend(fontsize="small")
    for row in axes:
        for ax in row:
            if not ax.has_data() and not ax.patches:
                ax.axis("off")
    runs = _fit_runs(result)
    fig.suptitle(f"Calibration ({result.method}): distance {result.distance:.3f}; model: "
                 f"median and 5-95% of {runs} at the estimate", fontsize="medium")
    return save_figure(fig, path)


def _fit_runs(result: Calibration) -> str:
    """How many simulated runs the fitted bands summarise, as words."""
    n = result.fitted["runs"].iloc[0] if "runs" in result.fitted else None
    return f"n = {int(n)} runs" if n is not None else "the runs"


def calibrated_scenario(scenario, result: Calibration, folder: str | Path):
    """The scenario with the estimates in place, described, chart paths relative to ``folder``."""
    import os

    updated = scenario.with_overrides(**result.overrides())
    estimates = "; ".join(
        f"{p.key} = {e:.4g} [{lo:.4g}, {hi:.4g}]"
        for p, e, lo, hi in zip(result.parameters, result.estimate, result.low, result.high)
    )
    org = {}
    if updated.organisation.people_file:  # write the chart's size, which the model uses
        from orglearn.simulation.orgchart import read_chart

        chart = read_chart(updated.organisation.people_file, updated.organisation.ties_file)
        org.update(n_agents=chart.n, departments=chart.departments)
    for key in ("people_file", "ties_file"):
        value = getattr(updated.organisation, key)
        if value:
            org[key] = os.path.relpath(value, Path(folder).resolve())
    name = f"{scenario.name or 'scenario'}_calibrated"
    return updated.with_overrides(organisation=org).model_copy(
        update={
            "name": name,
            "title": f"{scenario.title or scenario.name} (calibrated)",
            "rationale": (
                f"{scenario.rationale} Calibrated to {Path(result.observed.file).name} "
                f"({result.observed.weeks} weeks of {', '.join(result.observed.names)}) with "
                f"the {result.method} method: {estimates} ({result.interval})."
            ).strip(),
            "against": scenario.name or None,
        }
    )


def write_calibration(
    result: Calibration, scenario, out: str | Path, staging: str | Path | None = None
) -> list[Path]:
    """Write a calibration's files into ``out``, all or nothing.

    Files: ``estimates.csv``, ``samples.csv`` (bootstrap re-estimates or posterior particles),
    ``calibration.json``, ``fit.svg``, ``fit.pdf``, ``fit.png``, ``NAME_calibrated.toml`` and,
    for ABC, ``abc.db`` (if ``staging`` was the ``workdir`` of `calibrate`). Files are written
    into ``staging`` (or a new staging folder inside ``out``, `orglearn.experiments.staging`)
    and then moved in.
    """
    import json
    from contextlib import ExitStack
    from datetime import datetime, timezone

    from orglearn.experiments.staging import publish, staged
    from orglearn.experiments.tasks import environment
    from orglearn.scenarios import to_toml

    out = Path(out)
    with ExitStack() as stack:
        # The caller's staging folder (inside ``out``) holds abc.db already; else our own.
        staging = Path(staging) if staging is not None else stack.enter_context(staged(out))
        result.table().to_csv(staging / "estimates.csv", index=False)
        result.samples.to_csv(staging / "samples.csv", index=False)
        plot_fit(result, staging / "fit.png")
        calibrated = calibrated_scenario(scenario, result, out)
        toml_name = f"{calibrated.name}.toml"
        header = (
            f"# Calibrated by 'orglearn calibrate' ({result.method}); the estimates and "
            "intervals are in the rationale\n# and in calibration.json beside this file.\n\n"
        )
        (staging / toml_name).write_text(header + to_toml(calibrated), encoding="utf-8")
        record = {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "scenario": scenario.name,
            "observed_file": str(Path(result.observed.file).resolve()),
            "weeks": result.observed.weeks,
            "series": result.observed.names,
            "method": result.method,
            "interval": result.interval,
            "estimates": result.table().to_dict(orient="records"),
            "distance": result.distance,
            "simulations": result.simulations,
            "settings": result.settings,
            "versions": environment(),
        }
        (staging / "calibration.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
        out.mkdir(exist_ok=True)
        return publish(staging, out)
