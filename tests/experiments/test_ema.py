"""The EMA Workbench adapter: experiments run, outcomes are deterministic, PRIM works on them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    ema_workbench = pytest.importorskip("ema_workbench")

from ema_workbench import ScalarOutcome, perform_experiments  # noqa: E402
from ema_workbench.analysis import prim  # noqa: E402

from orglearn.experiments.ema import (  # noqa: E402
    OUTCOMES,
    apply_point,
    dotted_columns,
    dotted_name,
    ema_model,
    ema_name,
)
from orglearn.scenarios import Scenario, load  # noqa: E402
from orglearn.simulation.model import SocialLearningModel  # noqa: E402

STEPS = 40
# Half of the staff know the idea at the start, so that within 40 steps t90 is reached in some
# experiments and not in others (hoarders slow it down).
FIXED = {"knowledge.idea_seed_share": 0.5}
UNCERTAINTIES = {
    "population.hoarder_share": (0.0, 0.6),
    "asking.reputation_detection": [True, False],
}
LEVERS = {"interventions.appoint_champions.step": (5, 30), "tools.tool_access": (0.3, 1.0)}


def with_champions():
    """The baseline with champions appointed (the lever moves the step)."""
    data = load("baseline").model_dump()
    data["interventions"] = [{"kind": "appoint_champions", "step": 20}]
    return Scenario.model_validate(data)


def tiny(**kwargs):
    options = dict(uncertainties=UNCERTAINTIES, levers=LEVERS, steps=STEPS, n_agents=40,
                   fixed=FIXED)
    return ema_model(with_champions(), **{**options, **kwargs})


def experiments_of(model, rng=1):
    return perform_experiments(
        model, scenarios=8, policies=2,
        uncertainty_sampling_kwargs={"rng": rng}, lever_sampling_kwargs={"rng": rng + 1},
    )


@pytest.fixture(scope="module")
def results():
    return experiments_of(tiny())


def test_names_map_one_to_one():
    for key in ("population.hoarder_share", "interventions.appoint_champions.step"):
        assert ema_name(key).isidentifier()
        assert dotted_name(ema_name(key)) == key
    assert ema_name("interventions.appoint_champions.step") == (
        "interventions__appoint_champions__step")


def test_parameter_types_follow_the_fields():
    model = tiny()
    kinds = {p.name: type(p).__name__ for p in [*model.uncertainties, *model.levers]}
    assert kinds == {
        "population__hoarder_share": "RealParameter",
        "asking__reputation_detection": "BooleanParameter",
        "interventions__appoint_champions__step": "IntegerParameter",
        "tools__tool_access": "RealParameter",
    }
    assert {c.name: c.value for c in model.constants} == {
        "knowledge__idea_seed_share": 0.5, "organisation__n_agents": 40}


def test_experiments_run_with_outcomes_of_the_right_shape(results):
    experiments, outcomes = results
    assert len(experiments) == 16
    assert set(outcomes) == {"t50", "t90", "t90_reached", "final_idea_adoption",
                             "final_mean_knowledge"}
    for values in outcomes.values():
        assert values.shape == (16,) and values.dtype == np.float64
        assert np.isfinite(values).all()
    table = dotted_columns(experiments)
    assert table["interventions.appoint_champions.step"].between(5, 30).all()
    assert table["interventions.appoint_champions.step"].dtype == np.int64
    assert table["population.hoarder_share"].between(0.0, 0.6).all()
    # Censoring: t90 is the run length plus one exactly when 90% was not reached.
    assert ((outcomes["t90"] == STEPS + 1) == (outcomes["t90_reached"] == 0)).all()
    assert (outcomes["t90"][outcomes["t90_reached"] == 1] <= STEPS).all()
    reached = outcomes["t90_reached"]
    assert 0 < reached.sum() < len(reached), "the test needs both outcomes of t90"


def test_same_values_give_the_same_outcomes(results):
    experiments, outcomes = results
    again_experiments, again = experiments_of(tiny())
    # EMA names scenarios and policies from global counters, so compare the values only.
    values = [ema_name(k) for k in (*UNCERTAINTIES, *LEVERS)]
    assert again_experiments[values].equals(experiments[values])
    for name in outcomes:
        np.testing.assert_array_equal(again[name], outcomes[name])
    # One experiment rerun on its own, from its row of the experiments table.
    model = tiny()
    names = [p.name for p in [*model.uncertainties, *model.levers]]
    row = experiments.iloc[5]
    constants = {c.name: c.value for c in model.constants}
    alone = model.function(**{n: row[n] for n in names}, **constants)
    assert alone["t90"] == outcomes["t90"][5]
    assert alone["final_mean_knowledge"] == outcomes["final_mean_knowledge"][5]


def test_policies_share_a_scenarios_seed_and_scenarios_differ(results):
    experiments, _ = results
    run = tiny().function
    names = [ema_name(k) for k in (*UNCERTAINTIES, *LEVERS)]
    seeds = {}
    for _, row in experiments.iterrows():
        seq = run.seed_sequence({n: row[n] for n in names})
        seeds.setdefault(row["scenario"], set()).add(seq.spawn_key)
    assert all(len(keys) == 1 for keys in seeds.values())  # common random numbers
    assert len({next(iter(keys)) for keys in seeds.values()}) == len(seeds)


def test_another_root_seed_changes_the_outcomes(results):
    _, outcomes = results
    _, other = experiments_of(tiny(seed=7))
    assert not np.array_equal(other["final_mean_knowledge"], outcomes["final_mean_knowledge"])


def test_without_uncertainties_the_seed_is_a_sweeps_replicate_seed():
    model = ema_model("baseline", steps=20, n_agents=40, seed=99,
                      levers={"tools.tool_access": (0.3, 1.0)}, outcomes=OUTCOMES)
    got = model.function(tools__tool_access=0.5, organisation__n_agents=40)
    direct = SocialLearningModel(load("baseline"), rng=np.random.SeedSequence(99, spawn_key=(0,)),
                                 n_agents=40, tools__tool_access=0.5)
    direct.run(20)
    assert got["final_mean_knowledge"] == direct.metrics["mean_knowledge"]
    assert set(got) == set(OUTCOMES)


def test_replications_average_the_single_runs():
    model = tiny(replications=2, outcomes=("t90_reached", "final_mean_knowledge"))
    values = {"population__hoarder_share": 0.2, "asking__reputation_detection": True,
              "interventions__appoint_champions__step": 10, "tools__tool_access": 0.8}
    experiments, outcomes = perform_experiments(model, scenarios=[ema_workbench.Sample(
        **{k: v for k, v in values.items() if not k.startswith(("interv", "tools"))})],
        policies=[ema_workbench.Sample(**{k: v for k, v in values.items()
                                          if k.startswith(("interv", "tools"))})])
    single = tiny().function
    constants = {"knowledge__idea_seed_share": 0.5, "organisation__n_agents": 40}
    runs = [single(**values, **constants, replicate=r) for r in (0, 1)]
    assert outcomes["final_mean_knowledge"][0] == pytest.approx(
        np.mean([r["final_mean_knowledge"] for r in runs]))
    assert outcomes["t90_reached"][0] == np.mean([r["t90_reached"] for r in runs])


def test_prim_runs_on_the_results(results):
    experiments, outcomes = results
    x = experiments.drop(columns=["scenario", "policy", "model"])
    fails = outcomes["t90_reached"] == 0
    box = prim.Prim(x, fails, mass_min=0.1).find_box()
    assert 0 < box.coverage <= 1 and 0 < box.density <= 1
    assert box.density >= fails.mean()          # the box is at least as dense as the data
    limits = box.box_lim
    assert set(limits.columns) <= set(x.columns)


def test_intervention_levers_change_the_scenarios_intervention():
    model = tiny()
    values = {"interventions__appoint_champions__step": 12, "tools__tool_access": 0.5,
              "population__hoarder_share": 0.1, "asking__reputation_detection": False}
    built = model.function.build_model(values)
    assert [(e.kind, e.step, e.share) for e in built.interventions] == [
        ("appoint_champions", 12, 0.05)]
    assert built.params.tools.tool_access == 0.5
    assert built.params.population.hoarder_share == 0.1
    council = load("champions_council")
    [before] = [e for e in council.interventions if e.kind == "appoint_champions"]
    changed = apply_point(council, {"interventions.appoint_champions.share": 0.2})
    [after] = [e for e in changed.interventions if e.kind == "appoint_champions"]
    assert (after.step, after.share) == (before.step, 0.2)
    assert len(changed.interventions) == len(council.interventions)
    # By position, as in sweep files; the EMA name is an identifier too.
    position = council.interventions.index(before)
    key = f"interventions.{position}.share"
    assert apply_point(council, {key: 0.2}) == changed
    assert ema_name(key).isidentifier() and dotted_name(ema_name(key)) == key


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"uncertainties": {"population.hoarders": (0, 1)}}, "not a parameter"),
        ({"uncertainties": {"esn.reads": (1.5, 4)}}, "integer parameter"),
        ({"uncertainties": {"population.hoarder_share": (0.0, 1.5)}}, "hoarder_share"),
        ({"uncertainties": {"asking.reputation_detection": (0, 1)}}, "as a list"),
        ({"levers": {"interventions.appoint_champions.step": (5, 90)}}, "after the last step"),
        ({"levers": {"interventions.hire_champions.step": (5, 9)}}, "appoint_champions"),
        ({"levers": {"interventions.appoint_champions.size": (5, 9)}}, "its fields: step, share"),
        ({"levers": {"tools.tool_access": (0.3, 1.0)},
          "uncertainties": {"tools.tool_access": (0.3, 1.0)}}, "more than once"),
        ({"outcomes": ("t90", "speed")}, "not an outcome"),
        ({"outcomes": (ScalarOutcome("fast", variable_name="t95"),)}, "reads"),
    ],
)
def test_bad_specifications_are_clear_errors(kwargs, message):
    options = dict(steps=STEPS, n_agents=40, **kwargs)
    with pytest.raises(ValueError, match=message):
        ema_model(with_champions(), **options)


def test_a_lever_on_an_intervention_the_scenario_lacks_is_an_error():
    with pytest.raises(ValueError, match="no appoint_champions intervention"):
        ema_model("baseline", steps=STEPS, levers={"interventions.appoint_champions.step": (5, 9)})


def test_an_undefined_final_value_is_nan_not_an_error():
    """Without hoarders, their reputation is undefined: the outcome is NaN, as EMA expects."""
    model = ema_model("baseline", steps=5, n_agents=40, seed=3,
                      uncertainties={"population.hoarder_share": (0.0, 0.3)},
                      outcomes=("final_reputation_hoarders", "final_mean_knowledge"))
    got = model.function(population__hoarder_share=0.0, organisation__n_agents=40)
    assert np.isnan(got["final_reputation_hoarders"])
    assert 0.0 < got["final_mean_knowledge"] < 1.0
