"""Vectorised random choices used by the processes: one draw per row, no Python loop per agent."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["ranges", "edges_of", "choose_edges", "choose_columns"]


def ranges(counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(c)`` for each ``c`` in ``counts``."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def edges_of(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The out-edges of ``rows`` in a CSR structure.

    Returns:
        ``(edges, owner, counts)``: edge ids concatenated row by row, the position in ``rows``
        that owns each edge, and the number of edges of each row.
    """
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    owner = np.repeat(np.arange(rows.size), counts)
    return starts[owner] + ranges(counts), owner, counts


def choose_edges(
    indptr: np.ndarray,
    rows: np.ndarray,
    weight: Callable[[np.ndarray, np.ndarray], np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Pick one out-edge per row with chance proportional to ``weight(edges, owner)``.

    Returns:
        The chosen edge id for each row, or -1 where a row has no edge of positive weight.
    """
    edges, owner, counts = edges_of(indptr, rows)
    w = np.asarray(weight(edges, owner), dtype=float)
    cum = np.concatenate(([0.0], np.cumsum(w)))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    lo, hi = cum[bounds[:-1]], cum[bounds[1:]]
    u = lo + rng.random(rows.size) * (hi - lo)
    pos = np.searchsorted(cum, u, side="right") - 1
    # Rounding can land on a zero-weight neighbour edge: keep the pick inside the row.
    pos = np.clip(pos, bounds[:-1], np.maximum(bounds[1:] - 1, bounds[:-1]))
    chosen = np.full(rows.size, -1, dtype=np.int64)
    ok = (hi - lo) > 0
    chosen[ok] = edges[pos[ok]]
    return chosen


def choose_columns(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pick one column per row of a non-negative (rows, K) matrix, proportional to its values.

    Returns:
        A column index per row, or -1 where the row sums to zero.
    """
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1] if cum.shape[1] else np.zeros(cum.shape[0])
    u = rng.random(weights.shape[0]) * total
    col = (cum <= u[:, None]).sum(axis=1)
    col = np.minimum(col, weights.shape[1] - 1)
    col[total <= 0] = -1
    return col
