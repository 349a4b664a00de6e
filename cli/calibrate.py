"""The arguments of ``orglearn calibrate``; the command itself is
`orglearn.calibration.cli.handle_calibrate`, imported only when it runs (the calibration package
imports scipy, pandas and pyabc)."""

from __future__ import annotations

import argparse
from pathlib import Path

from orglearn.cli.arguments import add_output_options, int_at_least, lazy_handler

__all__ = ["add_calibrate_command"]


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
    cal.set_defaults(handler=lazy_handler("orglearn.calibration.cli", "handle_calibrate"))
    return cal
