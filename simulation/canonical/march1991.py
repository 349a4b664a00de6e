"""March (1991): mutual learning between individuals and an organisational code.

Reality has ``m`` dimensions, each +1 or -1 with equal chance. Each of ``n`` individuals holds a
belief in {-1, 0, 1} about every dimension (equiprobable at the start), and so does the
organisational code (0 everywhere at the start). Knowledge is the share of dimensions on which a
belief equals reality; a 0 ("no opinion") never counts. One period, as the paper's text states
it (the default rules, March's program, differ in steps 3 and 4; see below):

1. **Turnover** (``p3``): each individual leaves with chance ``p3`` and a newcomer with fresh
   random beliefs takes the seat (and its socialisation rate).
2. **Turbulence** (``p4``): each dimension of reality flips sign with chance ``p4``.
3. **Socialisation** (``p1``): wherever the code is non-zero and an individual's belief
   differs from it, the belief changes to the code's value with chance ``p1`` (per individual
   and dimension, independently).
4. **Code learning** (``p2``): the *superior group* is the individuals whose beliefs match
   reality on more dimensions than the code does. On each dimension, with ``a`` members of that
   group believing +1 and ``b`` believing -1, the dominant belief is the sign of ``a - b`` and
   ``k = |a - b|``; if ``k > 0`` and the code differs from the dominant belief, the code takes
   it with chance ``1 - (1 - p2) ** k``.

Steps 3 and 4 are simultaneous: both read the state left by steps 1 and 2 (the paper: "at the
same time, the organizational code adapts"). Without turnover and turbulence the process ends in
an absorbing state (the paper's equilibrium), detected exactly (`at_equilibrium`): no belief
differs from a non-zero code and no dimension has a dominant superior-group belief that differs
from the code.

Two rule sets (``docs/validation.md`` says why they differ and what each gives):

* **March's program** (`PROGRAM_RULES`, the default): ``socialisation="stepwise"`` moves a
  belief one step towards the code (-1 to 0 to +1), and ``superiority="actions"`` judges
  people on what they do: each period every individual acts on their beliefs, guessing +1 or
  -1 where they believe 0, is superior if the actions' matches minus mismatches beat the
  code's, and the code learns from the superior group's actions. This is what March's BASIC
  program did (Christensen 2015; Watts and Gilbert 2014), so it is the rule set that produced
  the published figures: with 80 runs per point it reproduces the published recreation of
  that program (Workiewicz 2019) to about 0.01 (``orglearn validate march1991``).
* **The paper's text** (`PAPER_RULES`, pass them explicitly): ``socialisation="direct"``
  ("individual belief changes to that of the code") and ``superiority="knowledge"``
  ("individuals whose beliefs correspond with reality on more dimensions than does the
  code", counting matching beliefs only). It gives the published orderings at lower levels
  and misses the recreation's figure-1 values.
* ``superiority="score"`` (beliefs' matches minus mismatches) is a third option, between
  the two.

Where the paper is silent or ambiguous, both rule sets share one reading:

* ``k`` is the majority's margin within the superior group (beliefs of 0 count for neither
  side), which is what the BASIC program computes; footnote 1's wording ("who differ from the
  code minus the number who do not") would also count 0-believers.

Everything is vectorised over a batch of independent replications: beliefs are one
``(replications, n, m)`` array, so 80 organisations step as fast as a few.

References:
    March, J. G. (1991). Exploration and exploitation in organizational learning.
    Organization Science, 2(1), 71-87. https://doi.org/10.1287/orsc.2.1.71

    Christensen, M. (2015). An unpublished note on March's original program, quoted in
    Workiewicz (2019).

    Workiewicz, M. (2019). Recreation of the March (1991) original algorithm.
    https://github.com/Mac13kW/March_1991_Original

    Rodan, S. (2005). Exploration and exploitation revisited: extending March's model of mutual
    learning. Scandinavian Journal of Management, 21, 407-428.

    Watts, C., & Gilbert, N. (2014). Simulating Innovation: Computer-Based Tools for Rethinking
    Innovation, chapter 4. Edward Elgar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import mesa
import numpy as np

from orglearn.simulation.canonical._checks import check_choice, check_count, check_probability

__all__ = [
    "PROGRAM_RULES",
    "PAPER_RULES",
    "MarchState",
    "MarchRun",
    "March1991",
    "new_organisations",
    "march_period",
    "at_equilibrium",
    "run_march",
]

SOCIALISATION = ("direct", "stepwise")
SUPERIORITY = ("knowledge", "score", "actions")

#: March's original program, the default everywhere: ``run_march(...)`` is
#: ``run_march(..., **PROGRAM_RULES)``.
PROGRAM_RULES: Mapping[str, str] = MappingProxyType(
    {"socialisation": "stepwise", "superiority": "actions"}
)
#: The rules as the paper's text states them: ``run_march(..., **PAPER_RULES)``.
PAPER_RULES: Mapping[str, str] = MappingProxyType(
    {"socialisation": "direct", "superiority": "knowledge"}
)


@dataclass
class MarchState:
    """A batch of independent organisations (one per replication), all arrays writable.

    Attributes:
        reality: ``(R, m)`` values +1 or -1.
        code: ``(R, m)`` organisational code in {-1, 0, 1}.
        beliefs: ``(R, n, m)`` individuals' beliefs in {-1, 0, 1}.
        p1: ``(R, n)`` socialisation rate of each seat.
        p2: ``(R,)`` code learning rate.
        p3: ``(R,)`` turnover rate.
        p4: ``(R,)`` turbulence rate.
    """

    reality: np.ndarray
    code: np.ndarray
    beliefs: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    p3: np.ndarray
    p4: np.ndarray

    @property
    def replications(self) -> int:
        """Number of organisations in the batch."""
        return self.code.shape[0]

    def code_knowledge(self) -> np.ndarray:
        """``(R,)`` share of dimensions on which the code equals reality."""
        return (self.code == self.reality).mean(axis=1)

    def code_score(self) -> np.ndarray:
        """``(R,)`` matches minus mismatches of the code with reality, over ``m`` (in [-1, 1])."""
        return (self.code * self.reality).mean(axis=1, dtype=float)

    def individual_knowledge(self) -> np.ndarray:
        """``(R, n)`` share of dimensions on which each individual's belief equals reality."""
        return (self.beliefs == self.reality[:, None, :]).mean(axis=2)

    def subset(self, rows: np.ndarray) -> MarchState:
        """The organisations ``rows`` of the batch (copies)."""
        return MarchState(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class MarchRun:
    """What `run_march` returns, one entry per replication.

    Attributes:
        knowledge: ``(R,)`` code knowledge at the end (the paper's "knowledge").
        score: ``(R,)`` the code's matches minus mismatches over ``m`` at the end (the
            measure March's BASIC program reported, per Christensen 2015).
        individual_knowledge: ``(R, n)`` each individual's knowledge at the end.
        periods: ``(R,)`` periods run (to equilibrium, or the horizon).
        converged: ``(R,)`` whether the run reached equilibrium (always False with a horizon).
        series: ``(R, T + 1)`` code knowledge after each period 0..T, or None.
        p1: ``(R, n)`` socialisation rate of each seat, to split results by it.
    """

    knowledge: np.ndarray
    score: np.ndarray
    individual_knowledge: np.ndarray
    periods: np.ndarray
    converged: np.ndarray
    series: np.ndarray | None
    p1: np.ndarray


def new_organisations(
    replications: int,
    *,
    n: int = 50,
    m: int = 30,
    p1: Any = 0.5,
    p2: Any = 0.5,
    p3: Any = 0.0,
    p4: Any = 0.0,
    rng: np.random.Generator,
) -> MarchState:
    """Draw ``replications`` organisations at period 0.

    Args:
        replications: number of independent organisations.
        n: individuals per organisation.
        m: dimensions of reality.
        p1: socialisation rate: a number, or an array broadcastable to ``(replications, n)``
            (one rate per seat, e.g. a mix of fast and slow learners).
        p2: code learning rate, a number or one per replication.
        p3: turnover rate, a number or one per replication.
        p4: turbulence rate, a number or one per replication.
        rng: the generator every random number comes from.

    Returns:
        The batch: random reality and beliefs, a code of zeros.
    """
    check_count("replications", replications, "new_organisations")
    check_count("n", n, "new_organisations")
    check_count("m", m, "new_organisations")
    rates = {
        "p1": check_probability("p1", p1, (replications, n), "new_organisations"),
        **{
            name: check_probability(name, value, (replications,), "new_organisations")
            for name, value in (("p2", p2), ("p3", p3), ("p4", p4))
        },
    }
    return MarchState(
        reality=(2 * rng.integers(0, 2, (replications, m)) - 1).astype(np.int8),
        code=np.zeros((replications, m), dtype=np.int8),
        beliefs=rng.integers(-1, 2, (replications, n, m), dtype=np.int8),
        **rates,
    )


def march_period(
    state: MarchState,
    rng: np.random.Generator,
    *,
    socialisation: Literal["direct", "stepwise"] = "stepwise",
    superiority: Literal["knowledge", "score", "actions"] = "actions",
) -> None:
    """Advance every organisation of ``state`` by one period, in place (see the module).

    The defaults are March's program (`PROGRAM_RULES`); pass `PAPER_RULES` for the paper's.
    """
    check_choice("socialisation", socialisation, SOCIALISATION, "march_period")
    check_choice("superiority", superiority, SUPERIORITY, "march_period")
    beliefs, code, reality = state.beliefs, state.code, state.reality
    reps, n, m = beliefs.shape
    if state.p3.any():
        leavers = rng.random((reps, n)) < state.p3[:, None]
        count = int(leavers.sum())
        if count:
            beliefs[leavers] = rng.integers(-1, 2, (count, m), dtype=np.int8)
    if state.p4.any():
        flips = rng.random((reps, m)) < state.p4[:, None]
        reality[flips] *= -1

    # Both rules read the state as it is now; their changes are applied together at the end.
    dominant, margin = _superior_majority(state, superiority, rng)
    code_draw = rng.random((reps, m))
    code_changes = (margin > 0) & (dominant != code)
    code_changes &= code_draw >= (1.0 - state.p2[:, None]) ** margin

    target = code[:, None, :]
    learn = (target != 0) & (beliefs != target)
    learn &= rng.random((reps, n, m)) < state.p1[:, :, None]
    if socialisation == "direct":
        np.copyto(beliefs, np.broadcast_to(target, beliefs.shape), where=learn)
    else:
        beliefs += np.where(learn, np.sign(target - beliefs), 0).astype(np.int8)
    np.copyto(code, dominant, where=code_changes)


def _superior_majority(
    state: MarchState, superiority: str, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Dominant belief of the superior group on each dimension and its margin ``k``."""
    beliefs, code, reality = state.beliefs, state.code, state.reality
    if superiority == "knowledge":
        own = (beliefs == reality[:, None, :]).sum(axis=2)
        bar = (code == reality).sum(axis=1)
    else:
        if superiority == "actions":
            coin = (2 * rng.integers(0, 2, beliefs.shape, dtype=np.int8) - 1).astype(np.int8)
            beliefs = np.where(beliefs == 0, coin, beliefs)
        own = np.einsum("rnm,rm->rn", beliefs, reality, dtype=np.int32)
        bar = np.einsum("rm,rm->r", code, reality, dtype=np.int32)
    superior = own > bar[:, None]
    votes = np.einsum("rnm,rn->rm", beliefs, superior.astype(np.int8), dtype=np.int32)
    return np.sign(votes).astype(np.int8), np.abs(votes)


def at_equilibrium(state: MarchState, superiority: str = "actions") -> np.ndarray:
    """``(R,)`` whether each organisation is in an absorbing state (nothing can change).

    Only meaningful without turnover and turbulence. Nothing can change once no belief differs
    from a non-zero code (for a seat with ``p1 > 0``) and the code cannot move (``p2 = 0``, or
    no dimension has a dominant superior-group belief that differs from the code). With
    ``superiority="actions"`` the superior group is random; there the test is that nobody
    could outperform the code even with lucky guesses (matches minus mismatches plus the
    number of 0 beliefs), which may keep a run going a little after its code has settled.
    ``superiority`` must be the rule the organisations are run with (default: the program's).
    """
    target = state.code[:, None, :]
    can_learn = ((target != 0) & (state.beliefs != target)) & (state.p1[:, :, None] > 0)
    if superiority == "actions":
        best = np.einsum("rnm,rm->rn", state.beliefs, state.reality, dtype=np.int32)
        best += (state.beliefs == 0).sum(axis=2)
        bar = np.einsum("rm,rm->r", state.code, state.reality, dtype=np.int32)
        can_change = ((best > bar[:, None]).any(axis=1) & (state.p2 > 0))[:, None]
    else:
        dominant, margin = _superior_majority(state, superiority)
        can_change = ((margin > 0) & (dominant != state.code)) & (state.p2[:, None] > 0)
    return ~(can_learn.any(axis=(1, 2)) | can_change.any(axis=1))


def run_march(
    replications: int = 80,
    *,
    n: int = 50,
    m: int = 30,
    p1: Any = 0.5,
    p2: Any = 0.5,
    p3: Any = 0.0,
    p4: Any = 0.0,
    periods: int | None = None,
    max_periods: int = 10_000,
    socialisation: Literal["direct", "stepwise"] = "stepwise",
    superiority: Literal["knowledge", "score", "actions"] = "actions",
    record_series: bool = False,
    rng: Any = None,
) -> MarchRun:
    """Run a batch of independent organisations to equilibrium or for a number of periods.

    The default rules are March's program (`PROGRAM_RULES`), which reproduce the published
    figure 1 as recreated by Workiewicz (2019); ``**PAPER_RULES`` gives the paper's text.

    Args:
        replications: number of independent organisations (replications).
        n: individuals per organisation (the paper: 50).
        m: dimensions of reality (the paper: 30).
        p1: socialisation rate; a number or an array broadcastable to ``(replications, n)``.
        p2: code learning rate; a number or one per replication.
        p3: turnover rate; a number or one per replication.
        p4: turbulence rate; a number or one per replication.
        periods: run exactly this many periods; None runs each organisation to equilibrium
            (needs ``p3 = p4 = 0``, since turnover and turbulence never settle).
        max_periods: with ``periods=None``, stop a run that has not settled by then
            (``converged`` is False for it).
        socialisation: ``"stepwise"`` (March's BASIC program, the default) or ``"direct"``
            (the paper's text).
        superiority: ``"actions"`` (March's BASIC program, the default), ``"knowledge"`` (the
            paper's text) or ``"score"`` (beliefs' matches minus mismatches).
        record_series: keep code knowledge after every period (needs ``periods``).
        rng: seed or generator (an int, a `numpy.random.SeedSequence`, a Generator, or None).

    Returns:
        A `MarchRun` with one entry per replication.

    Raises:
        ValueError: a parameter out of range or a combination that cannot run.
    """
    check_choice("socialisation", socialisation, SOCIALISATION, "run_march")
    check_choice("superiority", superiority, SUPERIORITY, "run_march")
    rng = np.random.default_rng(rng)
    state = new_organisations(
        replications, n=n, m=m, p1=p1, p2=p2, p3=p3, p4=p4, rng=rng
    )
    if periods is None:
        if state.p3.any() or state.p4.any():
            raise ValueError(
                "The 'periods' parameter of run_march must be an integer >= 0 when turnover "
                "(p3) or turbulence (p4) is on: those runs never reach equilibrium. Got None "
                "instead; give a horizon such as periods=100."
            )
        if record_series:
            raise ValueError(
                "record_series=True needs a horizon: give 'periods' (an integer >= 0)."
            )
        check_count("max_periods", max_periods, "run_march")
        return _run_to_equilibrium(state, max_periods, socialisation, superiority, rng)
    check_count("periods", periods, "run_march", minimum=0)
    p1_seats = state.p1.copy()
    series = np.empty((replications, periods + 1)) if record_series else None
    if series is not None:
        series[:, 0] = state.code_knowledge()
    for t in range(1, periods + 1):
        march_period(state, rng, socialisation=socialisation, superiority=superiority)
        if series is not None:
            series[:, t] = state.code_knowledge()
    return MarchRun(
        knowledge=state.code_knowledge(),
        score=state.code_score(),
        individual_knowledge=state.individual_knowledge(),
        periods=np.full(replications, periods),
        converged=np.zeros(replications, dtype=bool),
        series=series,
        p1=p1_seats,
    )


def _run_to_equilibrium(
    state: MarchState, max_periods: int, socialisation: str, superiority: str,
    rng: np.random.Generator,
) -> MarchRun:
    """Step the batch, retiring each organisation as it settles (the batch shrinks)."""
    reps, n, _ = state.beliefs.shape
    knowledge = np.empty(reps)
    score = np.empty(reps)
    individual = np.empty((reps, n))
    periods = np.full(reps, max_periods)
    converged = np.zeros(reps, dtype=bool)
    p1_seats = state.p1.copy()
    ids = np.arange(reps)

    def retire(done: np.ndarray, t: int, settled: bool) -> None:
        rows = ids[done]
        knowledge[rows] = state.code_knowledge()[done]
        score[rows] = state.code_score()[done]
        individual[rows] = state.individual_knowledge()[done]
        periods[rows] = t
        converged[rows] = settled

    for t in range(0, max_periods + 1):
        if t > 0:
            march_period(state, rng, socialisation=socialisation, superiority=superiority)
        done = at_equilibrium(state, superiority)
        if done.any():
            retire(done, t, True)
            ids = ids[~done]
            if ids.size == 0:
                break
            state = state.subset(~done)
    else:
        retire(np.ones(ids.size, dtype=bool), max_periods, False)
    return MarchRun(knowledge, score, individual, periods, converged, None, p1_seats)


class March1991(mesa.Model):
    """March's (1991) mutual-learning model as a Mesa model: one organisation, stepped by period.

    The individuals are rows of ``state.beliefs`` (a batch of one organisation), so the model
    runs the same vectorised rules as `run_march`, with the same default (March's program,
    `PROGRAM_RULES`); use `run_march` for many replications.

    Args:
        n: individuals (the paper: 50).
        m: dimensions of reality (the paper: 30).
        p1: socialisation rate, a number or one per individual.
        p2: code learning rate.
        p3: turnover rate.
        p4: turbulence rate.
        socialisation: ``"stepwise"`` (March's program, the default) or ``"direct"`` (the
            paper's text).
        superiority: ``"actions"`` (March's program, the default), ``"knowledge"`` (the
            paper's text) or ``"score"``.
        rng: seed or generator, Mesa's convention.

    Examples:
        >>> model = March1991(p1=0.1, p2=0.9, rng=1)  # March's program
        >>> model.run_to_equilibrium()  # doctest: +SKIP
        >>> model.knowledge  # doctest: +SKIP
        >>> paper = March1991(p1=0.1, p2=0.9, rng=1, **PAPER_RULES)  # the paper's text
    """

    def __init__(
        self,
        *,
        n: int = 50,
        m: int = 30,
        p1: Any = 0.5,
        p2: float = 0.5,
        p3: float = 0.0,
        p4: float = 0.0,
        socialisation: Literal["direct", "stepwise"] = "stepwise",
        superiority: Literal["knowledge", "score", "actions"] = "actions",
        rng: Any = None,
    ) -> None:
        """Draw reality, the individuals' beliefs and a neutral code."""
        super().__init__(rng=rng)
        check_choice("socialisation", socialisation, SOCIALISATION, "March1991")
        check_choice("superiority", superiority, SUPERIORITY, "March1991")
        self.socialisation, self.superiority = socialisation, superiority
        self.state = new_organisations(
            1, n=n, m=m, p1=np.asarray(p1, dtype=float).reshape(1, -1) if np.ndim(p1) else p1,
            p2=p2, p3=p3, p4=p4, rng=self.rng,
        )
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "knowledge": lambda model: model.knowledge,
                "individual_knowledge": lambda model: model.individual_knowledge,
            }
        )
        self.datacollector.collect(self)

    @property
    def knowledge(self) -> float:
        """Share of dimensions on which the code equals reality."""
        return float(self.state.code_knowledge()[0])

    @property
    def individual_knowledge(self) -> float:
        """Mean share of dimensions on which an individual's belief equals reality."""
        return float(self.state.individual_knowledge()[0].mean())

    @property
    def at_equilibrium(self) -> bool:
        """Whether nothing can change any more (never, with turnover or turbulence)."""
        if self.state.p3[0] > 0 or self.state.p4[0] > 0:
            return False
        return bool(at_equilibrium(self.state, self.superiority)[0])

    def step(self) -> None:
        """One period: turnover, turbulence, then socialisation and code learning together."""
        march_period(
            self.state, self.rng, socialisation=self.socialisation, superiority=self.superiority
        )
        self.datacollector.collect(self)

    def run_to_equilibrium(self, max_periods: int = 10_000) -> int:
        """Step until `at_equilibrium` (or ``max_periods``); returns the periods run."""
        start = self.steps
        while not self.at_equilibrium and self.steps - start < max_periods:
            self.step()
        return self.steps - start
