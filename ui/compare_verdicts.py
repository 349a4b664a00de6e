"""A comparison's outcomes in plain words: each arm's value, its paired difference from the
reference with a 95% CI, and whether that is better, worse or unclear.

Replicate r of every arm shares its seed, so the arms' runs are pairs and the differences are
paired (`experiments.stats.paired_difference`). A day count that some runs never reach within
the run is censored: it counts as the day after the run's end, and is reported as "at least"
(`experiments.stats.censored_difference` decides when a difference is a bound, or only the share
of runs reaching it can be compared). A difference is stated only when its 95% CI excludes 0;
otherwise the words say "no clear difference".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orglearn.experiments.stats import Difference, censored_difference, mean_ci, paired_difference

__all__ = ["Outcome", "OUTCOMES", "MAIN", "arm_value", "difference", "verdict",
           "difference_words", "sentence", "tone", "TONES"]


@dataclass(frozen=True)
class Outcome:
    """One per-run outcome: its column, its label for people, which way is better, its unit
    (``days``, ``percent`` of 0-1 values, or ``count``)."""

    column: str
    label: str
    higher_is_better: bool
    unit: str

    @property
    def censored(self) -> bool:
        """Whether runs may never reach it (a day count)."""
        return self.unit == "days"


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("t50", "Working days until half of staff know the new idea", False, "days"),
    Outcome("t90", "Working days until 90% of staff know the new idea", False, "days"),
    Outcome("mean_knowledge", "What people know at the end (average share of all there is to "
            "know)", True, "percent"),
    Outcome("participation", "Social-network users who posted in the last 30 days, at the end",
            True, "percent"),
    Outcome("silo_index", "How far apart departments' knowledge is at the end (0% = all "
            "departments know the same)", False, "percent"),
    Outcome("exchanges", "Knowledge exchanges over the run", True, "count"),
)
#: The outcomes the headline's colour follows: how fast the idea spreads, what people know.
MAIN = ("t90", "mean_knowledge")
#: Tone -> (text colour, background, icon, word) of a verdict or of the headline box.
TONES: dict[str, tuple[str, str, str, str]] = {
    "better": ("#1b5e20", "#e8f5e9", "mdi-arrow-up-bold-circle", "Better"),
    "worse": ("#b71c1c", "#fdecea", "mdi-arrow-down-bold-circle", "Worse"),
    "unclear": ("#424242", "#f1f1f1", "mdi-approximately-equal", "No clear difference"),
    "mixed": ("#424242", "#f1f1f1", "mdi-swap-vertical", "Mixed"),
}


def _filled(values: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Censored runs (NaN) set to the day after the run's end, and which they were."""
    censored = np.isnan(values)
    return np.where(censored, steps + 1, values), censored


def _number(value: float, unit: str, sign: bool = False) -> str:
    if unit == "percent":
        return f"{100 * value:+.1f}" if sign else f"{100 * value:.0f}%"
    if unit == "count":
        return f"{value:+,.0f}" if sign else f"{value:,.0f}"
    return f"{value:+.0f}" if sign else f"{value:.0f}"


def arm_value(values, steps: int, outcome: Outcome) -> str:
    """One arm's outcome over its runs: mean [95% CI], or for a censored day count "at least"
    the mean with unreached runs at the day after the end, and how many did not reach it."""
    values = np.asarray(values, dtype=float)
    unit = outcome.unit
    if outcome.censored:
        filled, censored = _filled(values, steps)
        if censored.all():
            return f"not within {steps} days (no run reached it)"
        if censored.any():
            return (f"at least {filled.mean():.0f} ({int(censored.sum())} of {values.size} runs "
                    f"did not reach it within {steps} days)")
    mean, low, high = mean_ci(values)
    if not np.isfinite(low):
        return _number(mean, unit)
    return f"{_number(mean, unit)} [{_number(low, unit)} to {_number(high, unit)}]"


def difference(values, reference, steps: int, outcome: Outcome) -> Difference:
    """The paired difference ``values - reference`` (runs in replicate order)."""
    a, b = np.asarray(values, dtype=float), np.asarray(reference, dtype=float)
    if outcome.censored:
        (fa, ca), (fb, cb) = _filled(a, steps), _filled(b, steps)
        return censored_difference(fa, fb, ca, cb)
    return paired_difference(a - b)


def verdict(d: Difference, outcome: Outcome) -> str:
    """"better", "worse" or "unclear": the arm against the reference, by the outcome's
    direction (for a share of runs reaching a day count, more runs is better)."""
    if not d.clear:
        return "unclear"
    up = d.mean > 0
    if d.kind == "share":
        return "better" if up else "worse"
    return "better" if up == outcome.higher_is_better else "worse"


def _ci(d: Difference, unit: str) -> str:
    return f"95% CI {_number(d.low, unit, True)} to {_number(d.high, unit, True)}"


def _amount(d: Difference, outcome: Outcome) -> str:
    """A clear difference's size and direction, e.g. "15 days later", "4.0 points higher"."""
    size = abs(d.mean)
    if outcome.unit == "days":
        return f"{size:.0f} days {'later' if d.mean > 0 else 'sooner'}"
    if outcome.unit == "percent":
        return f"{100 * size:.1f} points {'higher' if d.mean > 0 else 'lower'}"
    return f"{size:,.0f} {'more' if d.mean > 0 else 'fewer'}"


def difference_words(d: Difference, outcome: Outcome, steps: int) -> str:
    """A difference for the table: its size and 95% CI, or "no clear difference"."""
    unit = "percent" if d.kind == "share" else outcome.unit
    if d.kind == "none":
        return "neither reached it"
    if not np.isfinite(d.low):
        return "too few runs to tell"
    if d.kind == "share":
        if not d.clear:
            return "no clear difference in how many runs reached it"
        # A share's t interval can pass ±100%, which no difference can: clip it.
        low, high = sorted(min(100.0, abs(100 * x)) for x in (d.low, d.high))
        return (f"reached it {'more' if d.mean > 0 else 'less'} often: in {100 * abs(d.mean):.0f}%"
                f" {'more' if d.mean > 0 else 'fewer'} of the runs (95% CI {low:.0f}% to "
                f"{high:.0f}%)")
    if d.kind in ("at least", "at most"):
        note = (f"runs that did not reach it within {steps} days count as day {steps + 1}, so "
                "this is a bound")
        if not d.clear:
            return f"no clear difference ({note})"
        return f"at least {_amount(d, outcome)} ({note})"
    if not d.clear:
        return f"no clear difference ({_ci(d, unit)})"
    return f"{_amount(d, outcome)} ({_ci(d, unit)})"


def _t90_words(a: np.ndarray, b: np.ndarray, d: Difference, arm: str, reference: str,
               steps: int) -> str:
    what = "when the new idea reached 90% of staff"
    n = a.size
    reached_a, reached_b = int(np.isfinite(a).sum()), int(np.isfinite(b).sum())
    if d.kind == "none":
        return f"in neither did the new idea reach 90% of staff within {steps} working days"
    if d.kind == "share":
        counts = f"it reached 90% of staff in {reached_a} of {n} runs against {reached_b} of {n}"
        if not d.clear:
            return f"no clear difference in {what} ({counts})"
        more = "more" if d.mean > 0 else "less"
        return f"the new idea reached 90% of staff {more} often ({counts})"
    ma, mb = np.nanmean(a), np.nanmean(b)
    if not np.isfinite(d.low):
        return f"{what}: {ma:.0f} against {mb:.0f} working days (too few runs to tell)"
    if d.kind == "exact":
        means = f"{ma:.0f} against {mb:.0f} working days on average"
        if not d.clear:
            return (f"no clear difference in {what} ({means}; the 95% CI of the difference, "
                    f"{d.low:+.0f} to {d.high:+.0f} days, includes none)")
        return (f"the new idea reached 90% of staff {abs(d.mean):.0f} days "
                f"{'later' if d.mean > 0 else 'sooner'} ({means}; 95% CI of the difference "
                f"{d.low:+.0f} to {d.high:+.0f} days)")
    late, k = (arm, n - reached_a) if d.kind == "at least" else (reference, n - reached_b)
    note = f"{k} of {n} runs of {late} never reached it within {steps} days"
    if not d.clear:
        return f"no clear difference in {what} ({note})"
    direction = "later" if d.kind == "at least" else "sooner"
    return f"the new idea reached 90% of staff at least {abs(d.mean):.0f} days {direction} ({note})"


def _knowledge_words(a: np.ndarray, b: np.ndarray, d: Difference) -> str:
    means = f"{a.mean():.0%} against {b.mean():.0%} of what there is to know"
    if not np.isfinite(d.low):
        return f"at the end people know {means} (too few runs to tell)"
    ci = f"95% CI of the difference {100 * d.low:+.1f} to {100 * d.high:+.1f} points"
    if not d.clear:
        return f"no clear difference in what people know at the end ({means}; {ci})"
    return (f"at the end people know {100 * abs(d.mean):.1f} points "
            f"{'more' if d.mean > 0 else 'less'} ({means}; {ci})")


def sentence(runs: dict[str, np.ndarray], reference: dict[str, np.ndarray], arm: str,
             reference_label: str, steps: int) -> str:
    """How one arm differs from the reference, in plain words: the time for the new idea to
    reach 90% of staff, and what people know at the end.

    Args:
        runs, reference: outcome column -> values per replicate (replicate order) of the arm and
            of the reference.
        arm, reference_label: their names for people.
        steps: days in a run.
    """
    t90 = next(o for o in OUTCOMES if o.column == "t90")
    knowledge = next(o for o in OUTCOMES if o.column == "mean_knowledge")
    a, b = runs["t90"], reference["t90"]
    first = _t90_words(a, b, difference(a, b, steps, t90), arm, reference_label, steps)
    ka, kb = runs["mean_knowledge"], reference["mean_knowledge"]
    second = _knowledge_words(ka, kb, difference(ka, kb, steps, knowledge))
    return (f"{arm} against {reference_label} ({a.size} pairs of runs, each pair with the same "
            f"chance events): {first}; {second}.")


def tone(verdicts: list[str]) -> str:
    """The colour of a headline from its main outcomes' verdicts: better or worse when the clear
    ones agree, mixed when they disagree, unclear when none is clear."""
    found = set(verdicts) - {"unclear"}
    if not found:
        return "unclear"
    return found.pop() if len(found) == 1 else "mixed"
