"""Who learned from whom (`simulation.sources`): an observer that changes nothing in a run."""

from __future__ import annotations

import numpy as np

from orglearn.simulation.metrics import CHANNELS as METRIC_CHANNELS
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.sources import CHANNELS, SourceLog

PEOPLE = "person_id,manager_id,team,department,tool_access\n" + "".join(
    f"p{i},{'' if i % 10 == 0 else f'p{i - i % 10}'},t{i // 10},d{i // 30},yes\n"
    for i in range(60)
) + "loner,,alone,Nowhere,yes\n"


def test_tracking_changes_nothing_and_sums_to_the_gains():
    """Same seed, tracking on or off: identical knowledge and metrics; the log's per-channel
    sums equal the run's per-channel knowledge gains."""
    runs = []
    for track in (False, True):
        model = SocialLearningModel(n_agents=300, turnover__enabled=False, rng=7,
                                    track_sources=track)
        model.run(60)
        runs.append(model)
    off, on = runs
    assert off.state.sources is None
    np.testing.assert_array_equal(off.state.knowledge, on.state.knowledge)
    np.testing.assert_array_equal(off.state.strength, on.state.strength)
    assert off.datacollector.model_vars == on.datacollector.model_vars
    log = on.state.sources
    for channel in METRIC_CHANNELS:
        total = sum(on.datacollector.model_vars[f"gain_{channel}"])
        assert np.isclose(log.by_channel[:, CHANNELS.index(channel)].sum(), total), channel
    assert (log.by_channel >= 0).all()
    # Teachers of direct help and collaboration are colleagues the learner has a tie with.
    adjacency = on.network.adjacency
    learners = np.flatnonzero(log.by_channel[:, 0] > 0)[:40]
    for row in learners:
        ties = set(adjacency.indices[adjacency.indptr[row]:adjacency.indptr[row + 1]].tolist())
        people = [s for s in log.teachers(int(row), top=50) if s.channel in ("direct", "collaboration")]
        assert people and all(s.teacher in ties for s in people)
        assert all(s.teacher != row for s in log.teachers(int(row), top=50))
    # The per-teacher sums add up to the per-channel sums of the channels with a person.
    assert np.isclose(log.by_teacher().sum(), log.by_channel[:, :3].sum())


def test_a_person_without_ties_learns_only_from_posts_training_and_clients(tmp_path):
    """No ties: no help, no collaboration, only the ESN, training and the field."""
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    model = SocialLearningModel(organisation__people_file=str(people), turnover__enabled=False,
                                rng=3, track_sources=True)
    loner = model.network.n - 1
    assert np.diff(model.network.adjacency.indptr)[loner] == 0
    model.run(120)
    log = model.state.sources
    channels = log.channels(loner)
    assert channels["direct"] == 0 and channels["collaboration"] == 0
    assert channels["esn"] + channels["training"] + channels["field"] > 0
    assert {s.channel for s in log.teachers(loner, top=50)} <= {"esn"}


def test_leavers_history_is_cleared():
    log = SourceLog(4)
    log.record(np.array([0, 1, 1]), np.array([2, 3, 2]), 0, np.array([0.5, 0.25, 0.125]))
    log.record(np.array([1]), None, 4, np.array([1.0]))
    assert [s.teacher for s in log.teachers(1)] == [3, 2]
    log.forget_rows(np.array([1]))
    assert log.teachers(1) == [] and log.channels(1)["field"] == 0
    assert [s.amount for s in log.teachers(0)] == [0.5]


def test_forgetting_rows_keeps_the_others_exactly():
    rng = np.random.default_rng(0)
    learner, teacher = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    amount, more = rng.random(1000), rng.random(1000)
    log = SourceLog(50)
    log.record(learner[:1000], teacher[:1000], 0, amount)
    log.by_teacher()  # folded into the sparse matrix
    log.record(learner[1000:], teacher[1000:], 2, more)  # still pending
    gone = np.array([3, 17, 18, 49])
    log.forget_rows(gone)
    expected = np.zeros((50, 50))
    np.add.at(expected, (learner, teacher), np.r_[amount, more])
    expected[gone] = 0.0
    np.testing.assert_allclose(log.by_teacher().toarray(), expected)
    assert all(log.teachers(int(r)) == [] for r in gone)
    log.record(np.array([3]), np.array([4]), 1, np.array([0.5]))  # the newcomer learns
    assert [(s.teacher, s.channel) for s in log.teachers(3)] == [(4, "esn")]
