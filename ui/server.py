"""Starting the web server of the UI: Solara's Starlette app under uvicorn, set up for offline use.

Solara reads its settings from the environment when it is first imported, so `serve` sets them
before importing it: production mode, no telemetry, the app module, and how long a closed page's
kernel is kept. The app's own idle clean-up (`orglearn.ui.session`) reads
``ORGLEARN_UI_IDLE_MINUTES``.
"""

from __future__ import annotations

import os
import secrets
import sys

from orglearn.ui.assets import assets_hint, missing_assets

__all__ = ["serve", "APP_MODULE", "IDLE_ENV"]

APP_MODULE = "orglearn.ui.app"
IDLE_ENV = "ORGLEARN_UI_IDLE_MINUTES"


def configure(idle_minutes: float) -> None:
    """Set the environment that Solara and the app read at import."""
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ["SOLARA_MODE"] = "production"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    # A page closed without coming back frees its Solara kernel after this; the app frees its
    # model earlier (after idle_minutes without use) even while the page stays open.
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "5m")
    os.environ.setdefault("SOLARA_SESSION_SECRET_KEY", secrets.token_hex(16))
    os.environ[IDLE_ENV] = str(idle_minutes)


def serve(host: str = "127.0.0.1", port: int = 8765, idle_minutes: float = 30.0) -> int:
    """Run the UI's web server until interrupted (Ctrl-C). Returns an exit status."""
    missing = missing_assets()
    if missing:
        print(f"orglearn: warning: {assets_hint(missing)}", file=sys.stderr)
    configure(idle_minutes)
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(port)
    import uvicorn

    config = uvicorn.Config(
        "solara.server.starlette:app", host=host, port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    print(f"orglearn UI: open http://{shown}:{port}/ in a browser (Ctrl-C to stop)", flush=True)
    server.run()
    return 0 if server.started else 1
