"""Mesa's own SolaraViz (the ``viz`` extra) on orglearn's model, in headless Chromium: the app
is tests/ui/mesa_viz_app.py, served by `orglearn.ui.server.serve` like the orglearn UI."""

from __future__ import annotations

import time

from tests.ui.conftest import READY_SECONDS, VIEWPORT, Watched
from tests.ui.servers import solara_server

APP = ("import sys; from orglearn.ui.server import serve; "
       "sys.exit(serve('127.0.0.1', int(sys.argv[1]), app='tests.ui.mesa_viz_app'))")


def test_solaraviz_steps_and_resets_the_model_in_a_browser(browser, tmp_path):
    """Mesa's SolaraViz page (tests/ui/mesa_viz_app.py): Step advances the model and
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
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if image.screenshot() != before:
            return True
        time.sleep(0.3)
    return False
