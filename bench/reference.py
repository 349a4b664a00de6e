"""The social-learning rules written as a plain per-agent Mesa model: the benchmark's baseline.

`ReferenceModel` implements the same processes as `simulation.model.SocialLearningModel`, in
the same order (`simulation.processes.PIPELINE`), with the same parameters and the same
initial state, but the idiomatic Mesa way: every `ReferenceEmployee` holds its own traits,
knowledge (a small numpy vector over the K topics) and ties (dicts keyed by the neighbour's
seat) as Python attributes, and each process is a loop over agents calling agent methods
(``self.agents.map(...)`` / ``self.agents.do(...)``). It exists to measure what the vectorised
model gains (`orglearn.bench`), and the tests show that the two are equivalent within
stated margins (`tests/experiments/test_bench_reference.py`). The rules are those of the
modules of `simulation.processes`, whose docstrings describe them.

Synchronous updates, as in the vectorised processes: within a process every decision reads
the state as it was when the process began. Each process therefore runs in phases: agents
decide (reading only), then the decisions are applied. Pulls of reputation and tie strength
compound per event as `simulation.processes.rules.pull_toward` does, and several lessons on
one cell keep the best outcome. One exception follows the vectorised model: in asking, the
top-down managers' tells land before the askers choose (`simulation.processes.asking`).

Random numbers are drawn as a tuned per-agent Mesa model draws them, so that the benchmark's
speed-up is measured against a fair baseline. Every scalar uniform (each chance, each weighted
choice, client drift) comes from ``model.random``, the `random.Random` that Mesa seeds from
the model's seed: about 50 ns a draw here, against about 400 ns for a scalar from numpy's
``model.rng``, and a step takes about eight per agent. numpy's generator keeps three jobs:
building the organisation and the initial workforce (the vectorised model's own code, so that a
seed gives both models the same start), a newcomer's knowledge row (one vector draw), and a
newcomer's Beta-distributed traits. `random.betavariate` would be equivalent (both are exact
Beta samplers) but is slower, about 1.4 us a draw against 0.6 us, and hires are rare, so a
tuned model gains nothing by switching.

The order of random draws differs from the vectorised model, so the two agree in
distribution, not run by run. Interventions are not supported: the model takes parameters.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter, defaultdict
from itertools import accumulate
from typing import Any

import mesa
import numpy as np

from orglearn.simulation.metrics import GAINS, gini, silo_index
from orglearn.simulation.network import build_network
from orglearn.simulation.parameters import STYLES, Parameters
from orglearn.simulation.processes import PIPELINE
from orglearn.simulation.processes.asking import (
    DEFENSIVE_ABSORPTION,
    DEFENSIVE_ASKING,
    EXPERTISE_FLOOR,
    PUSHY_ASKING,
)
from orglearn.simulation.processes.culture import EFFORT_WINDOW
from orglearn.simulation.processes.forgetting import TIE_FLOOR
from orglearn.simulation.processes.rules import absorb
from orglearn.simulation.state import (
    CHAMPION,
    DEVOTEE_FORMAL_PREFERENCE,
    HOARDER_GENEROSITY,
    INITIAL_REPUTATION,
    MANAGER,
    MEMBER,
    NEWCOMER_TIES,
    STYLE_TRAITS,
    TIE_STRENGTH,
    TRAIT_COLUMNS,
    initial_workforce,
)

__all__ = ["ReferenceModel", "ReferenceEmployee", "learn"]

NEVER = np.iinfo(np.int64).min // 2
IMITATED = ("generosity", "proactivity", "formal_preference")
ABRASIVE, DEFENSIVE, PUSHY, TOP_DOWN = (
    STYLES.index(s) for s in ("abrasive", "defensive", "pushy", "top_down")
)
PERSON_COLUMNS = (
    "role",
    "style",
    *TRAIT_COLUMNS,
    "reputation",
    "has_tools",
    "lurker",
    "hoarder",
    "formal_devotee",
    "champion",
    "community",
    "last_post",
    "post_count",
    "effort",
)
_TINY = 1e-12


def learn(
    current: float, source: float, rate: float, tacit_rate: float, codifiable: float
) -> float:
    """One learner's new level after learning from ``source`` (`simulation.processes.rules.learn`
    for one cell): the explicit pieces (the first ``codifiable`` of a level) at ``rate``, the
    tacit rest at ``tacit_rate``, each by the pieces rule within its own share."""
    c = codifiable
    explicit, tacit = min(current, c), max(current - c, 0.0)
    explicit_source, tacit_source = min(source, c), max(source - c, 0.0)
    explicit += rate * explicit_source * (c - explicit) / max(c, _TINY)
    tacit += tacit_rate * tacit_source * (1.0 - c - tacit) / max(1.0 - c, _TINY)
    return explicit + tacit


def _choose(cumulative, rand: random.Random) -> int:
    """Draw an index in proportion to the weights whose running sum is ``cumulative``.

    Returns -1 when the weights sum to zero (as `simulation.processes.kernels.pick_columns`).
    """
    if len(cumulative) == 0 or not cumulative[-1] > 0:
        return -1
    return min(bisect_right(cumulative, rand.random() * cumulative[-1]), len(cumulative) - 1)


def _pulled(value: float, events: int, target: float, rate: float) -> float:
    """``value`` after ``events`` compounding pulls toward ``target`` (mean target) by ``rate``."""
    return value + (1.0 - (1.0 - rate) ** events) * (target - value)


def _pull_ties(ties: Counter, target: float, rate: float) -> None:
    """Pull each ``(agent, seat)`` tie side toward ``target``, once per event counted."""
    for (agent, seat), events in ties.items():
        agent.strength[seat] = _pulled(agent.strength[seat], events, target, rate)


def _beta(mean: float, concentration: float, rng: np.random.Generator) -> float:
    """One Beta draw with the given mean (exactly 0 or 1 for a mean of 0 or 1)."""
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    return float(rng.beta(mean * concentration, (1.0 - mean) * concentration))


def _newcomer(params: Parameters, rand: random.Random, rng: np.random.Generator) -> dict[str, Any]:
    """Draw the traits and archetypes of one newcomer as `simulation.state.hire` does.

    Each archetype and style is an independent chance equal to its share. Uniform draws come
    from ``rand``, Beta draws from ``rng`` (see the module docstring).
    """
    t, pop = params.traits, params.population
    person: dict[str, Any] = {
        name: _beta(getattr(t, name), t.concentration, rng) for name in TRAIT_COLUMNS
    }
    cum = list(accumulate(getattr(pop, f"{s}_share") for s in STYLES[1:]))
    style = bisect_right(cum, rand.random()) + 1
    person["style"] = style if style <= len(cum) else 0
    if person["style"]:
        tact, boldness = STYLE_TRAITS.get(STYLES[person["style"]], (t.tact, t.boldness))
        person["tact"] = _beta(tact, t.concentration, rng)
        person["boldness"] = _beta(boldness, t.concentration, rng)
    lurker = rand.random() < pop.lurker_share
    hoarder = rand.random() < pop.hoarder_share
    devotee = rand.random() < pop.formal_devotee_share
    champion = rand.random() < pop.champion_share and not hoarder
    if hoarder:
        person["generosity"] = HOARDER_GENEROSITY
    if devotee:
        person["formal_preference"] = _beta(DEVOTEE_FORMAL_PREFERENCE, t.concentration, rng)
    person["has_tools"] = bool(rand.random() < params.tools.tool_access or champion)
    if champion:
        person["generosity"] = max(person["generosity"], 0.9)
        person["tech_savvy"] = max(person["tech_savvy"], 0.9)
    person.update(
        lurker=bool(lurker and not champion),
        hoarder=bool(hoarder),
        formal_devotee=bool(devotee),
        champion=bool(champion),
    )
    return person


class ReferenceEmployee(mesa.Agent):
    """An employee holding its own state. Ties are keyed by the neighbour's seat.

    Attributes:
        seat: the person's position in the organisation (team, department, manager, ties); a
            newcomer takes a leaver's seat.
        team, department, manager, is_manager: the seat's team and department, the seat of
            its manager (-1 for the head of the organisation) and whether it manages a team.
        knowledge: knowledge per topic (numpy vector; topic 0 is the new idea).
        neighbours: seats tied to this one; ``strength``, ``given`` and ``received`` map each
            to the tie's state seen from this side (``given``: help this person gave them).
        effort: sharing effort (helps given and posts), decaying over about a month.
        used: topics used this step (not forgotten this step).

    """

    def __init__(
        self,
        model: ReferenceModel,
        seat: int,
        person: dict,
        knowledge: np.ndarray,
        neighbours: list[int],
        tie_kind: dict[int, int],
        tie_share: float = 1.0,
    ) -> None:
        """Create an employee on ``seat`` with the traits in ``person``; each tie starts at
        ``tie_share`` of the initial strength of its kind."""
        super().__init__(model)
        self.seat = seat
        self.team = int(model.team[seat])
        self.department = int(model.department[seat])
        self.manager = int(model.manager[seat])
        self.is_manager = bool(model.is_manager[seat])
        for name in PERSON_COLUMNS:
            setattr(self, name, person[name])
        self.knowledge = knowledge
        self.neighbours, self.tie_kind = neighbours, tie_kind
        self.strength = {j: tie_share * float(TIE_STRENGTH[kind]) for j, kind in tie_kind.items()}
        self.given = dict.fromkeys(neighbours, 0.0)
        self.received = dict.fromkeys(neighbours, 0.0)
        self.used: set[int] = set()
        self.score = 0.0

    def colleague(self, seat: int) -> ReferenceEmployee:
        """Whoever sits on ``seat`` now."""
        return self.model.seats[seat]

    # -- 1 field learning -------------------------------------------------------------------
    def learn_in_the_field(self, client_topics) -> float | None:
        """With chance proactivity * exposure, close ``rate * tact`` of the gap on a client
        topic; returns the gain, or None without a lesson."""
        p = self.model.params.field_learning
        if self.model.random.random() >= self.proactivity * p.exposure:
            return None
        topic = 1 + _choose(client_topics, self.model.random)
        current = self.knowledge[topic]
        self.knowledge[topic] = current + p.rate * self.tact * (1.0 - current)
        self.used.add(topic)
        return self.knowledge[topic] - current

    # -- 2 asking for help ------------------------------------------------------------------
    def takes_turn(self) -> bool:
        """Whether this person asks (or, a top-down manager, tells) this step."""
        m, p = self.model, self.model.params.asking
        chance = (
            p.rate
            * self.proactivity
            * self.boldness
            * m.safety
            * (1.0 - p.formal_damping * self.formal_preference)
        )
        if self.rule_style == PUSHY:
            chance *= PUSHY_ASKING
        elif self.rule_style == DEFENSIVE:
            chance *= DEFENSIVE_ASKING
        return m.random.random() < chance

    @property
    def rule_style(self) -> int:
        """The style whose rule this person follows (tactful when style rules are off)."""
        return self.style if self.model.params.asking.style_rules else 0

    def tells_instead(self) -> bool:
        """A top-down manager tells a report rather than asking anyone."""
        return self.rule_style == TOP_DOWN and self.is_manager

    def tell(self, client_weights: np.ndarray):
        """As a top-down manager, pick a report and a client topic one knows (by knowledge times
        demand): ``(self, report, topic, lands)``, or None with no report or no such topic."""
        m = self.model
        topic = _choose(np.cumsum(self.knowledge * client_weights), m.random)
        reports = [j for j in self.neighbours if self.colleague(j).manager == self.seat]
        if not reports:
            return None
        report = self.colleague(reports[int(m.random.random() * len(reports))])
        if topic < 0:
            return None
        lands = (
            self.knowledge[topic] > report.knowledge[topic]
            and m.random.random() < report.tact * self.tact
        )
        return (self, report, topic, lands)

    def ask_for_help(self, step: int):
        """Decide what to ask and whom: ``(asker, helper, topic)``, or None with no one to ask."""
        m, p = self.model, self.model.params.asking
        if not self.neighbours:
            return None
        around = sum(self.colleague(j).knowledge for j in self.neighbours) / len(self.neighbours)
        need = m.demand * (1.0 - self.knowledge) ** 2 * (0.5 + around)
        topic = _choose(np.cumsum(need), m.random)
        if topic < 0:
            return None
        findable_since = step - m.params.metrics.participation_window
        up_only = self.rule_style == TOP_DOWN
        weights = []
        for j in self.neighbours:
            other = self.colleague(j)
            if up_only and j != self.manager:
                weights.append(0.0)
                continue
            findable = other.last_post > findable_since
            visible = other.team == self.team or (self.has_tools and findable)
            seen = 1.0 if visible else p.hidden_expertise
            lead = max(other.knowledge[topic] - self.knowledge[topic], 0.0)
            weights.append(self.strength[j] * (EXPERTISE_FLOOR + seen * lead))
        pick = _choose(list(accumulate(weights)), m.random)
        return None if pick < 0 else (self, self.colleague(self.neighbours[pick]), topic)

    def answer(self, asker: ReferenceEmployee, mean_reputation: float) -> tuple[bool, bool]:
        """As the helper, decide ``(willing, lands)`` for a request from ``asker``."""
        m, p = self.model, self.model.params.asking
        chance = self.generosity * (0.5 + 0.5 * asker.tact)
        if p.reputation_detection:
            record = min(1.0, (self.received[asker.seat] + 1.0) / (self.given[asker.seat] + 1.0))
            standing = min(1.0, asker.reputation / max(mean_reputation, 1e-9))
            chance *= 1.0 - self.reciprocity_sensitivity * (1.0 - standing * record)
        willing = m.random.random() < chance
        if not willing and asker.rule_style == PUSHY:  # a pushy asker insists once
            willing = m.random.random() < chance
        lands_chance = asker.tact if self.rule_style == ABRASIVE else asker.tact * self.tact
        return willing, m.random.random() < lands_chance

    # -- 3 enterprise social network --------------------------------------------------------
    def post(self, novelty: np.ndarray):
        """Maybe post about what one knows that matters and is news: ``(poster, topic, level)``."""
        m, p = self.model, self.model.params.esn
        if not self.has_tools or self.lurker or self.hoarder:
            return None
        with_tools = sum(self.colleague(j).has_tools for j in self.neighbours)
        share = with_tools / len(self.neighbours) if self.neighbours else 0.0
        chance = (
            p.post_rate
            * self.generosity
            * self.tech_savvy
            * m.safety
            * (0.5 + 0.5 * self.boldness)
            * (1.0 - p.audience + p.audience * share)
        )
        if m.random.random() >= chance:
            return None
        topic = _choose(np.cumsum(self.knowledge * novelty), m.random)
        return None if topic < 0 else (self, topic, float(self.knowledge[topic]))

    def posted(self, step: int, topic: int) -> None:
        """Record one's post: findable, counted, one more share of effort, the topic used, a
        better name."""
        self.last_post = step
        self.post_count += 1
        self.effort += 1.0
        self.used.add(topic)
        self.reputation = _pulled(self.reputation, 1, 1.0, self.model.params.asking.reputation_rate)

    def read(self, feed: list, department_feeds: dict, communities: dict) -> tuple[int, float]:
        """Read posts from one's feeds; returns the reads that taught and the knowledge gained."""
        m, p = self.model, self.model.params.esn
        if not self.has_tools:
            return 0, 0.0
        picks = []
        local = department_feeds.get(self.department, [])
        for _ in range(p.reads):  # each from the department's feed or else the whole one
            if m.random.random() < p.feed_locality:
                if local:
                    picks.append(local[int(m.random.random() * len(local))])
            else:
                picks.append(feed[int(m.random.random() * len(feed))])
        fellow = communities.get(self.community, []) if self.community >= 0 else []
        if fellow:
            picks += [
                fellow[int(m.random.random() * len(fellow))] for _ in range(p.community_reads)
            ]
        rate = p.learning_rate * self.absorption * self.tech_savvy
        best: dict[int, float] = {}
        taught = 0
        for poster, topic, level in picks:
            if m.random.random() >= self.proactivity:  # each read is taken with chance proactivity
                continue
            current = self.knowledge[topic]  # unchanged until all reads are done: synchronous
            new = learn(current, level, rate, 0.0, m.codifiable[topic])
            if new > current and poster is not self:
                best[topic] = max(best.get(topic, 0.0), new)
                taught += 1
        gained = 0.0
        for topic, new in best.items():
            gained += new - self.knowledge[topic]
            self.knowledge[topic] = new
            self.used.add(topic)
        return taught, gained

    # -- 4 collaboration --------------------------------------------------------------------
    def propose_collaboration(self):
        """Maybe propose to a neighbour (by tie strength): ``(self, partner)`` if they work."""
        m, p = self.model, self.model.params.collaboration
        if m.random.random() >= p.rate * self.generosity:
            return None
        pick = _choose(list(accumulate(self.strength[j] for j in self.neighbours)), m.random)
        if pick < 0:
            return None
        partner = self.colleague(self.neighbours[pick])
        accept = m.random.random() < partner.generosity * self.tact
        trust = min(self.strength[partner.seat], partner.strength[self.seat])
        return (self, partner) if accept and trust >= p.trust_threshold else None

    # -- 5 formal training ------------------------------------------------------------------
    def attend_training(self, topic: int) -> float | None:
        """Maybe attend the session on ``topic``; returns the lift, or None if absent."""
        m, p = self.model, self.model.params.training
        if m.random.random() >= p.attendance * (0.5 + 0.5 * self.formal_preference):
            return None
        current = self.knowledge[topic]
        rate = p.gain * self.proactivity
        self.knowledge[topic] = learn(current, p.level, rate, rate, m.codifiable[topic])
        self.used.add(topic)
        return self.knowledge[topic] - current

    # -- 6 culture change -------------------------------------------------------------------
    def appraise(self, client_weights: np.ndarray, sharing_cost: float) -> None:
        """Age one's sharing effort by a step; payoff: demand-weighted mean knowledge of client
        topics less the cost of recent sharing (`processes.culture.payoff`)."""
        self.effort *= 1.0 - 1.0 / EFFORT_WINDOW
        self.score = float(self.knowledge @ client_weights) - sharing_cost * self.effort

    def weight(self, role_weight: dict[int, float]) -> float:
        """How much others watch this person: by role, and a champion at least as a champion."""
        own = role_weight[self.role]
        return max(own, role_weight[CHAMPION]) if self.champion else own

    def imitate(self, role_weight: dict[int, float], spread: float):
        """Maybe pick a role model and decide the moves: ``(self, moves, lurker)`` or None."""
        m, rate = self.model, self.model.params.culture_change.rate
        if m.random.random() >= self.adaptability:
            return None
        weights = (self.colleague(j).weight(role_weight) for j in self.neighbours)
        pick = _choose(list(accumulate(weights)), m.random)
        if pick < 0:
            return None
        role_model = self.colleague(self.neighbours[pick])
        # Proportional imitation: the likelier, the more the model does better.
        if not m.random.random() * spread < role_model.score - self.score:
            return None
        moves = {
            name: rate * (getattr(role_model, name) - getattr(self, name)) for name in IMITATED
        }
        if self.hoarder:
            moves["generosity"] = 0.0
        switch = self.lurker != role_model.lurker and m.random.random() < rate
        switch = switch and not (role_model.lurker and self.champion)
        return (self, moves, role_model.lurker if switch else self.lurker)

    # -- 7 forgetting and turnover ----------------------------------------------------------
    def forget(self, rate: float, tie_decay: float) -> None:
        """Unused knowledge decays by ``rate``; every tie fades ``tie_decay`` toward TIE_FLOOR."""
        kept = {topic: self.knowledge[topic] for topic in self.used}
        self.knowledge *= 1.0 - rate
        for topic, level in kept.items():
            self.knowledge[topic] = level
        if tie_decay:
            for j, strength in self.strength.items():
                self.strength[j] = strength - tie_decay * (strength - TIE_FLOOR)

    def leaves(self) -> bool:
        """Whether this person leaves this step."""
        return self.model.random.random() < self.model.params.turnover.rate

    def make_obsolete(self, topics: list[int], keep: float) -> None:
        """Client needs shifted: keep only ``keep`` of one's knowledge of ``topics``."""
        for topic in topics:
            self.knowledge[topic] *= keep


class ReferenceModel(mesa.Model):
    """The social-learning model written per agent, for benchmarks and cross-checks.

    Args:
        params: the parameters (`simulation.parameters.Parameters`); None for the defaults.
        rng: seed or generator, Mesa's convention. The same seed gives the same organisation
            and initial workforce as ``SocialLearningModel(params, rng=seed)``.
        **overrides: parameter overrides, as for `SocialLearningModel`.

    Attributes:
        seats: the employee on each seat (the vectorised model's row).
        demand, codifiable: client demand and the codifiable share of each topic.
        metrics: the metrics of the current step (the vectorised model's scalar metrics).
        datacollector: a Mesa `DataCollector` with every metric as a model reporter.

    Raises:
        ValueError: the parameters name an org chart (``people_file``), which the reference
            does not read.

    """

    def __init__(
        self, params: Parameters | None = None, *, rng: Any = None, **overrides: Any
    ) -> None:
        """Build the same organisation and workforce as the vectorised model, as agents."""
        super().__init__(rng=rng)
        self.params = (params or Parameters()).sections().with_overrides(**overrides)
        if self.params.organisation.people_file:
            raise ValueError(
                "The 'people_file' parameter of ReferenceModel must be None: the per-agent "
                "reference builds generated organisations only. Got "
                f"{self.params.organisation.people_file!r} instead."
            )
        network = build_network(self.params.organisation, self.rng)
        state = initial_workforce(self.params, network, self.rng)
        self.team, self.department = network.team, network.department
        self.manager, self.is_manager = network.manager, network.is_manager
        self.demand = state.demand.copy()
        self.codifiable = state.codifiable.copy()
        self.safety = 0.5 + 0.5 * self.params.culture.psychological_safety
        indptr, indices = network.adjacency.indptr, network.adjacency.indices
        self.seats: list[ReferenceEmployee] = []
        for i in range(network.n):
            edges = range(indptr[i], indptr[i + 1])
            person = {name: getattr(state, name)[i].item() for name in PERSON_COLUMNS}
            neighbours = [int(indices[e]) for e in edges]
            kinds = {int(indices[e]): int(network.tie_kind[e]) for e in edges}
            self.seats.append(
                ReferenceEmployee(self, i, person, state.knowledge[i].copy(), neighbours, kinds)
            )
        self._stages = {
            "field_learning": self._learn_in_the_field,
            "asking": self._ask_for_help,
            "esn": self._post_and_read,
            "collaboration": self._collaborate,
            "training": self._train,
            "culture_change": self._change_culture,
            "forgetting": self._forget,
            "turnover": self._turnover,
        }
        assert list(self._stages) == [s for s, _ in PIPELINE], "stages out of PIPELINE order"
        self.counts: dict[str, Any] = {}
        self.metrics = self._measure({}, 0)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.metrics[name]) for name in self.metrics}
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        """One step: client drift, then every enabled process in PIPELINE order, then metrics."""
        t = self.steps
        self._drift_client_context()
        self.agents.do(lambda agent: agent.used.clear())
        counts: dict[str, Any] = {}
        for section, stage in self._stages.items():
            if getattr(self.params, section).enabled:
                counts.update(stage(t))
        self.counts = counts
        self.metrics = self._measure(counts, t)
        self.datacollector.collect(self)

    def run(self, steps: int) -> None:
        """Run ``steps`` steps."""
        if int(steps) < 0:
            raise ValueError(f"The 'steps' value must be an integer >= 0. Got {steps} instead.")
        for _ in range(int(steps)):
            self.step()

    # -- the processes ----------------------------------------------------------------------
    def _drift_client_context(self) -> None:
        client = self.params.client
        if client.turbulence <= 0:
            return
        draw = self.random.random
        shifted = [t for t in range(1, self.demand.size) if draw() < client.turbulence]
        for topic in shifted:
            self.demand[topic] = self.random.uniform(0.2, 1.0)
        if shifted:
            self.agents.do("make_obsolete", shifted, 1.0 - client.obsolescence)

    def _client_weights(self) -> np.ndarray:
        """Demand of the client topics (the new idea, topic 0, weighs nothing)."""
        client = self.demand.copy()
        client[0] = 0.0
        return client

    def _learn_in_the_field(self, step: int) -> dict:
        client_topics = np.cumsum(self.demand[1:])
        gains = [g for g in self.agents.map("learn_in_the_field", client_topics) if g is not None]
        return {"field": len(gains), "gain_field": float(sum(gains))}

    def _ask_for_help(self, step: int) -> dict:
        p = self.params.asking
        turns = self.agents.select(lambda agent: agent.takes_turn())
        counts = {"asks": 0, "helps": 0, "direct": 0, "refusals": 0, "tells": 0, "gain_direct": 0.0}
        # Top-down managers tell first; as in the vectorised model, their lessons are in place
        # when the askers choose.
        self._tell(turns.select(lambda agent: agent.tells_instead()), counts)
        askers = turns.select(lambda agent: not agent.tells_instead())
        requests = [r for r in askers.map("ask_for_help", step) if r is not None]
        # Decide every answer before anything changes (synchronous).
        mean_reputation = float(np.mean([agent.reputation for agent in self.seats]))
        answers = [helper.answer(asker, mean_reputation) for asker, helper, _ in requests]
        counts["asks"] = len(requests)
        lessons, good, bad, reputation = [], Counter(), Counter(), defaultdict(list)
        for (asker, helper, topic), (willing, lands) in zip(requests, answers, strict=True):
            both_sides = [(asker, helper.seat), (helper, asker.seat)]
            if asker.rule_style == PUSHY:  # insisting strains the tie, helped or not
                bad.update(both_sides)
            mine, theirs = asker.knowledge[topic], helper.knowledge[topic]
            if theirs <= mine:
                continue
            reputation[helper].append(1.0 if willing else 0.0)
            if not willing:
                counts["refusals"] += 1
                bad.update(both_sides)
                continue
            counts["helps"] += 1
            helper.effort += 1.0
            if not lands:
                bad.update(both_sides)
                continue
            counts["direct"] += 1
            rate = asker.absorption * (DEFENSIVE_ABSORPTION if asker.rule_style == DEFENSIVE else 1.0)
            tacit_rate = rate * asker.strength[helper.seat]
            new = learn(mine, theirs, rate, tacit_rate, self.codifiable[topic])
            lessons.append((asker, helper, topic, new))
            (bad if helper.rule_style == ABRASIVE else good).update(both_sides)
        for asker, helper, topic, level in lessons:
            counts["gain_direct"] += level - asker.knowledge[topic]
            asker.knowledge[topic] = level
            asker.used.add(topic)
            helper.used.add(topic)
            helper.given[asker.seat] += 1.0
            asker.received[helper.seat] += 1.0
        _pull_ties(good, 1.0, p.strengthen)
        _pull_ties(bad, 0.0, p.weaken)
        for helper, targets in reputation.items():
            helper.reputation = _pulled(
                helper.reputation, len(targets), sum(targets) / len(targets), p.reputation_rate
            )
        return counts

    def _tell(self, tellers, counts: dict) -> None:
        """Top-down managers tell a report, unasked, about a client topic they know."""
        tells = [t for t in tellers.map("tell", self._client_weights()) if t is not None]
        counts["tells"] = len(tells)
        landed = [(teller, report, topic) for teller, report, topic, lands in tells if lands]
        lessons = []
        for teller, report, topic in landed:  # every lesson from the state before any lands
            rate = report.absorption
            if report.rule_style == DEFENSIVE:  # a defensive report takes in half
                rate *= DEFENSIVE_ABSORPTION
            mine, theirs = report.knowledge[topic], teller.knowledge[topic]
            tacit_rate = rate * teller.strength[report.seat]
            level = learn(mine, theirs, rate, tacit_rate, self.codifiable[topic])
            lessons.append((report, topic, level))
        for (teller, report, topic), (_, _, level) in zip(landed, lessons, strict=True):
            counts["gain_direct"] += level - report.knowledge[topic]
            report.knowledge[topic] = level  # a report has one manager: one lesson each
            report.used.add(topic)
            teller.used.add(topic)
        counts["direct"] += len(landed)
        ties = Counter()
        for teller, report, _ in landed:
            ties.update([(teller, report.seat), (report, teller.seat)])
        _pull_ties(ties, 1.0, self.params.asking.strengthen)

    def _post_and_read(self, step: int) -> dict:
        p = self.params.esn
        novelty = self.demand * (1.0 - self._knowledge_matrix().mean(axis=0))
        feed = [post for post in self.agents.map("post", novelty) if post is not None]
        if not feed:
            return {"posts": 0, "esn": 0, "gain_esn": 0.0}
        upkeep = Counter()
        for poster, topic, _ in feed:
            poster.posted(step, topic)
            for j in poster.neighbours:  # ambient awareness keeps ties to readers warm
                if self.seats[j].has_tools:
                    upkeep.update([(poster, j), (self.seats[j], poster.seat)])
        if p.tie_upkeep > 0:
            _pull_ties(upkeep, 1.0, p.tie_upkeep)
        department_feeds: dict[int, list] = defaultdict(list)
        communities: dict[int, list] = defaultdict(list)
        for post in feed:
            department_feeds[post[0].department].append(post)
            if p.community_reads and post[0].community >= 0:
                communities[post[0].community].append(post)
        reads = self.agents.map("read", feed, department_feeds, communities)
        return {
            "posts": len(feed),
            "esn": sum(taught for taught, _ in reads),
            "gain_esn": float(sum(gained for _, gained in reads)),
        }

    def _collaborate(self, step: int) -> dict:
        p = self.params.collaboration
        pairs = [pair for pair in self.agents.map("propose_collaboration") if pair is not None]
        client = np.cumsum(self.demand)
        outcomes = []
        for a, b in pairs:  # every outcome from the knowledge before any is applied
            topic = _choose(client, self.random)
            ka, kb = a.knowledge[topic], b.knowledge[topic]
            c = self.codifiable[topic]
            rate_a, rate_b = p.learning * a.absorption, p.learning * b.absorption
            new_a = learn(ka, kb, rate_a, rate_a, c)
            new_b = learn(kb, ka, rate_b, rate_b, c)
            if self.random.random() < p.innovation_chance and topic > 0:
                new_a = absorb(new_a, 1.0, p.innovation_gain)
                new_b = absorb(new_b, 1.0, p.innovation_gain)
            outcomes += [(a, topic, new_a), (b, topic, new_b)]
        before = {(agent, topic): agent.knowledge[topic] for agent, topic, _ in outcomes}
        for agent, topic, new in outcomes:  # several pairs on one cell: keep the best
            agent.knowledge[topic] = max(agent.knowledge[topic], min(new, 1.0))
            agent.used.add(topic)
        gained = sum(agent.knowledge[topic] - level for (agent, topic), level in before.items())
        ties = Counter((a, b.seat) for a, b in pairs) + Counter((b, a.seat) for a, b in pairs)
        _pull_ties(ties, 1.0, self.params.asking.strengthen)
        return {"collaboration": len(pairs), "gain_collaboration": float(gained)}

    def _train(self, step: int) -> dict:
        p = self.params.training
        if step % p.interval != p.offset % p.interval:
            return {"training": 0, "gain_training": 0.0}
        k = self._knowledge_matrix()
        gap = self.demand * (1.0 - k.mean(axis=0))
        # The new idea enters the curriculum once enough staff know it.
        known = sum(agent.knowledge[0] >= self.params.knowledge.threshold for agent in self.seats)
        if known / len(self.seats) < p.curriculum_adoption:
            gap[0] = -np.inf
        topic = int(np.argmax(gap))
        lifts = [lift for lift in self.agents.map("attend_training", topic) if lift is not None]
        return {"training": sum(lift > 0 for lift in lifts), "gain_training": float(sum(lifts))}

    def _change_culture(self, step: int) -> dict:
        p = self.params.culture_change
        client = self._client_weights()
        self.agents.do("appraise", client / client.sum(), p.sharing_cost)
        spread = max(float(np.std([agent.score for agent in self.seats])), 1e-12)
        role_weight = {MEMBER: 1.0, MANAGER: p.manager_weight, CHAMPION: p.champion_weight}
        moves = [m for m in self.agents.map("imitate", role_weight, spread) if m is not None]
        for agent, deltas, lurker in moves:  # decided on the values before any move
            for name, delta in deltas.items():
                setattr(agent, name, getattr(agent, name) + delta)
            agent.lurker = lurker
        return {"imitations": len(moves)}

    def _forget(self, step: int) -> dict:
        p = self.params.forgetting
        self.agents.do("forget", p.rate, p.tie_decay)
        return {}

    def _turnover(self, step: int) -> dict:
        leavers = [agent for agent in list(self.agents) if agent.leaves()]
        for leaver in leavers:
            self._hire(leaver)
        return {"leavers": len(leavers)}

    def _hire(self, leaver: ReferenceEmployee) -> None:
        """Seat a newcomer in the leaver's place; both sides of the seat's ties start over, at
        NEWCOMER_TIES of the initial strength of their kind."""
        seat, params = leaver.seat, self.params
        person = _newcomer(params, self.random, self.rng)
        person.update(
            role=MANAGER if self.is_manager[seat] else (CHAMPION if person["champion"] else MEMBER),
            reputation=INITIAL_REPUTATION,
            community=-1,
            last_post=NEVER,
            post_count=0,
            effort=0.0,
        )
        knowledge = self.rng.random(self.demand.size) * params.knowledge.newcomer_max
        knowledge[0] = 0.0
        leaver.remove()
        newcomer = ReferenceEmployee(
            self, seat, person, knowledge, leaver.neighbours, leaver.tie_kind, NEWCOMER_TIES
        )
        self.seats[seat] = newcomer
        for j in newcomer.neighbours:
            other = self.seats[j]
            other.strength[seat] = newcomer.strength[j]
            other.given[seat] = other.received[seat] = 0.0

    # -- measures ---------------------------------------------------------------------------
    def _knowledge_matrix(self) -> np.ndarray:
        return np.array([agent.knowledge for agent in self.seats])

    def _measure(self, counts: dict, step: int) -> dict:
        """Measure the vectorised model's scalar metrics (`simulation.metrics.measure`)."""
        k = self._knowledge_matrix()
        threshold = self.params.knowledge.threshold
        per_person = k.mean(axis=1)
        overall = k.mean(axis=0)
        demand = self.demand[1:]
        window = self.params.metrics.participation_window
        members = [a for a in self.seats if a.has_tools]
        hoarder = np.array([a.hoarder for a in self.seats], dtype=bool)
        reputation = np.array([a.reputation for a in self.seats])
        strengths, helped_any, both = [], 0, 0
        for agent in self.seats:
            for j in agent.neighbours:
                strengths.append(agent.strength[j])
                gave, gave_back = agent.given[j] > 0, self.seats[j].given[agent.seat] > 0
                helped_any += gave or gave_back
                both += gave and gave_back

        def mean(values):
            return float(values.mean()) if values.size else np.nan

        out = {
            "mean_knowledge": float(per_person.mean()),
            "coverage": float(np.count_nonzero(k >= threshold) / k.size),
            "idea_adoption": float((k[:, 0] >= threshold).mean()),
            "gini": gini(per_person),
            "silo_index": silo_index(k, self.department),
            "alignment": float(overall[1:] @ demand / demand.sum()),
            "participation": (
                sum(a.last_post > step - window for a in members) / len(members) if members else 0.0
            ),
            "reciprocity": both / helped_any if helped_any else 0.0,
            "reputation_hoarders": mean(reputation[hoarder]),
            "reputation_others": mean(reputation[~hoarder]),
            "knowledge_hoarders": mean(per_person[hoarder]),
            "knowledge_others": mean(per_person[~hoarder]),
            "mean_tie_strength": float(np.mean(strengths)) if strengths else 0.0,
            "mean_generosity": float(np.mean([a.generosity for a in self.seats])),
            "lurking": float(np.mean([a.lurker for a in self.seats])),
        }
        for name in (
            "imitations",
            "asks",
            "helps",
            "refusals",
            "posts",
            "tells",
            "field",
            "direct",
            "esn",
            "collaboration",
            "training",
        ):
            out[name] = int(counts.get(name, 0))
        for name in GAINS:
            out[name] = float(counts.get(name, 0.0))
        return out

    def as_arrays(self) -> dict[str, np.ndarray]:
        """Return the state as the vectorised model's columns (`simulation.state.Workforce`).

        Per-tie arrays follow the network's edge order (seat by seat, neighbours in order).
        """
        out = {name: np.array([getattr(a, name) for a in self.seats]) for name in PERSON_COLUMNS}
        out["knowledge"] = self._knowledge_matrix()
        for name in ("strength", "given", "received"):
            out[name] = np.array([getattr(a, name)[j] for a in self.seats for j in a.neighbours])
        out["demand"] = self.demand.copy()
        out["codifiable"] = self.codifiable.copy()
        return out
