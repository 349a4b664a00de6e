"""Process 1, field learning: proactive people learn from the client context (exploration).

With chance ``proactivity * exposure`` a person meets the client context and learns about one
topic, chosen in proportion to what clients currently need (the demand vector), closing
``rate * tact`` of their gap to full knowledge: clients open up to people who listen well, so
the lesson is gated by communicating as well as by learning. The new idea (topic 0) is
internal and cannot be picked up in the field. Slow, but it is how new knowledge enters the
organisation.
"""

from __future__ import annotations

import numba
import numpy as np

from orglearn.simulation.processes.draws import stream, uniforms
from orglearn.simulation.processes.kernels import _absorb, bernoulli_rows, choose, pairwise_sum
from orglearn.simulation.sources import FIELD

__all__ = ["learn_in_the_field"]


def learn_in_the_field(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of field learning; returns ``{"field": number of lessons}``."""
    p = params.field_learning
    demand = state.demand[1:]
    learners, cells, gain, total = _field_day(
        stream(rng), state.knowledge, state.proactivity, p.exposure, demand, demand.sum() > 0,
        p.rate, state.tact,
    )
    if learners.size == 0:
        return {"field": 0, "gain_field": 0.0}
    state.used.append(cells)
    if state.sources is not None:
        state.sources.record(learners, None, FIELD, gain)
    return {"field": int(learners.size), "gain_field": total}


@numba.njit(cache=True, nogil=True)
def _field_day(draws, knowledge, proactivity, exposure, client_demand, any_demand, rate, tact):
    """Who meets the client context (one uniform per person), then their lessons (one uniform
    per learner, for the topic), drawn from ``draws``; nobody learns without client demand."""
    learners = bernoulli_rows(uniforms(draws, proactivity.size), proactivity, exposure)
    if learners.size == 0 or not any_demand:
        return learners[:0], learners[:0], np.empty(0), 0.0
    u_topic = uniforms(draws, learners.size)  # those of rng.choice(..., p=client demand)
    cells, gain, total = _lessons(knowledge, learners, client_demand, u_topic, rate, tact)
    return learners, cells, gain, total


@numba.njit(cache=True, nogil=True)
def _lessons(knowledge, learners, client_demand, u_topic, rate, tact):
    """Each learner closes ``rate * tact`` of their gap on a client topic drawn in proportion
    to ``client_demand`` (the demand of topics 1 on) by ``u_topic`` (as `kernels.choose`).
    Returns the cells learned (flat indices), the gain of each and their sum (numpy's order).

    Each learner appears once, so lessons cannot collide and update in place.
    """
    topics = knowledge.shape[1]
    client_topic = choose(client_demand, u_topic)
    cells = np.empty(learners.size, dtype=np.int64)
    gain = np.empty(learners.size)
    for i in range(learners.size):
        r, t = learners[i], client_topic[i] + 1
        current = knowledge[r, t]
        # Clients open up to people who listen well: the lesson scales with tact.
        new = _absorb(current, 1.0, rate * tact[r])
        knowledge[r, t] = new
        cells[i] = r * topics + t
        gain[i] = new - current
    return cells, gain, pairwise_sum(gain)
