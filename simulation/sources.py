"""Who learned from whom: an optional observer of every knowledge gain, by person and channel.

A `SourceLog` is attached to the workforce (``state.sources``) when a model is built with
``track_sources=True`` (off by default). The learning processes then report each gain as
``(learner, teacher, channel, amount)`` arrays; the log sums them, vectorised:

- ``by_channel``: (n, channels) knowledge each person gained through each channel so far;
- per (learner, teacher, channel) sums for the channels with a person behind the lesson
  (asking for help, the social network's posts, collaboration), kept as pending chunks and
  folded into one sparse matrix when read or when many are pending.

The log draws no random numbers and changes no state: a run is identical with it on or off.
When someone leaves, the newcomer in their row starts with an empty history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["SourceLog", "Source", "CHANNELS", "DIRECT", "ESN", "COLLABORATION", "TRAINING", "FIELD"]

#: The channels knowledge arrives through, in column order of ``SourceLog.by_channel``.
CHANNELS: tuple[str, ...] = ("direct", "esn", "collaboration", "training", "field")
DIRECT, ESN, COLLABORATION, TRAINING, FIELD = range(len(CHANNELS))
#: Fold pending events into the sparse matrix once this many are waiting (bounds memory).
_FOLD_AT = 1_000_000


@dataclass(frozen=True)
class Source:
    """One teacher of one learner: who, through which channel, and how much they taught."""

    teacher: int
    channel: str
    amount: float


class SourceLog:
    """Accumulated knowledge gains per learner, by channel and by teacher (see module doc).

    Args:
        n: headcount (rows).
    """

    def __init__(self, n: int) -> None:
        self.n = int(n)
        self.by_channel = np.zeros((self.n, len(CHANNELS)))
        self._pairs = sp.csr_array((self.n, self.n * len(CHANNELS)))
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_size = 0
        #: Per row, how many of the pending events came before the row was last cleared.
        self._cleared_at = np.zeros(self.n, dtype=np.int64)

    def record(self, learner: np.ndarray, teacher: np.ndarray | None, channel: int,
               amount: np.ndarray) -> None:
        """Add gains: ``amount[i]`` learned by ``learner[i]`` from ``teacher[i]`` (None when no
        person taught: training, the field) through ``channel``. Non-positive gains are ignored."""
        learner = np.asarray(learner, dtype=np.int64)
        amount = np.broadcast_to(np.asarray(amount, dtype=float), learner.shape)
        keep = amount > 0
        if not keep.any():
            return
        learner, amount = learner[keep], amount[keep]
        self.by_channel[:, channel] += np.bincount(learner, weights=amount, minlength=self.n)
        if teacher is None:
            return
        column = np.asarray(teacher, dtype=np.int64)[keep] * len(CHANNELS) + channel
        self._pending.append((learner, column, amount))
        self._pending_size += learner.size
        if self._pending_size >= _FOLD_AT:
            self._fold()

    def forget_rows(self, rows: np.ndarray) -> None:
        """Clear the history of ``rows`` (newcomers take leavers' rows). Costs only those rows'
        entries: the sparse matrix is not rebuilt, and their pending events are dropped later,
        when folded."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        self.by_channel[rows] = 0.0
        # Their pending events (those recorded so far) are dropped when folded.
        self._cleared_at[rows] = self._pending_size
        indptr = self._pairs.indptr
        starts, counts = indptr[rows], indptr[rows + 1] - indptr[rows]
        # the entries of every cleared row: one arange per row, built without a loop
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        self._pairs.data[offsets + np.arange(counts.sum())] = 0.0

    def _fold(self) -> None:
        """Sum the pending events into the sparse matrix."""
        if not self._pending:
            return
        learner, column, amount = (np.concatenate(parts) for parts in zip(*self._pending))
        keep = np.arange(learner.size) >= self._cleared_at[learner]  # not before a clear
        learner, column, amount = learner[keep], column[keep], amount[keep]
        self._pending, self._pending_size = [], 0
        self._cleared_at[:] = 0
        added = sp.csr_array((amount, (learner, column)), shape=self._pairs.shape)
        self._pairs = sp.csr_array(self._pairs + added)

    def channels(self, row: int) -> dict[str, float]:
        """Knowledge ``row`` gained through each channel so far (summed over topics)."""
        return {name: float(v) for name, v in zip(CHANNELS, self.by_channel[row])}

    def teachers(self, row: int, top: int = 5) -> list[Source]:
        """The (teacher, channel) pairs ``row`` gained most from so far, largest first."""
        self._fold()
        lo, hi = self._pairs.indptr[row], self._pairs.indptr[row + 1]
        columns, amounts = self._pairs.indices[lo:hi], self._pairs.data[lo:hi]
        order = np.argsort(-amounts, kind="stable")[:top]
        order = order[amounts[order] > 0]  # cleared entries (a leaver's seat) stay as zeros
        return [Source(int(columns[i]) // len(CHANNELS), CHANNELS[int(columns[i]) % len(CHANNELS)],
                       float(amounts[i])) for i in order]

    def by_teacher(self) -> sp.csr_array:
        """(n, n) knowledge each learner (row) gained from each teacher (column), all channels."""
        self._fold()
        merge = sp.csr_array((np.ones(self.n * len(CHANNELS)),
                              (np.arange(self.n * len(CHANNELS)),
                               np.repeat(np.arange(self.n), len(CHANNELS)))),
                             shape=(self.n * len(CHANNELS), self.n))
        return sp.csr_array(self._pairs @ merge)


def best_per_cell(cells: np.ndarray, value: np.ndarray, teacher: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """For outcomes kept as "the best per cell" (never a sum): each distinct cell and the
    teacher whose outcome was the highest there."""
    order = np.lexsort((value, cells))
    sorted_cells = cells[order]
    last = np.r_[sorted_cells[1:] != sorted_cells[:-1], True]
    return sorted_cells[last], teacher[order][last]
