"""The page's reactive state and its session, shared by the app's components.

Solara gives every browser page its own kernel, and module-level `solara.reactive` values are
per kernel, so each page has its own ``version``, ``tick`` and so on. `current_session` finds
the page's `UiSession` in the process-wide `registry` by kernel id.

The page's address holds its what-if (`orglearn.ui.saved_state`): `restore_from_address` brings
it back once per session (a reload or a shared link opens a new page, hence a new session), and
`orglearn.ui.share` writes it back as it changes. A view that changes what the address keeps
outside the controls (``session.compare_settings``) bumps `compare_tick` afterwards.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref

import solara
import solara.lab

from orglearn.ui import saved_state
from orglearn.ui.server import IDLE_ENV, opening_settings
from orglearn.ui.session import DEFAULT_SCENARIO, SessionRegistry, UiSession

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
    "restore_from_address",
]

logger = logging.getLogger(__name__)
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


#: Sessions whose page address was read already.
_from_address: weakref.WeakSet[UiSession] = weakref.WeakSet()


def restore_from_address(session: UiSession, search: str | None) -> None:
    """Once per session: bring back the what-if that the page's address holds (after a
    reload, or from a shared link), paused, and say so in the session's notice; anything in
    the address that cannot be used is named there and ignored."""
    if session in _from_address:
        return
    _from_address.add(session)
    state, problems = saved_state.decode(search)
    said = []
    if state is not None:
        try:
            problems = [*problems, *session.restore_state(state, settings=OPENING)]
        except Exception:  # an address is untrusted input: a bug must not break the page
            logger.exception("could not restore the page's address %r", search)
            problems = [*problems, "Part of the page's address could not be used and was "
                        "ignored."]
        scenario = session.scenario
        # Not "day N of M": the run's own counter says that (and tests look for it).
        said.append(f"Restored from the page's address: {scenario.title or scenario.name}"
                    + (f", paused at day {session.day}: press Run to go on."
                       if 0 < session.day < session.days else f", at day {session.day}."))
    if not problems and _as_opened(session):
        return  # nothing to say: the page is as it opens
    if said or problems:
        session.notice = " ".join([*said, *problems])


def _as_opened(session: UiSession) -> bool:
    return (session.builtin and session.base_label == DEFAULT_SCENARIO and not session.modified
            and session.seed == 1 and session.day == 0 and not session.compare_settings)


def _on_page_start():
    kernel_id = solara.get_kernel_id()

    def closed() -> None:
        with _pages_lock:
            _pages.pop(kernel_id, None)
        registry.drop(kernel_id)

    return closed


solara.lab.on_kernel_start(_on_page_start)
