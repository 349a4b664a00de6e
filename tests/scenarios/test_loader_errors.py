"""Scenario errors name the file, the key path, the line where possible, and what is allowed.

The same errors through the command line: exit status 2, one line on stderr, nothing written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orglearn.cli.main import main
from orglearn.scenarios import ScenarioError, builtin_names, builtin_path, load, load_text
from orglearn.simulation.interventions import INTERVENTION_KINDS
from orglearn.simulation.parameters import SECTIONS, STYLES
from tests.scenarios._support import comparable, write

ORGLEARN = Path(sys.executable).with_name("orglearn")


def _line(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that contains ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(path)
    err = info.value
    assert "\n" not in str(err), f"not one line: {str(err)!r}"
    return err


def _check(err: ScenarioError, path: Path, key: str | None, line: int | None) -> str:
    """Assert the common parts of a located error; return its message."""
    message = str(err)
    assert err.file == str(path)
    assert str(path) in message
    assert err.key == key, message
    if key is not None:
        assert f"'{key}'" in message
    assert err.line == line, message
    if line is not None:
        assert f"{path}:{line}" in message
    return message


# -- keys, types and ranges --------------------------------------------------------------------


def test_unknown_top_level_key(tmp_path):
    text = 'title = "Ours"\ncolour = "blue"\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "colour", 2)
    assert "not a known key" in message
    for allowed in ("title", "steps", "population", "interventions", "extends", *SECTIONS):
        assert allowed in message


def test_unknown_key_in_a_section(tmp_path):
    text = 'title = "Ours"\n\n[population]\nlurker_share = 0.2\nlurkers = 0.5\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "population.lurkers", 5)
    assert "not a known key" in message
    for allowed in SECTIONS["population"].model_fields:
        assert allowed in message
    assert "tool_access" not in message  # only the keys of this section


def test_unknown_key_in_a_nested_table_of_a_section(tmp_path):
    path = write(tmp_path, "ours.toml", "[asking]\nrate = 0.5\nextra = { a = 1 }\n")
    message = _check(_error(path), path, "asking.extra", 3)
    assert "reputation_detection" in message


def test_unknown_key_in_an_intervention_lists_the_keys_of_its_kind(tmp_path):
    text = '[[interventions]]\nkind = "appoint_champions"\nstep = 10\nreads = 3\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.reads", 4)
    allowed = message.split("allowed here:")[1]
    assert "share" in allowed and "step" in allowed
    # 'reads' belongs to another kind: the message must not reject it and list it as allowed.
    assert "reads" not in allowed, message


def test_wrong_type(tmp_path):
    text = '[organisation]\ndepartments = 4\nn_agents = "many"\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "organisation.n_agents", 3)
    assert "integer" in message and "'many'" in message


@pytest.mark.parametrize(
    "text,key,needle",
    [
        ("steps = \"long\"\n", "steps", "steps"),
        ("sources = \"one\"\n", "sources", "sources"),
        ("[esn]\nenabled = \"maybe\"\n", "esn.enabled", "enabled"),
        ("[tools]\ntool_access = [0.5]\n", "tools.tool_access", "tool_access"),
        ("population = 0.3\n", "population", "population"),
        ("title = 3\n", "title", "title"),
    ],
    ids=["steps-text", "sources-text", "enabled-text", "share-list", "section-number", "title-number"],
)
def test_more_wrong_types(tmp_path, text, key, needle):
    path = write(tmp_path, "ours.toml", text)
    _check(_error(path), path, key, _line(text, needle))


@pytest.mark.parametrize(
    "text,key",
    [
        ('steps = "365"\n', "steps"),
        ('[tools]\ntool_access = "0.8"\n', "tools.tool_access"),
        ('[organisation]\nn_agents = "300"\n', "organisation.n_agents"),
        ('[esn]\nenabled = "yes"\n', "esn.enabled"),
    ],
    ids=["steps", "share", "n_agents", "switch"],
)
def test_quoted_text_is_not_accepted_as_a_number_or_boolean(tmp_path, text, key):
    """A TOML string is text: "0.8" for a share or "yes" for a switch is a wrong type (the
    reference promises wrong types are errors), not something to coerce silently."""
    path = write(tmp_path, "ours.toml", text)
    _check(_error(path), path, key, len(text.splitlines()))


def test_value_out_of_range(tmp_path):
    text = 'title = "x"\n\n[tools]\ntool_access = 1.5\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "tools.tool_access", 4)
    assert "less than or equal to 1" in message and "1.5" in message


@pytest.mark.parametrize(
    "text,key,allowed",
    [
        ("steps = 0\n", "steps", "greater than or equal to 1"),
        ("steps = 2000000\n", "steps", "less than or equal to 1000000"),
        ("[organisation]\nteam_size = 1\n", "organisation.team_size", "greater than or equal to 2"),
        ("[traits]\nconcentration = 0.0\n", "traits.concentration", "greater than 0"),
        ("[knowledge]\nidea_seed_share = 0.0\n", "knowledge.idea_seed_share", "greater than 0"),
        ("[esn]\nreads = 101\n", "esn.reads", "less than or equal to 100"),
        ("[client]\nturbulence = -0.1\n", "client.turbulence", "greater than or equal to 0"),
        ("[population]\nlurker_share = nan\n", "population.lurker_share", "1"),
    ],
    ids=["steps-0", "steps-huge", "team-size", "concentration", "idea-seed", "reads", "negative", "nan"],
)
def test_more_values_out_of_range(tmp_path, text, key, allowed):
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, key, len(text.splitlines()))
    assert allowed in message


def test_style_shares_summing_over_one(tmp_path):
    text = 'title = "x"\n\n[population]\nrude_share = 0.4\ndefensive_share = 0.4\npushy_share = 0.4\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "population", 3)
    assert "sum to 1.330" in message and "more than 1" in message  # with baseline's top_down and shy


def test_style_shares_summing_over_one_with_inherited_shares(tmp_path):
    text = 'extends = "poor_communication"\n\n[population]\nshy_share = 0.6\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "population", 3)
    assert "more than 1" in message


def test_fewer_people_than_departments(tmp_path):
    path = write(tmp_path, "ours.toml", "[organisation]\nn_agents = 3\ndepartments = 5\n")
    message = _check(_error(path), path, "organisation", 1)
    assert "departments" in message


# -- interventions -----------------------------------------------------------------------------


def test_intervention_after_the_last_step(tmp_path):
    text = 'steps = 100\n\n[[interventions]]\nkind = "roll_out_tools"\nstep = 150\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.step", 5)
    assert "last step (100)" in message and "150" in message and "from 1 to 100" in message


def test_second_intervention_after_the_last_step(tmp_path):
    text = (
        'steps = 50\n\n[[interventions]]\nkind = "roll_out_tools"\nstep = 10\n\n'
        '[[interventions]]\nkind = "appoint_champions"\nstep = 60\nshare = 0.1\n'
    )
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.1.step", 9)
    assert "last step (50)" in message


def test_intervention_at_step_zero(tmp_path):
    text = '[[interventions]]\nkind = "roll_out_tools"\nstep = 0\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.step", 3)
    assert "greater than or equal to 1" in message


def test_unknown_intervention_kind_lists_the_kinds(tmp_path):
    text = 'title = "x"\n\n[[interventions]]\nkind = "hire_consultants"\nstep = 10\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.kind", 4)
    assert "'hire_consultants'" in message
    for kind in INTERVENTION_KINDS:
        assert kind in message


def test_intervention_without_kind(tmp_path):
    text = '[[interventions]]\nstep = 10\nshare = 0.5\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.kind", 1)
    for kind in INTERVENTION_KINDS:
        assert kind in message


def test_intervention_without_step(tmp_path):
    text = '[[interventions]]\nkind = "roll_out_tools"\nshare = 0.5\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.step", 1)
    assert "required" in message


def test_unknown_leadership_style_lists_the_styles(tmp_path):
    text = '[[interventions]]\nkind = "change_leadership_style"\nstep = 3\nstyle = "charming"\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.style", 4)
    for style in STYLES:
        assert style in message


def test_set_parameters_with_an_unknown_parameter(tmp_path):
    text = '[[interventions]]\nkind = "set_parameters"\nstep = 3\nvalues = { "asking.speed" = 0.3 }\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.values", 4)
    assert "'asking.speed'" in message and "esn" in message


def test_set_parameters_cannot_change_the_organisation(tmp_path):
    text = '[[interventions]]\nkind = "set_parameters"\nstep = 3\nvalues = { "organisation.n_agents" = 10 }\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.values", 4)
    assert "organisation" in message


@pytest.mark.parametrize(
    "values",
    ['{ "asking.rate" = 5.0 }', '{ "esn.reads" = -1 }'],
    ids=["rate-above-1", "negative-reads"],
)
def test_set_parameters_value_out_of_range_is_a_load_error(tmp_path, values):
    """A set_parameters value outside its parameter's range must be caught when the file is
    loaded, like the same value in its section, not when the run reaches the intervention."""
    text = f'steps = 5\n\n[[interventions]]\nkind = "set_parameters"\nstep = 3\nvalues = {values}\n'
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, "interventions.0.values", 6)
    assert "must be" in message


# -- broken TOML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,line",
    [
        ('title = "x"\n[population\nlurker_share = 0.2\n', 2),
        ('title = "x"\nsteps = \n', 2),
        ('title = "unterminated\nsteps = 3\n', 1),
        ('title = "x"\ntitle = "y"\n', 2),
    ],
    ids=["header", "missing-value", "string", "duplicate-key"],
)
def test_broken_toml_names_the_line(tmp_path, text, line):
    path = write(tmp_path, "ours.toml", text)
    message = _check(_error(path), path, None, line)
    assert "not valid TOML" in message


@pytest.mark.parametrize("text", ['a = 1\nb = 2\nc = [1, 2\n', 'title = "x"\nsteps = ['], ids=["array", "no-newline"])
def test_broken_toml_at_the_end_of_the_file_names_the_line(tmp_path, text):
    """tomllib reports these "at end of document", without a line: that is the last line."""
    path = write(tmp_path, "ours.toml", text)
    err = _error(path)
    last = len(text.splitlines())
    assert err.line in (last, last + 1), str(err)
    assert f"{path}:{err.line}" in str(err)


def test_broken_toml_in_text_uses_the_given_name():
    with pytest.raises(ScenarioError) as info:
        load_text("steps = = 3\n", file="pasted.toml")
    assert str(info.value).startswith("pasted.toml:1:")


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Caf\xe9"\n'.encode("latin-1"))
    message = _check(_error(path), path, None, None)
    assert "cannot be read" in message


# -- missing scenarios and extends -------------------------------------------------------------


def test_missing_builtin_lists_the_builtins():
    with pytest.raises(ScenarioError) as info:
        load("hoarderz")
    message = str(info.value)
    assert "hoarderz" in message and "\n" not in message
    for name in builtin_names():
        assert name in message


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    message = _check(_error(path), path, None, None)
    assert "no such scenario file" in message


@pytest.mark.parametrize("parent", ["hoarderz", "nowhere.toml", "sub/nowhere.toml"])
def test_extends_of_a_missing_scenario_names_the_file_the_key_and_the_line(tmp_path, parent):
    """The error must point at the 'extends' line of the file that has it, and name the parent."""
    text = f'title = "x"\n\nextends = "{parent}"\n'
    path = write(tmp_path, "child.toml", text)
    message = _check(_error(path), path, "extends", 3)
    assert parent in message


def test_extends_of_a_missing_builtin_lists_the_builtins(tmp_path):
    path = write(tmp_path, "child.toml", 'extends = "hoarderz"\n')
    message = str(_error(path))
    for name in builtin_names():
        assert name in message


def test_extends_must_be_a_string(tmp_path):
    text = 'title = "x"\nextends = 5\n'
    path = write(tmp_path, "child.toml", text)
    err = _error(path)
    assert err.key == "extends" and str(path) in str(err)
    assert "name or a path" in str(err)


def test_extends_cycle_is_reported(tmp_path):
    a = write(tmp_path, "a.toml", 'title = "A"\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", 'title = "B"\nextends = "a.toml"\n')
    err = _error(a)
    assert err.key == "extends"
    assert "cycle" in str(err)
    assert err.file in (str(a), str(tmp_path / "b.toml"))


def test_extends_itself_is_a_cycle(tmp_path):
    path = write(tmp_path, "me.toml", 'title = "me"\nextends = "me.toml"\n')
    err = _error(path)
    assert err.key == "extends" and "cycle" in str(err) and str(path) in str(err)


def test_extends_cycle_names_the_line(tmp_path):
    a = write(tmp_path, "a.toml", 'title = "A"\nextends = "b.toml"\n')
    b = write(tmp_path, "b.toml", 'title = "B"\n\nextends = "a.toml"\n')
    err = _error(a)
    assert err.line == (2 if err.file == str(a) else 3), str(err)
    assert f"{err.file}:{err.line}" in str(err)
    assert err.file in (str(a), str(b))


def test_invalid_parent_is_reported_against_the_parent(tmp_path):
    parent_text = 'title = "P"\n\n[population]\nlurker_share = 3\n'
    parent = write(tmp_path, "parent.toml", parent_text)
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\ntitle = "C"\n')
    message = _check(_error(child), parent, "population.lurker_share", 4)
    assert "less than or equal to 1" in message


def test_broken_toml_in_a_grandparent(tmp_path):
    grandparent = write(tmp_path, "gp.toml", 'title = "GP"\nsteps = = 3\n')
    write(tmp_path, "parent.toml", 'extends = "gp.toml"\n')
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    message = _check(_error(child), grandparent, None, 2)
    assert "not valid TOML" in message


def test_extends_resolves_relative_to_the_file(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "parent.toml", 'extends = "hoarders"\n\n[tools]\ntool_access = 0.5\n')
    child = write(tmp_path, "child.toml", 'extends = "sub/parent.toml"\nsteps = 40\n')
    scenario = load(child)
    assert scenario.population.hoarder_share == 0.3
    assert scenario.tools.tool_access == 0.5 and scenario.steps == 40
    assert scenario.name == "child" and scenario.title == ""  # metadata is not inherited


def test_load_text_resolves_extends_against_base(tmp_path):
    write(tmp_path, "parent.toml", "steps = 77\n")
    assert load_text('extends = "parent.toml"\n', base=tmp_path).steps == 77


def test_inherited_intervention_after_a_shortened_run_is_not_blamed_on_a_line_of_the_child():
    """The parent's intervention (step 30) falls after the child's last step. The child's own
    intervention at step 10 is fine, so the error must not point at the child's line 6."""
    text = 'extends = "tools_rollout"\nsteps = 20\n\n[[interventions]]\nkind = "appoint_champions"\nstep = 10\n'
    with pytest.raises(ScenarioError) as info:
        load_text(text, file="child.toml")
    err = info.value
    assert "last step (20)" in str(err) and "30" in str(err)
    assert err.line in (None, 2), f"points at line {err.line}: {err}"


def test_intervention_errors_in_a_child_point_at_the_childs_own_table():
    """With 'extends', the parent's interventions come first; an error in the child's first
    [[interventions]] table must point at that table (line 4), not at the child's second one."""
    text = (
        'extends = "tools_rollout"\n\n[[interventions]]\nkind = "bogus"\nstep = 40\n\n'
        '[[interventions]]\nkind = "appoint_champions"\nstep = 50\n'
    )
    with pytest.raises(ScenarioError) as info:
        load_text(text, file="child.toml")
    err = info.value
    assert "'bogus'" in str(err)
    assert err.line in (None, 4), f"points at line {err.line}: {err}"


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def bad_file(tmp_path) -> Path:
    return write(tmp_path, "bad.toml", 'title = "Bad"\n\n[population]\nlurker_share = 3\n')


@pytest.fixture
def good_file(tmp_path) -> Path:
    return write(tmp_path, "good.toml", 'extends = "hoarders"\ntitle = "Good"\nsteps = 20\n')


def test_run_of_a_bad_file_exits_2_and_writes_nothing(bad_file, tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", str(bad_file), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert str(bad_file) in lines[0] and "population.lurker_share" in lines[0] and ":4" in lines[0]
    assert captured.out == ""
    assert not out.exists()


def test_run_of_a_missing_builtin_exits_2(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["run", "hoarderz", "--out", str(out), "--quiet"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not out.exists()


def test_run_with_a_set_parameters_value_out_of_range_exits_2(tmp_path, capsys):
    """The bad value must be reported up front (status 2), not crash the run at step 3."""
    bad = write(
        tmp_path,
        "late.toml",
        'steps = 5\n\n[[interventions]]\nkind = "set_parameters"\nstep = 3\n'
        'values = { "asking.rate" = 5.0 }\n',
    )
    out = tmp_path / "results"
    assert main(["run", str(bad), "--agents", "30", "--out", str(out), "--quiet"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not out.exists()


def test_run_of_a_bad_file_through_the_console_script(bad_file, tmp_path):
    assert ORGLEARN.exists(), ORGLEARN
    out = tmp_path / "results"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [str(ORGLEARN), "run", str(bad_file), "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("orglearn: error:")
    assert str(bad_file) in lines[0] and "population.lurker_share" in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not out.exists()


def test_validate_reports_each_file(good_file, bad_file, tmp_path, capsys):
    other_bad = write(tmp_path, "worse.toml", "steps = = 1\n")
    assert main(["scenarios", "validate", str(good_file), str(bad_file), str(other_bad)]) == 2
    captured = capsys.readouterr()
    assert f"ok: {good_file}" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2, captured.err
    assert str(bad_file) in errors[0] and "population.lurker_share" in errors[0]
    assert f"{other_bad}:1" in errors[1]


def test_validate_of_good_files_exits_0(good_file, capsys):
    paths = [str(good_file), str(builtin_path("baseline")), str(builtin_path("silos"))]
    assert main(["scenarios", "validate", *paths]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert len(captured.out.strip().splitlines()) == 3


def test_schema_is_json_with_the_sections(capsys):
    assert main(["scenarios", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    properties = schema["properties"]
    for key in ("population", "interventions", "steps", "extends", "title", *SECTIONS):
        assert key in properties, key


def test_list_shows_every_builtin(capsys):
    assert main(["scenarios", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line.split()[0] for line in lines if line.strip()]
    assert listed == builtin_names()
    for line, name in zip(lines, builtin_names()):
        assert load(name).title in line


def test_show_prints_toml_that_loads_back(capsys):
    assert main(["scenarios", "show", "hoarders"]) == 0
    text = capsys.readouterr().out
    assert comparable(load_text(text, file="shown.toml")) == comparable(load("hoarders"))


def test_show_of_a_missing_scenario_exits_2(capsys):
    assert main(["scenarios", "show", "hoarderz"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
