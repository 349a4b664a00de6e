"""Process 2, asking for help: direct, private exchanges along ties.

1. **Who asks.** Each person asks with chance ``rate * proactivity * boldness *
   (0.5 + 0.5 * safety) * (1 - formal_damping * formal_preference)``: shy people and those
   waiting for formal training ask less. Defensive people admit a gap half as often; pushy
   people ask half as often again (capped at 1).
2. **About what.** A topic in proportion to
   ``demand * (1 - own knowledge) ** 2 * (0.5 + mean knowledge of the asker's neighbours)``:
   what clients need and the asker lacks, more so where colleagues nearby seem to know (people
   ask about what they hear around them, but a gap clients feel is asked about anyway). A gap
   weighs with its square: a big gap both comes up more often with clients and hurts more
   when it does, so when client needs shift (turbulence) attention goes to the new gaps.
3. **Whom.** A neighbour in proportion to ``tie strength * (0.05 + perceived lead)``, the lead
   being how much more of the topic the neighbour knows than the asker: people look for
   someone who knows more than they do. Expertise is perceived fully where it is visible: a
   teammate's, and, for an asker with tools, that of a colleague who posted in the last
   participation window (being findable digitally; Borgatti & Cross 2003, Leonardi 2014).
   Otherwise it is perceived at ``hidden_expertise`` of its value. Top-down people listen only
   upward: they ask only their manager.
4. **Telling.** A top-down manager does not ask: in their turn they tell a report, unasked,
   about a client topic drawn in proportion to their own knowledge times its demand (a
   defensive report takes in half). Tells land first, and the askers of the step then read
   the state after them: the one exception to synchronous updates within this process.
   Knowledge flows down the hierarchy, on the teller's topic rather than on the report's need.
5. **Help or refuse.** A helper who knows more helps with chance
   ``generosity * (0.5 + 0.5 * tact_asker) * (1 - reciprocity_sensitivity * (1 - trust))``:
   a tactless request is refused more often, and trust is the asker's standing (reputation
   relative to the organisation's mean, at most 1) times their record with this helper,
   ``min(1, (received + 1) / (given + 1))`` from the helper's side: either a bad name or a
   one-sided record is enough to be refused (Černe et al. 2014). With
   ``reputation_detection`` off, trust plays no part (hoarders free-ride).
   A pushy asker who is refused insists once more (a second draw), but every pushy request
   strains the tie (one ``weaken`` pull), helped or not.
6. **Success.** Help lands with chance ``tact_asker * tact_helper``. An abrasive helper's help
   lands with chance ``tact_asker`` (they know their stuff), but the exchange is unpleasant.
   The asker then learns from the helper (`rules.learn`): explicit pieces at rate
   ``absorption``, tacit pieces at ``absorption * tie strength`` (tacit knowledge passes well
   only over strong ties; Hansen 1999). Defensive askers take in half of either. Ledgers
   record the help. Every help given, landed or not, adds one to the helper's sharing effort.
7. **Ties.** A pleasant exchange strengthens the tie (both directions); a refusal, or an
   exchange that went badly or was abrasive, weakens it.
8. **Reputation.** Others' view of each helper moves toward 1 for every help given and toward 0
   for every refusal, at ``reputation_rate`` per event.

References:
    Borgatti, S. P., & Cross, R. (2003). A relational view of information seeking and learning
    in social networks. Management Science, 49(4), 432-445.
    Hansen, M. T. (1999). The search-transfer problem. Administrative Science Quarterly,
    44(1), 82-111.
    Leonardi, P. M. (2014). Social media, knowledge sharing, and innovation. Information
    Systems Research, 25(4), 796-816.
"""

from __future__ import annotations

import numpy as np

from orglearn.simulation.parameters import STYLES
from orglearn.simulation.processes.kernels import asking_choices, pick_columns, pick_edges
from orglearn.simulation.processes.rules import learn, pull_toward
from orglearn.simulation.sources import DIRECT

__all__ = ["ask_for_help"]

EXPERTISE_FLOOR = 0.05
ABRASIVE, DEFENSIVE, PUSHY, TOP_DOWN = (
    STYLES.index(s) for s in ("abrasive", "defensive", "pushy", "top_down")
)
#: How much more often a pushy person asks, and how often a defensive one admits a gap.
PUSHY_ASKING, DEFENSIVE_ASKING = 1.5, 0.5
#: Share of help that a defensive person takes in.
DEFENSIVE_ABSORPTION = 0.5


def ask_for_help(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one round of help-seeking; returns counts of asks, helps, successes, refusals."""
    p = params.asking
    safety = 0.5 + 0.5 * params.culture.psychological_safety
    # Without style rules, every style asks, helps and learns as a tactful person does here.
    style = state.style if p.style_rules else np.zeros_like(state.style)
    chance = (
        p.rate
        * state.proactivity
        * state.boldness
        * safety
        * (1.0 - p.formal_damping * state.formal_preference)
    )
    chance = np.where(style == PUSHY, PUSHY_ASKING * chance, chance)
    chance = np.where(style == DEFENSIVE, DEFENSIVE_ASKING * chance, chance)
    turns = np.flatnonzero(rng.random(state.n) < chance)
    counts = {"asks": 0, "helps": 0, "direct": 0, "refusals": 0, "tells": 0, "gain_direct": 0.0}
    if turns.size == 0:
        return counts
    top_down = style == TOP_DOWN
    tells = top_down[turns] & network.is_manager[turns]
    _tell(state, network, params, rng, turns[tells], counts)
    askers = turns[~tells]
    k = state.knowledge
    adjacency = network.adjacency
    findable = state.last_post > step - params.metrics.participation_window
    u_topic, u_helper = rng.random(askers.size), rng.random(askers.size)
    topic, edge = asking_choices(
        adjacency.indptr, adjacency.indices, k, state.demand, state.strength,
        askers, u_topic, u_helper, EXPERTISE_FLOOR,
        network.team, state.has_tools, findable, p.hidden_expertise, top_down, network.manager,
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
        # Reputation is judged against what is usual here: the typical colleague is trusted.
        standing = np.minimum(1.0, state.reputation[askers] / max(state.reputation.mean(), 1e-9))
        trust = standing * record
        willing_chance = willing_chance * (
            1.0 - state.reciprocity_sensitivity[helper] * (1.0 - trust)
        )
    pushy = style[askers] == PUSHY
    insist = rng.random(askers.size)
    willing = rng.random(askers.size) < willing_chance
    willing |= pushy & (insist < willing_chance)  # asked again after a refusal
    abrasive = style[helper] == ABRASIVE
    lands = rng.random(askers.size) < np.where(
        abrasive, state.tact[askers], state.tact[askers] * state.tact[helper]
    )
    helped = can_teach & willing
    refused = can_teach & ~willing
    success = helped & lands
    counts.update(
        helps=int(helped.sum()), direct=counts["direct"] + int(success.sum()),
        refusals=int(refused.sum()),
    )
    a, t, e = askers[success], topic[success], edge[success]
    rate = np.where(
        style[a] == DEFENSIVE, DEFENSIVE_ABSORPTION * state.absorption[a], state.absorption[a]
    )
    new = learn(mine[success], theirs[success], rate, rate * state.strength[e], state.codifiable[t])
    counts["gain_direct"] += float((new - mine[success]).sum())
    # Each asker changes only its own (row, topic) cell, so plain assignment is safe.
    k.reshape(-1)[state.cells(a, t)] = new
    state.use(a, t)
    state.use(helper[success], t)
    if state.sources is not None:
        state.sources.record(a, helper[success], DIRECT, new - mine[success])
    np.add.at(state.given, back[success], 1.0)
    np.add.at(state.received, e, 1.0)
    np.add.at(state.effort, helper[helped], 1.0)
    good = e[~abrasive[success]]
    bad = np.concatenate(
        (edge[refused | (helped & ~lands)], e[abrasive[success]], edge[pushy])
    )
    _pull_ties(state, network, good, 1.0, p.strengthen)
    _pull_ties(state, network, bad, 0.0, p.weaken)
    pull_toward(state.reputation, helper[can_teach], helped[can_teach], p.reputation_rate)
    return counts


def _pull_ties(state, network, edges: np.ndarray, target: float, rate: float) -> None:
    """Pull both directions of each tie toward ``target``."""
    pull_toward(state.strength, np.concatenate((edges, network.reverse[edges])), target, rate)


def _tell(state, network, params, rng, tellers: np.ndarray, counts: dict) -> None:
    """Top-down managers tell a report, unasked, about a client topic they know."""
    if tellers.size == 0:
        return
    adjacency = network.adjacency
    weight = state.demand.copy()
    weight[0] = 0.0  # they tell what clients need, not the new idea
    topic = pick_columns(state.knowledge, tellers, weight, rng.random(tellers.size))
    edge = pick_edges(
        adjacency.indptr, adjacency.indices, tellers, rng.random(tellers.size),
        network.to_report, np.empty(0),
    )
    ok = (edge >= 0) & (topic >= 0)
    tellers, topic, edge = tellers[ok], topic[ok], edge[ok]
    report = adjacency.indices[edge]
    mine, theirs = state.get(report, topic), state.get(tellers, topic)
    lands = (theirs > mine) & (rng.random(tellers.size) < state.tact[report] * state.tact[tellers])
    r, t, e = report[lands], topic[lands], edge[lands]
    defensive = (state.style[r] == DEFENSIVE) & params.asking.style_rules
    rate = np.where(defensive, DEFENSIVE_ABSORPTION * state.absorption[r], state.absorption[r])
    new = learn(mine[lands], theirs[lands], rate, rate * state.strength[e], state.codifiable[t])
    state.knowledge.reshape(-1)[state.cells(r, t)] = new  # a report has one manager: one cell
    state.use(r, t)
    state.use(tellers[lands], t)
    if state.sources is not None:
        state.sources.record(r, tellers[lands], DIRECT, new - mine[lands])
    counts["tells"] = int(tellers.size)
    counts["direct"] += int(lands.sum())
    counts["gain_direct"] += float((new - mine[lands]).sum())
    _pull_ties(state, network, e, 1.0, params.asking.strengthen)
