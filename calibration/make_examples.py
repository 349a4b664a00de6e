"""Make the synthetic, anonymous example org chart and activity log of `orglearn.scenarios.examples`.

Nothing here describes a real organisation: ids are random hex strings, departments and teams
are codes, ties and activity are drawn at random. Run from the repository root::

    .venv/bin/python -m orglearn.calibration.make_examples

``people.csv`` and ``ties.csv`` come from a seeded generator; ``activity.csv`` is 26 weeks of
the model's own weekly series for ``my_org.toml`` with the TRUTH parameters below, so a
calibration of the examples can be checked against known values (docs/real_organisations.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: The examples folder (in the repository when installed editable).
HERE = Path(__file__).resolve().parents[1] / "scenarios" / "examples"
SEED = 20260512
#: The parameters behind activity.csv (my_org.toml itself keeps the defaults).
TRUTH = {"population__lurker_share": 0.55, "traits__generosity": 0.45, "traits__proactivity": 0.65}
WEEKS = 26


def make_people(rng: np.random.Generator) -> pd.DataFrame:
    """An executive office and four departments of teams of 5 to 12 people."""
    used: set[str] = set()

    def new_id() -> str:
        while True:
            text = f"e{rng.integers(0, 16**6):06x}"
            if text not in used:
                used.add(text)
                return text

    rows = []

    def person(manager, team, department, role=""):
        pid = new_id()
        rows.append(
            {
                "person_id": pid,
                "manager_id": manager,
                "team": team,
                "department": department,
                "role": role,
            }
        )
        return pid

    head = person("", "T00", "D0", "manager")
    for _ in range(3):
        person(head, "T00", "D0")
    team_no = 1
    for d in range(1, 5):
        dept_head = person(head, f"T{team_no:02d}", f"D{d}", "manager")
        for t in range(int(rng.integers(5, 8))):
            lead = dept_head if t == 0 else person(dept_head, f"T{team_no:02d}", f"D{d}", "manager")
            for _ in range(int(rng.integers(5, 12))):
                person(lead, f"T{team_no:02d}", f"D{d}")
            team_no += 1
    people = pd.DataFrame(rows)
    n = len(people)
    members = np.flatnonzero(people["role"] == "")
    people.loc[rng.choice(members, 6, replace=False), "role"] = "champion"
    tools = rng.choice(["yes", "no", ""], size=n, p=[0.85, 0.1, 0.05])
    people["tool_access"] = tools
    tenure = np.round(rng.exponential(5.0, n), 1).astype(object)
    tenure[rng.random(n) < 0.05] = ""
    people["tenure_years"] = tenure
    return people


def make_ties(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Collaboration metadata: interaction counts within teams, some across teams."""
    ids = people["person_id"].to_numpy()
    team = people["team"].to_numpy()
    dept = people["department"].to_numpy()
    pairs = []
    for t in np.unique(team):
        rows = np.flatnonzero(team == t)
        a, b = np.triu_indices(rows.size, 1)
        keep = rng.random(a.size) < 0.55
        pairs += [
            (rows[i], rows[j], rng.negative_binomial(2, 0.08) + 1) for i, j in zip(a[keep], b[keep])
        ]
    n = len(ids)
    for _ in range(n // 2):  # cross-team ties, mostly within the department
        i = int(rng.integers(n))
        pool = (
            np.flatnonzero((dept == dept[i]) & (team != team[i]))
            if rng.random() < 0.7
            else np.flatnonzero(team != team[i])
        )
        if pool.size:
            pairs.append((i, int(rng.choice(pool)), rng.negative_binomial(1, 0.2) + 1))
    frame = pd.DataFrame(
        [(ids[i], ids[j], int(w)) for i, j, w in pairs], columns=["person_a", "person_b", "weight"]
    )
    return (
        frame.drop_duplicates(["person_a", "person_b"])
        .sample(frac=1.0, random_state=1)
        .reset_index(drop=True)
    )


def make_activity() -> pd.DataFrame:
    """26 weeks of weekly series simulated for my_org.toml at TRUTH."""
    from orglearn.calibration import simulate_series
    from orglearn.scenarios import load

    series = simulate_series(load(HERE / "my_org.toml"), WEEKS, seed=SEED, **TRUTH)
    series = series[["posts", "questions", "answers", "contributors"]].reset_index()
    series[["posts", "questions", "answers"]] = series[["posts", "questions", "answers"]].astype(
        int
    )
    series["contributors"] = series["contributors"].round(4)
    return series


def main() -> None:
    """Write people.csv and ties.csv, then activity.csv."""
    rng = np.random.default_rng(SEED)
    people = make_people(rng)
    people.to_csv(HERE / "people.csv", index=False)
    make_ties(people, rng).to_csv(HERE / "ties.csv", index=False)
    make_activity().to_csv(HERE / "activity.csv", index=False)
    print(f"Wrote {len(people)} people, their ties and {WEEKS} weeks of activity to {HERE}")


if __name__ == "__main__":
    main()
