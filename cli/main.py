"""The ``orglearn`` command line. It only wires arguments to the packages' functions.

The parser is built from light modules (argparse and `orglearn.cli`'s argument modules), and
each command imports what it needs when it runs, so ``orglearn --help`` costs a fraction of a
second. Every command that reports something takes ``--json``: stdout is then one JSON
document and everything meant for people goes to stderr (`orglearn.cli.output`).

Run as the program (the console script, ``python -m orglearn``), it keeps Python's cyclic
garbage collector off the libraries it loads: they live until the process ends, yet every full
collection, and the interpreter's exit, would walk their hundreds of thousands of objects again
(about half a CPU-second of a 200-person ``orglearn run``). See `_loading` and `main`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from orglearn.cli.arguments import (
    OneLineParser,
    add_output_options,
    add_set_option,
    int_at_least,
    settings,
    show_progress,
)
from orglearn.cli.output import check_out, emit, fail, note

#: The largest --agents and --steps, as scenario files allow (organisation.n_agents, steps).
MAX_AGENTS = 10_000_000
MAX_STEPS = 1_000_000

__all__ = ["main", "build_parser"]

#: Scheduler addresses `orglearn sweep --scheduler` accepts.


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``orglearn`` and its subcommands."""
    from orglearn import __version__
    from orglearn.cli.calibrate import add_calibrate_command
    from orglearn.cli.validate import add_validate_command
    from orglearn.ui.cli import add_ui_command

    parser = OneLineParser(
        prog="orglearn",
        description="Agent-based simulation of social learning in organisations. "
        "'orglearn COMMAND --help' explains a command.",
    )
    parser.add_argument("--version", action="version", version=f"orglearn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    _add_run_command(commands)
    _add_scenario_commands(commands)
    _add_experiment_commands(commands)
    add_validate_command(commands)
    add_ui_command(commands)
    add_calibrate_command(commands)
    return parser


def _add_run_command(commands) -> None:
    run = commands.add_parser(
        "run",
        help="run one simulation and write its time series, summary and plot",
        description="Run a scenario (a built-in name or a TOML file; default: baseline) and "
        "write timeseries.csv, timeseries.parquet, summary.json, a data dictionary and the "
        "figure spread.svg, spread.pdf and spread.png into --out (--no-plot: no figure). "
        "Prints the summary (with --json, exactly what summary.json holds).",
    )
    run.add_argument(
        "scenario", nargs="?", default="baseline", help="built-in scenario name or scenario file"
    )
    run.add_argument(
        "--agents",
        type=int_at_least(2, MAX_AGENTS),
        metavar="N",
        help="number of employees (overrides the scenario and any --set organisation.n_agents)",
    )
    run.add_argument(
        "--steps",
        type=int_at_least(1, MAX_STEPS),
        metavar="T",
        help="steps (working days); default: the scenario's",
    )
    run.add_argument(
        "--seed", type=int_at_least(0), metavar="S", help="random seed (default: fresh)"
    )
    run.add_argument(
        "--force", action="store_true",
        help="run even when the estimated peak memory exceeds what the machine has available",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=Path("results/run"),
        metavar="DIR",
        help="output directory (default: results/run)",
    )
    run.add_argument(
        "--no-plot", dest="plot", action="store_false",
        help="write no figure (spread.svg, .pdf, .png), only the data: faster (drawing the "
        "figure costs about a second) and never loads matplotlib; figure files an earlier run "
        "left in --out are removed",
    )
    add_set_option(run, "the run")
    add_output_options(run)
    run.set_defaults(handler=_run)


def _add_experiment_commands(commands) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep with replications (locally or on a Dask cluster)",
        description="Run a sweep file or built-in experiment; results stream to --out as runs "
        "finish, and --resume continues an interrupted sweep. --replications, --steps, --seed "
        "and --set change the sweep for this run (a quick smoke run, say); a sweep resumed "
        "must be given the same ones.",
    )
    sweep.add_argument("sweep", nargs="?",
                       help="built-in experiment name (e.g. barriers) or sweep file")
    sweep.add_argument(
        "--verify",
        type=Path,
        metavar="DIR",
        help="check a results folder's parts against their recorded checksums and report any "
        "damage, changing nothing (exit 1 if damaged)",
    )
    sweep.add_argument(
        "--workers",
        type=int_at_least(1),
        metavar="N",
        help="local worker processes (default: all cores)",
    )
    sweep.add_argument(
        "--out", type=Path, metavar="DIR", help="results directory (default: results/<name>)"
    )
    sweep.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    sweep.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --resume, also run again the runs recorded as failed",
    )
    sweep.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786"
    )
    sweep.add_argument("--report", action="store_true", help="write report.html when done")
    sweep.add_argument(
        "--replications",
        type=int_at_least(1),
        metavar="N",
        help="runs per scenario and point (overrides the sweep's)",
    )
    sweep.add_argument(
        "--steps",
        type=int_at_least(1, MAX_STEPS),
        metavar="T",
        help="steps per run (overrides the sweep's and the scenarios')",
    )
    sweep.add_argument(
        "--model",
        metavar="MODULE:CLASS",
        help="run this subclass of SocialLearningModel (overrides the sweep file's 'model')",
    )
    sweep.add_argument(
        "--seed", type=int_at_least(0), metavar="S", help="root seed (overrides the sweep's)"
    )
    sweep.add_argument(
        "--force", action="store_true",
        help="run even when the runs' estimated peak memory exceeds what the machine has",
    )
    sweep.add_argument(
        "--max-runs",
        type=int_at_least(1),
        metavar="N",
        help="refuse a sweep of more runs than this (default 1,000,000)",
    )
    add_set_option(sweep, "every run of the sweep")
    add_output_options(sweep)
    sweep.set_defaults(handler=_sweep)

    report = commands.add_parser("report", help="write report.html for a sweep's results")
    report.add_argument("directory", type=Path, help="a sweep's results directory")
    add_output_options(report, progress=False)
    report.set_defaults(handler=_report)

    export = commands.add_parser("export", help="export a sweep's results as CSV files")
    export.add_argument("directory", type=Path, help="a sweep's results directory")
    export.add_argument(
        "--out", type=Path, help="folder for the CSV files (default: the results directory)"
    )
    add_output_options(export, progress=False)
    export.set_defaults(handler=_export)

    experiments = commands.add_parser(
        "experiments", help="list the built-in experiments and their number of runs"
    )
    add_output_options(experiments, progress=False)
    experiments.set_defaults(handler=_experiments)

    bench = commands.add_parser(
        "bench",
        help="measure speed, memory, scaling and start-up cost on this machine",
        description="Measure agent-steps per second up to a million agents, set-up time, peak "
        "memory, the speed-up over a per-agent Mesa version of the same rules, sweep "
        "throughput against the machine's two-process ceiling, and the CPU time of starting "
        "'orglearn --help', 'import orglearn' and a whole 'orglearn run --agents 200 --steps "
        "365'. "
        "Takes several minutes (--quick: about one).",
    )
    bench.add_argument(
        "--quick", action="store_true", help="stop at 100,000 agents (10,000 for per-agent Mesa)"
    )
    bench.add_argument(
        "--ui",
        action="store_true",
        help="measure the web UI instead, in headless chromium: slider, Step, a year at full "
        "speed and a comparison (needs Debian's chromium; about 2 minutes)",
    )
    bench.add_argument(
        "--repeats", type=int, default=3, help="with --ui: repetitions of each measure (median)"
    )
    bench.add_argument("--plot", type=Path, help="also write a PNG of cost against N here")
    add_output_options(bench)
    bench.set_defaults(handler=_bench)


def _add_scenario_commands(commands) -> None:
    group = commands.add_parser(
        "scenarios",
        help="list, show, validate and create scenario files",
        description="Built-in scenarios and scenario files. 'orglearn scenarios reference' "
        "documents every key; 'orglearn scenarios schema' prints the JSON Schema for editors.",
    ).add_subparsers(dest="action", required=True, parser_class=OneLineParser)
    listing = group.add_parser("list", help="list the built-in scenarios")
    add_output_options(listing, progress=False)
    listing.set_defaults(handler=_list)
    show = group.add_parser("show", help="print a scenario, resolved, as a commented TOML file")
    show.add_argument("name", help="built-in name or file")
    add_output_options(show, progress=False)
    show.set_defaults(handler=_show)
    validate = group.add_parser(
        "validate", help="check scenario files; exit status 2 if any is invalid"
    )
    validate.add_argument("files", nargs="+", type=Path)
    add_output_options(validate, progress=False)
    validate.set_defaults(handler=_validate)
    new = group.add_parser("new", help="write a complete, commented scenario file to edit")
    new.add_argument("name", help="name of the new scenario (the file is NAME.toml)")
    new.add_argument("--from", dest="base", default="baseline", help="scenario to start from")
    new.add_argument("--out", type=Path, help="file to write (default: ./NAME.toml)")
    add_output_options(new, progress=False)
    new.set_defaults(handler=_new)
    group.add_parser("schema", help="print the JSON Schema of scenario files").set_defaults(
        handler=_schema
    )
    group.add_parser(
        "reference", help="print the scenario reference: every key, its default and range"
    ).set_defaults(handler=_reference)


# --- handlers: each imports what it needs ------------------------------------------------------


def _parameter_overrides(values: dict[str, Any]) -> dict[str, Any]:
    """``{"section.field": value}`` from ``--set`` as model overrides (``section__field``).

    Raises:
        ValueError: a key is not a parameter; the message names it and what is allowed.
    """
    from orglearn.simulation.parameters import SECTIONS

    out = {}
    for key, value in values.items():
        section, _, name = key.partition(".")
        if section not in SECTIONS:
            raise ValueError(
                f"--set {key}: '{section}' is not a section; sections: {', '.join(SECTIONS)}"
            )
        fields = SECTIONS[section].model_fields
        if name not in fields:
            raise ValueError(
                f"--set {key}: '{name}' is not a parameter of [{section}]; its parameters: "
                f"{', '.join(fields)} ('orglearn scenarios reference' explains them)"
            )
        out[f"{section}__{name}"] = value
    return out


@contextmanager
def _loading(args: argparse.Namespace) -> Iterator[None]:
    """Import a command's libraries; run as the program, with the garbage collector paused
    while they load and what is then alive frozen (`gc.freeze`), so that later collections walk
    only what the command itself creates. Called in process (``main(argv)``), it does nothing:
    the caller's objects are not ours to freeze."""
    if not getattr(args, "program", False):
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def _run(args: argparse.Namespace) -> int:
    with _loading(args):
        # Mesa first: its import walks the call stack (its logger's set-up calls
        # inspect.stack()), at a cost that grows with the modules already loaded.
        import mesa  # noqa: F401

        from orglearn.experiments.single import FIGURE_FILES, OUTPUT_FILES, run_single
        from orglearn.scenarios import ScenarioError, load
        from orglearn.simulation.parameters import ParameterError

        if args.plot:  # what plot_spread will load, loaded here with the rest
            import matplotlib.figure  # noqa: F401

    if problem := check_out(args.out):
        return fail(problem)
    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        return fail(str(err))
    try:
        overrides = _parameter_overrides(settings(args.set))
    except ValueError as err:
        return fail(str(err))
    if args.agents is not None:
        overrides["organisation__n_agents"] = args.agents
    try:
        scenario = scenario.with_overrides(**overrides)
    except ParameterError as err:
        departments = overrides.get("organisation__departments",
                                    scenario.organisation.departments)
        if args.agents is not None and args.agents < departments:
            return fail(f"--agents {args.agents} is fewer than the scenario's {departments} "
                        "departments (each needs at least one person); add "
                        f"--set organisation.departments={args.agents} or use more agents")
        return fail(str(err))
    if not args.force:
        from orglearn.experiments.memory import memory_problem

        if problem := memory_problem(scenario):
            return fail(problem)
    steps = args.steps or scenario.steps
    late = [e for e in scenario.interventions if e.step > steps]
    if late:
        return fail(
            f"--steps {steps} ends before the scenario's {late[0].kind} intervention at step "
            f"{late[0].step}; use --steps {late[-1].step} or more"
        )
    from orglearn.simulation.compiled import announce_compiling

    def say(line: str) -> None:
        if not getattr(args, "quiet", False):
            print(line, file=sys.stderr, flush=True)

    with announce_compiling(say):
        run_single(scenario, steps, args.seed, out=args.out, progress=show_progress(args),
                   plot=args.plot)
    summary = json.loads((args.out / "summary.json").read_text(encoding="utf-8"))
    if args.json:
        emit(summary)
    else:
        print(_summary_text(summary))
    written = [n for n in OUTPUT_FILES if args.plot or n not in FIGURE_FILES]
    note(args, f"Results written to {args.out}/ ({', '.join(written)})")
    return 0


#: The headline of ``orglearn run``'s text output; every value is in summary.json (``--json``).
HEADLINE = (
    "scenario", "n_agents", "steps", "seed", "t50", "t90", "final_idea_adoption",
    "final_mean_knowledge", "final_gini", "final_silo_index", "final_participation",
)


def _summary_text(summary: dict[str, Any]) -> str:
    """The run's headline results, one per line, and where learning came from; the other
    values are in summary.json."""
    rows = {key: summary[key] for key in HEADLINE if key in summary}
    for key in ("t50", "t90"):
        if key in rows and rows[key] is None:
            rows[key] = "not reached"
    from orglearn.simulation.metrics import CHANNELS  # loaded by the run already

    gains = {c: summary.get(f"total_gain_{c}") or 0.0 for c in CHANNELS}
    total = sum(gains.values())
    if total > 0:
        rows["learning by channel"] = ", ".join(
            f"{c} {100 * g / total:.0f}%" for c, g in gains.items() if g > 0
        )
    width = max(map(len, rows), default=0)
    lines = [
        f"{key:<{width}}  {f'{value:.4g}' if isinstance(value, float) else value}"
        for key, value in rows.items()
    ]
    shown = sum(key in summary for key in HEADLINE)
    lines.append(f"(and {len(summary) - shown} more values in summary.json; --json prints them)")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    from orglearn.scenarios import builtin_names, load

    rows = [(name, load(name)) for name in builtin_names()]
    if args.json:
        emit([{"name": name, "title": s.title, "against": s.against,
               "description": s.description, "steps": s.steps} for name, s in rows])
        return 0
    width = max(len(name) for name, _ in rows)
    for name, scenario in rows:
        against = f"  (compare with {scenario.against})" if scenario.against else ""
        print(f"{name:<{width}}  {scenario.title}{against}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from orglearn.scenarios import ScenarioError, load, to_toml

    try:
        scenario = load(args.name)
    except ScenarioError as err:
        return fail(str(err))
    if args.json:
        emit(scenario.model_dump(mode="json"))
    else:
        print(to_toml(scenario), end="")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from orglearn.scenarios import ScenarioError, load

    results = []
    for path in args.files:
        try:
            scenario = load(path)
        except ScenarioError as err:
            print(f"invalid: {err}", file=sys.stderr)
            results.append({"file": str(path), "valid": False, "error": str(err)})
        else:
            note(args, f"ok: {path} ({scenario.title or scenario.name}, {scenario.steps} steps, "
                       f"{len(scenario.interventions)} interventions)")
            results.append({"file": str(path), "valid": True, "name": scenario.name,
                            "title": scenario.title, "steps": scenario.steps,
                            "interventions": len(scenario.interventions)})
    valid = all(r["valid"] for r in results)
    if args.json:
        emit({"valid": valid, "files": results})
    return 0 if valid else 2


def _new(args: argparse.Namespace) -> int:
    import re

    from orglearn.scenarios import ScenarioError, load, to_toml

    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", args.name):
        return fail(f"the name {args.name!r} must be letters, digits, '_' or '-'")
    out = args.out or Path(f"{args.name}.toml")
    if out.exists() and not out.is_dir():
        return fail(f"{out} already exists; choose another name or --out")
    if problem := check_out(out, file=True, option="--out" if args.out else "the file"):
        return fail(problem)
    try:
        base = load(args.base)
    except ScenarioError as err:
        return fail(str(err))
    scenario = base.model_copy(update={
        "name": args.name,
        "title": f"{args.name} (from {base.name or args.base})",
        "against": base.name or str(args.base),
    })
    header = (
        f"# Scenario '{args.name}', started from '{args.base}'. Every key is listed with what it\n"
        "# means and what values it allows; delete the ones you do not change, or add\n"
        f"# extends = \"{args.base}\" to inherit them. Check it with: "
        f"orglearn scenarios validate {out}\n\n"
    )
    out.write_text(header + to_toml(scenario), encoding="utf-8")
    if args.json:
        emit({"file": str(out), "name": args.name, "from": args.base})
    note(args, f"Wrote {out}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from orglearn.scenarios import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def _reference(args: argparse.Namespace) -> int:
    from orglearn.scenarios.reference import markdown_reference

    print(markdown_reference(), end="")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from orglearn.experiments.runner import run_sweep
    from orglearn.experiments.sweep import MAX_RUNS, SweepError, load_sweep

    if args.verify is not None:
        return _verify(args)
    if args.sweep is None:
        return fail("give a sweep file or built-in experiment (orglearn experiments lists "
                    "them), or --verify DIR")
    if args.retry_failed and not args.resume:
        return fail("--retry-failed runs failed runs of a sweep again; use it with --resume")
    if args.scheduler:
        from orglearn.experiments.scheduler import SchedulerError, parse_address

        try:
            parse_address(args.scheduler)
        except SchedulerError as err:
            return fail(str(err))
    changes: dict[str, Any] = {
        key: value
        for key in ("replications", "steps", "seed", "model")
        if (value := getattr(args, key)) is not None
    }
    if args.set:
        changes["settings"] = settings(args.set)  # parameters, or levers of interventions
    try:
        sweep = load_sweep(args.sweep, max_runs=args.max_runs or MAX_RUNS)[0]
        if changes:
            sweep = sweep.with_overrides(**changes)
    except SweepError as err:
        return fail(str(err))
    out = args.out or Path("results") / Path(args.sweep).name.removesuffix(".toml")
    if problem := check_out(out, option="--out" if args.out else "the results folder"):
        return fail(problem)
    if not args.force and not args.scheduler:  # a cluster's workers have their own memory
        from orglearn.experiments.memory import sweep_memory_problem

        if problem := sweep_memory_problem(sweep, args.workers):
            return fail(problem)
    try:
        outcome = run_sweep(sweep, out, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, progress=show_progress(args),
                            retry_failed=args.retry_failed)
    except SweepError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        print(f"orglearn: interrupted; finished runs are saved in {out}. "
              f"Continue with: orglearn sweep {args.sweep} --out {out} --resume "
              "(with the same options)", file=sys.stderr)
        return 130
    retried = f", {outcome.retried} of them failed runs run again" if outcome.retried else ""
    note(args, f"{outcome.ok} runs finished and {outcome.failed} failed in this session{retried} "
               f"({outcome.done_before} were done before); results in {out}/")
    if outcome.quarantined:
        print(f"orglearn: warning: {len(outcome.quarantined)} damaged parts were moved to "
              f"{out}/quarantine/ ({', '.join(outcome.quarantined)}); their runs were done "
              "again", file=sys.stderr)
    for line in outcome.version_warnings:
        print(f"orglearn: warning: {line} (see the sessions in {out}/manifest.json)",
              file=sys.stderr)
    runs = outcome.runs
    failed = runs[runs["status"] != "ok"] if len(runs) else runs
    report = None
    if args.report:
        from orglearn.reports.report import write_report

        report = write_report(out)
        note(args, f"Report: {report}")
    if args.json:
        emit({
            "sweep": args.sweep,
            "out": str(out),
            "total": outcome.total,
            "done_before": outcome.done_before,
            "ok": outcome.ok,
            "failed": outcome.failed,
            "retried": outcome.retried,
            "complete": outcome.complete,
            "failed_runs": [
                {"run_id": int(row["run_id"]), "scenario": row["scenario"],
                 "error": _last_line(row["error"])}
                for _, row in failed.iterrows()
            ],
            "version_warnings": list(outcome.version_warnings),
            "report": None if report is None else str(report),
        })
    if len(failed):  # this session's failures and any recorded by earlier sessions
        for _, row in failed.head(5).iterrows():
            print(f"  run {row['run_id']} ({row['scenario']}): {_last_line(row['error'])}",
                  file=sys.stderr)
        print(f"orglearn: {len(failed)} runs failed; their tracebacks are in {out}/runs.csv",
              file=sys.stderr)
        return 1
    return 0


def _last_line(error: str | None) -> str:
    return ((error or "").strip().splitlines()[-1:] or [""])[0]


def _verify(args: argparse.Namespace) -> int:
    """``orglearn sweep --verify DIR``: report damage, change nothing."""
    from orglearn.experiments.integrity import verify

    folder = args.verify
    if args.sweep is not None:
        return fail("--verify checks a results folder; give no sweep with it")
    if not (folder / "manifest.json").exists() and not (folder / "runs").is_dir():
        return fail(f"{folder} holds no sweep results (no manifest.json)")
    found = verify(folder)
    lines = found.lines()
    if args.json:
        emit({"folder": str(folder), "parts": found.parts, "sound": found.sound,
              "damaged": [{"file": f, "problem": why} for f, why in found.damaged],
              "missing": found.missing, "unrecorded": [r["file"] for r in found.unrecorded],
              "orphans": found.orphans, "manifest": found.manifest})
    else:
        for line in lines:
            print(f"{folder}/{line}")
        verdict = ("every part is as written" if not lines else
                   "no damage" if found.sound else
                   "damaged; resume the sweep (--resume) to redo the runs of damaged parts")
        print(f"{folder}: {found.parts} parts checked; {verdict}")
    return 0 if found.sound else 1


def _report(args: argparse.Namespace) -> int:
    from orglearn.reports.report import write_report

    if not (args.directory / "manifest.json").exists():
        return fail(f"{args.directory} holds no sweep results (no manifest.json)")
    if problem := check_out(args.directory, option="the results folder"):
        return fail(problem)  # report.html is written there
    try:
        path = write_report(args.directory)
    except ValueError as err:
        return fail(str(err))
    if args.json:
        emit({"report": str(path)})
    note(args, f"Report: {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from orglearn.experiments.export import export_csv
    from orglearn.experiments.integrity import ResultsDamaged

    if not (args.directory / "manifest.json").exists():
        return fail(f"{args.directory} holds no sweep results (no manifest.json)")
    if problem := check_out(args.out or args.directory,
                            option="--out" if args.out else "the results folder"):
        return fail(problem)
    try:
        written = export_csv(args.directory, args.out)
    except ResultsDamaged as err:
        return fail(str(err))
    if args.json:
        emit({"files": [str(p) for p in written]})
    for path in written:
        note(args, f"Wrote {path}")
    return 0


def _experiments(args: argparse.Namespace) -> int:
    from orglearn.experiments.design import design_size
    from orglearn.experiments.sweep import builtin_sweeps, load_sweep

    rows = []
    for name in builtin_sweeps():
        sweep = load_sweep(name)[0]
        runs = design_size(sweep) * len(sweep.scenarios) * sweep.replications
        rows.append({"name": name, "title": sweep.title, "runs": runs})
    if args.json:
        emit(rows)
        return 0
    for row in rows:
        print(f"{row['name']:<22} {row['title']} ({row['runs']} runs)")
    return 0


def _bench(args: argparse.Namespace) -> int:
    if args.ui:
        return _bench_ui(args)
    from orglearn.bench.run import format_table, plot_scaling, run_benchmark

    if args.plot and (problem := check_out(args.plot, file=True, option="--plot")):
        return fail(problem)
    quiet = not show_progress(args)
    result = run_benchmark(
        quick=args.quick, log=lambda text: None if quiet else print(text, file=sys.stderr)
    )
    if args.plot:
        note(args, f"plot written to {plot_scaling(result, args.plot)}")
    if args.json:
        emit(result)
    else:
        print(format_table(result))
    return 0


def _bench_ui(args: argparse.Namespace) -> int:
    from orglearn.bench.ui import format_ui_table, run_ui_benchmark

    if args.repeats < 1:
        return fail("--repeats must be 1 or more")
    quiet = not show_progress(args)
    try:
        result = run_ui_benchmark(
            repeats=args.repeats, log=lambda text: None if quiet else print(text, file=sys.stderr)
        )
    except RuntimeError as err:
        return fail(str(err))
    if args.json:
        emit(result)
    else:
        print(format_ui_table(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orglearn`` console script and of ``python -m orglearn``.

    Without ``argv`` it is the program itself: when the command is done, what is still alive is
    frozen out of the garbage collector's sight (`gc.freeze`), so that the interpreter's exit
    does not walk it looking for cycles (about 0.3 CPU-s after a run). With ``argv`` (called in
    process) it leaves the collector alone.
    """
    args = build_parser().parse_args(argv)
    args.program = argv is None
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("orglearn: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`orglearn ... --json | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        if args.program:
            gc.freeze()


if __name__ == "__main__":
    sys.exit(main())
