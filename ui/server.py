"""Starting the web server of the UI: Solara's Starlette app under uvicorn, in production mode.

Solara reads its settings from the environment when it is first imported, so `serve` sets them
before importing it: production mode, no telemetry, the app module, and how long a closed page's
kernel is kept. The app reads its own settings from the environment too: the idle clean-up
(`orglearn.ui.session`) ``ORGLEARN_UI_IDLE_MINUTES``, and the scenario a page opens with
``ORGLEARN_UI_SET`` (the ``--set`` values of ``orglearn ui``, as JSON; see `opening_settings`).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import socket
import sys
from collections.abc import Mapping
from typing import Any

from orglearn.ui.assets import assets_hint, missing_assets

__all__ = ["serve", "configure", "opening_settings", "APP_MODULE", "IDLE_ENV", "SETTINGS_ENV"]

APP_MODULE = "orglearn.ui.app"
IDLE_ENV = "ORGLEARN_UI_IDLE_MINUTES"
SETTINGS_ENV = "ORGLEARN_UI_SET"


def configure(
    idle_minutes: float,
    settings: Mapping[str, Any] | None = None,
    app: str = APP_MODULE,
) -> None:
    """Set the environment that Solara and the app read at import."""
    os.environ["SOLARA_APP"] = app
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    # Solara's "This website runs on Solara" badge sits over the charts' axis labels.
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "false"
    # A page closed without coming back frees its Solara kernel after this; the app frees its
    # model earlier (after idle_minutes without use) even while the page stays open.
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "5m")
    os.environ.setdefault("SOLARA_SESSION_SECRET_KEY", secrets.token_hex(16))
    os.environ[IDLE_ENV] = str(idle_minutes)
    os.environ[SETTINGS_ENV] = json.dumps(dict(settings or {}))


def opening_settings() -> dict[str, Any]:
    """The ``{"section.field": value}`` that the scenario a page opens with gets (from
    ``orglearn ui --set``, through `configure`); empty when none were given."""
    text = os.environ.get(SETTINGS_ENV, "")
    return dict(json.loads(text)) if text.strip() else {}


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    idle_minutes: float = 30.0,
    settings: Mapping[str, Any] | None = None,
    app: str = APP_MODULE,
) -> int:
    """Run a Solara app's web server (by default the UI's) until interrupted (Ctrl-C).

    ``settings`` (``{"section.field": value}``, checked by the caller) go to the scenario each
    page opens with. Returns an exit status.
    """
    missing = missing_assets()
    if missing:
        print(f"orglearn: warning: {assets_hint(missing)}", file=sys.stderr, flush=True)
    # Bind before saying where to go: a busy port is one line and exit status 2, and the
    # socket is handed to the server, so no other process can take the port in between.
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        why = ("is in use (another orglearn ui?); choose another with --port"
               if err.errno == errno.EADDRINUSE else f"cannot be used ({err.strerror or err})")
        print(f"orglearn ui: error: port {port} on {host} {why}", file=sys.stderr)
        return 2
    configure(idle_minutes, settings, app)
    if app == APP_MODULE:
        from orglearn.simulation.compiled import announce_compiling, warm_up
        from orglearn.ui.compare_pool import warm

        # The model's kernels first, here: a machine's first start compiles them once (about
        # 25 s, and says so) instead of the first page, and the comparison's workers then load
        # them from numba's cache rather than each compiling them too.
        def say(line: str) -> None:
            print(f"orglearn UI: {line}", file=sys.stderr, flush=True)

        with announce_compiling(say):
            warm_up()
        warm()  # start the comparison's worker processes now, not on first use
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn

    config = uvicorn.Config(
        "solara.server.starlette:app", host=host, port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    print(f"orglearn UI: open http://{shown}:{port}/ in a browser (Ctrl-C to stop)", flush=True)
    server.run(sockets=[sock])
    return 0 if server.started else 1
