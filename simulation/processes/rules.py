"""The update rules shared by processes: learning from a source, and compounding pulls.

**Learning from a source** follows the "pieces of knowledge" reading of a knowledge level: a
level ``k`` in [0, 1] is the share of a topic's pieces a person knows. If a source knows share
``q`` and the learner ``k``, and which pieces each knows are independent, the source knows
``q * (1 - k)`` that the learner does not, and the learner takes in ``rate`` of that. Knowledge
stays in [0, 1], never falls by learning, and several sources together can teach more than any
one of them knows, which is how an idea that was diluted on its way still reaches full
understanding through repeated contact (a level-averaging rule stalls far below it).
"""

from __future__ import annotations

import threading

import numba
import numpy as np

__all__ = ["pull_toward", "absorb"]


def absorb(current: np.ndarray, source: np.ndarray, rate) -> np.ndarray:
    """New knowledge after learning from ``source`` at ``rate``: ``k + rate * q * (1 - k)``."""
    return current + rate * source * (1.0 - current)


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
