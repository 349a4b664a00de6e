"""The live run in a real browser: it keeps the page usable while it plays, and says when it is
busy (see conftest.py for the browser and the server)."""

from __future__ import annotations

import re

from tests.ui.conftest import screenshot

BUSY = ".orglearn-busy"


def test_tabs_and_busy_indicator_while_the_run_plays(open_page):
    """While a run plays the page says it is busy and tells the speed it really runs at; the
    Simulation tab comes back from Export at once, with the run still playing; Pause, Step and
    a slider each end with the charts of the day shown and nothing busy."""
    page = open_page().page
    page.locator(".orglearn-speed [role=slider]").focus()
    page.keyboard.press("Home")  # 1 day a second: the run lasts minutes
    page.get_by_text("Speed: 1 day a second").wait_for()
    page.get_by_role("button", name="Run", exact=True).click()
    page.locator(BUSY).wait_for()
    page.get_by_text(re.compile(r"running at \d+ days? a second")).wait_for()
    page.get_by_text(re.compile(r"Day [1-9]\d* of 365")).wait_for()

    page.get_by_role("tab", name="Export").click()
    page.get_by_text("Results (CSV)").wait_for()
    page.get_by_role("tab", name="Simulation").click()
    # Before the fix the Export tab stayed until the run ended (here: six minutes).
    page.locator(".orglearn-day").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Pause", exact=True).is_visible()
    assert page.locator(BUSY).count() == 1
    screenshot(page, "09-running-busy")

    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).wait_for()
    page.locator(BUSY).wait_for(state="detached")
    day = int(re.search(r"Day (\d+)", page.locator(".orglearn-day").inner_text()).group(1))
    page.locator(f".orglearn-charts-day-{day}").wait_for()

    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text(f"Day {day + 1} of 365").wait_for()
    page.locator(f".orglearn-charts-day-{day + 1}").wait_for()
    page.locator(BUSY).wait_for(state="detached")

    page.locator(".orglearn-control-lurkers [role=slider]").focus()
    page.keyboard.press("ArrowRight")
    page.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 31%").wait_for()
    page.get_by_text("Day 0 of 365").wait_for()
    page.locator(".orglearn-charts-day-0").wait_for()
    page.locator(BUSY).wait_for(state="detached")
