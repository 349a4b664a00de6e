"""Process 3, posting and reading on the enterprise social network (public).

**Posting.** People with tools who are neither lurkers nor hoarders post with chance
``post_rate * generosity * tech_savvy * (0.5 + 0.5 * safety) * (0.5 + 0.5 * boldness) * audience``,
where ``audience = 1 - esn.audience + esn.audience * (share of one's ties who have tools)``:
being digitally public takes some boldness, and people post where colleagues will read them.
A post is about a topic chosen in proportion to
``knowledge * demand * (1 - the organisation's mean knowledge of it)``: what they know that
matters and that colleagues lack. A post carries the poster's knowledge of that topic; it is
visible, so it pulls the poster's reputation toward 1 at the asking section's
``reputation_rate``, makes the poster findable for asking (`simulation.processes.asking`),
keeps the poster's ties to colleagues with tools alive (each pulled ``tie_upkeep`` toward full
strength: ambient awareness, Leonardi 2014), and adds one to the poster's sharing effort.

**Reading.** Feeds follow the organisation. Everyone with tools, lurkers included, has an
attention budget of ``reads`` posts a step; each is read with chance equal to the reader's
proactivity (reading is seeking), drawn from their own department's posts with chance
``feed_locality`` and otherwise from the whole organisation's (a slot meant for the
department feed stays empty on a day the department posted nothing; one's own posts teach
nothing). A post carries only the explicit pieces of a topic (`rules.learn`, tacit rate 0):
the reader learns them at ``learning_rate * absorption * tech_savvy`` from a source at the
post's level, and never beyond the topic's codifiable share (Nonaka 1994); the tacit rest
needs help or collaboration. When a reader reads several posts on one
topic, their knowledge moves to the best of the outcomes, never to a sum (reading is
synchronous); the ``esn`` count is the number of reads that taught something.

**Communities of practice.** Members of a community (see the ``start_community_of_practice``
intervention) who have tools also read ``community_reads`` posts a step (each with chance
equal to their proactivity) drawn from their fellow members' posts: a sub-feed that crosses
departments.

References:
    Nonaka, I. (1994). A dynamic theory of organizational knowledge creation. Organization
    Science, 5(1), 14-37.
    Leonardi, P. M. (2014). Social media, knowledge sharing, and innovation. Information
    Systems Research, 25(4), 796-816.
"""

from __future__ import annotations

import numba
import numpy as np

from orglearn.simulation.processes.draws import below, stream, uniform, uniforms
from orglearn.simulation.processes.kernels import (
    _pull_ties, column_means, pick_columns, read_posts, true_rows,
)
from orglearn.simulation.processes.rules import _pull, _scratch
from orglearn.simulation.sources import ESN, best_per_cell

__all__ = ["post_and_read", "audience"]

_jit = numba.njit(cache=True, nogil=True)


def audience(state, network, weight: float) -> np.ndarray:
    """Each person's audience factor: ``1 - weight + weight * share of their ties with tools``."""
    adjacency = network.adjacency
    return _audiences(adjacency.indptr, adjacency.indices, state.has_tools, weight)


def post_and_read(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of ESN activity; returns ``{"posts": ..., "esn": reads that taught}``."""
    p = params.esn
    adjacency = network.adjacency
    members = np.empty(0, np.int64)
    if p.community_reads:
        members = np.flatnonzero((state.community >= 0) & state.has_tools)
    count, total = _scratch(max(state.strength.size, state.n))
    tracked = state.sources is not None
    posters, topic, quality, reader, pick, before, cells, gained = _esn_day(
        stream(rng), state.knowledge, state.demand, state.codifiable, state.has_tools,
        state.lurker, state.hoarder, state.generosity, state.tech_savvy, state.boldness,
        state.proactivity, state.absorption, state.last_post, state.post_count, state.effort,
        state.reputation, state.strength, state.community, members, adjacency.indptr,
        adjacency.indices, network.reverse, network.department, step, p.post_rate,
        0.5 + 0.5 * params.culture.psychological_safety, p.audience, p.tie_upkeep, p.reads,
        p.feed_locality, p.community_reads, p.learning_rate, params.asking.reputation_rate,
        count, total, tracked,
    )
    if posters.size:
        state.use(posters, topic)
    if reader.size:
        state.used.append(cells)
        if tracked:
            _record_reads(state, reader, pick, topic, quality, posters, before)
    return {"posts": int(posters.size), "esn": int(cells.size), "gain_esn": float(gained)}


def _record_reads(state, reader, pick, topic, quality, posters, before) -> None:
    """Credit each cell's gain to the poster of the best post read on it (reading keeps the
    best outcome; the reader's rate is the same for every post, so the best post is the one
    of highest quality). Own posts teach nothing and are left out. ``before`` is each read
    cell's knowledge before anyone read."""
    read_cells = reader * state.topics + topic[pick]
    touched, first = np.unique(read_cells, return_index=True)
    other = posters[pick] != reader
    best_cells, teacher = best_per_cell(read_cells[other], quality[pick[other]], posters[pick[other]])
    gain = state.knowledge.reshape(-1)[touched] - before[first]
    where = np.searchsorted(best_cells, touched)
    found = (where < best_cells.size) & (best_cells[np.minimum(where, best_cells.size - 1)] == touched)
    learned = found & (gain > 0)
    state.sources.record(touched[learned] // state.topics, teacher[where[learned]], ESN,
                         gain[learned])


@_jit
def _esn_day(
    draws, knowledge, demand, codifiable, has_tools, lurker, hoarder, generosity, tech_savvy,
    boldness, proactivity, absorption, last_post, post_count, effort, reputation, strength,
    community, members, indptr, indices, reverse, department, step, post_rate, safety,
    audience_weight, tie_upkeep, reads, locality, community_reads, learning_rate,
    reputation_rate, count, total, tracked,
):
    """One day of the ESN in one call (see the module docstring): who posts and on what, the
    posts' effects on their posters, and the reads. Returns ``(posters, topic, quality,
    reader, post, before, cells, gained)``: the day's posts (topic and level per post), the
    reads taken (``before``: the read cell's knowledge before reading, when ``tracked``),
    the cells that learned and the knowledge gained."""
    none = np.empty(0, dtype=np.int64)
    posters = _posters(
        draws, has_tools, lurker, hoarder, generosity, tech_savvy, boldness, indptr, indices,
        post_rate, safety, audience_weight,
    )
    if posters.size == 0:
        return none, none, np.empty(0), none, none, np.empty(0), none, 0.0
    means = column_means(knowledge)
    novelty = np.empty(demand.size)
    for t in range(demand.size):
        novelty[t] = demand[t] * (1.0 - means[t])
    topic = pick_columns(knowledge, posters, novelty, uniforms(draws, posters.size))
    kept = topic >= 0
    posters, topic = posters[kept], topic[kept]
    if posters.size == 0:
        return none, none, np.empty(0), none, none, np.empty(0), none, 0.0
    quality = np.empty(posters.size)
    for i in range(posters.size):
        r = posters[i]
        quality[i] = knowledge[r, topic[i]]
        last_post[r] = step
        post_count[r] += 1
        effort[r] += 1.0
    _pull(reputation, posters, np.ones(1), reputation_rate, count, total)
    if tie_upkeep > 0.0:  # a post keeps the poster's ties to colleagues with tools warm
        ties = _ties_to_tools(indptr, indices, posters, has_tools)
        _pull_ties(strength, reverse, ties, 1.0, tie_upkeep, count, total)
    readers = true_rows(has_tools)
    # Communities as int64, like departments: one compiled `_group_picks` serves both.
    reader, pick = _feed_reads(
        draws, readers, department[readers], department[posters], reads, locality, members,
        community[members].astype(np.int64), community[posters].astype(np.int64),
        community_reads, proactivity,
    )
    before = np.empty(reader.size if tracked else 0)
    for i in range(before.size):
        before[i] = knowledge[reader[i], topic[pick[i]]]
    cells, gained = read_posts(
        knowledge, reader, pick, topic, quality, posters, learning_rate, absorption,
        tech_savvy, codifiable,
    )
    return posters, topic, quality, reader, pick, before, cells, gained


@_jit
def _posters(
    draws, has_tools, lurker, hoarder, generosity, tech_savvy, boldness, indptr, indices,
    post_rate, safety, audience_weight,
):
    """The rows that post this step: those with tools who are neither lurkers nor hoarders and
    whose uniform (one per person, in row order) falls below their chance to post (with their
    `audience`)."""
    n = has_tools.size
    chosen = np.empty(n, dtype=np.int64)
    count = 0
    for i in range(n):
        u = uniform(draws)  # drawn for everyone, in row order
        if not has_tools[i] or lurker[i] or hoarder[i]:
            continue  # cannot post: no need to weigh their ties
        audience = _audience(i, indptr, indices, has_tools, audience_weight)
        chance = (
            post_rate * generosity[i] * tech_savvy[i] * safety * (0.5 + 0.5 * boldness[i])
            * audience
        )
        if u < chance:
            chosen[count] = i
            count += 1
    return chosen[:count]


@_jit
def _audience(i, indptr, indices, has_tools, weight):
    """Person ``i``'s audience factor (see `audience`)."""
    lo, hi = indptr[i], indptr[i + 1]
    share = 0.0
    if hi > lo:
        with_tools = 0.0
        for e in range(lo, hi):
            if has_tools[indices[e]]:
                with_tools += 1.0
        share = with_tools / (hi - lo)
    return 1.0 - weight + weight * share


@_jit
def _audiences(indptr, indices, has_tools, weight):
    out = np.empty(has_tools.size)
    for i in range(has_tools.size):
        out[i] = _audience(i, indptr, indices, has_tools, weight)
    return out


@_jit
def _ties_to_tools(indptr, indices, posters, has_tools):
    """Every tie from a poster to a colleague with tools."""
    count = 0
    for r in posters:
        for e in range(indptr[r], indptr[r + 1]):
            count += has_tools[indices[e]]
    edges = np.empty(count, dtype=np.int64)
    j = 0
    for r in posters:
        for e in range(indptr[r], indptr[r + 1]):
            if has_tools[indices[e]]:
                edges[j] = e
                j += 1
    return edges


@_jit
def _group_picks(draws, reader_group, post_group, reads):
    """For each reader, ``reads`` posts drawn at random from the posts of the reader's group
    (one uniform per slot, in slot order), -1 where the group posted nothing. Groups are
    integers from -1 up (-1: in no group)."""
    groups = 2
    for g in reader_group:
        groups = max(groups, g + 2)
    for g in post_group:
        groups = max(groups, g + 2)
    start = np.zeros(groups + 1, dtype=np.int64)  # group g's posts: order[start[g+1]:start[g+2]]
    for g in post_group:
        start[g + 2] += 1
    for g in range(1, groups + 1):
        start[g] += start[g - 1]
    order = np.empty(post_group.size, dtype=np.int64)
    fill = start[:-1].copy()
    for j in range(post_group.size):  # a stable counting sort of the posts by group
        order[fill[post_group[j] + 1]] = j
        fill[post_group[j] + 1] += 1
    last = max(post_group.size - 1, 0)
    pick = np.empty(reader_group.size * reads, dtype=np.int64)
    for i in range(reader_group.size):
        lo, hi = start[reader_group[i] + 1], start[reader_group[i] + 2]
        for s in range(reads):
            u = uniform(draws)  # drawn even for an empty group, as the slot exists
            pick[i * reads + s] = order[min(lo + np.int64(u * (hi - lo)), last)] if hi > lo else -1
    return pick


@_jit
def _feed_reads(
    draws, readers, reader_department, post_department, reads, locality,
    members, member_community, post_community, community_reads, proactivity,
):
    """The reads taken this step, as ``(reader, post)`` pairs in slot order.

    Each reader has ``reads`` slots: a slot shows a post of the reader's department with chance
    ``locality`` (none if the department posted nothing), else a post drawn from the whole
    organisation's. Community members then have ``community_reads`` slots on their community's
    posts. A slot is read with chance equal to the reader's proactivity, if it shows a post.
    The numbers are drawn slot by slot, one kind after another (department picks, locality,
    organisation picks, community picks, reading).
    """
    pick = _group_picks(draws, reader_department, post_department, reads)
    for slot in range(pick.size):
        if not uniform(draws) < locality:
            pick[slot] = -2  # from the whole organisation, drawn next
    for slot in range(pick.size):
        anywhere = below(draws, post_department.size)
        if pick[slot] == -2:
            pick[slot] = anywhere
    shared = _group_picks(draws, member_community, post_community, community_reads)
    slots = pick.size + shared.size
    reader = np.empty(slots, dtype=np.int64)
    post = np.empty(slots, dtype=np.int64)
    count = 0
    for slot in range(slots):
        if slot < pick.size:
            who, shown = readers[slot // reads], pick[slot]
        else:
            who = members[(slot - pick.size) // community_reads]
            shown = shared[slot - pick.size]
        if uniform(draws) < proactivity[who] and shown >= 0:
            reader[count], post[count] = who, shown
            count += 1
    return reader[:count], post[:count]
