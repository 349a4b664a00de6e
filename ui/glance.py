"""The three values at a glance: how well the organisation is learning, communicating and
collaborating right now, each as one number from 0 to 1 with a sentence.

- Learning: what people know on average (all topics), and how far the new idea has reached.
- Communicating: of the requests for help in the last 30 days, the share answered well.
- Collaborating: of the helping relationships, the share where help goes both ways.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Value", "three_values", "WINDOW"]

#: Days over which requests for help are counted.
WINDOW = 30


@dataclass(frozen=True)
class Value:
    """One of the three values: its name, a score in [0, 1] and what the score means."""

    name: str
    score: float
    headline: str
    detail: str


def three_values(series: Mapping[str, Sequence[float]]) -> tuple[Value, Value, Value]:
    """Learning, communicating and collaborating from a run's metrics so far.

    Args:
        series: metric name -> values per day (a Mesa DataCollector's ``model_vars``).
    """
    knowledge = float(series["mean_knowledge"][-1])
    idea = float(series["idea_adoption"][-1])
    asks = float(np.sum(series["asks"][-WINDOW:]))
    good = float(np.sum(series["direct"][-WINDOW:]))
    refused = float(np.sum(series["refusals"][-WINDOW:]))
    answered = good / asks if asks else 0.0
    reciprocity = float(series["reciprocity"][-1])
    participation = float(series["participation"][-1])
    return (
        Value(
            "Learning",
            knowledge,
            f"People know {knowledge:.0%} of what there is to know",
            f"The new idea has reached {idea:.0%} of staff.",
        ),
        Value(
            "Communicating",
            answered,
            f"{answered:.0%} of requests for help were answered well",
            (f"{refused / asks:.0%} were refused (last {WINDOW} days)." if asks
             else f"Nobody asked for help in the last {WINDOW} days."),
        ),
        Value(
            "Collaborating",
            reciprocity,
            f"{reciprocity:.0%} of helping relationships go both ways",
            f"{participation:.0%} of people with the social network posted in the last 30 days.",
        ),
    )
