"""``orglearn --help`` is cheap: the parser is built from light modules only (the cost itself
is measured by ``orglearn bench``), and help texts send people to commands, not to files that
an installed package does not have."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

from orglearn.cli.main import build_parser

#: Packages the parser must not import: each costs from tens of milliseconds to a second.
HEAVY = (
    "numpy", "pandas", "scipy", "mesa", "solara", "matplotlib", "pydantic", "numba", "networkx",
    "pyarrow", "dask", "distributed", "tqdm", "SALib", "pyabc",
)


def test_building_the_parser_imports_nothing_heavy():
    code = (
        "import json, sys\n"
        "import orglearn.cli.main as cli\n"
        "cli.build_parser()\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert "orglearn" in loaded
    assert not loaded & set(HEAVY), f"the parser imports {sorted(loaded & set(HEAVY))}"


def test_import_orglearn_imports_nothing_heavy():
    code = "import json, sys, orglearn; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert not loaded & set(HEAVY), f"import orglearn loads {sorted(loaded & set(HEAVY))}"


def every_parser(parser: argparse.ArgumentParser, name: str = "orglearn"):
    """``(name, parser)`` for the parser and all its subcommands, recursively."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                yield from every_parser(child, f"{name} {sub}")


def test_every_command_has_help_and_no_help_sends_people_to_missing_files():
    commands = dict(every_parser(build_parser()))
    for expected in ("orglearn run", "orglearn sweep", "orglearn scenarios validate",
                     "orglearn validate", "orglearn calibrate", "orglearn bench", "orglearn ui"):
        assert expected in commands
    for name, parser in commands.items():
        text = " ".join(parser.format_help().split())  # unwrapped
        for match in re.finditer(r"docs/\S+", text):
            after = text[match.end():match.end() + 30]
            assert after.startswith(" in the source repository"), (name, match.group())


def test_commands_that_report_take_json():
    commands = dict(every_parser(build_parser()))
    reporting = ("run", "sweep", "report", "export", "experiments", "bench", "validate",
                 "calibrate", "scenarios list", "scenarios show", "scenarios validate",
                 "scenarios new")
    for name in reporting:
        options = {o for a in commands[f"orglearn {name}"]._actions for o in a.option_strings}
        assert "--json" in options, name
    for name in ("run", "sweep", "validate", "calibrate", "bench"):
        options = {o for a in commands[f"orglearn {name}"]._actions for o in a.option_strings}
        assert {"--progress", "--quiet"} <= options, name


def test_validate_offers_the_canonical_models_it_runs():
    from orglearn.cli.validate import MODELS as OFFERED
    from orglearn.validation.canonical import MODELS

    assert OFFERED == MODELS
