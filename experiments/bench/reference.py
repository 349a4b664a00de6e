"""The social-learning rules written as a plain per-agent Mesa model: the benchmark's baseline.

`ReferenceModel` implements the same processes as `simulation.model.SocialLearningModel`, in
the same order (`simulation.processes.PIPELINE`), with the same parameters and the same
initial state, but the idiomatic Mesa way: every `ReferenceEmployee` holds its own traits,
knowledge (a small numpy vector over the K topics) and ties (dicts keyed by the neighbour's
seat) as Python attributes, and each process is a loop over agents calling agent methods
(``self.agents.map(...)`` / ``self.agents.do(...)``). It exists to measure what the vectorised
model gains (`experiments.bench`), and the tests show that the two are equivalent within
stated margins (`tests/experiments/test_bench_reference.py`).

Synchronous updates, as in the vectorised processes: within a process every decision reads
the state as it was when the process began. Each process therefore runs in phases: agents
decide (reading only), then the decisions are applied. Pulls of reputation and tie strength
compound per event as `simulation.processes.rules.pull_toward` does, and several lessons on
one cell keep the best outcome.

The order of random draws differs from the vectorised model, so the two agree in
distribution, not run by run. Interventions are not supported: the model takes parameters.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from itertools import accumulate
from typing import Any

import mesa
import numpy as np

from simulation.metrics import gini, silo_index
from simulation.network import build_network
from simulation.parameters import STYLES, Parameters
from simulation.processes import PIPELINE
from simulation.processes.asking import EXPERTISE_FLOOR
from simulation.processes.rules import absorb
from simulation.state import (
    CHAMPION,
    DEVOTEE_FORMAL_PREFERENCE,
    HOARDER_GENEROSITY,
    INITIAL_REPUTATION,
    MANAGER,
    MEMBER,
    STYLE_TRAITS,
    TIE_STRENGTH,
    TRAIT_COLUMNS,
    initial_workforce,
)

__all__ = ["ReferenceModel", "ReferenceEmployee"]

NEVER = np.iinfo(np.int64).min // 2
IMITATED = ("generosity", "proactivity", "formal_preference")
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
)


def _choose(cumulative, rng: np.random.Generator) -> int:
    """Draw an index in proportion to the weights whose running sum is ``cumulative``.

    Returns -1 when the weights sum to zero (as the model's `simulation.processes.kernels.pick_columns`).
    """
    if len(cumulative) == 0 or cumulative[-1] <= 0:
        return -1
    return min(bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _pulled(value: float, events: int, target: float, rate: float) -> float:
    """``value`` after ``events`` compounding pulls toward ``target`` (mean target) by ``rate``."""
    return value + (1.0 - (1.0 - rate) ** events) * (target - value)


def _beta(mean: float, concentration: float, rng: np.random.Generator) -> float:
    """One Beta draw with the given mean (exactly 0 or 1 for a mean of 0 or 1)."""
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    return float(rng.beta(mean * concentration, (1.0 - mean) * concentration))


def _newcomer(params: Parameters, rng: np.random.Generator) -> dict[str, Any]:
    """Draw the traits and archetypes of one newcomer as `simulation.state.hire` does.

    Each archetype and style is an independent chance equal to its share.
    """
    t, pop = params.traits, params.population
    person: dict[str, Any] = {
        name: _beta(getattr(t, name), t.concentration, rng) for name in TRAIT_COLUMNS
    }
    cum = list(accumulate(getattr(pop, f"{s}_share") for s in STYLES[1:]))
    style = bisect_right(cum, rng.random()) + 1
    person["style"] = style if style <= len(cum) else 0
    if person["style"]:
        tact, boldness = STYLE_TRAITS[STYLES[person["style"]]]
        person["tact"] = _beta(tact, t.concentration, rng)
        person["boldness"] = _beta(boldness, t.concentration, rng)
    lurker = rng.random() < pop.lurker_share
    hoarder = rng.random() < pop.hoarder_share
    devotee = rng.random() < pop.formal_devotee_share
    champion = rng.random() < pop.champion_share and not hoarder
    if hoarder:
        person["generosity"] = HOARDER_GENEROSITY
    if devotee:
        person["formal_preference"] = _beta(DEVOTEE_FORMAL_PREFERENCE, t.concentration, rng)
    person["has_tools"] = bool(rng.random() < params.tools.tool_access or champion)
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
        seat: the person's position in the organisation (team, department, ties); a newcomer
            takes a leaver's seat.
        knowledge: knowledge per topic (numpy vector; topic 0 is the new idea).
        neighbours: seats tied to this one; ``strength``, ``given`` and ``received`` map each
            to the tie's state seen from this side (``given``: help this person gave them).
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
    ) -> None:
        """Create an employee on ``seat`` with the traits in ``person``."""
        super().__init__(model)
        self.seat = seat
        for name in PERSON_COLUMNS:
            setattr(self, name, person[name])
        self.knowledge = knowledge
        self.neighbours, self.tie_kind = neighbours, tie_kind
        self.strength = {j: float(TIE_STRENGTH[kind]) for j, kind in tie_kind.items()}
        self.given = dict.fromkeys(neighbours, 0.0)
        self.received = dict.fromkeys(neighbours, 0.0)
        self.used: set[int] = set()
        self.score = 0.0

    def colleague(self, seat: int) -> ReferenceEmployee:
        """Whoever sits on ``seat`` now."""
        return self.model.seats[seat]

    # -- 1 field learning -------------------------------------------------------------------
    def learn_in_the_field(self, client_topics) -> bool:
        """With chance proactivity * exposure, close ``rate`` of the gap on a client topic."""
        p = self.model.params.field_learning
        if self.model.rng.random() >= self.proactivity * p.exposure:
            return False
        topic = 1 + _choose(client_topics, self.model.rng)
        self.knowledge[topic] += p.rate * (1.0 - self.knowledge[topic])
        self.used.add(topic)
        return True

    # -- 2 asking for help ------------------------------------------------------------------
    def ask_for_help(self):
        """Decide whether, what and whom to ask: ``(asker, helper, topic)`` or None."""
        m, p = self.model, self.model.params.asking
        chance = (
            p.rate
            * self.proactivity
            * self.boldness
            * m.safety
            * (1.0 - p.formal_damping * self.formal_preference)
        )
        if m.rng.random() >= chance or not self.neighbours:
            return None
        around = sum(self.colleague(j).knowledge for j in self.neighbours) / len(self.neighbours)
        topic = _choose(np.cumsum(m.demand * (1.0 - self.knowledge) * around), m.rng)
        if topic < 0:
            return None
        weights = [
            self.strength[j] * (EXPERTISE_FLOOR + self.colleague(j).knowledge[topic])
            for j in self.neighbours
        ]
        pick = _choose(list(accumulate(weights)), m.rng)
        return None if pick < 0 else (self, self.colleague(self.neighbours[pick]), topic)

    def answer(self, asker: ReferenceEmployee) -> tuple[bool, bool]:
        """As the helper, decide ``(willing, pleasant)`` for a request from ``asker``."""
        m, p = self.model, self.model.params.asking
        chance = self.generosity * (0.5 + 0.5 * asker.tact)
        if p.reputation_detection:
            record = min(1.0, (self.received[asker.seat] + 1.0) / (self.given[asker.seat] + 1.0))
            trust = 0.5 * asker.reputation + 0.5 * record
            chance *= 1.0 - self.reciprocity_sensitivity * (1.0 - trust)
        return m.rng.random() < chance, m.rng.random() < asker.tact * self.tact

    # -- 3 enterprise social network --------------------------------------------------------
    def post(self, step: int, novelty: np.ndarray):
        """Maybe post about what one knows that matters and is news: ``(poster, topic, level)``."""
        m = self.model
        chance = m.params.esn.post_rate * self.generosity * self.tech_savvy * m.safety
        if not self.has_tools or self.lurker or self.hoarder or m.rng.random() >= chance:
            return None
        topic = _choose(np.cumsum(self.knowledge * novelty), m.rng)
        if topic < 0:
            return None
        self.last_post = step
        self.used.add(topic)
        self.reputation = _pulled(self.reputation, 1, 1.0, m.params.asking.reputation_rate)
        return (self, topic, float(self.knowledge[topic]))

    def read(self, feed: list, communities: dict[int, list]) -> int:
        """Read posts from the feed (and one's community); returns the reads that taught."""
        m, p = self.model, self.model.params.esn
        if not self.has_tools:
            return 0
        picks = [feed[i] for i in m.rng.integers(0, len(feed), size=p.reads)] if p.reads else []
        fellow = communities.get(self.community, []) if self.community >= 0 else []
        if p.community_reads and fellow:
            picks += [fellow[i] for i in m.rng.integers(0, len(fellow), size=p.community_reads)]
        rate = p.learning_rate * self.absorption * self.tech_savvy
        best: dict[int, float] = {}
        taught = 0
        for poster, topic, level in picks:
            current = self.knowledge[topic]  # unchanged until all reads are done: synchronous
            new = absorb(current, level, rate)
            if new > current and poster is not self:
                best[topic] = max(best.get(topic, 0.0), new)
                taught += 1
        for topic, new in best.items():
            self.knowledge[topic] = new
            self.used.add(topic)
        return taught

    # -- 4 collaboration --------------------------------------------------------------------
    def propose_collaboration(self):
        """Maybe propose to a neighbour (by tie strength): ``(self, partner)`` if they work."""
        m, p = self.model, self.model.params.collaboration
        if m.rng.random() >= p.rate * self.generosity:
            return None
        pick = _choose(list(accumulate(self.strength[j] for j in self.neighbours)), m.rng)
        if pick < 0:
            return None
        partner = self.colleague(self.neighbours[pick])
        accept = m.rng.random() < partner.generosity
        trust = min(self.strength[partner.seat], partner.strength[self.seat])
        return (self, partner) if accept and trust >= p.trust_threshold else None

    # -- 5 formal training ------------------------------------------------------------------
    def attend_training(self, topic: int) -> bool:
        """Maybe attend the session on ``topic``; returns whether knowledge rose."""
        p = self.model.params.training
        if self.model.rng.random() >= p.attendance * (0.5 + 0.5 * self.formal_preference):
            return False
        current = self.knowledge[topic]
        self.knowledge[topic] = absorb(current, p.level, p.gain)
        self.used.add(topic)
        return self.knowledge[topic] > current

    # -- 6 culture change -------------------------------------------------------------------
    def appraise(self, client_weights: np.ndarray) -> None:
        """Payoff: demand-weighted mean knowledge of client topics (`processes.culture.payoff`)."""
        self.score = float(self.knowledge @ client_weights)

    def weight(self, role_weight: dict[int, float]) -> float:
        """How much others watch this person: by role, and a champion at least as a champion."""
        own = role_weight[self.role]
        return max(own, role_weight[CHAMPION]) if self.champion else own

    def imitate(self, role_weight: dict[int, float]):
        """Maybe pick a role model and decide the moves: ``(self, moves, lurker)`` or None."""
        m, rate = self.model, self.model.params.culture_change.rate
        if m.rng.random() >= self.adaptability:
            return None
        weights = (self.colleague(j).weight(role_weight) for j in self.neighbours)
        pick = _choose(list(accumulate(weights)), m.rng)
        if pick < 0:
            return None
        role_model = self.colleague(self.neighbours[pick])
        if role_model.score <= self.score:
            return None
        moves = {
            name: rate * (getattr(role_model, name) - getattr(self, name)) for name in IMITATED
        }
        if self.hoarder:
            moves["generosity"] = 0.0
        switch = self.lurker != role_model.lurker and m.rng.random() < rate
        switch = switch and not (role_model.lurker and self.champion)
        return (self, moves, role_model.lurker if switch else self.lurker)

    # -- 7 forgetting and turnover ----------------------------------------------------------
    def forget(self, rate: float) -> None:
        """Unused knowledge decays by ``rate``."""
        kept = {topic: self.knowledge[topic] for topic in self.used}
        self.knowledge *= 1.0 - rate
        for topic, level in kept.items():
            self.knowledge[topic] = level

    def leaves(self) -> bool:
        """Whether this person leaves this step."""
        return self.model.rng.random() < self.model.params.turnover.rate

    def make_obsolete(self, topics: list[int], keep: float) -> None:
        """Client needs shifted: keep only ``keep`` of one's knowledge of ``topics``."""
        for topic in topics:
            self.knowledge[topic] *= keep


class ReferenceModel(mesa.Model):
    """The social-learning model written per agent, for benchmarks and cross-checks.

    Args:
        params: the parameters (`simulation.parameters.Parameters`); None for the defaults.
        rng: seed or generator, Mesa's convention. The same seed gives the same organisation
            and initial workforce as ``SocialLearningModel(scenario=params, rng=seed)``.
        **overrides: parameter overrides, as for `SocialLearningModel`.

    Attributes:
        seats: the employee on each seat (the vectorised model's row).
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
        self.department, self.is_manager = network.department, network.is_manager
        self.demand = state.demand.copy()
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
        self.counts: dict[str, int] = {}
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
        counts: dict[str, int] = {}
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
        shifted = [t for t in range(1, self.demand.size) if self.rng.random() < client.turbulence]
        for topic in shifted:
            self.demand[topic] = self.rng.uniform(0.2, 1.0)
        if shifted:
            self.agents.do("make_obsolete", shifted, 1.0 - client.obsolescence)

    def _learn_in_the_field(self, step: int) -> dict:
        client_topics = np.cumsum(self.demand[1:])
        return {"field": sum(self.agents.map("learn_in_the_field", client_topics))}

    def _ask_for_help(self, step: int) -> dict:
        p = self.params.asking
        requests = [r for r in self.agents.map("ask_for_help") if r is not None]
        # Decide every answer before anything changes (synchronous).
        answers = [helper.answer(asker) for asker, helper, _ in requests]
        counts = {"asks": len(requests), "helps": 0, "direct": 0, "refusals": 0}
        lessons, good, bad, reputation = [], Counter(), Counter(), defaultdict(list)
        for (asker, helper, topic), (willing, pleasant) in zip(requests, answers, strict=True):
            mine, theirs = asker.knowledge[topic], helper.knowledge[topic]
            if theirs <= mine:
                continue
            reputation[helper].append(1.0 if willing else 0.0)
            counts["helps" if willing else "refusals"] += 1
            if willing and pleasant:
                counts["direct"] += 1
                lessons.append((asker, helper, topic, absorb(mine, theirs, asker.absorption)))
                good.update([(asker, helper.seat), (helper, asker.seat)])
            else:
                bad.update([(asker, helper.seat), (helper, asker.seat)])
        for asker, helper, topic, level in lessons:
            asker.knowledge[topic] = level
            asker.used.add(topic)
            helper.used.add(topic)
            helper.given[asker.seat] += 1.0
            asker.received[helper.seat] += 1.0
        for (agent, seat), n in good.items():
            agent.strength[seat] = _pulled(agent.strength[seat], n, 1.0, p.strengthen)
        for (agent, seat), n in bad.items():
            agent.strength[seat] = _pulled(agent.strength[seat], n, 0.0, p.weaken)
        for helper, targets in reputation.items():
            helper.reputation = _pulled(
                helper.reputation, len(targets), sum(targets) / len(targets), p.reputation_rate
            )
        return counts

    def _post_and_read(self, step: int) -> dict:
        novelty = self.demand * (1.0 - self._knowledge_matrix().mean(axis=0))
        feed = [post for post in self.agents.map("post", step, novelty) if post is not None]
        if not feed:
            return {"posts": 0, "esn": 0}
        communities: dict[int, list] = defaultdict(list)
        for post in feed:
            if post[0].community >= 0:
                communities[post[0].community].append(post)
        return {"posts": len(feed), "esn": sum(self.agents.map("read", feed, communities))}

    def _collaborate(self, step: int) -> dict:
        p = self.params.collaboration
        pairs = [pair for pair in self.agents.map("propose_collaboration") if pair is not None]
        client = np.cumsum(self.demand)
        outcomes = []
        for a, b in pairs:  # every outcome from the knowledge before any is applied
            topic = _choose(client, self.rng)
            ka, kb = a.knowledge[topic], b.knowledge[topic]
            new_a = absorb(ka, kb, p.learning * a.absorption)
            new_b = absorb(kb, ka, p.learning * b.absorption)
            if self.rng.random() < p.innovation_chance:
                new_a = absorb(new_a, 1.0, p.innovation_gain)
                new_b = absorb(new_b, 1.0, p.innovation_gain)
            outcomes += [(a, topic, new_a), (b, topic, new_b)]
        for agent, topic, new in outcomes:  # several pairs on one cell: keep the best
            agent.knowledge[topic] = max(agent.knowledge[topic], min(new, 1.0))
            agent.used.add(topic)
        ties = Counter((a, b.seat) for a, b in pairs) + Counter((b, a.seat) for a, b in pairs)
        strengthen = self.params.asking.strengthen
        for (agent, seat), n in ties.items():
            agent.strength[seat] = _pulled(agent.strength[seat], n, 1.0, strengthen)
        return {"collaboration": len(pairs)}

    def _train(self, step: int) -> dict:
        p = self.params.training
        if step % p.interval != p.offset % p.interval:
            return {"training": 0}
        gap = self.demand[1:] * (1.0 - self._knowledge_matrix()[:, 1:].mean(axis=0))
        topic = 1 + int(np.argmax(gap))
        return {"training": sum(self.agents.map("attend_training", topic))}

    def _change_culture(self, step: int) -> dict:
        p = self.params.culture_change
        client = self.demand.copy()
        client[0] = 0.0
        self.agents.do("appraise", client / client.sum())
        role_weight = {MEMBER: 1.0, MANAGER: p.manager_weight, CHAMPION: p.champion_weight}
        moves = [move for move in self.agents.map("imitate", role_weight) if move is not None]
        for agent, deltas, lurker in moves:  # decided on the values before any move
            for name, delta in deltas.items():
                setattr(agent, name, getattr(agent, name) + delta)
            agent.lurker = lurker
        return {"imitations": len(moves)}

    def _forget(self, step: int) -> dict:
        self.agents.do("forget", self.params.forgetting.rate)
        return {}

    def _turnover(self, step: int) -> dict:
        leavers = [agent for agent in list(self.agents) if agent.leaves()]
        for leaver in leavers:
            self._hire(leaver)
        return {"leavers": len(leavers)}

    def _hire(self, leaver: ReferenceEmployee) -> None:
        """Seat a newcomer in the leaver's place; both sides of the seat's ties are reset."""
        seat, params = leaver.seat, self.params
        person = _newcomer(params, self.rng)
        person.update(
            role=MANAGER if self.is_manager[seat] else (CHAMPION if person["champion"] else MEMBER),
            reputation=INITIAL_REPUTATION,
            community=-1,
            last_post=NEVER,
        )
        knowledge = self.rng.random(self.demand.size) * params.knowledge.newcomer_max
        knowledge[0] = 0.0
        leaver.remove()
        newcomer = ReferenceEmployee(
            self, seat, person, knowledge, leaver.neighbours, leaver.tie_kind
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
        hoarders = [a.reputation for a in self.seats if a.hoarder]
        others = [a.reputation for a in self.seats if not a.hoarder]
        strengths, helped_any, both = [], 0, 0
        for agent in self.seats:
            for j in agent.neighbours:
                strengths.append(agent.strength[j])
                gave, gave_back = agent.given[j] > 0, self.seats[j].given[agent.seat] > 0
                helped_any += gave or gave_back
                both += gave and gave_back
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
            "reputation_hoarders": float(np.mean(hoarders)) if hoarders else np.nan,
            "reputation_others": float(np.mean(others)) if others else np.nan,
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
            "field",
            "direct",
            "esn",
            "collaboration",
            "training",
        ):
            out[name] = int(counts.get(name, 0))
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
        return out
