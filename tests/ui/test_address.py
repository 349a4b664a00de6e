"""Never losing work, in a real browser: the page's what-if survives a reload, and the "Share
this what-if" link opens the same what-if in another browser (see conftest.py for the set-up;
encoding and decoding are unit-tested in test_saved_state.py)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from orglearn.ui.saved_state import decode
from tests.ui.conftest import VIEWPORT, screenshot
from tests.ui.test_browser import pick_builtin, set_slider

_CARD = re.compile(r"^(Learning|Communicating|Collaborating)\n")
#: The SHA-256 of an image's bytes (the PNG the server drew, not its rendering on screen).
_DIGEST = """async (img) => {
  const bytes = await (await fetch(img.src)).arrayBuffer();
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}"""


def address(page) -> dict:
    """The what-if held in the page's address."""
    return decode(urlsplit(page.url).query)[0] or {}


def wait_for_address(page, timeout: float = 30, **expected) -> dict:
    """Wait until the page's address holds ``expected`` (it is written as the page changes)."""
    deadline = time.monotonic() + timeout
    while True:
        state = address(page)
        if all(state.get(k) == v for k, v in expected.items()) or time.monotonic() > deadline:
            return state
        page.wait_for_timeout(100)


def shown(page) -> dict:
    """What the page shows of the what-if and its run, once its charts show the day shown."""
    day = re.search(r"Day (\d+) of", page.locator(".orglearn-day").inner_text()).group(1)
    page.locator(f".orglearn-charts-day-{day}").wait_for()  # drawn outside the rendering
    page.locator(".orglearn-busy").wait_for(state="detached")
    champions = page.locator(".orglearn-intervention-appoint_champions")
    return {
        "heading": page.get_by_role("heading", level=2).inner_text(),
        "day": page.locator(".orglearn-day").inner_text(),
        "lurkers": page.locator(".orglearn-control-lurkers .v-label").inner_text(),
        "champions": champions.get_by_role("switch").is_checked(),
        "champions day": champions.get_by_text(re.compile("On working day")).inner_text(),
        "seed": page.get_by_label("Random seed").input_value(),
        "cards": page.locator(".v-card").filter(has_text=_CARD).all_inner_texts(),
        "charts": [page.locator(f".orglearn-chart-{name} img").evaluate(_DIGEST)
                   for name in ("organisation", "spread")],
    }


def test_reload_and_share_keep_the_what_if(open_page, browser, ui_server):
    """Move a slider, plan an intervention, change the seed, step to day 2, reload: all comes
    back, paused, with a notice. The share link opens the same what-if at day 0 in a fresh
    browser (damaged addresses are unit-tested in test_saved_state.py)."""
    page = open_page().page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    pick_builtin(page, "Knowledge hoarders")
    set_slider(page, "lurkers", "Home", "Lurkers: 0%")
    champions = page.locator(".orglearn-intervention-appoint_champions")
    champions.locator("label", has_text="Appoint social-learning champions").click()
    champions.get_by_text("On working day 30").wait_for()
    seed = page.get_by_label("Random seed")
    for _ in range(3):  # a render landing between fill and Enter can put the old value back
        seed.fill("7")
        seed.press("Enter")
        if wait_for_address(page, seed=7, timeout=10).get("seed") == 7:
            break
    for day in (1, 2):
        page.get_by_role("button", name="Step", exact=True).click()
        page.locator(".orglearn-day", has_text=f"Day {day} of 365").wait_for()
    state = wait_for_address(page, seed=7, day=2)
    assert state == {
        "scenario": "hoarders",
        "changes": {"lurkers": 0},
        "plan": {"appoint_champions": {"on": True, "day": 30, "share": 5}},
        "seed": 7,
        "day": 2,
    }
    before = shown(page)

    page.reload()
    page.locator(".orglearn-day", has_text="Day 2 of 365").wait_for()
    page.get_by_text("Restored from the page's address").wait_for()
    assert shown(page) == before
    assert page.get_by_role("button", name="Run", exact=True).is_enabled()  # paused
    assert address(page) == state
    screenshot(page, "11-restored")

    page.get_by_role("button", name="Share this what-if").click()
    field = page.locator(".orglearn-share-link input")
    link = field.input_value()
    assert link.startswith(ui_server + "?v=1&w=")
    assert decode(urlsplit(link).query) == ({k: v for k, v in state.items() if k != "day"}, [])
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot(page, "12-share")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.locator(".orglearn-day", has_text="Day 0 of 365").wait_for()
    at_day_0 = shown(page)

    context = browser.new_context(viewport=VIEWPORT)
    try:
        colleague = context.new_page()
        colleague.set_default_timeout(60_000)
        colleague.goto(link)
        colleague.locator(".orglearn-day", has_text="Day 0 of 365").wait_for()
        assert shown(colleague) == at_day_0
    finally:
        context.close()
