"""Sweep.with_overrides (smoke runs and `orglearn sweep --replications/--steps/--seed/--set`),
run_sweep with a Sweep object, resuming an overridden sweep, and the progress bar."""

from __future__ import annotations

import json

import pytest

from orglearn.experiments import SweepError, load_results, load_sweep, make_tasks, run_sweep
from orglearn.experiments.sweep import Sweep
from orglearn.experiments.tasks import build_model
from tests.experiments._sweep_support import assert_same_results, write_sweep

SWEEP = """
scenarios = ["baseline", "mine.toml"]
replications = 10
seed = 3
steps = 365
[vary]
"population.hoarder_share" = [0.0, 0.3]
[fixed]
"organisation.n_agents" = 300
"""


@pytest.fixture
def sweep_path(tmp_path):
    """A sweep in its own folder, naming a scenario file next to it."""
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "mine.toml").write_text('extends = "baseline"\n[esn]\nreads = 2\n')
    return write_sweep(folder / "sweep.toml", SWEEP)


def test_overrides_replace_settings_and_leave_the_sweep_as_it_was(sweep_path):
    sweep, _, _ = load_sweep(sweep_path)
    smoke = sweep.with_overrides(replications=1, steps=5, seed=9,
                                 settings={"organisation.n_agents": 30, "asking.rate": 0.4})
    assert (smoke.replications, smoke.steps, smoke.seed) == (1, 5, 9)
    assert smoke.fixed == {"organisation.n_agents": 30, "asking.rate": 0.4}
    assert smoke.vary == sweep.vary
    assert (sweep.replications, sweep.steps) == (10, 365)
    assert sweep.fixed == {"organisation.n_agents": 300}
    assert smoke.overrides == {"replications": 1, "steps": 5, "seed": 9,
                               "settings": {"organisation.n_agents": 30, "asking.rate": 0.4}}
    tasks = make_tasks(smoke)
    assert len(tasks) == 2 * 2 * 1
    model, steps = build_model(tasks[-1])  # the scenario file, found next to the sweep file
    assert steps == 5 and model.params.esn.reads == 2
    assert model.params.organisation.n_agents == 30 and model.params.asking.rate == 0.4

    # Overrides add up; a later setting of the same key wins.
    both = smoke.with_overrides(settings={"asking.rate": 0.2}).with_overrides(steps=7)
    assert both.steps == 7 and both.replications == 1
    assert both.fixed == {"organisation.n_agents": 30, "asking.rate": 0.2}


#: name: (overrides, key the error names, words it must contain)
BAD_OVERRIDES = {
    "replications": ({"replications": 0}, "replications", "greater than or equal to 1"),
    "steps-type": ({"steps": 2.5}, "steps", "valid integer"),
    "seed": ({"seed": -1}, "seed", "greater than or equal to 0"),
    "unknown-setting": ({"settings": {"asking.bogus": 1}}, "asking.bogus", "is not a parameter"),
    "setting-out-of-range": (
        {"settings": {"population.lurker_share": 1.5}}, "population.lurker_share",
        "less than or equal to 1",
    ),
    "setting-as-text": (
        {"settings": {"asking.rate": "high"}}, "asking.rate", "must be a number or true/false",
    ),
    "setting-breaks-a-point": (
        {"settings": {"population.rude_share": 0.8}}, "population.rude_share",
        "point 0 of 2 (population.hoarder_share = 0.0) invalid for scenario baseline: the "
        "communication style shares sum to 1.010, more than 1",
    ),
    "setting-a-varied-key": (
        {"settings": {"population.hoarder_share": 0.1}}, "population.hoarder_share",
        "is varied by the sweep",
    ),
    "bad-lever": (
        {"settings": {"interventions.appoint_champions.step": 3}},
        "interventions.appoint_champions.step", "scenario baseline has no appoint_champions",
    ),
}


@pytest.mark.parametrize("overrides,key,words", BAD_OVERRIDES.values(), ids=BAD_OVERRIDES.keys())
def test_bad_overrides_are_sweep_errors_naming_the_override(sweep_path, overrides, key, words):
    sweep, _, _ = load_sweep(sweep_path)
    with pytest.raises(SweepError) as info:
        sweep.with_overrides(**overrides)
    err = info.value
    assert err.file == f"overrides of {sweep_path}" and err.key == key, str(err)
    assert words in str(err)


def test_steps_override_that_ends_before_an_intervention_is_refused(tmp_path):
    sweep, _, path = load_sweep(write_sweep(tmp_path / "s.toml", 'scenarios = ["tools_rollout"]\n'))
    with pytest.raises(SweepError) as info:
        sweep.with_overrides(steps=20)
    assert info.value.key == "steps" and info.value.file == f"overrides of {path}"
    assert "ends before tools_rollout's roll_out_tools intervention at step 30" in str(info.value)


def test_a_steps_override_that_cuts_a_lever_short_is_blamed_on_steps(tmp_path):
    sweep, _, path = load_sweep(write_sweep(tmp_path / "s.toml", """
scenarios = ["champions_council"]
[vary]
"interventions.appoint_champions.step" = [10, 90]
"""))
    assert sweep.with_overrides(steps=90).steps == 90
    with pytest.raises(SweepError) as info:
        sweep.with_overrides(steps=40)
    assert info.value.key == "steps" and info.value.file == f"overrides of {path}"
    assert ("point 1 of 2 (interventions.appoint_champions.step = 90) invalid for scenario "
            "champions_council: interventions.appoint_champions.step is 90, after the last step "
            "(40); use steps >= 90") in str(info.value)


def test_run_sweep_takes_an_overridden_sweep_and_resumes_only_the_same_overrides(
    sweep_path, tmp_path
):
    sweep, _, _ = load_sweep(sweep_path)
    smoke = sweep.with_overrides(replications=2, steps=4, settings={"organisation.n_agents": 30})
    out = tmp_path / "out"
    first = run_sweep(smoke, out, workers=1, progress=False)
    assert first.total == 8 and first.ok == 8
    assert set(first.runs["scenario"]) == {"baseline", str(sweep_path.parent / "mine.toml")}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == smoke.overrides
    assert manifest["sweep"]["steps"] == 4 and manifest["sweep_file"] == sweep_path.read_text()
    assert (first.runs["steps_run"] == 4).all()

    # The same overrides, given again, resume (there is nothing left to run).
    again = sweep.with_overrides(steps=4).with_overrides(
        replications=2, settings={"organisation.n_agents": 30})
    resumed = run_sweep(again, out, workers=1, progress=False, resume=True)
    assert resumed.complete and resumed.ok == 0 and resumed.done_before == 8

    # Other overrides, or none, are another sweep.
    other_steps = sweep.with_overrides(replications=2, steps=5,
                                       settings={"organisation.n_agents": 30})
    for other in (other_steps, sweep):
        with pytest.raises(SweepError, match="other overrides"):
            run_sweep(other, out, workers=1, progress=False, resume=True)
    assert len(load_results(out, timeseries=False).runs) == 8


def test_an_interrupted_overridden_sweep_resumes_to_the_uninterrupted_result(sweep_path, tmp_path,
                                                                            monkeypatch):
    from orglearn.experiments import runner

    smoke = load_sweep(sweep_path)[0].with_overrides(replications=3, steps=6,
                                                      settings={"organisation.n_agents": 30})
    complete = tmp_path / "complete"
    run_sweep(smoke, complete, workers=1, progress=False)

    real, calls = runner.run_one, []

    def interrupted_after_five(task):
        if len(calls) == 5:
            raise KeyboardInterrupt
        calls.append(task.run_id)
        return real(task)

    monkeypatch.setattr(runner, "run_one", interrupted_after_five)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(smoke, tmp_path / "out", workers=1, progress=False)
    monkeypatch.undo()
    done = len(load_results(tmp_path / "out", timeseries=False).runs)
    assert 0 < done <= 5
    outcome = run_sweep(smoke, tmp_path / "out", workers=1, progress=False, resume=True)
    assert (outcome.done_before, outcome.ok) == (done, 12 - done)
    assert_same_results(tmp_path / "out", complete)


def test_a_sweep_made_in_python_is_checked_when_it_runs(tmp_path):
    bad = Sweep.model_validate({"vary": {"population.rude_share": [0.9]}, "replications": 1})
    with pytest.raises(SweepError) as info:
        run_sweep(bad, tmp_path / "out", workers=1, progress=False)
    assert info.value.key == "vary.population.rude_share" and info.value.file == "<sweep>"
    assert not (tmp_path / "out").exists()
    good = Sweep.model_validate(
        {"replications": 1, "steps": 3, "fixed": {"organisation.n_agents": 20}}
    )
    smoke = good.with_overrides(seed=4)
    assert run_sweep(smoke, tmp_path / "good", workers=1, progress=False).ok == 1


def tiny(tmp_path):
    return write_sweep(tmp_path / "tiny.toml", 'replications = 2\nsteps = 3\n'
                       '[fixed]\n"organisation.n_agents" = 20\n')


def test_the_progress_bar_shows_on_a_terminal_only_unless_asked(tmp_path, capsys, monkeypatch):
    import sys

    path = tiny(tmp_path)
    run_sweep(path, tmp_path / "default", workers=1)  # stderr is not a terminal here
    assert capsys.readouterr().err == ""
    run_sweep(path, tmp_path / "forced", workers=1, progress=True)
    err = capsys.readouterr()
    assert "runs" in err.err and "2/2" in err.err and err.out == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    run_sweep(path, tmp_path / "terminal", workers=1)
    err = capsys.readouterr()
    assert "2/2" in err.err and err.out == ""
    run_sweep(path, tmp_path / "never", workers=1, progress=False)
    assert capsys.readouterr().err == ""
