"""Argument types and options shared by the ``orglearn`` subcommands: one wording for bad
values, and one meaning for ``--json``, ``--progress``, ``--quiet`` and ``--set``.

This module is imported to build the parser, so it imports nothing beyond the standard library:
``orglearn --help`` must stay cheap.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = [
    "OneLineParser",
    "int_at_least",
    "setting",
    "add_set_option",
    "settings",
    "add_output_options",
    "show_progress",
]


class OneLineParser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def int_at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``low`` (and at most ``high``, if given)."""
    allowed = f"an integer >= {low}" if high is None else f"an integer from {low} to {high:,}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {allowed}; got {text!r}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {allowed}; got {value}")
        return value

    return parse


def setting(text: str) -> tuple[str, object]:
    """An argparse type for ``--set section.field=value``: the value is read as a TOML value
    (``0.3``, ``true``, ``"text"``, ``[1, 2]``), or as plain text if it is not one.

    Returns ``(key, value)``; whether the key is a parameter is checked where it is used.
    """
    import tomllib

    key, sep, raw = text.partition("=")
    key = key.strip()
    parts = key.split(".")
    if not sep or len(parts) < 2 or not all(part.isidentifier() for part in parts):
        raise argparse.ArgumentTypeError(
            f"must be section.field=value, e.g. population.hoarder_share=0.3; got {text!r}"
        )
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key, value


def add_set_option(parser: argparse.ArgumentParser, what: str = "the run") -> None:
    """Add the repeatable ``--set section.field=value`` option (collected in ``args.set``)."""
    parser.add_argument(
        "--set",
        metavar="SECTION.FIELD=VALUE",
        type=setting,
        action="append",
        default=[],
        help=f"change one parameter for {what}, as a scenario file would "
        "(e.g. --set population.hoarder_share=0.3); repeatable",
    )


def settings(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """``--set`` pairs as ``{"section.field": value}`` (a later repeat of a key wins)."""
    return dict(pairs)


def add_output_options(
    parser: argparse.ArgumentParser, *, json: bool = True, progress: bool = True
) -> None:
    """Add ``--json`` and/or ``--progress`` and ``--quiet`` with their shared meaning."""
    if json:
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the result as one JSON document on stdout; notes and progress go to "
            "stderr",
        )
    if progress:
        parser.add_argument(
            "--progress",
            action="store_true",
            help="show progress on stderr even when it is not a terminal (by default only on "
            "a terminal)",
        )
        parser.add_argument("--quiet", action="store_true", help="show no progress")


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to show progress: never with ``--quiet``; with ``--progress``, or when stderr is
    a terminal (a bar redrawn in a log file is noise)."""
    if getattr(args, "quiet", False):
        return False
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()
