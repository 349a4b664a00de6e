"""Parameters: defaults, the three override forms and the errors a user sees."""

from __future__ import annotations

import types

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation import ParameterError, Parameters, SocialLearningModel
from orglearn.simulation.parameters import SECTIONS, STYLES


def test_defaults_are_valid_and_flat_lists_every_field():
    params = Parameters()
    flat = params.flat()
    assert flat["organisation__n_agents"] == 500
    assert flat["training__enabled"] is False
    expected = {f"{s}__{f}" for s, cls in SECTIONS.items() for f in cls.model_fields}
    assert set(flat) == expected


def test_override_by_unique_name():
    params = Parameters().with_overrides(n_agents=123, lurker_share=0.4)
    assert params.organisation.n_agents == 123
    assert params.population.lurker_share == 0.4
    # The original is not changed (parameters are immutable values).
    assert Parameters().organisation.n_agents == 500


def test_override_by_section_and_field():
    params = Parameters().with_overrides(asking__enabled=False, esn__reads=7, turnover__rate=0.01)
    assert params.asking.enabled is False
    assert params.esn.reads == 7
    assert params.turnover.rate == 0.01
    assert params.esn.enabled is True, "other sections keep their values"


def test_override_by_section_mapping_keeps_other_fields():
    params = Parameters().with_overrides(esn={"reads": 5}, asking={"rate": 0.3})
    assert params.esn.reads == 5
    assert params.esn.post_rate == Parameters().esn.post_rate
    assert params.asking.rate == 0.3


def test_override_by_read_only_section_mapping():
    """A section may be given as any mapping (the docstring says "a section mapping"), e.g. a
    read-only view of a scenario file's table."""
    params = Parameters().with_overrides(esn=types.MappingProxyType({"reads": 5}))
    assert params.esn.reads == 5


def test_overrides_compose():
    base = Parameters().with_overrides(n_agents=80)
    params = base.with_overrides(esn__reads=2)
    assert params.organisation.n_agents == 80 and params.esn.reads == 2


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"n_agentz": 10}, "n_agentz"),
        ({"esn__nope": 1}, "esn__nope"),
        ({"nosection__reads": 1}, "nosection__reads"),
        ({"esn": {"nope": 1}}, "nope"),
    ],
)
def test_unknown_key_is_an_error_naming_it(overrides, named):
    with pytest.raises(ParameterError, match=named):
        Parameters().with_overrides(**overrides)


@pytest.mark.parametrize("key", ["enabled", "rate"])
def test_ambiguous_key_is_an_error_listing_the_choices(key):
    with pytest.raises(ParameterError, match=f"'{key}'") as err:
        Parameters().with_overrides(**{key: 0.5})
    assert "ambiguous" in str(err.value)
    assert f"asking__{key}" in str(err.value)


@pytest.mark.parametrize(
    "key, value",
    [
        ("n_agents", 1),
        ("n_agents", 10.5),
        ("lurker_share", 1.5),
        ("lurker_share", -0.1),
        ("tool_access", 2),
        ("esn__reads", -1),
        ("turnover__rate", 1.01),
        ("topics", 1),
        ("idea_seed_share", 0.0),
        ("training__interval", 0),
    ],
)
def test_out_of_range_value_is_an_error_naming_the_key(key, value):
    field = key.rpartition("__")[2]
    with pytest.raises(ParameterError, match=field):
        Parameters().with_overrides(**{key: value})


def test_parameter_error_is_a_value_error():
    with pytest.raises(ValueError):
        Parameters().with_overrides(lurker_share=3)


def test_fewer_people_than_departments_is_rejected():
    with pytest.raises(ParameterError, match="departments"):
        Parameters().with_overrides(n_agents=3, departments=5)


def test_style_shares_over_one_are_rejected():
    with pytest.raises(ParameterError, match="style"):
        Parameters().with_overrides(rude_share=0.5, defensive_share=0.3, pushy_share=0.3)


@given(shares=st.lists(st.floats(0.0, 1.0), min_size=len(STYLES) - 1, max_size=len(STYLES) - 1))
def test_style_shares_valid_exactly_when_they_sum_to_at_most_one(shares):
    overrides = {f"{name}_share": share for name, share in zip(STYLES[1:], shares)}
    if sum(shares) <= 1.0 - 1e-6:
        params = Parameters().with_overrides(**overrides)
        assert params.population.rude_share == shares[0]
    elif sum(shares) > 1.0 + 1e-6:
        with pytest.raises(ParameterError):
            Parameters().with_overrides(**overrides)


def test_model_accepts_the_same_forms():
    model = SocialLearningModel(
        params={"organisation": {"n_agents": 40}, "esn": {"reads": 1}},
        rng=0,
        asking__enabled=False,
        lurker_share=0.2,
    )
    assert model.params.organisation.n_agents == 40
    assert model.params.esn.reads == 1
    assert model.params.asking.enabled is False
    assert model.params.population.lurker_share == 0.2
    assert model.network.n == 40

    params = Parameters().with_overrides(n_agents=30)
    assert SocialLearningModel(params, rng=0).network.n == 30
    with pytest.raises(ParameterError, match="bogus"):
        SocialLearningModel(rng=0, bogus=1)
    with pytest.raises(TypeError):
        SocialLearningModel(42, rng=0)
