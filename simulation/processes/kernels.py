"""Compiled (numba) kernels for the parts of a step that walk ties or fuse many small passes.

A step's choices (which neighbour to ask, which topic, which post to read) are per-person
weighted draws over a handful of ties or topics. In numpy they take a dozen passes over
temporary arrays; here each is one pass. The kernels are serial. Most take the uniforms they
need as arrays; the day-level ones (`asking_day`) draw them from the model's Generator through
`simulation.processes.draws`, in the order the numpy calls would, so a run's numbers depend
only on its seed, never on thread counts.

Compiled code is cached next to this module (``cache=True``), so only the first run on a
machine pays the compile time (about 23 s for all the processes' kernels and the metrics).
Indices are trusted: compiled code does not check bounds, so callers pass rows, edges and posts
that exist (the processes do).

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

from orglearn.simulation.parameters import STYLES
from orglearn.simulation.processes.draws import uniforms
from orglearn.simulation.processes.rules import _pull, absorb, learn


__all__ = [
    "NO_WEIGHT",
    "pick_edges",
    "pick_columns",
    "asking_choices",
    "asking_turns",
    "telling_choices",
    "telling",
    "helping",
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
#: From Python only: inside compiled code a global array is read-only, a type of its own that
#: would compile `pick_edges` again; kernels pass ``np.empty(0)``.
NO_WEIGHT = np.empty(0)

# The learning rules of `rules.learn` and `rules.absorb`, compiled for scalars: one definition
# for both.
_learn = numba.njit(cache=True, inline="always")(learn)
_absorb = numba.njit(cache=True, inline="always")(absorb)



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
    team, searches, last_post, since, hidden, up_only, manager,
):
    """What each asker asks about, and whom (process 2, steps 2 and 3).

    The topic is drawn in proportion to ``demand * (1 - own knowledge) ** 2 * (0.5 + the
    neighbours' mean knowledge)``; the helper, a tie, in proportion to
    ``strength * (floor + perceived lead on the topic)``, the lead being how much more the
    neighbour knows than the asker. A neighbour's lead is perceived fully when they are a
    teammate, or when the asker ``searches`` (has tools) and the neighbour is findable (their
    ``last_post`` is after step ``since``), else at ``hidden`` of its value. Asker ``i`` asks
    only their manager where ``up_only[i]`` (one flag per asker, not per person).
    Returns ``(topic, edge)`` per asker, -1 where there is nothing to ask or no one.
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
            if up_only[i] and j != manager[a]:
                helpers[e - lo] = 0.0
                continue
            findable = last_post[j] > since
            seen = 1.0 if team[j] == team[a] or (searches[a] and findable) else hidden
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


# Process 2, asking for help (`asking.py`): the arithmetic around its draws, one kernel between
# one draw and the next. In numpy this took dozens of small calls a step, each costing more in
# overhead than its arithmetic at 200 people, and a pass over a temporary at 100,000.

#: Style codes (`parameters.STYLES`) the asking kernels act on.
ABRASIVE, DEFENSIVE, PUSHY, TOP_DOWN = (
    STYLES.index(s) for s in ("abrasive", "defensive", "pushy", "top_down")
)


@_jit
def asking_turns(
    u, rate, proactivity, boldness, safety, damping, formal_preference, style, style_rules,
    is_manager, pushy, defensive,
):
    """Who takes a turn at asking (process 2, step 1), from one uniform ``u`` per person.

    Person ``i`` takes a turn where ``u[i] < rate * proactivity * boldness * safety * (1 -
    damping * formal_preference)``, that chance times ``pushy`` or ``defensive`` for people of
    those styles. Returns ``(tellers, askers, up_only)`` in row order: the top-down managers
    (who tell instead of asking), everyone else, and per asker whether they are top-down (they
    ask only their manager). Without ``style_rules`` every style counts as tactful.
    """
    turns = np.empty(u.size, dtype=np.int64)
    taking = telling = 0
    for i in range(u.size):
        s = style[i] if style_rules else 0
        dampen = 1.0 - damping * formal_preference[i]
        chance = rate * proactivity[i] * boldness[i] * safety * dampen
        if s == PUSHY:
            chance = pushy * chance
        elif s == DEFENSIVE:
            chance = defensive * chance
        # Branch-free: whether someone takes a turn is a coin toss the CPU cannot predict.
        turns[taking] = i
        takes = u[i] < chance
        taking += takes
        telling += takes & (s == TOP_DOWN) & is_manager[i]
    tellers = np.empty(telling, dtype=np.int64)
    askers = np.empty(taking - telling, dtype=np.int64)
    up_only = np.empty(taking - telling, dtype=np.bool_)
    tells = asks = 0
    for i in turns[:taking]:
        top_down = style_rules and style[i] == TOP_DOWN
        if top_down and is_manager[i]:
            tellers[tells] = i
            tells += 1
        else:
            askers[asks], up_only[asks] = i, top_down
            asks += 1
    return tellers, askers, up_only


@_jit
def telling_choices(knowledge, demand, indptr, indices, to_report, tellers, u_topic, u_report):
    """What each top-down manager tells, and to whom (process 2, step 4).

    The topic is drawn in proportion to the teller's knowledge times its ``demand``, never
    topic 0 (the new idea); the tie in proportion to ``to_report`` (1 for a tie to a report).
    Returns ``(tellers, topic, edge)`` of the tellers who found both, in order.
    """
    weight = demand.copy()
    weight[0] = 0.0  # they tell what clients need, not the new idea
    topic = pick_columns(knowledge, tellers, weight, u_topic)
    edge = pick_edges(indptr, indices, tellers, u_report, to_report, np.empty(0))
    found = (edge >= 0) & (topic >= 0)
    return tellers[found], topic[found], edge[found]


@_jit
def _pull_ties(strength, reverse, edges, target, rate, count, total):
    """`rules.pull_toward` on both directions of each tie in ``edges``."""
    if edges.size:
        both = np.concatenate((edges, reverse[edges]))
        _pull(strength, both, np.full(1, target), rate, count, total)


@_jit
def _learn_from(knowledge, learner, teacher, topic, edge, rate, strength, codifiable):
    """Each ``learner[i]`` learns ``topic[i]`` from ``teacher[i]`` over tie ``edge[i]``
    (`rules.learn` at ``rate[i]``, tacit pieces times the tie's strength), synchronously: every
    outcome is worked out from the knowledge before any is written, and each learner changes
    only its own cell (one per learner). Returns the used cells (learners', then teachers') and
    the gains."""
    k = knowledge.shape[1]
    new, gain = np.empty(learner.size), np.empty(learner.size)
    cells = np.empty(2 * learner.size, dtype=np.int64)
    for i in range(learner.size):
        r, t = learner[i], topic[i]
        mine = knowledge[r, t]
        tacit_rate = rate[i] * strength[edge[i]]
        new[i] = _learn(mine, knowledge[teacher[i], t], rate[i], tacit_rate, codifiable[t])
        gain[i] = new[i] - mine
        cells[i] = r * k + t
        cells[learner.size + i] = teacher[i] * k + t
    for i in range(learner.size):
        knowledge[learner[i], topic[i]] = new[i]
    return cells, gain


@_jit
def _absorption(absorption, learner, style, style_rules, defensive_absorption):
    """Each learner's rate of taking in what they are taught or told: their absorption, times
    ``defensive_absorption`` for a defensive learner (with ``style_rules``)."""
    rate = absorption[learner]
    for i in range(learner.size):
        if style_rules and style[learner[i]] == DEFENSIVE:
            rate[i] = defensive_absorption * rate[i]
    return rate


@_jit
def telling(
    knowledge, indices, reverse, strength, tact, absorption, style, style_rules, codifiable,
    tellers, topic, edge, u, defensive_absorption, strengthen, count, total,
):
    """Tellings land and teach (process 2, step 4), synchronously.

    Teller ``tellers[i]`` tells the far end of ``edge[i]`` (a report) about ``topic[i]``: it
    lands where the teller knows more and ``u[i] < tact_report * tact_teller``, and the report
    learns (`rules.learn`) at their absorption (times ``defensive_absorption`` for a defensive
    report, with ``style_rules``), tacit pieces times the tie's strength. Ties that carried a
    telling are pulled toward 1 at ``strengthen`` (`rules.pull_toward`, with its scratch
    ``count`` and ``total``). Returns ``(cells, learner, teacher, gain)`` of the tellings that
    landed: the used cells (learners' then teachers'), who learned from whom, and how much.
    """
    lands = np.zeros(tellers.size, dtype=np.bool_)
    for i in range(tellers.size):
        r, m = indices[edge[i]], tellers[i]
        lands[i] = knowledge[m, topic[i]] > knowledge[r, topic[i]] and u[i] < tact[r] * tact[m]
    landed = true_rows(lands)
    learner, teacher = indices[edge[landed]], tellers[landed]
    rate = _absorption(absorption, learner, style, style_rules, defensive_absorption)
    cells, gain = _learn_from(
        knowledge, learner, teacher, topic[landed], edge[landed], rate, strength, codifiable
    )
    _pull_ties(strength, reverse, edge[landed], 1.0, strengthen, count, total)
    return cells, learner, teacher, gain


@_jit
def helping(
    knowledge, indices, reverse, askers, topic, edge, u_insist, u_willing, u_lands,
    style, style_rules, generosity, tact, absorption, defensive_absorption, codifiable,
    trust_matters, reciprocity_sensitivity, reputation, usual_reputation, given, received,
    effort, strength, strengthen, weaken, reputation_rate, count, total,
):
    """Helpers help or refuse, help lands and teaches, and ties, ledgers and reputations follow
    (process 2, steps 5 to 8), synchronously: every decision reads the state as it was before.

    ``askers``, ``topic`` and ``edge`` are `asking_choices`' (edge -1: no one asked); the
    uniforms are one per asker who asked, in order. The pulls are `rules.pull_toward`'s, with
    its scratch ``count`` and ``total``. Returns ``(helps, refusals, cells, learner, teacher,
    gain)``: the counts, the used cells (learners', then teachers') and who learned from whom,
    and how much, where help landed.
    """
    asked = u_insist.size
    rows = true_rows(edge >= 0)
    edges = edge[rows]
    helper = indices[edges]
    can_teach = np.empty(asked, dtype=np.bool_)
    helped = np.empty(asked, dtype=np.bool_)
    lands = np.empty(asked, dtype=np.bool_)
    pushy = np.empty(asked, dtype=np.bool_)
    abrasive = np.empty(asked, dtype=np.bool_)
    for i in range(asked):
        a, h, t, e = askers[rows[i]], helper[i], topic[rows[i]], edges[i]
        can_teach[i] = knowledge[h, t] > knowledge[a, t]
        chance = generosity[h] * (0.5 + 0.5 * tact[a])
        if trust_matters:
            b = reverse[e]  # the tie seen from the helper's side
            record = min(1.0, (received[b] + 1.0) / (given[b] + 1.0))
            # Reputation is judged against what is usual here: the typical colleague is trusted.
            standing = min(1.0, reputation[a] / usual_reputation)
            chance = chance * (1.0 - reciprocity_sensitivity[h] * (1.0 - standing * record))
        pushy[i] = style_rules and style[a] == PUSHY
        abrasive[i] = style_rules and style[h] == ABRASIVE
        # A pushy asker who was refused asks again: a second draw. (Bitwise, not and/or: these
        # are coin tosses, and branches on them are mispredicted half the time.)
        helped[i] = can_teach[i] & (
            (u_willing[i] < chance) | (pushy[i] & (u_insist[i] < chance))
        )
        lands[i] = u_lands[i] < (tact[a] if abrasive[i] else tact[a] * tact[h])
    success = true_rows(helped & lands)
    learner, teacher, taught = askers[rows[success]], helper[success], edges[success]
    rate = _absorption(absorption, learner, style, style_rules, defensive_absorption)
    cells, gain = _learn_from(
        knowledge, learner, teacher, topic[rows[success]], taught, rate, strength, codifiable
    )
    for e in taught:  # the ledgers: given on the helper's side of the tie, received on the asker's
        given[reverse[e]] += 1.0
        received[e] += 1.0
    for h in helper[helped]:
        effort[h] += 1.0  # helping costs time whether or not it landed
    _pull_ties(strength, reverse, taught[~abrasive[success]], 1.0, strengthen, count, total)
    # Refused or not landed, abrasive help, and every pushy request strain the tie.
    soured = np.concatenate((
        edges[can_teach & ~(helped & lands)], taught[abrasive[success]], edges[pushy]
    ))
    _pull_ties(strength, reverse, soured, 0.0, weaken, count, total)
    judged = true_rows(can_teach)
    if judged.size:
        outcome = helped[judged].astype(np.float64)  # toward 1 if willing, 0 if refused
        _pull(reputation, helper[judged], outcome, reputation_rate, count, total)
    helps = 0
    for willing in helped:
        helps += willing
    return helps, judged.size - helps, cells, learner, teacher, gain


@_jit
def asking_day(
    draws, knowledge, demand, indptr, indices, reverse, to_report, team, manager, is_manager,
    has_tools, last_post, since, hidden, floor, rate, proactivity, boldness, safety, damping,
    formal_preference, style, style_rules, pushy, defensive, generosity, tact, absorption,
    defensive_absorption, codifiable, trust_matters, reciprocity_sensitivity, reputation,
    usual_reputation, given, received, effort, strength, strengthen, weaken, reputation_rate,
    count, total,
):
    """A day of process 2 in one call: turns, tellings, then asking and helping, each step
    drawing its uniforms from ``draws`` in the order the steps above take them (`asking_turns`
    to `helping`). Returns ``(told, tell_cells, tell_learner, tell_teacher, tell_gain, asked,
    helps, refusals, cells, learner, teacher, gain)``."""
    none, nothing = np.empty(0, dtype=np.int64), np.empty(0)
    tellers, askers, up_only = asking_turns(
        uniforms(draws, proactivity.size), rate, proactivity, boldness, safety, damping,
        formal_preference, style, style_rules, is_manager, pushy, defensive,
    )
    told, tell_cells, tell_learner, tell_teacher, tell_gain = 0, none, none, none, nothing
    if tellers.size:
        u_topic = uniforms(draws, tellers.size)
        u_report = uniforms(draws, tellers.size)
        tellers, topic, edge = telling_choices(
            knowledge, demand, indptr, indices, to_report, tellers, u_topic, u_report
        )
        told = tellers.size
        tell_cells, tell_learner, tell_teacher, tell_gain = telling(
            knowledge, indices, reverse, strength, tact, absorption, style, style_rules,
            codifiable, tellers, topic, edge, uniforms(draws, tellers.size),
            defensive_absorption, strengthen, count, total,
        )
    u_topic = uniforms(draws, askers.size)
    u_helper = uniforms(draws, askers.size)
    topic, edge = asking_choices(
        indptr, indices, knowledge, demand, strength, askers, u_topic, u_helper, floor, team,
        has_tools, last_post, since, hidden, up_only, manager,
    )
    asked = np.int64(0)  # not a literal 0: `uniforms` would be compiled for Literal[int](0) too
    for e in edge:
        asked += e >= 0
    u_insist = uniforms(draws, asked)
    u_willing = uniforms(draws, asked)
    u_lands = uniforms(draws, asked)
    helps, refusals, cells, learner, teacher, gain = helping(
        knowledge, indices, reverse, askers, topic, edge, u_insist, u_willing, u_lands, style,
        style_rules, generosity, tact, absorption, defensive_absorption, codifiable,
        trust_matters, reciprocity_sensitivity, reputation, usual_reputation, given, received,
        effort, strength, strengthen, weaken, reputation_rate, count, total,
    )
    return (told, tell_cells, tell_learner, tell_teacher, tell_gain, asked, helps, refusals,
            cells, learner, teacher, gain)


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
    # np.searchsorted(cdf, u, side="right"), the first entry above each uniform, as a loop:
    # numba's searchsorted took a third of a second to compile.
    picks = np.empty(u.size, dtype=np.int64)
    for i in range(u.size):
        lo, hi = 0, cdf.size
        while lo < hi:
            mid = (lo + hi) >> 1
            if cdf[mid] > u[i]:
                hi = mid
            else:
                lo = mid + 1
        picks[i] = lo
    return picks
