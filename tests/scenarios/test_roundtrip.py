"""Load, dump, load gives the same scenario; ``orglearn scenarios new`` writes a valid copy."""

from __future__ import annotations

import tomllib
import typing

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticUndefined

from orglearn.cli.main import main
from orglearn.scenarios import Scenario, builtin_names, load, load_text, to_toml
from orglearn.scenarios.fields import bounds
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import SECTIONS, STYLES, ParameterError
from tests.scenarios._support import comparable, write

NAMES = builtin_names()


# -- built-ins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("comments", [True, False])
@pytest.mark.parametrize("name", NAMES)
def test_builtin_survives_dump_and_load(name, comments):
    scenario = load(name)
    text = to_toml(scenario, comments=comments)
    data = tomllib.loads(text)
    assert "extends" not in data  # the written file is complete in itself
    again = load_text(text, file=f"{name}.toml")
    assert comparable(again) == comparable(scenario)
    assert Scenario.model_validate(data).model_dump() == again.model_dump()


@pytest.mark.parametrize("name", NAMES)
def test_dump_is_stable(name):
    """Dumping the reloaded scenario writes the same text again."""
    text = to_toml(load(name))
    assert to_toml(load_text(text)) == text


def test_dump_writes_every_key():
    """Every key with a value is written (TOML has no null: unset optional keys are left out)."""
    scenario = load("baseline")
    data = tomllib.loads(to_toml(scenario))
    for section, cls in SECTIONS.items():
        values = getattr(scenario, section)
        expected = {n for n in cls.model_fields if getattr(values, n) is not None}
        assert set(data[section]) == expected, section


def test_dumped_file_loads_by_path(tmp_path):
    scenario = load("champions_council")
    path = write(tmp_path, "copy.toml", to_toml(scenario))
    assert comparable(load(path)) == comparable(scenario)


# -- random valid scenarios --------------------------------------------------------------------


def _annotation(info):
    annotation = info.annotation
    if typing.get_origin(annotation) in (typing.Union, type(int | None)):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _value_strategy(section: str, name: str, info) -> st.SearchStrategy:
    """Valid values of one field, from its annotation and bounds."""
    annotation = _annotation(info)
    low, high, low_open, high_open = bounds(info)
    if section == "population" and name in {f"{s}_share" for s in STYLES[1:]}:
        high = 0.2  # five style shares must sum to at most 1
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = 0 if low is None else low
        high = low + 10**6 if high is None else high
        return st.integers(low, high)
    if annotation is float:
        return st.floats(
            min_value=low,
            max_value=high,
            exclude_min=low_open,
            exclude_max=high_open,
            allow_nan=False,
            allow_infinity=high is None,
        )
    raise AssertionError(f"no strategy for {section}.{name}: {annotation}")


#: Text that TOML can hold. U+007F is left out here: see test_text_survives_dump_and_load.
TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x7f"), max_size=40
)


#: The fields that take numbers or switches, by section (text fields such as file names of an
#: org chart refer to files, which random values cannot).
NUMERIC = {
    section: [n for n, info in cls.model_fields.items() if _annotation(info) in (bool, int, float)]
    for section, cls in SECTIONS.items()
}


@st.composite
def section_overrides(draw) -> dict:
    overrides: dict = {}
    for section, cls in SECTIONS.items():
        names = draw(st.lists(st.sampled_from(NUMERIC[section]), unique=True, max_size=4))
        values = {n: draw(_value_strategy(section, n, cls.model_fields[n])) for n in names}
        if values:
            overrides[section] = values
    return overrides


@st.composite
def interventions(draw, steps: int) -> list[dict]:
    events = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(list(INTERVENTION_KINDS)))
        cls = INTERVENTION_KINDS[kind]
        event: dict = {"kind": kind, "step": draw(st.integers(1, steps))}
        for name, info in cls.model_fields.items():
            if name in ("kind", "step"):
                continue
            required = info.default is PydanticUndefined and info.default_factory is None
            if not required and draw(st.booleans()):
                continue
            if name == "style":
                event[name] = draw(st.sampled_from(STYLES))
            elif name == "values":
                keys = [
                    f"{s}.{f}" for s, c in SECTIONS.items() if s != "organisation" for f in c.model_fields
                ]
                event[name] = draw(
                    st.dictionaries(
                        st.sampled_from(keys),
                        st.booleans() | st.integers(0, 100) | st.floats(0.0, 1.0),
                        max_size=3,
                    )
                )
            else:
                event[name] = draw(_value_strategy("interventions", name, info))
        events.append(event)
    return events


@st.composite
def scenario_data(draw) -> dict:
    steps = draw(st.integers(1, 1000) | st.just(1_000_000))
    data = {
        "name": draw(TEXT),
        "title": draw(TEXT),
        "description": draw(TEXT),
        "rationale": draw(TEXT),
        "sources": draw(st.lists(TEXT, max_size=3)),
        "steps": steps,
        **draw(section_overrides()),
        "interventions": draw(interventions(steps)),
    }
    against = draw(st.none() | st.sampled_from(NAMES))
    if against is not None:
        data["against"] = against
    return data


@settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenario_data())
def test_random_scenario_survives_dump_and_load(data):
    try:
        scenario = Scenario.model_validate(data)
    except ValueError:  # e.g. n_agents below departments
        assume(False)
    text = to_toml(scenario, comments=True)
    again = load_text(text, file="random.toml")
    assert comparable(again) == comparable(scenario)
    assert comparable(load_text(to_toml(scenario, comments=False))) == comparable(scenario)


@settings(max_examples=100, deadline=None, database=None)
@given(st.data())
def test_random_overrides_survive_dump_and_load(data):
    base = load(data.draw(st.sampled_from(NAMES)))
    overrides = data.draw(section_overrides())
    try:
        scenario = base.with_overrides(**overrides)
    except ParameterError:
        assume(False)
    for section, values in overrides.items():
        for name, value in values.items():
            assert getattr(getattr(scenario, section), name) == value
    again = load_text(to_toml(scenario))
    assert comparable(again) == comparable(scenario)
    assert again.interventions == base.interventions


@pytest.mark.parametrize(
    "text",
    [
        'quote " and backslash \\ ',
        "new\nline and\ttab and \r return",
        "control \x00 \x01 \x1f characters",
        "delete \x7f character",
        "accents é ü and ∑ and emoji 🎓 and \u2028 separator",
        "'''triple''' \"\"\"quotes\"\"\"",
    ],
    ids=["quotes", "whitespace", "c0-controls", "delete", "unicode", "triple-quotes"],
)
def test_text_survives_dump_and_load(text):
    """Any string a TOML file can hold (via escapes) is written back so that it loads again."""
    escaped = text.translate({c: f"\\u{c:04x}" for c in [*range(0x20), 0x7F, 0x22, 0x5C]})
    scenario = load_text(f'title = "{escaped}"\nsources = ["{escaped}"]\n')
    assert scenario.title == text
    again = load_text(to_toml(scenario), file="dumped.toml")
    assert again.title == text and again.sources == [text]


# -- orglearn scenarios new --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_scenarios_new_writes_a_valid_copy(name, tmp_path, capsys):
    out = tmp_path / "mine.toml"
    assert main(["scenarios", "new", "mine", "--from", name, "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    written = load(out)
    original = load(name)
    assert written.name == "mine"
    assert "mine" in written.title
    assert written.against == name
    ignore = {"name", "title", "against", "extends"}
    assert {k: v for k, v in written.model_dump().items() if k not in ignore} == {
        k: v for k, v in original.model_dump().items() if k not in ignore
    }
    assert out.read_text(encoding="utf-8").startswith("#")  # commented for people


def test_scenarios_new_defaults_to_name_toml_in_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["scenarios", "new", "ours"]) == 0
    scenario = load(tmp_path / "ours.toml")
    assert scenario.name == "ours" and scenario.against == "baseline"


def test_scenarios_new_refuses_to_overwrite(tmp_path, capsys):
    out = write(tmp_path, "mine.toml", "# precious\n")
    assert main(["scenarios", "new", "mine", "--from", "hoarders", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# precious\n"
    assert len(err.strip().splitlines()) == 1 and "exists" in err and str(out) in err


def test_scenarios_new_refuses_a_bad_name_or_base(tmp_path, capsys):
    assert main(["scenarios", "new", "no spaces", "--out", str(tmp_path / "x.toml")]) == 2
    assert main(["scenarios", "new", "ok", "--from", "nonexistent", "--out", str(tmp_path / "y.toml")]) == 2
    assert not (tmp_path / "x.toml").exists() and not (tmp_path / "y.toml").exists()
    assert len(capsys.readouterr().err.strip().splitlines()) == 2
