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
    parts.jsonl                every part's rows, bytes and SHA-256, as written
                               (`orglearn.experiments.integrity`)
    quarantine/                damaged parts a resume moved aside (their runs were redone)
    .lock                      held by the session writing (`orglearn.experiments.lock`)

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
from orglearn.experiments.integrity import (
    ResultsDamaged,
    append_record,
    part_record,
    read_manifest,
    recorded_parts,
    verify,
)
from orglearn.experiments.metadata import METADATA_KEY, schema_metadata

__all__ = ["ResultStore", "Results", "ResultsDamaged", "load_results", "write_runs_csv",
           "TIMESERIES_SCHEMA"]

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
        self.quarantined: list[str] = []  # parts moved to quarantine/ by open
        self._next = 1

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / "manifest.json"

    def open(self, retry_failed: bool = False) -> set[int]:
        """Create the folders, check every part against its record (`integrity.verify`),
        move damaged parts (with their twins) to ``quarantine/``, drop orphan parts, and
        return the ids of runs already done (with ``retry_failed``, only those that finished
        ``ok``). What was quarantined is left in ``quarantined``."""
        for sub in ("runs", "timeseries"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob("*/.*.tmp"):
            stale.unlink()
        found = verify(self.root)
        self.quarantined = self._quarantine([file for file, _ in found.damaged])
        for record in found.unrecorded:
            if record["file"] not in self.quarantined:
                append_record(self.root, record)
        runs_parts = {p.name for p in (self.root / "runs").glob("part-*.parquet")}
        for part in (self.root / "timeseries").glob("part-*.parquet"):
            if part.name not in runs_parts:
                part.unlink()
        self.write_dictionary()
        numbers = [int(n[5:11]) for n in runs_parts]
        numbers += [int(Path(f).name[5:11]) for f in self.quarantined]  # never reuse a name
        self._next = max(numbers, default=0) + 1
        if not runs_parts:
            self.recorded = set()
            return set()
        table = pq.read_table(self.root / "runs", columns=["run_id", "status"])
        ids, status = table.column("run_id").to_pylist(), table.column("status").to_pylist()
        self.recorded = set(ids)
        return {i for i, s in zip(ids, status) if s == "ok" or not retry_failed}

    def _quarantine(self, damaged: list[str]) -> list[str]:
        """Move damaged parts and their twins to ``quarantine/``; returns the files moved."""
        moved: list[str] = []
        names = sorted({Path(file).name for file in damaged})
        for name in names:
            for table in ("runs", "timeseries"):
                path = self.root / table / name
                if path.exists():
                    target = self.root / "quarantine" / table / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
                    moved.append(f"{table}/{name}")
                    append_record(self.root, {"file": f"{table}/{name}", "quarantined": True})
        return moved

    def parts(self) -> list[dict[str, Any]]:
        """The record of every part written (for the manifest's ``parts``), in order."""
        manifest = None
        try:
            manifest = self.read_manifest()
        except ResultsDamaged:
            pass
        records = recorded_parts(self.root, manifest)
        return [records[name] for name in sorted(records)
                if (self.root / name).exists()]

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
            series = pa.table(columns, schema=schema)
            path = _atomic_write(series, self.root / "timeseries" / name)
            append_record(self.root, part_record(path, self.root, series.num_rows))
        table = pa.Table.from_pylist(runs, schema=self.runs_schema)
        path = _atomic_write(table, self.root / "runs" / name)
        append_record(self.root, part_record(path, self.root, table.num_rows))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        tmp = self.root / ".manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or None if there is none yet.

        Raises:
            ResultsDamaged: it cannot be read (cut short, say).
        """
        manifest, problem = read_manifest(self.root)
        if problem:
            raise ResultsDamaged(f"{self.manifest_path}: {problem}")
        return manifest

    def sweep_hash_of_parts(self) -> str | None:
        """The sweep hash that the readable parts carry in their metadata (None if none)."""
        for path in sorted((self.root / "runs").glob("part-*.parquet")):
            try:
                meta = pq.read_schema(path).metadata or {}
                return json.loads(meta[METADATA_KEY]).get("sweep_sha256")
            except Exception:  # noqa: BLE001 - a damaged part: try the next
                continue
        return None

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


def _atomic_write(table: pa.Table, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return path


def _read_parts(root: Path, table: str, **kwargs) -> pa.Table:
    """One table's parts read together; a part that cannot be read is named in one line."""
    paths = sorted((root / table).glob("part-*.parquet"))
    try:
        return ds.dataset(paths, format="parquet").to_table(**kwargs)
    except (pa.ArrowException, OSError) as err:
        for path in paths:
            try:
                pq.read_metadata(path)
                pq.read_table(path, columns=[])
            except Exception:  # noqa: BLE001
                break
        else:
            path = root / table
        first = (str(err).splitlines() or [type(err).__name__])[0]
        raise ResultsDamaged(
            f"{path}: damaged, it cannot be read ({first}); `orglearn sweep --verify {root}` "
            "lists all damage, and resuming the sweep redoes the runs of damaged parts"
        ) from None


def _read_runs(root: Path) -> pd.DataFrame:
    runs = root / "runs"
    if not any(runs.glob("part-*.parquet")):
        return pd.DataFrame()
    table = _read_parts(root, "runs")
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
    manifest, problem = read_manifest(root)
    if problem:
        raise ResultsDamaged(f"{manifest_path}: {problem}; resuming the sweep "
                             "(orglearn sweep ... --resume) rebuilds it from the parts")
    runs = _read_runs(root)
    series = None
    if timeseries and any((root / "timeseries").glob("part-*.parquet")):
        condition = None
        if metrics:
            condition = ds.field("metric").isin(metrics)
        if scope is not None:
            by_scope = ds.field("scope") == scope
            condition = by_scope if condition is None else condition & by_scope
        series = _read_parts(root, "timeseries", filter=condition).to_pandas()
        if "department" in series:
            series["department"] = series["department"].astype("Int64")
        keys = runs[["run_id", "scenario", "point_id", "replicate"]]
        series = series.merge(keys, on="run_id", how="left")
    return Results(runs=runs, timeseries=series, manifest=manifest)
