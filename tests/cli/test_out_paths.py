"""Output paths: every ``--out`` is checked before any work (one line, exit status 2, nothing
written), and results are staged inside the target folder, so a mount point works."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from orglearn.cli.main import main
from tests.cli._support import orglearn, small_sweep

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"
RUN = ["run", "--agents", "60", "--steps", "30", "--seed", "1", "--quiet"]


@contextmanager
def mounted(point: Path, *options: str):
    """A fresh tmpfs at ``point`` (skips the test where mounting is not permitted)."""
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", *options, "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=True)


def observed(folder: Path) -> Path:
    path = folder / "activity.csv"
    pd.read_csv(EXAMPLES / "activity.csv").head(4).to_csv(path, index=False)
    return path


def calibrate_args(folder: Path) -> list[str]:
    return ["calibrate", str(EXAMPLES / "my_org.toml"), "--observed", str(observed(folder)),
            "--fit", "generosity", "--design", "6", "--workers", "1", "--quiet"]


def command(name: str, folder: Path, out: str) -> list[str]:
    """The command line of ``name`` writing to ``out`` (inputs are made in ``folder``)."""
    if name in ("export", "report"):
        results = folder / "results"
        results.mkdir(exist_ok=True)
        (results / "manifest.json").write_text("{}")
        if name == "report":  # report writes into the results folder itself
            return ["report", out]
        return ["export", str(results), "--out", out]
    return {
        "run": [*RUN, "--out", out],
        "sweep": ["sweep", str(small_sweep(folder)), "--workers", "1", "--quiet", "--out", out],
        "calibrate": [*calibrate_args(folder), "--out", out],
        "validate": ["validate", "march1991", "--replications", "2", "--out", out],
        "scenarios new": ["scenarios", "new", "mine", "--out", out],
        "bench": ["bench", "--quick", "--plot", out],
    }[name]


FOLDER_COMMANDS = ["run", "sweep", "export", "calibrate", "validate"]
FILE_COMMANDS = ["scenarios new", "bench"]


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def check_refused(argv: list[str], root: Path, before: list[str], capsys, *words: str) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("orglearn: error: "), captured.err
    assert "Traceback" not in captured.err and all(w in lines[0] for w in words), lines
    assert listing(root) == before, "nothing is written"


@pytest.mark.parametrize("name", FOLDER_COMMANDS)
@pytest.mark.parametrize("case", ["a file", "under a file", "/proc"])
def test_a_bad_out_folder_is_refused_at_once(tmp_path, capsys, name, case):
    (tmp_path / "afile").write_text("x")
    out = {"a file": str(tmp_path / "afile"), "under a file": str(tmp_path / "afile" / "sub"),
           "/proc": "/proc/orglearn-out"}[case]
    argv = command(name, tmp_path, out)
    before = listing(tmp_path)
    check_refused(argv, tmp_path, before, capsys, out)


@pytest.mark.parametrize("name", FILE_COMMANDS)
@pytest.mark.parametrize("case", ["a folder", "under a file", "/proc"])
def test_a_bad_out_file_is_refused_at_once(tmp_path, capsys, name, case):
    (tmp_path / "afile").write_text("x")
    out = {"a folder": str(tmp_path), "under a file": str(tmp_path / "afile" / "x.toml"),
           "/proc": "/proc/orglearn-x.png"}[case]
    argv = command(name, tmp_path, out)
    before = listing(tmp_path)
    check_refused(argv, tmp_path, before, capsys, out)


@pytest.mark.parametrize("name", [*FOLDER_COMMANDS, "report", *FILE_COMMANDS])
def test_a_read_only_place_is_refused_at_once(tmp_path, capsys, name):
    # chmod does not stop root; a read-only mount does.
    with mounted(tmp_path / "ro", "-o", "ro") as ro:
        if name == "report":
            target = tmp_path / "results"
            argv = command(name, tmp_path, str(target))
            with mounted(target):
                (target / "manifest.json").write_text("{}")
                subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
                check_refused(argv, tmp_path, listing(tmp_path), capsys, "not writable")
            return
        out = ro / ("x.toml" if name in FILE_COMMANDS else "out")
        argv = command(name, tmp_path, str(out))
        check_refused(argv, tmp_path, listing(tmp_path), capsys, str(out), "not writable")


def test_the_console_script_prints_one_line_and_exits_2(tmp_path):
    (tmp_path / "afile").write_text("x")
    done = orglearn("run", "--out", "afile/sub", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "orglearn: error: --out afile/sub cannot be created: afile is a file, not a folder"
    ]


def test_run_stages_inside_the_target_folder(tmp_path, monkeypatch):
    moves = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (moves.append((Path(a), Path(b))),
                                                     real(a, b))[1])
    out = tmp_path / "out"
    assert main([*RUN, "--out", str(out)]) == 0
    # The moves into place (not numba's cache, nor atomic writes within the staging folder).
    moves = [(a, b) for a, b in moves if b.parent == out]
    assert len(moves) == 8 and all(a.parent.parent == out for a, _ in moves), moves
    assert listing(tmp_path) == sorted(["out", *(f"out/{b.name}" for _, b in moves)])


def test_run_and_calibrate_write_onto_a_mount_point(tmp_path, capsys):
    # A rename from beside a mount point into it fails (EXDEV); staging inside it works.
    with mounted(tmp_path / "mnt") as mnt:
        assert main([*RUN, "--out", str(mnt)]) == 0
        assert (mnt / "summary.json").exists()
        assert not [p for p in mnt.iterdir() if p.name.startswith(".")], "staging removed"
        cal = mnt / "cal"
        with mounted(cal):
            assert main([*calibrate_args(tmp_path), "--out", str(cal)]) == 0
            assert (cal / "calibration.json").exists()
            assert not [p for p in cal.iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["activity.csv", "mnt"]


def test_a_failed_run_leaves_nothing(tmp_path, monkeypatch):
    import orglearn.experiments.single as single

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(single, "plot_spread", broken)
    with pytest.raises(RuntimeError):
        main([*RUN, "--out", str(tmp_path / "out")])
    assert listing(tmp_path) == [], "no half-written result, no staging folder, no empty out/"
