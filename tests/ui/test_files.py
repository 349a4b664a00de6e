"""Files in and out of the UI, the offline front-end assets, and the ``ui`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from orglearn.ui import server
from orglearn.ui.assets import (
    ASSET_NAMES,
    MARKER,
    assets_hint,
    cdn_dir,
    missing_assets,
    required_packages,
)
from orglearn.ui.cli import add_ui_command, handle_ui
from orglearn.ui.export import run_csv, safe_name, scenario_file, scenario_filename
from orglearn.ui.session import UiSession
from orglearn.ui.upload import MAX_BYTES, read_scenario
from orglearn.scenarios import load, load_text


def test_a_valid_upload_is_a_scenario():
    text = b'extends = "silos"\n[population]\nlurker_share = 0.5\n'
    scenario, problem = read_scenario("mine.toml", text)
    assert problem is None
    assert scenario.name == "mine" and scenario.population.lurker_share == 0.5
    assert scenario.organisation.rewiring == load("silos").organisation.rewiring


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[population\n", "mine.toml:1: is not valid TOML"),
        (b"[population]\nlurker_share = 2\n",
         "The 'population.lurker_share' value in mine.toml:2 must be less than or equal to 1"),
        (b"[population]\nlurkers = 0.5\n", "is not a known key; allowed here: lurker_share"),
        (b'extends = "nowhere"\n', "nowhere"),
        (b"\xff\xfe\x00binary", "mine.toml is not a text file"),
        (b"#" * (MAX_BYTES + 1), "mine.toml is larger than 256 KB"),
        (b'steps = 10\n[[interventions]]\nkind = "roll_out_tools"\nstep = 50\n', "after the last step"),
    ],
)
def test_a_bad_upload_is_a_message(data, expected):
    scenario, problem = read_scenario("mine.toml", data)
    assert scenario is None and expected in problem


def test_the_saved_scenario_loads_back_to_the_same_scenario(tmp_path):
    session = UiSession("s", scenario="formal_training_culture")
    session.set_control("formal_culture", 20)
    session.set_control("turnover", 30)
    text = scenario_file(session.scenario, session.describe_changes())
    assert "# Changes made in the UI:" in text and "Wait for formal training: 60% -> 20%" in text
    path = tmp_path / scenario_filename(session.scenario)
    assert path.name == "formal_training_culture-what-if.toml"
    path.write_text(text)
    assert load(path) == session.scenario
    assert load_text(text, "x.toml").sections() == session.scenario.sections()


def test_results_csv_and_names():
    session = UiSession("s")
    session.set_control("people", 100)
    session.step(3)
    csv = run_csv(session.model)
    assert csv.splitlines()[0] == "step,metric,scope,department,value"
    assert {line.split(",")[0] for line in csv.splitlines()[1:]} == {"0", "1", "2", "3"}
    assert safe_name("my scenario/2") == "my_scenario_2" and safe_name("///") == "scenario"


def test_assets_are_those_solara_asks_for():
    packages = required_packages()
    assert [p.rsplit("@", 1)[0] for p in packages] == list(ASSET_NAMES)
    assert "requirejs@2.3.6" in packages or any(p.startswith("requirejs@") for p in packages)
    assert cdn_dir() == Path(sys.prefix) / "share" / "solara" / "cdn"


def test_missing_assets_are_reported(tmp_path):
    assert missing_assets(tmp_path) == required_packages()
    for package in required_packages():
        (tmp_path / package).mkdir(parents=True)  # unpacking started, never finished
    assert missing_assets(tmp_path) == required_packages()
    for package in required_packages()[1:]:
        (tmp_path / package / MARKER).touch()
    assert missing_assets(tmp_path) == required_packages()[:1]


def test_the_install_provides_the_assets():
    """The set-up (``orglearn ui --install-assets`` in .ci/setup.sh) unpacked Solara's front
    end into this environment."""
    assert missing_assets() == []


def test_the_hint_names_the_command_that_installs_the_assets():
    hint = assets_hint(["requirejs@2.3.6"])
    assert "orglearn ui --install-assets" in hint and "requirejs@2.3.6" in hint
    assert ".ci/" not in hint  # the repository's scripts are not installed


def _parse(argv):
    parser = argparse.ArgumentParser(prog="orglearn")
    add_ui_command(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_the_ui_command_defaults_to_localhost():
    args = _parse(["ui"])
    assert (args.host, args.port, args.idle_minutes) == ("127.0.0.1", 8765, 30.0)
    assert (args.set, args.install_assets) == ([], False)
    args = _parse(["ui", "--host", "0.0.0.0", "--port", "9000", "--idle-minutes", "5"])
    assert (args.host, args.port, args.idle_minutes) == ("0.0.0.0", 9000, 5.0)
    assert args.handler.__name__ == "handle_ui"


@pytest.mark.parametrize("argv", [["ui", "--port", "0"], ["ui", "--port", "http"],
                                  ["ui", "--idle-minutes", "0"], ["ui", "--set", "hoarders"]])
def test_the_ui_command_rejects_bad_values(argv, capsys):
    with pytest.raises(SystemExit):
        _parse(argv)
    assert "must be" in capsys.readouterr().err


def test_the_server_is_configured_for_production(monkeypatch):
    for name in ("SOLARA_APP", "SOLARA_MODE", "SOLARA_TELEMETRY_MIXPANEL_ENABLE", server.IDLE_ENV,
                 "SOLARA_KERNEL_CULL_TIMEOUT", "SOLARA_SESSION_SECRET_KEY", server.SETTINGS_ENV):
        monkeypatch.delenv(name, raising=False)  # restored after the test
    assert server.opening_settings() == {}
    server.configure(12.5, {"population.hoarder_share": 0.3, "asking.enabled": False})
    assert os.environ["SOLARA_APP"] == "orglearn.ui.app"
    assert os.environ["SOLARA_MODE"] == "production"
    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert os.environ[server.IDLE_ENV] == "12.5"
    assert server.opening_settings() == {"population.hoarder_share": 0.3, "asking.enabled": False}


def test_set_values_go_to_the_scenario_a_page_opens_with():
    args = _parse(["ui", "--set", "population.hoarder_share=0.3", "--set", "asking.enabled=false"])
    session = UiSession("s", settings=dict(args.set))
    assert session.scenario.population.hoarder_share == 0.3
    assert session.scenario.asking.enabled is False
    assert session.value("hoarders") == 30 and not session.modified
    assert "--set population.hoarder_share=0.3" in session.base.description
    assert session.scenario.sections() == load("baseline").with_overrides(
        population__hoarder_share=0.3, asking__enabled=False).sections()
    session.choose_builtin("baseline")  # picked again in the page: the built-in one
    assert session.scenario.population.hoarder_share == load("baseline").population.hoarder_share


@pytest.mark.parametrize(
    ("value", "expected"),
    [("population.hoarders=0.3", "'population.hoarders' is not a parameter"),
     ("population.hoarder_share=2", "must be less than or equal to 1")],
)
def test_a_bad_set_value_exits_2_before_starting(value, expected, capsys, monkeypatch):
    monkeypatch.setattr(server, "serve", lambda *a, **k: pytest.fail("the server started"))
    assert handle_ui(_parse(["ui", "--set", value])) == 2
    err = capsys.readouterr().err
    assert err.startswith("orglearn ui: error: --set: ") and expected in err
