"""Process 5, formal training: scheduled sessions lift attendees on one curriculum topic.

Every ``interval`` steps (at steps where ``step % interval == offset``) a session is held on
the topic where the organisation's demand-weighted gap (demand times one minus mean knowledge)
is largest. Formal programmes lag behind what is new: the seeded new idea (topic 0) enters the
curriculum only once ``curriculum_adoption`` of staff know it; before that, sessions cover
client topics only. Each person attends with chance
``attendance * (0.5 + 0.5 * formal_preference)``, so devotees of formal training attend most,
and learns from the trainer, a source at ``level``, at rate ``gain * proactivity``, explicit
and tacit pieces alike (`rules.learn`: sessions include practice): proactive learners take
more from a course, and someone with no drive to learn takes nothing. Between sessions nothing
happens here: spread through this channel is step-like.
"""

from __future__ import annotations

import numpy as np

from orglearn.simulation.processes.kernels import column_means
from orglearn.simulation.processes.rules import learn
from orglearn.simulation.sources import TRAINING

__all__ = ["train"]


def train(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Hold a session if one is due; returns ``{"training": attendees who learned}``."""
    p = params.training
    if step % p.interval != p.offset % p.interval:
        return {"training": 0, "gain_training": 0.0}
    k = state.knowledge
    gap = state.demand * (1.0 - column_means(k))
    known = np.count_nonzero(k[:, 0] >= params.knowledge.threshold) / state.n
    if known < p.curriculum_adoption:
        gap[0] = -np.inf
    topic = int(np.argmax(gap))
    attend = np.flatnonzero(
        rng.random(state.n) < p.attendance * (0.5 + 0.5 * state.formal_preference)
    )
    current = k[attend, topic]
    rate = p.gain * state.proactivity[attend]
    new = learn(current, p.level, rate, rate, state.codifiable[topic])
    lift = new - current
    k[attend, topic] = new
    state.use(attend, topic)
    if state.sources is not None:
        state.sources.record(attend, None, TRAINING, lift)
    return {"training": int(np.count_nonzero(lift > 0)), "gain_training": float(lift.sum())}
