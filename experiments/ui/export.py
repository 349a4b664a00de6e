"""What the UI lets people download: the scenario as TOML, results as CSV (charts are PNG,
from `experiments.ui.charts.png`)."""

from __future__ import annotations

import re

from experiments.ui.comparison import ComparisonResult
from scenarios import Scenario, to_toml
from simulation.model import SocialLearningModel

__all__ = ["scenario_file", "scenario_filename", "run_csv", "comparison_csv", "safe_name"]


def safe_name(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "scenario"


def scenario_filename(scenario: Scenario) -> str:
    """``<name>.toml``."""
    return f"{safe_name(scenario.name)}.toml"


def scenario_file(scenario: Scenario, changes: list[str] | None = None) -> str:
    """The scenario as a complete, commented TOML file that loads back to the same scenario."""
    header = [
        f"# Scenario '{scenario.name}', saved from the orglearn UI.",
        "# Load it in the UI (Upload a scenario file), or run it with: orglearn run "
        f"{scenario_filename(scenario)}",
    ]
    if changes:
        header.append("# Changes made in the UI:")
        header += [f"#   {line}" for line in changes]
    return "\n".join(header) + "\n\n" + to_toml(scenario)


def run_csv(model: SocialLearningModel) -> str:
    """The live run's metrics for every day so far (columns: step, metric, scope, value)."""
    return model.timeseries().to_csv(index=False)


def comparison_csv(result: ComparisonResult, what: str = "runs") -> str:
    """A comparison's results: ``runs`` (one row per run and its outcomes) or ``curves``
    (every day of every run: group, replicate, step, metric, value)."""
    table = result.runs if what == "runs" else result.curves
    return table.to_csv(index=False)
