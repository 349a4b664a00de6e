"""The first-visit guide: a strip at the top of the page with the four steps of a what-if.

It runs in the browser alone: "Got it" hides it and remembers that in the browser's local
storage, so it does not come back on a reload, in a new tab, or on the next visit from the same
browser. (A browser that refuses local storage shows it on every visit, and it can still be
hidden.)
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

__all__ = ["STEPS", "STORAGE_KEY", "GuideStrip"]

#: The four steps: (what to do, where or how).
STEPS: tuple[tuple[str, str], ...] = (
    ("Pick your organisation", "in the sidebar: a ready-made one, or your own org chart."),
    ("Add barriers or interventions", "move a slider, or switch an intervention on."),
    ("Run", "watch knowledge spread, day by day."),
    ("Compare", "with a baseline, over many runs (the Compare tab)."),
)
#: The browser's local-storage key that remembers the strip was dismissed.
STORAGE_KEY = "orglearn-guide-dismissed"


class GuideStrip(v.VuetifyTemplate):
    """The strip of `STEPS`, hidden for good (in this browser) by its "Got it" button."""

    steps = traitlets.List([list(step) for step in STEPS]).tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <div v-if="!hidden" class="orglearn-guide">
    <span class="orglearn-guide-title">How it works</span>
    <ol class="orglearn-guide-steps">
      <li v-for="(step, index) in steps" :key="index">
        <b>{{ step[0] }}</b> <span class="orglearn-guide-how">&ndash; {{ step[1] }}</span>
      </li>
    </ol>
    <v-btn small text color="primary" class="orglearn-guide-dismiss" @click="dismiss">Got it</v-btn>
  </div>
</template>
<script>
module.exports = {
  data() {
    let hidden = false;
    try { hidden = window.localStorage.getItem('@KEY@') === '1'; } catch (e) {}
    return { hidden: hidden };
  },
  methods: {
    dismiss() {
      this.hidden = true;
      try { window.localStorage.setItem('@KEY@', '1'); } catch (e) {}
    },
  },
};
</script>
""".replace("@KEY@", STORAGE_KEY)
    ).tag(sync=True)
