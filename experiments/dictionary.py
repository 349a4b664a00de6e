"""Data dictionaries: every file, column and key of a result set, with its type, unit and meaning.

Each result set gets two files beside its data: ``data_dictionary.csv`` (columns ``file``,
``column``, ``type``, ``unit``, ``description``; for tools) and ``data_dictionary.md`` (the
same, as tables; for people). A row with an empty ``column`` describes the file itself;
``file`` may name several files that share their columns (``timeseries.csv, timeseries.parquet``)
or a pattern (``runs/part-*.parquet``); ``column`` ``metric=<name>`` describes the rows of a long
table whose ``metric`` is ``<name>`` (its ``value``'s unit); ``parameters.<section.field>``
describes a key of a JSON object.

Descriptions come from one source: metrics and summary keys from `orglearn.simulation.metrics`
(`METRICS`, `summary_fields`), parameters from their definitions in
`orglearn.simulation.parameters`, and the columns of the tables below.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from orglearn.simulation.metrics import METRICS, SCALAR_METRICS, summary_fields
from orglearn.simulation.parameters import SECTIONS

__all__ = [
    "Entry",
    "DICTIONARY_FILES",
    "run_entries",
    "sweep_entries",
    "describe_results",
    "write_results_dictionary",
    "export_entries",
    "report_entries",
    "timeseries_entries",
    "write_dictionary",
    "read_dictionary",
    "arrow_type",
]

#: The files a data dictionary is written as.
DICTIONARY_FILES = ("data_dictionary.csv", "data_dictionary.md")


class Entry(NamedTuple):
    """One row of a data dictionary."""

    file: str
    column: str
    type: str
    unit: str
    description: str


#: Figures are written in three formats (`orglearn.experiments.plots.save_figure`).
FIGURE_FORMATS = "SVG (vector), PDF (vector) and PNG (300 dpi)"

#: The columns of a long time-series table, in order (``run_id`` only in sweeps).
TIMESERIES_COLUMNS: dict[str, tuple[str, str, str]] = {
    "run_id": ("integer", "", "The run (a row of the runs table)."),
    "step": ("integer", "steps (working days)", "The step; 0 is the initial state."),
    "metric": ("text", "", "The metric's name; see the metric=<name> rows for each one."),
    "scope": (
        "text", "",
        "What the value is measured over: 'organisation' (everyone) or 'department' (the "
        "members of one department; only for mean_knowledge).",
    ),
    "department": (
        "integer or empty", "",
        "The department's number (from 0) where scope is 'department'; empty (null) for the "
        "organisation.",
    ),
    "value": ("float", "the metric's unit", "The metric's value; empty (NaN) where undefined."),
}

#: The columns of a sweep's runs table that every sweep has.
RUN_COLUMNS: dict[str, tuple[str, str]] = {
    "run_id": ("", "The run's number, from 0, in the order scenarios x points x replicates."),
    "scenario": ("", "The scenario: a built-in name, or the absolute path of a scenario file."),
    "point_id": ("", "The parameter point of the design, from 0 (the same for every scenario)."),
    "replicate": ("", "The replication, from 0; replicate r shares its seed across scenarios "
                  "and points (common random numbers)."),
    "seed_entropy": ("", "The run's seed, with spawn_key: numpy.random.SeedSequence(seed_entropy, "
                     "spawn_key=(spawn_key,)) (a text column, since it may exceed 64 bits)."),
    "spawn_key": ("", "The spawn key of the run's SeedSequence (comma-separated integers)."),
    "status": ("", "'ok', or 'failed' if the model raised an error."),
    "error": ("", "The traceback of a failed run; empty for an ok run."),
    "steps_run": ("steps (working days)", "Steps run (fewer than asked if the sweep's [stop] "
                  "ended the run early)."),
    "worker": ("", "host:process id of the worker that ran the run (differs between sessions)."),
    "duration_s": ("seconds", "Wall-clock time of the run (differs between sessions)."),
    "model": ("", "The model class that ran the run, as module:Class."),
    "n_agents": ("people", "Headcount of the organisation."),
    "orglearn_version": ("", "The orglearn version that ran the run."),
    "scenario_sha256": ("", "SHA-256 of the scenario's content (parameters, interventions, "
                        "steps, chart files' text; not its name or descriptions), before the "
                        "point's values: equal hashes simulate the same scenario."),
    "changed_parameters": ("", "JSON object of the parameters that differed from orglearn's "
                           "defaults when the run started (scenario, fixed and point values), by "
                           "dotted name section.field; org-chart files as sha256:<hash of their "
                           "text>."),
}

#: The top-level keys of a sweep's manifest.json.
MANIFEST_KEYS: dict[str, tuple[str, str]] = {
    "sweep_file": ("text", "The sweep file's exact text."),
    "sweep_sha256": ("text", "SHA-256 of the sweep file's text; a resume must match it."),
    "sweep": ("object", "The validated sweep as run (scenarios, replications, seed, steps, "
              "record, metrics, design, vary, fixed, stop), overrides included."),
    "overrides": ("object", "What replaced the sweep file's values (orglearn sweep's "
                  "--replications, --steps, --seed, --set, --model, or Sweep.with_overrides); "
                  "a resume must give the same."),
    "total_runs": ("integer", "Runs in the sweep: scenarios x points x replications."),
    "created": ("text", "When the results folder was created (UTC, ISO 8601)."),
    "sessions": ("list of objects", "One per session of orglearn sweep: started, finished, "
                 "backend, package versions here and on the workers, git commit, runs ran, "
                 "and the damaged parts it moved to quarantine/ (quarantined)."),
    "parts": ("list of objects", "Every Parquet part of the results: file, rows, bytes and "
              "sha256 as written (also in parts.jsonl, line by line as they are written)."),
    "rebuilt": ("text", "When a damaged manifest was rebuilt from the parts by a --resume "
                "(UTC); absent otherwise. Sessions before it are not listed."),
    "status": ("text", "running, interrupted, complete or complete with failed runs."),
    "orglearn_version": ("text", "The orglearn version that created the results."),
    "seed": ("integer", "The entropy of the sweep's root numpy.random.SeedSequence."),
    "scenarios": ("list of objects", "Each scenario of the sweep: scenario (as in the runs "
                  "table), name, and sha256 (its content hash, as in the runs table)."),
    "parameters": ("object", "varied: the dotted names of the parameters the design varies; "
                   "fixed: the values set in every run, by dotted name."),
}

#: The top-level keys of ``orglearn run``'s summary.json besides the summary's own.
RUN_METADATA_KEYS: dict[str, tuple[str, str, str]] = {
    "orglearn_version": ("text", "", "The orglearn version that ran the run."),
    "scenario_sha256": ("text", "", "SHA-256 of the scenario's content as run (parameters, "
                        "interventions, steps, chart files' text; not its name or descriptions)."),
    "seed": ("integer", "", "The seed: orglearn run --seed <seed> repeats the run exactly."),
    "parameters": ("object", "", "Every parameter in force when the run started, by dotted "
                   "name section.field (the parameters.<name> rows)."),
}


def arrow_type(kind: pa.DataType) -> str:
    """A plain name for an Arrow type."""
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text"
    return str(kind)


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if value is None:
        return "empty"
    if isinstance(value, str):
        return "text"
    return "list" if isinstance(value, list) else "object"


#: Metrics of a group of people that may be empty (no hoarders): then undefined.
_UNDEFINED_WHEN_EMPTY = ("reputation_hoarders", "reputation_others", "knowledge_hoarders",
                         "knowledge_others")


def _summary_type(key: str) -> str:
    if key == "scenario":
        return "text"
    if key in ("n_agents", "steps"):
        return "integer"
    if key in ("t50", "t90"):
        return "integer or empty"
    name = key.split("_", 1)[1]
    if name in METRICS and "per step" in METRICS[name].unit and not name.startswith("gain_"):
        return "integer"
    return "float or empty" if name in _UNDEFINED_WHEN_EMPTY else "float"


def parameter_description(key: str) -> tuple[str, str, str]:
    """``(type, unit, description)`` of a dotted parameter or lever key."""
    section, _, name = key.partition(".")
    if section in SECTIONS and name in SECTIONS[section].model_fields:
        field = SECTIONS[section].model_fields[name]
        described = field.description or ""
    else:
        try:  # a lever: a field of an intervention (orglearn.experiments.levers)
            from orglearn.experiments.levers import field_info, parse_lever

            field = field_info(parse_lever(key))
            described = f"Intervention field: {field.description or name}"
        except Exception:  # noqa: BLE001 - an unknown key is described as such
            return "", "", "A value set by the sweep."
    annotation = field.annotation
    kind = {bool: "boolean", int: "integer", float: "float", str: "text"}.get(annotation, "")
    return kind, "", described


def timeseries_entries(file: str, run_id: bool) -> list[Entry]:
    """The columns of a long time-series table and the meaning of each metric's rows."""
    out = [
        Entry(file, column, kind, unit, description)
        for column, (kind, unit, description) in TIMESERIES_COLUMNS.items()
        if run_id or column != "run_id"
    ]
    for name in SCALAR_METRICS:
        metric = METRICS[name]
        out.append(Entry(file, f"metric={name}", "float", metric.unit,
                         f"{metric.label[0].upper()}{metric.label[1:]}: {metric.description}"))
    return out


def _dictionary_entries() -> list[Entry]:
    return [Entry(", ".join(DICTIONARY_FILES), "", "", "",
                  "This data dictionary: every file and column of this folder (CSV for tools, "
                  "Markdown for people).")]


def run_entries(summary: dict[str, Any], figures: Iterable[str]) -> list[Entry]:
    """The data dictionary of ``orglearn run``'s output folder.

    Args:
        summary: the summary.json written (its keys, and its parameters, are described).
        figures: the figure files written.
    """
    series = "timeseries.csv, timeseries.parquet"
    out = [Entry(series, "", "", "", "Every metric at every step, long format: one row per "
                 "step, metric and scope. The Parquet file's schema metadata (key 'orglearn') "
                 "holds the run's metadata as in summary.json.")]
    out += timeseries_entries(series, run_id=False)
    out.append(Entry("summary.json", "", "", "", "The run's headline results and metadata."))
    fields = summary_fields()
    for key, value in summary.items():
        if key in RUN_METADATA_KEYS:
            kind, unit, description = RUN_METADATA_KEYS[key]
        elif key in fields:
            kind, (_, unit, description) = _summary_type(key), fields[key]
        else:
            kind, unit, description = _value_type(value), "", ""
        if key == "scenario":
            description = "The scenario's name (empty if the run had none)."
        out.append(Entry("summary.json", key, kind, unit, description))
    for key in summary.get("parameters", {}):
        kind, unit, description = parameter_description(key)
        out.append(Entry("summary.json", f"parameters.{key}", kind, unit, description))
    names = sorted(figures)
    if names:
        out.append(Entry(", ".join(names), "", "figure", "",
                         f"Left: mean knowledge over time, for the organisation and each "
                         f"department. Right: the share of staff who know the seeded new idea, "
                         f"with the days it took to reach half and 90% of staff (or 'not "
                         f"reached' if the run ended first). {FIGURE_FORMATS}."))
    return out + _dictionary_entries()


def runs_entries(file: str, schema: pa.Schema) -> list[Entry]:
    """The columns of a sweep's runs table, from its schema."""
    fields = summary_fields()
    out = []
    for field in schema:
        kind = arrow_type(field.type)
        if field.name in RUN_COLUMNS:
            unit, description = RUN_COLUMNS[field.name]
        elif field.name in fields:
            _, unit, description = fields[field.name]
            if field.name in ("t50", "t90"):
                kind = "float or empty"
        elif "." in field.name:
            _, unit, described = parameter_description(field.name)
            description = f"Varied in the sweep ([vary]): the value this run used. {described}"
        else:
            unit, description = "", ""
        out.append(Entry(file, field.name, kind, unit, description))
    return out


def sweep_entries(
    runs_schema: pa.Schema,
    manifest: dict[str, Any] | None = None,
    report: Iterable[str] | None = None,
    report_columns: Iterable[str] | None = None,
) -> list[Entry]:
    """The data dictionary of a sweep's results folder.

    Args:
        runs_schema: the schema of the runs table.
        manifest: the manifest written (its top-level keys are described); None for the keys
            orglearn writes.
        report: the files of ``orglearn report`` (paths relative to the folder), if any.
        report_columns: the columns of ``report/summary.csv``, if written.
    """
    out = [Entry("manifest.json", "", "", "", "What the sweep was and every session that ran "
                 "it: the sweep file and its hash, package versions, git commit.")]
    for key in (manifest or MANIFEST_KEYS):
        kind, description = MANIFEST_KEYS.get(key, ("", ""))
        out.append(Entry("manifest.json", key, kind, "", description))
    runs = "runs/part-*.parquet, runs.csv"
    out.append(Entry(runs, "", "", "", "The runs table: one row per run (its identity, seed, "
                     "status, metadata and outcomes). The Parquet parts are written as runs "
                     "finish; runs.csv is rewritten at the end of each session. A failed run "
                     "that was run again keeps its ok row. Parquet schema metadata (key "
                     "'orglearn'): the sweep's metadata."))
    out += runs_entries(runs, runs_schema)
    series = "timeseries/part-*.parquet, timeseries.csv"
    out.append(Entry(series, "", "", "", "The time series of every run, long format: one row "
                     "per run, step, metric and scope (all steps, or the last one if the sweep "
                     "records only the end). timeseries.csv is written by orglearn export."))
    out += timeseries_entries(series, run_id=True)
    out.append(Entry("parts.jsonl", "", "", "", "The record of every Parquet part written, one "
                     "JSON line each, appended as the part is written: file, rows, bytes, "
                     "sha256 (a line with quarantined = true: the part was moved to "
                     "quarantine/). manifest.json's parts holds the same at the end of each "
                     "session. orglearn sweep --verify and --resume check the parts against it."))
    out.append(Entry("quarantine/runs/part-*.parquet, quarantine/timeseries/part-*.parquet", "",
                     "", "", "Parts found damaged by a --resume (their bytes differ from the "
                     "record, or they cannot be read), kept for inspection; their runs were "
                     "done again. They are not read as results."))
    out.append(Entry(".lock", "", "", "", "The folder's lock: held by the session writing the "
                     "results (a second session is refused), released by the operating system "
                     "when that process ends. It records the holder's pid, host and start time."))
    if report:
        out += report_entries(report, report_columns or ())
    return out + _dictionary_entries()


def describe_results(root: str | Path, runs_schema: pa.Schema | None = None) -> list[Entry]:
    """The data dictionary of a sweep's results folder as it is now: its manifest, runs table
    (``runs_schema``, or read from the runs parts) and, once ``orglearn report`` has run, the
    report's files and table."""
    import json

    import pyarrow.dataset as ds

    root = Path(root)
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if runs_schema is None:
        parts = sorted((root / "runs").glob("part-*.parquet"))
        runs_schema = ds.dataset(parts, format="parquet").schema
    report, columns = None, None
    if (root / "report.html").exists():
        folder = root / "report"
        report = [p.relative_to(root).as_posix() for p in sorted(folder.glob("*")) if p.is_file()]
        if (folder / "summary.csv").exists():
            with open(folder / "summary.csv", newline="", encoding="utf-8") as handle:
                columns = next(csv.reader(handle), [])
    return sweep_entries(runs_schema, manifest, report, columns)


def write_results_dictionary(root: str | Path, runs_schema: pa.Schema | None = None) -> list[Path]:
    """Write the data dictionary of a sweep's results folder (see `describe_results`)."""
    import json

    root = Path(root)
    manifest_path = root / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    title = (manifest.get("sweep") or {}).get("title") or root.name
    return write_dictionary(describe_results(root, runs_schema), root, f"sweep results, {title}")


#: The columns of ``report/discovery.csv`` (scenario discovery by PRIM, `orglearn.reports.discovery`):
#: one row per parameter limit of each box found.
DISCOVERY_COLUMNS: dict[str, tuple[str, str, str]] = {
    "scenario": ("string", "", "The scenario whose runs were searched."),
    "box": ("integer", "", "The box's number (1 is found first and explains the most failures)."),
    "parameter": ("string", "", "The varied parameter this row limits (section.field)."),
    "low": ("float", "parameter", "Lower end of the box on this parameter."),
    "high": ("float", "parameter", "Upper end of the box on this parameter."),
    "sampled_low": ("float", "parameter", "Lowest value of this parameter in the sweep."),
    "sampled_high": ("float", "parameter", "Highest value of this parameter in the sweep."),
    "coverage": ("float", "share", "Share of all failing runs that lie inside the box."),
    "density": ("float", "share", "Share of the runs inside the box that fail."),
    "mass": ("float", "share", "Share of all runs that lie inside the box."),
    "runs": ("integer", "runs", "Runs searched for this scenario."),
    "failures": ("integer", "runs", "Runs that failed (how failing is defined is stated in the "
                 "report: t90 not reached, or the slowest quarter if every run reached it)."),
    "p_value": ("float", "", "Share of 99 permutations of the outcomes (within replicates) whose "
                "best box scores at least as well: small means the box is not chance."),
}


def report_entries(files: Iterable[str], columns: Iterable[str]) -> list[Entry]:
    """The files of ``orglearn report`` and the columns of its ``report/summary.csv``."""
    files = sorted(files)
    out = [Entry("report.html", "", "", "", "The sweep's report: figures, plain-language "
                 "comparisons and the outcome table (mean and 95% confidence interval).")]
    figures = [f for f in files if f.rsplit(".", 1)[-1] in ("png", "svg", "pdf")]
    others = [
        f for f in files if f not in figures and f not in ("report/summary.csv", "report/discovery.csv")
    ]
    if "report/discovery.csv" in files:
        out.append(Entry("report/discovery.csv", "", "", "", "Scenario discovery: the parameter "
                         "ranges (boxes, found by PRIM) in which the idea fails to spread."))
        out += [Entry("report/discovery.csv", c, *v) for c, v in DISCOVERY_COLUMNS.items()]
    if others:
        out.append(Entry(", ".join(others), "", "", "", "Written by orglearn report."))
    if figures:
        out.append(Entry(", ".join(figures), "", "figure", "",
                         f"The report's figures, each in {FIGURE_FORMATS}; each states the "
                         "number of runs and marks runs that never reached a level (censored)."))
    fields = summary_fields()
    table = "report/summary.csv"
    columns = list(columns)
    if columns:
        out.append(Entry(table, "", "", "", "The outcome table: per scenario (and point), the "
                         "mean and 95% confidence interval of each outcome over its ok runs."))
    for column in columns:
        base = column.removesuffix("_low").removesuffix("_high").removesuffix("_reached")
        if column == "runs":
            entry = ("integer", "runs", "Runs that finished ok in the group.")
        elif column.endswith("_reached"):
            entry = ("integer", "runs", f"Runs in which {base} was reached; the others never "
                     "reached it within the run (censored).")
        elif base in fields:
            label, unit, _ = fields[base]
            censored = ""
            if base in ("t50", "t90"):
                censored = (" Runs that never reached the level count as their length plus one, "
                            "so with censored runs the mean is a lower bound.")
            if column.endswith("_low"):
                entry = ("float", unit, f"Lower end of the 95% confidence interval of the mean "
                         f"{label}.{censored}")
            elif column.endswith("_high"):
                entry = ("float", unit, f"Upper end of the 95% confidence interval of the mean "
                         f"{label}.{censored}")
            else:
                entry = ("float", unit, f"Mean {label} over the group's runs.{censored}")
        elif column in RUN_COLUMNS:
            entry = ("", *RUN_COLUMNS[column])
        elif "." in column:
            kind, unit, described = parameter_description(column)
            entry = (kind, unit, f"Varied in the sweep. {described}")
        else:
            entry = ("", "", "")
        out.append(Entry(table, column, *entry))
    return out


def export_entries(runs_schema: pa.Schema | None, timeseries: bool) -> list[Entry]:
    """The data dictionary of ``orglearn export``'s CSV files."""
    out = []
    if runs_schema is not None:
        out.append(Entry("runs.csv", "", "", "", "The runs table: one row per run."))
        out += runs_entries("runs.csv", runs_schema)
    if timeseries:
        out.append(Entry("timeseries.csv", "", "", "", "The time series of every run, long "
                         "format (empty cells are nulls)."))
        out += timeseries_entries("timeseries.csv", run_id=True)
    return out + _dictionary_entries()


def write_dictionary(entries: list[Entry], folder: str | Path, title: str) -> list[Path]:
    """Write ``data_dictionary.csv`` and ``data_dictionary.md`` into ``folder``, atomically."""
    folder = Path(folder)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(Entry._fields)
    writer.writerows(entries)
    lines = [f"# Data dictionary: {title}", "",
             "Every file and column of this folder: its type, unit and meaning. The same, for "
             "tools: data_dictionary.csv.", ""]
    for file in dict.fromkeys(e.file for e in entries):
        own = [e for e in entries if e.file == file]
        lines += [f"## {file}", ""]
        lines += [e.description for e in own if not e.column and e.description] + [""]
        rows = [e for e in own if e.column]
        if rows:
            lines += ["| Column | Type | Unit | Description |", "|---|---|---|---|"]
            lines += [f"| `{e.column}` | {e.type} | {e.unit} | {_md(e.description)} |"
                      for e in rows]
            lines.append("")
    written = []
    for name, text in zip(DICTIONARY_FILES, (buffer.getvalue(), "\n".join(lines))):
        path, tmp = folder / name, folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written


def read_dictionary(folder: str | Path) -> list[Entry]:
    """The entries of a folder's ``data_dictionary.csv``."""
    with open(Path(folder) / DICTIONARY_FILES[0], newline="", encoding="utf-8") as handle:
        return [Entry(**row) for row in csv.DictReader(handle)]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
