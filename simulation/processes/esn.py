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

import numpy as np

from orglearn.simulation.processes.kernels import column_means, pick_columns, read_posts
from orglearn.simulation.processes.rules import pull_toward
from orglearn.simulation.sources import ESN, best_per_cell

__all__ = ["post_and_read", "audience"]


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
    can_post = state.has_tools & ~state.lurker & ~state.hoarder
    chance = (
        p.post_rate
        * state.generosity
        * state.tech_savvy
        * safety
        * (0.5 + 0.5 * state.boldness)
        * audience(state, network, p.audience)
    )
    posters = np.flatnonzero(can_post & (rng.random(state.n) < chance))
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
    _keep_up_ties(state, network, posters, p.tie_upkeep)

    readers = np.flatnonzero(state.has_tools)
    department = network.department
    reader, pick = _group_feed(readers, department[readers], department[posters], p.reads, rng)
    # Reads not taken from the department feed come from the whole organisation.
    local = rng.random(reader.size) < p.feed_locality
    pick = np.where(local, pick, rng.integers(0, posters.size, size=reader.size))
    if p.community_reads:
        members = np.flatnonzero((state.community >= 0) & state.has_tools)
        extra_reader, extra_pick = _group_feed(
            members, state.community[members], state.community[posters], p.community_reads, rng
        )
        reader = np.concatenate((reader, extra_reader))
        pick = np.concatenate((pick, extra_pick))
    seeking = rng.random(reader.size) < state.proactivity[reader]
    reader, pick = reader[seeking & (pick >= 0)], pick[seeking & (pick >= 0)]
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


def _keep_up_ties(state, network, posters: np.ndarray, rate: float) -> None:
    """A post keeps the poster's ties to colleagues with tools warm (both directions)."""
    if rate <= 0.0:
        return
    edges = network.out_edges(posters)
    edges = edges[state.has_tools[network.adjacency.indices[edges]]]
    pull_toward(state.strength, np.concatenate((edges, network.reverse[edges])), 1.0, rate)


def _group_feed(
    readers: np.ndarray,
    reader_group: np.ndarray,
    post_group: np.ndarray,
    reads: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``reads`` posts per reader, each drawn at random from the posts of the reader's group.

    Returns ``(reader, post)`` pairs, ``reads`` per reader in reader order; the post is -1 where
    the reader's group posted nothing this step.
    """
    if readers.size == 0 or reads == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(post_group, kind="stable")
    sorted_group = post_group[order]
    lo = np.searchsorted(sorted_group, reader_group, side="left")
    hi = np.searchsorted(sorted_group, reader_group, side="right")
    offset = (rng.random((readers.size, reads)) * (hi - lo)[:, None]).astype(np.int64)
    index = np.minimum(lo[:, None] + offset, max(order.size - 1, 0)).ravel()
    pick = np.where(np.repeat(hi > lo, reads), order[index], -1)
    return np.repeat(readers, reads), pick
