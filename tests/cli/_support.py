"""Helpers of the command-line tests: a small sweep, and running the console script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: A sweep of 2 points x 3 replications = 6 short runs of 40 people.
SMALL_SWEEP = """\
title = "A small sweep for the CLI tests"
scenarios = ["baseline"]
replications = 3
seed = 11
steps = 12
record = "end"

[vary]
"population.hoarder_share" = [0.0, 0.3]

[fixed]
"organisation.n_agents" = 40
"""


def small_sweep(directory: Path) -> Path:
    """Write `SMALL_SWEEP` into ``directory`` and return its path."""
    path = directory / "small.toml"
    path.write_text(SMALL_SWEEP, encoding="utf-8")
    return path


def orglearn(*args: str, stderr=subprocess.PIPE, cwd: Path | None = None):
    """Run the ``orglearn`` console script; returns the `subprocess.CompletedProcess`."""
    script = Path(sys.executable).with_name("orglearn")
    if not script.exists():
        found = shutil.which("orglearn")
        assert found, "the orglearn console script is installed with the package"
        script = Path(found)
    env = dict(os.environ, COLUMNS="100")
    return subprocess.run(
        [str(script), *args], stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=300,
        cwd=cwd, env=env,
    )
