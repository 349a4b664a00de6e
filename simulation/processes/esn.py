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

from orglearn.simulation.processes.kernels import column_means, pick_columns, read_posts
from orglearn.simulation.processes.rules import pull_toward
from orglearn.simulation.sources import ESN, best_per_cell

__all__ = ["post_and_read", "audience"]

_jit = numba.njit(cache=True, nogil=True)


def audience(state, network, weight: float) -> np.ndarray:
    """Each person's audience factor: ``1 - weight + weight * share of their ties with tools``."""
    adjacency = network.adjacency
    degree = np.diff(adjacency.indptr)
    with_tools = adjacency @ state.has_tools.astype(float)
    share = np.divide(with_tools, degree, out=np.zeros(state.n), where=degree > 0)
    return 1.0 - weight + weight * share


def post_and_read(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of ESN activity; returns ``{"posts": ..., "esn": reads that taught}``."""
    p = params.esn
    safety = 0.5 + 0.5 * params.culture.psychological_safety
    adjacency = network.adjacency
    posters = _posters(
        rng.random(state.n), state.has_tools, state.lurker, state.hoarder, state.generosity,
        state.tech_savvy, state.boldness, adjacency.indptr, adjacency.indices,
        p.post_rate, safety, p.audience,
    )
    counts = {"posts": 0, "esn": 0, "gain_esn": 0.0}
    if posters.size == 0:
        return counts
    k = state.knowledge
    novelty = state.demand * (1.0 - column_means(k))
    topic = pick_columns(k, posters, novelty, rng.random(posters.size))
    posters, topic = posters[topic >= 0], topic[topic >= 0]
    if posters.size == 0:
        return counts
    quality = state.get(posters, topic)
    counts["posts"] = int(posters.size)
    state.last_post[posters] = step
    state.post_count[posters] += 1
    state.effort[posters] += 1.0
    state.use(posters, topic)
    pull_toward(state.reputation, posters, 1.0, params.asking.reputation_rate)
    if p.tie_upkeep > 0.0:  # a post keeps the poster's ties to colleagues with tools warm
        ties = _ties_to_tools(adjacency.indptr, adjacency.indices, network.reverse, posters,
                              state.has_tools)
        pull_toward(state.strength, ties, 1.0, p.tie_upkeep)

    # Every random number of the reading is drawn first, in a fixed order, then one compiled
    # pass makes the feeds (see `_feed_reads`).
    readers = np.flatnonzero(state.has_tools)
    slots = readers.size * p.reads
    u_slot = rng.random((readers.size, p.reads))
    u_local = rng.random(slots)
    anywhere = rng.integers(0, posters.size, size=slots)
    members = np.empty(0, np.int64)
    if p.community_reads:
        members = np.flatnonzero((state.community >= 0) & state.has_tools)
    u_member = rng.random((members.size, p.community_reads))
    u_seek = rng.random(slots + u_member.size)
    department, community = network.department, state.community
    reader, pick = _feed_reads(
        readers, department[readers], department[posters], u_slot, u_local, p.feed_locality,
        anywhere, members, community[members], community[posters], u_member, u_seek,
        state.proactivity,
    )
    if reader.size == 0:
        return counts
    if state.sources is not None:
        read_cells = reader * state.topics + topic[pick]
        touched = np.unique(read_cells)
        before = k.reshape(-1)[touched]
    cells, gained = read_posts(
        k, reader, pick, topic, quality, posters,
        p.learning_rate, state.absorption, state.tech_savvy, state.codifiable,
    )
    if state.sources is not None:
        _record_reads(state, read_cells, touched, before, pick, quality, posters, reader)
    state.used.append(cells)
    counts["esn"] = int(cells.size)
    counts["gain_esn"] = float(gained)
    return counts


def _record_reads(state, read_cells, touched, before, pick, quality, posters, reader) -> None:
    """Credit each cell's gain to the poster of the best post read on it (reading keeps the
    best outcome; the reader's rate is the same for every post, so the best post is the one
    of highest quality). Own posts teach nothing and are left out."""
    other = posters[pick] != reader
    best_cells, teacher = best_per_cell(read_cells[other], quality[pick[other]], posters[pick[other]])
    gain = state.knowledge.reshape(-1)[touched] - before
    where = np.searchsorted(best_cells, touched)
    found = (where < best_cells.size) & (best_cells[np.minimum(where, best_cells.size - 1)] == touched)
    learned = found & (gain > 0)
    state.sources.record(touched[learned] // state.topics, teacher[where[learned]], ESN,
                         gain[learned])


@_jit
def _posters(
    u, has_tools, lurker, hoarder, generosity, tech_savvy, boldness, indptr, indices,
    post_rate, safety, audience_weight,
):
    """The rows that post this step: those with tools who are neither lurkers nor hoarders and
    whose uniform ``u`` falls below their chance to post (`audience` computed inline)."""
    chosen = np.empty(u.size, dtype=np.int64)
    count = 0
    for i in range(u.size):
        lo, hi = indptr[i], indptr[i + 1]
        share = 0.0
        if hi > lo:
            with_tools = 0.0
            for e in range(lo, hi):
                if has_tools[indices[e]]:
                    with_tools += 1.0
            share = with_tools / (hi - lo)
        audience = 1.0 - audience_weight + audience_weight * share
        chance = (
            post_rate * generosity[i] * tech_savvy[i] * safety * (0.5 + 0.5 * boldness[i])
            * audience
        )
        if has_tools[i] and not lurker[i] and not hoarder[i] and u[i] < chance:
            chosen[count] = i
            count += 1
    return chosen[:count]


@_jit
def _ties_to_tools(indptr, indices, reverse, posters, has_tools):
    """Both directions of every tie from a poster to a colleague with tools."""
    count = 0
    for r in posters:
        for e in range(indptr[r], indptr[r + 1]):
            count += has_tools[indices[e]]
    edges = np.empty(2 * count, dtype=np.int64)
    j = 0
    for r in posters:
        for e in range(indptr[r], indptr[r + 1]):
            if has_tools[indices[e]]:
                edges[j] = e
                edges[count + j] = reverse[e]
                j += 1
    return edges


@_jit
def _group_picks(reader_group, post_group, u):
    """For reader ``i``'s slot ``s``, the post at ``u[i, s]`` of the way through the posts of
    the reader's group (in post order), or -1 where the group posted nothing. Groups are
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
    reads = u.shape[1]
    last = max(post_group.size - 1, 0)
    pick = np.full(u.shape[0] * reads, -1, dtype=np.int64)
    for i in range(u.shape[0]):
        lo, hi = start[reader_group[i] + 1], start[reader_group[i] + 2]
        if hi > lo:
            for s in range(reads):
                pick[i * reads + s] = order[min(lo + np.int64(u[i, s] * (hi - lo)), last)]
    return pick


@_jit
def _feed_reads(
    readers, reader_department, post_department, u_slot, u_local, locality, anywhere,
    members, member_community, post_community, u_member, u_seek, proactivity,
):
    """The reads taken this step, as ``(reader, post)`` pairs in slot order.

    Each reader has ``u_slot.shape[1]`` slots: a slot shows a post of the reader's department
    where ``u_local < locality`` (none if the department posted nothing), else the post
    ``anywhere`` in the organisation. Community members then have ``u_member.shape[1]`` slots
    on their community's posts. A slot is read where ``u_seek`` falls below the reader's
    proactivity and it shows a post.
    """
    local = _group_picks(reader_department, post_department, u_slot)
    shared = _group_picks(member_community, post_community, u_member)
    reads, extra = u_slot.shape[1], u_member.shape[1]
    reader = np.empty(u_seek.size, dtype=np.int64)
    pick = np.empty(u_seek.size, dtype=np.int64)
    count = 0
    for slot in range(u_seek.size):
        if slot < local.size:
            who = readers[slot // reads]
            post = local[slot] if u_local[slot] < locality else anywhere[slot]
        else:
            who = members[(slot - local.size) // extra]
            post = shared[slot - local.size]
        if u_seek[slot] < proactivity[who] and post >= 0:
            reader[count], pick[count] = who, post
            count += 1
    return reader[:count], pick[:count]
