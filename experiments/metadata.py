"""What every result carries about where it came from: orglearn's version, the scenario (its
name and a content hash), the seed and the parameters.

The same keys are used everywhere: ``summary.json`` of ``orglearn run``, the runs table and
manifest of a sweep, and the schema metadata of every Parquet file (key ``orglearn``, a JSON
object). Nothing here depends on the clock or the machine, so results stay byte-for-byte
reproducible.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from orglearn._version import __version__
from orglearn.simulation.parameters import SECTIONS, Parameters

__all__ = [
    "scenario_sha256", "file_sha256", "dotted_parameters", "run_metadata", "sweep_metadata",
    "schema_metadata", "METADATA_KEY",
]

#: The key of orglearn's metadata in a Parquet file's schema metadata.
METADATA_KEY = b"orglearn"
#: Scenario keys that describe rather than define a simulation; not part of its content hash.
_DESCRIPTIVE = ("name", "title", "description", "rationale", "sources", "extends", "against")
_CHART_FILES = ("people_file", "ties_file")


def scenario_sha256(scenario: Parameters) -> str:
    """SHA-256 of a scenario's content: every parameter, its interventions and steps.

    The hash is taken over a canonical JSON (sorted keys, no spaces) of the validated scenario
    without its descriptive keys (name, title, description, rationale, sources, extends,
    against), with an org chart's files (``organisation.people_file``, ``ties_file``)
    replaced by the SHA-256 of their text (UTF-8, newlines as ``\\n``). So two scenario files
    that simulate the same thing hash alike, wherever they and their chart files lie, and any
    change that can change a run changes the hash. A plain `Parameters` hashes its parameters.
    """
    descriptive = set(_DESCRIPTIVE) & set(type(scenario).model_fields)
    data = scenario.model_dump(mode="json", exclude=descriptive)
    organisation = data["organisation"]
    for key in _CHART_FILES:
        if organisation.get(key):
            organisation[key] = {"sha256": file_sha256(organisation[key])}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a text file (an org chart) as read: UTF-8, newlines as ``\\n``, as sweeps
    send it to their workers, so the hash does not depend on where the file lies."""
    return hashlib.sha256(Path(path).read_text(encoding="utf-8").encode("utf-8")).hexdigest()


def dotted_parameters(
    params: Parameters, changed_only: bool = False, chart_paths: bool = True
) -> dict[str, Any]:
    """Every parameter as ``{"section.field": value}`` in section order (or, with
    ``changed_only``, those that differ from this orglearn version's defaults).

    With ``chart_paths=False`` an org chart's files are given as ``"sha256:<hash>"`` of their
    text instead of their path (a sweep's workers read them from temporary copies).
    """
    values = params.changes() if changed_only else {
        f"{section}.{name}": value
        for section in SECTIONS
        for name, value in getattr(params, section).model_dump(mode="json").items()
    }
    if not chart_paths:
        for key in (f"organisation.{name}" for name in _CHART_FILES):
            if values.get(key):
                values[key] = f"sha256:{file_sha256(values[key])}"
    return values


def run_metadata(scenario: Parameters, seed: Any, parameters: Parameters) -> dict[str, Any]:
    """The metadata of one run: ``orglearn_version``, ``scenario`` (its name), ``scenario_sha256``,
    ``seed`` and ``parameters`` (every parameter in force when the run started, dotted)."""
    return {
        "orglearn_version": __version__,
        "scenario": str(getattr(scenario, "name", "") or ""),
        "scenario_sha256": scenario_sha256(scenario),
        "seed": seed,
        "parameters": dotted_parameters(parameters),
    }


def schema_metadata(metadata: dict[str, Any]) -> dict[bytes, bytes]:
    """``metadata`` as Parquet schema metadata: one key, ``orglearn``, holding it as JSON."""
    return {METADATA_KEY: json.dumps(metadata, sort_keys=True, default=str).encode("utf-8")}


def sweep_metadata(sweep: Any, tasks: list[Any]) -> dict[str, Any]:
    """The metadata of a sweep (for its manifest and its Parquet parts): ``orglearn_version``,
    ``seed`` (the root seed), ``scenarios`` (each one's reference as in the runs table, name and
    content hash) and ``parameters`` (``varied``: the dotted names the design varies;
    ``fixed``: the values set in every run)."""
    from orglearn.scenarios import load
    from orglearn.scenarios.schema import Scenario

    scenarios, seen = [], set()
    for task in tasks:
        if task.scenario in seen:
            continue
        seen.add(task.scenario)
        scenario = Scenario.model_validate(task.spec) if task.spec else load(task.scenario)
        scenarios.append(
            {"scenario": task.scenario, "name": scenario.name, "sha256": scenario_sha256(scenario)}
        )
    return {
        "orglearn_version": __version__,
        "seed": sweep.seed,
        "scenarios": scenarios,
        "parameters": {"varied": list(sweep.vary), "fixed": dict(sweep.fixed)},
    }
