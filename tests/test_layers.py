"""The architecture, checked: which orglearn packages may import which.

The engine (`orglearn.simulation`, with the Mesa agent views in `orglearn.agents`) imports
nothing above it; scenario files build on the engine; experiments on both; the analysis
packages (validation, calibration, reports, bench) on experiments; the UI and the command line
sit on top. Function-level imports count too: an import inside a function is still a
dependency. And nothing imports the folders by their bare names, which are not installed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ENGINE = {"simulation", "agents", "_version"}
ANALYSIS = ENGINE | {"scenarios", "experiments", "cli.arguments"}
#: Package -> the orglearn packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "simulation": ENGINE,
    "agents": ENGINE,
    "scenarios": ENGINE,
    "experiments": ENGINE | {"scenarios"},
    "validation": ANALYSIS,
    "calibration": ANALYSIS,
    "reports": ANALYSIS,
    "bench": ANALYSIS,
    "ui": ANALYSIS | {"reports"},
    "cli": ANALYSIS | {"validation", "calibration", "reports", "bench", "ui", "cli.main"},
    "orglearn": ANALYSIS | {"cli.main"},
}
BARE = {"simulation", "agents", "scenarios", "experiments", "validation", "calibration", "reports",
        "bench", "ui", "cli"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``path``, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _target(module: str) -> str | None:
    """The orglearn package an import reaches (``cli.arguments`` kept apart), or None."""
    parts = module.split(".")
    if parts[0] != "orglearn" or len(parts) < 2:
        return None
    if parts[1] == "cli" and len(parts) > 2:
        return f"cli.{parts[2]}"
    return parts[1]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_layers_below_it(package):
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in _imports(path):
            target = _target(module)
            if target is None or target.split(".")[0] == package:
                continue
            if target not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_running_the_engine_loads_nothing_above_it():
    """`SocialLearningModel` takes parameters or a loaded scenario; it never loads the scenario
    loader, experiments or anything else above it, even while it runs."""
    code = (
        "import sys, orglearn.simulation.model as m\n"
        "m.SocialLearningModel(n_agents=30, rng=1).run(3)\n"
        "print(sorted({n.split('.')[1] for n in sys.modules if n.startswith('orglearn.')}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(ast.literal_eval(out.stdout.strip())) <= ENGINE, out.stdout


def test_nothing_imports_the_bare_folder_names():
    paths = [p for folder in [*BARE, "orglearn", "tests"] for p in (ROOT / folder).rglob("*.py")]
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in paths
        for line, module in _imports(path)
        if module.split(".")[0] in BARE
    ]
    assert not wrong, "\n".join(wrong)
