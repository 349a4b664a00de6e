"""Sweep designs give the right points, and invalid sweep files are rejected with located errors."""

from __future__ import annotations

import itertools
import subprocess

import numpy as np
import pytest

from orglearn import experiments
from orglearn.experiments import SweepError, load_sweep, make_tasks
from orglearn.cli.main import main
from orglearn.experiments.design import design_points, salib_problem
from tests.experiments._sweep_support import script, write_sweep

# -- designs --------------------------------------------------------------------------------


def points_of(tmp_path, text: str, name: str = "design.toml") -> list[dict]:
    sweep, _, _ = load_sweep(write_sweep(tmp_path / name, text))
    return design_points(sweep)


def test_factorial_is_the_cartesian_product_in_order(tmp_path):
    points = points_of(tmp_path, """
[vary]
"organisation.team_size" = [4, 8, 12]
"asking.reputation_detection" = [true, false]
"culture.psychological_safety" = { from = 0.2, to = 1.0, num = 5 }
"organisation.departments" = { from = 2, to = 10, num = 4, integer = true }
""")
    team = [4, 8, 12]
    detection = [True, False]
    safety = [0.2, 0.4, 0.6, 0.8, 1.0]
    departments = [2, 5, 7, 10]  # linspace 2, 4.67, 7.33, 10 rounded
    expected = [
        {"organisation.team_size": a, "asking.reputation_detection": b,
         "culture.psychological_safety": c, "organisation.departments": d}
        for a, b, c, d in itertools.product(team, detection, safety, departments)
    ]
    assert len(points) == 3 * 2 * 5 * 4
    assert [list(p) for p in points] == [list(e) for e in expected], "keys in file order"
    for got, want in zip(points, expected):
        assert got["organisation.team_size"] == want["organisation.team_size"]
        assert got["asking.reputation_detection"] is want["asking.reputation_detection"]
        safety = "culture.psychological_safety"
        assert got[safety] == pytest.approx(want[safety])
        assert got["organisation.departments"] == want["organisation.departments"]
        assert type(got["organisation.departments"]) is int
        assert type(got["culture.psychological_safety"]) is float


def test_factorial_without_vary_is_one_empty_point(tmp_path):
    assert points_of(tmp_path, 'replications = 3\n') == [{}]


def test_tasks_are_scenarios_by_points_by_replications(tmp_path):
    sweep, _, path = load_sweep(write_sweep(tmp_path / "t.toml", """
scenarios = ["baseline", "hoarders"]
replications = 3
[vary]
"population.hoarder_share" = [0.0, 0.2]
"""))
    tasks = make_tasks(sweep, path.parent)
    assert [t.run_id for t in tasks] == list(range(2 * 2 * 3))
    expected = itertools.product(["baseline", "hoarders"], [0, 1], [0, 1, 2])
    for task, (scenario, point_id, replicate) in zip(tasks, expected):
        assert (task.scenario, task.point_id, task.replicate) == (scenario, point_id, replicate)
        assert task.point == {"population.hoarder_share": [0.0, 0.2][point_id]}


BOUNDS = {
    "population.hoarder_share": (0.0, 0.5),
    "culture.psychological_safety": (0.2, 1.0),
    "traits.tact": (0.1, 0.9),
}


def sampled(kind: str, samples: int, seed: int = 0, extra: str = "") -> str:
    rows = "\n".join(f'"{k}" = {{ low = {lo}, high = {hi} }}' for k, (lo, hi) in BOUNDS.items())
    design = f'[design]\nkind = "{kind}"\nsamples = {samples}\nseed = {seed}\n{extra}\n'
    return f"{design}[vary]\n{rows}\n"


def as_matrix(points: list[dict]) -> np.ndarray:
    for p in points:
        assert list(p) == list(BOUNDS)
    return np.array([[p[k] for k in BOUNDS] for p in points], dtype=float)


def assert_within_bounds(matrix: np.ndarray) -> None:
    low = np.array([lo for lo, _ in BOUNDS.values()])
    high = np.array([hi for _, hi in BOUNDS.values()])
    assert np.all(matrix >= low) and np.all(matrix <= high)


@pytest.mark.parametrize("kind", ["lhs", "sobol"])
def test_lhs_and_sobol_count_bounds_and_determinism(tmp_path, kind):
    n = 16
    a = as_matrix(points_of(tmp_path, sampled(kind, n, seed=7), "a.toml"))
    b = as_matrix(points_of(tmp_path, sampled(kind, n, seed=7), "b.toml"))
    c = as_matrix(points_of(tmp_path, sampled(kind, n, seed=8), "c.toml"))
    assert a.shape == (n, len(BOUNDS))
    assert_within_bounds(a)
    np.testing.assert_array_equal(a, b)  # same design seed: same points
    assert not np.array_equal(a, c)  # another design seed: other points
    assert len({tuple(row) for row in a}) == n


def test_lhs_has_one_point_per_stratum_in_every_dimension(tmp_path):
    n = 20
    matrix = as_matrix(points_of(tmp_path, sampled("lhs", n, seed=3)))
    for j, (low, high) in enumerate(BOUNDS.values()):
        strata = np.floor((matrix[:, j] - low) / (high - low) * n).astype(int)
        strata = np.minimum(strata, n - 1)
        assert sorted(strata) == list(range(n)), f"dimension {j}: {sorted(strata)}"


def test_saltelli_gives_n_times_d_plus_2_points(tmp_path):
    n, d = 8, len(BOUNDS)
    text = sampled("saltelli", n, seed=2)
    points = points_of(tmp_path, text, "a.toml")
    matrix = as_matrix(points)
    assert matrix.shape == (n * (d + 2), d)  # first and total order only (calc_second_order=False)
    assert_within_bounds(matrix)
    np.testing.assert_array_equal(matrix, as_matrix(points_of(tmp_path, text, "b.toml")))
    # Saltelli blocks: A, then D rows that take column i from B, then B.
    blocks = matrix.reshape(n, d + 2, d)
    a_rows, b_rows = blocks[:, 0], blocks[:, -1]
    for i in range(d):
        ab = blocks[:, 1 + i]
        np.testing.assert_array_equal(ab[:, i], b_rows[:, i])
        others = [j for j in range(d) if j != i]
        np.testing.assert_array_equal(ab[:, others], a_rows[:, others])


def test_morris_gives_r_times_d_plus_1_points_on_the_grid(tmp_path):
    r, levels, d = 5, 4, len(BOUNDS)
    text = sampled("morris", r, seed=1, extra=f"levels = {levels}")
    matrix = as_matrix(points_of(tmp_path, text, "a.toml"))
    assert matrix.shape == (r * (d + 1), d)
    assert_within_bounds(matrix)
    for j, (low, high) in enumerate(BOUNDS.values()):
        grid = low + np.arange(levels) / (levels - 1) * (high - low)
        distance = np.abs(matrix[:, j][:, None] - grid[None, :]).min(axis=1)
        assert np.all(distance < 1e-9), f"dimension {j} leaves the {levels}-level grid"
    # Each trajectory moves one parameter at a time.
    for trajectory in matrix.reshape(r, d + 1, d):
        moved = (np.abs(np.diff(trajectory, axis=0)) > 1e-12).sum(axis=1)
        assert list(moved) == [1] * d
    np.testing.assert_array_equal(matrix, as_matrix(points_of(tmp_path, text, "b.toml")))


def test_salib_problem_names_and_bounds(tmp_path):
    sweep, _, _ = load_sweep(write_sweep(tmp_path / "s.toml", sampled("saltelli", 8)))
    problem = salib_problem(sweep)
    bounds = [list(b) for b in BOUNDS.values()]
    assert problem == {"num_vars": 3, "names": list(BOUNDS), "bounds": bounds}


# -- validation -----------------------------------------------------------------------------

#: name: (file text, the key the error must name)
BAD_SWEEPS = {
    "bounds-with-factorial": (
        '[vary]\n"population.hoarder_share" = { low = 0.0, high = 0.5 }\n',
        "population.hoarder_share",
    ),
    "list-with-lhs": (
        '[design]\nkind = "lhs"\n[vary]\n"population.hoarder_share" = [0.1, 0.2]\n',
        "population.hoarder_share",
    ),
    "list-with-saltelli": (
        '[design]\nkind = "saltelli"\n[vary]\n"traits.tact" = [0.1, 0.2]\n',
        "traits.tact",
    ),
    "unknown-parameter": (
        '[vary]\n"population.bogus_share" = [0.1, 0.2]\n', "population.bogus_share"
    ),
    "unknown-section": ('[fixed]\n"nowhere.n_agents" = 3\n', "nowhere.n_agents"),
    "unknown-metric": ('metrics = ["idea_adoption", "happiness"]\n', "metrics"),
    "stop-both-levels": (
        '[stop]\nmetric = "idea_adoption"\nat_least = 0.9\nat_most = 0.1\n', "stop"
    ),
    "stop-no-level": ('[stop]\nmetric = "idea_adoption"\n', "stop"),
    "stop-unknown-metric": ('[stop]\nmetric = "happiness"\nat_least = 0.5\n', "stop.metric"),
    "missing-scenario": ('scenarios = ["baseline", "no_such_scenario"]\n', "scenarios.1"),
}


@pytest.mark.parametrize("text,key", BAD_SWEEPS.values(), ids=BAD_SWEEPS.keys())
def test_invalid_sweep_raises_sweep_error_naming_file_and_key(tmp_path, text, key):
    path = write_sweep(tmp_path / "bad.toml", 'title = "bad"\n' + text)
    with pytest.raises(experiments.SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert str(path) in message
    assert key in message
    assert info.value.file == str(path)
    assert "\n" not in message


@pytest.mark.parametrize(
    "text,key",
    [BAD_SWEEPS["bounds-with-factorial"], BAD_SWEEPS["list-with-lhs"]],
    ids=["bounds-with-factorial", "list-with-lhs"],
)
def test_design_mismatch_error_carries_key_and_line(tmp_path, text, key):
    """The documented contract of load_sweep: errors name the file, the key *and the line*.

    A design mismatch is raised by a model-level validator, so `explain` gets no location: the
    error's key and line are None and the message gives no line to look at.
    """
    path = write_sweep(tmp_path / "bad.toml", 'title = "bad"\n' + text)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    rows = text.splitlines()
    line = 1 + rows.index(next(s for s in rows if s.startswith(f'"{key}"'))) + 1
    assert info.value.key == f"vary.{key}"
    assert info.value.line == line
    assert f"{path}:{line}" in str(info.value)


BAD_VALUES = {
    "range-num-1": ('{ from = 0.0, to = 0.5, num = 1 }', "num"),
    "range-unknown-key": ('{ from = 0.0, too = 0.5, num = 3 }', "too"),
}


@pytest.mark.parametrize("value,word", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_invalid_range_error_says_what_is_wrong(tmp_path, value, word):
    """A malformed range must be reported as such, not as 'must be a valid list' at a key
    that contains pydantic's internal union name."""
    path = write_sweep(tmp_path / "bad.toml", f'[vary]\n"population.hoarder_share" = {value}\n')
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "list[" not in message and "union[" not in message, message
    assert word in message, message


def test_missing_scenario_file_is_a_sweep_error(tmp_path):
    """A scenario file that does not exist must be rejected when the sweep is loaded (like an
    unknown built-in name), not discovered run by run as failed runs."""
    path = write_sweep(tmp_path / "bad.toml", 'scenarios = ["baseline", "no_such_file.toml"]\n')
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    assert "scenarios.1" in str(info.value) or "no_such_file.toml" in str(info.value)


def test_steps_ending_before_an_intervention_is_a_sweep_error(tmp_path):
    """`orglearn run tools_rollout --steps 20` is refused because the roll-out happens at step 30;
    a sweep of the same scenario with steps = 20 must be refused too, instead of silently
    running every replication without the intervention."""
    path = write_sweep(tmp_path / "short.toml",
                       'scenarios = ["baseline", "tools_rollout"]\nsteps = 20\n')
    assert main(["run", "tools_rollout", "--steps", "20", "--agents", "40", "--quiet",
                 "--out", str(tmp_path / "single")]) == 2
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    assert "steps" in str(info.value) and "30" in str(info.value)


@pytest.mark.parametrize("text,key", BAD_SWEEPS.values(), ids=BAD_SWEEPS.keys())
def test_cli_sweep_of_invalid_file_exits_2_with_one_line(tmp_path, monkeypatch, capsys, text, key):
    path = write_sweep(tmp_path / "sweeps" / "bad.toml", text)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    printed = capsys.readouterr()
    lines = printed.err.splitlines()
    assert len(lines) == 1, printed.err
    assert lines[0].startswith("orglearn: error:") and str(path) in lines[0]
    assert printed.out == ""
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweeps"]


def test_console_script_sweep_of_invalid_file_exits_2(tmp_path):
    text, key = BAD_SWEEPS["stop-both-levels"]
    path = write_sweep(tmp_path / "bad.toml", text)
    result = subprocess.run(
        [str(script("orglearn")), "sweep", str(path), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert key in result.stderr and str(path) in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"], "no results/ folder"


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("fixed", "population.lurker_share", "1.5"),
        ("vary", "population.lurker_share", "[0.1, 1.5]"),
        ("vary", "culture.psychological_safety", "{ from = 0.2, to = 1.4, num = 3 }"),
    ],
)
def test_values_out_of_range_are_caught_when_the_sweep_loads(tmp_path, table, key, value):
    """A bad value in [fixed] or [vary] is a load error naming the key, not a failure of every
    run."""
    path = tmp_path / "bad.toml"
    path.write_text(f'scenarios = ["baseline"]\n\n[{table}]\n"{key}" = {value}\n')
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    assert info.value.key == f"{table}.{key}" and info.value.line == 4, str(info.value)
    assert "must be" in str(info.value)


# -- whole design points ----------------------------------------------------------------------


def test_a_point_is_checked_as_a_whole_not_value_by_value(tmp_path):
    """rude_share = 0.85 breaks the style shares' sum with the default shy_share (0.1), but
    this sweep sets shy_share = 0 in the same point: the model accepts it, so must the sweep."""
    path = write_sweep(tmp_path / "ok.toml", """
steps = 5
replications = 1
[vary]
"population.rude_share" = [0.85]
"population.shy_share" = [0.0]
[fixed]
"organisation.n_agents" = 40
""")
    sweep, _, _ = load_sweep(path)
    from orglearn.experiments.tasks import build_model

    (task,) = make_tasks(sweep)
    model, steps = build_model(task)
    assert model.params.population.rude_share == 0.85 and steps == 5


def test_a_point_that_breaks_a_rule_between_parameters_is_named(tmp_path):
    path = write_sweep(tmp_path / "bad.toml", """
[vary]
"population.rude_share" = [0.85]
"population.shy_share" = [0.0, 0.3]
""")
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    err = info.value
    assert (err.file, err.key, err.line) == (str(path), "vary.population.shy_share", 4)
    message = str(err)
    assert "point 1 of 2 (population.rude_share = 0.85, population.shy_share = 0.3)" in message
    assert "scenario baseline" in message and "sum to 1.260, more than 1" in message


def test_fixed_values_are_checked_with_the_scenario_they_apply_to(tmp_path):
    """The rule is checked against each scenario's own values: pushy_share = 0.7 fits the
    baseline's other style shares (sum 0.91), not those of a scenario with rude_share = 0.5."""
    scenario = tmp_path / "rude.toml"
    scenario.write_text('[population]\nrude_share = 0.5\n')
    ok = write_sweep(tmp_path / "ok.toml", '[fixed]\n"population.pushy_share" = 0.7\n')
    load_sweep(ok)
    bad = write_sweep(tmp_path / "bad.toml", 'scenarios = ["baseline", "rude.toml"]\n'
                      '[fixed]\n"population.pushy_share" = 0.7\n')
    with pytest.raises(SweepError) as info:
        load_sweep(bad)
    assert info.value.key == "fixed.population.pushy_share" and info.value.line == 3
    assert "runs of scenario rude.toml invalid" in str(info.value)


def test_a_point_that_breaks_the_organisation_rule_exits_2_and_writes_nothing(tmp_path, capsys):
    path = write_sweep(tmp_path / "sweeps" / "bad.toml", """
[vary]
"organisation.departments" = [4, 50]
[fixed]
"organisation.n_agents" = 40
""")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "vary.organisation.departments" in err and "point 1 of 2" in err
    assert "n_agents (40) must be at least departments (50)" in err
    assert not out.exists()


def test_thousands_of_points_are_checked_quickly(tmp_path):
    """A 10 000-point factorial design over three scenarios: 30 000 checked runs."""
    import time

    path = write_sweep(tmp_path / "big.toml", """
scenarios = ["baseline", "hoarders", "lurkers"]
[vary]
"population.rude_share" = { from = 0.0, to = 0.5, num = 100 }
"population.shy_share" = { from = 0.0, to = 0.3, num = 100 }
""")
    started = time.perf_counter()
    sweep, _, _ = load_sweep(path)
    assert len(design_points(sweep)) == 10_000
    assert time.perf_counter() - started < 10  # about half a second on a laptop
