"""Scenario files: organisations, barriers and interventions as validated TOML.

>>> from orglearn.scenarios import load, builtin_names
>>> scenario = load("hoarders")            # a built-in, or a path to your own file
>>> scenario.population.hoarder_share
0.3
"""

from orglearn.scenarios.loader import ScenarioError, builtin_names, builtin_path, load, load_text
from orglearn.scenarios.schema import Scenario
from orglearn.scenarios.writer import to_toml

__all__ = [
    "Scenario",
    "ScenarioError",
    "load",
    "load_text",
    "builtin_names",
    "builtin_path",
    "to_toml",
]
