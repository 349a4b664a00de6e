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

import numba
import numpy as np

from orglearn.simulation.processes.draws import stream, uniforms
from orglearn.simulation.processes.kernels import (
    bernoulli_rows, pairwise_sum, pick_ties, row_dot, std, true_rows,
)
from orglearn.simulation.state import CHAMPION, MANAGER

__all__ = ["change_culture", "payoff"]

#: Sharing effort (helps given and posts) is counted over about this many steps, a month.
EFFORT_WINDOW = 30.0

_jit = numba.njit(cache=True, nogil=True)


def payoff(state, rows: np.ndarray | None = None) -> np.ndarray:
    """Demand-weighted mean knowledge of client topics (of ``rows``, or everyone): how well a
    person serves clients now (topic 0, the internal new idea, is not a client need)."""
    # One contiguous pass over everyone is cheaper than gathering rows first; compiled, not
    # BLAS, so that no BLAS threads start (see `row_dot`).
    score = row_dot(state.knowledge, _client_weights(state.demand))
    return score if rows is None else score[rows]


@_jit
def _client_weights(demand):
    """The weights of `payoff`: demand, without topic 0, summing to one."""
    weights = demand.copy()
    weights[0] = 0.0
    weights /= pairwise_sum(weights)
    return weights


def change_culture(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of imitation; returns ``{"imitations": people who moved}``."""
    p = params.culture_change
    adjacency = network.adjacency
    imitations = _culture_day(
        stream(rng), adjacency.indptr, adjacency.indices, state.adaptability, state.role,
        state.champion, p.manager_weight, p.champion_weight, state.knowledge, state.demand,
        state.effort, 1.0 - 1.0 / EFFORT_WINDOW, p.sharing_cost, p.rate, state.lurker,
        state.hoarder, state.generosity, state.proactivity, state.formal_preference,
    )
    return {"imitations": imitations}


@_jit
def _culture_day(
    draws, indptr, indices, adaptability, role, champion, manager_weight, champion_weight,
    knowledge, demand, effort, keep_effort, sharing_cost, rate, lurker, hoarder, generosity,
    proactivity, formal_preference,
):
    """Who reconsiders, whom they watch, whether that one does better, and imitation, each
    drawing its uniforms from ``draws`` in turn; returns the number who imitated."""
    people = bernoulli_rows(uniforms(draws, adaptability.size), adaptability, 1.0)
    people, model = _role_models(
        indptr, indices, people, uniforms(draws, people.size), role, champion, manager_weight,
        champion_weight,
    )
    people, model = _better_off(
        people, model, uniforms(draws, people.size), knowledge, demand, effort, keep_effort,
        sharing_cost,
    )
    _imitate(
        people, model, uniforms(draws, people.size), rate, lurker, champion, hoarder,
        generosity, proactivity, formal_preference,
    )
    return people.size


@_jit
def _role_models(indptr, indices, people, u, role, champion, manager_weight, champion_weight):
    """Each person's role model, a neighbour drawn by ``u`` in proportion to how much they are
    watched: 1 for a member, ``manager_weight`` for a manager, ``champion_weight`` for a
    champion, the larger of the two for a manager who is a champion (leaders are watched more).
    Returns ``(people, model)`` of those who have someone to watch."""
    # One sequential pass for everyone's weight is cheaper than working it out per tie.
    watched = np.empty(role.size)
    for j in range(role.size):
        w = manager_weight if role[j] == MANAGER else (
            champion_weight if role[j] == CHAMPION else 1.0
        )
        watched[j] = max(w, champion_weight) if champion[j] else w
    people, edge = pick_ties(indptr, indices, people, u, np.empty(0), watched)
    return people, indices[edge]


@_jit
def _better_off(people, model, u, knowledge, demand, effort, decay, sharing_cost):
    """Keep the pairs where the model does better, each with chance ``(score of the model -
    own score) / spread of scores`` (drawn by ``u``); returns ``(people, model)`` of those.

    The score is the payoff (`payoff`) minus ``sharing_cost`` per unit of sharing ``effort``,
    which first decays by ``decay`` (in place). Proportional imitation: the more the model
    does better, the likelier the switch, in units of the spread of payoffs across the
    organisation (their standard deviation, at least 1e-12).
    """
    score = row_dot(knowledge, _client_weights(demand))
    for i in range(score.size):
        effort[i] *= decay
        score[i] = score[i] - sharing_cost * effort[i]
    spread = max(std(score), 1e-12)
    keep = np.empty(people.size, dtype=np.bool_)
    for i in range(people.size):
        keep[i] = u[i] * spread < score[model[i]] - score[people[i]]
    rows = true_rows(keep)
    return people[rows], model[rows]


@_jit
def _imitate(
    people, model, u, rate, lurker, champion, hoarder, generosity, proactivity,
    formal_preference,
):
    """Each person moves ``rate`` of the way to their model's generosity (not a hoarder),
    proactivity and formal_preference, and takes up the model's lurking or posting where
    ``u < rate`` (a champion never starts lurking). Synchronous: every change is worked out
    from the values before anyone moved (a model may be imitating someone too)."""
    m = people.size
    switch, target = np.empty(m, dtype=np.bool_), np.empty(m, dtype=np.bool_)
    move = np.empty((m, 3))
    for i in range(m):
        p, q = people[i], model[i]
        target[i] = lurker[q]
        switch[i] = lurker[p] != target[i] and u[i] < rate and not (target[i] and champion[p])
        move[i, 0] = 0.0 if hoarder[p] else rate * (generosity[q] - generosity[p])
        move[i, 1] = rate * (proactivity[q] - proactivity[p])
        move[i, 2] = rate * (formal_preference[q] - formal_preference[p])
    for i in range(m):  # each person appears once: no collisions
        p = people[i]
        if switch[i]:
            lurker[p] = target[i]
        generosity[p] += move[i, 0]
        proactivity[p] += move[i, 1]
        formal_preference[p] += move[i, 2]
