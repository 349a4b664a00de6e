"""What is measured every step (design.md, "What is measured"), vectorised over the workforce.

`measure` returns one flat dict of numbers per step; the model hands it to a Mesa
`DataCollector`. Per-department knowledge is reported as ``knowledge_dept_<d>``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["measure", "gini", "silo_index", "first_crossing", "CHANNELS", "SCALAR_METRICS"]

#: Channels through which knowledge moves, as counted in the step's events.
CHANNELS = ("field", "direct", "esn", "collaboration", "training")

SCALAR_METRICS = (
    "mean_knowledge",
    "coverage",
    "idea_adoption",
    "gini",
    "silo_index",
    "alignment",
    "participation",
    "reciprocity",
    "reputation_hoarders",
    "reputation_others",
    "mean_tie_strength",
    "mean_generosity",
    "lurking",
    "imitations",
    "asks",
    "helps",
    "refusals",
    "posts",
    *CHANNELS,
)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one person has everything)."""
    v = np.sort(np.asarray(values, dtype=float))
    n, total = v.size, v.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    value = (2.0 * (ranks * v).sum() / (n * total)) - (n + 1.0) / n
    return float(min(max(value, 0.0), 1.0))  # rounding can land a hair outside [0, 1]


def silo_index(
    knowledge: np.ndarray,
    department: np.ndarray,
    membership: sp.csr_array,
    *,
    sums: np.ndarray | None = None,
) -> float:
    """Share of the variance of knowledge that lies between departments (mean over topics).

    0 means departments know the same things; 1 means everyone knows exactly what their
    department knows and departments differ. ``sums`` (``membership @ knowledge``) may be passed
    in when already computed.
    """
    n = knowledge.shape[0]
    size = np.bincount(department).astype(float)
    if sums is None:
        sums = membership @ knowledge
    means = sums / size[:, None]
    overall = sums.sum(axis=0) / n
    between = (size[:, None] * (means - overall) ** 2).sum(axis=0)
    # Sum of squares in one pass without an (N, K) temporary.
    total = np.einsum("ij,ij->j", knowledge, knowledge) - n * overall**2
    ok = total > 1e-9 * n
    return float(np.clip(between[ok] / total[ok], 0.0, 1.0).mean()) if ok.any() else 0.0


def department_membership(department: np.ndarray) -> sp.csr_array:
    """Sparse (departments x people) indicator matrix, for fast per-department sums."""
    n = department.size
    return sp.csr_array(
        (np.ones(n), (department, np.arange(n))), shape=(int(department.max()) + 1, n)
    )


def measure(state, network, params, membership: sp.csr_array, counts: dict, step: int) -> dict:
    """All metrics of the current state and the step's event counts."""
    k = state.knowledge
    threshold = params.knowledge.threshold
    # A mat-vec computes row means several times faster than k.mean(axis=1), and each row's
    # result is one dot product, so it does not depend on the number of BLAS threads.
    per_person = k @ np.full(k.shape[1], 1.0 / k.shape[1])
    dept_sums = membership @ k  # (departments, K): also gives the column means cheaply
    overall = dept_sums.sum(axis=0) / k.shape[0]
    demand = state.demand[1:]
    members = state.has_tools
    window = params.metrics.participation_window
    posted = state.last_post > step - window
    gave = state.given > 0
    gave_back = gave[network.reverse]
    helped_any = np.count_nonzero(gave | gave_back)
    both = np.count_nonzero(gave & gave_back)
    hoard = state.hoarder
    out = {
        "mean_knowledge": float(per_person.mean()),
        "coverage": float(np.count_nonzero(k >= threshold) / k.size),
        "idea_adoption": float((k[:, 0] >= threshold).mean()),
        "gini": gini(per_person),
        "silo_index": silo_index(k, network.department, membership, sums=dept_sums),
        "alignment": float(overall[1:] @ demand / demand.sum()),  # = mean of payoff()
        "participation": float(posted[members].mean()) if members.any() else 0.0,
        "reciprocity": both / helped_any if helped_any else 0.0,
        "reputation_hoarders": float(state.reputation[hoard].mean()) if hoard.any() else np.nan,
        "reputation_others": float(state.reputation[~hoard].mean()) if (~hoard).any() else np.nan,
        "mean_tie_strength": float(state.strength.mean()) if state.strength.size else 0.0,
        "mean_generosity": float(state.generosity.mean()),
        "lurking": float(state.lurker.mean()),
    }
    for name in ("imitations", "asks", "helps", "refusals", "posts", *CHANNELS):
        out[name] = int(counts.get(name, 0))
    by_dept = (membership @ per_person) / np.bincount(network.department)
    for d, value in enumerate(by_dept):
        out[f"knowledge_dept_{d}"] = float(value)
    return out


def first_crossing(series: np.ndarray, steps: np.ndarray, level: float) -> int | None:
    """The first step at which ``series`` reaches ``level``, or None if it never does."""
    hit = np.flatnonzero(np.asarray(series) >= level)
    return int(steps[hit[0]]) if hit.size else None
