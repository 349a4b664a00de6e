"""Looking at one person: plain facts from the live model, finding a person by id."""

from __future__ import annotations

import re

import numpy as np

from orglearn.simulation.model import SocialLearningModel
from orglearn.ui.person import Names, department_facts, find_person, person_facts

JARGON = re.compile(r"\b(esn|gini|t50|proactivity|absorption|tech_savvy|hoarder|lurker|"
                    r"champions_council|top_down)\b", re.IGNORECASE)


def test_person_facts_are_plain_and_name_who_taught_them():
    model = SocialLearningModel(n_agents=200, rng=5, track_sources=True)
    model.run(60)
    log = model.state.sources
    row = int(np.argmax(log.by_channel[:, 0]))  # someone who learned by asking
    facts = person_facts(model, row)
    assert facts.title == f"Person {row}"
    shown = dict(facts.rows)
    assert {"Works in", "Knows the new idea", "Drive to learn", "Communication style",
            "Working ties", "Learned through"} <= set(shown)
    assert "asking colleagues" in shown["Learned through"]
    assert facts.learned_from and facts.learned_from[0].startswith(
        f"Person {log.teachers(row)[0].teacher} (Team ")
    text = " ".join([facts.title, *map(" ".join, facts.rows), *facts.learned_from])
    assert not JARGON.search(text), JARGON.search(text)


def test_chart_names_and_departments():
    model = SocialLearningModel(n_agents=120, departments=3, rng=2, track_sources=True)
    names = Names(ids=np.array([f"e{i}" for i in range(120)], dtype=object),
                  teams=np.array([f"Squad {i}" for i in range(model.network.team.max() + 1)]),
                  departments=np.array(["Ops", "Sales", "HQ"], dtype=object))
    facts = person_facts(model, 7, names)
    assert facts.title == "Person e7"
    assert dict(facts.rows)["Works in"].endswith(("Ops", "Sales", "HQ"))
    assert department_facts(model, 1, names).title == "Sales"
    assert find_person(" e12 ", 120, names) == 12
    assert "No one has the id" in find_person("12", 120, names)
    assert find_person("12", 120) == 12
    assert "from 0 to 119" in find_person("abc", 120)
