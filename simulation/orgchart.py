"""Real organisations: an org chart (people) and observed ties read from CSV files.

A **people file** has one row per person and the columns ``person_id``, ``manager_id``,
``team`` and ``department``, and optionally ``role`` (``member``, ``manager`` or ``champion``),
``tool_access`` (yes/no, true/false or 1/0: access to the enterprise social network) and
``tenure_years`` (a number >= 0). Ids are opaque strings; ``manager_id`` is empty for the
head(s) of the organisation. A team is named within its department, so two departments may
each have a team called "Platform". Header names ignore case, spaces and hyphens
(``Person ID`` is ``person_id``); other columns are refused, so that names, emails or free text
cannot slip into a run (see docs/privacy.md). An empty optional cell means "unknown".

A **ties file** has the columns ``person_a``, ``person_b`` and optionally ``weight`` (a count
of interactions >= 0, e.g. messages or shared documents over a period; default 1). Ties are
undirected: rows (a, b) and (b, a) are one tie whose weight is their sum; rows of weight 0 are
dropped.

How the chart becomes a model (`organisation_from_chart`, then `apply_chart`):

1. Row ``i`` of the people file is employee ``i``; ``n_agents`` and ``departments`` follow the
   chart (the scenario's values are overridden).
2. Managers are the people with reports or with ``role = manager``.
3. Ties are the reporting lines plus, when a ties file is given, the observed ties (a tie is a
   team tie if both people are in the same team, else a cross-team tie). Without a ties file,
   team ties are generated as in `simulation.network`: each pair of teammates with chance
   ``within_team_density``, then rewired (``rewiring``, ``department_locality``). In a team of
   more than `BIG_TEAM` people, each member instead gets on average
   ``within_team_density * (BIG_TEAM - 1)`` random teammates.
4. The workforce is drawn from the population parameters as usual, and then the chart's known
   values replace the draws: ``tool_access`` sets who has the ESN; ``role = champion`` makes a
   champion (tools, generosity and tech-savviness at least 0.9, no lurking or hoarding);
   people with ``tenure_years`` below `NEW_STARTER_YEARS` start with a newcomer's knowledge
   (uniform in [0, ``newcomer_max``] on every topic but the new idea).
5. An observed tie starts with strength ``0.3 + 0.6 * log(1 + w) / log(1 + w_max)`` (0.3 to
   0.9) instead of the default for its kind. When someone leaves (turnover), the newcomer keeps
   the seat's ties, but their strengths start at half the default for their kind (the observed
   weight is not kept: the relationship was the leaver's), and the traits are drawn afresh.

Every problem in a file is a `ScenarioError` (`simulation.errors`) that names the file, the line (the
header is line 1, so data row ``r`` is line ``r + 1``), the column and what is wrong.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orglearn.simulation.errors import ScenarioError
from orglearn.simulation.network import TIE_CROSS, TIE_REPORTING, TIE_TEAM, OrgNetwork
from orglearn.simulation.network import _reverse_index, _rewire, _symmetric_csr
from orglearn.simulation.parameters import Parameters

__all__ = [
    "OrgChart",
    "read_chart",
    "chart_network",
    "organisation_from_chart",
    "apply_chart",
    "PEOPLE_COLUMNS",
    "TIE_COLUMNS",
    "BIG_TEAM",
    "NEW_STARTER_YEARS",
]

#: Required and optional columns of a people file.
PEOPLE_COLUMNS = {
    "required": ("person_id", "manager_id", "team", "department"),
    "optional": ("role", "tool_access", "tenure_years"),
}
#: Required and optional columns of a ties file.
TIE_COLUMNS = {"required": ("person_a", "person_b"), "optional": ("weight",)}
#: Teams larger than this get random teammate ties of bounded degree instead of all pairs.
BIG_TEAM = 50
#: People with less tenure than this (years) start with a newcomer's knowledge.
NEW_STARTER_YEARS = 1.0
#: Initial strength of an observed tie: LOW + SPAN * log(1 + w) / log(1 + w_max).
OBSERVED_STRENGTH = (0.3, 0.6)

_ROLES = ("member", "manager", "champion")
_YES = ("yes", "y", "true", "t", "1")
_NO = ("no", "n", "false", "f", "0")


@dataclass(frozen=True)
class OrgChart:
    """A validated org chart. Row ``i`` of every array is the person on row ``i`` of the file.

    Attributes:
        people_file, ties_file: the files read (ties_file is None without observed ties).
        ids: each person's id (strings).
        team, department: team and department codes (0, 1, ...; sorted by name).
        team_names, department_names: the names behind the codes.
        manager: row of each person's manager, -1 for a head of the organisation.
        is_manager: has reports or ``role = manager``.
        champion: ``role = champion``.
        tool_access: 1 (yes), 0 (no) or -1 (unknown) per person.
        tenure_years: tenure, NaN where unknown.
        tie_a, tie_b, tie_weight: observed ties (a < b, unique), or None.
    """

    people_file: str
    ties_file: str | None
    ids: np.ndarray
    team: np.ndarray
    department: np.ndarray
    team_names: np.ndarray
    department_names: np.ndarray
    manager: np.ndarray
    is_manager: np.ndarray
    champion: np.ndarray
    tool_access: np.ndarray
    tenure_years: np.ndarray
    tie_a: np.ndarray | None = None
    tie_b: np.ndarray | None = None
    tie_weight: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.ids.size)

    @property
    def departments(self) -> int:
        """Number of departments."""
        return int(self.department_names.size)


def read_chart(people_file: str | Path, ties_file: str | Path | None = None) -> OrgChart:
    """Read and validate a people file and, optionally, a ties file.

    Results are cached per file (path, size and modification time), so loading a scenario
    and then building its model reads each file once. Treat the arrays as read-only.

    Raises:
        ScenarioError: a file is missing or unreadable, or a row breaks a rule.
    """

    def stamp(path):
        if path is None:
            return None
        path = Path(path)
        try:
            st = os.stat(path)
        except OSError:
            raise _error(path, "no such file") from None
        return (str(path.resolve()), st.st_size, st.st_mtime_ns)

    return _read_cached(
        stamp(people_file),
        stamp(ties_file),
        str(people_file),
        None if ties_file is None else str(ties_file),
    )


@functools.lru_cache(maxsize=4)
def _read_cached(_people_stamp, _ties_stamp, people_file: str, ties_file: str | None) -> OrgChart:
    people = _people(people_file)
    if ties_file is None:
        return people
    a, b, w = _ties(ties_file, people)
    return dataclasses.replace(people, ties_file=ties_file, tie_a=a, tie_b=b, tie_weight=w)


# -- reading and checking ---------------------------------------------------------------------


def _error(
    file,
    problem: str,
    row: int | None = None,
    column: str | None = None,
    more: int = 0,
    line: int | None = None,
):
    """A `ScenarioError` for data row ``row`` (line ``row + 1``) or a given line."""
    if row is not None:
        problem = f"(row {row}) {problem}"
        line = row + 1
    if more:
        problem += f" ({more} more row{'s' if more > 1 else ''} with the same problem)"
    return ScenarioError(str(file), problem, key=column, line=line)


def _table(file: str, columns: dict[str, tuple[str, ...]], what: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            file,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",  # tolerates the byte-order mark spreadsheets add
        )
    except FileNotFoundError:
        raise _error(file, "no such file") from None
    except pd.errors.EmptyDataError:
        raise _error(
            file,
            f"is empty; a {what} file starts with a header row: {', '.join(columns['required'])}",
        ) from None
    except pd.errors.ParserError as err:
        raise _error(file, f"is not a valid CSV file: {str(err).strip()}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise _error(file, f"cannot be read as UTF-8 text: {err}") from None
    frame.columns = [
        str(c).strip().lower().replace(" ", "_").replace("-", "_") for c in frame.columns
    ]
    allowed = columns["required"] + columns["optional"]
    listing = (
        f"a {what} file has the columns {', '.join(columns['required'])} "
        f"(optional: {', '.join(columns['optional'])})"
    )
    missing = [c for c in columns["required"] if c not in frame.columns]
    if missing:
        raise _error(
            file,
            f"is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; {listing}. Found: {', '.join(frame.columns)}",
            line=1,
        )
    unknown = [c for c in frame.columns if c not in allowed]
    if unknown:
        raise _error(
            file,
            f"has the column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}, which orglearn does not use; {listing}. Remove "
            "it: names, emails and free text do not belong in these files",
            line=1,
        )
    dupes = [c for c in frame.columns if list(frame.columns).count(c) > 1]
    if dupes:
        raise _error(file, f"has the column {dupes[0]} twice", line=1)
    frame = frame.apply(lambda col: col.str.strip())
    blank = (frame == "").all(axis=1).to_numpy()
    frame.index = np.arange(1, len(frame) + 1)  # data row numbers
    return frame[~blank]


def _people(file: str) -> OrgChart:
    frame = _table(file, PEOPLE_COLUMNS, "people")
    rows = frame.index.to_numpy()
    ids = frame["person_id"].to_numpy(dtype=object)

    def first(bad, column, problem):
        rows_bad = np.flatnonzero(bad)
        if rows_bad.size:
            i = int(rows_bad[0])
            raise _error(file, problem(i), row=int(rows[i]), column=column, more=rows_bad.size - 1)

    first(ids == "", "person_id", lambda i: "is empty; every person needs an id")
    dup = pd.Index(ids).duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        earlier = int(rows[np.flatnonzero(ids == ids[i])[0]])
        raise _error(
            file,
            f"is {ids[i]!r}, which row {earlier} already uses; person ids must be unique",
            row=int(rows[i]),
            column="person_id",
            more=int(dup.sum()) - 1,
        )
    for column, what in (("team", "a team"), ("department", "a department")):
        first(
            frame[column].to_numpy() == "",
            column,
            lambda i, w=what: f"is empty; every person needs {w}",
        )
    if ids.size < 2:
        raise _error(file, f"has {ids.size} people; a model needs at least 2")

    boss_ids = frame["manager_id"].to_numpy(dtype=object)
    index = pd.Index(ids)
    manager = index.get_indexer(boss_ids).astype(np.int64)
    has_boss = boss_ids != ""
    first(
        has_boss & (manager < 0),
        "manager_id",
        lambda i: (
            f"is {boss_ids[i]!r}, who has no row in this file; every manager must be listed "
            "as a person (leave manager_id empty for the head of the organisation)"
        ),
    )
    first(
        manager == np.arange(ids.size),
        "manager_id",
        lambda i: f"is {boss_ids[i]!r}, the person's own id; nobody reports to themselves",
    )
    manager[~has_boss] = -1
    _check_no_cycle(file, manager, ids, rows)

    n = ids.size
    optional = {
        c: frame[c].to_numpy(dtype=object) if c in frame.columns else np.full(n, "", object)
        for c in PEOPLE_COLUMNS["optional"]
    }
    role = np.char.lower(optional["role"].astype(str))
    first(
        ~np.isin(role, ("",) + _ROLES),
        "role",
        lambda i: f"is {optional['role'][i]!r}; use one of {', '.join(_ROLES)} or leave it empty",
    )
    tools = np.char.lower(optional["tool_access"].astype(str))
    tool_access = np.full(n, -1, dtype=np.int8)
    tool_access[np.isin(tools, _YES)] = 1
    tool_access[np.isin(tools, _NO)] = 0
    first(
        (tool_access < 0) & (tools != ""),
        "tool_access",
        lambda i: (
            f"is {optional['tool_access'][i]!r}; use yes or no (or true/false, 1/0), or "
            "leave it empty if unknown"
        ),
    )
    raw_tenure = optional["tenure_years"]
    tenure = pd.to_numeric(pd.Series(raw_tenure), errors="coerce").to_numpy(dtype=float)
    first(
        ((np.isnan(tenure) | (tenure < 0)) & (raw_tenure != "")) | np.isinf(tenure),
        "tenure_years",
        lambda i: f"is {raw_tenure[i]!r}; use a number of years >= 0, or leave it empty if unknown",
    )

    department, department_names = pd.factorize(frame["department"], sort=True)
    team_key = frame["department"] + "\x1f" + frame["team"]
    team, team_keys = pd.factorize(team_key, sort=True)
    is_manager = np.zeros(n, dtype=bool)
    is_manager[manager[manager >= 0]] = True
    is_manager |= role == "manager"
    return OrgChart(
        people_file=file,
        ties_file=None,
        ids=ids,
        team=team.astype(np.int64),
        department=department.astype(np.int64),
        team_names=np.array([k.split("\x1f", 1)[1] for k in team_keys], dtype=object),
        department_names=np.asarray(department_names, dtype=object),
        manager=manager,
        is_manager=is_manager,
        champion=role == "champion",
        tool_access=tool_access,
        tenure_years=tenure,
    )


def _check_no_cycle(file, manager: np.ndarray, ids: np.ndarray, rows: np.ndarray) -> None:
    """Raise if following manager_id from someone never reaches a head (pointer doubling)."""
    n = manager.size
    up = np.where(manager >= 0, manager, n)
    up = np.append(up, n)  # row n stands for "no manager" and points to itself
    for _ in range(int(np.ceil(np.log2(n + 1))) + 1):
        up = up[up]
    stuck = np.flatnonzero(up[:n] != n)
    if stuck.size == 0:
        return
    # Walk from the first stuck person until a repeat: the repeated part is the cycle.
    seen: dict[int, int] = {}
    path, i = [], int(stuck[0])
    while i not in seen:
        seen[i] = len(path)
        path.append(i)
        i = int(manager[i])
    cycle = path[seen[i] :]
    start = min(cycle)  # name the cycle from its earliest row
    cycle = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
    shown = [str(ids[j]) for j in cycle[:6]] + (["..."] if len(cycle) > 6 else [])
    chain = " -> ".join(shown + [str(ids[start])])
    raise _error(
        file,
        f"makes the reporting lines a cycle: {chain} (each reports to the next); "
        "someone in it must report outside it, or have no manager",
        row=int(rows[start]),
        column="manager_id",
        more=0,
    )


def _ties(file: str, people: OrgChart):
    frame = _table(file, TIE_COLUMNS, "ties")
    rows = frame.index.to_numpy()
    index = pd.Index(people.ids)
    ends = {}
    for column in ("person_a", "person_b"):
        values = frame[column].to_numpy(dtype=object)
        found = index.get_indexer(values).astype(np.int64)
        bad = np.flatnonzero(found < 0)
        if bad.size:
            i = int(bad[0])
            problem = (
                "is empty; every tie needs two people"
                if values[i] == ""
                else f"is {values[i]!r}, who is not in the people file {people.people_file}"
            )
            raise _error(file, problem, row=int(rows[i]), column=column, more=bad.size - 1)
        ends[column] = found
    a, b = ends["person_a"], ends["person_b"]
    self_tie = np.flatnonzero(a == b)
    if self_tie.size:
        i = int(self_tie[0])
        raise _error(
            file,
            f"is {people.ids[a[i]]!r}, the same person as person_a; a tie joins two people",
            row=int(rows[i]),
            column="person_b",
            more=self_tie.size - 1,
        )
    if "weight" in frame.columns:
        raw = frame["weight"].to_numpy(dtype=object)
        weight = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
        if bad.size:
            i = int(bad[0])
            raise _error(
                file,
                f"is {raw[i]!r}; a weight is a count of interactions, a number >= 0",
                row=int(rows[i]),
                column="weight",
                more=bad.size - 1,
            )
    else:
        weight = np.ones(a.size)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = lo * people.n + hi
    unique, inverse = np.unique(key, return_inverse=True)
    total = np.bincount(inverse, weights=weight, minlength=unique.size)
    keep = total > 0
    unique, total = unique[keep], total[keep]
    return unique // people.n, unique % people.n, total


# -- from chart to model ----------------------------------------------------------------------


def chart_network(chart: OrgChart, params: Parameters, rng: np.random.Generator) -> OrgNetwork:
    """The organisation network of a chart (see the module docstring, steps 1 to 3).

    Args:
        chart: the chart.
        params: parameters whose organisation section has the chart's ``n_agents`` and
            ``departments`` (as `organisation_from_chart` sets them).
        rng: the model's random generator (used only to generate team ties).
    """
    n = chart.n
    org = params.organisation
    if chart.tie_a is not None:
        src, dst = chart.tie_a, chart.tie_b
        kinds = np.where(chart.team[src] == chart.team[dst], TIE_TEAM, TIE_CROSS).astype(np.int8)
    else:
        src, dst = _team_ties(chart.team, org.within_team_density, rng)
        src, dst = _rewire(src, dst, chart.department, org, rng)
        kinds = np.where(chart.team[src] == chart.team[dst], TIE_TEAM, TIE_CROSS).astype(np.int8)
    has_boss = chart.manager >= 0
    boss_src, boss_dst = np.flatnonzero(has_boss), chart.manager[has_boss]
    all_src = np.concatenate((src, boss_src))
    all_dst = np.concatenate((dst, boss_dst))
    all_kinds = np.concatenate((kinds, np.full(boss_src.size, TIE_REPORTING, dtype=np.int8)))
    adjacency, tie_kind = _symmetric_csr(all_src, all_dst, all_kinds, n)
    return OrgNetwork(
        team=chart.team.copy(),
        department=chart.department.copy(),
        manager=chart.manager.copy(),
        is_manager=chart.is_manager.copy(),
        adjacency=adjacency,
        reverse=_reverse_index(adjacency),
        tie_kind=tie_kind,
    )


def _team_ties(team: np.ndarray, density: float, rng: np.random.Generator):
    """Teammate pairs, each with chance ``density``; bounded random ties in big teams."""
    order = np.argsort(team, kind="stable")
    sizes = np.bincount(team)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    src_parts, dst_parts = [], []
    for size in np.unique(sizes[(sizes >= 2) & (sizes <= BIG_TEAM)]):
        a, b = np.triu_indices(int(size), 1)
        first = starts[sizes == size]
        keep = rng.random((first.size, a.size)) < density
        src_parts.append((first[:, None] + a[None, :])[keep])
        dst_parts.append((first[:, None] + b[None, :])[keep])
    big = np.flatnonzero(sizes > BIG_TEAM)
    if big.size:
        # Each member draws Poisson(density * (BIG_TEAM - 1) / 2) random teammates; ties are
        # undirected, so the mean degree is about density * (BIG_TEAM - 1).
        members = np.concatenate([starts[t] + np.arange(sizes[t]) for t in big])
        member_team = np.repeat(big, sizes[big])
        draws = rng.poisson(density * (BIG_TEAM - 1) / 2.0, members.size)
        who = np.repeat(members, draws)
        their_team = np.repeat(member_team, draws)
        other = starts[their_team] + (rng.random(who.size) * sizes[their_team]).astype(np.int64)
        src_parts.append(who)
        dst_parts.append(other)
    if not src_parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    src, dst = np.concatenate(src_parts), np.concatenate(dst_parts)
    return order[src], order[dst]  # positions in team order back to people's rows


def organisation_from_chart(params: Parameters, rng: np.random.Generator):
    """Read ``params.organisation.people_file`` (and ``ties_file``) and build its network.

    Returns:
        ``(params, network, chart)``: the parameters with ``n_agents`` and ``departments``
        set from the chart, the `OrgNetwork`, and the `OrgChart` (for `apply_chart`).
    """
    org = params.organisation
    chart = read_chart(org.people_file, org.ties_file)
    params = params.with_overrides(
        organisation={"n_agents": chart.n, "departments": chart.departments}
    )
    return params, chart_network(chart, params, rng), chart


def apply_chart(
    state, network: OrgNetwork, chart: OrgChart, params: Parameters, rng: np.random.Generator
) -> None:
    """Put the chart's known values into a freshly drawn workforce (module docstring, 4 and 5)."""
    from orglearn.simulation.state import CHAMPION

    known = chart.tool_access >= 0
    state.has_tools[known] = chart.tool_access[known] == 1
    champions = np.flatnonzero(chart.champion & ~network.is_manager)
    state.role[champions] = CHAMPION
    state.champion[chart.champion] = True
    state.has_tools[chart.champion] = True
    state.lurker[chart.champion] = False
    state.hoarder[chart.champion] = False
    state.generosity[chart.champion] = np.maximum(state.generosity[chart.champion], 0.9)
    state.tech_savvy[chart.champion] = np.maximum(state.tech_savvy[chart.champion], 0.9)

    new = np.flatnonzero(chart.tenure_years < NEW_STARTER_YEARS)  # NaN compares False
    if new.size and state.topics > 1:
        state.knowledge[new, 1:] = (
            rng.random((new.size, state.topics - 1)) * params.knowledge.newcomer_max
        )

    if chart.tie_a is not None and chart.tie_a.size:
        low, span = OBSERVED_STRENGTH
        strength = low + span * np.log1p(chart.tie_weight) / np.log1p(chart.tie_weight.max())
        edges = _edge_index(network, chart.tie_a, chart.tie_b)
        state.strength[edges] = strength
        state.strength[network.reverse[edges]] = strength


def _edge_index(network: OrgNetwork, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Index of the directed edge (src -> dst) in the CSR order (the edges must exist)."""
    n = network.n
    keys = network.sources.astype(np.int64) * n + network.adjacency.indices
    return np.searchsorted(keys, src.astype(np.int64) * n + dst)
