"""``--set section.field=value`` on ``run`` and ``sweep``, and the sweep's ``--replications``,
``--steps`` and ``--seed``: they change what runs, and bad ones exit 2 naming the key."""

from __future__ import annotations

import json

import pytest

from orglearn.cli.main import main
from orglearn.experiments import load_results
from tests.cli._support import small_sweep

RUN = ["run", "--agents", "40", "--steps", "15", "--seed", "5", "--quiet"]


def summary(out) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_run_set_changes_the_parameters_and_the_run(tmp_path):
    assert main([*RUN, "--out", str(tmp_path / "plain")]) == 0
    argv = [*RUN, "--out", str(tmp_path / "set"), "--set", "asking.enabled=false",
            "--set", "population.hoarder_share=0.25", "--set", "population.hoarder_share=0.4"]
    assert main(argv) == 0
    plain, changed = summary(tmp_path / "plain"), summary(tmp_path / "set")
    assert changed["parameters"]["asking.enabled"] is False
    assert changed["parameters"]["population.hoarder_share"] == 0.4, "the last --set wins"
    assert plain["total_asks"] > 0 and changed["total_asks"] == 0, "nobody asks when asking is off"


def test_agents_wins_over_set(tmp_path):
    argv = [*RUN, "--out", str(tmp_path / "a"), "--set", "organisation.n_agents=80"]
    assert main(argv) == 0
    assert summary(tmp_path / "a")["n_agents"] == 40


BAD_SETS = {
    "unknown-section": ("nowhere.share=0.3", "'nowhere' is not a section"),
    "unknown-field": ("population.nope=1", "lurker_share"),  # lists the section's parameters
    "out-of-range": ("population.hoarder_share=3", "less than or equal to 1"),
    "wrong-type": ("asking.enabled=maybe", "boolean"),
    "no-section": ("hoarder_share=0.3", "section.field=value"),
    "no-value": ("population.hoarder_share", "section.field=value"),
}


@pytest.mark.parametrize("setting,words", BAD_SETS.values(), ids=BAD_SETS.keys())
def test_a_bad_set_exits_2_naming_the_key_and_writes_nothing(setting, words, tmp_path, capsys):
    out = tmp_path / "never"
    try:
        status = main([*RUN, "--out", str(out), "--set", setting])
    except SystemExit as exit_info:  # argparse rejects malformed --set itself
        status = exit_info.code
    assert status == 2
    printed = capsys.readouterr()
    assert printed.out == "" and len(printed.err.splitlines()) == 1
    assert words in printed.err and setting.split("=")[0] in printed.err
    assert not out.exists()


def test_sweep_overrides_set_the_number_of_runs_their_length_and_seed(tmp_path):
    sweep = small_sweep(tmp_path)  # 2 points x 3 replications of 12 steps, seed 11
    out = tmp_path / "smoke"
    argv = ["sweep", str(sweep), "--out", str(out), "--workers", "1", "--quiet",
            "--replications", "2", "--steps", "4", "--seed", "99", "--set", "asking.enabled=false"]
    assert main(argv) == 0
    results = load_results(out, timeseries=False)
    runs = results.runs
    assert len(runs) == 2 * 2 and sorted(runs["replicate"].unique()) == [0, 1]
    assert (runs["steps_run"] == 4).all() and (runs["seed_entropy"].astype(int) == 99).all()
    assert (runs["total_asks"] == 0).all(), "--set asking.enabled=false reached every run"
    assert results.manifest["sweep"]["fixed"]["asking.enabled"] is False

    # Resuming needs the same overrides: then there is nothing left to run.
    assert main([*argv, "--resume"]) == 0
    assert len(load_results(out, timeseries=False).runs) == 4
    assert main([*argv[:-2], "--resume"]) == 2, "without --set it is another sweep"


def test_sweep_without_overrides_runs_the_file(tmp_path):
    out = tmp_path / "full"
    assert main(["sweep", str(small_sweep(tmp_path)), "--out", str(out), "--workers", "1",
                 "--quiet"]) == 0
    runs = load_results(out, timeseries=False).runs
    assert len(runs) == 6 and (runs["steps_run"] == 12).all()
    assert (runs["seed_entropy"].astype(int) == 11).all() and (runs["total_asks"] > 0).all()


@pytest.mark.parametrize("setting,words", [
    ("population.hoarder_share=0.1", "varied"),
    ("asking.nope=1", "asking.nope"),
    ("population.lurker_share=2", "population.lurker_share"),
])
def test_a_bad_sweep_set_exits_2_and_writes_nothing(setting, words, tmp_path, capsys):
    out = tmp_path / "never"
    argv = ["sweep", str(small_sweep(tmp_path)), "--out", str(out), "--workers", "1",
            "--set", setting]
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == "" and len(printed.err.splitlines()) == 1 and words in printed.err
    assert not out.exists()


def test_sweep_model_runs_a_subclass_and_a_bad_one_exits_2(tmp_path, capsys):
    """``--model MODULE:CLASS`` runs that subclass in every run (its model column says so); a
    class that does not exist exits 2 and writes nothing."""
    out = tmp_path / "coached"
    argv = ["sweep", str(small_sweep(tmp_path)), "--out", str(out), "--workers", "1", "--quiet",
            "--replications", "1", "--model", "tests.experiments.custom_model:Coached"]
    assert main(argv) == 0
    runs = load_results(out, timeseries=False).runs
    assert (runs["model"] == "tests.experiments.custom_model:Coached").all()
    never = tmp_path / "never"
    argv = [*argv[:3], str(never), *argv[4:-1], "tests.experiments.custom_model:Nope"]
    assert main(argv) == 2
    assert "Nope" in capsys.readouterr().err and not never.exists()
