"""The built wheel, installed into a fresh virtual environment, works the way a user runs it.

The wheel is built from a copy of the sources (the working tree is left alone) with pip, and
installed without dependencies into a new venv. Installing the dependencies from PyPI would take
minutes, so a ``.pth`` file lists this environment's site-packages: third-party packages come
from there, while orglearn comes only from the wheel (the ``.pth`` files inside an added folder,
such as this environment's editable-install hook, are not processed; the tests check where
``orglearn`` was imported from). The runs happen in a folder holding ``agents.py``,
``simulation.py``, ``model.py`` and ``app.py``, Mesa's example layout, which shadowed the
top-level packages of earlier versions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

import orglearn

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
#: Installed package -> folder of the repository.
PACKAGE_DIRS: dict[str, str] = SETUPTOOLS["package-dir"]
#: Files that are never part of the sources (Python's and numba's caches).
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", "*.nbi", "*.nbc")
#: Modules in the working folder that must never be imported by orglearn.
SHADOWS = ("agents", "simulation", "model", "app")
RUN = """
import importlib.metadata, importlib.resources, json, sys
import orglearn
m = orglearn.SocialLearningModel(orglearn.load_scenario("hoarders"), n_agents=60, rng=1)
m.run(10)
examples = importlib.resources.files("orglearn.scenarios.examples")
print(json.dumps({
    "file": orglearn.__file__,
    "version": orglearn.__version__,
    "metadata_version": importlib.metadata.version("orglearn"),
    "summary": {k: v for k, v in m.summary().items() if isinstance(v, (int, float, type(None)))},
    "examples": sorted(p.name for p in examples.iterdir() if p.suffix in (".csv", ".toml")),
    "shadowed": sorted(set(sys.modules) & {"agents", "simulation", "model", "app"}),
}))
"""


def _sources(into: Path) -> Path:
    """The files the wheel is built from: pyproject, README, LICENSE and the package folders."""
    into.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, into / name)
    for folder in sorted(set(PACKAGE_DIRS.values())):
        shutil.copytree(ROOT / folder, into / folder, ignore=CACHES)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = _sources(work / "src")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"),
         str(source)],  # a path, never a bare name that pip would look up on an index
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = (work / "dist").glob("orglearn-*.whl")
    return path


@pytest.fixture(scope="module")
def names(wheel) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; third-party packages from this environment."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        path).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "_orglearn_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder laid out like Mesa's examples; each module fails loudly if imported."""
    folder = tmp_path_factory.mktemp("mesa-example")
    for name in SHADOWS:
        (folder / f"{name}.py").write_text(f"raise ImportError('the working folder {name}.py "
                                           "was imported instead of orglearn')\n")
    return folder


def _run(argv, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**clean, "PYTHONNOUSERSITE": "1", **env})
    return done


def test_the_wheel_installs_only_the_orglearn_package(names):
    top = {name.split("/")[0] for name in names}
    assert top == {"orglearn", f"orglearn-{orglearn.__version__}.dist-info"}


def test_every_package_folder_is_listed_and_all_code_is_in_the_wheel(names):
    packages = set(SETUPTOOLS["packages"])
    top_level = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert top_level <= set(PACKAGE_DIRS.values()), "a top-level package missing in package-dir"
    shipped = set(names)
    for package, folder in PACKAGE_DIRS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / folder)
            assert ".".join((package, *relative.parts)) in packages, f"{init.parent} not listed"
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or CACHES(str(path.parent), [path.name]) \
                    or "__pycache__" in path.parts:
                continue
            inside = path.relative_to(ROOT / folder).as_posix()
            assert f"{package.replace('.', '/')}/{inside}" in shipped, f"{path} not in the wheel"


def test_the_licence_and_package_data_ship(wheel, names):
    info = f"orglearn-{orglearn.__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "License-Expression: Apache-2.0" in metadata and "License-File: LICENSE" in metadata
    assert "orglearn = orglearn.cli.main:main" in entry_points
    for pattern, inside in [("scenarios/builtin/*.toml", "orglearn/scenarios/builtin"),
                            ("experiments/builtin/*.toml", "orglearn/experiments/builtin"),
                            ("scenarios/examples/*.csv", "orglearn/scenarios/examples"),
                            ("scenarios/examples/*.toml", "orglearn/scenarios/examples")]:
        files = sorted(ROOT.glob(pattern))
        assert files, pattern
        for path in files:
            assert f"{inside}/{path.name}" in names


def test_a_model_runs_from_the_installed_package(venv, workdir):
    done = _run([venv / "bin" / "python", "-c", RUN], workdir)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    site = Path(_run([venv / "bin" / "python", "-c",
                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     workdir).stdout.strip())
    assert Path(result["file"]) == site / "orglearn" / "__init__.py"  # not the editable one
    assert result["version"] == result["metadata_version"] == orglearn.__version__
    assert result["shadowed"] == []
    assert {"people.csv", "ties.csv", "activity.csv", "my_org.toml"} <= set(result["examples"])
    here = orglearn.SocialLearningModel(orglearn.load_scenario("hoarders"), n_agents=60, rng=1)
    here.run(10)
    expected = here.summary()
    for key, value in result["summary"].items():  # the same code gives the same numbers
        assert value == pytest.approx(expected[key], nan_ok=True), key


@pytest.mark.parametrize("how", ["script", "module"])
def test_the_command_line_runs_from_the_installed_package(venv, workdir, how):
    command = ([venv / "bin" / "orglearn"] if how == "script"
               else [venv / "bin" / "python", "-m", "orglearn"])  # -m puts the folder first
    out = workdir / f"out-{how}"
    run = _run([*command, "run", "--agents", "60", "--steps", "10", "--seed", "3",
                "--out", out, "--quiet"], workdir)
    assert run.returncode == 0, run.stderr[-3000:]
    assert {"timeseries.csv", "summary.json", "spread.png"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "summary.json").read_text())["steps"] == 10
    listed = _run([*command, "scenarios", "list"], workdir)
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert {line.split()[0] for line in listed.stdout.splitlines()} >= {"baseline", "hoarders"}
    version = _run([*command, "--version"], workdir)
    assert version.stdout.strip() == f"orglearn {orglearn.__version__}"


def test_the_ui_assets_go_to_the_installed_environment(venv, workdir):
    """``orglearn ui --install-assets`` of a fresh install targets that environment's Solara
    folder, and offline it says so and exits 2 without writing anything."""
    where = _run([venv / "bin" / "python", "-c",
                  "from orglearn.ui.assets import cdn_dir; print(cdn_dir())"], workdir)
    assert Path(where.stdout.strip()) == venv / "share" / "solara" / "cdn"
    offline = _run([venv / "bin" / "orglearn", "ui", "--install-assets"], workdir,
                   ORGLEARN_NPM_REGISTRY="http://127.0.0.1:9")  # the discard port: nobody there
    assert offline.returncode == 2
    assert "cannot reach http://127.0.0.1:9/" in offline.stderr
    assert not (venv / "share" / "solara").exists()
