"""Layout, drawing, charts and the three values: fixed positions, fast figures, PNG bytes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from orglearn.ui import charts
from orglearn.ui.drawing import COLOUR_BY, draw_organisation, knowledge_values
from orglearn.ui.glance import three_values
from orglearn.ui.layout import MAX_TIES_DRAWN, organisation_layout
from orglearn.simulation import SocialLearningModel

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model():
    m = SocialLearningModel(n_agents=300, rng=3)
    m.run(40)
    return m


def _layout(model, **kw):
    net = model.network
    return organisation_layout(net.department, net.team, net.adjacency, **kw)


def test_layout_groups_people_by_department_and_is_fixed(model):
    layout = _layout(model)
    again = _layout(model)
    assert np.array_equal(layout.people, again.people) and np.array_equal(layout.ties, again.ties)
    dept = model.network.department
    assert layout.people.shape == (300, 2) and not layout.aggregate
    # Everyone lies in their department's disc, and the discs do not overlap.
    distance = np.linalg.norm(layout.people - layout.centres[dept], axis=1)
    assert (distance <= layout.radii[dept]).all()
    d = layout.centres.shape[0]
    for a in range(d):
        for b in range(a + 1, d):
            gap = np.linalg.norm(layout.centres[a] - layout.centres[b])
            assert gap > layout.radii[a] + layout.radii[b]
    assert layout.department_ties.sum() == model.network.adjacency.sum()
    assert layout.sizes.sum() == 300


def test_large_organisations_are_aggregated_and_ties_sampled():
    m = SocialLearningModel(n_agents=5000, rng=1)
    started = time.perf_counter()
    layout = _layout(m)
    assert time.perf_counter() - started < 5
    assert layout.aggregate and layout.ties.shape == (MAX_TIES_DRAWN, 2, 2)
    values = knowledge_values(m.state.knowledge, "All topics")
    fig = draw_organisation(layout, values, m.network.department, "All topics", 0)
    assert charts.png(fig).startswith(PNG)


@pytest.mark.parametrize("colour", list(COLOUR_BY))
def test_the_organisation_is_drawn(model, colour):
    values = knowledge_values(model.state.knowledge, colour)
    assert values.shape == (300,) and ((0 <= values) & (values <= 1)).all()
    fig = draw_organisation(_layout(model), values, model.network.department, colour, 40)
    assert "day 40" in fig.axes[0].get_title()
    assert charts.png(fig).startswith(PNG)


def test_the_charts_span_the_whole_run(model):
    series = model.datacollector.model_vars
    for fig in (
        charts.spread_chart(series, 365, 30, None),
        charts.channels_chart(series, 365),
        charts.participation_chart(series, 365),
    ):
        assert fig.axes[0].get_xlim() == (0, 365)
        assert charts.png(fig).startswith(PNG)


def test_three_values(model):
    learning, communicating, collaborating = three_values(model.datacollector.model_vars)
    assert [v.name for v in (learning, communicating, collaborating)] == [
        "Learning", "Communicating", "Collaborating"]
    for value in (learning, communicating, collaborating):
        assert 0.0 <= value.score <= 1.0
    assert learning.score == pytest.approx(model.metrics["mean_knowledge"])
    assert collaborating.score == pytest.approx(model.metrics["reciprocity"])
    series = model.datacollector.model_vars
    asks = sum(series["asks"][-30:])
    assert communicating.score == pytest.approx(sum(series["direct"][-30:]) / asks)


def test_three_values_at_day_zero():
    m = SocialLearningModel(n_agents=50, rng=1)
    _, communicating, _ = three_values(m.datacollector.model_vars)
    assert communicating.score == 0.0 and "Nobody asked" in communicating.detail


def test_a_click_finds_the_person_drawn_there(model):
    """The click mapping uses the drawn figure's own geometry: the pixel of each person's dot
    maps back to that person; a click on empty paper finds no one."""
    import io

    from PIL import Image

    from orglearn.ui.drawing import clicked, where_drawn

    layout = _layout(model)
    values = np.ones(300)
    fig = draw_organisation(layout, values, model.network.department)
    image = np.asarray(Image.open(io.BytesIO(charts.png(fig))).convert("RGB"))
    height, width, _ = image.shape
    ax = fig.axes[0]
    for person in (0, 17, 150, 299):
        x, y = ax.transData.transform(layout.people[person])
        fx, fy = x / width, 1.0 - y / height
        assert clicked(layout, fx, fy).person == person
        assert np.allclose(where_drawn(layout, layout.people[person]), [[fx, fy]])
        # the dot is really there in the picture: not white paper
        assert image[int(round(fy * height)), int(round(fx * width))].mean() < 230
    assert clicked(layout, 0.995, 0.005).person is None


def test_a_click_on_a_department_disc_finds_the_department():
    from orglearn.ui.drawing import clicked, department_labels

    m = SocialLearningModel(n_agents=2500, departments=4, rng=1)
    net = m.network
    layout = organisation_layout(net.department, net.team, net.adjacency)
    assert layout.aggregate
    fig = draw_organisation(layout, np.zeros(net.n), net.department,
                            department_names=["Ops", "Sales", "HQ", "R&D"])
    charts.png(fig)
    ax = fig.axes[0]
    width, height = fig.get_size_inches() * fig.dpi
    for d in range(4):
        x, y = ax.transData.transform(layout.centres[d])
        hit = clicked(layout, x / width, 1.0 - y / height)
        assert hit.department == d and hit.person is None
    labels = [t.get_text() for t in ax.texts]
    assert {"Ops", "Sales", "HQ", "R&D"} <= set(labels)
    assert department_labels(2, None) == ["Department 1", "Department 2"]
