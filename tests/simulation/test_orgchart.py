"""Org chart import: good files load into a network and a model; bad files are located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orglearn.scenarios import ScenarioError, load
from orglearn.simulation.model import SocialLearningModel
from orglearn.simulation.network import TIE_CROSS, TIE_REPORTING, TIE_TEAM
from orglearn.simulation.orgchart import BIG_TEAM, chart_network, read_chart
from orglearn.simulation.parameters import Parameters

EXAMPLES = Path(__file__).resolve().parents[2] / "scenarios" / "examples"

PEOPLE = """person_id,manager_id,team,department,role,tool_access,tenure_years
a1,,exec,HQ,manager,yes,10
b2,a1,alpha,Ops,,yes,3
c3,b2,alpha,Ops,,no,0.5
d4,b2,alpha,Ops,champion,,
e5,a1,beta,Sales,manager,yes,2
f6,e5,beta,Sales,,no,7
g7,e5,alpha,Sales,,yes,
"""
TIES = """person_a,person_b,weight
c3,d4,10
d4,c3,5
c3,f6,1
g7,f6,0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_chart_loads(tmp_path):
    chart = read_chart(write(tmp_path, "people.csv", PEOPLE), write(tmp_path, "ties.csv", TIES))
    assert chart.n == 7 and chart.departments == 3
    assert list(chart.department_names) == ["HQ", "Ops", "Sales"]
    # "alpha" of Ops and "alpha" of Sales are different teams.
    assert chart.team[1] == chart.team[2] != chart.team[6]
    assert chart.manager.tolist() == [-1, 0, 1, 1, 0, 4, 4]
    assert chart.is_manager.tolist() == [True, True, False, False, True, False, False]
    assert chart.champion.tolist() == [False, False, False, True, False, False, False]
    assert chart.tool_access.tolist() == [1, 1, 0, -1, 1, 0, 1]
    assert np.isnan(chart.tenure_years[3]) and chart.tenure_years[2] == 0.5
    # (c3, d4) twice is one tie of weight 15; weight-0 rows are dropped.
    ties = sorted(zip(chart.tie_a.tolist(), chart.tie_b.tolist(), chart.tie_weight.tolist()))
    assert ties == [(2, 3, 15.0), (2, 5, 1.0)]


def test_the_network_has_reporting_lines_and_observed_ties(tmp_path):
    chart = read_chart(write(tmp_path, "people.csv", PEOPLE), write(tmp_path, "ties.csv", TIES))
    params = Parameters().with_overrides(n_agents=chart.n, departments=chart.departments)
    net = chart_network(chart, params, np.random.default_rng(0))
    adj = net.adjacency
    assert (adj != adj.T).nnz == 0 and adj.diagonal().sum() == 0
    src, dst = net.sources, adj.indices
    assert np.array_equal(src[net.reverse], dst) and np.array_equal(dst[net.reverse], src)
    kinds = {(int(s), int(d)): int(k) for s, d, k in zip(src, dst, net.tie_kind)}
    assert kinds[(5, 4)] == TIE_REPORTING and kinds[(1, 0)] == TIE_REPORTING
    assert kinds[(2, 3)] == TIE_TEAM and kinds[(2, 5)] == TIE_CROSS
    assert kinds[(2, 1)] == TIE_REPORTING  # a reporting line inside the team
    assert len(kinds) == 2 * (6 + 2)  # six reporting lines, two observed ties


def test_a_model_runs_on_a_chart_and_keeps_what_the_chart_says(tmp_path):
    people = write(tmp_path, "people.csv", PEOPLE)
    ties = write(tmp_path, "ties.csv", TIES)
    model = SocialLearningModel(
        organisation={"people_file": str(people), "ties_file": str(ties), "n_agents": 500},
        rng=3,
    )
    assert model.params.organisation.n_agents == 7 and model.params.organisation.departments == 3
    s = model.state
    assert s.has_tools.tolist()[:3] == [True, True, False] and s.has_tools[3] and not s.has_tools[5]
    assert s.role[3] == 2 and s.generosity[3] >= 0.9 and not s.lurker[3]  # the champion
    assert s.role[0] == s.role[4] == 1  # managers
    assert (s.knowledge[2, 1:] <= model.params.knowledge.newcomer_max).all()  # tenure 0.5 years
    strong = s.strength[(model.network.sources == 2) & (model.network.adjacency.indices == 3)]
    weak = s.strength[(model.network.sources == 2) & (model.network.adjacency.indices == 5)]
    assert strong.item() == pytest.approx(0.9)  # the heaviest tie
    assert weak.item() == pytest.approx(0.3 + 0.6 * np.log(2) / np.log(16))
    model.run(10)
    assert model.summary()["n_agents"] == 7


def test_without_ties_team_ties_are_generated_within_teams(tmp_path):
    rows = ["person_id,manager_id,team,department"]
    rows += [f"p{i},{'' if i == 0 else 'p0'},t{i % 3},d{i % 3}" for i in range(30)]
    rows += [f"q{i},p0,big,d0" for i in range(BIG_TEAM + 40)]
    chart = read_chart(write(tmp_path, "people.csv", "\n".join(rows) + "\n"))
    params = Parameters().with_overrides(
        n_agents=chart.n, departments=chart.departments, rewiring=0.0, within_team_density=1.0
    )
    net = chart_network(chart, params, np.random.default_rng(1))
    src, dst = net.sources, net.adjacency.indices
    team_ties = net.tie_kind == TIE_TEAM
    assert (chart.team[src[team_ties]] == chart.team[dst[team_ties]]).all()
    assert not (net.tie_kind == TIE_CROSS).any()
    small = chart.team != chart.team[-1]
    degree = np.bincount(src[team_ties], minlength=chart.n)
    # Small teams are complete (density 1); the big team has bounded random ties.
    assert (degree[1:30] >= 9 - 1).all()
    big_degree = degree[~small]
    assert 0.6 * (BIG_TEAM - 1) < big_degree.mean() < 1.1 * (BIG_TEAM - 1)


BAD_PEOPLE = [
    ("person_id,team,department\na,x,y\n", 1, None, "missing the column manager_id"),
    (
        "person_id,manager_id,team,department,name\na,,x,y,Ann\n",
        1,
        None,
        "name, which orglearn does not use",
    ),
    (
        "person_id,manager_id,team,department\na,,x,y\nb,a,x,y\na,,x,y\n",
        4,
        "person_id",
        "row 1 already uses",
    ),
    (
        "person_id,manager_id,team,department\na,,x,y\nb,zz,x,y\n",
        3,
        "manager_id",
        "'zz', who has no row",
    ),
    (
        "person_id,manager_id,team,department\nr,,x,y\na,c,x,y\nb,a,x,y\nc,b,x,y\n",
        3,
        "manager_id",
        "cycle: a -> c -> b -> a",
    ),
    ("person_id,manager_id,team,department\na,,x,y\nb,b,x,y\n", 3, "manager_id", "own id"),
    (
        "person_id,manager_id,team,department\na,,x,y\nb,a,,y\n",
        3,
        "team",
        "every person needs a team",
    ),
    (
        "person_id,manager_id,team,department\na,,x,y\nb,a,x,\n",
        3,
        "department",
        "needs a department",
    ),
    ("person_id,manager_id,team,department\na,,x,y\n,a,x,y\n", 3, "person_id", "needs an id"),
    (
        "person_id,manager_id,team,department,tool_access\na,,x,y,yes\nb,a,x,y,maybe\n",
        3,
        "tool_access",
        "'maybe'",
    ),
    (
        "person_id,manager_id,team,department,tenure_years\na,,x,y,1\nb,a,x,y,-2\n",
        3,
        "tenure_years",
        "'-2'",
    ),
    ("person_id,manager_id,team,department,role\na,,x,y,boss\nb,a,x,y,\n", 2, "role", "'boss'"),
    ("", None, None, "is empty"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), BAD_PEOPLE)
def test_a_bad_people_file_names_file_row_and_problem(tmp_path, text, line, column, words):
    path = write(tmp_path, "people.csv", text)
    with pytest.raises(ScenarioError) as info:
        read_chart(path)
    err = info.value
    assert err.file == str(path) and err.line == line and err.key == column
    assert words in str(err)
    if line and line > 1:
        assert f"(row {line - 1})" in str(err) and f"people.csv:{line}" in str(err)


BAD_TIES = [
    ("person_a,weight\na1,1\n", 1, None, "missing the column person_b"),
    ("person_a,person_b\na1,b2\nb2,zz\n", 3, "person_b", "'zz', who is not in the people file"),
    ("person_a,person_b\n,b2\n", 2, "person_a", "every tie needs two people"),
    ("person_a,person_b\na1,a1\n", 2, "person_b", "same person"),
    ("person_a,person_b,weight\na1,b2,3\nb2,c3,-1\n", 3, "weight", "'-1'"),
    ("person_a,person_b,weight\na1,b2,lots\n", 2, "weight", "'lots'"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), BAD_TIES)
def test_a_bad_ties_file_names_file_row_and_problem(tmp_path, text, line, column, words):
    people = write(tmp_path, "people.csv", PEOPLE)
    ties = write(tmp_path, "ties.csv", text)
    with pytest.raises(ScenarioError) as info:
        read_chart(people, ties)
    err = info.value
    assert err.file == str(ties) and err.line == line and err.key == column
    assert words in str(err)


def test_many_bad_rows_are_counted(tmp_path):
    text = "person_id,manager_id,team,department\na,,x,y\n" + "".join(
        f"b{i},zz,x,y\n" for i in range(5)
    )
    with pytest.raises(ScenarioError, match=r"\(4 more rows with the same problem\)"):
        read_chart(write(tmp_path, "people.csv", text))


def test_headers_ignore_case_and_spaces_and_blank_lines_keep_numbering(tmp_path):
    text = "Person ID,Manager-ID,Team,DEPARTMENT\na,,x,y\n\nb,a,x,y\nc,nobody,x,y\n"
    with pytest.raises(ScenarioError) as info:
        read_chart(write(tmp_path, "people.csv", text))
    assert info.value.line == 5  # the blank line 3 still counts


def big_chart(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """A tree of n people: teams of 8 under managers, managers under department heads."""
    ids = np.char.add("p", np.arange(n).astype(str))
    team = np.arange(n) // 8
    team_manager = team * 8
    department = team % 20
    head = np.arange(20) * 8  # the manager of team d heads department d
    manager = team_manager.astype(object)
    manager[team_manager == np.arange(n)] = head[department[team_manager == np.arange(n)]]
    manager[head] = 0
    boss = ids[manager.astype(np.int64)].astype(object)
    boss[0] = ""
    return pd.DataFrame(
        {
            "person_id": ids,
            "manager_id": boss,
            "team": np.char.add("t", team.astype(str)),
            "department": np.char.add("d", department.astype(str)),
            "tool_access": rng.choice(["yes", "no"], n),
            "tenure_years": rng.exponential(4, n).round(1),
        }
    )


def test_a_100k_person_chart_loads(tmp_path):
    n = 100_000
    frame = big_chart(n, np.random.default_rng(0))
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    chart = read_chart(path)
    assert chart.n == n and chart.departments == 20
    assert (chart.manager >= 0).sum() == n - 1
    params = Parameters().with_overrides(n_agents=n, departments=chart.departments)
    net = chart_network(chart, params, np.random.default_rng(0))
    assert net.n == n and (net.adjacency != net.adjacency.T).nnz == 0
    # A cycle planted at the very end is still found, and located.
    frame.loc[n - 1, "manager_id"] = frame.loc[n - 2, "person_id"]
    frame.loc[n - 2, "manager_id"] = frame.loc[n - 1, "person_id"]
    frame.to_csv(path, index=False)
    with pytest.raises(ScenarioError, match="cycle") as info:
        read_chart(path)
    assert info.value.line == n  # row n - 1, the first row of the cycle


def test_the_examples_load_and_run():
    model = SocialLearningModel(load(EXAMPLES / "my_org.toml"), rng=1)
    chart = read_chart(EXAMPLES / "people.csv", EXAMPLES / "ties.csv")
    assert 200 <= model.network.n == chart.n <= 500
    model.run(5)
