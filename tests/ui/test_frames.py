"""Drawing the live run's frames (no browser): what a frame shows, that redrawing only what
moves gives the same picture as drawing afresh, and the UI benchmark's table."""

from __future__ import annotations

import io
import threading

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from orglearn.bench.ui import UI_TARGETS, format_ui_table
from orglearn.cli.main import main
from orglearn.ui import charts
from orglearn.ui.drawing import OrganisationChart, draw_organisation, knowledge_values
from orglearn.ui.frames import CHARTS, draw_frame, frame_key
from orglearn.ui.session import UiSession

COLOUR = "The new idea"


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


@pytest.fixture(scope="module")
def session():
    session = UiSession("frames")
    session.set_control("people", 200)
    return session


def test_a_frame_is_the_four_charts_of_the_day_shown(session):
    session.reset()
    first = draw_frame(session, COLOUR)
    assert first.key == frame_key(session, COLOUR) == (session.generation, 0, COLOUR, None)
    assert set(first.pngs) == set(CHARTS)
    assert all(png.startswith(b"\x89PNG") for png in first.pngs.values())
    session.step(20)
    later = draw_frame(session, COLOUR)
    assert later.key == (session.generation, 20, COLOUR, None)
    assert all(later.pngs[name] != first.pngs[name] for name in CHARTS)
    generation = session.generation
    session.reset()
    assert session.generation == generation + 1
    assert frame_key(session, COLOUR) != first.key  # a new model is a new frame, even at day 0


def test_a_cancelled_frame_is_not_drawn(session):
    cancel = threading.Event()
    cancel.set()
    assert draw_frame(session, COLOUR, cancel) is None


def test_redrawing_what_moves_gives_the_picture_of_a_new_figure(session):
    """Blitting (charts.LiveChart) shows what drawing the whole figure afresh shows."""
    session.reset()
    draw_frame(session, COLOUR)  # keeps the charts, as the page does
    session.step(60)
    frame = draw_frame(session, COLOUR)
    model = session.model
    series = {k: np.asarray(v) for k, v in model.datacollector.model_vars.items()}
    values = knowledge_values(model.state.knowledge, COLOUR)
    afresh = {
        "organisation": draw_organisation(session.layout, values, model.network.department,
                                          COLOUR, 60),
        "spread": charts.spread_chart(series, session.days, None, None),
        "channels": charts.channels_chart(series, session.days),
        "participation": charts.participation_chart(series, session.days),
    }
    for name, fig in afresh.items():
        kept, new = _pixels(frame.pngs[name]), _pixels(charts.png(fig))
        assert kept.shape == new.shape, name
        assert np.abs(kept - new).mean() < 1.0, name  # the same picture, to antialiasing


def test_the_organisation_chart_recolours_in_place(session):
    session.reset()
    model = session.model
    chart = OrganisationChart(session.layout, model.network.department, COLOUR)
    before = chart.update(np.zeros(model.network.n), 0).png()
    after = chart.update(np.ones(model.network.n), 7).png()
    assert before != after and "day 7" in chart.title.get_text()


@pytest.mark.parametrize("window", [1, 7, 30])
def test_the_moving_mean_is_pandas_rolling_mean(window):
    values = np.random.default_rng(1).random(50)
    expected = pd.Series(values).rolling(window, min_periods=1).mean().to_numpy()
    assert np.allclose(charts._moving_mean(values, window), expected)


def test_the_ui_benchmark_table_and_options(capsys):
    result = {key: target / 2 for _, key, target in UI_TARGETS}
    result.update(repeats=3, measured_at="2026-11-30 23:00 UTC", load_average_before=1.0,
                  load_average_after=1.5, comparison_s=None)
    table = format_ui_table(result)
    assert "Step to the next day drawn" in table and "yes" in table
    assert table.count("\n") == len(UI_TARGETS) + 1
    assert main(["bench", "--ui", "--repeats", "0"]) == 2
    assert "--repeats must be 1 or more" in capsys.readouterr().err


def test_the_person_looked_at_is_ringed_in_the_frame(session):
    """A frame with a person ringed differs from the same day without (a frame key each)."""
    session.reset()
    plain = draw_frame(session, COLOUR)
    ringed = draw_frame(session, COLOUR, ringed=3)
    assert ringed.key == frame_key(session, COLOUR, 3) != plain.key
    assert ringed.pngs["organisation"] != plain.pngs["organisation"]
    assert ringed.pngs["spread"] == plain.pngs["spread"]
    assert draw_frame(session, COLOUR).pngs["organisation"] == plain.pngs["organisation"]
