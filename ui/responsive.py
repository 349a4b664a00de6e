"""The page's frame from a phone to a desktop: the app layout and its CSS.

Solara's layout opens the sidebar on every screen. Below 960 px wide (where Vuetify turns the
sidebar into a drawer that slides over the page) that hid the page behind a 400 px sidebar on a
390 px phone, over the menu button. Here the sidebar starts closed on such screens (the browser
reports its width once, on load), is never wider than the screen, and slides in below the app
bar, so the menu button stays there to close it.
"""

from __future__ import annotations

import ipyvuetify as v
import solara
import traitlets

__all__ = ["NARROW", "CSS", "ScreenWidth", "Layout"]

#: Below this width (px) the sidebar is a drawer over the page (Vuetify's mobile break point,
#: as Solara's layout sets it).
NARROW = 960

CSS = """
/* The sidebar's sections: compact headers, no extra padding around the controls. */
.orglearn-sections .v-expansion-panel-header { min-height: 44px; padding: 8px 12px; font-weight: 500; }
.orglearn-sections .v-expansion-panel-content__wrap { padding: 0 12px 12px; line-height: 1.3; }
.orglearn-sections .v-input--switch { margin-top: 8px; }
.orglearn-sections .v-input--switch .v-input__slot { margin-bottom: 0; }
.orglearn-sections .v-input--switch .v-messages { display: none; }
/* The picker's group headings. */
.v-menu__content .v-subheader { font-weight: 600; color: rgba(0, 0, 0, 0.75) !important; }
/* The first-visit guide. */
.orglearn-guide { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px;
  padding: 8px 12px; margin-bottom: 8px; border: 1px solid #1976d2; border-radius: 4px;
  background: #f3f8fd; font-size: 14px; }
.orglearn-guide-title { font-weight: 500; }
.orglearn-guide-steps { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 0; padding-left: 20px; }
.orglearn-guide-how { color: #555; }
/* Narrow screens: the drawer fits the screen and sits below the app bar (menu button visible). */
@media (max-width: 959px) {
  .v-navigation-drawer.v-navigation-drawer--is-mobile {
    min-width: 0 !important; width: min(400px, 88vw) !important; max-width: 88vw !important;
  }
  .v-app-bar.v-app-bar--fixed { z-index: 8 !important; }
  .v-navigation-drawer.v-navigation-drawer--is-mobile > .v-navigation-drawer__content {
    padding-top: 56px; /* Vuetify's app bar is 56 px high below 960 px */
  }
  .orglearn-guide-steps { flex-direction: column; }
}
/* Phones: boxes with a fixed minimum width shrink to the screen, and long button labels wrap,
   so that no tab's content scrolls sideways. */
@media (max-width: 599px) {
  .solara-content-main div[style*="min-width"] { min-width: 0 !important; }
  .solara-content-main .v-btn:not(.v-btn--icon) {
    max-width: 100%; height: auto !important; min-height: 36px; padding-top: 6px; padding-bottom: 6px;
  }
  .solara-content-main .v-btn__content { white-space: normal; flex: 1 1 auto; }
}
"""


class ScreenWidth(v.VuetifyTemplate):
    """Reports the browser window's width (px) once, when the page loads."""

    width = traitlets.Int(0).tag(sync=True)
    template = traitlets.Unicode(
        """
<template><span style="display: none"></span></template>
<script>
module.exports = { mounted() { this.width = window.innerWidth; } };
</script>
"""
    ).tag(sync=True)


@solara.component
def Layout(children=[]):  # noqa: B006 - Solara's layout signature
    """Solara's app layout, with the sidebar closed at first on narrow screens."""
    width, set_width = solara.use_state(0)
    with solara.AppLayout(sidebar_open=not 0 < width < NARROW) as main:
        solara.Style(CSS)
        ScreenWidth.element(on_width=set_width)
        for child in children:
            solara.display(child)
    return main
