"""Fuzzing the scenario loader: whatever the text, `load_text` returns a `Scenario` or raises a
`ScenarioError` whose message is one line naming the file, never anything else.

Structured inputs are random TOML documents (written by the small emitter below) that mix the
real sections, keys and intervention kinds with junk keys, wrong types, out-of-range values
and fake kinds; raw inputs are random text, fragments of scenario files and mutated built-ins.
"""

from __future__ import annotations

import atexit
import datetime as dt
import math
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orglearn.scenarios import Scenario, ScenarioError, builtin_names, builtin_path, load_text
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import SECTIONS, STYLES

# The strategies are big: their repr (in Hypothesis's reports) is long, and that is fine.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

FILE = "fuzzed-scenario.toml"
FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: An empty directory against which relative 'extends' paths are resolved.
EMPTY = Path(tempfile.mkdtemp(prefix="orglearn-fuzz-"))
atexit.register(shutil.rmtree, EMPTY, True)

TOP_KEYS = list(Scenario.model_fields)
SECTION_KEYS = sorted({name for cls in SECTIONS.values() for name in cls.model_fields})
EVENT_KEYS = sorted({name for cls in INTERVENTION_KINDS.values() for name in cls.model_fields})
KINDS = list(INTERVENTION_KINDS)
NAMES = builtin_names()


# -- a small TOML emitter ----------------------------------------------------------------------


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _escape(key)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def emit(document: dict, tables: set[str]) -> str:
    """TOML text for ``document``; the keys in ``tables`` holding a table are written as
    ``[key]`` sections, those holding a non-empty list of tables as ``[[key]]`` sections."""

    def as_table(key, value):
        return key in tables and isinstance(value, dict)

    def as_array(key, value):
        return (
            key in tables
            and isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
        )

    lines = [
        f"{_key(k)} = {_value(v)}"
        for k, v in document.items()
        if not as_table(k, v) and not as_array(k, v)
    ]
    for key, value in document.items():
        if as_table(key, value):
            lines += ["", f"[{_key(key)}]"] + [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        elif as_array(key, value):
            for item in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def test_the_emitter_writes_toml_that_tomllib_reads_back():
    import tomllib

    document = {
        "title": 'a "quoted"\n\x7f title',
        "n": -3,
        "x": 1e-300,
        "section": {"a b": [1, 2.5, True, "s"], "t": {"deep": dt.date(2012, 1, 2)}},
        "events": [{"kind": "k", "step": 3}, {"kind": "j"}],
    }
    for tables in (set(), {"section", "events"}):
        assert tomllib.loads(emit(document, tables)) == document


# -- strategies --------------------------------------------------------------------------------

JUNK_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)
#: Odd names for the files a scenario names ('extends', org chart CSV files).
PATHLIKE = st.sampled_from(
    ["~", "~nosuchuser/people.csv", "a\x00b.csv", "x" * 300 + ".csv", "/", ".", "..", "missing.csv"]
)
KEY = st.sampled_from(TOP_KEYS + SECTION_KEYS + EVENT_KEYS) | JUNK_TEXT
SCALAR = (
    st.booleans()
    | st.integers()
    | st.integers(-3, 1100)
    | st.floats()
    | st.floats(-0.5, 1.5)
    | JUNK_TEXT
    | st.sampled_from(KINDS + list(STYLES) + NAMES + ["", "true", "0.5", "365"])
    | PATHLIKE
    | st.dates()
    | st.times()
    | st.datetimes()
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=4),
    max_leaves=8,
)
#: Values that 'extends' can take: built-ins, missing names and paths, long paths, wrong types.
EXTENDS = (
    st.sampled_from(NAMES)
    | JUNK_TEXT
    | st.sampled_from(["missing.toml", "sub/missing.toml", "../missing.toml", "/", "."])
    | st.builds(
        lambda n, suffix: "x" * n + suffix,
        st.integers(200, 5000),
        st.sampled_from(["", ".toml", "/a.toml"]),
    )
    | VALUE
)


@st.composite
def sections(draw, name: str):
    cls = SECTIONS[name]
    keys = draw(st.lists(st.sampled_from(list(cls.model_fields)) | KEY, max_size=5, unique=True))
    return {key: draw(SCALAR | VALUE) for key in keys}


@st.composite
def intervention(draw):
    event = {}
    if draw(st.integers(0, 9)):
        event["kind"] = draw(st.sampled_from(KINDS + ["hire_consultants", ""]) | SCALAR)
    if draw(st.integers(0, 9)):
        event["step"] = draw(st.integers(-10, 2000) | SCALAR)
    for key in draw(st.lists(st.sampled_from(EVENT_KEYS) | KEY, max_size=4, unique=True)):
        if key not in event:
            event[key] = draw(SCALAR | VALUE)
    return event


@st.composite
def documents(draw):
    """A random scenario-like document and the keys to write as TOML tables."""
    document: dict = {}
    for key in draw(st.lists(st.sampled_from(["name", "title", "description", "rationale",
                                               "sources", "against"]), unique=True)):
        document[key] = draw(JUNK_TEXT | SCALAR | VALUE)
    if draw(st.booleans()):
        document["steps"] = draw(st.integers(-5, 2_000_000) | SCALAR)
    if draw(st.integers(0, 3)) == 0:
        document["extends"] = draw(EXTENDS)
    for name in draw(st.lists(st.sampled_from(list(SECTIONS)), max_size=5, unique=True)):
        document[name] = draw(sections(name)) if draw(st.integers(0, 5)) else draw(SCALAR)
    if draw(st.booleans()):
        document["interventions"] = (
            draw(st.lists(intervention(), max_size=4)) if draw(st.integers(0, 5)) else draw(VALUE)
        )
    for key in draw(st.lists(KEY, max_size=2)):
        document.setdefault(key, draw(VALUE))
    tables = {key for key in document if draw(st.booleans())}
    return document, tables


def _load(text: str):
    """Load ``text``; return the Scenario or the ScenarioError (anything else propagates)."""
    try:
        scenario = load_text(text, file=FILE, base=EMPTY)
    except ScenarioError as err:
        return err
    assert isinstance(scenario, Scenario)
    return scenario


def _load_or_fail(text: str):
    """Like `_load`, but any other exception fails the test with a short message."""
    try:
        return _load(text)
    except Exception as err:  # noqa: BLE001 - the point of the test
        pytest.fail(f"load_text raised {type(err).__name__}, not ScenarioError: {str(err)[:150]}")


def _check_message(err: ScenarioError, text: str) -> None:
    message = str(err)
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    assert FILE in message, f"does not name the file: {message!r}"
    assert err.line is None or 1 <= err.line <= len(text.splitlines()) + 1, (err.line, message)


# -- properties --------------------------------------------------------------------------------


@FUZZ
@given(documents())
def test_random_documents_load_or_raise_scenario_error(case):
    document, tables = case
    _load(emit(document, tables))


@FUZZ
@given(documents())
def test_errors_of_random_documents_are_one_line_naming_the_file(case):
    document, tables = case
    text = emit(document, tables)
    outcome = _load(text)
    if isinstance(outcome, ScenarioError):
        _check_message(outcome, text)


FRAGMENTS = [
    "[population]", "[organisation]", "[esn]", "[[interventions]]", "[population.sub]",
    'kind = "roll_out_tools"', 'kind = "set_parameters"', 'kind = "nonsense"', "step = 3",
    "step = 0", "step = 99999", "steps = 10", "lurker_share = 0.5", "lurker_share = 5",
    "rude_share = 0.9", "shy_share = 0.9", 'extends = "baseline"', 'extends = "nowhere"',
    'values = { "asking.rate" = 0.3 }', 'values = { "nope" = 1 }', 'style = "rude"',
    '"""', "'''", "[", "]", "=", "a.b.c = 1", "x = [1, [2, 3]]", "n_agents = 3",
    "departments = 9", 'title = "t"', "title = 3", "# comment", "",
]


def _mutated(text: str, data) -> str:
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 40)))
        text = text[:i] + data.draw(st.text(max_size=5) | st.sampled_from(FRAGMENTS)) + text[j:]
    return text


@FUZZ
@given(st.data())
def test_random_text_loads_or_raises_a_one_line_scenario_error(data):
    how = data.draw(st.sampled_from(["text", "fragments", "mutated"]))
    if how == "text":
        text = data.draw(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200))
    elif how == "fragments":
        lines = data.draw(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=10), max_size=15))
        text = "\n".join(lines)
    else:
        original = builtin_path(data.draw(st.sampled_from(NAMES))).read_text(encoding="utf-8")
        text = _mutated(original, data)
    outcome = _load(text)
    if isinstance(outcome, ScenarioError):
        _check_message(outcome, text)


# -- inputs the properties above reach only rarely --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 1000 + "]" * 1000 + "\n",
        "a = " + "{b = " * 600 + "1" + "}" * 600 + "\n",
        "sources = " + "[" * 400 + '"x"' + "]" * 400 + "\n",
    ],
    ids=["arrays", "inline-tables", "sources"],
)
def test_deeply_nested_values_are_a_scenario_error(text):
    """tomllib recurses once per nesting level; a deep document must still give a ScenarioError
    (not RecursionError)."""
    outcome = _load_or_fail(text)
    if isinstance(outcome, ScenarioError):
        _check_message(outcome, text)


@pytest.mark.parametrize(
    "parent",
    ["x" * 300 + ".toml", "sub/" + "x" * 300, "a/" * 2100 + "b.toml"],
    ids=["long-name", "long-name-in-folder", "long-path"],
)
def test_overlong_extends_path_is_a_scenario_error(parent):
    """A path the operating system refuses (ENAMETOOLONG) is just a missing parent."""
    text = f'extends = "{parent}"\n'
    outcome = _load_or_fail(text)
    assert isinstance(outcome, ScenarioError)


@pytest.mark.parametrize(
    "value",
    ["~nosuchuser/people.csv", "a\\u0000b.csv", "x" * 300 + ".csv"],
    ids=["unknown-home", "nul", "long-name"],
)
def test_odd_org_chart_file_names_are_a_scenario_error(value):
    """An org chart file name that cannot be a file is an error naming the key, not a crash."""
    text = f'[organisation]\npeople_file = "{value}"\n'
    outcome = _load_or_fail(text)
    assert isinstance(outcome, ScenarioError)
    assert outcome.key == "organisation.people_file"
    _check_message(outcome, text)


@pytest.mark.parametrize(
    "text",
    ['"a\\nb" = 1\n', '[population]\n"lurker\\nshare" = 0.5\n', '[[interventions]]\nkind = "roll_out_tools"\nstep = 2\n"x\\ry" = 1\n'],
    ids=["top-level", "section", "intervention"],
)
def test_unknown_key_with_a_line_break_gives_a_one_line_error(text):
    outcome = _load(text)
    assert isinstance(outcome, ScenarioError)
    _check_message(outcome, text)


def test_loader_accepts_what_the_emitter_writes_for_a_real_scenario():
    document = {
        "title": "Fuzz baseline",
        "steps": 50,
        "population": {"lurker_share": 0.5, "hoarder_share": 0.1},
        "interventions": [{"kind": "appoint_champions", "step": 10, "share": 0.1}],
    }
    for tables in (set(), {"population", "interventions"}):
        scenario = _load(emit(document, tables))
        assert isinstance(scenario, Scenario), scenario
        assert scenario.population.lurker_share == 0.5 and scenario.steps == 50
