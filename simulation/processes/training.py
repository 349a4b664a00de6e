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

import numba
import numpy as np

from orglearn.simulation.processes.draws import stream, uniforms
from orglearn.simulation.processes.kernels import _learn, bernoulli_rows, column_means, pairwise_sum
from orglearn.simulation.sources import TRAINING

__all__ = ["train"]

_jit = numba.njit(cache=True, nogil=True)


def train(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Hold a session if one is due; returns ``{"training": attendees who learned}``."""
    p = params.training
    if step % p.interval != p.offset % p.interval:
        return {"training": 0, "gain_training": 0.0}
    k = state.knowledge
    topic = _curriculum_topic(k, state.demand, params.knowledge.threshold, p.curriculum_adoption)
    attend = _attendees(stream(rng), state.formal_preference, p.attendance)
    cells, lift, learned, total = _lessons(
        k, attend, topic, p.level, p.gain, state.proactivity, state.codifiable[topic]
    )
    state.used.append(cells)
    if state.sources is not None:
        state.sources.record(attend, None, TRAINING, lift)
    return {"training": learned, "gain_training": total}


@_jit
def _curriculum_topic(knowledge, demand, threshold, curriculum_adoption):
    """The topic with the largest demand-weighted gap, ``demand * (1 - mean knowledge)``; the
    new idea (topic 0) only once at least ``curriculum_adoption`` of staff know it."""
    gap = demand * (1.0 - column_means(knowledge))
    known = 0
    for i in range(knowledge.shape[0]):
        if knowledge[i, 0] >= threshold:
            known += 1
    if known / knowledge.shape[0] < curriculum_adoption:
        gap[0] = -np.inf
    return np.argmax(gap)


@_jit
def _attendees(draws, formal_preference, attendance):
    """The rows ``i`` with ``u[i] < attendance * (0.5 + 0.5 * formal_preference[i])``, one
    uniform ``u`` per person from ``draws`` (`kernels.bernoulli_rows`)."""
    u = uniforms(draws, formal_preference.size)
    return bernoulli_rows(u, 0.5 + 0.5 * formal_preference, attendance)


@_jit
def _lessons(knowledge, attend, topic, level, gain, proactivity, codifiable):
    """Attendees learn ``topic`` from a source at ``level`` at rate ``gain * proactivity``
    (`rules.learn`, explicit and tacit pieces alike). Returns the cells (flat indices), each
    attendee's lift, how many learned something and the lifts' sum (numpy's order)."""
    topics = knowledge.shape[1]
    cells = np.empty(attend.size, dtype=np.int64)
    lift = np.empty(attend.size)
    learned = 0
    for i in range(attend.size):  # each attendee once: in place
        r = attend[i]
        current = knowledge[r, topic]
        rate = gain * proactivity[r]
        new = _learn(current, level, rate, rate, codifiable)
        knowledge[r, topic] = new
        cells[i] = r * topics + topic
        lift[i] = new - current
        if lift[i] > 0:
            learned += 1
    return cells, lift, learned, pairwise_sum(lift)
