"""What the UI lets people download: the scenario as TOML, results as CSV (charts are PNG,
from `orglearn.ui.charts.png`)."""

from __future__ import annotations

import re
from pathlib import Path

from orglearn.ui.comparison import ComparisonResult
from orglearn.scenarios import Scenario, to_toml
from orglearn.simulation.model import SocialLearningModel

__all__ = ["scenario_file", "scenario_filename", "run_csv", "comparison_csv", "safe_name"]


def safe_name(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "scenario"


def scenario_filename(scenario: Scenario) -> str:
    """``<name>.toml``."""
    return f"{safe_name(scenario.name)}.toml"


def chart_names(scenario: Scenario) -> dict[str, str]:
    """The scenario's org chart files by key (``people_file``, ``ties_file``): their bare file
    names, as the exported scenario file names them."""
    org = scenario.organisation
    return {key: Path(value).name for key in ("people_file", "ties_file")
            if (value := getattr(org, key))}


def scenario_file(scenario: Scenario, changes: list[str] | None = None) -> str:
    """The scenario as a complete, commented TOML file that loads back to the same scenario.

    An org chart's files are named without their folder (the UI keeps uploads in a temporary
    folder): put them beside the scenario file, where the loader looks for them.
    """
    header = [
        f"# Scenario '{scenario.name}', saved from the orglearn UI.",
        "# Load it from the command line: orglearn run "
        f"{scenario_filename(scenario)}",
    ]
    names = chart_names(scenario)
    if names:
        header += [
            "# It simulates an org chart: put " + " and ".join(names.values())
            + " in the same folder as this file.",
            "# (In the UI, upload the scenario file and then the org chart again.)",
        ]
        scenario = scenario.with_overrides(organisation=names)
    else:
        header[1] = ("# Load it in the UI (Upload a scenario file), or run it with: orglearn run "
                     f"{scenario_filename(scenario)}")
    if changes:
        header.append("# Changes made in the UI:")
        header += [f"#   {line}" for line in changes]
    return "\n".join(header) + "\n\n" + to_toml(scenario)


def run_csv(model: SocialLearningModel) -> str:
    """The live run's metrics for every day so far (columns: step, metric, scope, department, value)."""
    return model.timeseries().to_csv(index=False)


def comparison_csv(result: ComparisonResult, what: str = "runs") -> str:
    """A comparison's results: ``runs`` (one row per run and its outcomes) or ``curves``
    (every day of every run: group, replicate, step, metric, value)."""
    table = result.runs if what == "runs" else result.curves
    return table.to_csv(index=False)
