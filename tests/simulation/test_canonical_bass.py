"""Bass (1969): the closed form, the discrete recursion, and the agent-based model against both."""

from __future__ import annotations

import numpy as np
import pytest

from orglearn.simulation.canonical.bass import BassModel, bass_closed_form, bass_recursion, run_bass

P, Q = 0.03, 0.38


def test_closed_form_solves_the_bass_equation():
    t = np.linspace(0, 30, 3001)
    f = bass_closed_form(t, P, Q)
    assert f[0] == 0 and f[-1] > 0.999 and np.all(np.diff(f) > 0)
    slope = np.gradient(f, t)
    assert np.allclose(slope, (P + Q * f) * (1 - f), atol=1e-4)
    # The inflection (fastest adoption) is at t* = ln(q / p) / (p + q).
    assert abs(t[slope.argmax()] - np.log(Q / P) / (P + Q)) < 0.02


def test_the_discretisation_error_is_well_below_the_tolerance():
    for dt, bound in ((0.05, 0.004), (0.1, 0.008)):
        steps = int(round(30 / dt))
        closed = bass_closed_form(np.arange(steps + 1) * dt, P, Q)
        assert np.abs(bass_recursion(steps, P, Q, dt) - closed).max() < bound


def test_the_agent_based_model_is_within_002_of_the_closed_form_at_n_10000():
    times, shares = run_bass(10_000, p=P, q=Q, dt=0.05, t_max=30, replications=20, rng=1)
    closed = bass_closed_form(times, P, Q)
    assert shares.shape == (20, times.size) and np.all(np.diff(shares, axis=1) >= 0)
    assert np.abs(shares.mean(axis=0) - closed).max() < 0.02
    # A single run strays by about 0.013 at most at this size (noise in the first adopters
    # shifts its whole curve in time); most runs stay within the tolerance.
    per_run = np.abs(shares - closed).max(axis=1)
    assert np.median(per_run) < 0.02


def test_resistances_match_fresh_draws_each_step():
    # The same process drawn the textbook way: a uniform number per agent and step.
    rng = np.random.default_rng(5)
    n, reps, dt, steps = 200, 2000, 0.1, 60
    adopted = np.zeros((reps, n), dtype=bool)
    for _ in range(steps):
        adopted |= rng.random((reps, n)) < (P + Q * adopted.mean(axis=1, keepdims=True)) * dt
    textbook = adopted.mean(axis=1)
    _, shares = run_bass(n, p=P, q=Q, dt=dt, t_max=steps * dt, replications=reps, rng=6)
    ours = shares[:, -1]
    standard_error = np.hypot(ours.std(), textbook.std()) / np.sqrt(reps)
    assert abs(ours.mean() - textbook.mean()) < 4 * standard_error
    assert abs(ours.std() / textbook.std() - 1) < 0.1


def test_the_mesa_model_steps_the_same_process():
    model = BassModel(n=10_000, p=P, q=Q, dt=0.05, rng=3)
    for _ in range(200):
        model.step()
    assert model.time_elapsed == pytest.approx(10.0)
    assert abs(model.share_adopted - bass_closed_form(10.0, P, Q)) < 0.03
    series = model.datacollector.get_model_vars_dataframe()["share_adopted"]
    assert len(series) == 201 and series.is_monotonic_increasing
    again = BassModel(n=10_000, p=P, q=Q, dt=0.05, rng=3)
    for _ in range(200):
        again.step()
    assert again.share_adopted == model.share_adopted


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"dt": 3.0}, "use dt <= 2.44"),
        ({"p": 0.0}, "'p' parameter of run_bass"),
        ({"n": 0}, "'n' parameter of run_bass"),
        ({"q": -1.0}, "'q' parameter of run_bass"),
    ],
)
def test_errors_name_the_bad_value(kwargs, fragment):
    with pytest.raises(ValueError) as err:
        run_bass(**{"n": 100, **kwargs})
    assert fragment in str(err.value)
