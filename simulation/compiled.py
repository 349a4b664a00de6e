"""The model's compiled (numba) kernels: which they are, and compiling them ahead of a run.

numba compiles a kernel on its first call in a process and caches the machine code next to the
kernel's module (``__pycache__/*.nbi``, ``*.nbc``), so later processes load it in a fraction of
a second. Only a machine's first run pays the compile, about 23 s, before its first step.
`warm_up` pays it at a moment of the user's choosing: the project's set-up runs it once after
each change of the kernels, and a cluster job can run it once per node before its workers
start::

    python -c "from orglearn.simulation.compiled import warm_up; warm_up()"
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["MODULES", "COMPILING", "kernels", "warm_up", "announce_compiling"]

#: What `announce_compiling` says.
COMPILING = (
    "Compiling the model's kernels: a machine's first run waits about 25 s for this, once "
    "(orglearn.simulation.compiled.warm_up() does it ahead)"
)

#: The modules that hold the model's compiled functions.
MODULES = (
    "orglearn.simulation.metrics",
    "orglearn.simulation.processes.rules",
    "orglearn.simulation.processes.draws",
    "orglearn.simulation.processes.kernels",
    "orglearn.simulation.processes.field",
    "orglearn.simulation.processes.esn",
    "orglearn.simulation.processes.collaboration",
    "orglearn.simulation.processes.training",
    "orglearn.simulation.processes.culture",
    "orglearn.simulation.processes.forgetting",
)


def kernels() -> dict[str, Any]:
    """Every compiled function of `MODULES`, as ``{"module.function": numba dispatcher}``.

    A dispatcher's ``signatures`` lists the argument types it was compiled (or loaded from the
    cache) for in this process.
    """
    from numba.core.dispatcher import Dispatcher

    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, Dispatcher) and value.py_func.__module__ == name:
                found[f"{name.rsplit('.', 1)[-1]}.{attribute}"] = value
    return found


def warm_up(agents: int = 60) -> None:
    """Compile (or load from numba's cache) every kernel of the model's processes and metrics.

    Runs a few steps of a model of ``agents`` people with every process on (training too, a
    session every other step) and sources tracked. numba compiles a kernel whole, every branch
    and every kernel it calls, on its first call, so this covers any run of these processes,
    at any size and with any scenario (`tests/simulation/test_compiled.py` checks it against
    every built-in). Takes about 23 s the first time on a machine, then about a second.
    """
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(
        rng=0, n_agents=agents, track_sources=True, training__enabled=True, training__interval=2
    )
    model.run(4)


@contextmanager
def announce_compiling(say: Callable[[str], None]) -> Iterator[None]:
    """Within the block, call ``say(COMPILING)`` once, when numba starts compiling.

    Loading kernels from numba's cache is not compiling, so on a machine that has compiled
    them before this says nothing; on a first run it says why the run waits before its first
    step. Uses numba's event API (``numba.core.event``).
    """
    from numba.core import event

    class _FirstCompile(event.Listener):
        said = False

        def on_start(self, ev: event.Event) -> None:
            if not self.said:
                self.said = True
                say(COMPILING)

        def on_end(self, ev: event.Event) -> None:
            pass

    with event.install_listener("numba:compile", _FirstCompile()):
        yield
