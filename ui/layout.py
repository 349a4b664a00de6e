"""Fixed positions for drawing the organisation: people grouped in teams, teams in departments.

Positions are computed once per organisation with numpy (no force-directed layout, which takes
minutes for large graphs): each department is a disc on a ring, each team a small cluster in
its department, each person a point in their team. People keep their seat when colleagues
leave, so the positions stay valid for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Layout", "organisation_layout", "MAX_PEOPLE_DRAWN", "MAX_TIES_DRAWN"]

#: Above this headcount the organisation is drawn as departments rather than people.
MAX_PEOPLE_DRAWN = 2000
#: At most this many ties are drawn (a fixed random sample); all are counted for departments.
MAX_TIES_DRAWN = 3000
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


@dataclass(frozen=True)
class Layout:
    """Where to draw everyone and everything.

    Attributes:
        people: (n, 2) position of each person.
        ties: (m, 2, 2) end points of the ties drawn (a sample when there are many).
        centres: (d, 2) centre of each department.
        radii: radius of each department's disc.
        sizes: headcount of each department.
        department_ties: (d, d) number of ties between departments (within on the diagonal).
        aggregate: draw departments rather than people.
    """

    people: np.ndarray
    ties: np.ndarray
    centres: np.ndarray
    radii: np.ndarray
    sizes: np.ndarray
    department_ties: np.ndarray
    aggregate: bool


def _sunflower(rank: np.ndarray) -> np.ndarray:
    """Vogel's sunflower spiral: evenly spread points in a disc, the k-th at radius sqrt(k)."""
    radius = np.sqrt(rank + 0.5)
    angle = rank * _GOLDEN_ANGLE
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _rank_within(group: np.ndarray) -> np.ndarray:
    """Rank of each element among the elements of its group (0, 1, ... in index order)."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    counts = np.diff(np.r_[starts, group.size])
    rank_sorted = np.arange(group.size) - np.repeat(starts, counts)
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def organisation_layout(
    department: np.ndarray,
    team: np.ndarray,
    adjacency: sp.csr_array,
    max_people: int = MAX_PEOPLE_DRAWN,
    max_ties: int = MAX_TIES_DRAWN,
) -> Layout:
    """Positions for an organisation (see the module docstring); deterministic.

    Args:
        department: department of each person.
        team: team of each person.
        adjacency: symmetric adjacency of the informal ties.
        max_people: above this headcount the layout is for department aggregates.
        max_ties: how many ties to sample for drawing.
    """
    department = np.asarray(department, dtype=np.int64)
    team = np.asarray(team, dtype=np.int64)
    n = department.size
    d = int(department.max()) + 1 if n else 0
    sizes = np.bincount(department, minlength=d)

    # Teams: a cluster per team, the clusters of a department on a sunflower.
    team_of_dept = np.zeros(int(team.max()) + 1 if n else 0, dtype=np.int64)
    team_of_dept[team] = department
    team_size = np.bincount(team, minlength=team_of_dept.size).astype(float)
    spacing = 2.4 * np.sqrt(max(team_size.mean(), 1.0)) if team_size.size else 1.0
    team_rank = _rank_within(team_of_dept)
    team_offset = spacing * _sunflower(team_rank)
    member_offset = _sunflower(_rank_within(team))
    teams_per_dept = np.bincount(team_of_dept, minlength=d)
    radii = spacing * np.sqrt(np.maximum(teams_per_dept, 1)) + 0.5 * spacing

    # Departments on a ring, each taking an arc proportional to its radius.
    if d == 1:
        centres = np.zeros((1, 2))
    else:
        gap = 1.25
        circumference = 2.0 * gap * radii.sum()
        ring = max(circumference / (2.0 * np.pi), radii.max() * gap / np.sin(np.pi / d))
        arc = np.cumsum(radii) - radii / 2.0
        angle = np.pi / 2.0 - 2.0 * np.pi * arc / radii.sum()
        centres = ring * np.column_stack([np.cos(angle), np.sin(angle)])
    people = centres[department] + team_offset[team] + member_offset

    coo = sp.triu(sp.coo_array(adjacency), k=1)
    src, dst = coo.row.astype(np.int64), coo.col.astype(np.int64)
    membership = sp.csr_array((np.ones(n), (department, np.arange(n))), shape=(d, n))
    department_ties = (membership @ sp.csr_array(adjacency) @ membership.T).toarray()
    if src.size > max_ties:
        keep = np.sort(np.random.default_rng(0).choice(src.size, max_ties, replace=False))
        src, dst = src[keep], dst[keep]
    ties = np.stack([people[src], people[dst]], axis=1)
    return Layout(
        people=people,
        ties=ties,
        centres=centres,
        radii=radii,
        sizes=sizes,
        department_ties=department_ties,
        aggregate=n > max_people,
    )
