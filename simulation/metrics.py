"""What is measured every step (docs/model.md, appendix B), vectorised over the workforce.

`measure` returns one flat dict of numbers per step; the model hands it to a Mesa
`DataCollector`. Per-department knowledge is reported as ``knowledge_dept_<d>``.

`METRICS` describes every metric (a plain-language label, its unit and what it means) and
`summary_fields` every key of a run's summary: they are the one source of the data dictionaries
written beside results (`orglearn.experiments.dictionary`) and of the labels on figures.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

__all__ = [
    "measure",
    "gini",
    "sort_floats",
    "sort",
    "distinct",
    "silo_index",
    "first_crossing",
    "CHANNELS",
    "GAINS",
    "SCALAR_METRICS",
    "COUNTS",
    "TOTALS",
    "SUMMARY_METRICS",
    "Metric",
    "METRICS",
    "metric_label",
    "summary_fields",
]

#: Channels through which knowledge moves, as counted in the step's events.
CHANNELS = ("field", "direct", "esn", "collaboration", "training")
#: Knowledge gained through each channel in the step (the sum of the rises it caused).
GAINS = tuple(f"gain_{channel}" for channel in CHANNELS)

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
    "knowledge_hoarders",
    "knowledge_others",
    "mean_tie_strength",
    "mean_generosity",
    "lurking",
    "imitations",
    "asks",
    "helps",
    "refusals",
    "posts",
    "tells",
    *CHANNELS,
    *GAINS,
)

#: Metrics that count events of one step (0 at step 0); a run's summary sums them.
COUNTS = ("imitations", "asks", "helps", "refusals", "posts", "tells", *CHANNELS)
#: What a run's summary adds up over the run, as ``total_<name>``.
TOTALS = (*CHANNELS, *GAINS, "asks", "helps", "refusals", "posts", "tells", "imitations")
#: The outcome keys of a run's summary (and the metric columns of a sweep's runs table):
#: ``t50``, ``t90``, ``final_<metric>`` for every scalar metric, ``total_<name>``.
SUMMARY_METRICS: tuple[str, ...] = (
    "t50",
    "t90",
    *(f"final_{m}" for m in SCALAR_METRICS),
    *(f"total_{n}" for n in TOTALS),
)


class Metric(NamedTuple):
    """What a metric or result column means: a plain-language label (for figures), its unit
    and a one-sentence description."""

    label: str
    unit: str
    description: str


_SHARE = "share (0 to 1)"
_CHANNEL_WORDS = {
    "field": "learning in the field (from clients)",
    "direct": "asking colleagues (help and tellings that landed)",
    "esn": "reading ESN posts",
    "collaboration": "working together",
    "training": "formal training",
}

#: Every scalar metric of `measure` (the organisation-wide ones, `SCALAR_METRICS`).
METRICS: dict[str, Metric] = {
    "mean_knowledge": Metric(
        "mean knowledge", "knowledge (0 to 1)",
        "Mean over people of each person's mean knowledge over all topics (the new idea "
        "included); per department, the same over the department's members.",
    ),
    "coverage": Metric(
        "coverage", _SHARE,
        "Share of (person, topic) pairs with knowledge at or above knowledge.threshold.",
    ),
    "idea_adoption": Metric(
        "share of staff who know the new idea", _SHARE,
        "Share of staff whose knowledge of the seeded new idea (topic 0) is at or above "
        "knowledge.threshold.",
    ),
    "gini": Metric(
        "inequality of knowledge (Gini)", "Gini coefficient (0 equal to 1 unequal)",
        "Gini coefficient of people's mean knowledge: 0 if everyone knows as much, 1 if one "
        "person knows everything.",
    ),
    "silo_index": Metric(
        "silo index", _SHARE,
        "Share of the variance of knowledge that lies between departments, averaged over "
        "topics: 0 if departments know the same things, 1 if knowledge follows departments.",
    ),
    "alignment": Metric(
        "alignment with client needs", "knowledge (0 to 1)",
        "Mean over people of their knowledge of client topics weighted by what clients need.",
    ),
    "participation": Metric(
        "participation on the ESN", _SHARE,
        "Share of people with social tools who posted within the last "
        "metrics.participation_window steps (0 if nobody has tools).",
    ),
    "reciprocity": Metric(
        "reciprocity of help", _SHARE,
        "Among tied pairs where one has helped the other, the share where help went both ways "
        "(0 before any help).",
    ),
    "reputation_hoarders": Metric(
        "reputation of hoarders", "reputation (0 to 1)",
        "Mean reputation of knowledge hoarders (empty if there are none).",
    ),
    "reputation_others": Metric(
        "reputation of everyone else", "reputation (0 to 1)",
        "Mean reputation of people who are not hoarders (empty if everyone is one).",
    ),
    "knowledge_hoarders": Metric(
        "knowledge of hoarders", "knowledge (0 to 1)",
        "Mean knowledge of knowledge hoarders (empty if there are none).",
    ),
    "knowledge_others": Metric(
        "knowledge of everyone else", "knowledge (0 to 1)",
        "Mean knowledge of people who are not hoarders (empty if everyone is one).",
    ),
    "mean_tie_strength": Metric(
        "mean tie strength", "tie strength (0 to 1)",
        "Mean strength over all directed ties (0 if there are none).",
    ),
    "mean_generosity": Metric(
        "mean generosity", "generosity (0 to 1)",
        "Mean generosity over everyone: the sharing culture, as culture change and "
        "interventions move it.",
    ),
    "lurking": Metric(
        "share of lurkers", _SHARE, "Share of staff who are lurkers (with or without tools).",
    ),
    "imitations": Metric(
        "imitations", "people per step",
        "People who imitated a role model (culture change) in the step.",
    ),
    "asks": Metric(
        "requests for help", "people per step",
        "People who asked a colleague for help in the step.",
    ),
    "helps": Metric(
        "help given", "asks per step",
        "Asks where the helper knew more and was willing to help, in the step.",
    ),
    "refusals": Metric(
        "refusals", "asks per step", "Asks where the helper knew more and refused, in the step.",
    ),
    "posts": Metric("ESN posts", "posts per step", "Posts on the ESN in the step."),
    "tells": Metric(
        "top-down tellings", "managers per step",
        "Top-down managers who told a report something in the step.",
    ),
    "field": Metric("field lessons", "lessons per step", "Field lessons in the step."),
    "direct": Metric(
        "lessons from colleagues", "lessons per step",
        "Help that landed plus tellings that landed, in the step.",
    ),
    "esn": Metric(
        "lessons from ESN posts", "reads per step",
        "Reads of posts that taught the reader something, in the step.",
    ),
    "collaboration": Metric(
        "pairs working together", "pairs per step", "Pairs that worked together in the step.",
    ),
    "training": Metric(
        "people who learned in training", "people per step",
        "Attendees whose knowledge rose at a training session in the step.",
    ),
    **{
        f"gain_{channel}": Metric(
            f"knowledge gained by {words}", "knowledge (sum over person-topic cells) per step",
            f"Knowledge gained through {words} in the step: the sum of the rises it caused, "
            "before forgetting.",
        )
        for channel, words in _CHANNEL_WORDS.items()
    },
}


def metric_label(name: str) -> str:
    """The plain-language label of a metric or summary key (``"final_gini"`` -> "final
    inequality of knowledge (Gini)"), for figures and tables."""
    fields = summary_fields()
    if name in METRICS:
        return METRICS[name].label
    if name in fields:
        return fields[name].label
    return name.replace("_", " ")


def summary_fields() -> dict[str, Metric]:
    """Every key of `SocialLearningModel.summary`, in order, with its label, unit and meaning."""
    out = {
        "scenario": Metric("scenario", "name", "The scenario's name (empty without one)."),
        "n_agents": Metric("employees", "people", "Headcount of the organisation."),
        "steps": Metric("steps run", "steps (working days)", "Steps (working days) run."),
    }
    for key, level in (("t50", "half"), ("t90", "90%")):
        out[key] = Metric(
            f"days for the new idea to reach {level} of staff", "steps (working days)",
            f"First recorded step at which idea_adoption reached {level} of staff; empty "
            "(null) if it was not reached within the run (censored).",
        )
    for name in SCALAR_METRICS:
        metric = METRICS[name]
        out[f"final_{name}"] = Metric(
            f"final {metric.label}", metric.unit.replace(" per step", " in the last step"),
            f"The metric {name} at the last step run. {metric.description}",
        )
    for name in TOTALS:
        metric = METRICS[name]
        out[f"total_{name}"] = Metric(
            f"total {metric.label}", metric.unit.replace(" per step", " over the run"),
            f"The metric {name} summed over every step run. {metric.description}",
        )
    return out


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one person has everything)."""
    return float(_gini(np.ascontiguousarray(values, dtype=float)))


@numba.njit(cache=True, nogil=True)
def _gini(values):
    # The radix sort's fixed cost (six passes over 2,048 counters) outweighs its speed on
    # small organisations; both give the same sorted values.
    v = sort(values) if values.size < 4096 else sort_floats(values)
    n = v.size
    total, ranked = 0.0, 0.0
    for i in range(n):
        total += v[i]
        ranked += (i + 1) * v[i]
    if n == 0 or total <= 0.0:
        return 0.0
    value = 2.0 * ranked / (n * total) - (n + 1.0) / n
    return min(max(value, 0.0), 1.0)  # rounding can land a hair outside [0, 1]


@numba.njit(cache=True, nogil=True)
def sort_floats(values):
    """A sorted copy of a float64 array without NaNs, by least-significant-digit radix sort.

    Gini needs a sort every step; this one is about 2.5x as fast as ``np.sort`` at 100,000
    values on our machines. Each float's bits become an unsigned key that orders like the
    float (flip every bit of a negative number, only the sign bit of a positive one), then six
    stable passes of 11 bits each (2,048 counters, which fit in the L1 cache) sort the keys.
    """
    sign = np.uint64(1) << np.uint64(63)
    keys = values.view(np.uint64).copy()
    for i in range(keys.size):
        keys[i] = ~keys[i] if keys[i] & sign else keys[i] | sign
    spare = np.empty_like(keys)
    counts = np.empty(2049, dtype=np.int64)
    for shift in range(0, 64, 11):
        counts[:] = 0
        for key in keys:
            counts[((key >> np.uint64(shift)) & np.uint64(0x7FF)) + 1] += 1
        most = 0
        for c in counts:
            most = max(most, c)
        if most == keys.size:  # one digit throughout: this pass would change nothing
            continue
        for d in range(2048):
            counts[d + 1] += counts[d]
        for key in keys:
            digit = (key >> np.uint64(shift)) & np.uint64(0x7FF)
            spare[counts[digit]] = key
            counts[digit] += 1
        keys, spare = spare, keys
    for i in range(keys.size):
        keys[i] = keys[i] ^ sign if keys[i] & sign else ~keys[i]
    return keys.view(np.float64)


@numba.njit(cache=True, nogil=True)
def sort(values):
    """A sorted copy of a 1-D array of numbers without NaNs (the values of ``np.sort``).

    One small quicksort shared by the compiled code that sorts (`_gini`, and
    `collaboration._work_together` through `distinct`): numba's ``np.sort`` and ``np.unique``
    each compiled its own generic quicksort, seconds of a first run's compile time. Median of
    three, the smaller part first (at most 64 ranges pending), ranges under 16 left to one
    insertion pass at the end. The sorted values are the same whatever the algorithm, so no
    result depends on it.
    """
    v = values.copy()
    n = v.size
    lo_stack, hi_stack = np.empty(64, dtype=np.int64), np.empty(64, dtype=np.int64)
    top, lo, hi = 0, 0, n - 1
    while True:
        while hi - lo >= 16:
            mid = (lo + hi) >> 1  # order v[lo] <= v[mid] <= v[hi]: sentinels for the scans
            if v[mid] < v[lo]:
                v[mid], v[lo] = v[lo], v[mid]
            if v[hi] < v[mid]:
                v[hi], v[mid] = v[mid], v[hi]
                if v[mid] < v[lo]:
                    v[mid], v[lo] = v[lo], v[mid]
            pivot = v[mid]
            v[mid], v[hi - 1] = v[hi - 1], v[mid]
            i, j = lo, hi - 1
            while True:
                i += 1
                while v[i] < pivot:
                    i += 1
                j -= 1
                while pivot < v[j]:
                    j -= 1
                if i >= j:
                    break
                v[i], v[j] = v[j], v[i]
            v[i], v[hi - 1] = v[hi - 1], v[i]
            if i - lo < hi - i:  # keep the larger part for later, go on with the smaller
                lo_stack[top], hi_stack[top] = i + 1, hi
                hi = i - 1
            else:
                lo_stack[top], hi_stack[top] = lo, i - 1
                lo = i + 1
            top += 1
        if top == 0:
            break
        top -= 1
        lo, hi = lo_stack[top], hi_stack[top]
    for i in range(1, n):  # every value is now within 16 places of its own
        x = v[i]
        j = i - 1
        while j >= 0 and x < v[j]:
            v[j + 1] = v[j]
            j -= 1
        v[j + 1] = x
    return v


@numba.njit(cache=True, nogil=True)
def distinct(values):
    """The distinct values of a 1-D array, sorted: ``np.unique(values)``, by `sort`."""
    v = sort(values)
    count = 0
    for i in range(v.size):
        if i == 0 or v[i] != v[count - 1]:
            v[count] = v[i]
            count += 1
    return v[:count]


@numba.njit(cache=True, nogil=True)
def knowledge_summary(knowledge, department, departments, threshold):
    """One pass over the knowledge matrix for the knowledge metrics.

    Returns ``(each person's mean knowledge, per-department column sums (departments, K),
    column sums of squares (K,), cells at or above threshold, people at or above threshold on
    topic 0)``. Sums run in row order, so they do not depend on thread counts.
    """
    n, topics = knowledge.shape
    per_person = np.empty(n)
    sums = np.zeros((departments, topics))
    squares = np.zeros(topics)
    covered, adopted = 0, 0
    for i in range(n):
        d = department[i]
        total = 0.0
        for t in range(topics):
            v = knowledge[i, t]
            total += v
            sums[d, t] += v
            squares[t] += v * v
            covered += v >= threshold
        per_person[i] = total / topics
        adopted += knowledge[i, 0] >= threshold
    return per_person, sums, squares, covered, adopted


def silo_index(knowledge: np.ndarray, department: np.ndarray) -> float:
    """Share of the variance of knowledge that lies between departments (mean over topics).

    0 means departments know the same things; 1 means everyone knows exactly what their
    department knows and departments differ.
    """
    size = np.bincount(department)
    _, sums, squares, _, _ = knowledge_summary(knowledge, department, size.size, 0.0)
    return _between_share(sums, squares, size)


@numba.njit(cache=True, nogil=True)
def _between_share(sums, squares, size):
    """`silo_index` from per-department column sums and column sums of squares."""
    n = 0
    for d in range(size.size):
        n += size[d]
    share, counted = 0.0, 0
    for t in range(sums.shape[1]):
        overall = 0.0
        for d in range(size.size):
            overall += sums[d, t]
        overall /= n
        between = 0.0
        for d in range(size.size):
            if size[d] > 0:
                gap = sums[d, t] / size[d] - overall
                between += size[d] * gap * gap
        total = squares[t] - n * overall * overall
        if total > 1e-9 * n:
            share += min(max(between / total, 0.0), 1.0)
            counted += 1
    return share / counted if counted else 0.0


@numba.njit(cache=True, nogil=True)
def _people_and_ties(
    per_person, hoarder, reputation, has_tools, last_post, since, generosity, lurker,
    given, reverse, strength,
):
    """The per-person and per-tie metrics in one pass each: participation, reciprocity, the
    mean reputation and knowledge of hoarders and of everyone else (NaN where a group is
    empty), the mean tie strength, mean generosity and the share of lurkers."""
    n = per_person.size
    members = posted = hoarders = 0
    rep_h = rep_o = know_h = know_o = generous = lurking = 0.0
    for i in range(n):
        if has_tools[i]:
            members += 1
            posted += last_post[i] > since
        if hoarder[i]:
            hoarders += 1
            rep_h += reputation[i]
            know_h += per_person[i]
        else:
            rep_o += reputation[i]
            know_o += per_person[i]
        generous += generosity[i]
        lurking += lurker[i]
    # Ties where help went one way or both: each tie that gave counts once from each side
    # (``reverse`` is a one-to-one map), less the ties where it went both ways. Only ties
    # that gave look up their reverse, a random read.
    gave = both = 0
    tie_total = 0.0
    for e in range(given.size):
        if given[e] > 0.0:
            gave += 1
            both += given[reverse[e]] > 0.0
        tie_total += strength[e]
    helped_any = 2 * gave - both
    others = n - hoarders
    return (
        posted / members if members else 0.0,
        both / helped_any if helped_any else 0.0,
        rep_h / hoarders if hoarders else np.nan,
        rep_o / others if others else np.nan,
        know_h / hoarders if hoarders else np.nan,
        know_o / others if others else np.nan,
        tie_total / given.size if given.size else 0.0,
        generous / n,
        lurking / n,
    )


#: The metrics of `_state_metrics`, in the order of its values.
STATE_METRICS = (
    "mean_knowledge", "coverage", "idea_adoption", "gini", "silo_index", "alignment",
    "participation", "reciprocity", "reputation_hoarders", "reputation_others",
    "knowledge_hoarders", "knowledge_others", "mean_tie_strength", "mean_generosity", "lurking",
)


def measure(state, network, params, counts: dict, step: int) -> dict:
    """All metrics of the current state and the step's event counts."""
    values, by_department = _state_metrics(
        state.knowledge, network.department, params.knowledge.threshold, state.demand,
        state.hoarder, state.reputation, state.has_tools, state.last_post,
        step - params.metrics.participation_window, state.generosity, state.lurker,
        state.given, network.reverse, state.strength,
    )
    out = dict(zip(STATE_METRICS, values.tolist()))
    for name in COUNTS:
        out[name] = int(counts.get(name, 0))
    for name in GAINS:
        out[name] = float(counts.get(name, 0.0))
    for d, value in enumerate(by_department.tolist()):  # NaN for an emptied department
        out[f"knowledge_dept_{d}"] = value
    return out


@numba.njit(cache=True, nogil=True)
def _state_metrics(
    knowledge, department, threshold, demand, hoarder, reputation, has_tools, last_post,
    since, generosity, lurker, given, reverse, strength,
):
    """Every metric of the state (`STATE_METRICS`, in order) and each department's mean
    knowledge, in one compiled call: a 200-person step's metrics cost about as much as one
    numpy call each would."""
    n, topics = knowledge.shape
    # Not a literal 0: numba would first type the call below with Literal[int](0) and compile
    # `knowledge_summary` once more for it.
    departments = np.int64(0)
    for d in department:
        departments = max(departments, d + 1)
    size = np.zeros(departments, dtype=np.int64)
    for d in department:
        size[d] += 1
    per_person, sums, squares, covered, adopted = knowledge_summary(
        knowledge, department, departments, threshold
    )
    overall = np.zeros(topics)
    for d in range(departments):
        for t in range(topics):
            overall[t] += sums[d, t]
    mean, aligned, weight = 0.0, 0.0, 0.0
    for t in range(topics):
        overall[t] /= n
        mean += overall[t]
        if t > 0:  # client topics; their mean over people is the mean of payoff()
            aligned += overall[t] * demand[t]
            weight += demand[t]
    people = _people_and_ties(
        per_person, hoarder, reputation, has_tools, last_post, since, generosity, lurker,
        given, reverse, strength,
    )
    values = np.array((
        mean / topics, covered / (n * topics), adopted / n, _gini(per_person),
        _between_share(sums, squares, size), aligned / weight if weight > 0.0 else np.nan,
        *people,
    ))
    by_department = np.full(departments, np.nan)
    for d in range(departments):
        if size[d]:
            total = 0.0
            for t in range(topics):
                total += sums[d, t]
            by_department[d] = total / (topics * size[d])
    return values, by_department


def first_crossing(series: np.ndarray, steps: np.ndarray, level: float) -> int | None:
    """The first step at which ``series`` reaches ``level``, or None if it never does."""
    hit = np.flatnonzero(np.asarray(series) >= level)
    return int(steps[hit[0]]) if hit.size else None
