"""Argument types shared by the ``orglearn`` subcommands: one wording for bad values."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["OneLineParser", "int_at_least", "setting", "add_set_option", "settings"]


class OneLineParser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}; got {value}")
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
    if not sep or not key or "." not in key or any(not part.isidentifier() for part in key.split(".")):
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
