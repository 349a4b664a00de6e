"""Mesa's own tools on orglearn's model: `mesa.batch_run` and Mesa's SolaraViz (the ``viz``
extra) in a real headless Chromium."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest

from orglearn import SocialLearningModel
from tests.ui.conftest import READY_SECONDS, VIEWPORT, Watched, browser  # noqa: F401 - fixture
from tests.ui.servers import solara_server

PARAMETERS = {"n_agents": [40, 60], "hoarder_share": [0.0, 0.3]}
STEPS = 5


@pytest.fixture
def batch_rows():
    """`mesa.batch_run` over 2 x 2 parameter values and two numpy seeds, every step recorded.
    batch_run forces the 'spawn' start method on the whole program; it is put back after."""
    import mesa

    before = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(
            SocialLearningModel,
            parameters=PARAMETERS,
            rng=np.arange(2),
            max_steps=STEPS,
            data_collection_period=1,
            number_processes=1,
            display_progress=False,
        )
    finally:
        multiprocessing.set_start_method(before, force=True)
    return pd.DataFrame(rows)


def test_batch_run_gives_every_step_of_every_run(batch_rows):
    rows = batch_rows
    assert rows["RunId"].nunique() == 2 * 2 * 2
    for _, steps in rows.groupby("RunId")["Step"]:
        assert sorted(steps) == list(range(STEPS + 1))
    assert set(map(int, rows["rng"])) == {0, 1}
    combos = rows.groupby(["n_agents", "hoarder_share", "rng"])["RunId"].nunique()
    assert len(combos) == 8 and (combos == 1).all()
    for metric in ("mean_knowledge", "idea_adoption", "gini", "participation"):
        assert rows[metric].notna().all(), metric


def test_batch_run_rows_are_the_models_own_numbers(batch_rows):
    """Each run of batch_run (numpy integer seeds) is the model built directly with that seed,
    and the parameters reach the model: hoarders are less generous."""
    run = batch_rows[(batch_rows["n_agents"] == 60) & (batch_rows["hoarder_share"] == 0.3)
                     & (batch_rows["rng"] == 1)].sort_values("Step")
    model = SocialLearningModel(n_agents=60, hoarder_share=0.3, rng=1)
    model.run(STEPS)
    direct = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    for metric in ("mean_knowledge", "idea_adoption", "gini", "asks", "helps"):
        assert run[metric].tolist() == pytest.approx(direct[metric].tolist()), metric
    first = batch_rows[batch_rows["Step"] == 0].groupby("hoarder_share")["mean_generosity"].mean()
    assert first[0.3] < first[0.0]
    assert SocialLearningModel(n_agents=40, rng=np.int64(7)).summary() == \
        SocialLearningModel(n_agents=40, rng=7).summary()


APP = ("import sys; from orglearn.ui.server import serve; "
       "sys.exit(serve('127.0.0.1', int(sys.argv[1]), app='tests.simulation.mesa_viz_app'))")


def test_solaraviz_steps_and_resets_the_model_in_a_browser(browser, tmp_path):  # noqa: F811
    """Mesa's SolaraViz page (tests/simulation/mesa_viz_app.py): Step advances the model and
    the mean-knowledge chart and the employees redraw; Reset rebuilds the model from Mesa's
    model parameters, with a slider's new value."""
    from mesa.visualization import SolaraViz  # noqa: F401 - the viz extra is installed

    with solara_server(APP, tmp_path / "server.log") as url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(60_000)
            watched = Watched(page)
            page.goto(url)
            page.get_by_text("Day 0: 60 employees, 3 hoarders").wait_for(
                timeout=READY_SECONDS * 1000)
            start = page.locator(".orglearn-employees").inner_text()
            chart = page.locator(".vue-grid-item").first.locator("img")
            chart.wait_for()
            before = chart.screenshot()

            page.get_by_role("button", name="Step").click()
            page.get_by_text("Day 1: 60 employees").wait_for()
            page.get_by_text("Time: 1.0").wait_for()
            assert _changes(chart, before), "the mean_knowledge chart did not redraw"
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Day 2: 60 employees").wait_for()

            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Day 0: 60 employees").wait_for()
            assert page.locator(".orglearn-employees").inner_text() == start  # same seed

            slider = page.locator(".v-input", has_text="Knowledge hoarders")
            slider.locator("[role=slider]").focus()
            page.keyboard.press("End")  # 0.5
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Day 0: 60 employees, 30 hoarders").wait_for()
            assert watched.failed == [] and watched.external == []
        finally:
            context.close()


def _changes(image, before: bytes, seconds: float = 20.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if image.screenshot() != before:
            return True
        time.sleep(0.3)
    return False
