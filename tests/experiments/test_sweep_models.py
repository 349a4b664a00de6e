"""A sweep runs a user's subclass of SocialLearningModel, named as "package.module:Class".

The subclasses live in tests/experiments/custom_model.py, an importable module, as a user's
would be: `Coached` adds a coaching process to its pipeline (via make_pipeline) that teaches the
new idea every step and counts its sessions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from orglearn.cli.main import main
from orglearn.experiments import SweepError, load_sweep, make_tasks, run_sweep
from orglearn.experiments.tasks import build_model, run_one
from tests.experiments import custom_model
from tests.experiments._sweep_support import assert_same_results, comparable_runs, write_sweep

COACHED = "tests.experiments.custom_model:Coached"
SWEEP = """
scenarios = ["baseline"]
replications = 3
seed = 8
steps = 30
{model}
[vary]
"population.hoarder_share" = [0.0, 0.2]
[fixed]
"organisation.n_agents" = 40
"""


def sweep_file(tmp_path, model: str | None = COACHED, name: str = "coached.toml"):
    line = f'model = "{model}"' if model else ""
    return write_sweep(tmp_path / name, SWEEP.format(model=line))


def test_the_named_class_is_built_in_the_worker_from_the_task(tmp_path):
    sweep, _, _ = load_sweep(sweep_file(tmp_path))
    assert sweep.model == COACHED
    task = make_tasks(sweep)[0]
    assert task.model == COACHED
    model, steps = build_model(task)
    assert type(model) is custom_model.Coached and "coaching" in model.pipeline.names
    model.run(steps)
    assert model.coaching_sessions > 0  # the subclass's own process ran and counted


def test_a_subclass_sweep_runs_the_subclass_with_one_and_two_workers(tmp_path):
    """The coaching process teaches the idea to everyone: with the same seeds, every coached
    run reaches half the staff sooner and ends with more of them knowing the idea than the
    plain model; one worker and two worker processes give the same bytes."""
    coached = sweep_file(tmp_path)
    serial = run_sweep(coached, tmp_path / "serial", workers=1, progress=False)
    local = run_sweep(coached, tmp_path / "local", workers=2, progress=False)
    plain = run_sweep(sweep_file(tmp_path, None, "plain.toml"), tmp_path / "plain", workers=1,
                      progress=False)
    assert serial.ok == local.ok == plain.ok == 6
    assert_same_results(tmp_path / "serial", tmp_path / "local")
    assert local.runs["worker"].str.split(":").str[-1].nunique() >= 1

    runs = comparable_runs(tmp_path / "serial")
    baseline = comparable_runs(tmp_path / "plain")
    assert (runs["model"] == COACHED).all()
    assert "model" not in baseline.columns  # a sweep of the plain model keeps its columns
    assert (runs["final_idea_adoption"] > baseline["final_idea_adoption"]).all()
    assert (runs["final_idea_adoption"] == 1.0).all()
    assert (runs["t50"] < baseline["t50"].fillna(np.inf)).all()

    manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert manifest["sweep"]["model"] == COACHED


def test_run_sweep_takes_the_model_as_a_class_or_a_name(tmp_path):
    plain = sweep_file(tmp_path, None, "plain.toml")
    by_class = run_sweep(plain, tmp_path / "class", workers=1, progress=False,
                         model=custom_model.Coached)
    assert (by_class.runs["model"] == COACHED).all()
    sweep, _, _ = load_sweep(plain)
    by_name = run_sweep(sweep.with_overrides(model=COACHED), tmp_path / "name", workers=1,
                        progress=False)
    assert_same_results(tmp_path / "class", tmp_path / "name")
    manifest = json.loads((tmp_path / "class" / "manifest.json").read_text())
    assert manifest["overrides"] == {"model": COACHED}

    # Resuming needs the same model; the plain sweep's results are another sweep's.
    again = run_sweep(plain, tmp_path / "class", workers=1, progress=False, resume=True,
                      model=COACHED)
    assert again.complete and again.ok == 0 and again.done_before == 6
    with pytest.raises(SweepError, match="other overrides"):
        run_sweep(plain, tmp_path / "class", workers=1, progress=False, resume=True)
    assert by_name.ok == 6


BAD_MODELS = {
    "not-importable": ("no_such_package.models:Coached", "cannot be imported"),
    "no-attribute": ("tests.experiments.custom_model:Missing", "has no 'Missing'"),
    "not-a-class": ("tests.experiments.custom_model:NOT_A_MODEL", "is not one (it is 42)"),
    "not-a-subclass": ("orglearn.simulation.parameters:Parameters", "is not one"),
    "no-colon": ("tests.experiments.custom_model.Coached", "'package.module:Class'"),
}


@pytest.mark.parametrize("model,why", BAD_MODELS.values(), ids=BAD_MODELS.keys())
def test_a_model_that_cannot_be_used_is_rejected_when_the_sweep_loads(tmp_path, capsys, model, why):
    path = sweep_file(tmp_path / "sweeps", model)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    err = info.value
    assert (err.file, err.key, err.line) == (str(path), "model", 6)
    assert why in str(err)
    assert "subclass of orglearn.simulation.model.SocialLearningModel" in str(err)

    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    printed = capsys.readouterr()
    assert len(printed.err.splitlines()) == 1 and "'model'" in printed.err
    assert not out.exists()


def test_a_bad_model_override_is_a_sweep_error_naming_the_override(tmp_path):
    sweep, _, path = load_sweep(sweep_file(tmp_path, None))
    with pytest.raises(SweepError) as info:
        sweep.with_overrides(model="tests.experiments.custom_model:Missing")
    assert info.value.key == "model" and info.value.file == f"overrides of {path}"
    with pytest.raises(SweepError, match="'package.module:Class'"):
        sweep.with_overrides(model=3)


def test_a_failing_subclass_is_recorded_run_by_run(tmp_path):
    """A model class that raises fails its runs (recorded with the traceback), not the sweep."""
    path = write_sweep(tmp_path / "fragile.toml", SWEEP.format(
        model='model = "tests.experiments.custom_model:Fragile"').replace(
        '"population.hoarder_share" = [0.0, 0.2]', '"organisation.departments" = [4, 5]'))
    tasks = make_tasks(load_sweep(path)[0])
    results = [run_one(t)["run"] for t in tasks[2:4]]
    assert [r["status"] for r in results] == ["ok", "failed"]
    assert "cannot run 5 departments" in results[1]["error"]


SCRIPT = '''
import sys
from orglearn.experiments import run_sweep
from orglearn.experiments.sweep import Sweep
from tests.experiments.custom_model import Coached


class InTheScript(Coached):
    """A model class defined in the script that runs the sweep."""


if __name__ == "__main__":
    sweep = Sweep.model_validate({"replications": 2, "steps": 20, "seed": 1,
                                  "fixed": {"organisation.n_agents": 30}})
    outcome = run_sweep(sweep, sys.argv[1], workers=int(sys.argv[2]), model=InTheScript)
    print(outcome.ok, outcome.failed, sorted(set(outcome.runs["model"])),
          sorted(set(outcome.runs["final_idea_adoption"])))
'''


def test_a_class_defined_in_the_script_runs_in_local_worker_processes(tmp_path):
    """Local workers import the script that runs the sweep (as multiprocessing does)."""
    script = tmp_path / "my_study.py"
    script.write_text(SCRIPT)
    root = Path(__file__).resolve().parents[2]
    for workers in ("1", "2"):
        result = subprocess.run([sys.executable, str(script), str(tmp_path / workers), workers],
                                capture_output=True, text=True, timeout=300, cwd=root,
                                env={**os.environ, "PYTHONPATH": str(root)})
        assert result.returncode == 0, result.stderr
        assert result.stdout.split("\n")[0] == "2 0 ['__main__:InTheScript'] [1.0]"
    assert_same_results(tmp_path / "1", tmp_path / "2")


def test_a_class_from_the_main_module_is_refused_on_dask(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules["__main__"], "InTheScript", custom_model.Coached, raising=False)
    sweep, _, _ = load_sweep(sweep_file(tmp_path, "__main__:InTheScript"))
    with pytest.raises(SweepError, match="Dask workers .* cannot import"):
        run_sweep(sweep, tmp_path / "out", scheduler="tcp://127.0.0.1:9", progress=False)
    assert not (tmp_path / "out").exists()
