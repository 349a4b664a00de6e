"""The busy indicator shown whenever the page is working (building, drawing, running,
comparing)."""

from __future__ import annotations

import solara

__all__ = ["Busy"]


@solara.component
def Busy(busy: bool):
    """A thin moving bar while work is under way (class ``orglearn-busy``). The bar stays in
    the page, hidden when idle, so that the page does not jump and no widget is made and
    dropped at every step."""
    solara.ProgressLinear(True, classes=["orglearn-busy"] if busy else ["orglearn-idle"],
                          style={"visibility": "visible" if busy else "hidden"})
