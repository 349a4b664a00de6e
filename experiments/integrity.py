"""Results that verify themselves: every Parquet part's row count, size and checksum on record.

Each part is recorded when it is written: one line appended to ``parts.jsonl`` (flushed to
disk), and at the end of each session the whole list goes into ``manifest.json`` (``parts``).
`verify` compares the parts on disk with the record and reads any part not on record (a crash
can land between a part's rename and its line); it changes nothing. `ResultStore.open` acts on
its findings before a resume: damaged parts are moved to ``quarantine/`` with their twin (the
other table's part of the same number), so that their runs are done again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

__all__ = ["PARTS_LOG", "part_record", "recorded_parts", "append_record", "verify",
           "check_sound", "Verification", "ResultsDamaged"]

#: The append-only record of the parts written, in the results folder.
PARTS_LOG = "parts.jsonl"
_TABLES = ("runs", "timeseries")


class ResultsDamaged(ValueError):
    """A results folder whose files cannot be read as written; the message is one line."""


def part_record(path: Path, root: Path, rows: int | None = None) -> dict[str, Any]:
    """What is recorded of a part: its path in the folder, rows, bytes and SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if rows is None:
        rows = pq.ParquetFile(path).metadata.num_rows
    return {"file": path.relative_to(root).as_posix(), "rows": int(rows),
            "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def append_record(root: Path, record: dict[str, Any]) -> None:
    """Append one part's record to the log, on disk before returning."""
    with open(root / PARTS_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def recorded_parts(root: Path, manifest: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Every part on record, by file: the manifest's ``parts``, then the log's lines (a
    last line cut short by a crash is ignored: its part is read instead)."""
    records: dict[str, dict[str, Any]] = {}
    for record in (manifest or {}).get("parts", []) or []:
        if isinstance(record, dict) and "file" in record:
            records[record["file"]] = record
    log = root / PARTS_LOG
    if log.exists():
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and "file" in record:
                if record.get("quarantined"):  # moved away by a resume: no longer a part
                    records.pop(record["file"], None)
                else:
                    records[record["file"]] = record
    return records


@dataclass
class Verification:
    """What `verify` found.

    Attributes:
        parts: parts checked.
        damaged: ``(file, why)`` for parts whose bytes differ from the record or that cannot be
            read.
        unrecorded: readable parts not on record (written just before a crash); sound.
        missing: parts on record whose file is gone.
        orphans: time-series parts without their runs part (a crash between the two).
        manifest: a problem with manifest.json, or None.
    """

    parts: int = 0
    damaged: list[tuple[str, str]] = field(default_factory=list)
    unrecorded: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    manifest: str | None = None

    @property
    def sound(self) -> bool:
        """Whether nothing is damaged or missing (unrecorded parts and orphans are expected
        after a crash, and a resume handles them)."""
        return not (self.damaged or self.missing or self.manifest)

    def lines(self) -> list[str]:
        """The findings, one line each."""
        out = [f"{file}: damaged ({why})" for file, why in self.damaged]
        out += [f"{file}: on record but missing" for file in self.missing]
        out += [f"{r['file']}: not on record (written just before a crash?); it reads "
                "correctly and a resume keeps it" for r in self.unrecorded]
        out += [f"{file}: time series without its runs part (a crash between the two); a "
                "resume deletes it and redoes its runs" for file in self.orphans]
        if self.manifest:
            out.append(f"manifest.json: {self.manifest}")
        return out


def read_manifest(root: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The manifest (None if there is none) and a problem if it cannot be read."""
    path = root / "manifest.json"
    if not path.exists():
        return None, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        return None, f"damaged, it is not JSON ({err})"
    if not isinstance(data, dict) or "sweep_sha256" not in data:
        return None, "damaged, it is not a sweep's manifest"
    return data, None


def verify(root: str | Path) -> Verification:
    """Check every part of a results folder against its record; changes nothing."""
    root = Path(root)
    found = Verification()
    manifest, found.manifest = read_manifest(root)
    records = recorded_parts(root, manifest)
    on_disk = {table: sorted((root / table).glob("part-*.parquet")) for table in _TABLES}
    for table, paths in on_disk.items():
        for path in paths:
            found.parts += 1
            name = path.relative_to(root).as_posix()
            record = records.get(name)
            problem = _check(path, root, record)
            if problem:
                found.damaged.append((name, problem))
            elif record is None:
                found.unrecorded.append(part_record(path, root))
    names = {p.relative_to(root).as_posix() for paths in on_disk.values() for p in paths}
    found.missing = sorted(set(records) - names)
    runs_names = {p.name for p in on_disk["runs"]}
    found.orphans = [f"timeseries/{p.name}" for p in on_disk["timeseries"]
                     if p.name not in runs_names]
    return found


def _check(path: Path, root: Path, record: dict[str, Any] | None) -> str | None:
    if record is not None:
        size = path.stat().st_size
        if size != record.get("bytes"):
            return f"{size:,} bytes, {record.get('bytes', 0):,} when written"
        actual = part_record(path, root, rows=record.get("rows"))
        if actual["sha256"] != record.get("sha256"):
            return "its checksum differs from the one recorded when it was written"
        return None
    try:  # not on record: sound only if it reads in full
        table = pq.read_table(path)
    except Exception as err:  # noqa: BLE001 - any reading error means damage
        return f"cannot be read: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
    del table
    return None


def check_sound(root: str | Path) -> None:
    """Raise `ResultsDamaged` (one line) if any part of ``root`` is damaged or missing, so that
    nothing is exported or reported from damaged results."""
    root = Path(root)
    found = verify(root)
    if found.sound:
        return
    first = found.lines()[0]
    more = len(found.damaged) + len(found.missing) + bool(found.manifest) - 1
    others = f" (and {more} more)" if more > 0 else ""
    raise ResultsDamaged(f"{root}/{first}{others}; `orglearn sweep --verify {root}` lists the "
                         "damage, and resuming the sweep redoes the runs of damaged parts")
