"""The organisation network: departments, teams, a reporting tree and informal ties.

Everything is built straight into numpy arrays and a symmetric `scipy.sparse.csr_array`, so a
million-person organisation takes about a second; networkx is only an export for users.

Construction:

1. People are split as evenly as possible into ``round(n / team_size)`` teams (at least one per
   department); teams are dealt to departments in turn.
2. The first member of each team is its manager. The manager of a department's first team heads
   the department; the head of department 0 heads the organisation. Members report to their team
   manager, team managers to their department head, department heads to the organisation head.
3. Two members of a team are tied with chance ``within_team_density`` (dense within teams);
   every manager is tied to everyone who reports to them.
4. Each informal tie is rewired with chance ``rewiring`` to a random person in the same
   department (chance ``department_locality``) or anywhere (Watts and Strogatz 1998 style).
   Low rewiring gives silos.

References:
    Watts, D. J., & Strogatz, S. H. (1998). Collective dynamics of 'small-world' networks.
    Nature, 393, 440-442.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from orglearn.simulation.parameters import Organisation

__all__ = [
    "OrgNetwork",
    "build_network",
    "TIE_TEAM",
    "TIE_REPORTING",
    "TIE_CROSS",
    "TIE_COMMUNITY",
]

#: Kinds of tie. Community ties are made by a community of practice during a run.
TIE_TEAM, TIE_REPORTING, TIE_CROSS, TIE_COMMUNITY = 0, 1, 2, 3


@dataclass(frozen=True)
class OrgNetwork:
    """The structure of an organisation.

    Attributes:
        team: team id of each person.
        department: department id of each person.
        manager: row of each person's manager (-1 for the head of the organisation).
        is_manager: whether each person manages a team.
        adjacency: symmetric CSR adjacency (data are ones); edge ``e`` of row ``i`` is
            ``indices[indptr[i] + ...]``, and per-tie arrays are aligned with its data.
        reverse: for directed edge e = (i -> j), the index of (j -> i).
        tie_kind: TIE_TEAM, TIE_REPORTING or TIE_CROSS for each directed edge.
    """

    team: np.ndarray
    department: np.ndarray
    manager: np.ndarray
    is_manager: np.ndarray
    adjacency: sp.csr_array
    reverse: np.ndarray
    tie_kind: np.ndarray

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.team.size)

    @property
    def sources(self) -> np.ndarray:
        """Row (source person) of every directed edge."""
        return np.repeat(np.arange(self.n), np.diff(self.adjacency.indptr))

    @cached_property
    def to_report(self) -> np.ndarray:
        """1.0 for every edge from a manager to someone who reports to them, else 0.0."""
        return (self.manager[self.adjacency.indices] == self.sources).astype(float)

    def out_edges(self, rows: np.ndarray) -> np.ndarray:
        """The ids of every edge leaving each of ``rows``, concatenated in row order."""
        indptr = self.adjacency.indptr
        counts = indptr[rows + 1] - indptr[rows]
        starts = np.repeat(indptr[rows] - np.cumsum(counts) + counts, counts)
        return starts + np.arange(counts.sum())

    def with_ties(
        self, src: np.ndarray, dst: np.ndarray, kind: int
    ) -> tuple[OrgNetwork, np.ndarray]:
        """A copy with the ties ``src[i] -- dst[i]`` added (pairs already tied are kept as
        they are), and where each existing directed edge went: ``new_id[old_id]``.

        Per-edge arrays of the old network are carried over with ``new[new_id] = old``.
        """
        old_src, old_dst = self.sources, self.adjacency.indices.astype(np.int64)
        kinds = np.concatenate((self.tie_kind, np.full(src.size, kind, dtype=np.int8)))
        adjacency, tie_kind = _symmetric_csr(
            np.concatenate((old_src, src)), np.concatenate((old_dst, dst)), kinds, self.n
        )
        network = OrgNetwork(
            self.team, self.department, self.manager, self.is_manager,
            adjacency, _reverse_index(adjacency), tie_kind,
        )
        new_src = network.sources
        new_id = np.searchsorted(new_src * self.n + adjacency.indices, old_src * self.n + old_dst)
        return network, new_id

    def to_networkx(self):
        """Export as an undirected `networkx.Graph` with team, department and manager labels."""
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(
            (i, {"team": int(t), "department": int(d), "manager": int(m)})
            for i, (t, d, m) in enumerate(zip(self.team, self.department, self.manager))
        )
        src, dst = self.sources, self.adjacency.indices
        keep = src < dst
        graph.add_edges_from(zip(src[keep].tolist(), dst[keep].tolist()))
        return graph


def build_network(org: Organisation, rng: np.random.Generator) -> OrgNetwork:
    """Generate an organisation from its parameters.

    Args:
        org: the organisation section of the parameters.
        rng: the model's random generator.

    Returns:
        The network and the position of every person in it.
    """
    n = org.n_agents
    n_teams = min(n, max(org.departments, round(n / org.team_size)))
    # np.array_split semantics without building n_teams arrays: sizes differ by at most one.
    base, extra = divmod(n, n_teams)
    sizes = np.full(n_teams, base, dtype=np.int64)
    sizes[:extra] += 1
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    team = np.repeat(np.arange(n_teams), sizes)
    team_department = np.arange(n_teams) % org.departments
    department = team_department[team]

    manager, is_manager = _reporting_tree(starts, team, team_department, org.departments)
    src, dst = _team_ties(starts, sizes, org.within_team_density, rng)
    src, dst = _rewire(src, dst, department, org, rng)
    kind_team = np.full(src.size, TIE_TEAM, dtype=np.int8)

    has_boss = manager >= 0
    boss_src, boss_dst = np.flatnonzero(has_boss), manager[has_boss]
    kind_boss = np.full(boss_src.size, TIE_REPORTING, dtype=np.int8)

    all_src = np.concatenate((src, boss_src))
    all_dst = np.concatenate((dst, boss_dst))
    kinds = np.concatenate((kind_team, kind_boss))
    cross = (team[all_src] != team[all_dst]) & (kinds == TIE_TEAM)
    kinds[cross] = TIE_CROSS
    adjacency, tie_kind = _symmetric_csr(all_src, all_dst, kinds, n)
    reverse = _reverse_index(adjacency)
    return OrgNetwork(team, department, manager, is_manager, adjacency, reverse, tie_kind)


def _reporting_tree(starts, team, team_department, departments):
    n = team.size
    team_manager = starts
    # The first team of each department is its head's team.
    first_team = np.full(departments, -1, dtype=np.int64)
    order = np.arange(team_department.size)[::-1]
    first_team[team_department[order]] = order  # last write wins: the lowest team index
    head_of_department = team_manager[first_team]
    top = head_of_department[0]

    manager = team_manager[team].copy()
    is_manager = np.zeros(n, dtype=bool)
    is_manager[team_manager] = True
    manager[team_manager] = head_of_department[team_department]
    manager[head_of_department] = top
    manager[top] = -1
    return manager, is_manager


def _team_ties(starts, sizes, density, rng):
    """All within-team pairs (a < b), each kept with chance ``density``, vectorised per offset."""
    src_parts, dst_parts = [], []
    smax = int(sizes.max())
    for a in range(smax - 1):
        for b in range(a + 1, smax):
            teams = np.flatnonzero(sizes > b)
            if teams.size == 0:
                continue
            keep = rng.random(teams.size) < density
            src_parts.append(starts[teams[keep]] + a)
            dst_parts.append(starts[teams[keep]] + b)
    if not src_parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(src_parts), np.concatenate(dst_parts)


def _rewire(src, dst, department, org, rng):
    n = department.size
    rewire = rng.random(src.size) < org.rewiring
    k = int(rewire.sum())
    if k == 0:
        return src, dst
    local = rng.random(k) < org.department_locality
    targets = rng.integers(0, n, size=k)
    # A same-department target: draw a person, then move to a random member of src's department
    # via the department's sorted member list.
    order = np.argsort(department, kind="stable")
    dept_start = np.searchsorted(department[order], np.arange(org.departments))
    dept_size = np.bincount(department, minlength=org.departments)
    src_dept = department[src[rewire]]
    offset = (rng.random(k) * dept_size[src_dept]).astype(np.int64)
    local_targets = order[dept_start[src_dept] + offset]
    new_dst = dst.copy()
    new_dst[rewire] = np.where(local, local_targets, targets)
    return src, new_dst


def _symmetric_csr(src, dst, kinds, n):
    """Symmetric adjacency without self-loops or duplicates; a tie keeps its strongest kind."""
    keep = src != dst
    s = np.concatenate((src[keep], dst[keep])).astype(np.int64)
    d = np.concatenate((dst[keep], src[keep])).astype(np.int64)
    k = np.concatenate((kinds[keep], kinds[keep])).astype(np.int64)
    # One int64 key per directed tie, sorted by (s, d) and then kind, so that the first of each
    # duplicate group has the lowest kind code (team < reporting < cross: a teammate who is also
    # one's manager counts as a team tie). One sort of one array is far faster than lexsort.
    key = np.sort((s * n + d) * 4 + k)
    pair = key >> 2
    first = np.ones(key.size, dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    key, pair = key[first], pair[first]
    s, d, k = pair // n, pair % n, (key & 3).astype(np.int8)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    adjacency = sp.csr_array((np.ones(s.size), d.astype(np.int64), indptr), shape=(n, n))
    return adjacency, k


def _reverse_index(adjacency: sp.csr_array) -> np.ndarray:
    """Index of edge (j -> i) for each edge (i -> j) of a structurally symmetric CSR."""
    n = adjacency.shape[0]
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(adjacency.indptr))
    dst = adjacency.indices.astype(np.int64)
    # Edges are sorted by (src, dst), so each reverse (dst, src) is found by binary search.
    return np.searchsorted(src * n + dst, dst * n + src)
