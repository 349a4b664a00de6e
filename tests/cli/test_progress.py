"""Progress bars only on a terminal, or with ``--progress``; ``--quiet`` silences them; a log
file or a pipe gets no bar."""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from orglearn.cli.arguments import show_progress
from orglearn.cli.main import main
from tests.cli._support import orglearn, small_sweep

RUN = ("run", "--agents", "40", "--steps", "8", "--seed", "1")
BAR = "simulating"  # the run's progress bar


class Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    "tty,progress,quiet,shown",
    [
        (False, False, False, False),
        (True, False, False, True),
        (False, True, False, True),
        (True, False, True, False),
        (False, True, True, False),
    ],
)
def test_show_progress(monkeypatch, tty, progress, quiet, shown):
    monkeypatch.setattr(sys, "stderr", Stream(tty))
    assert show_progress(argparse.Namespace(progress=progress, quiet=quiet)) is shown


def test_no_bar_in_a_pipe_unless_asked(tmp_path):
    plain = orglearn(*RUN, "--out", str(tmp_path / "a"))
    assert plain.returncode == 0 and BAR not in plain.stderr and plain.stderr == ""
    asked = orglearn(*RUN, "--out", str(tmp_path / "b"), "--progress")
    assert asked.returncode == 0 and BAR in asked.stderr
    silenced = orglearn(*RUN, "--out", str(tmp_path / "c"), "--progress", "--quiet")
    assert silenced.returncode == 0 and silenced.stderr == ""


def test_a_bar_on_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    # 24 rows of 100 columns: a new pseudo-terminal is 0 wide, and tqdm would draw nothing.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        done = orglearn(*RUN, "--out", str(tmp_path / "tty"), "--json", stderr=follower)
        os.close(follower)
        follower = None
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything has been read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert BAR in seen.decode(errors="replace")
    assert done.stdout.lstrip().startswith("{"), "the bar never reaches stdout"


def test_sweep_bar_only_when_asked(tmp_path, capsys):
    sweep = small_sweep(tmp_path)
    common = ["sweep", str(sweep), "--workers", "1", "--replications", "1", "--steps", "3"]
    assert main([*common, "--out", str(tmp_path / "a")]) == 0
    assert "2/2" not in capsys.readouterr().err  # pytest's stderr is not a terminal
    assert main([*common, "--out", str(tmp_path / "b"), "--progress"]) == 0
    assert "2/2" in capsys.readouterr().err


def test_a_subprocess_pipe_is_not_a_terminal():
    # The premise of the tests above: a pipe is what a CI log or `| tee` gives.
    code = "import sys; print(sys.stderr.isatty())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False"
