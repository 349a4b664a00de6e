"""The ``orglearn`` command line. It only wires arguments to the packages' functions."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _int_at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}; got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``orglearn`` and its subcommands."""
    from simulation import __version__

    parser = _Parser(
        prog="orglearn",
        description="Agent-based simulation of social learning in organisations.",
    )
    parser.add_argument("--version", action="version", version=f"orglearn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="run one simulation and write its time series, summary and plot",
        description="Run the default organisation and write timeseries.csv, "
        "timeseries.parquet, summary.json and spread.png into --out.",
    )
    run.add_argument("--agents", type=_int_at_least(2), help="number of employees (default 500)")
    run.add_argument("--steps", type=_int_at_least(1), default=365, help="steps (days); default 365")
    run.add_argument("--seed", type=_int_at_least(0), default=None, help="random seed (default: fresh)")
    run.add_argument("--out", type=Path, default=Path("results/run"), help="output directory")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)
    return parser


def _run(args: argparse.Namespace) -> int:
    from experiments.single import run_single
    from simulation.parameters import ParameterError, Parameters

    if args.out.exists() and not args.out.is_dir():
        return _fail(f"--out {args.out} exists and is not a directory")
    overrides = {} if args.agents is None else {"n_agents": args.agents}
    try:
        params = Parameters().with_overrides(**overrides)
    except ParameterError as err:
        return _fail(str(err))
    model = run_single(params, args.steps, args.seed, out=args.out, progress=not args.quiet)
    summary = model.summary()
    print(json.dumps({k: summary[k] for k in ("t50", "t90", "final_mean_knowledge", "gini",
                                               "silo_index", "participation")}))
    print(f"Results written to {args.out}/ ({', '.join(_outputs())})")
    return 0


def _outputs() -> tuple[str, ...]:
    from experiments.single import OUTPUT_FILES

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
