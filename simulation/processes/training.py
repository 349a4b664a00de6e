"""Process 5, formal training: scheduled sessions lift attendees on one curriculum topic.

Every ``interval`` steps (at steps where ``step % interval == offset``) a session is held on the client topic where the
organisation's demand-weighted gap (demand times one minus mean knowledge) is largest. The
curriculum covers established client topics only, never the seeded new idea (topic 0): formal
programmes lag behind what is new. Each person attends
with chance ``attendance * (0.5 + 0.5 * formal_preference)``, so devotees of formal training
attend most, and learns from the trainer, a source at ``level``, at rate ``gain`` (`rules.absorb`). Between sessions
nothing happens here: spread through this channel is step-like.
"""

from __future__ import annotations

import numpy as np

from simulation.processes.kernels import column_means
from simulation.processes.rules import absorb

__all__ = ["train"]


def train(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Hold a session if one is due; returns ``{"training": attendees who learned}``."""
    p = params.training
    if step % p.interval != p.offset % p.interval:
        return {"training": 0}
    gap = state.demand[1:] * (1.0 - column_means(state.knowledge)[1:])
    topic = 1 + int(np.argmax(gap))
    attend = np.flatnonzero(
        rng.random(state.n) < p.attendance * (0.5 + 0.5 * state.formal_preference)
    )
    current = state.knowledge[attend, topic]
    new = absorb(current, p.level, p.gain)
    lift = new - current
    state.knowledge[attend, topic] = new
    state.use(attend, topic)
    return {"training": int(np.count_nonzero(lift > 0))}
