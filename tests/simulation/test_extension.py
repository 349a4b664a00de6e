"""Extension points: a model's process pipeline and its agent class (docs/researchers.md,
"Extending the model"). The worked example of the docs runs here as written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from orglearn.agents import Employee
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.pipeline import Pipeline, Process, default_pipeline

DOCS = Path(__file__).resolve().parents[2] / "docs" / "researchers.md"
BUILT_INS = [
    "field_learning", "asking", "esn", "collaboration", "training", "culture_change", "forgetting",
    "turnover",
]


def _docs_example() -> dict:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("```python", text.index("### Extending the model")) + len("```python\n")
    namespace: dict = {"__name__": "docs_example"}
    exec(compile(text[start : text.index("```", start)], str(DOCS), "exec"), namespace)
    return namespace


def test_the_worked_example_of_the_docs_runs_as_written():
    example = _docs_example()
    model = example["model"]
    assert model.pipeline.names == [*BUILT_INS[:5], "lunch_and_learn", *BUILT_INS[5:]]
    assert all(isinstance(agent, example["Listener"]) for agent in model.agents)
    quiet = example["quiet"].pipeline
    assert quiet[quiet.position("esn")].function.__name__ == "<lambda>"
    assert "turnover" not in quiet.names


def test_an_inserted_process_runs_in_its_place_and_reports_its_counts():
    order: list[str] = []

    def spy(name):
        def process(state, network, params, rng, step):
            order.append(name)
            return {f"{name}_calls": 1}

        return process

    model = SocialLearningModel(n_agents=40, rng=1)
    model.pipeline.insert_before("asking", Process("before_asking", spy("before_asking")))
    model.pipeline.insert_after("turnover", Process("last", spy("last")))
    model.step()
    assert order == ["before_asking", "last"]
    assert model.counts["before_asking_calls"] == 1 and model.counts["last_calls"] == 1


def test_removing_or_replacing_a_process_changes_what_happens():
    """Holding the seed constant, removing the ESN stops ESN learning, and replacing asking by
    a no-op stops direct help; the unedited model does both."""
    plain = SocialLearningModel(n_agents=120, rng=3)
    edited = SocialLearningModel(n_agents=120, rng=3)
    edited.pipeline.remove("esn")
    edited.pipeline.replace("asking", lambda state, network, params, rng, step: {})
    plain.run(20)
    edited.run(20)
    frame = plain.datacollector.get_model_vars_dataframe()
    assert frame["esn"].sum() > 0 and frame["direct"].sum() > 0
    frame = edited.datacollector.get_model_vars_dataframe()
    assert frame["esn"].sum() == 0 and frame["direct"].sum() == 0


def test_each_model_has_its_own_pipeline():
    a = SocialLearningModel(n_agents=30, rng=1)
    b = SocialLearningModel(n_agents=30, rng=1)
    a.pipeline.remove("turnover")
    assert "turnover" in b.pipeline.names
    assert default_pipeline().names == BUILT_INS


def test_a_switched_off_section_still_switches_off_its_process():
    model = SocialLearningModel(n_agents=60, rng=2, esn__enabled=False)
    model.run(10)
    assert model.datacollector.get_model_vars_dataframe()["esn"].sum() == 0


def test_editing_by_name_gives_clear_errors():
    pipeline = default_pipeline()
    with pytest.raises(KeyError, match="No process named 'esm'.*esn"):
        pipeline.remove("esm")
    with pytest.raises(ValueError, match="already in the pipeline"):
        pipeline.append(Process("esn", lambda *args: {}))
    with pytest.raises(TypeError, match="Process"):
        pipeline.append(lambda *args: {})
    assert isinstance(pipeline, Pipeline)


class Tracked(Employee):
    """An agent class that counts its instances."""

    created = 0

    def __init__(self, model, row):
        super().__init__(model, row)
        Tracked.created += 1


class TrackedModel(SocialLearningModel):
    agent_class = Tracked


def test_the_agent_class_is_used_for_everyone_including_newcomers():
    Tracked.created = 0
    model = TrackedModel(n_agents=80, rng=4, turnover__rate=0.05)
    assert len(model.agents) == 80 and Tracked.created == 80
    model.run(10)
    leavers = Tracked.created - 80
    assert leavers > 0, "with 5% turnover a day someone leaves in 10 days"
    assert len(model.agents) == 80
    assert all(type(agent) is Tracked for agent in model.agents)
    assert sorted(agent.row for agent in model.agents) == list(range(80))


def test_numpy_integer_seeds_and_a_readable_repr():
    a = SocialLearningModel(n_agents=30, rng=np.int64(7))
    b = SocialLearningModel(n_agents=30, rng=7)
    a.run(3)
    b.run(3)
    np.testing.assert_array_equal(a.state.knowledge, b.state.knowledge)
    assert repr(a) == "SocialLearningModel(n_agents=30, step=3)"
    hoarders = SocialLearningModel({"population": {"hoarder_share": 0.3}}, n_agents=30, rng=1)
    assert repr(hoarders) == (
        "SocialLearningModel(n_agents=30, step=0, changes={population.hoarder_share=0.3})"
    )


def test_mesa_scenario_is_not_shadowed():
    with pytest.raises(TypeError, match="params"):
        SocialLearningModel(scenario="hoarders")
    with pytest.raises(TypeError, match="load_scenario"):
        SocialLearningModel("hoarders")
    model = SocialLearningModel(n_agents=30, rng=5)
    assert model.scenario.rng == 5  # Mesa's own Scenario, holding the seed


def test_help_lists_every_parameter():
    import inspect

    from orglearn.simulation.parameters import SECTIONS

    signature = inspect.signature(SocialLearningModel)
    names = set(signature.parameters)
    for section, cls in SECTIONS.items():
        for name in cls.model_fields:
            assert name in names or f"{section}__{name}" in names, f"{section}.{name}"
    assert "hoarder_share = 0.05" in SocialLearningModel.__doc__
