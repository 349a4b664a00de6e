"""The ``orglearn`` command line. It only wires arguments to the packages' functions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from orglearn.cli.arguments import OneLineParser, int_at_least

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``orglearn`` and its subcommands."""
    from orglearn import __version__

    parser = OneLineParser(
        prog="orglearn",
        description="Agent-based simulation of social learning in organisations.",
    )
    parser.add_argument("--version", action="version", version=f"orglearn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    run = commands.add_parser(
        "run",
        help="run one simulation and write its time series, summary and plot",
        description="Run a scenario (a built-in name or a TOML file; default: baseline) and "
        "write timeseries.csv, timeseries.parquet, summary.json and spread.png into --out.",
    )
    run.add_argument(
        "scenario", nargs="?", default="baseline", help="built-in scenario name or scenario file"
    )
    run.add_argument("--agents", type=int_at_least(2), help="number of employees (overrides the scenario)")
    run.add_argument("--steps", type=int_at_least(1), help="steps (working days); default: the scenario's")
    run.add_argument("--seed", type=int_at_least(0), default=None, help="random seed (default: fresh)")
    run.add_argument("--out", type=Path, default=Path("results/run"), help="output directory")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)
    _add_scenario_commands(commands)
    _add_experiment_commands(commands)
    from orglearn.validation.canonical import add_validate_command

    add_validate_command(commands)
    from orglearn.ui import add_ui_command

    add_ui_command(commands)
    from orglearn.calibration.cli import add_calibrate_command

    add_calibrate_command(commands)
    return parser


def _add_experiment_commands(commands) -> None:
    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep with replications (locally or on a Dask cluster)",
        description="Run a sweep file or built-in experiment; results stream to --out as runs "
        "finish, and --resume continues an interrupted sweep.",
    )
    sweep.add_argument("sweep", help="built-in experiment name (e.g. barriers) or sweep file")
    sweep.add_argument("--workers", type=int_at_least(1), help="local worker processes (default: all cores)")
    sweep.add_argument("--out", type=Path, help="results directory (default: results/<name>)")
    sweep.add_argument("--resume", action="store_true", help="continue the sweep in --out")
    sweep.add_argument("--retry-failed", action="store_true",
                       help="with --resume, also run again the runs recorded as failed")
    sweep.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    sweep.add_argument("--report", action="store_true", help="write report.html when done")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_sweep)

    report = commands.add_parser("report", help="write report.html for a sweep's results")
    report.add_argument("directory", type=Path)
    report.set_defaults(handler=_report)

    export = commands.add_parser("export", help="export a sweep's results as CSV files")
    export.add_argument("directory", type=Path)
    export.add_argument("--out", type=Path, help="folder for the CSV files (default: the results directory)")
    export.set_defaults(handler=_export)

    experiments = commands.add_parser("experiments", help="list the built-in experiments")
    experiments.set_defaults(handler=_experiments)

    bench = commands.add_parser(
        "bench", help="measure speed, memory and scaling on this machine (see docs/performance.md)"
    )
    bench.add_argument("--quick", action="store_true", help="stop at 100,000 agents")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--plot", type=Path, help="also write a PNG of cost against N here")
    bench.set_defaults(handler=_bench)


def _add_scenario_commands(commands) -> None:
    group = commands.add_parser(
        "scenarios", help="list, show, validate and create scenario files"
    ).add_subparsers(dest="action", required=True, parser_class=OneLineParser)
    group.add_parser("list", help="list the built-in scenarios").set_defaults(handler=_list)
    show = group.add_parser("show", help="print a scenario, resolved, as a commented TOML file")
    show.add_argument("name", help="built-in name or file")
    show.set_defaults(handler=_show)
    validate = group.add_parser("validate", help="check scenario files; exit status 2 if any is invalid")
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(handler=_validate)
    new = group.add_parser("new", help="write a complete, commented scenario file to edit")
    new.add_argument("name", help="name of the new scenario (the file is NAME.toml)")
    new.add_argument("--from", dest="base", default="baseline", help="scenario to start from")
    new.add_argument("--out", type=Path, help="file to write (default: ./NAME.toml)")
    new.set_defaults(handler=_new)
    group.add_parser("schema", help="print the JSON Schema of scenario files").set_defaults(
        handler=_schema
    )
    group.add_parser("reference", help="print the Markdown scenario reference").set_defaults(
        handler=_reference
    )


def _run(args: argparse.Namespace) -> int:
    from orglearn.experiments.single import run_single
    from orglearn.scenarios import ScenarioError, load
    from orglearn.simulation.parameters import ParameterError

    if args.out.exists() and not args.out.is_dir():
        return _fail(f"--out {args.out} exists and is not a directory")
    overrides = {} if args.agents is None else {"n_agents": args.agents}
    try:
        scenario = load(args.scenario).with_overrides(**overrides)
    except (ScenarioError, ParameterError) as err:
        return _fail(str(err))
    steps = args.steps or scenario.steps
    late = [e for e in scenario.interventions if e.step > steps]
    if late:
        return _fail(
            f"--steps {steps} ends before the scenario's {late[0].kind} intervention at step "
            f"{late[0].step}; use --steps {late[-1].step} or more"
        )
    model = run_single(scenario, steps, args.seed, out=args.out, progress=not args.quiet)
    summary = model.summary()
    print(json.dumps({k: summary[k] for k in ("t50", "t90", "final_mean_knowledge", "gini",
                                               "silo_index", "participation")}))
    print(f"Results written to {args.out}/ ({', '.join(_outputs())})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from orglearn.scenarios import builtin_names, load

    rows = [(name, load(name)) for name in builtin_names()]
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
        return _fail(str(err))
    print(to_toml(scenario), end="")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from orglearn.scenarios import ScenarioError, load

    bad = 0
    for path in args.files:
        try:
            scenario = load(path)
        except ScenarioError as err:
            print(f"invalid: {err}", file=sys.stderr)
            bad += 1
        else:
            print(f"ok: {path} ({scenario.title or scenario.name}, {scenario.steps} steps, "
                  f"{len(scenario.interventions)} interventions)")
    return 2 if bad else 0


def _new(args: argparse.Namespace) -> int:
    import re

    from orglearn.scenarios import ScenarioError, load, to_toml

    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*", args.name):
        return _fail(f"the name {args.name!r} must be letters, digits, '_' or '-'")
    out = args.out or Path(f"{args.name}.toml")
    if out.exists():
        return _fail(f"{out} already exists; choose another name or --out")
    try:
        base = load(args.base)
    except ScenarioError as err:
        return _fail(str(err))
    scenario = base.model_copy(update={
        "name": args.name,
        "title": f"{args.name} (from {base.name or args.base})",
        "against": base.name or str(args.base),
    })
    header = (
        f"# Scenario '{args.name}', started from '{args.base}'. Every key is listed with what it\n"
        "# means and what values it allows; delete the ones you do not change, or add\n"
        f"# extends = \"{args.base}\" to inherit them. Check it with: orglearn scenarios validate {out}\n\n"
    )
    out.write_text(header + to_toml(scenario), encoding="utf-8")
    print(f"Wrote {out}")
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
    from orglearn.experiments.sweep import SweepError, load_sweep

    try:
        load_sweep(args.sweep)
    except SweepError as err:
        return _fail(str(err))
    out = args.out or Path("results") / Path(args.sweep).name.removesuffix(".toml")
    if args.retry_failed and not args.resume:
        return _fail("--retry-failed runs failed runs of a sweep again; use it with --resume")
    if args.scheduler and not args.scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        return _fail(f"--scheduler must be an address such as tcp://127.0.0.1:8786; got {args.scheduler!r}")
    try:
        outcome = run_sweep(args.sweep, out, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, progress=not args.quiet,
                            retry_failed=args.retry_failed)
    except SweepError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        print(f"orglearn: interrupted; finished runs are saved in {out}. "
              f"Continue with: orglearn sweep {args.sweep} --out {out} --resume", file=sys.stderr)
        return 130
    retried = f", {outcome.retried} of them failed runs run again" if outcome.retried else ""
    print(f"{outcome.ok} runs finished and {outcome.failed} failed in this session{retried} "
          f"({outcome.done_before} were done before); results in {out}/")
    for line in outcome.version_warnings:
        print(f"orglearn: warning: {line} (see the sessions in {out}/manifest.json)", file=sys.stderr)
    failed = outcome.runs[outcome.runs["status"] != "ok"] if len(outcome.runs) else outcome.runs
    if args.report:
        from orglearn.reports.report import write_report

        print(f"Report: {write_report(out)}")
    if len(failed):  # this session's failures and any recorded by earlier sessions
        for _, row in failed.head(5).iterrows():
            last = (row["error"] or "").strip().splitlines()[-1:] or [""]
            print(f"  run {row['run_id']} ({row['scenario']}): {last[0]}", file=sys.stderr)
        print(f"orglearn: {len(failed)} runs failed; their tracebacks are in {out}/runs.csv", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    from orglearn.reports.report import write_report

    if not (args.directory / "manifest.json").exists():
        return _fail(f"{args.directory} holds no sweep results (no manifest.json)")
    try:
        path = write_report(args.directory)
    except ValueError as err:
        return _fail(str(err))
    print(f"Report: {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from orglearn.experiments.export import export_csv

    if not (args.directory / "manifest.json").exists():
        return _fail(f"{args.directory} holds no sweep results (no manifest.json)")
    for path in export_csv(args.directory, args.out):
        print(f"Wrote {path}")
    return 0


def _experiments(args: argparse.Namespace) -> int:
    from orglearn.experiments.runner import make_tasks
    from orglearn.experiments.sweep import builtin_sweeps, load_sweep

    for name in builtin_sweeps():
        sweep = load_sweep(name)[0]
        print(f"{name:<22} {sweep.title} ({len(make_tasks(sweep))} runs)")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from orglearn.bench.run import format_table, plot_scaling, run_benchmark

    log = (lambda message: print(message, file=sys.stderr)) if args.json else print
    result = run_benchmark(quick=args.quick, log=log)
    if args.plot:
        log(f"plot written to {plot_scaling(result, args.plot)}")
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return 0


def _outputs() -> tuple[str, ...]:
    from orglearn.experiments.single import OUTPUT_FILES

    return OUTPUT_FILES


def _fail(message: str) -> int:
    print(f"orglearn: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orglearn`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("orglearn: interrupted; nothing was written for the unfinished run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
