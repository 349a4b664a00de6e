"""Process 7a, forgetting: unused knowledge decays by ``rate``, and relationships fade.

Knowledge counts as used when a person learned, taught, posted, read usefully, collaborated or
trained on that topic in the step. Every tie's strength moves ``tie_decay`` of the way toward
0.1 each step: relationships need use, and the exchanges and collaboration of the step (which
ran before) strengthen them again, so ties are strongest where people work with each other.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forget", "TIE_FLOOR"]

#: The strength an unused tie fades toward: acquaintances stay acquaintances.
TIE_FLOOR = 0.1


def forget(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Decay unused knowledge and every tie; returns no counts."""
    p = params.forgetting
    flat = state.knowledge.reshape(-1)
    used = np.concatenate(state.used) if state.used else np.empty(0, dtype=np.int64)
    kept = flat[used]
    flat *= 1.0 - p.rate
    flat[used] = kept
    if p.tie_decay:
        strength = state.strength
        strength -= p.tie_decay * (strength - TIE_FLOOR)
    return {}
