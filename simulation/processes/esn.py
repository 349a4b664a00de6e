"""Process 3, posting and reading on the enterprise social network (public, broadcast).

**Posting.** People with tools who are neither lurkers nor hoarders post with chance
``post_rate * generosity * tech_savvy * (0.5 + 0.5 * safety)``, about a topic chosen in
proportion to ``knowledge * demand * (1 - the organisation's mean knowledge of it)``: what they
know that matters and that colleagues lack (people share news, not what everyone knows). A post
carries the poster's knowledge of that topic. Posting is visible, so it pulls the poster's reputation toward 1 at
the asking section's ``reputation_rate``.

**Reading.** Everyone with tools, lurkers included, reads ``reads`` posts drawn at random from
the step's feed (never their own), and learns from each post as from a source at the post's
level (`rules.absorb`) at rate ``learning_rate * absorption * tech_savvy``: less than from direct
help. When a reader reads several posts on one topic, their knowledge moves to the best of the
outcomes, never to a sum (reading is synchronous); the ``esn`` count is the number of reads
that taught something.

**Communities of practice.** Members of a community (see the ``start_community_of_practice``
intervention) who have tools also read ``community_reads`` posts a step drawn from their fellow
members' posts: a sub-feed that crosses departments.
"""

from __future__ import annotations

import numpy as np

from simulation.processes.kernels import column_means, pick_columns, read_posts
from simulation.processes.rules import pull_toward

__all__ = ["post_and_read"]


def post_and_read(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Apply one step of ESN activity; returns ``{"posts": ..., "esn": reads that taught}``."""
    p = params.esn
    safety = 0.5 + 0.5 * params.culture.psychological_safety
    can_post = state.has_tools & ~state.lurker & ~state.hoarder
    chance = p.post_rate * state.generosity * state.tech_savvy * safety
    posters = np.flatnonzero(can_post & (rng.random(state.n) < chance))
    readers = np.flatnonzero(state.has_tools)
    counts = {"posts": 0, "esn": 0}
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
    state.use(posters, topic)
    pull_toward(state.reputation, posters, 1.0, params.asking.reputation_rate)

    reader, pick = _feed(readers, posters.size, p.reads, rng)
    if p.community_reads:
        extra_reader, extra_pick = _community_feed(state, posters, p.community_reads, rng)
        reader = np.concatenate((reader, extra_reader))
        pick = np.concatenate((pick, extra_pick))
    if reader.size == 0:
        return counts
    cells = read_posts(
        k, reader, pick, topic, quality, posters,
        p.learning_rate, state.absorption, state.tech_savvy,
    )
    state.used.append(cells)
    counts["esn"] = int(cells.size)
    return counts


def _feed(readers: np.ndarray, n_posts: int, reads: int, rng: np.random.Generator):
    """Each reader reads ``reads`` posts drawn at random from the whole feed."""
    if readers.size == 0 or reads == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pick = rng.integers(0, n_posts, size=readers.size * reads)
    return np.repeat(readers, reads), pick


def _community_feed(state, posters: np.ndarray, reads: int, rng: np.random.Generator):
    """Each community member with tools reads ``reads`` posts by fellow members."""
    post_community = state.community[posters]
    order = np.argsort(post_community, kind="stable")
    sorted_community = post_community[order]
    members = np.flatnonzero((state.community >= 0) & state.has_tools)
    c = state.community[members]
    lo = np.searchsorted(sorted_community, c, side="left")
    hi = np.searchsorted(sorted_community, c, side="right")
    has_posts = hi > lo
    members, lo, hi = members[has_posts], lo[has_posts], hi[has_posts]
    offset = (rng.random((members.size, reads)) * (hi - lo)[:, None]).astype(np.int64)
    pick = order[(lo[:, None] + offset).ravel()]
    return np.repeat(members, reads), pick
