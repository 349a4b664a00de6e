"""Uploading a scenario file: a file picker that sends the file's text, and its validation.

The picker (`ScenarioFileInput`) reads the chosen file in the browser and sends its text in one
message, which suits small TOML files; anything larger than `MAX_BYTES` is refused there.
`read_scenario` validates the text with the scenario loader and never raises: a problem comes
back as a message that names the file, the key and the line.
"""

from __future__ import annotations

import re

import ipyvuetify as v
import traitlets

from orglearn.scenarios import Scenario, ScenarioError, load_text

__all__ = ["ScenarioFileInput", "ChartFileInput", "read_scenario", "strip_chart_files", "MAX_BYTES",
           "MAX_CHART_BYTES", "encoding_problem"]

#: The largest scenario file accepted (bytes).
MAX_BYTES = 256 * 1024
#: The largest org chart file (people or ties CSV) accepted (bytes).
MAX_CHART_BYTES = 8 * 1024 * 1024


_CHART_LINE = re.compile(r"""^[ \t]*(people_file|ties_file)[ \t]*=[ \t]*(["'])(.*?)\2[ \t]*(#.*)?$""",
                         re.MULTILINE)


def strip_chart_files(text: str) -> tuple[str, list[str]]:
    """Remove ``people_file`` / ``ties_file`` lines from an uploaded scenario's text.

    An uploaded scenario file cannot bring its org chart with it (the UI has no folder to find
    it in), so the chart is uploaded separately. Returns the text and the files it named.
    """
    names = [m.group(3) for m in _CHART_LINE.finditer(text)]
    return (_CHART_LINE.sub("", text) if names else text), names


def encoding_problem(name: str, data: str | bytes) -> str | None:
    """Why a file is not clean UTF-8 text, naming the file and the first bad line; or None.

    The browser replaces bytes that are not UTF-8 with U+FFFD (the replacement character)
    before Python sees the text, so a file saved in another encoding arrives silently mangled:
    a team "Équipe" becomes a new team "?quipe". Such text is refused rather than guessed at.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            return _not_utf8(name, line)
    at = data.find("\ufffd")
    if at < 0:
        return None
    return _not_utf8(name, data.count("\n", 0, at) + 1)


def _not_utf8(name: str, line: int) -> str:
    return (f"{name}:{line}: this line has characters that are not UTF-8 text (the file was "
            "probably saved in another encoding, such as Windows or Excel's default). Save it "
            "as 'CSV UTF-8' and upload it again.")


def read_scenario(name: str, data: str | bytes) -> tuple[Scenario | None, str | None]:
    """Validate an uploaded scenario file.

    Args:
        name: the file's name, used in messages.
        data: its content.

    Returns:
        ``(scenario, None)`` if it is valid, else ``(None, problem)``.
    """
    too_large = f"{name} is larger than {MAX_BYTES // 1024} KB; a scenario file is a small text file."
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return None, too_large
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return None, f"{name} is not a text file (UTF-8); choose a scenario (.toml) file."
    if len(data.encode("utf-8")) > MAX_BYTES:
        return None, too_large
    try:
        scenario = load_text(data, file=name)
    except ScenarioError as err:
        return None, str(err)
    except RecursionError:
        return None, f"{name} nests too deeply to be a scenario file."
    if not scenario.name:
        scenario = scenario.model_copy(update={"name": name.removesuffix(".toml")})
    return scenario, None


class ScenarioFileInput(v.VuetifyTemplate):
    """A "choose a file" field; ``upload`` becomes {name, text, count} when a file is read,
    or {name, error, count} when the browser refuses it."""

    upload = traitlets.Dict(default_value={}).tag(sync=True)
    label = traitlets.Unicode("Upload a scenario file (.toml)").tag(sync=True)
    max_bytes = traitlets.Int(MAX_BYTES).tag(sync=True)
    accept = traitlets.Unicode(".toml,text/plain,application/toml").tag(sync=True)
    upload_class = traitlets.Unicode("orglearn-upload").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    hint = traitlets.Unicode("").tag(sync=True)
    template = traitlets.Unicode(
        """
<template>
  <v-file-input
    :label="label"
    :accept="accept"
    prepend-icon="mdi-file-upload-outline"
    show-size
    clearable
    :class="upload_class"
    :disabled="disabled"
    :hint="hint"
    :persistent-hint="!!hint"
    @change="read"
  ></v-file-input>
</template>
<script>
module.exports = {
  data() { return { count: 0 }; },
  methods: {
    read(file) {
      if (!file) { return; }
      this.count += 1;
      const count = this.count;
      if (file.size > this.max_bytes) {
        this.upload = { name: file.name, error: 'too large', size: file.size, count: count };
        return;
      }
      file.text().then(
        (text) => { this.upload = { name: file.name, text: text, count: count }; },
        () => { this.upload = { name: file.name, error: 'unreadable', count: count }; }
      );
    },
  },
};
</script>
"""
    ).tag(sync=True)


class ChartFileInput(ScenarioFileInput):
    """A "choose a file" field for an org chart CSV (people or observed ties); same messages
    as `ScenarioFileInput`."""

    label = traitlets.Unicode("Upload an org chart (people .csv)").tag(sync=True)
    max_bytes = traitlets.Int(MAX_CHART_BYTES).tag(sync=True)
    accept = traitlets.Unicode(".csv,text/csv,text/plain").tag(sync=True)
    upload_class = traitlets.Unicode("orglearn-chart-upload").tag(sync=True)
