"""The organisation network: teams, departments, the reporting tree and informal ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orglearn.simulation.network import TIE_CROSS, TIE_REPORTING, TIE_TEAM, build_network
from orglearn.simulation.parameters import Organisation


@st.composite
def organisations(draw, rewiring=st.floats(0.0, 1.0)) -> Organisation:
    n = draw(st.integers(2, 300))
    return Organisation(
        n_agents=n,
        departments=draw(st.integers(1, min(8, n))),
        team_size=draw(st.integers(2, 20)),
        within_team_density=draw(st.floats(0.0, 1.0)),
        rewiring=draw(rewiring),
        department_locality=draw(st.floats(0.0, 1.0)),
    )


def edges(net) -> tuple[np.ndarray, np.ndarray]:
    """(source, target) of every directed edge, in CSR order."""
    return net.sources, net.adjacency.indices


@given(org=organisations(), seed=st.integers(0, 2**32 - 1))
def test_people_teams_and_departments(org, seed):
    net = build_network(org, np.random.default_rng(seed))
    n = org.n_agents
    assert net.n == n
    for column in (net.team, net.department, net.manager, net.is_manager):
        assert column.shape == (n,)

    n_teams = min(n, max(org.departments, round(n / org.team_size)))
    team_sizes = np.bincount(net.team)
    assert team_sizes.size == n_teams and team_sizes.min() >= 1
    assert team_sizes.max() - team_sizes.min() <= 1, "teams differ in size by at most one"

    # A team lies in one department; every department has teams, dealt evenly.
    team_department = np.full(n_teams, -1)
    team_department[net.team] = net.department
    assert np.array_equal(team_department[net.team], net.department)
    teams_per_department = np.bincount(team_department, minlength=org.departments)
    assert teams_per_department.size == org.departments
    assert teams_per_department.min() >= 1
    assert teams_per_department.max() - teams_per_department.min() <= 1


@given(org=organisations(), seed=st.integers(0, 2**32 - 1))
def test_ties_are_symmetric_simple_and_reverse_indexed(org, seed):
    net = build_network(org, np.random.default_rng(seed))
    adj = net.adjacency
    src, dst = edges(net)
    assert adj.shape == (org.n_agents, org.n_agents)
    assert np.all(src != dst), "no self loops"
    assert (adj != adj.T).nnz == 0, "adjacency is symmetric"
    assert np.all(adj.data == 1.0)
    # No duplicate edges: within a row the targets are distinct.
    pairs = src.astype(np.int64) * org.n_agents + dst
    assert np.unique(pairs).size == pairs.size

    assert net.reverse.shape == dst.shape == net.tie_kind.shape
    assert np.array_equal(net.reverse[net.reverse], np.arange(dst.size))
    assert np.array_equal(src[net.reverse], dst)
    assert np.array_equal(dst[net.reverse], src)
    assert np.array_equal(net.tie_kind[net.reverse], net.tie_kind), "a tie has one kind"
    assert set(np.unique(net.tie_kind)) <= {TIE_TEAM, TIE_REPORTING, TIE_CROSS}


@given(org=organisations(), seed=st.integers(0, 2**32 - 1))
def test_reporting_tree(org, seed):
    net = build_network(org, np.random.default_rng(seed))
    n = org.n_agents
    heads = np.flatnonzero(net.manager == -1)
    assert heads.size == 1, "exactly one head of the organisation"
    assert np.all((net.manager >= -1) & (net.manager < n))
    assert np.all(net.manager != np.arange(n)), "nobody manages themselves"

    # From anyone, following manager pointers reaches the head without a cycle.
    for person in range(n):
        seen = set()
        while person != -1:
            assert person not in seen, f"cycle in the reporting tree through {person}"
            seen.add(person)
            person = int(net.manager[person])
        assert len(seen) <= 4, "member -> team manager -> department head -> head"

    # Each team has exactly one manager; members report to their own team's manager.
    managers = np.flatnonzero(net.is_manager)
    assert np.array_equal(np.sort(net.team[managers]), np.arange(net.team.max() + 1))
    members = np.flatnonzero(~net.is_manager)
    assert np.all(net.is_manager[net.manager[members]])
    assert np.array_equal(net.team[net.manager[members]], net.team[members])
    # In each department, every team manager but one reports to that one, the department's
    # head, who reports to the head of the organisation (or is the head).
    top = int(heads[0])
    for d in range(org.departments):
        in_d = managers[net.department[managers] == d]
        heads_of_d = [m for m in in_d.tolist() if all(net.manager[x] == m for x in in_d if x != m)]
        assert len(heads_of_d) >= 1, f"department {d} has no head"
        head = heads_of_d[0]
        assert net.manager[head] in (top, -1)


@given(org=organisations(), seed=st.integers(0, 2**32 - 1))
def test_managers_are_tied_to_their_reports(org, seed):
    net = build_network(org, np.random.default_rng(seed))
    reports = np.flatnonzero(net.manager >= 0)
    adj = net.adjacency.tocsr()
    assert np.all(adj[reports, net.manager[reports]] == 1.0)
    assert np.all(adj[net.manager[reports], reports] == 1.0)


@given(org=organisations(rewiring=st.just(0.0)), seed=st.integers(0, 2**32 - 1))
def test_no_rewiring_gives_no_cross_team_ties(org, seed):
    net = build_network(org, np.random.default_rng(seed))
    src, dst = edges(net)
    assert not np.any(net.tie_kind == TIE_CROSS)
    across = net.team[src] != net.team[dst]
    # The only ties across teams are reporting lines (a team manager and their boss).
    s, d = src[across], dst[across]
    assert np.all((net.manager[s] == d) | (net.manager[d] == s))
    assert np.all(net.tie_kind[across] == TIE_REPORTING)


def test_rewiring_creates_cross_team_ties():
    org = Organisation(n_agents=400, rewiring=0.3)
    net = build_network(org, np.random.default_rng(3))
    src, dst = edges(net)
    cross = net.tie_kind == TIE_CROSS
    assert cross.sum() > 0
    assert np.all(net.team[src[cross]] != net.team[dst[cross]])
    # With locality 1 every informal tie stays in its department (only reporting lines of
    # department heads to the head of the organisation cross departments).
    local = build_network(
        Organisation(n_agents=400, rewiring=0.3, department_locality=1.0), np.random.default_rng(3)
    )
    s, d = edges(local)
    informal = local.tie_kind != TIE_REPORTING
    assert np.any(local.tie_kind == TIE_CROSS)
    assert np.all(local.department[s[informal]] == local.department[d[informal]])


def test_density_controls_team_ties():
    sparse = build_network(Organisation(n_agents=400, within_team_density=0.1, rewiring=0.0),
                           np.random.default_rng(0))
    dense = build_network(Organisation(n_agents=400, within_team_density=0.9, rewiring=0.0),
                          np.random.default_rng(0))
    assert dense.adjacency.nnz > 2 * sparse.adjacency.nnz


@pytest.mark.parametrize("seed", [0, 1])
def test_same_rng_same_network(seed):
    org = Organisation(n_agents=250, rewiring=0.2)
    a = build_network(org, np.random.default_rng(seed))
    b = build_network(org, np.random.default_rng(seed))
    for name in ("team", "department", "manager", "is_manager", "reverse", "tie_kind"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert (a.adjacency != b.adjacency).nnz == 0
    c = build_network(org, np.random.default_rng(seed + 100))
    assert (a.adjacency != c.adjacency).nnz > 0


def test_to_networkx_matches_arrays():
    net = build_network(Organisation(n_agents=120), np.random.default_rng(0))
    graph = net.to_networkx()
    assert graph.number_of_nodes() == 120
    assert graph.number_of_edges() == net.adjacency.nnz // 2
    for node in (0, 17, 119):
        assert graph.nodes[node]["team"] == net.team[node]
        assert graph.nodes[node]["department"] == net.department[node]
        assert graph.nodes[node]["manager"] == net.manager[node]
