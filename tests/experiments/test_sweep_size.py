"""Design size: a sweep over the run limit is refused up front (exit 2, its size and a time
estimate, nothing written), --max-runs raises the limit, and tasks are made lazily so memory
stays bounded whatever the design's size."""

from __future__ import annotations

import itertools
import subprocess
import time
import tracemalloc

import numpy as np

from orglearn.experiments.runner import iter_tasks, make_tasks
from orglearn.experiments.sweep import load_sweep
from tests.experiments._sweep_support import script, write_sweep

HUGE = """
scenarios = ["baseline"]
replications = 100000
seed = 1
steps = 20
[vary]
"population.hoarder_share" = {from = 0.0, to = 0.5, num = 100}
[fixed]
"organisation.n_agents" = 40
"""
SALTELLI = """
scenarios = ["baseline"]
replications = 100
seed = 1
steps = 20
[design]
kind = "saltelli"
samples = 1000000
[vary]
"population.hoarder_share" = {low = 0.0, high = 0.5}
"population.lurker_share" = {low = 0.0, high = 0.5}
[fixed]
"organisation.n_agents" = 40
"""
SMALL = """
scenarios = ["baseline"]
replications = 3
seed = 1
steps = 5
[vary]
"population.hoarder_share" = [0.0, 0.2]
[fixed]
"organisation.n_agents" = 30
"""


def _sweep(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(script("orglearn")), "sweep", *args, "--quiet"],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_designs_over_the_limit_are_refused_up_front(tmp_path):
    for name, text, runs, key in (("huge", HUGE, "10,000,000 runs", "'replications'"),
                                  ("saltelli", SALTELLI, "400,000,000 runs", "'design'")):
        sweep = write_sweep(tmp_path / f"{name}.toml", text)
        started = time.monotonic()
        done = _sweep([str(sweep), "--out", str(tmp_path / "out")], tmp_path)
        assert time.monotonic() - started < 60  # the Saltelli design printed nothing for 300 s
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert runs in done.stderr and key in done.stderr
        assert "limit of 1,000,000" in done.stderr and "hours of one core" in done.stderr
        assert "--max-runs" in done.stderr
        assert not (tmp_path / "out").exists()


def test_max_runs_sets_the_limit(tmp_path):
    sweep = write_sweep(tmp_path / "small.toml", SMALL)  # 6 runs
    refused = _sweep([str(sweep), "--out", str(tmp_path / "a"), "--max-runs", "5"], tmp_path)
    assert refused.returncode == 2 and "makes 6 runs" in refused.stderr
    assert not (tmp_path / "a").exists()
    accepted = _sweep([str(sweep), "--out", str(tmp_path / "b"), "--max-runs", "6",
                       "--workers", "1"], tmp_path)
    assert accepted.returncode == 0, accepted.stderr


def test_tasks_are_made_lazily_with_the_same_seeds(tmp_path):
    sweep = load_sweep(write_sweep(tmp_path / "huge.toml", HUGE), max_runs=10**8)[0]
    tracemalloc.start()
    first = list(itertools.islice(iter_tasks(sweep), 1000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20  # ten million runs, but only what was asked for is made
    assert [t.run_id for t in first] == list(range(1000))
    children = np.random.SeedSequence(sweep.seed).spawn(1000)
    for task, child in zip(first, children):
        assert (task.seed_entropy, task.spawn_key) == (child.entropy, child.spawn_key)
    small = load_sweep(write_sweep(tmp_path / "small.toml", SMALL))[0]
    assert make_tasks(small) == list(iter_tasks(small))
