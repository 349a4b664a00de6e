"""A sweep's results on disk: Parquet parts written as runs finish, and a manifest.

Layout of a results directory::

    manifest.json              the sweep file and its hash, orglearn's version, the scenarios
                               and their content hashes, sessions (versions here and on the
                               workers, git commit)
    runs/part-000001.parquet   one row per finished run (parameters, seed, status, metadata,
                               outcomes)
    timeseries/part-000001.parquet   long format: run_id, step, metric, scope, department, value
    runs.csv                   the runs table as CSV, rewritten at the end of each session
    data_dictionary.csv, .md   every file and column (`orglearn.experiments.dictionary`)

Every Parquet part carries the sweep's metadata in its schema metadata (key ``orglearn``, a JSON
object: orglearn version, sweep hash, seed, scenarios and their hashes, parameters) and each
column's description and unit in its field metadata.

Every part is written to a temporary name and renamed into place, time series first. A run
counts as done when its row is in a runs part, so after a crash a time-series part without its
runs part is an orphan: `ResultStore.open` deletes it and the runs are done again, which keeps
a resumed sweep free of duplicates. A failed run that is run again (``--retry-failed``) gets a
second row in a later part; readers keep one row per run, its ``ok`` row if it has one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from orglearn.experiments.dictionary import Entry, sweep_entries, write_results_dictionary
from orglearn.experiments.metadata import schema_metadata

__all__ = ["ResultStore", "Results", "load_results", "write_runs_csv", "TIMESERIES_SCHEMA"]

TIMESERIES_SCHEMA = pa.schema(
    [
        ("run_id", pa.int64()),
        ("step", pa.int64()),
        ("metric", pa.string()),
        ("scope", pa.string()),
        ("department", pa.int64()),  # null for the organisation
        ("value", pa.float64()),
    ]
)


class ResultStore:
    """Appends finished runs to a results directory in atomic Parquet parts."""

    def __init__(
        self, root: Path, runs_schema: pa.Schema, metadata: dict[str, Any] | None = None
    ) -> None:
        """Use ``root``; call `open` before writing.

        Args:
            root: the results directory.
            runs_schema: the runs table's schema.
            metadata: the sweep's metadata, written into every part's schema metadata.
        """
        self.root = Path(root)
        entries = sweep_entries(runs_schema)
        own = schema_metadata(metadata) if metadata else {}
        self.runs_schema = _annotated(runs_schema, entries).with_metadata(own)
        self.timeseries_schema = _annotated(TIMESERIES_SCHEMA, entries).with_metadata(own)
        self.recorded: set[int] = set()  # ids of the runs with a row, failed or not (see open)
        self._next = 1

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / "manifest.json"

    def open(self, retry_failed: bool = False) -> set[int]:
        """Create the folders, drop orphan parts, and return the ids of runs already done
        (with ``retry_failed``, only those that finished ``ok``)."""
        for sub in ("runs", "timeseries"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob("*/.*.tmp"):
            stale.unlink()
        runs_parts = {p.name for p in (self.root / "runs").glob("part-*.parquet")}
        for part in (self.root / "timeseries").glob("part-*.parquet"):
            if part.name not in runs_parts:
                part.unlink()
        self.write_dictionary()
        numbers = [int(n[5:11]) for n in runs_parts]
        self._next = max(numbers, default=0) + 1
        if not runs_parts:
            self.recorded = set()
            return set()
        table = pq.read_table(self.root / "runs", columns=["run_id", "status"])
        ids, status = table.column("run_id").to_pylist(), table.column("status").to_pylist()
        self.recorded = set(ids)
        return {i for i, s in zip(ids, status) if s == "ok" or not retry_failed}

    def append(self, runs: list[dict[str, Any]], timeseries: list[dict[str, Any]]) -> None:
        """Write one part: the runs' time series, then their rows."""
        if not runs:
            return
        name = f"part-{self._next:06d}.parquet"
        self._next += 1
        if timeseries:
            schema = self.timeseries_schema
            columns = {}
            for col in schema.names:
                values = _concat([t[col] for t in timeseries])
                mask = np.asarray(values) < 0 if col == "department" else None  # -1: none
                columns[col] = pa.array(values, type=schema.field(col).type, mask=mask)
            _atomic_write(pa.table(columns, schema=schema), self.root / "timeseries" / name)
        table = pa.Table.from_pylist(runs, schema=self.runs_schema)
        _atomic_write(table, self.root / "runs" / name)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        tmp = self.root / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if there is none yet."""
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def write_dictionary(self) -> list[Path]:
        """Write the data dictionary of the results directory (`experiments.dictionary`)."""
        return write_results_dictionary(self.root, self.runs_schema)

    def export_runs_csv(self) -> Path:
        """Write ``runs.csv`` from the runs parts."""
        return write_runs_csv(self.root)


def write_runs_csv(root: Path, folder: Path | None = None) -> Path:
    """Write ``runs.csv``, one row per run, from ``root``'s runs parts (into ``folder``)."""
    folder = Path(root) if folder is None else Path(folder)
    path = folder / "runs.csv"
    tmp = folder / ".runs.csv.tmp"
    _read_runs(Path(root)).to_csv(tmp, index=False)
    os.replace(tmp, path)
    return path


def _concat(arrays):
    return np.concatenate(arrays) if arrays else []


def _annotated(schema: pa.Schema, entries: list[Entry]) -> pa.Schema:
    """``schema`` with each described column's description and unit as field metadata."""
    described = {e.column: e for e in entries if e.column}
    fields = []
    for field in schema:
        entry = described.get(field.name)
        if entry is not None and entry.description:
            meta = {"description": entry.description}
            if entry.unit:
                meta["unit"] = entry.unit
            field = field.with_metadata(meta)
        fields.append(field)
    return pa.schema(fields, metadata=schema.metadata)


def _atomic_write(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def _read_runs(root: Path) -> pd.DataFrame:
    runs = root / "runs"
    if not any(runs.glob("part-*.parquet")):
        return pd.DataFrame()
    table = ds.dataset(sorted(runs.glob("part-*.parquet")), format="parquet").to_table()
    frame = table.to_pandas()
    # One row per run: a retried run's ok row, else its latest failure (parts are in order).
    frame["_ok"] = frame["status"] == "ok"
    frame = frame.sort_values(["run_id", "_ok"], kind="stable").drop_duplicates("run_id", keep="last")
    return frame.drop(columns="_ok").reset_index(drop=True)


@dataclass(frozen=True)
class Results:
    """A sweep's results: the runs table, the long time series and the manifest."""

    runs: pd.DataFrame
    timeseries: pd.DataFrame | None
    manifest: dict[str, Any]


def load_results(
    directory: str | Path,
    timeseries: bool = True,
    metrics: list[str] | None = None,
    scope: str | None = "organisation",
) -> Results:
    """Read a results directory written by `experiments.run_sweep`.

    Args:
        directory: the sweep's ``--out`` directory.
        timeseries: also read the time series (set False for the runs table only).
        metrics: read only these metrics of the time series (default: all).
        scope: read only this scope, ``organisation`` (the default) or ``department`` (None
            for both).

    Returns:
        `Results` with ``runs`` (one row per run) and ``timeseries`` (long format: run_id,
        step, metric, scope, department (a nullable integer, empty for the organisation),
        value, with the run's scenario, point and replicate joined in).
    """
    root = Path(directory)
    manifest_path = root / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{root} holds no sweep results (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    runs = _read_runs(root)
    series = None
    if timeseries and any((root / "timeseries").glob("part-*.parquet")):
        data = ds.dataset(root / "timeseries", format="parquet")
        condition = None
        if metrics:
            condition = ds.field("metric").isin(metrics)
        if scope is not None:
            by_scope = ds.field("scope") == scope
            condition = by_scope if condition is None else condition & by_scope
        series = data.to_table(filter=condition).to_pandas()
        if "department" in series:
            series["department"] = series["department"].astype("Int64")
        keys = runs[["run_id", "scenario", "point_id", "replicate"]]
        series = series.merge(keys, on="run_id", how="left")
    return Results(runs=runs, timeseries=series, manifest=manifest)
