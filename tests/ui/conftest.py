"""Fixtures of the UI tests: the UI's server in a subprocess, and Debian's chromium driven by
Python Playwright (launched from /usr/bin/chromium; never ``playwright install``).

Screenshots go to a temporary directory, or to ``$ORGLEARN_SCREENSHOTS`` when set: run
``ORGLEARN_SCREENSHOTS=docs/img/ui bash .ci/test tests/ui/test_browser.py`` to refresh the
pictures of docs/ui.md (a plain test run leaves the working tree alone).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from orglearn.bench.ui import CHROMIUM, CHROMIUM_ARGS  # one set of flags for both
from tests.ui.servers import READY_SECONDS, process_server

if os.environ.get("ORGLEARN_SCREENSHOTS"):
    SCREENSHOTS = Path(os.environ["ORGLEARN_SCREENSHOTS"])
else:
    SCREENSHOTS = Path(tempfile.mkdtemp(prefix="orglearn-screenshots-"))
    atexit.register(shutil.rmtree, SCREENSHOTS, ignore_errors=True)
VIEWPORT = {"width": 1440, "height": 1350}
DAY = re.compile(r"Day \d+ of \d+")


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory):
    """The UI's server on a free 127.0.0.1 port; yields its URL, stops it (and its comparison
    workers) afterwards."""
    argv = [sys.executable, "-m", "orglearn.ui", "--host", "127.0.0.1", "--port", "{port}"]
    with process_server(argv, tmp_path_factory.mktemp("ui-server") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, through Python Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (.ci/setup.sh does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with a record of failed and off-machine requests."""

    def __init__(self, page):
        self.page = page
        self.failed: list[str] = []
        self.external: list[str] = []
        page.on("requestfailed", lambda r: self.failed.append(f"failed {r.url}"))
        page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on("request", self._request)

    def _request(self, request) -> None:
        url = request.url
        if not url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            self.external.append(url)


@pytest.fixture
def open_page(browser, ui_server):
    """Open the UI in a new browser context (a new session) and wait until it is ready."""
    contexts = []

    def opener(viewport: dict[str, int] | None = None) -> Watched:
        context = browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        watched = Watched(page)
        page.goto(ui_server)
        page.get_by_text(DAY).wait_for(timeout=READY_SECONDS * 1000)
        return watched

    yield opener
    for context in contexts:
        context.close()


def screenshot(page, name: str, **kwargs) -> Path:
    """Save a screenshot (for docs/ui.md, see the module docstring)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path
