"""The arguments of ``orglearn validate``; the command itself is
`orglearn.validation.canonical.validate_command`, imported only when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from orglearn.cli.arguments import add_output_options, int_at_least, lazy_handler

__all__ = ["add_validate_command", "MODELS"]

#: The canonical models' reproductions (`orglearn.validation.canonical.MODELS`, which a test
#: keeps equal to this), named here so that the parser does not import numpy and scipy.
MODELS: tuple[str, ...] = ("march1991", "bass", "granovetter")


def add_validate_command(subparsers) -> argparse.ArgumentParser:
    """Add ``validate`` to an argparse subparsers object (``parser.add_subparsers()``)."""
    parser = subparsers.add_parser(
        "validate",
        help="reproduce the published results of the canonical models (March, Bass, Granovetter)",
        description="Reproduce March (1991) figures 1, 2, 4 and 5 (with run_march's default "
        "rules, those of March's original program; figure 1 also with the rules as the paper's "
        "text states them, for comparison), the Bass (1969) closed form and Granovetter's "
        "(1978) threshold cascades (simulated crowds); write validation.csv, checks.csv and the "
        "plots into --out. 'orglearn validate patterns' instead runs the social-learning "
        "model's patterns as paired-seed experiments. Exit status 0 if every published result "
        "is reproduced (every pattern holds), 1 if not.",
    )
    parser.add_argument(
        "model",
        nargs="?",
        default="all",
        choices=[*MODELS, "patterns", "all"],
        help="which reproduction to run: a canonical model, 'patterns' (the social-learning "
        "model's patterns, each a paired-seed test of one mechanism), or all canonical models "
        "(default: all)",
    )
    parser.add_argument(
        "--replications",
        type=int_at_least(2),
        default=80,
        help="replications per point (default: 80, as in March 1991)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results/validation"),
        help="output directory (default: results/validation)",
    )
    parser.add_argument(
        "--seed", type=int_at_least(0), default=1991, help="root seed (default: 1991)"
    )
    patterns = parser.add_argument_group("patterns")
    patterns.add_argument(
        "--seeds",
        type=int_at_least(3),
        default=20,
        help="paired seeds per arm (default: 20): --seed, --seed + 1, ...",
    )
    patterns.add_argument(
        "--agents",
        type=int_at_least(20),
        default=300,
        help="people per organisation (default: 300)",
    )
    patterns.add_argument(
        "--steps", type=int_at_least(30), default=365, help="days per run (default: 365)"
    )
    patterns.add_argument(
        "--ablate",
        action="store_true",
        help="also run each pattern with its mechanism switched off, which must then fail",
    )
    parser.add_argument(
        "--workers",
        type=int_at_least(1),
        default=1,
        help="worker processes (default: 1; the default run takes seconds of computing, less "
        "than starting workers costs; more pay off for thousands of replications)",
    )
    add_output_options(parser)
    parser.set_defaults(handler=lazy_handler("orglearn.validation.canonical", "validate_command"))
    return parser
