"""The page guides an L&D leader and works from a phone to a desktop (issue 14, points 4 and 8):
the first-visit guide, the grouped picker, interventions without scrolling, the About tab, no
Solara badge over the charts, and every control reachable at phone and tablet widths.
Browser tests: Debian's chromium through Playwright (see conftest.py)."""

from __future__ import annotations

import re

import pytest

from orglearn.ui.controls import INTERVENTIONS
from tests.ui.conftest import DAY, screenshot

DESKTOP = {"width": 1440, "height": 900}
#: Words that must not reach an L&D leader's screen.
JARGON = re.compile(r"Learning 2\.0|\bessay\b|\bESN\b|\bGini\b|\bt50\b|\bt90\b|docs/|\*\*|\b[a-z]+_[a-z0-9_]+\b")


#: How far the page, or any part of it that scrolls, scrolls sideways (px).
_SIDEWAYS = """() => Math.max(document.documentElement.scrollWidth - window.innerWidth,
    ...Array.from(document.querySelectorAll('.v-main *, .v-content *'))
        .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
        .map(e => e.scrollWidth - e.clientWidth))"""


def _in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= size["width"] + 1
            and box["y"] + box["height"] <= size["height"] + 1)


def test_first_visit_is_guided(open_page):
    """At 1440x900: the four-step guide, every intervention without scrolling, the grouped
    picker in plain words, the About tab as formatted text, no Solara badge; "Got it" hides
    the guide for good (it stays hidden after a reload)."""
    watched = open_page(DESKTOP)
    page = watched.page
    guide = page.locator(".orglearn-guide")
    steps = guide.locator("li")
    assert steps.count() == 4
    for number, text in enumerate(("Pick your organisation", "Add barriers or interventions",
                                   "Run", "Compare"), start=1):
        assert steps.nth(number - 1).inner_text().startswith(text)
    assert page.evaluate("() => window.scrollY") == 0
    for control in INTERVENTIONS:
        assert _in_viewport(page, f".orglearn-intervention-{control.kind} .v-input--switch"), control.kind
    assert page.get_by_text("This website runs on").count() == 0
    everything = page.locator(".v-application").text_content()  # folded sections included
    assert "Simulate your own organisation" in everything and "docs/" not in everything
    screenshot(page, "11-first-visit")

    page.locator(".v-select", has_text="Built-in scenario").click()
    menu = page.locator(".v-menu__content").filter(has=page.get_by_role("option")).last
    menu.get_by_role("option", name="Knowledge hoarders").wait_for()
    entries = [e.strip() for e in menu.locator(".v-subheader, [role=option]").all_inner_texts()]
    assert entries[0] == "Baseline organisation"
    groups = ["Barriers", "Combined organisations", "Interventions"]
    assert [e for e in entries if e in groups] == groups
    barriers, combined, interventions = (entries.index(g) for g in groups)
    assert barriers < entries.index("Knowledge hoarders") < combined
    assert combined < entries.index("A typical organisation: every barrier at once") < interventions
    assert interventions < entries.index("Appoint social-learning champions")
    for entry in entries:
        assert not JARGON.search(entry) and not entry.startswith("Intervention:"), entry
    menu.get_by_role("option", name="Appoint social-learning champions").click()
    page.get_by_role("heading", name="Appoint social-learning champions").wait_for()
    description = page.locator(".orglearn-description").inner_text()
    assert description.startswith("Starts from the typical organisation")
    assert not JARGON.search(description)

    page.get_by_role("tab", name="About").click()
    about = page.locator(".orglearn-about")
    about.get_by_role("heading", name="What a person does each day").wait_for()
    for heading in ("What this is", "The three values", "Barriers", "Interventions",
                    "What the model leaves out, and how to read it"):
        assert about.get_by_role("heading", name=heading, exact=True).is_visible()
    text = about.inner_text()
    assert "not a forecast" in text and "random seed" in text
    assert about.locator("li").count() > 15
    assert not JARGON.search(re.sub(r"\b(person_id|manager_id|tool_access|tenure_years|"
                                    r"person_a|person_b)\b", "", text))
    screenshot(page, "12-about")

    guide.get_by_role("button", name="Got it").click()
    guide.wait_for(state="detached")
    page.reload()
    page.get_by_text(DAY).wait_for()
    page.get_by_role("tab", name="Simulation").wait_for()
    assert page.locator(".orglearn-guide").count() == 0
    assert watched.failed == [] and watched.external == []  # the About tab's text too


@pytest.mark.parametrize("size", [(390, 844), (768, 1024)], ids=["phone", "tablet"])
def test_small_screens_reach_every_control(open_page, size):
    """On a phone and a tablet the sidebar starts closed, opens within the screen below the
    menu button, a control in it works, it closes again, and Run, the day and the charts are
    reachable; no tab scrolls sideways."""
    width, height = size
    page = open_page({"width": width, "height": height}).page
    drawer = page.locator(".v-navigation-drawer")
    run = page.get_by_role("button", name="Run", exact=True)
    # The page learns the screen's width once loaded, and closes the sidebar.
    page.wait_for_function("() => document.querySelector('.v-navigation-drawer')"
                           ".getBoundingClientRect().right <= 0", timeout=10_000)
    assert _in_viewport(page, ".orglearn-day")
    menu = page.locator(".v-app-bar button").first
    menu.click()
    page.wait_for_function("() => document.querySelector('.v-navigation-drawer')"
                           ".getBoundingClientRect().x >= 0")
    assert _in_viewport(page, ".v-navigation-drawer")
    box = menu.bounding_box()
    assert page.evaluate(  # the menu button is on top, not under the sidebar
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.v-app-bar')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    champions = page.locator(".orglearn-intervention-appoint_champions")
    champions.locator("label", has_text="Appoint social-learning champions").click()
    champions.get_by_text("On working day 30").wait_for()
    screenshot(page, f"13-sidebar-{width}")
    menu.click()
    page.wait_for_function("() => document.querySelector('.v-navigation-drawer')"
                           ".getBoundingClientRect().right <= 0")
    run.click()
    page.get_by_text(re.compile(r"Day [1-9]\d* of 365")).wait_for()
    chart = page.locator(".orglearn-chart-spread img")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible() and _in_viewport(page, ".orglearn-chart-spread img")
    assert page.evaluate(_SIDEWAYS) <= 0
    assert drawer.bounding_box()["width"] <= width
    for tab, shown in (("Compare with a baseline", page.get_by_role("button", name="Run the comparison")),
                       ("Export", page.get_by_role("button", name="participation.png")),
                       ("About", page.get_by_role("heading", name="What this is"))):
        page.get_by_role("tab", name=tab).click()
        shown.wait_for()
        page.wait_for_function(  # the tab's slide-in has ended
            "() => !document.querySelector('.v-window__container--is-active')")
        assert page.evaluate(_SIDEWAYS) <= 0, tab
