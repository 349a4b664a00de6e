"""The workforce's state: one numpy column per trait, a knowledge matrix and per-tie arrays.

Row ``i`` of every column is employee ``i``; an `agents.Employee` is a view on that row. The
headcount is fixed: when someone leaves, a newcomer takes the same row (the same seat in the
same team), so the arrays never move and the network stays aligned with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from orglearn.simulation.network import TIE_COMMUNITY, TIE_CROSS, TIE_REPORTING, TIE_TEAM, OrgNetwork
from orglearn.simulation.parameters import STYLES, Parameters

__all__ = [
    "Workforce",
    "initial_workforce",
    "hire",
    "ROLES",
    "MEMBER",
    "MANAGER",
    "CHAMPION",
    "STYLE_TRAITS",
    "HOARDER_GENEROSITY",
]

ROLES: tuple[str, ...] = ("member", "manager", "champion")
MEMBER, MANAGER, CHAMPION = 0, 1, 2

#: Mean (tact, boldness) of the styles that are a trait: rude people are tactless and shy people
#: rarely initiate. The other styles (abrasive, defensive, pushy, top-down) have the tactful
#: means and act through their own rules in the processes (abrasive help sours ties,
#: defensive people admit gaps and take in less, pushy ones ask more, insist and strain
#: ties, top-down ones tell rather than listen), so that each style's effect is its rule's.
STYLE_TRAITS: dict[str, tuple[float, float]] = {
    "rude": (0.3, 0.8),
    "shy": (0.8, 0.2),
}
#: A hoarder's generosity: they take help and almost never give it.
HOARDER_GENEROSITY = 0.02
#: A formal-training devotee's mean formal_preference.
DEVOTEE_FORMAL_PREFERENCE = 0.9
#: Initial tie strength by kind of tie, indexed by TIE_TEAM, TIE_REPORTING and TIE_CROSS.
TIE_STRENGTH = np.zeros(4)
TIE_STRENGTH[[TIE_TEAM, TIE_REPORTING, TIE_CROSS, TIE_COMMUNITY]] = (0.6, 0.5, 0.3, 0.3)
INITIAL_REPUTATION = 0.5
#: A newcomer's ties start at this share of the initial strength for their kind.
NEWCOMER_TIES = 0.5

TRAIT_COLUMNS: tuple[str, ...] = (
    "proactivity",
    "absorption",
    "adaptability",
    "formal_preference",
    "tact",
    "boldness",
    "generosity",
    "reciprocity_sensitivity",
    "tech_savvy",
)


@dataclass
class Workforce:
    """Every employee's state, as columns.

    Per-person arrays are allocated once and never replaced. Per-tie arrays (``strength``,
    ``given``, ``received``) are replaced only when ties are added during a run
    (`remap_edges`), so always read them from the state."""

    role: np.ndarray
    style: np.ndarray
    proactivity: np.ndarray
    absorption: np.ndarray
    adaptability: np.ndarray
    formal_preference: np.ndarray
    tact: np.ndarray
    boldness: np.ndarray
    generosity: np.ndarray
    reciprocity_sensitivity: np.ndarray
    tech_savvy: np.ndarray
    reputation: np.ndarray
    has_tools: np.ndarray
    lurker: np.ndarray
    hoarder: np.ndarray
    formal_devotee: np.ndarray
    champion: np.ndarray
    community: np.ndarray
    last_post: np.ndarray
    post_count: np.ndarray
    knowledge: np.ndarray
    demand: np.ndarray
    codifiable: np.ndarray
    effort: np.ndarray
    strength: np.ndarray
    given: np.ndarray
    received: np.ndarray

    @property
    def n(self) -> int:
        """Headcount."""
        return int(self.role.size)

    used: list[np.ndarray] = field(default_factory=list)
    #: Who learned from whom (`simulation.sources.SourceLog`), or None when not tracked.
    sources: object = None

    @property
    def topics(self) -> int:
        """Number of knowledge topics K."""
        return int(self.knowledge.shape[1])

    def cells(self, rows: np.ndarray, topics: np.ndarray | int) -> np.ndarray:
        """Flat indices into ``knowledge.reshape(-1)`` of the (row, topic) pairs."""
        return np.asarray(rows, dtype=np.int64) * self.topics + topics

    def get(self, rows: np.ndarray, topics: np.ndarray | int) -> np.ndarray:
        """Knowledge of each (row, topic) pair; a flat take is several times faster than 2-D
        fancy indexing."""
        return self.knowledge.reshape(-1).take(self.cells(rows, topics))

    def remap_edges(self, new_id: np.ndarray, initial: np.ndarray) -> None:
        """Carry the per-tie arrays over to a network with more ties (`OrgNetwork.with_ties`):
        old edge ``e`` becomes ``new_id[e]``; new ties start at ``initial`` strength, with
        empty ledgers. The arrays are replaced, so views must read them from the state."""
        for name in ("strength", "given", "received"):
            old = getattr(self, name)
            new = initial.astype(float) if name == "strength" else np.zeros(initial.size)
            new[new_id] = old
            setattr(self, name, new)

    def use(self, rows: np.ndarray, topics: np.ndarray | int) -> None:
        """Mark knowledge as used this step (it is then not forgotten this step).

        Used cells are kept as flat indices rather than an (N, K) mask: a step uses few cells,
        and forgetting then costs one pass over the knowledge matrix.
        """
        self.used.append(self.cells(rows, topics))


def beta(mean: float, concentration: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given mean; a mean of exactly 0 or 1 gives exactly 0 or 1."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, float(mean))
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


def _pick(size: int, share: float, rng: np.random.Generator, exact: bool) -> np.ndarray:
    """A random subset: exactly round(share * size) people when ``exact``, else Bernoulli."""
    if not exact:
        return rng.random(size) < share
    mask = np.zeros(size, dtype=bool)
    mask[rng.permutation(size)[: int(round(share * size))]] = True
    return mask


def _people(size: int, params: Parameters, rng: np.random.Generator, exact: bool) -> dict:
    """Traits and archetypes of ``size`` new people, drawn from the population parameters."""
    t, pop = params.traits, params.population
    cols = {name: beta(getattr(t, name), t.concentration, size, rng) for name in TRAIT_COLUMNS}
    style = np.zeros(size, dtype=np.int8)
    if exact:
        order = rng.permutation(size)
        start = 0
        for code, name in enumerate(STYLES[1:], start=1):
            count = int(round(getattr(pop, f"{name}_share") * size))
            style[order[start : start + count]] = code
            start += count
    else:
        shares = np.array([getattr(pop, f"{s}_share") for s in STYLES[1:]])
        cum = np.cumsum(shares)
        style = np.searchsorted(cum, rng.random(size), side="right").astype(np.int8) + 1
        style[style > len(shares)] = 0
    for code, name in enumerate(STYLES[1:], start=1):
        rows = np.flatnonzero(style == code)
        tact, boldness = STYLE_TRAITS.get(name, (t.tact, t.boldness))
        cols["tact"][rows] = beta(tact, t.concentration, rows.size, rng)
        cols["boldness"][rows] = beta(boldness, t.concentration, rows.size, rng)

    lurker = _pick(size, pop.lurker_share, rng, exact)
    hoarder = _pick(size, pop.hoarder_share, rng, exact)
    devotee = _pick(size, pop.formal_devotee_share, rng, exact)
    champion = _pick(size, pop.champion_share, rng, exact) & ~hoarder
    cols["generosity"][hoarder] = HOARDER_GENEROSITY
    cols["formal_preference"][devotee] = beta(
        DEVOTEE_FORMAL_PREFERENCE, t.concentration, int(devotee.sum()), rng
    )
    has_tools = _pick(size, params.tools.tool_access, rng, exact) | champion
    lurker &= ~champion
    cols["generosity"][champion] = np.maximum(cols["generosity"][champion], 0.9)
    cols["tech_savvy"][champion] = np.maximum(cols["tech_savvy"][champion], 0.9)
    return dict(
        cols,
        style=style,
        lurker=lurker,
        hoarder=hoarder,
        formal_devotee=devotee,
        champion=champion,
        has_tools=has_tools,
    )


def _fresh_knowledge(size: int, topics: int, high: float, rng: np.random.Generator) -> np.ndarray:
    knowledge = rng.random((size, topics)) * high
    knowledge[:, 0] = 0.0  # nobody knows the new idea unless seeded
    return knowledge


def initial_workforce(
    params: Parameters, network: OrgNetwork, rng: np.random.Generator
) -> Workforce:
    """Draw the initial workforce for a network (see docs/model.md, Initialisation)."""
    n, k = network.n, params.organisation.topics
    kn = params.knowledge
    people = _people(n, params, rng, exact=True)

    role = np.where(network.is_manager, MANAGER, MEMBER).astype(np.int8)
    role[people["champion"] & ~network.is_manager] = CHAMPION  # a manager keeps the role

    knowledge = _fresh_knowledge(n, k, kn.initial_max, rng)
    if kn.specialty_topics and k > 1:
        n_teams = int(network.team.max()) + 1
        per_team = min(kn.specialty_topics, k - 1)
        # Departments are functions: each focuses on twice as many topics as a team, and its
        # teams specialise among them, so what a department knows differs from the next one.
        n_departments = int(network.department.max()) + 1
        per_department = min(2 * per_team, k - 1)
        focus = 1 + np.argsort(rng.random((n_departments, k - 1)), axis=1)[:, :per_department]
        team_department = np.zeros(n_teams, dtype=np.int64)
        team_department[network.team] = network.department
        pick = np.argsort(rng.random((n_teams, per_department)), axis=1)[:, :per_team]
        specialties = np.take_along_axis(focus[team_department], pick, axis=1)
        rows = np.repeat(np.arange(n), per_team)
        cols = specialties[network.team].ravel()
        level = np.clip(rng.normal(kn.specialty_level, 0.1, rows.size), 0.0, 1.0)
        knowledge[rows, cols] = np.maximum(knowledge[rows, cols], level)
    seeds = _idea_seeds(network, kn.idea_seed_share, kn.idea_department, rng)
    knowledge[seeds, 0] = 1.0

    demand = rng.uniform(0.2, 1.0, k)
    demand[0] = kn.idea_appeal
    codifiable = beta(kn.codifiable, params.traits.concentration, k, rng)
    codifiable[0] = kn.idea_codifiable

    strength = TIE_STRENGTH[network.tie_kind]
    n_edges = strength.size
    return Workforce(
        role=role,
        reputation=np.full(n, INITIAL_REPUTATION),
        community=np.full(n, -1, dtype=np.int32),
        last_post=np.full(n, np.iinfo(np.int64).min // 2, dtype=np.int64),
        post_count=np.zeros(n, dtype=np.int64),
        knowledge=knowledge,
        demand=demand,
        codifiable=codifiable,
        effort=np.zeros(n),
        strength=strength,
        given=np.zeros(n_edges),
        received=np.zeros(n_edges),
        **people,
    )


def _idea_seeds(network: OrgNetwork, share: float, department: int, rng) -> np.ndarray:
    """Who knows the new idea at the start: ``share`` of staff, drawn from ``department``
    (all of it, if it is smaller) or, for -1, from everyone."""
    count = max(1, int(round(share * network.n)))
    if department < 0:
        return rng.permutation(network.n)[:count]
    departments = int(network.department.max()) + 1
    if department >= departments:
        raise ValueError(
            f"The 'knowledge.idea_department' value must be -1 or a department in "
            f"[0, {departments - 1}]. Got {department} instead."
        )
    members = np.flatnonzero(network.department == department)
    return rng.permutation(members)[:count]


def hire(
    state: Workforce,
    rows: np.ndarray,
    params: Parameters,
    network: OrgNetwork,
    rng: np.random.Generator,
) -> None:
    """Replace the people in ``rows`` by newcomers with little knowledge and fresh traits.

    A newcomer takes the leaver's seat (team, department, manager role) but not their ties'
    history: ledgers are cleared and each of their ties starts at half the initial strength
    for its kind (``NEWCOMER_TIES``): they have relationships still to build.
    """
    if rows.size == 0:
        return
    people = _people(rows.size, params, rng, exact=False)
    for name, values in people.items():
        getattr(state, name)[rows] = values
    state.role[rows] = np.where(
        network.is_manager[rows], MANAGER, np.where(people["champion"], CHAMPION, MEMBER)
    )
    state.reputation[rows] = INITIAL_REPUTATION
    state.effort[rows] = 0.0
    state.community[rows] = -1
    state.last_post[rows] = np.iinfo(np.int64).min // 2
    state.post_count[rows] = 0
    state.knowledge[rows] = _fresh_knowledge(
        rows.size, state.topics, params.knowledge.newcomer_max, rng
    )
    out_edges = network.out_edges(rows)
    edges = np.concatenate((out_edges, network.reverse[out_edges]))
    state.strength[edges] = NEWCOMER_TIES * TIE_STRENGTH[network.tie_kind[edges]]
    state.given[edges] = 0.0
    state.received[edges] = 0.0

