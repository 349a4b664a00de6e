"""Compiled (numba) kernels for the parts of a step that walk ties or fuse many small passes.

A step's choices (which neighbour to ask, which topic, which post to read) are per-person
weighted draws over a handful of ties or topics. In numpy they take a dozen passes over
temporary arrays; here each is one pass. The kernels are serial and draw no random numbers:
the caller draws the uniforms they need from the model's ``numpy.random.Generator`` first, so
a run's numbers depend only on its seed, never on thread counts.

Compiled code is cached next to this module (``cache=True``), so only the first import on a
machine pays the compile time (a few seconds). Indices are trusted: compiled code does not
check bounds, so callers pass rows, edges and posts that exist (the processes do).

Every weighted pick uses the same rule (`_pick`): with weights ``w`` and a uniform ``u`` in
[0, 1), it returns the first entry whose running sum exceeds ``u * sum(w)``, skipping entries
of weight zero, so an entry is picked with chance ``w / sum(w)`` and a weight-zero entry never.
The exception is `choose`, which stands in for a ``Generator.choice`` call that a process made
in numpy and so repeats its arithmetic; likewise `pairwise_sum` and `std` give numpy's sum and
standard deviation to the bit, so that moving a process into compiled code changed no result.
"""

from __future__ import annotations

import numba
import numpy as np

from orglearn.simulation.processes.rules import learn


__all__ = [
    "NO_WEIGHT",
    "pick_edges",
    "pick_columns",
    "asking_choices",
    "read_posts",
    "column_means",
    "row_dot",
    "bernoulli_rows",
    "true_rows",
    "pick_ties",
    "pairwise_sum",
    "std",
    "choose",
]

_jit = numba.njit(cache=True, nogil=True)

#: Pass as ``edge_weight`` or ``node_weight`` of `pick_edges` for a weight of one throughout.
NO_WEIGHT = np.empty(0)

# The learning rule of `rules.learn`, compiled for scalars: one definition for both.
_learn = numba.njit(cache=True, inline="always")(learn)



@_jit
def _pick(weights, u):
    """The index drawn with chance ``weights / sum(weights)`` by the uniform ``u``, or -1."""
    total = 0.0
    for w in weights:
        total += w
    if not total > 0.0:
        return -1
    target, running, chosen = u * total, 0.0, -1
    for j in range(weights.size):
        if weights[j] > 0.0:
            chosen = j
            running += weights[j]
            if running > target:
                break
    return chosen  # rounding can leave running <= target at the end: the last positive one


@_jit
def _max_degree(indptr, rows):
    most = 0
    for r in rows:
        most = max(most, indptr[r + 1] - indptr[r])
    return most


@_jit
def pick_edges(indptr, indices, rows, u, edge_weight, node_weight):
    """One out-edge per row of a CSR structure, with chance proportional to its weight.

    The weight of edge ``e`` is ``edge_weight[e] * node_weight[indices[e]]``; an empty array
    stands for all ones. Returns the chosen edge id per row, or -1 where a row has no edge of
    positive weight. ``u`` holds one uniform draw per row.
    """
    chosen = np.full(rows.size, -1, dtype=np.int64)
    weights = np.empty(_max_degree(indptr, rows))
    for i in range(rows.size):
        lo, hi = indptr[rows[i]], indptr[rows[i] + 1]
        for e in range(lo, hi):
            w = 1.0
            if edge_weight.size:
                w *= edge_weight[e]
            if node_weight.size:
                w *= node_weight[indices[e]]
            weights[e - lo] = w
        j = _pick(weights[: hi - lo], u[i])
        if j >= 0:
            chosen[i] = lo + j
    return chosen


@_jit
def pick_columns(matrix, rows, scale, u):
    """One column per row of ``matrix[rows]``, with chance proportional to ``matrix * scale``.

    Returns the column per row, or -1 where the row's weights sum to zero.
    """
    chosen = np.full(rows.size, -1, dtype=np.int64)
    weights = np.empty(matrix.shape[1])
    for i in range(rows.size):
        r = rows[i]
        for j in range(weights.size):
            weights[j] = matrix[r, j] * scale[j]
        chosen[i] = _pick(weights, u[i])
    return chosen


@_jit
def asking_choices(
    indptr, indices, knowledge, demand, strength, askers, u_topic, u_helper, floor,
    team, searches, findable, hidden, up_only, manager,
):
    """What each asker asks about, and whom (process 2, steps 2 and 3).

    The topic is drawn in proportion to ``demand * (1 - own knowledge) ** 2 * (0.5 + the
    neighbours' mean knowledge)``; the helper, a tie, in proportion to
    ``strength * (floor + perceived lead on the topic)``, the lead being how much more the
    neighbour knows than the asker. A neighbour's lead is perceived fully when they are a
    teammate, or when the asker ``searches`` (has tools) and the neighbour is ``findable``
    (posted lately), else at ``hidden`` of its value. An asker with ``up_only`` asks only their
    manager. Returns ``(topic, edge)`` per asker, -1 where there is nothing to ask or no one.
    """
    topics = knowledge.shape[1]
    topic = np.full(askers.size, -1, dtype=np.int64)
    edge = np.full(askers.size, -1, dtype=np.int64)
    weights = np.empty(topics)
    helpers = np.empty(_max_degree(indptr, askers))
    for i in range(askers.size):
        a = askers[i]
        lo, hi = indptr[a], indptr[a + 1]
        if hi == lo:
            continue  # no one to ask
        weights[:] = 0.0
        for e in range(lo, hi):
            row = indices[e]
            for t in range(topics):
                weights[t] += knowledge[row, t]
        for t in range(topics):
            gap = 1.0 - knowledge[a, t]
            weights[t] = demand[t] * gap * gap * (0.5 + weights[t] / (hi - lo))
        t = _pick(weights, u_topic[i])
        if t < 0:
            continue
        topic[i] = t
        for e in range(lo, hi):
            j = indices[e]
            if up_only[a] and j != manager[a]:
                helpers[e - lo] = 0.0
                continue
            seen = 1.0 if team[j] == team[a] or (searches[a] and findable[j]) else hidden
            more = max(knowledge[j, t] - knowledge[a, t], 0.0)
            helpers[e - lo] = strength[e] * (floor + seen * more)
        j = _pick(helpers[: hi - lo], u_helper[i])
        if j >= 0:
            edge[i] = lo + j
    return topic, edge


@_jit
def read_posts(
    knowledge, reader, post, topic, quality, poster, rate, absorption, savvy, codifiable
):
    """Readers learn from posts (process 3), synchronously; returns the cells that learned and
    the knowledge they gained in all.

    Reader ``reader[i]`` reads post ``post[i]`` (topic ``topic[post]``, level
    ``quality[post]``). A post carries only the explicit pieces of a topic: the reader learns
    them (`rules.learn`, tacit rate 0) at ``rate * absorption * savvy``, from their knowledge
    as it was before anyone read, and never beyond the topic's codifiable share.
    Where one reader reads several posts on one topic, the best outcome is kept, never a sum.
    Own posts teach nothing.
    """
    n = reader.size
    new = np.empty(n)
    useful = np.zeros(n, dtype=np.bool_)
    count = 0
    for i in range(n):  # first every outcome, from the state before reading
        r, p = reader[i], post[i]
        t = topic[p]
        current = knowledge[r, t]
        new[i] = _learn(current, quality[p], rate * absorption[r] * savvy[r], 0.0, codifiable[t])
        if new[i] > current and poster[p] != r:
            useful[i] = True
            count += 1
    cells = np.empty(count, dtype=np.int64)
    gained = 0.0
    j = 0
    for i in range(n):  # then the best outcome per cell
        if useful[i]:
            r, t = reader[i], topic[post[i]]
            if new[i] > knowledge[r, t]:
                gained += new[i] - knowledge[r, t]
                knowledge[r, t] = new[i]
            cells[j] = r * knowledge.shape[1] + t
            j += 1
    return cells, gained


@_jit
def column_means(matrix):
    """Mean of each column, summed in row order (numpy's ``mean(axis=0)`` is 5x slower here)."""
    sums = np.zeros(matrix.shape[1])
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            sums[j] += matrix[i, j]
    return sums / max(matrix.shape[0], 1)


@_jit
def row_dot(matrix, weights):
    """``matrix @ weights``, one row at a time in column order.

    Serial on purpose: a BLAS mat-vec starts a thread per core on a large matrix, and on a
    machine that is running other work (a sweep's workers, the UI's server) those threads
    slowed 100,000-agent steps 1.5-2.6x; a compiled pass is as fast as one BLAS thread and
    its sums do not depend on thread counts.
    """
    out = np.empty(matrix.shape[0])
    for i in range(matrix.shape[0]):
        total = 0.0
        for j in range(matrix.shape[1]):
            total += matrix[i, j] * weights[j]
        out[i] = total
    return out


@_jit
def bernoulli_rows(u, chance, scale):
    """The rows ``i`` where ``u[i] < chance[i] * scale``, in order: who acts this step.

    Fuses ``np.flatnonzero(u < chance * scale)`` (three passes and two temporaries) into two
    passes, counting first so the result is allocated at its size.
    """
    count = 0
    for i in range(u.size):
        count += u[i] < chance[i] * scale
    # Branch-free: with chances near one half, a branch would be mispredicted half the time
    # (three times slower). Every row is written, so one slot more than chosen.
    rows = np.empty(count + 1, dtype=np.int64)
    j = 0
    for i in range(u.size):
        rows[j] = i
        j += u[i] < chance[i] * scale
    return rows[:count]


@_jit
def true_rows(mask):
    """``np.flatnonzero(mask)`` of a boolean array, branch-free like `bernoulli_rows`."""
    count = 0
    for keep in mask:
        count += keep
    rows = np.empty(count + 1, dtype=np.int64)
    j = 0
    for i in range(mask.size):
        rows[j] = i
        j += mask[i]
    return rows[:count]


@_jit
def pick_ties(indptr, indices, rows, u, edge_weight, node_weight):
    """`pick_edges`, keeping only the rows that found a tie: returns ``(rows, edges)`` of those."""
    edge = pick_edges(indptr, indices, rows, u, edge_weight, node_weight)
    found = true_rows(edge >= 0)
    return rows[found], edge[found]


@_jit
def _block_sum(values, lo, n):
    """numpy's sum of a block of at most 128 values, ``values[lo:lo + n]``."""
    if n < 8:
        total = 0.0
        for i in range(lo, lo + n):
            total += values[i]
        return total
    # eight running sums over the block, combined as a tree, then the rest
    a = values
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    end = lo + n - n % 8
    i = lo + 8
    while i < end:
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < lo + n:
        total += a[i]
        i += 1
    return total


@_jit
def pairwise_sum(values):
    """``values.sum()`` of a contiguous float64 array, to the bit: numpy's summation order.

    numpy sums blocks of up to 128 values (`_block_sum`) and splits a longer range in two, the
    first part a multiple of 8 long, adding the two parts' sums. That recursion is walked here
    with an explicit stack (numba's cache cannot hold recursive functions). Lets a kernel return
    a sum that a metric has always taken with numpy, without a numpy call;
    `tests/simulation/test_fused_kernels.py` checks it against numpy.
    """
    # Ranges still to sum, and whether a range's two parts are already summed; a split range is
    # pushed back under its parts, so it is met again when both sums are on `sums`.
    lo, size = np.empty(130, dtype=np.int64), np.empty(130, dtype=np.int64)
    split = np.empty(130, dtype=np.bool_)
    sums = np.empty(130)
    lo[0], size[0], split[0] = 0, values.size, False
    top, count = 1, 0
    while top:
        top -= 1
        start, n = lo[top], size[top]
        if n <= 128:
            sums[count] = _block_sum(values, start, n)
            count += 1
        elif split[top]:
            count -= 1
            sums[count - 1] = sums[count - 1] + sums[count]
        else:
            half = n // 2
            half -= half % 8
            split[top] = True  # met again after both parts
            lo[top + 1], size[top + 1], split[top + 1] = start + half, n - half, False
            lo[top + 2], size[top + 2], split[top + 2] = start, half, False
            top += 3
    return 0.0 + sums[0]  # numpy starts from 0.0: -0.0 sums to 0.0


@_jit
def std(values):
    """``values.std()`` to the bit: the mean, then the mean squared deviation, summed as numpy
    sums them."""
    mean = pairwise_sum(values) / values.size
    squares = np.empty(values.size)
    for i in range(values.size):
        deviation = values[i] - mean
        squares[i] = deviation * deviation
    return np.sqrt(pairwise_sum(squares) / values.size)


@_jit
def choose(weights, u):
    """The picks of ``rng.choice(weights.size, size=u.size, p=weights / weights.sum())`` when
    ``u = rng.random(u.size)`` is drawn where that call would draw: the same arithmetic (the
    running sum of the probabilities over its last entry, and per uniform the first entry above
    it), without the call's checks of ``p`` (tens of microseconds). Weights must be
    non-negative with a positive sum.
    """
    cdf = np.cumsum(weights / pairwise_sum(weights))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, u, side="right")
