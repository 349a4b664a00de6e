"""Process 1, field learning: proactive people learn from the client context (exploration).

With chance ``proactivity * exposure`` a person meets the client context and learns about one
topic, chosen in proportion to what clients currently need (the demand vector), closing
``rate * tact`` of their gap to full knowledge: clients open up to people who listen well, so
the lesson is gated by communicating as well as by learning. The new idea (topic 0) is
internal and cannot be picked up in the field. Slow, but it is how new knowledge enters the
organisation.
"""

from __future__ import annotations

import numpy as np

from orglearn.simulation.sources import FIELD

__all__ = ["learn_in_the_field"]


def learn_in_the_field(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of field learning; returns ``{"field": number of lessons}``."""
    p = params.field_learning
    learners = np.flatnonzero(rng.random(state.n) < state.proactivity * p.exposure)
    demand = state.demand[1:]
    if learners.size == 0 or demand.sum() <= 0:
        return {"field": 0, "gain_field": 0.0}
    topic = 1 + rng.choice(demand.size, size=learners.size, p=demand / demand.sum())
    current = state.get(learners, topic)
    # Clients open up to people who listen well: the lesson scales with tact.
    new = current + p.rate * state.tact[learners] * (1.0 - current)
    state.knowledge.reshape(-1)[state.cells(learners, topic)] = new
    state.use(learners, topic)
    if state.sources is not None:
        state.sources.record(learners, None, FIELD, new - current)
    return {"field": int(learners.size), "gain_field": float((new - current).sum())}
