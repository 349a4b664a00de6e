"""Helpers shared by the scenario-file tests (not a test module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orglearn.scenarios import Scenario

#: The built-in scenarios named in the scenario-file issue (the package may add more).
KNOWN_BUILTINS = (
    "baseline",
    "champions_council",
    "community_of_practice",
    "formal_training_culture",
    "high_turnover",
    "hoarders",
    "leadership_modelling",
    "lurkers",
    "no_tools",
    "poor_communication",
    "silos",
    "tech_skills_training",
    "tools_rollout",
    "turbulent_market",
    "typical_2012",
)


def comparable(scenario: Scenario) -> dict[str, Any]:
    """A scenario as plain data, without ``extends`` (a written file is complete in itself)."""
    data = scenario.model_dump()
    data.pop("extends", None)
    return data


def write(directory: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``directory/name`` and return the path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def measure_run(name: str, seed: int, n_agents: int, steps: int) -> dict[str, Any]:
    """Run a built-in scenario once and reduce it to the outcome measures of test_effects.

    t50/t90 that are never reached count as ``steps + 1``; participation, silo index and
    alignment are means over the last 60 steps; the refusal rate is total refusals over total
    refusals plus helps; knowledge, tie strength, reputations and idea adoption are final values.
    A top-level function so that worker processes can run it.
    """
    import numpy as np

    from orglearn.scenarios import load
    from orglearn.simulation.model import SocialLearningModel

    model = SocialLearningModel(load(name), n_agents=n_agents, rng=seed)
    model.run(steps)
    frame = model.datacollector.get_model_vars_dataframe()
    summary = model.summary()
    last = frame.iloc[-60:]
    refusals, helps = float(frame["refusals"].sum()), float(frame["helps"].sum())
    final = frame.iloc[-1]
    return {
        "t50": steps + 1 if summary["t50"] is None else summary["t50"],
        "t90": steps + 1 if summary["t90"] is None else summary["t90"],
        "participation": float(last["participation"].mean()),
        "refusal_rate": refusals / (refusals + helps) if refusals + helps else 0.0,
        "ties": float(final["mean_tie_strength"]),
        "silo": float(last["silo_index"].mean()),
        "alignment": float(last["alignment"].mean()),
        "knowledge": float(final["mean_knowledge"]),
        "adoption": float(final["idea_adoption"]),
        "reputation_hoarders": float(final["reputation_hoarders"]),
        "reputation_others": float(final["reputation_others"]),
        "training_steps": [int(s) for s in np.flatnonzero(frame["training"].to_numpy())],
    }
