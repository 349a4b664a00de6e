"""Levers: a sweep varies (or fixes) fields of a scenario's interventions, such as the step at
which tools are rolled out; each run applies them before the model is built."""

from __future__ import annotations

import pytest

from orglearn.cli.main import main
from orglearn.experiments import SweepError, load_sweep, make_tasks, run_sweep
from orglearn.experiments.levers import apply_levers
from orglearn.experiments.tasks import build_model
from orglearn.scenarios import load
from tests.experiments._sweep_support import assert_same_results, write_sweep

ROLLOUT = """
scenarios = ["tools_rollout"]
replications = 3
seed = 5
steps = 60
record = "end"
[vary]
"{key}" = [5, 55]
[fixed]
"organisation.n_agents" = 80
"""
STEP = "interventions.roll_out_tools.step"


def test_the_rollout_step_lever_moves_the_intervention_and_changes_results_as_expected(tmp_path):
    """tools_rollout starts without social tools and gives them to 95% of staff at step 30.
    Rolled out at step 5 rather than 55 of 60, the ESN carries far more in every replicate
    (same seeds: common random numbers) and more people take part."""
    path = write_sweep(tmp_path / "rollout.toml", ROLLOUT.format(key=STEP))
    sweep, _, _ = load_sweep(path)
    tasks = make_tasks(sweep)
    model, _ = build_model(tasks[0])
    assert [(e.kind, e.step) for e in model.interventions] == [("roll_out_tools", 5)]
    assert model.interventions[0].share == 0.95  # the scenario's other fields stay

    outcome = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    assert outcome.ok == 6 and outcome.failed == 0
    runs = outcome.runs.set_index(["interventions.roll_out_tools.step", "replicate"])
    early, late = runs.loc[5.0], runs.loc[55.0]
    assert (early["total_esn"] > 3 * late["total_esn"]).all()
    assert (early["final_participation"] > late["final_participation"]).all()

    # The lever by position is the same lever (tools_rollout has one intervention).
    by_index = write_sweep(tmp_path / "index.toml", ROLLOUT.format(key="interventions.0.step"))
    again = run_sweep(by_index, tmp_path / "index", workers=1, progress=False)
    assert (again.runs["total_esn"].to_numpy() == outcome.runs["total_esn"].to_numpy()).all()
    assert "interventions.0.step" in again.runs.columns


def test_levers_run_the_same_in_local_processes(tmp_path):
    path = write_sweep(tmp_path / "rollout.toml", ROLLOUT.format(key=STEP))
    run_sweep(path, tmp_path / "serial", workers=1, progress=False)
    run_sweep(path, tmp_path / "local", workers=2, progress=False)
    assert_same_results(tmp_path / "serial", tmp_path / "local")


def test_a_fixed_lever_and_a_share_lever(tmp_path):
    path = write_sweep(tmp_path / "champions.toml", """
scenarios = ["champions_council"]
replications = 1
steps = 40
[vary]
"interventions.appoint_champions.share" = [0.0, 0.5]
[fixed]
"interventions.appoint_champions.step" = 2
"organisation.n_agents" = 60
""")
    tasks = make_tasks(load_sweep(path)[0])
    none, half = (build_model(t)[0] for t in tasks)
    assert [(e.step, e.share) for e in none.interventions] == [(2, 0.0)]
    none.run(3)
    half.run(3)
    assert none.state.champion.sum() == 0 and half.state.champion.sum() == 30


def test_apply_levers_leaves_the_scenario_as_it_was():
    scenario = load("champions_council")
    changed = apply_levers(scenario, {"interventions.appoint_champions.step": 90}, steps=100)
    assert changed.interventions[0].step == 90 and changed.steps == 100
    assert scenario.interventions[0].step == 30 and scenario.steps == 365


TWO_TRAININGS = """
title = "two programmes"
[[interventions]]
kind = "run_formal_training"
step = 10
[[interventions]]
kind = "run_formal_training"
step = 100
interval = 30
"""

#: name: (sweep text, key the error names, words it must contain)
BAD_LEVERS = {
    "not-in-scenario": (
        'scenarios = ["champions_council", "baseline"]\n[vary]\n'
        '"interventions.appoint_champions.step" = [30, 60]\n',
        "vary.interventions.appoint_champions.step",
        "scenario baseline has no appoint_champions intervention",
    ),
    "several-of-a-kind": (
        'scenarios = ["two.toml"]\n[vary]\n'
        '"interventions.run_formal_training.interval" = [20, 40]\n',
        "vary.interventions.run_formal_training.interval",
        "2 run_formal_training interventions (at positions 0, 1); name one by its position, "
        "as 'interventions.0.interval'",
    ),
    "position-out-of-range": (
        'scenarios = ["two.toml"]\n[vary]\n"interventions.2.step" = [20, 40]\n',
        "vary.interventions.2.step",
        "has no intervention 2; it has 0: run_formal_training at step 10, 1: "
        "run_formal_training at step 100",
    ),
    "unknown-field": (
        'scenarios = ["champions_council"]\n[vary]\n"interventions.appoint_champions.size" = [1]\n',
        "vary.interventions.appoint_champions.size",
        "appoint_champions has no field 'size' that can be set; its fields: step, share",
    ),
    "unknown-kind": (
        '[fixed]\n"interventions.hire_coaches.step" = 3\n',
        "fixed.interventions.hire_coaches.step",
        "'hire_coaches' is neither an intervention kind nor a position",
    ),
    "share-out-of-range": (
        'scenarios = ["champions_council"]\n[vary]\n'
        '"interventions.appoint_champions.share" = [0.1, 1.5]\n',
        "vary.interventions.appoint_champions.share",
        "must be less than or equal to 1. Got 1.5 instead",
    ),
    "step-after-the-run": (
        'scenarios = ["champions_council"]\nsteps = 100\n[vary]\n'
        '"interventions.appoint_champions.step" = [30, 90, 180]\n',
        "vary.interventions.appoint_champions.step",
        "point 2 of 3 (interventions.appoint_champions.step = 180) invalid for scenario "
        "champions_council: its step is 180, after the last step (100)",
    ),
    "step-after-the-scenario": (
        'scenarios = ["champions_council"]\n[vary]\n"interventions.0.step" = [400]\n',
        "vary.interventions.0.step",
        "after the last step (365)",
    ),
}


@pytest.mark.parametrize("text,key,words", BAD_LEVERS.values(), ids=BAD_LEVERS.keys())
def test_bad_levers_are_rejected_naming_the_key_and_exit_2(tmp_path, capsys, text, key, words):
    (tmp_path / "two.toml").write_text(TWO_TRAININGS)
    path = write_sweep(tmp_path / "bad.toml", text)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    err = info.value
    assert err.file == str(path) and err.key == key, str(err)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if key.split(".", 1)[1] in row)
    assert err.line == line
    assert words in str(err)

    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    printed = capsys.readouterr()
    assert len(printed.err.splitlines()) == 1 and key in printed.err
    assert not out.exists()


def test_a_lever_moving_an_intervention_into_a_short_run_is_accepted(tmp_path):
    """steps = 20 ends before champions_council's step 30, unless a lever moves it earlier."""
    short = 'scenarios = ["champions_council"]\nsteps = 20\n'
    with pytest.raises(SweepError, match="ends before champions_council's appoint_champions"):
        load_sweep(write_sweep(tmp_path / "short.toml", short))
    moved = short + '[vary]\n"interventions.appoint_champions.step" = [5, 10]\n'
    sweep, _, _ = load_sweep(write_sweep(tmp_path / "moved.toml", moved))
    assert [t.point for t in make_tasks(sweep)][::10] == [
        {"interventions.appoint_champions.step": 5}, {"interventions.appoint_champions.step": 10},
    ]


def test_lever_values_from_a_range_are_rounded_for_integer_fields(tmp_path):
    sweep, _, _ = load_sweep(write_sweep(tmp_path / "range.toml", """
scenarios = ["champions_council"]
replications = 1
[vary]
"interventions.appoint_champions.step" = { from = 10, to = 20, num = 4 }
"""))
    steps = [t.point["interventions.appoint_champions.step"] for t in make_tasks(sweep)]
    assert steps == [10, 13, 17, 20] and all(type(s) is int for s in steps)
