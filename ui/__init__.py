"""The web UI for learning-and-development leaders: what-ifs without code (``orglearn ui``).

A Solara app (`orglearn.ui.app`) wires small modules together:

- `controls`: the barrier sliders and intervention switches, and how they change a scenario;
- `session`: each browser page's own model, and the clean-up of idle pages;
- `layout` and `drawing`: the organisation drawn by department, at fixed positions;
- `charts` and `glance`: the spread, channel and participation charts, and the three values;
- `comparison`, `compare_pool`, `compare_verdicts`, `compare_view`: two to four scenarios side
  by side, replicated in warmed worker processes, as paired differences in plain words;
- `export` and `upload`: scenario files in and out, results as CSV, charts as PNG;
- `assets` and `server`: Solara's front end served from the install, and the web server.
"""

from orglearn.ui.cli import add_ui_command, handle_ui

__all__ = ["add_ui_command", "handle_ui"]
