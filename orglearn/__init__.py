"""orglearn: agent-based simulation of social learning in organisations.

The names below are the front door; each lives in a subpackage that the folder layout shows:

- `orglearn.simulation`: the engine (model, network, processes, metrics); `orglearn.agents`: the
  Mesa agents, views on the engine's arrays.
- `orglearn.scenarios`: scenario files (organisations, barriers, interventions).
- `orglearn.experiments`: single runs and sweeps with replications, and their results.
- `orglearn.validation`, `orglearn.calibration`, `orglearn.reports`, `orglearn.bench`: checks
  against published results and stylised facts, fitting to observed data, reports, benchmark.
- `orglearn.ui` (the web UI) and `orglearn.cli` (the ``orglearn`` command).

>>> import orglearn
>>> model = orglearn.SocialLearningModel(orglearn.load_scenario("hoarders"), n_agents=200, rng=1)
>>> model.run(100)

Names are imported on first use, so ``import orglearn`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from orglearn._version import __version__

if TYPE_CHECKING:
    from orglearn.experiments import Results, load_results, run_sweep
    from orglearn.scenarios import Scenario
    from orglearn.scenarios import load as load_scenario
    from orglearn.simulation import Parameters, SocialLearningModel

__all__ = [
    "SocialLearningModel",
    "Parameters",
    "Scenario",
    "load_scenario",
    "run_sweep",
    "load_results",
    "Results",
    "__version__",
]

_LAZY: dict[str, tuple[str, str]] = {
    "SocialLearningModel": ("orglearn.simulation.model", "SocialLearningModel"),
    "Parameters": ("orglearn.simulation.parameters", "Parameters"),
    "Scenario": ("orglearn.scenarios.schema", "Scenario"),
    "load_scenario": ("orglearn.scenarios.loader", "load"),
    "run_sweep": ("orglearn.experiments.runner", "run_sweep"),
    "load_results": ("orglearn.experiments.store", "load_results"),
    "Results": ("orglearn.experiments.store", "Results"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'orglearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
