"""Process 1, field learning: proactive people learn from the client context (exploration).

With chance ``proactivity * exposure`` a person meets the client context and learns about one
topic, chosen in proportion to what clients currently need (the demand vector), closing
``rate`` of their gap to full knowledge. The new idea (topic 0) is internal and cannot be
picked up in the field. Slow, but it is how new knowledge enters the organisation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["learn_in_the_field"]


def learn_in_the_field(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of field learning; returns ``{"field": number of lessons}``."""
    p = params.field_learning
    learners = np.flatnonzero(rng.random(state.n) < state.proactivity * p.exposure)
    demand = state.demand[1:]
    if learners.size == 0 or demand.sum() <= 0:
        return {"field": 0}
    topic = 1 + rng.choice(demand.size, size=learners.size, p=demand / demand.sum())
    current = state.get(learners, topic)
    state.knowledge.reshape(-1)[state.cells(learners, topic)] = current + p.rate * (1.0 - current)
    state.use(learners, topic)
    return {"field": int(learners.size)}
