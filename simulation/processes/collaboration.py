"""Process 4, collaboration: trusted pairs work together and may create new knowledge.

Each person proposes to work with a neighbour (chosen in proportion to tie strength) with
chance ``rate * generosity``; the neighbour accepts with chance ``generosity of the neighbour *
tact of the proposer`` (a tactless proposal is turned down), and
the pair works together only if their mutual trust, the weaker direction of the tie, is at
least ``trust_threshold``. They work on a topic chosen in proportion to client demand: each
learns from the other (`rules.learn`), explicit and tacit pieces alike at rate
``learning * absorption`` (working side by side is how tacit knowledge passes; Nonaka 1994),
so both move toward the better of the two and beyond, toward what they know together. On a
client topic, with chance ``innovation_chance``, they recombine what they know into something
new and both learn ``innovation_gain`` of what neither knew (the new idea, topic 0, is not
reinvented this way: it spreads from those who had it). Working together strengthens the tie.
"""

from __future__ import annotations

import numba
import numpy as np

from orglearn.simulation.metrics import distinct
from orglearn.simulation.processes.kernels import (
    _absorb, _learn, bernoulli_rows, choose, pairwise_sum, pick_ties, true_rows,
)
from orglearn.simulation.processes.draws import stream, uniforms
from orglearn.simulation.processes.rules import pull_toward
from orglearn.simulation.sources import COLLABORATION, best_per_cell

__all__ = ["collaborate"]

_jit = numba.njit(cache=True, nogil=True)


def collaborate(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of collaboration; returns ``{"collaboration": pairs that worked}``."""
    p = params.collaboration
    counts = {"collaboration": 0, "gain_collaboration": 0.0}
    adjacency = network.adjacency
    a, b, ties, cells, outcome, touched, gain, total = _collaboration_day(
        stream(rng), adjacency.indptr, adjacency.indices, network.reverse, p.rate,
        state.generosity, state.tact, state.strength, p.trust_threshold, state.knowledge,
        state.demand, p.learning, state.absorption, state.codifiable, p.innovation_chance,
        p.innovation_gain,
    )
    if a.size == 0:
        return counts
    counts["gain_collaboration"] = total
    if state.sources is not None:  # the partner of the best outcome taught the cell
        _, teacher = best_per_cell(cells, outcome, np.concatenate((b, a)))
        state.sources.record(touched // state.topics, teacher, COLLABORATION, gain)
    state.used.append(cells)
    pull_toward(state.strength, ties, 1.0, params.asking.strengthen)
    counts["collaboration"] = int(a.size)
    return counts


@_jit
def _collaboration_day(
    draws, indptr, indices, reverse, rate, generosity, tact, strength, trust_threshold,
    knowledge, demand, learning, absorption, codifiable, innovation_chance, innovation_gain,
):
    """Proposals, agreement and working together, each drawing its uniforms from ``draws`` in
    turn (proposing, the partner, accepting, the topic, innovating). Returns ``(a, b, ties,
    cells, outcome, touched, gain, total)``: the pairs, the ties they used (both directions),
    and `_work_together`'s results; empty where no pair worked."""
    none = np.empty(0, dtype=np.int64)
    nothing = (none, none, none, none, np.empty(0), none, np.empty(0), 0.0)
    proposers = bernoulli_rows(uniforms(draws, generosity.size), generosity, rate)
    if proposers.size == 0:
        return nothing
    proposers, edge = pick_ties(
        indptr, indices, proposers, uniforms(draws, proposers.size), strength, np.empty(0)
    )
    a, b, ties = _agree(
        proposers, edge, uniforms(draws, proposers.size), indices, reverse, generosity, tact,
        strength, trust_threshold,
    )
    if a.size == 0:
        return nothing
    # The uniforms of rng.choice(demand.size, size=a.size, p=demand / demand.sum()), then the
    # innovation draws, as they were drawn when the topic was chosen in numpy.
    u_topic = uniforms(draws, a.size)
    u_innovate = uniforms(draws, a.size)
    cells, outcome, touched, gain, total = _work_together(
        knowledge, a, b, demand, u_topic, u_innovate, learning, absorption, codifiable,
        innovation_chance, innovation_gain,
    )
    return a, b, ties, cells, outcome, touched, gain, total


@_jit
def _agree(proposers, edge, u, indices, reverse, generosity, tact, strength, trust_threshold):
    """The proposals that lead to work: the partner accepts (``u < generosity of the partner *
    tact of the proposer``) and the weaker direction of the tie is at least
    ``trust_threshold``. Returns ``(a, b, ties)`` of those pairs: proposer, partner, and the
    ties that working together strengthens (from a to b, then back)."""
    work = np.zeros(proposers.size, dtype=np.bool_)
    for i in range(proposers.size):
        e = edge[i]
        accept = u[i] < generosity[indices[e]] * tact[proposers[i]]
        work[i] = accept and min(strength[e], strength[reverse[e]]) >= trust_threshold
    rows = true_rows(work)
    e = edge[rows]
    return proposers[rows], indices[e], np.concatenate((e, reverse[e]))


@_jit
def _work_together(
    knowledge, a, b, demand, u_topic, u_innovate, learning, absorption, codifiable,
    innovation_chance, innovation_gain,
):
    """Pairs ``(a[i], b[i])`` learn from each other on a topic drawn in proportion to
    ``demand`` (by ``u_topic``, as `kernels.choose`) and, where ``u_innovate[i] <
    innovation_chance`` on a client topic, innovate; synchronously: every outcome is worked out
    from the knowledge before anyone learned, and a cell in several pairs keeps its best.

    Returns the cells (flat indices, a's then b's), their outcomes, the distinct cells touched
    (sorted), the knowledge each of those gained and its sum (numpy's order, over the cells).
    """
    m, topics = a.size, knowledge.shape[1]
    topic = choose(demand, u_topic)
    flat = knowledge.reshape(knowledge.size)
    cells = np.empty(2 * m, dtype=np.int64)
    outcome = np.empty(2 * m)
    for i in range(m):
        r, s, t = a[i], b[i], topic[i]
        ka, kb, c = knowledge[r, t], knowledge[s, t], codifiable[t]
        rate_a, rate_b = learning * absorption[r], learning * absorption[s]
        new_a = _learn(ka, kb, rate_a, rate_a, c)
        new_b = _learn(kb, ka, rate_b, rate_b, c)
        if u_innovate[i] < innovation_chance and t > 0:  # learning from a source at 1.0
            new_a = _absorb(new_a, 1.0, innovation_gain)
            new_b = _absorb(new_b, 1.0, innovation_gain)
        cells[i], cells[m + i] = r * topics + t, s * topics + t
        outcome[i], outcome[m + i] = min(new_a, 1.0), min(new_b, 1.0)
    touched = distinct(cells)
    gain = np.empty(touched.size)
    for j in range(touched.size):
        gain[j] = flat[touched[j]]
    # A person may be in several pairs on one topic: keep the best outcome, never a sum.
    for j in range(cells.size):
        if outcome[j] > flat[cells[j]]:
            flat[cells[j]] = outcome[j]
    for j in range(touched.size):
        gain[j] = flat[touched[j]] - gain[j]
    return cells, outcome, touched, gain, pairwise_sum(gain)
