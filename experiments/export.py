"""CSV export of a sweep's results, streamed part by part so memory stays bounded."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.dataset as ds

__all__ = ["export_csv"]


def export_csv(directory: str | Path, out: str | Path | None = None) -> list[Path]:
    """Write ``runs.csv`` and ``timeseries.csv`` for a results directory.

    The time series is written batch by batch, so a sweep of any size exports in bounded memory.
    """
    root = Path(directory)
    target = Path(out) if out else root
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("runs", "timeseries"):
        if not any((root / name).glob("part-*.parquet")):
            continue
        dataset = ds.dataset(root / name, format="parquet")
        path = target / f"{name}.csv"
        tmp = target / f".{name}.csv.tmp"
        with pacsv.CSVWriter(tmp, dataset.schema) as writer:
            for batch in dataset.to_batches():
                writer.write_batch(batch)
        tmp.replace(path)
        written.append(path)
    return written
