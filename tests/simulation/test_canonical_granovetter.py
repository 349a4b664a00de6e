"""Granovetter (1978): the exact cascades of the uniform crowd and its perturbation (counted and
in the Mesa model, person by person), and the jump with the spread of normal thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from orglearn.simulation.canonical.granovetter import (
    GranovetterModel,
    cascade_path,
    cascade_size,
    critical_sd,
    mean_field_cascade,
    normal_thresholds,
    perturbed_thresholds,
    run_cascades,
    run_model_cascades,
    uniform_thresholds,
)


def test_uniform_thresholds_bring_everyone_one_round_at_a_time():
    path = cascade_path(uniform_thresholds(100))
    assert path.tolist() == list(range(101))
    assert cascade_size(uniform_thresholds(100)) == 100


def test_raising_one_threshold_stops_the_cascade_at_the_instigator():
    assert cascade_path(perturbed_thresholds(100)).tolist() == [0, 1]
    assert cascade_size(perturbed_thresholds(100)) == 1
    assert sorted(perturbed_thresholds(5)) == [0, 2, 2, 3, 4]


def test_batches_of_crowds_cascade_independently():
    crowds = np.stack([uniform_thresholds(10), perturbed_thresholds(10), np.full(10, 3.0)])
    assert cascade_size(crowds).tolist() == [10, 1, 0]
    path = cascade_path(crowds)
    assert path.shape == (3, 11) and path[1, -1] == 1 and path[2, -1] == 0


def test_the_mesa_model_gives_the_same_cascades():
    for thresholds, size in ((uniform_thresholds(100), 100), (perturbed_thresholds(100), 1)):
        model = GranovetterModel(thresholds=thresholds)
        model.run_to_equilibrium()
        assert model.joined == size and model.settled
        joined = model.datacollector.get_model_vars_dataframe()["joined"].tolist()
        assert joined == cascade_path(thresholds).tolist()


def test_the_mesa_model_gives_the_same_cascade_whoever_sits_where():
    uniform = run_model_cascades(uniform_thresholds(100), replications=5, rng=1)
    perturbed = run_model_cascades(perturbed_thresholds(100), replications=5, rng=1)
    assert uniform.shape == (5, 101) and (uniform == np.arange(101)).all()
    assert perturbed.tolist() == [[0, 1]] * 5
    assert run_model_cascades([5.0, 0.0, 1.0], replications=3, rng=2).tolist() == [[0, 1, 2]] * 3
    a = run_model_cascades(normal_thresholds(100, 25.0, 15.0, rng=3)[0], replications=4, rng=4)
    b = run_model_cascades(normal_thresholds(100, 25.0, 15.0, rng=3)[0], replications=4, rng=4)
    assert np.array_equal(a, b)
    assert (a[:, -1] == cascade_size(normal_thresholds(100, 25.0, 15.0, rng=3)[0])).all()


def test_normal_thresholds_jump_at_granovetters_critical_spread():
    assert 12.2 <= critical_sd(100, mean=25.0) <= 12.25
    assert mean_field_cascade(100, mean=25.0, sd=12.0) < 10
    assert mean_field_cascade(100, mean=25.0, sd=12.5) > 99


def test_sampled_crowds_cascade_more_as_thresholds_spread():
    assert run_cascades(100, mean=25.0, sd=0.0, replications=20, rng=1).max() == 0
    narrow = run_cascades(100, mean=25.0, sd=8.0, replications=200, rng=2).mean()
    wide = run_cascades(100, mean=25.0, sd=20.0, replications=200, rng=3).mean()
    assert narrow < 2 and wide > 95
    a = normal_thresholds(100, 25.0, 10.0, replications=3, rng=4)
    assert np.array_equal(a, normal_thresholds(100, 25.0, 10.0, replications=3, rng=4))


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: perturbed_thresholds(2), "'n' parameter of perturbed_thresholds"),
        (lambda: normal_thresholds(10, 25.0, -1.0), "'sd' parameter of normal_thresholds"),
        (lambda: GranovetterModel(thresholds=[[1.0]]), "non-empty 1-D array"),
        (lambda: critical_sd(100, mean=25.0, high=5.0), "widen the bracket"),
        (lambda: run_model_cascades([1.0], replications=0), "'replications' parameter"),
    ],
)
def test_errors_name_the_bad_value(call, fragment):
    with pytest.raises(ValueError) as err:
        call()
    assert fragment in str(err.value)
