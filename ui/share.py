"""Keeping the page's what-if in its address, and the "Share this what-if" link.

`KeepInAddress` writes the session's state (`orglearn.ui.saved_state`) into the address bar
with ``history.replaceState``: no reload, no new history entry, nothing else re-rendered. It
writes on every change, and while the run plays at most once a second, so that a reload
mid-run comes back near the same day. `ShareControl` shows the same state without the day, as
a link to copy; an uploaded org chart is never in it (docs/privacy.md).
"""

from __future__ import annotations

import time

import ipyvuetify as v
import solara
import traitlets

from orglearn.ui.page_state import compare_tick, current_session, playing, tick, version
from orglearn.ui.saved_state import encode_fitting

__all__ = ["KeepInAddress", "ShareControl", "AddressWriter", "ShareLink", "PLAYING_WRITE_SECONDS"]

#: While the run plays, the day in the address is brought up to date this often (seconds).
PLAYING_WRITE_SECONDS = 1.0

CHART_NOTE = ("Your uploaded org chart is not in the link: it stays on this computer. Send the "
              "CSV files separately; your colleague uploads them under 'Your organisation'.")


class AddressWriter(v.VuetifyTemplate):
    """Invisible: sets the address's query string to ``query`` (replacing the history entry)."""

    query = traitlets.Unicode("").tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <span style="display: none"></span>
</template>
<script>
module.exports = {
  mounted() { this.write(this.query); },
  watch: { query(value) { this.write(value); } },
  methods: {
    write(query) {
      if (!query) { return; }
      const url = window.location.pathname + '?' + query + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, '', url);
      }
    },
  },
};
</script>
"""
    ).tag(sync=True)


class ShareLink(v.VuetifyTemplate):
    """A "Share this what-if" button opening a card with the link (read-only) and Copy."""

    query = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <v-menu v-model="open" :close-on-content-click="false" offset-y left max-width="520">
    <template v-slot:activator="{ on }">
      <v-btn text v-on="on" class="orglearn-share" aria-label="Share this what-if">
        <v-icon>mdi-share-variant</v-icon>
        <span class="d-none d-sm-inline ml-2">Share this what-if</span>
      </v-btn>
    </template>
    <v-card class="orglearn-share-card" style="background-color: white">
      <v-card-title>Share this what-if</v-card-title>
      <v-card-text>
        <div>This link opens the same scenario, changes, interventions, seed and comparison
          settings, at day 0. A colleague with their own orglearn replaces the part before
          the "?" with its address.</div>
        <v-text-field ref="field" :value="link" readonly label="Link" hide-details
          class="orglearn-share-link" @focus="$event.target.select()"></v-text-field>
        <div v-if="note" class="orglearn-share-note" style="margin-top: 8px; color: #b35900">
          {{ note }}</div>
      </v-card-text>
      <v-card-actions>
        <v-btn color="primary" @click="copy">
          <v-icon left>mdi-content-copy</v-icon>{{ copied ? 'Copied' : 'Copy' }}
        </v-btn>
        <v-btn text @click="open = false">Close</v-btn>
      </v-card-actions>
    </v-card>
  </v-menu>
</template>
<script>
module.exports = {
  data() { return { open: false, copied: false }; },
  computed: {
    link() { return window.location.origin + window.location.pathname + '?' + this.query; },
  },
  methods: {
    copy() {
      const done = () => {
        this.copied = true;
        setTimeout(() => { this.copied = false; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(this.link).then(done, () => this.select(done));
      } else {
        this.select(done);
      }
    },
    select(done) {
      // Without the clipboard API (a page not on https or localhost): copy the selection.
      const input = this.$refs.field.$refs.input;
      input.focus();
      input.select();
      if (document.execCommand('copy')) { done(); }
    },
  },
};
</script>
"""
    ).tag(sync=True)


@solara.component
def KeepInAddress():
    """Keep the page's what-if in its address as it changes (see the module docstring)."""
    session = current_session()
    version.value
    tick.value
    compare_tick.value
    is_playing = playing.value
    last = solara.use_ref((0.0, ""))
    now = time.monotonic()
    written, query = last.current[0], last.current[1]
    if not (is_playing and query and now - written < PLAYING_WRITE_SECONDS):
        query, _ = encode_fitting(session.export_state())
        last.current = (now, query)
    AddressWriter.element(query=query)


@solara.component
def ShareControl():
    """The "Share this what-if" button and its link (the what-if at day 0)."""
    session = current_session()
    version.value
    compare_tick.value
    query, notes = encode_fitting(session.export_state(day=False))
    if session.chart is not None:
        notes.append(CHART_NOTE)
    ShareLink.element(query=query, note=" ".join(notes))
