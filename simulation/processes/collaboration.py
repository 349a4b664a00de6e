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

import numpy as np

from orglearn.simulation.processes.rules import absorb, learn, pull_toward
from orglearn.simulation.processes.kernels import NO_WEIGHT, pick_edges
from orglearn.simulation.sources import COLLABORATION, best_per_cell

__all__ = ["collaborate"]


def collaborate(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of collaboration; returns ``{"collaboration": pairs that worked}``."""
    p = params.collaboration
    proposers = np.flatnonzero(rng.random(state.n) < p.rate * state.generosity)
    counts = {"collaboration": 0, "gain_collaboration": 0.0}
    if proposers.size == 0:
        return counts
    adjacency = network.adjacency
    edge = pick_edges(
        adjacency.indptr, adjacency.indices, proposers, rng.random(proposers.size),
        state.strength, NO_WEIGHT,
    )
    ok = edge >= 0
    proposers, edge = proposers[ok], edge[ok]
    partner = network.adjacency.indices[edge]
    back = network.reverse[edge]
    accept = rng.random(proposers.size) < state.generosity[partner] * state.tact[proposers]
    trusted = np.minimum(state.strength[edge], state.strength[back]) >= p.trust_threshold
    work = accept & trusted
    a, b, edge, back = proposers[work], partner[work], edge[work], back[work]
    if a.size == 0:
        return counts
    demand = state.demand
    topic = rng.choice(demand.size, size=a.size, p=demand / demand.sum())
    k = state.knowledge
    ka, kb = state.get(a, topic), state.get(b, topic)
    c = state.codifiable[topic]
    rate_a, rate_b = p.learning * state.absorption[a], p.learning * state.absorption[b]
    new_a = learn(ka, kb, rate_a, rate_a, c)
    new_b = learn(kb, ka, rate_b, rate_b, c)
    innovate = (rng.random(a.size) < p.innovation_chance) & (topic > 0)
    new_a = np.where(innovate, absorb(new_a, 1.0, p.innovation_gain), new_a)
    new_b = np.where(innovate, absorb(new_b, 1.0, p.innovation_gain), new_b)
    # A person may be in several pairs on one topic: keep the best outcome, never a sum.
    cells = np.concatenate((a * state.topics + topic, b * state.topics + topic))
    touched = np.unique(cells)
    before = k.reshape(-1)[touched]
    outcome = np.minimum(np.concatenate((new_a, new_b)), 1.0)
    np.maximum.at(k.reshape(-1), cells, outcome)
    gain = k.reshape(-1)[touched] - before
    counts["gain_collaboration"] = float(gain.sum())
    if state.sources is not None:  # the partner of the best outcome taught the cell
        _, teacher = best_per_cell(cells, outcome, np.concatenate((b, a)))
        state.sources.record(touched // state.topics, teacher, COLLABORATION, gain)
    state.used.append(cells)
    pull_toward(state.strength, np.concatenate((edge, back)), 1.0, params.asking.strengthen)
    counts["collaboration"] = int(a.size)
    return counts
