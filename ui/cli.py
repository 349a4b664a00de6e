"""The ``orglearn ui`` command: `add_ui_command` adds it to the ``orglearn`` parser."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["add_ui_command", "handle_ui", "main"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to 65535; got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be an integer from 1 to 65535; got {value}")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of minutes > 0; got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number of minutes > 0; got {value}")
    return value


def add_ui_command(subparsers) -> argparse.ArgumentParser:
    """Add ``ui`` to an argparse subparsers object (``parser.add_subparsers()``)."""
    ui = subparsers.add_parser(
        "ui",
        help="start the web UI: what-if exploration for L&D leaders, in a browser",
        description="Start the web UI and print its address. It listens on 127.0.0.1 only "
        "unless --host says otherwise (e.g. --host 0.0.0.0 to let other machines in).",
    )
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    ui.add_argument("--port", type=_port, default=8765, help="port to listen on (default: 8765)")
    ui.add_argument(
        "--idle-minutes",
        type=_minutes,
        default=30.0,
        help="free a page's simulation after this many minutes without use (default: 30)",
    )
    ui.set_defaults(handler=handle_ui)
    return ui


def handle_ui(args: argparse.Namespace) -> int:
    """Run the UI's server until Ctrl-C."""
    from orglearn.ui.server import serve

    try:
        return serve(args.host, args.port, args.idle_minutes)
    except KeyboardInterrupt:
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m orglearn.ui [--host H] [--port P]``: the ``ui`` command on its own."""
    parser = argparse.ArgumentParser(prog="python -m orglearn.ui")
    add_ui_command(parser.add_subparsers(dest="command")).prog = parser.prog
    args = parser.parse_args(["ui", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)
