"""The UI in a real browser: Debian's chromium, headless, driven by Python Playwright against a
server the tests start (see conftest.py). Each test saves screenshots (see conftest.py for where)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from orglearn.ui.controls import PlannedIntervention, apply_changes
from orglearn.scenarios import load
from tests.ui.conftest import screenshot

COMPARISON_SECONDS = 300
ROOT = Path(__file__).resolve().parents[2]


def set_slider(page, key: str, key_press: str, label: str) -> None:
    """Move a sidebar slider with the keyboard and wait until the page shows its new value."""
    page.locator(f".orglearn-control-{key} [role=slider]").focus()
    page.keyboard.press(key_press)
    page.locator(f".orglearn-control-{key}").get_by_text(label).wait_for()


def drawn(page, day: int) -> None:
    """Wait until the charts show ``day`` and nothing is busy."""
    page.locator(f".orglearn-charts-day-{day}").wait_for()
    page.locator(".orglearn-busy").wait_for(state="detached")


def day(page) -> str:
    return page.locator(".orglearn-day").inner_text()


def pick_builtin(page, title: str) -> None:
    page.locator(".v-select", has_text="Built-in scenario").click()
    page.get_by_role("option", name=title).click()
    page.get_by_role("heading", name=title).wait_for()


def test_page_loads_offline(open_page):
    """The page renders with everything served by our server: nothing from a CDN."""
    watched = open_page()
    page = watched.page
    page.get_by_role("heading", name="Baseline organisation").wait_for()
    assert day(page) == "Day 0 of 365"
    for name in ("Learning", "Communicating", "Collaborating"):
        assert page.get_by_text(name, exact=True).is_visible()
    for chart in ("organisation", "spread", "channels", "participation"):
        assert page.locator(f".orglearn-chart-{chart} img").count() == 1
    for button in ("Run", "Step", "Reset"):
        assert page.get_by_role("button", name=button, exact=True).is_enabled()
    assert page.get_by_text("500 people, each a dot").is_visible()
    screenshot(page, "01-page")
    assert watched.failed == []
    assert watched.external == []


def test_slider_and_run_change_the_charts(open_page):
    """Run, Pause, Step, Reset work; a barrier slider changes what the charts show."""
    page = open_page().page
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Day 1 of 365").wait_for()
    page.locator(".orglearn-speed [role=slider]").focus()
    page.keyboard.press("End")
    page.get_by_text("Speed: full speed").wait_for()
    page.keyboard.press("ArrowLeft")
    page.get_by_text("Speed: 60 days a second").wait_for()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text(re.compile(r"Day ([1-9]\d\d) of 365")).wait_for()
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).wait_for()
    page.locator(".orglearn-busy").wait_for(state="detached")  # the last frame has arrived
    paused = day(page)
    time.sleep(1.5)
    assert day(page) == paused
    screenshot(page, "02-running")
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text("Day 0 of 365").wait_for()

    set_slider(page, "days", "Home", "Working days to simulate: 30")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Day 30 of 30").wait_for()
    drawn(page, 30)
    before = {c: page.locator(f".orglearn-chart-{c} img").screenshot()
              for c in ("channels", "participation")}

    set_slider(page, "tool_access", "Home", "Access to the social network: 0%")
    page.get_by_text("Day 0 of 30").wait_for()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Day 30 of 30").wait_for()
    drawn(page, 30)
    after = {c: page.locator(f".orglearn-chart-{c} img").screenshot()
             for c in ("channels", "participation")}
    assert after["channels"] != before["channels"]
    assert after["participation"] != before["participation"]
    assert page.get_by_text("0% of people with the social network posted").is_visible()
    screenshot(page, "03-slider-changed")


def test_comparison_shows_its_sentence(open_page):
    """A what-if against the scenario as loaded, 10 runs each: sentence, bands and table appear."""
    page = open_page().page
    pick_builtin(page, "Knowledge hoarders")
    set_slider(page, "hoarders", "Home", "Knowledge hoarders: 0%")
    page.get_by_role("tab", name="Compare with a baseline").click()
    page.get_by_text("Knowledge hoarders as loaded, without your changes").first.wait_for()
    page.get_by_role("button", name="Run the comparison").click()
    sentence = page.locator(".orglearn-sentence")
    sentence.wait_for(timeout=COMPARISON_SECONDS * 1000)
    text = sentence.inner_text()
    assert ("Your what-if against Knowledge hoarders as loaded, without your changes (10 pairs of "
            "runs") in text
    assert re.search(r"(know|what people know) .*\d+% against \d+% of what there is to know", text)
    assert page.get_by_text("Working days until 90% of staff know the new idea").is_visible()
    screenshot(page, "04-comparison", full_page=True)


def test_bad_upload_shows_the_error(open_page, tmp_path):
    """Bad files are explained in the page; a good file is then loaded."""
    page = open_page().page
    upload = page.locator(".orglearn-upload input[type=file]")
    broken = tmp_path / "broken.toml"
    broken.write_text("[population\nlurker_share = 0.5\n")
    upload.set_input_files(str(broken))
    problem = page.locator(".orglearn-problem")
    problem.get_by_text("broken.toml").wait_for()
    assert "is not valid TOML" in problem.inner_text()

    bad = tmp_path / "bad_value.toml"
    bad.write_text('title = "Too many lurkers"\n\n[population]\nlurker_share = 2\n')
    upload.set_input_files(str(bad))
    problem.get_by_text("bad_value.toml").wait_for()
    assert "'population.lurker_share' value in bad_value.toml:4 must be less than or equal to 1" in (
        problem.inner_text()
    )
    screenshot(page, "05-upload-error")

    good = tmp_path / "fewer_lurkers.toml"
    good.write_text(
        'title = "Fewer lurkers"\nextends = "baseline"\n\n[population]\nlurker_share = 0.1\n'
    )
    upload.set_input_files(str(good))
    page.get_by_role("heading", name="Fewer lurkers").wait_for()
    assert page.locator(".orglearn-problem").count() == 0
    assert page.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 10%").is_visible()


def test_downloaded_scenario_loads_back(open_page, tmp_path):
    """The scenario file downloaded from Export loads back to the scenario made in the page."""
    page = open_page().page
    pick_builtin(page, "Knowledge hoarders")
    set_slider(page, "lurkers", "Home", "Lurkers: 0%")
    champions = page.locator(".orglearn-intervention-appoint_champions")
    champions.locator("label", has_text="Appoint social-learning champions").click()
    champions.get_by_text("On working day 30").wait_for()

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"^Scenario file")).click()
    assert download.value.suggested_filename == "hoarders-what-if.toml"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    screenshot(page, "06-export")

    loaded = load(path)
    expected = apply_changes(
        load("hoarders"),
        {"lurkers": 0},
        {"appoint_champions": PlannedIntervention(on=True, day=30, share=5)},
    )
    assert loaded.sections() == expected.sections()
    assert loaded.interventions == expected.interventions
    assert loaded.steps == expected.steps
    assert loaded.against == "hoarders"

    # And in the page: the file opens as the same scenario.
    page.locator(".orglearn-upload input[type=file]").set_input_files(str(path))
    page.get_by_text(f"From your file: {path.name}").wait_for()
    page.get_by_role("tab", name="Simulation").click()
    assert page.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 0%").is_visible()
    assert page.locator(".orglearn-control-hoarders").get_by_text("Knowledge hoarders: 30%").is_visible()
    assert champions.get_by_role("switch").is_checked()


def test_two_sessions_do_not_interfere(open_page):
    """Two browser sessions at once: each has its own scenario and its own run."""
    first, second = open_page().page, open_page().page
    set_slider(first, "lurkers", "End", "Lurkers: 100%")
    first.get_by_role("button", name="Step", exact=True).click()
    first.get_by_text("Day 1 of 365").wait_for()

    assert second.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 30%").is_visible()
    assert day(second) == "Day 0 of 365"
    for _ in range(2):
        second.get_by_role("button", name="Step", exact=True).click()
    second.get_by_text("Day 2 of 365").wait_for()
    time.sleep(0.5)
    assert day(first) == "Day 1 of 365"
    assert first.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 100%").is_visible()
    assert second.locator(".orglearn-control-lurkers").get_by_text("Lurkers: 30%").is_visible()
    screenshot(first, "07-session-a")
    screenshot(second, "07-session-b")


def test_large_organisation_drawn_as_departments(open_page):
    """Above 2,000 people the organisation is drawn as department aggregates."""
    page = open_page().page
    set_slider(page, "people", "End", "People: 10,000")
    page.get_by_text("10,000 people, drawn as 5 departments").wait_for()
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Day 1 of 365").wait_for()
    screenshot(page, "08-departments")


def test_org_chart_upload(open_page, tmp_path):
    """An org chart uploaded in the page is simulated; a broken one is explained and changes
    nothing."""
    page = open_page().page
    people = ROOT / "scenarios" / "examples" / "people.csv"
    page.locator(".orglearn-chart-upload input[type=file]").set_input_files(str(people))
    confirmation = page.locator(".orglearn-chart")
    confirmation.get_by_text("244 people in 29 teams and 5 departments").wait_for()
    page.get_by_text("244 people, each a dot").wait_for()
    page.locator(".orglearn-ties-upload input[type=file]").set_input_files(
        str(ROOT / "scenarios" / "examples" / "ties.csv"))
    confirmation.get_by_text("with 628 observed ties").wait_for()
    assert page.get_by_text("People and departments follow your org chart.").is_visible()
    page.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Day 1 of 365").wait_for()
    screenshot(page, "09-org-chart")

    lines = people.read_text().splitlines()
    broken = tmp_path / "broken_people.csv"
    broken.write_text("\n".join([*lines, lines[2]]) + "\n")  # the second person twice
    page.locator(".orglearn-chart-upload input[type=file]").set_input_files(str(broken))
    problem = page.locator(".orglearn-problem")
    problem.get_by_text("broken_people.csv:246 (row 245)").wait_for()
    assert "person ids must be unique" in problem.inner_text()
    assert confirmation.get_by_text("244 people in 29 teams and 5 departments").is_visible()
    assert page.get_by_text("244 people, each a dot").is_visible()
    assert day(page) == "Day 1 of 365"  # the run on screen is kept
    screenshot(page, "10-org-chart-error")

    page.get_by_role("button", name="Back to a generated organisation").click()
    page.get_by_text("500 people, each a dot").wait_for()
    confirmation.wait_for(state="detached")
    assert page.get_by_text("Simulate your own organisation").is_visible()
