"""The page's reactive state and its session, shared by the app's components.

Solara gives every browser page its own kernel, and module-level `solara.reactive` values are
per kernel, so each page has its own ``version``, ``tick`` and so on. `current_session` finds
the page's `UiSession` in the process-wide `registry` by kernel id.
"""

from __future__ import annotations

import os
import threading

import solara
import solara.lab

from orglearn.ui.server import IDLE_ENV, opening_settings
from orglearn.ui.session import SessionRegistry, UiSession

__all__ = [
    "registry",
    "current_session",
    "version",
    "tick",
    "playing",
    "speed",
    "problem",
    "colour_by",
    "compare_tick",
    "frame",
    "achieved",
    "FULL_SPEED",
    "SPEEDS",
    "bump",
]

IDLE_MINUTES = float(os.environ.get(IDLE_ENV, "30"))
#: A new page opens on the baseline with the values of ``orglearn ui --set``, if any.
OPENING = opening_settings()
registry = SessionRegistry(
    idle_seconds=IDLE_MINUTES * 60, factory=lambda sid: UiSession(sid, settings=OPENING)
)
registry.start_reaper(interval=max(1.0, min(60.0, IDLE_MINUTES * 60 / 4)))

#: Each page's session as last seen, so a page whose session was reaped gets it back.
_pages: dict[str, UiSession] = {}
_pages_lock = threading.Lock()

#: Bumped when the scenario, the controls or the live model change (controls re-read values).
version = solara.reactive(0)
#: Bumped when the live run advances (charts redraw).
tick = solara.reactive(0)
#: Whether the live run plays.
playing = solara.reactive(False)
#: The speed choice meaning "as fast as the machine can".
FULL_SPEED = 0
#: The speeds offered, in working days per second (`FULL_SPEED` last).
SPEEDS = (1, 2, 5, 10, 20, 30, 60, FULL_SPEED)
#: Working days per second while playing, or `FULL_SPEED`.
speed = solara.reactive(10)
#: The speed the run really went at since Run (days per second), or None when not playing.
achieved = solara.reactive(None)
#: The live run's charts as last drawn (a `views.Frame`), or None before the first drawing.
frame = solara.reactive(None)
#: A problem to show in the page (a bad file, an impossible setting), or None.
problem = solara.reactive(None)
#: What the organisation's dots show (a key of `drawing.COLOUR_BY`).
colour_by = solara.reactive("The new idea")
#: Bumped while a comparison makes progress.
compare_tick = solara.reactive(0)


def current_session() -> UiSession:
    """This page's session (created on first use), marked as used now."""
    kernel_id = solara.get_kernel_id()
    with _pages_lock:
        previous = _pages.get(kernel_id)
    session = registry.get(kernel_id, previous=previous)
    if previous is not session:
        with _pages_lock:
            _pages[kernel_id] = session
    return session


def bump() -> None:
    """Tell the page that the scenario or the model changed."""
    version.set(version.peek() + 1)
    tick.set(tick.peek() + 1)


def _on_page_start():
    kernel_id = solara.get_kernel_id()

    def closed() -> None:
        with _pages_lock:
            _pages.pop(kernel_id, None)
        registry.drop(kernel_id)

    return closed


solara.lab.on_kernel_start(_on_page_start)
