"""Process 7a, forgetting: knowledge not used in a step decays by ``rate``.

Knowledge counts as used when a person learned, taught, posted, read usefully, collaborated or
trained on that topic in the step.
"""

from __future__ import annotations

import numpy as np

__all__ = ["forget"]


def forget(state, network, params, rng: np.random.Generator, step: int) -> dict:
    """Decay unused knowledge; returns no counts."""
    flat = state.knowledge.reshape(-1)
    used = np.concatenate(state.used) if state.used else np.empty(0, dtype=np.int64)
    kept = flat[used]
    flat *= 1.0 - params.forgetting.rate
    flat[used] = kept
    return {}
