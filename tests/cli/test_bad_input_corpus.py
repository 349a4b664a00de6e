"""A standing corpus of bad inputs: each is refused with exit status 2, one line on stderr,
no traceback, and nothing written. Each case names the defect it stands for (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orglearn.cli.main import main

SWEEP = 'scenarios = ["baseline"]\nreplications = 1\nsteps = 2\n[fixed]\n"organisation.n_agents" = 30\n'


def _files(tmp: Path) -> dict[str, Path]:
    """The bad input files, written into ``tmp``."""
    files = {}

    def put(name: str, data: str | bytes) -> None:
        path = tmp / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        files[name] = path

    put("latin1_sweep.toml", SWEEP.encode() + b'title = "caf\xe9"\n')
    put("set_values.toml", '[[interventions]]\nkind = "set_parameters"\nstep = 1\n'
        'values = {"population.hoarder_share" = "abc"}\n')
    put("subtable.toml", '[organisation.sub]\nx = 1\n')
    put("afile", "not a folder\n")
    put("zeros.csv", "week,posts\n1,0\n2,0\n3,0\n")
    put("huge.csv", "week,posts\n1,1e300\n2,5\n3,3\n")
    put("activity.csv", "week,posts\n1,3\n2,5\n3,4\n")
    put("topics.toml", "[knowledge]\nspecialty_topics = 25\n")
    put("offset.toml", "[training]\noffset = 1180591620717411303424\n")
    for name, vary in (("mixed", '[0.1, true]'), ("half", '[1.5, 2]'),
                       ("repeats", '{from = 1, to = 3, num = 5}'),
                       ("to_inf", '{from = 0.0, to = inf, num = 3}'), ("nan", '[nan, 0.2]'),
                       ("bool_range", '{from = 0, to = 1, num = 2}')):
        key = {"half": "organisation.departments", "repeats": "organisation.departments",
               "bool_range": "training.enabled"}.get(name, "population.hoarder_share")
        put(f"{name}.toml", SWEEP + f'[vary]\n"{key}" = {vary}\n')
    put("sweep.toml", SWEEP)
    (tmp / "chain").mkdir()
    (tmp / "chain" / "c0.toml").write_text("steps = 5\n")
    for i in range(1, 41):
        (tmp / "chain" / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n')
    files["chain"] = tmp / "chain" / "c40.toml"
    return files


#: (case, argv with {name} placeholders for the files above, what the line must say)
CASES = [
    ("non-UTF-8 sweep file", ["sweep", "{latin1_sweep.toml}", "--out", "{tmp}/o"],
     "latin1_sweep.toml:6: is not UTF-8 text"),
    ("set_parameters value of the wrong type",
     ["run", "{set_values.toml}", "--steps", "2", "--out", "{tmp}/o"],
     "'interventions.0.values.population.hoarder_share' value in"),
    ("unknown sub-table has its line", ["run", "{subtable.toml}", "--out", "{tmp}/o"],
     "subtable.toml:1 is not a known key"),
    ("extends chain too deep", ["run", "{chain}", "--out", "{tmp}/o"],
     "may extend at most 32 files"),
    ("fewer agents than departments", ["run", "baseline", "--agents", "3", "--out", "{tmp}/o"],
     "--agents 3 is fewer than the scenario's 5 departments"),
    ("run --steps beyond what scenario files allow",
     ["run", "baseline", "--steps", "2000000", "--out", "{tmp}/o"], "from 1 to 1,000,000"),
    ("sweep --steps beyond what scenario files allow",
     ["sweep", "{sweep.toml}", "--steps", "2000000", "--out", "{tmp}/o"], "from 1 to 1,000,000"),
    ("malformed scheduler address",
     ["sweep", "{sweep.toml}", "--scheduler", "tcp://127.0.0.1:abc", "--out", "{tmp}/o"],
     "give an address such as tcp://"),
    ("IPv6 scheduler without its bracket",
     ["sweep", "{sweep.toml}", "--scheduler", "tcp://[::1", "--out", "{tmp}/o"],
     "no closing ']'"),
    ("design over the run limit",
     ["sweep", "{sweep.toml}", "--replications", "100000", "--max-runs", "1000",
      "--out", "{tmp}/o"], "makes 100,000 runs"),
    ("run --out under a file", ["run", "baseline", "--out", "{afile}/sub"], "afile"),
    ("sweep --out is a file", ["sweep", "{sweep.toml}", "--out", "{afile}"], "afile"),
    ("a list mixing true/false and numbers", ["sweep", "{mixed.toml}", "--out", "{tmp}/o"],
     "mixes true/false with numbers"),
    ("a fraction for a whole-number parameter", ["sweep", "{half.toml}", "--out", "{tmp}/o"],
     "is a whole number, so 1.5 cannot be used"),
    ("a range rounding to repeated whole numbers",
     ["sweep", "{repeats.toml}", "--out", "{tmp}/o"], "round to repeated numbers"),
    ("a range to inf", ["sweep", "{to_inf.toml}", "--out", "{tmp}/o"], "must be a finite number"),
    ("nan in a list", ["sweep", "{nan.toml}", "--out", "{tmp}/o"], "must be a finite number"),
    ("a numeric range for a true/false parameter",
     ["sweep", "{bool_range.toml}", "--out", "{tmp}/o"], "must be a valid boolean"),
    ("more specialty topics than topics", ["run", "{topics.toml}", "--out", "{tmp}/o"],
     "more than the organisation's 20 topics"),
    ("an offset far beyond any run", ["run", "{offset.toml}", "--out", "{tmp}/o"],
     "less than or equal to 1000000"),
    ("an observed series of zeros",
     ["calibrate", "baseline", "--observed", "{zeros.csv}", "--fit", "generosity",
      "--out", "{tmp}/o"], "is 0 in every week"),
    ("an observed count of 1e300",
     ["calibrate", "baseline", "--observed", "{huge.csv}", "--fit", "generosity",
      "--out", "{tmp}/o"], "more than any organisation's weekly count"),
    ("bounds outside what the parameter allows",
     ["calibrate", "baseline", "--observed", "{activity.csv}", "--fit", "generosity",
      "--bounds", "generosity=-1:2", "--out", "{tmp}/o"], "must lie within what the parameter"),
    ("bounds for a parameter not fitted",
     ["calibrate", "baseline", "--observed", "{activity.csv}", "--fit", "generosity",
      "--bounds", "lurker_share=0:0.5", "--out", "{tmp}/o"], "which is not fitted"),
    ("verify a folder without results", ["sweep", "--verify", "{tmp}/nothing"],
     "holds no sweep results"),
]


@pytest.mark.parametrize("case,argv,says", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, case, argv, says):
    files = _files(tmp_path)
    names = {**{k: str(v) for k, v in files.items()}, "tmp": str(tmp_path)}
    for name, value in names.items():
        argv = [a.replace("{" + name + "}", value) for a in argv]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    try:
        status = main(argv)
    except SystemExit as exit:  # argparse's own errors
        status = exit.code
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert says in lines[0], lines[0]
    assert "Traceback" not in err and ".bool" not in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_byte_order_mark_is_accepted(tmp_path):
    """Some Windows editors start UTF-8 files with a byte-order mark; TOML readers skip it."""
    scenario = tmp_path / "bom.toml"
    scenario.write_bytes(b"\xef\xbb\xbf[population]\nhoarder_share = 0.2\n")
    sweep = tmp_path / "bom_sweep.toml"
    sweep.write_bytes(b"\xef\xbb\xbf" + SWEEP.encode())
    assert main(["run", str(scenario), "--agents", "30", "--steps", "2",
                 "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert main(["sweep", str(sweep), "--workers", "1", "--out", str(tmp_path / "sweep"),
                 "--quiet"]) == 0
