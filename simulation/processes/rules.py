"""The update rules shared by processes: learning from a source, and compounding pulls.

**Learning from a source** follows the "pieces of knowledge" reading of a knowledge level: a
level ``k`` in [0, 1] is the share of a topic's pieces a person knows. If a source knows share
``q`` and the learner ``k``, and which pieces each knows are independent, the source knows
``q * (1 - k)`` that the learner does not, and the learner takes in ``rate`` of that
(`absorb`). Knowledge stays in [0, 1], never falls by learning, and several sources together
can teach more than any one of them knows, which is how an idea that was diluted on its way
still reaches full understanding through repeated contact (a level-averaging rule stalls far
below it).

**Explicit and tacit pieces** (`learn`). A topic's pieces are of two kinds (Nonaka 1994): a
codifiable share ``c`` that can be written down, and a tacit rest. The first ``c`` of a level
is explicit, the rest tacit: a person at ``k`` knows ``min(k, c)`` of the explicit pieces and
``max(k - c, 0)`` of the tacit ones. Each kind is learned by the pieces rule within its own
share, at its own rate, and only from a source who has pieces of that kind: posts and
documents pass explicit pieces only (tacit rate 0), and tacit pieces pass between people, in
proportion to the strength of their tie (Hansen 1999). So tacit knowledge of a new idea starts
with the people who had it, and two people who only read about it cannot make it up between
them.

References:
    Nonaka, I. (1994). A dynamic theory of organizational knowledge creation. Organization
    Science, 5(1), 14-37.
    Hansen, M. T. (1999). The search-transfer problem. Administrative Science Quarterly,
    44(1), 82-111.
"""

from __future__ import annotations

import threading

import numba
import numpy as np

__all__ = ["pull_toward", "absorb", "learn"]

_TINY = 1e-12


def absorb(current: np.ndarray, source: np.ndarray, rate) -> np.ndarray:
    """New knowledge after learning from ``source`` at ``rate``: ``k + rate * q * (1 - k)``."""
    return current + rate * source * (1.0 - current)


def learn(current, source, rate, tacit_rate, codifiable):
    """New knowledge after learning from ``source``: explicit pieces at ``rate``, tacit pieces
    at ``tacit_rate``, each by the pieces rule within its share (``codifiable`` is explicit).

    Works on scalars (compiled in `simulation.processes.kernels`) and on numpy arrays alike.
    """
    c = codifiable
    explicit, tacit = np.minimum(current, c), np.maximum(current - c, 0.0)
    explicit_source, tacit_source = np.minimum(source, c), np.maximum(source - c, 0.0)
    explicit = explicit + rate * explicit_source * (c - explicit) / np.maximum(c, _TINY)
    tacit = tacit + tacit_rate * tacit_source * (1.0 - c - tacit) / np.maximum(1.0 - c, _TINY)
    return explicit + tacit


def pull_toward(values: np.ndarray, who: np.ndarray, target, rate: float) -> None:
    """Pull ``values[who]`` toward ``target`` by ``rate`` per event, in place.

    An entry hit by ``n`` events moves ``1 - (1 - rate) ** n`` of the way to the mean target of
    its events, so values in [0, 1] stay in [0, 1] however many events land on one entry, and
    the result does not depend on the order of events (updates are synchronous).

    Args:
        values: the array to update (reputation per person, or strength per tie).
        who: the entry of each event; repeats allowed.
        target: the target of each event (array like ``who``) or one target for all.
        rate: the pull of one event, in [0, 1].
    """
    if who.size:
        count, total = _scratch(values.size)
        _pull(values, who, np.asarray(target, dtype=float).reshape(-1), float(rate), count, total)


_local = threading.local()


def _scratch(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Zeroed per-entry counters of at least ``size``, kept between calls (one pair per thread).

    Fresh arrays of the size of all ties would cost a page fault per touched page on every
    call, more than the pull itself; `_pull` leaves them zeroed again.
    """
    count = getattr(_local, "count", None)
    if count is None or count.size < size:
        _local.count, _local.total = np.zeros(size, dtype=np.int64), np.zeros(size)
    return _local.count, _local.total


@numba.njit(cache=True, nogil=True)
def _pull(values, who, target, rate, count, total):
    # Count and sum each entry's events: two passes over the events, no sort.
    for i in range(who.size):
        count[who[i]] += 1
        total[who[i]] += target[0] if target.size == 1 else target[i]
    for i in range(who.size):
        h = who[i]
        n = count[h]
        if n:  # the entry's first event applies all of them, and clears its counters
            values[h] += (1.0 - (1.0 - rate) ** n) * (total[h] / n - values[h])
            count[h], total[h] = 0, 0.0
