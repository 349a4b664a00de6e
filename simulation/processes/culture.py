"""Process 6, culture change: payoff-biased imitation of sharing and seeking behaviour.

Each person, with chance ``adaptability``, looks at one neighbour chosen in proportion to their
role's weight (1 for a member, ``manager_weight`` for a manager, ``champion_weight`` for a
champion, the larger of the two for a manager who is a champion: leaders are watched more).
If that role model is doing better, the person imitates them with chance
``(payoff of the model - own payoff) / spread of payoffs`` (at most 1; Schlag's proportional
imitation rule, so a colleague who does only slightly better is rarely copied): the person
moves ``rate`` of the way toward the model's generosity, proactivity and formal_preference,
and, since lurking is sharing behaviour too, takes up the model's lurking or posting with
chance ``rate``. (So the expected change per step
is ``rate * adaptability`` of the difference; drawing who reconsiders first keeps the step
cheap.) Hoarders do not change their generosity and champions do not start lurking: that is
what makes them hoarders and champions.

"Doing better" is the payoff: how well one's knowledge matches what clients need (`payoff`)
minus the time that sharing costs, ``sharing_cost`` per help given or post in about the last
month (a decaying count, ``effort``). Sharing pays only where it is repaid: with reciprocity
detection, people who do not give are refused help and fall behind in knowledge, so generous
colleagues are the ones worth imitating; without it, free riders save the cost and keep the
knowledge, and generosity erodes (Nowak 2006).

References:
    Boyd, R., & Richerson, P. J. (1985). Culture and the Evolutionary Process. University of
    Chicago Press (payoff-biased transmission).
    Nowak, M. A. (2006). Five rules for the evolution of cooperation. Science, 314, 1560-1563.
    Schlag, K. H. (1998). Why imitate, and if so, how? Journal of Economic Theory, 78(1),
    130-156.
"""

from __future__ import annotations

import numpy as np

from orglearn.simulation.processes.kernels import NO_WEIGHT, pick_edges, row_dot
from orglearn.simulation.state import CHAMPION, MANAGER

__all__ = ["change_culture", "payoff"]

IMITATED = ("generosity", "proactivity", "formal_preference")
#: Sharing effort (helps given and posts) is counted over about this many steps, a month.
EFFORT_WINDOW = 30.0


def payoff(state, rows: np.ndarray | None = None) -> np.ndarray:
    """Demand-weighted mean knowledge of client topics (of ``rows``, or everyone): how well a
    person serves clients now (topic 0, the internal new idea, is not a client need)."""
    weights = state.demand.copy()
    weights[0] = 0.0
    weights /= weights.sum()
    # One contiguous pass over everyone is cheaper than gathering rows first; compiled, not
    # BLAS, so that no BLAS threads start (see `row_dot`).
    score = row_dot(state.knowledge, weights)
    return score if rows is None else score[rows]


def change_culture(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of imitation; returns ``{"imitations": people who moved}``."""
    p = params.culture_change
    weight = np.ones(3)
    weight[MANAGER], weight[CHAMPION] = p.manager_weight, p.champion_weight
    role_weight = weight[state.role]
    # A manager who is also a champion is watched as the more watched of the two.
    role_weight = np.where(state.champion, np.maximum(role_weight, p.champion_weight), role_weight)
    state.effort *= 1.0 - 1.0 / EFFORT_WINDOW
    people = np.flatnonzero(rng.random(state.n) < state.adaptability)
    indices = network.adjacency.indices
    edge = pick_edges(
        network.adjacency.indptr, indices, people, rng.random(people.size), NO_WEIGHT, role_weight
    )
    ok = edge >= 0
    people, model = people[ok], indices[edge[ok]]
    score = payoff(state) - p.sharing_cost * state.effort
    # Proportional imitation: the more the model does better, the likelier the switch, in
    # units of the spread of payoffs across the organisation.
    spread = max(float(score.std()), 1e-12)
    better = rng.random(people.size) * spread < score[model] - score[people]
    people, model = people[better], model[better]
    target_lurking = state.lurker[model]
    switch = (state.lurker[people] != target_lurking) & (rng.random(people.size) < p.rate)
    switch &= ~(target_lurking & state.champion[people])
    state.lurker[people[switch]] = target_lurking[switch]
    for name in IMITATED:
        column = getattr(state, name)
        move = p.rate * (column[model] - column[people])
        if name == "generosity":
            move[state.hoarder[people]] = 0.0
        column[people] += move  # each person appears once: synchronous, no collisions
    return {"imitations": int(people.size)}
