"""`compiled.warm_up` compiles what the built-in scenarios need, each kernel once.

The check runs in a fresh interpreter with an empty numba cache: kernels that this test
process (or the cache on disk) already holds would hide a compilation. It costs one full
compile of the model's kernels, about 25 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numba

from orglearn.simulation.compiled import COMPILING, MODULES, announce_compiling, kernels

#: Kernels that are meant to be compiled for more than one signature, and how many.
SEVERAL = {"metrics.sort": 2}  # float64 (the Gini coefficient) and int64 (distinct cells)

_CHECK = """
import json
from numba.core import event
from orglearn.scenarios import builtin_names, load
from orglearn.simulation.compiled import announce_compiling, kernels, warm_up
from orglearn.simulation.model import SocialLearningModel

said = []
with announce_compiling(said.append):
    warm_up()
after_warm_up = {name: len(f.signatures) for name, f in kernels().items()}
compiled = []

class Compiles(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__qualname__)

    def on_end(self, ev):
        pass

event.register("numba:compile", Compiles())
# Another size, seed and sources tracked everywhere: nothing should be left to compile.
with announce_compiling(said.append):
    for name in builtin_names():
        scenario = load(name)
        model = SocialLearningModel(scenario, rng=1, n_agents=150, track_sources=True)
        last = max((i.step for i in scenario.interventions), default=0)
        model.run(last + model.params.training.interval + 2)
after_runs = {name: len(f.signatures) for name, f in kernels().items()}
print(json.dumps({"warm_up": after_warm_up, "runs": after_runs, "compiled": compiled,
                  "said": said}))
"""


def test_kernels_lists_the_compiled_functions():
    found = kernels()
    for name in ("kernels.asking_day", "esn._esn_day", "metrics._state_metrics",
                 "training._lessons", "forgetting._decay"):
        assert name in found
    assert {f.py_func.__module__ for f in found.values()} == set(MODULES)


def test_warm_up_compiles_every_kernel_once_and_leaves_nothing_to_compile(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run(
        [sys.executable, "-c", _CHECK], env=env, capture_output=True, text=True, timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    signatures = result["warm_up"]
    # Every process's kernel, training's too, was compiled by the warm-up ...
    for name in ("kernels.asking_day", "esn._esn_day", "collaboration._collaboration_day",
                 "culture._culture_day", "field._field_day", "forgetting._decay",
                 "training._lessons", "metrics._state_metrics", "metrics.sort_floats"):
        assert signatures[name] >= 1, f"{name} was not compiled by warm_up()"
    # ... each for one signature: a second one is seconds of every first run's compile time
    # (e.g. a global array passed inside compiled code is read-only, a type of its own).
    several = {name: n for name, n in signatures.items() if n > SEVERAL.get(name, 1)}
    assert not several, f"compiled for more than one signature: {several}"
    # Runs of every built-in at another size compile nothing new, and say nothing of it.
    assert result["compiled"] == []
    assert result["runs"] == signatures
    assert result["said"] == [COMPILING]  # once, for the warm-up's compiles


def test_announce_compiling_speaks_once_when_numba_compiles():
    @numba.njit  # not cached: compiled at its first call with each type
    def double(x):
        return 2 * x

    said = []
    with announce_compiling(said.append):
        double(1)
        double(2.0)
    assert said == [COMPILING]
    said.clear()
    with announce_compiling(said.append):
        double(3)  # compiled already: nothing to say
    assert said == []


def test_a_first_run_says_it_is_compiling(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    args = ["-m", "orglearn", "run", "--agents", "40", "--steps", "2", "--no-plot",
            "--out", str(tmp_path / "out")]
    first = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                           timeout=600, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    assert COMPILING in first.stderr
    assert COMPILING not in first.stdout
    again = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                           timeout=600, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert COMPILING not in again.stderr  # loaded from the cache the first run wrote
