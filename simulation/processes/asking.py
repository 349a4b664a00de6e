"""Process 2, asking for help: direct, private exchanges along ties.

1. **Who asks.** Each person asks with chance
   ``rate * proactivity * boldness * (0.5 + 0.5 * safety) * (1 - formal_damping * formal_preference)``:
   shy people and those waiting for formal training ask less.
2. **About what.** A topic in proportion to ``demand * (1 - own knowledge) * mean knowledge of
   the asker's neighbours``: what clients need, the asker lacks, and colleagues nearby seem to
   know (people ask about what they hear around them).
3. **Whom.** A neighbour in proportion to ``tie strength * (0.05 + their knowledge of the topic)``
   (perceived expertise; the 0.05 lets a weakly known colleague still be asked).
4. **Help or refuse.** A helper who knows more helps with chance
   ``generosity * (0.5 + 0.5 * tact_asker) * (1 - reciprocity_sensitivity * (1 - trust))``:
   a tactless request is refused more often, and trust is the mean of the asker's reputation
   and their record with this helper, ``min(1, (received + 1) / (given + 1))`` from the
   helper's side. With ``reputation_detection`` off, trust plays no part (hoarders free-ride).
5. **Success.** Help lands with chance ``tact_asker * tact_helper``; the asker then learns
   ``absorption`` of what the helper knows and they do not (`rules.absorb`). Ledgers record it, and the tie strengthens.
   A refusal, or help that goes badly, weakens the tie.
6. **Reputation.** Others' view of each helper moves toward 1 for every help given and toward 0
   for every refusal, at ``reputation_rate`` per event.
"""

from __future__ import annotations

import numpy as np

from simulation.processes.rules import absorb, pull_toward
from simulation.processes.kernels import asking_choices

__all__ = ["ask_for_help"]

EXPERTISE_FLOOR = 0.05


def ask_for_help(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one round of help-seeking; returns counts of asks, helps, successes, refusals."""
    p = params.asking
    safety = 0.5 + 0.5 * params.culture.psychological_safety
    chance = (
        p.rate
        * state.proactivity
        * state.boldness
        * safety
        * (1.0 - p.formal_damping * state.formal_preference)
    )
    askers = np.flatnonzero(rng.random(state.n) < chance)
    counts = {"asks": 0, "helps": 0, "direct": 0, "refusals": 0}
    if askers.size == 0:
        return counts
    k = state.knowledge
    adjacency = network.adjacency
    u_topic, u_helper = rng.random(askers.size), rng.random(askers.size)
    topic, edge = asking_choices(
        adjacency.indptr, adjacency.indices, k, state.demand, state.strength,
        askers, u_topic, u_helper, EXPERTISE_FLOOR,
    )
    found = edge >= 0
    askers, topic, edge = askers[found], topic[found], edge[found]
    helper = adjacency.indices[edge]
    back = network.reverse[edge]  # the tie seen from the helper's side
    counts["asks"] = int(askers.size)

    mine, theirs = state.get(askers, topic), state.get(helper, topic)
    can_teach = theirs > mine
    willing_chance = state.generosity[helper] * (0.5 + 0.5 * state.tact[askers])
    if p.reputation_detection:
        record = np.minimum(1.0, (state.received[back] + 1.0) / (state.given[back] + 1.0))
        trust = 0.5 * state.reputation[askers] + 0.5 * record
        willing_chance = willing_chance * (
            1.0 - state.reciprocity_sensitivity[helper] * (1.0 - trust)
        )
    willing = rng.random(askers.size) < willing_chance
    pleasant = rng.random(askers.size) < state.tact[askers] * state.tact[helper]

    helped = can_teach & willing
    refused = can_teach & ~willing
    success = helped & pleasant
    counts.update(
        helps=int(helped.sum()), direct=int(success.sum()), refusals=int(refused.sum())
    )

    # Knowledge: each asker changes only its own (row, topic) cell, so plain assignment is safe.
    a, t = askers[success], topic[success]
    k.reshape(-1)[state.cells(a, t)] = absorb(mine[success], theirs[success], state.absorption[a])
    state.use(a, t)
    state.use(helper[success], t)

    np.add.at(state.given, back[success], 1.0)
    np.add.at(state.received, edge[success], 1.0)

    good, bad = edge[success], edge[refused | (helped & ~pleasant)]
    pull_toward(state.strength, np.concatenate((good, network.reverse[good])), 1.0, p.strengthen)
    pull_toward(state.strength, np.concatenate((bad, network.reverse[bad])), 0.0, p.weaken)
    pull_toward(state.reputation, helper[can_teach], helped[can_teach], p.reputation_rate)
    return counts

