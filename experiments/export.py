"""CSV export of a sweep's results, streamed part by part so memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from orglearn.experiments.dictionary import (
    export_entries,
    write_dictionary,
    write_results_dictionary,
)
from orglearn.experiments.integrity import check_sound
from orglearn.experiments.store import write_runs_csv

__all__ = ["export_csv"]


def export_csv(directory: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write ``runs.csv`` and ``timeseries.csv`` for a results directory, and their data
    dictionary (``data_dictionary.csv`` and ``.md``, `orglearn.experiments.dictionary`).

    The time series is written batch by batch, so a sweep of any size exports in bounded memory.
    Its ``department`` column is empty for the organisation.

    Raises:
        ResultsDamaged: a part is damaged (`integrity.check_sound`); nothing is written.
    """
    root = Path(directory)
    check_sound(root)  # before writing anything
    target = Path(out) if out else root
    target.mkdir(parents=True, exist_ok=True)
    written = []
    runs_schema = None
    if any((root / "runs").glob("part-*.parquet")):  # one row per run: small, read whole
        runs_schema = ds.dataset(root / "runs", format="parquet").schema
        written.append(write_runs_csv(root, target))
    if any((root / "timeseries").glob("part-*.parquet")):
        dataset = ds.dataset(root / "timeseries", format="parquet")
        path, tmp = target / "timeseries.csv", target / ".timeseries.csv.tmp"
        with pacsv.CSVWriter(tmp, dataset.schema) as writer:
            for batch in dataset.to_batches():
                writer.write_batch(batch)
        tmp.replace(path)
        written.append(path)
    if written and target.resolve() == root.resolve():  # beside the results: describe them all
        written += write_results_dictionary(root)
    elif written:
        has_series = any(p.name == "timeseries.csv" for p in written)
        entries = export_entries(runs_schema, has_series)
        written += write_dictionary(entries, target, f"CSV export of {root.name}")
    return written
