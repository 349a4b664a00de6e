"""What the page shows about the built-in scenarios and the model is in plain words, and the
picker's groups are complete and right (no browser)."""

from __future__ import annotations

import re

import pytest

from orglearn.scenarios import builtin_names, load
from orglearn.ui.about import about_text
from orglearn.ui.controls import BARRIERS, INTERVENTIONS
from orglearn.ui.guide import STEPS
from orglearn.ui.picker import BASELINE, GROUPS, group_of, ordered, picker_items

SCENARIOS = {name: load(name) for name in builtin_names()}
#: Research jargon, file names and ids that must not reach the page.
BANNED = re.compile(
    r"Learning 2\.0|\bessay\b|\bESN\b|\bGini\b|\bt50\b|\bt90\b|90-9-1|docs/|\.md\b|\.py\b"
    r"|^Intervention:|\b[a-z]+_[a-z0-9_]+\b",
    re.IGNORECASE | re.MULTILINE,
)
#: Column names of the org-chart files, which people must type; the only ids the About tab shows.
COLUMNS = re.compile(r"`(person_id|manager_id|team|department|role|tool_access|tenure_years|"
                     r"person_a|person_b|weight)`")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_builtin_title_and_description_are_plain(name):
    scenario = SCENARIOS[name]
    for text in (scenario.title, scenario.description):
        assert text, name
        assert not BANNED.search(text), (name, BANNED.search(text).group())


def test_banned_pattern_catches_what_the_issue_measured():
    for text in ("a Learning 2.0 adoption council", "The essay describes", "the ESN", "Gini",
                 "its t50", "Baseline: champions_council", "Intervention: roll out"):
        assert BANNED.search(text), text


def test_every_builtin_is_in_one_group():
    listed = [name for names in GROUPS.values() for name in names]
    assert len(listed) == len(set(listed))
    assert set(listed) | {BASELINE} == set(SCENARIOS)


def test_groups_follow_the_rule():
    """Interventions schedule something; barriers and combined organisations do not; a barrier
    is compared with the baseline."""
    for name, scenario in SCENARIOS.items():
        group = group_of(name, scenario)
        if group == "Interventions":
            assert scenario.interventions, name
        elif group is not None:
            assert not scenario.interventions and scenario.against == BASELINE, name
    unknown = SCENARIOS["champions_council"]
    assert group_of("someone_elses", unknown) == "Interventions"
    assert group_of("someone_elses", SCENARIOS["hoarders"]) == "Barriers"


def test_picker_items_put_the_baseline_first_then_headed_groups():
    titles = {name: s.title for name, s in SCENARIOS.items()}
    items = picker_items(ordered(SCENARIOS), titles)
    assert items[0] == {"text": "Baseline organisation", "value": "Baseline organisation"}
    headers = [item["header"] for item in items if "header" in item]
    assert headers == ["Barriers", "Combined organisations", "Interventions"]
    shown = [item["text"] for item in items if "text" in item]
    assert sorted(shown) == sorted(titles.values())
    # Vuetify's select renders its first 20 items until scrolled: keep them all in.
    assert len(items) <= 20


def test_about_is_plain_and_standalone():
    text = about_text()
    assert not BANNED.search(COLUMNS.sub("", text)), BANNED.search(COLUMNS.sub("", text)).group()
    for control in (*BARRIERS, *INTERVENTIONS):
        assert f"**{control.label}**" in text
    for words in ("not a forecast", "random seed", "Learning", "Communicating", "Collaborating",
                  "Asks a colleague", "posts", "Works together", "training", "clients"):
        assert words in text


def test_guide_has_the_four_steps():
    assert [step for step, _ in STEPS] == [
        "Pick your organisation", "Add barriers or interventions", "Run", "Compare"]
