"""Looking at one person in a real browser (Debian's chromium through Playwright, conftest.py)."""

from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from orglearn.ui.drawing import where_drawn
from orglearn.ui.session import UiSession
from tests.ui.conftest import screenshot


def test_click_a_person_shows_who_they_learned_from(open_page):
    """Run a while, pause, click a dot: the card names that person, their traits and the
    colleague they learned most from (the same as the same run outside the browser); a
    person is also found by id."""
    page = open_page().page
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(re.compile(r"Day ([2-9]\d|\d{3}) of 365")).wait_for()
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).wait_for()
    shown = int(re.search(r"Day (\d+)", page.locator(".orglearn-day").inner_text()).group(1))

    # The same run outside the browser: whom to click, and whom they learned from.
    session = UiSession("replica")
    session.step(shown)
    log = session.model.state.sources
    row = int(np.argmax(log.by_channel[:, 0]))  # learned most by asking colleagues
    teacher = log.teachers(row)[0].teacher
    (x, y), = where_drawn(session.layout, session.layout.people[row])

    image = page.locator(".orglearn-chart-organisation img.orglearn-clickable")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * x, "y": box["height"] * y})
    card = page.locator(".orglearn-person")
    card.get_by_text(f"Person {row}", exact=True).wait_for()
    text = card.inner_text()
    for label in ("Works in", "Knows the new idea", "Drive to learn", "Communication style",
                  "Working ties", "Learned through", "Learned most from"):
        assert label in text
    first = card.locator(".orglearn-learned-from li").first.inner_text()
    assert first.startswith(f"Person {teacher} (")
    screenshot(page, "11-person")

    find = page.locator(".orglearn-find-person input")
    find.fill("12")
    find.press("Enter")
    card.get_by_text("Person 12", exact=True).wait_for()
    message = page.locator(".orglearn-person-message").get_by_text("from 0 to 499")
    for _ in range(3):  # a render landing between fill and Enter can put the old value back
        find.fill("9999")
        find.press("Enter")
        try:
            message.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    message.wait_for()
