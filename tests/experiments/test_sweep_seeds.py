"""Seeds of a sweep: spawned from one SeedSequence, shared across scenarios and points, reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from orglearn.experiments import load_sweep, make_tasks
from orglearn.experiments.tasks import FINAL_COLUMNS, run_one
from tests.experiments._sweep_support import write_sweep

SWEEP = """
scenarios = ["baseline", "hoarders"]
replications = 4
seed = 987654321
steps = 40
[vary]
"population.hoarder_share" = [0.0, 0.3]
"asking.reputation_detection" = [true, false]
[fixed]
"organisation.n_agents" = 40
"""


@pytest.fixture(scope="module")
def tasks(tmp_path_factory):
    path = write_sweep(tmp_path_factory.mktemp("seeds") / "seeds.toml", SWEEP)
    sweep, _, _ = load_sweep(path)
    return sweep, make_tasks(sweep, path.parent)


def test_replication_seeds_are_spawned_from_the_sweep_seed(tasks):
    sweep, all_tasks = tasks
    children = np.random.SeedSequence(sweep.seed).spawn(sweep.replications)
    assert len(all_tasks) == 2 * 4 * sweep.replications
    for task in all_tasks:
        child = children[task.replicate]
        assert task.seed_entropy == sweep.seed == child.entropy
        assert task.spawn_key == tuple(child.spawn_key) == (task.replicate,)
        np.testing.assert_array_equal(
            task.seed_sequence().generate_state(8), child.generate_state(8)
        )


def test_replicate_r_shares_its_seed_across_scenarios_and_points(tasks):
    _, all_tasks = tasks
    by_replicate: dict[int, set] = {}
    for task in all_tasks:
        by_replicate.setdefault(task.replicate, set()).add((task.seed_entropy, task.spawn_key))
    assert sorted(by_replicate) == [0, 1, 2, 3]
    for seeds in by_replicate.values():
        assert len(seeds) == 1, "common random numbers: one seed per replicate"
    states = {tuple(t.seed_sequence().generate_state(4)) for t in all_tasks}
    assert len(states) == 4, "different replicates get different streams"


def test_seeds_do_not_depend_on_the_rest_of_the_sweep(tmp_path):
    """Adding scenarios or points leaves the seed of replicate r unchanged."""
    small = write_sweep(tmp_path / "small.toml", "replications = 3\nseed = 5\n")
    big = write_sweep(tmp_path / "big.toml", """
scenarios = ["baseline", "lurkers", "silos"]
replications = 3
seed = 5
[vary]
"population.hoarder_share" = [0.0, 0.1, 0.2]
""")
    seeds_small = {t.replicate: t.seed_sequence().generate_state(4).tolist()
                   for t in make_tasks(load_sweep(small)[0])}
    for task in make_tasks(load_sweep(big)[0]):
        assert task.seed_sequence().generate_state(4).tolist() == seeds_small[task.replicate]


def test_run_one_is_reproducible(tasks):
    _, all_tasks = tasks
    task = all_tasks[5]
    first, second = run_one(task), run_one(task)
    assert first["run"]["status"] == "ok", first["run"]["error"]
    assert first["run"]["steps_run"] == 40
    for col in ("steps_run", *FINAL_COLUMNS):
        a, b = first["run"].get(col), second["run"].get(col)
        assert (a == b) or (a is None and b is None) or (np.isnan(a) and np.isnan(b)), col
    assert set(first["timeseries"]) == {"run_id", "step", "metric", "scope", "department", "value"}
    for col, values in first["timeseries"].items():
        np.testing.assert_array_equal(values, second["timeseries"][col], err_msg=col)
    assert len(first["timeseries"]["value"]) > 0


def test_common_random_numbers_give_identical_runs_for_identical_settings(tasks):
    """Replicate r of two points that set the same parameters is the very same run; another
    replicate of the same point is a different run."""
    _, all_tasks = tasks
    base = next(t for t in all_tasks if t.scenario == "baseline" and t.point_id == 0 and t.replicate == 1)
    # The hoarders scenario only sets population.hoarder_share, which the point overrides.
    twin = next(t for t in all_tasks if t.scenario == "hoarders" and t.point_id == 0 and t.replicate == 1)
    other = next(t for t in all_tasks if t.scenario == "baseline" and t.point_id == 0 and t.replicate == 2)
    a, b, c = run_one(base), run_one(twin), run_one(other)
    np.testing.assert_array_equal(a["timeseries"]["value"], b["timeseries"]["value"])
    assert a["run"]["final_mean_knowledge"] == b["run"]["final_mean_knowledge"]
    assert not np.array_equal(a["timeseries"]["value"], c["timeseries"]["value"])
