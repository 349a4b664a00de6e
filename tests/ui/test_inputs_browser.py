"""What the page refuses, and says so at once (a real browser, see conftest.py): a ties file
before a people file, a file that is not UTF-8, a seed that is not a number, an intervention
after the run's end. Uploaded department names appear where people are looked at."""

from __future__ import annotations

from pathlib import Path

from tests.ui.conftest import screenshot
from tests.ui.test_browser import day, set_slider

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"


def test_inputs_are_checked_at_once(open_page, tmp_path):
    page = open_page().page
    # Ties join the people of a chart: until there is one, their upload is off, and says why.
    page.locator(".orglearn-section-chart .v-expansion-panel-header").click()  # unfold it
    ties_upload = page.locator(".orglearn-ties-upload")
    ties_upload.get_by_text("Upload the people file first.").wait_for()
    assert ties_upload.locator("input[type=file]").is_disabled()
    assert ties_upload.get_by_text("Upload the people file first.").is_visible()
    page.locator(".orglearn-chart-upload input[type=file]").set_input_files(
        str(EXAMPLES / "people.csv"))
    confirmation = page.locator(".orglearn-chart")
    confirmation.get_by_text("244 people in 29 teams and 5 departments").wait_for()
    assert ties_upload.locator("input[type=file]").is_enabled()
    ties_upload.locator("input[type=file]").set_input_files(str(EXAMPLES / "ties.csv"))
    confirmation.get_by_text("with 628 observed ties").wait_for()

    # A people file saved as Latin-1: refused, naming the line; the chart and its ties stay.
    lines = (EXAMPLES / "people.csv").read_text().splitlines()
    cells = lines[6].split(",")
    cells[2] = "Équipe"
    lines[6] = ",".join(cells)
    latin = tmp_path / "export.csv"
    latin.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    page.locator(".orglearn-chart-upload input[type=file]").set_input_files(str(latin))
    problem = page.locator(".orglearn-problem")
    problem.get_by_text("export.csv:7: this line has characters that are not UTF-8").wait_for()
    assert confirmation.get_by_text(
        "244 people in 29 teams and 5 departments, with 628 observed ties").is_visible()

    # The chart's own department and team names, where one person is looked at.
    person = lines[1].split(",")  # person_id, manager_id, team, department
    find = page.locator(".orglearn-find-person input")
    find.fill(person[0])
    find.press("Enter")
    card = page.locator(".orglearn-person")
    card.get_by_text(f"Person {person[0]}", exact=True).wait_for()
    assert card.get_by_text(f"{person[2]}, {person[3]}", exact=True).is_visible()

    # A seed that is not a whole number is refused; the last good one is kept.
    seed = page.get_by_label("Random seed")
    seed.fill("abc")
    seed.press("Enter")
    page.locator(".orglearn-seed-problem").get_by_text(
        "'abc' is not a seed: give a whole number, 0 or more. The run keeps seed 1.").wait_for()
    seed.fill("7")
    seed.press("Enter")
    page.locator(".orglearn-seed-problem").wait_for(state="detached")

    # An intervention planned after the end of the run: said plainly, not moved.
    box = page.locator(".orglearn-intervention-roll_out_tools")
    box.get_by_role("switch").check(force=True)
    box.get_by_text("On working day 30").wait_for()
    box.locator("[role=slider]").first.focus()
    page.keyboard.press("End")
    box.get_by_text("On working day 365").wait_for()
    set_slider(page, "days", "Home", "Working days to simulate: 30")
    late = page.locator(".orglearn-late")
    late.get_by_text("Roll out the social network is planned for working day 365, after the "
                     "run's last day (30), so it will never happen.").wait_for()
    assert box.get_by_text("On working day 365 (after the run ends: it will never happen)").is_visible()
    assert day(page) == "Day 0 of 30"
    screenshot(page, "12-inputs", full_page=True)
