"""``orglearn calibrate``: its arguments and `handle_calibrate`, which imports the calibration
package (scipy, pandas, pyabc) only when the command runs, so that ``orglearn --help`` stays
cheap."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from pathlib import Path

from orglearn.cli.arguments import add_output_options, int_at_least, show_progress
from orglearn.cli.output import check_out, emit, fail, note

__all__ = ["add_calibrate_command", "handle_calibrate"]


def _bounds(text: str) -> tuple[str, tuple[float, float]]:
    name, _, rest = text.partition("=")
    low, _, high = rest.partition(":")
    try:
        return name.strip(), (float(low), float(high))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be NAME=LOW:HIGH, e.g. lurker_share=0.1:0.8; got {text!r}"
        ) from None


def add_calibrate_command(subparsers) -> argparse.ArgumentParser:
    """Add ``calibrate`` to an argparse subparsers object (``parser.add_subparsers()``)."""
    cal = subparsers.add_parser(
        "calibrate",
        help="fit parameters of a scenario to observed weekly activity",
        description="Fit the chosen parameters of SCENARIO so that its simulated weekly series "
        "(posts, questions, answers, contributors) match --observed, and write the estimates "
        "with intervals, a plot of the fit and a calibrated scenario file into --out. "
        "'orglearn scenarios reference' lists the parameters and their ranges; "
        "docs/real_organisations.md in the source repository walks through an example.",
    )
    cal.add_argument("scenario", help="built-in scenario name or scenario file")
    cal.add_argument(
        "--observed",
        required=True,
        type=Path,
        help="CSV of weekly series: week and one or more of posts, questions, "
        "answers, contributors",
    )
    cal.add_argument(
        "--fit",
        required=True,
        help="parameters to fit, comma-separated, e.g. lurker_share,generosity",
    )
    cal.add_argument(
        "--method",
        choices=("quick", "abc"),
        default="quick",
        help="quick: response surface + scipy.optimize with a bootstrap interval "
        "(default); abc: pyabc ABC-SMC with a posterior interval",
    )
    cal.add_argument(
        "--bounds",
        action="append",
        type=_bounds,
        default=[],
        metavar="NAME=LOW:HIGH",
        help="narrow a parameter's range (the ABC prior); repeatable",
    )
    cal.add_argument("--seed", type=int_at_least(0), default=0, help="random seed (default: 0)")
    cal.add_argument(
        "--days-per-week",
        type=int_at_least(1),
        default=5,
        help="steps (working days) per observed week (default: 5)",
    )
    cal.add_argument(
        "--warmup",
        type=int_at_least(0),
        default=0,
        help="weeks simulated before the first observed week (default: 0)",
    )
    cal.add_argument(
        "--workers", type=int_at_least(1), help="local worker processes (default: all cores)"
    )
    cal.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    cal.add_argument(
        "--design",
        type=int_at_least(4),
        help="quick: simulations in the first design round (default: 12 a parameter, 16 or more)",
    )
    cal.add_argument(
        "--population",
        type=int_at_least(10),
        default=100,
        help="abc: particles per generation (default: 100)",
    )
    cal.add_argument(
        "--generations",
        type=int_at_least(1),
        default=6,
        help="abc: at most this many generations (default: 6)",
    )
    cal.add_argument(
        "--max-simulations",
        type=int_at_least(10),
        default=3000,
        help="abc: budget of simulations (default: 3000)",
    )
    cal.add_argument(
        "--out", type=Path, help="output folder (default: results/calibrate/<scenario>)"
    )
    add_output_options(cal)
    cal.set_defaults(handler=handle_calibrate)
    return cal


def _say(text: str) -> None:
    """Progress: a line at each stage of the calibration, on stderr."""
    print(f"orglearn: {text}", file=sys.stderr)


def handle_calibrate(args: argparse.Namespace) -> int:
    """Run ``orglearn calibrate``; returns the exit status (2 for bad input, nothing written)."""
    from orglearn.calibration import calibrate, fit_parameters, read_observed, write_calibration
    from orglearn.experiments.staging import staged
    from orglearn.experiments.scheduler import SchedulerError, parse_address
    from orglearn.scenarios import ScenarioError, load

    if args.scheduler:
        try:
            parse_address(args.scheduler)
        except SchedulerError as err:
            return fail(str(err))
    try:
        scenario = load(args.scenario)
        observed = read_observed(args.observed)
        fit = fit_parameters(args.fit, dict(args.bounds))
    except (ScenarioError, ValueError) as err:
        return fail(str(err))
    out = args.out or Path("results") / "calibrate" / (scenario.name or "scenario")
    if problem := check_out(out, option="--out" if args.out else "the output folder"):
        return fail(problem)
    workers = args.workers or multiprocessing.cpu_count()
    say = _say if show_progress(args) else None
    # Staged inside ``out`` (a rename from beside it fails if ``out`` is a mount point); abc.db
    # is written there during the run and moved in with the results.
    try:
        with staged(out) as staging:
            if say:
                say(
                    f"calibrating {', '.join(p.key for p in fit)} of {scenario.name} to "
                    f"{args.observed} ({observed.weeks} weeks) with the {args.method} method"
                )
            result = calibrate(
                scenario,
                observed,
                fit,
                method=args.method,
                seed=args.seed,
                days_per_week=args.days_per_week,
                warmup_weeks=args.warmup,
                workers=workers,
                scheduler=args.scheduler,
                design=args.design,
                population=args.population,
                generations=args.generations,
                max_simulations=args.max_simulations,
                workdir=staging,
                progress=say,
            )
            written = write_calibration(result, scenario, out, staging=staging)
    except (ScenarioError, SchedulerError) as err:
        return fail(str(err))
    except KeyboardInterrupt:
        print("orglearn: interrupted; nothing was written", file=sys.stderr)
        return 130
    if args.json:
        # What calibration.json holds, and where every file went.
        record = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
        emit({**record, "out": str(out), "files": [str(p) for p in written]})
    else:
        width = max(len(p.key) for p in fit)
        print(f"{'parameter':<{width}}  estimate  {result.interval.split(' ')[0]} interval")
        for p, est, low, high in zip(fit, result.estimate, result.low, result.high):
            print(f"{p.key:<{width}}  {est:8.4f}  [{low:.4f}, {high:.4f}]")
        print(f"Interval: {result.interval}.")
        print(
            f"Fit: distance {result.distance:.4f} (root mean square relative error of the weekly "
            f"block means), {result.simulations} simulations."
        )
    note(args, f"Results written to {out}/ ({', '.join(p.name for p in written)})")
    return 0
