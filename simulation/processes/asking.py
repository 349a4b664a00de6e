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

from orglearn.simulation.processes.draws import stream
from orglearn.simulation.processes.kernels import asking_day
from orglearn.simulation.processes.rules import _scratch
from orglearn.simulation.sources import DIRECT

__all__ = ["ask_for_help"]

EXPERTISE_FLOOR = 0.05
#: How much more often a pushy person asks, and how often a defensive one admits a gap.
PUSHY_ASKING, DEFENSIVE_ASKING = 1.5, 0.5
#: Share of help that a defensive person takes in.
DEFENSIVE_ABSORPTION = 0.5


def ask_for_help(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one round of help-seeking; returns counts of asks, helps, successes, refusals."""
    p = params.asking
    adjacency = network.adjacency
    # The typical colleague's reputation (numpy's mean); nothing before helping changes it.
    usual = max(state.reputation.mean(), 1e-9) if p.reputation_detection else 1.0
    # Scratch for `rules.pull_toward`'s counting, large enough for ties and people alike.
    count, total = _scratch(max(state.strength.size, state.n))
    (told, tell_cells, tell_learner, tell_teacher, tell_gain, asked, helps, refusals, cells,
     learner, teacher, gain) = asking_day(
        stream(rng), state.knowledge, state.demand, adjacency.indptr, adjacency.indices,
        network.reverse, network.to_report, network.team, network.manager, network.is_manager,
        state.has_tools, state.last_post, step - params.metrics.participation_window,
        p.hidden_expertise, EXPERTISE_FLOOR, p.rate, state.proactivity, state.boldness,
        0.5 + 0.5 * params.culture.psychological_safety, p.formal_damping,
        state.formal_preference, state.style, p.style_rules, PUSHY_ASKING, DEFENSIVE_ASKING,
        state.generosity, state.tact, state.absorption, DEFENSIVE_ABSORPTION, state.codifiable,
        p.reputation_detection, state.reciprocity_sensitivity, state.reputation, usual,
        state.given, state.received, state.effort, state.strength, p.strengthen, p.weaken,
        p.reputation_rate, count, total,
    )
    counts = {"asks": asked, "helps": helps, "direct": tell_learner.size + learner.size,
              "refusals": refusals, "tells": told, "gain_direct": 0.0}
    if told:
        counts["gain_direct"] += float(tell_gain.sum())
        state.used.append(tell_cells)
        if state.sources is not None:
            state.sources.record(tell_learner, tell_teacher, DIRECT, tell_gain)
    if asked or told:
        counts["gain_direct"] += float(gain.sum())
    state.used.append(cells)
    if state.sources is not None:
        state.sources.record(learner, teacher, DIRECT, gain)
    return counts
