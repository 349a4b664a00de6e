"""Process 7a, forgetting: unused knowledge decays by ``rate``, and relationships fade.

Knowledge counts as used when a person learned, taught, posted, read usefully, collaborated or
trained on that topic in the step. Every tie's strength moves ``tie_decay`` of the way toward
0.1 each step: relationships need use, and the exchanges and collaboration of the step (which
ran before) strengthen them again, so ties are strongest where people work with each other.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["forget", "TIE_FLOOR"]

#: The strength an unused tie fades toward: acquaintances stay acquaintances.
TIE_FLOOR = 0.1


def forget(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Decay unused knowledge and every tie; returns no counts."""
    p = params.forgetting
    used = np.concatenate(state.used) if state.used else np.empty(0, dtype=np.int64)
    _decay(state.knowledge.reshape(-1), used, 1.0 - p.rate, state.strength, p.tie_decay, TIE_FLOOR)
    return {}


@numba.njit(cache=True, nogil=True)
def _decay(knowledge, used, keep, strength, tie_decay, floor):
    """Multiply every knowledge cell but the ``used`` ones by ``keep``, and move every tie's
    strength ``tie_decay`` of the way to ``floor``, in place and without temporaries (at a
    million people those are hundreds of megabytes a step)."""
    kept = np.empty(used.size)
    for i in range(used.size):
        kept[i] = knowledge[used[i]]
    for i in range(knowledge.size):
        knowledge[i] *= keep
    for i in range(used.size):
        knowledge[used[i]] = kept[i]
    if tie_decay:
        for e in range(strength.size):
            strength[e] -= tie_decay * (strength[e] - floor)
