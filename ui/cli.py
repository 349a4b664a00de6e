"""The ``orglearn ui`` command: `add_ui_command` adds it to the ``orglearn`` parser.

Building the parser must stay cheap (``orglearn --help``), so this module imports only the
standard library and `orglearn.cli.arguments`; the handler imports the rest.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from orglearn.cli.arguments import add_set_option, settings

__all__ = ["add_ui_command", "handle_ui", "main"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an integer from 1 to 65535; got {text!r}"
        ) from None
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
        "unless --host says otherwise (e.g. --host 0.0.0.0 to let other machines in). The "
        "page loads Solara's front-end files from Solara's CDN unless they are installed: "
        "run 'orglearn ui --install-assets' once to use the UI without internet access.",
    )
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    ui.add_argument("--port", type=_port, default=8765, help="port to listen on (default: 8765)")
    ui.add_argument(
        "--idle-minutes",
        type=_minutes,
        default=30.0,
        help="free a page's simulation after this many minutes without use (default: 30)",
    )
    add_set_option(ui, what="the scenario the UI opens with (the baseline organisation)")
    ui.add_argument(
        "--install-assets",
        action="store_true",
        help="download Solara's front-end files (about 100 MB, from the npm registry) into this "
        "Python environment, so that the UI works offline, and exit",
    )
    ui.set_defaults(handler=handle_ui)
    return ui


def handle_ui(args: argparse.Namespace) -> int:
    """Install the front-end files (``--install-assets``), or run the UI's server until Ctrl-C.

    Returns 2, having started nothing, when a ``--set`` is not a valid parameter value or the
    files cannot be installed.
    """
    if args.install_assets:
        return _install_assets()
    opening = settings(getattr(args, "set", None) or [])
    if opening:
        from orglearn.ui.session import UiSession

        try:  # the scenario a page will open with, built once here to check the values
            UiSession("--set", settings=opening)
        except ValueError as err:
            print(f"orglearn ui: error: --set: {err}", file=sys.stderr)
            return 2
    from orglearn.ui.server import serve

    try:
        return serve(args.host, args.port, args.idle_minutes, settings=opening)
    except KeyboardInterrupt:
        return 0


def _install_assets() -> int:
    from orglearn.ui.assets import AssetError, cdn_dir, install_assets

    try:
        fetched = install_assets()
    except AssetError as err:
        print(f"orglearn ui: error: {err}", file=sys.stderr)
        return 2
    if not fetched:
        print(f"Solara's front-end files are already installed in {cdn_dir()}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m orglearn.ui [options]``: the ``ui`` command on its own."""
    parser = argparse.ArgumentParser(prog="python -m orglearn.ui")
    add_ui_command(parser.add_subparsers(dest="command")).prog = parser.prog
    args = parser.parse_args(["ui", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)
