"""The ``orglearn calibrate`` command: `handle_calibrate` runs it. Its arguments are defined in
`orglearn.cli.calibrate` (`add_calibrate_command`, re-exported here), which imports nothing
heavy, so that ``orglearn --help`` stays cheap."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
from pathlib import Path

from orglearn.cli.arguments import show_progress
from orglearn.cli.calibrate import add_calibrate_command
from orglearn.cli.output import emit, fail, note

__all__ = ["add_calibrate_command", "handle_calibrate"]


def _say(text: str) -> None:
    """Progress: a line at each stage of the calibration, on stderr."""
    print(f"orglearn: {text}", file=sys.stderr)


def handle_calibrate(args: argparse.Namespace) -> int:
    """Run ``orglearn calibrate``; returns the exit status (2 for bad input, nothing written)."""
    from orglearn.calibration import calibrate, fit_parameters, read_observed, write_calibration
    from orglearn.scenarios import ScenarioError, load

    if args.scheduler and not args.scheduler.startswith(
        ("tcp://", "tls://", "inproc://", "ucx://")
    ):
        return fail(
            f"--scheduler must be an address such as tcp://127.0.0.1:8786; got {args.scheduler!r}"
        )
    try:
        scenario = load(args.scenario)
        observed = read_observed(args.observed)
        fit = fit_parameters(args.fit, dict(args.bounds))
    except (ScenarioError, ValueError) as err:
        return fail(str(err))
    out = args.out or Path("results") / "calibrate" / (scenario.name or "scenario")
    if out.exists() and not out.is_dir():
        return fail(f"--out {out} exists and is not a directory")
    workers = args.workers or multiprocessing.cpu_count()
    say = _say if show_progress(args) else None
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
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
    except ScenarioError as err:
        return fail(str(err))
    except KeyboardInterrupt:
        print("orglearn: interrupted; nothing was written", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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


def main(argv=None) -> int:
    """Run ``calibrate`` on its own (``python -m orglearn.calibration.cli ...``)."""
    parser = argparse.ArgumentParser(prog="orglearn")
    add_calibrate_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["calibrate", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
