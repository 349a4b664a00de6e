"""Results verify themselves: each part's rows, size and checksum are on record; --verify
reports damage without changing anything; --resume quarantines damaged parts and redoes their
runs, giving the results of an undamaged sweep; a damaged manifest is rebuilt from the parts
of the same sweep, or refused in one line. No traceback anywhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orglearn import experiments
import orglearn.experiments.runner  # noqa: F401 - monkeypatched below
from orglearn.cli.main import main
from tests.experiments._sweep_support import assert_same_results, write_sweep

SWEEP = """
scenarios = ["baseline"]
replications = 3
seed = 21
steps = 15
[vary]
"population.hoarder_share" = [0.0, 0.3, 0.6]
[fixed]
"organisation.n_agents" = 30
"""


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep file and its undamaged results, written in parts of three runs."""
    root = tmp_path_factory.mktemp("integrity")
    sweep = write_sweep(root / "sweep.toml", SWEEP)
    out = root / "reference"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(experiments.runner, "FLUSH_RUNS", 3)
        assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return sweep, out


def _copy(reference, tmp_path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(reference[1], folder)
    return folder


def test_every_part_is_on_record(reference):
    _, out = reference
    manifest = json.loads((out / "manifest.json").read_text())
    files = sorted(r["file"] for r in manifest["parts"])
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.glob("*/part-*.parquet"))
    assert files == on_disk and len(files) == 6  # 9 runs in parts of 3, two tables
    assert all(r["rows"] > 0 and len(r["sha256"]) == 64 for r in manifest["parts"])


@pytest.mark.parametrize("damage", ["truncate runs", "truncate timeseries", "flip a byte"])
def test_verify_reports_and_resume_redoes_damaged_parts(reference, tmp_path, capsys, damage):
    sweep, ref = reference
    folder = _copy(reference, tmp_path)
    target = folder / ("timeseries" if "timeseries" in damage else "runs") / "part-000002.parquet"
    if damage == "flip a byte":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        target.write_bytes(bytes(data))
    else:
        _truncate(target)
    before = _snapshot(folder)
    capsys.readouterr()
    assert main(["sweep", "--verify", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{target.parent.name}/part-000002.parquet: damaged" in out
    assert _snapshot(folder) == before  # --verify changes nothing

    assert main(["sweep", str(sweep), "--out", str(folder), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "moved to" in err and "quarantine" in err and "Traceback" not in err
    assert sorted(p.relative_to(folder).as_posix() for p in (folder / "quarantine").rglob("*.parquet")) \
        == ["quarantine/runs/part-000002.parquet", "quarantine/timeseries/part-000002.parquet"]
    assert_same_results(folder, ref)
    assert main(["sweep", "--verify", str(folder)]) == 0


def test_damaged_part_in_export_is_one_line(reference, tmp_path, capsys):
    folder = _copy(reference, tmp_path)
    _truncate(folder / "runs" / "part-000001.parquet")
    capsys.readouterr()
    assert main(["export", str(folder), "--out", str(tmp_path / "csv")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "part-000001.parquet: damaged" in err


def test_parts_not_on_record_are_read_in_full(reference, tmp_path, capsys):
    """Results written before parts were recorded (or a crash before the record): a part is
    judged by reading it."""
    folder = _copy(reference, tmp_path)
    (folder / "parts.jsonl").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["parts"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["sweep", "--verify", str(folder)]) == 0
    _truncate(folder / "timeseries" / "part-000003.parquet")
    assert main(["sweep", "--verify", str(folder)]) == 1
    assert "timeseries/part-000003.parquet: damaged" in capsys.readouterr().out


def test_damaged_manifest_is_rebuilt_on_resume_or_refused(reference, tmp_path, capsys):
    sweep, ref = reference
    folder = _copy(reference, tmp_path)
    _truncate(folder / "manifest.json")
    capsys.readouterr()
    for command in (["export", str(folder), "--out", str(tmp_path / "csv")],
                    ["sweep", str(sweep), "--out", str(folder), "--quiet"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "manifest.json" in err, err
    other = write_sweep(tmp_path / "other.toml", SWEEP.replace("seed = 21", "seed = 22"))
    assert main(["sweep", str(other), "--out", str(folder), "--resume", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no readable part" in err

    assert main(["sweep", str(sweep), "--out", str(folder), "--resume", "--workers", "1",
                 "--quiet"]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "rebuilt" in manifest and manifest["status"] == "complete"
    assert_same_results(folder, ref)
