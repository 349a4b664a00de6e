"""Model subclasses that sweep tests run by name, as a user's own module would be run:
``model = "tests.experiments.custom_model:Coached"`` in a sweep file."""

from __future__ import annotations

import numpy as np

from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.pipeline import Pipeline, Process

#: Share of their gap on the new idea (topic 0) that each coached employee closes per step.
COACHING_GAIN = 0.1


def coaching(state, network, params, rng, step) -> dict:
    """Coaches teach the new idea: everyone closes part of their gap on topic 0 every step."""
    gap = 1.0 - state.knowledge[:, 0]
    state.knowledge[:, 0] += COACHING_GAIN * gap
    return {"coaching_sessions": int(np.count_nonzero(gap > 0))}


class Coached(SocialLearningModel):
    """The model with a coaching process after asking; it counts its sessions."""

    def make_pipeline(self) -> Pipeline:
        pipeline = super().make_pipeline()
        pipeline.insert_after("asking", Process("coaching", coaching))
        return pipeline

    def step(self) -> None:
        super().step()
        sessions = self.counts["coaching_sessions"]
        self.coaching_sessions = getattr(self, "coaching_sessions", 0) + sessions


def breaks_with_many_departments(state, network, params, rng, step) -> dict:
    """A process that fails in organisations of more than four departments."""
    departments = int(network.department.max()) + 1
    if departments > 4:
        raise RuntimeError(f"this test model cannot run {departments} departments")
    return {}


class Fragile(SocialLearningModel):
    """A model whose first step fails when the organisation has more than four departments."""

    def make_pipeline(self) -> Pipeline:
        pipeline = super().make_pipeline()
        pipeline.insert(0, Process("fragile", breaks_with_many_departments))
        return pipeline


NOT_A_MODEL = 42
