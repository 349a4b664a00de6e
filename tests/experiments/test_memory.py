"""Peak memory is estimated before a run starts: the estimate stays above a real run's peak,
and a run (or sweep) that would not fit is refused in one line, exit 2, unless --force."""

from __future__ import annotations

import subprocess
import sys

from orglearn.cli.main import main
from orglearn.experiments import memory
from orglearn.scenarios import load

PEAK = """
from orglearn.simulation.model import SocialLearningModel
from orglearn.scenarios import load
scenario = load("baseline").with_overrides(organisation={"n_agents": 100_000})
model = SocialLearningModel(scenario, rng=1)
for _ in range(10):
    model.step()
# VmHWM, not getrusage's ru_maxrss: that one keeps the peak of the forked test process.
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(int(hwm.split()[1]) * 1024)
"""


def test_the_estimate_stays_above_a_real_runs_peak():
    measured = int(subprocess.run([sys.executable, "-c", PEAK], capture_output=True, text=True,
                                  check=True, timeout=300).stdout)
    params = load("baseline").with_overrides(organisation={"n_agents": 100_000})
    estimate = memory.estimate_bytes(100_000, params.organisation.topics,
                                     memory._mean_degree(params))
    assert measured <= estimate <= 3 * measured, (measured, estimate)


def test_a_run_that_would_not_fit_is_refused_unless_forced(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 300 * 2**20)  # a small container
    assert main(["run", "baseline", "--agents", "1000000", "--out", str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs about" in err[0] and "--force" in err[0], err
    assert not (tmp_path / "a").exists()
    # Forced (and small enough to really run here): it runs.
    monkeypatch.setattr(memory, "available_bytes", lambda: 2**20)
    assert main(["run", "baseline", "--agents", "50", "--steps", "2", "--force", "--quiet",
                 "--out", str(tmp_path / "b")]) == 0


def test_a_sweep_counts_its_workers_and_its_largest_run(tmp_path, capsys, monkeypatch):
    sweep = tmp_path / "big.toml"
    sweep.write_text('scenarios = ["baseline"]\nreplications = 4\nsteps = 2\n[vary]\n'
                     '"organisation.n_agents" = [50, 400000]\n')
    one = memory.estimate_bytes(400_000, 20, memory._mean_degree(load("baseline")))
    monkeypatch.setattr(memory, "available_bytes", lambda: int(1.5 * one))
    assert main(["sweep", str(sweep), "--workers", "2", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "2 runs at once" in err and "400,000 people" in err
    assert not (tmp_path / "o").exists()
