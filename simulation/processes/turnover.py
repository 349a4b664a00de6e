"""Process 7b, turnover: each person leaves with chance ``rate``; a newcomer takes the seat.

Newcomers bring little knowledge (uniform in [0, newcomer_max], nothing of the new idea),
traits drawn from the scenario's population, a neutral reputation and no tie history.
"""

from __future__ import annotations

import numpy as np

from orglearn.simulation.state import hire

__all__ = ["leave"]


def leave(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Replace leavers by newcomers; returns ``{"leavers": rows}`` for the model to re-seat."""
    rows = np.flatnonzero(rng.random(state.n) < params.turnover.rate)
    hire(state, rows, params, network, rng)
    return {"leavers": rows}
