"""``orglearn bench --ui``: how quickly the web UI answers, measured in a real browser.

Starts the UI's server (``python -m orglearn.ui``) on a free 127.0.0.1 port, opens it in
headless Debian chromium through Python Playwright (``/usr/bin/chromium``; never
``playwright install``) at 1440x900, and times what a person waits for:

- **slider label**: a key press on a sidebar slider until its label shows the new value;
- **rebuilt model**: the same key press until the live view shows day 0 of the new scenario
  (day counter reset and the four charts drawn for it) with nothing busy, at 500 people;
- **step**: a click on Step until the next day and its four charts are shown;
- **full-speed year**: a click on Run at full speed until "Day 365 of 365" and its charts;
- **comparison**: a click on "Run the comparison" (10 runs of 300 people each) until its
  result is shown.

The page names the day its charts show in a class (``orglearn-charts-day-N``) and shows
``orglearn-busy`` while work is under way. Times are taken inside the page (``performance.now()``: from the key press or click event to the
DOM change, seen by a ``MutationObserver``), so Playwright's own latency is not counted. Each
figure is the median of ``repeats`` repetitions; the JSON keeps every repetition. Beside each
time, the CPU seconds the server used for it (all its threads, from ``/proc``): on a machine
busy with other work the waits grow, the CPU cost does not.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["run_ui_benchmark", "format_ui_table", "UI_TARGETS", "CHROMIUM", "CHROMIUM_ARGS"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
READY_SECONDS = 120
#: Issue 14's targets: (description, key, seconds).
UI_TARGETS = (
    ("slider change to its new label", "slider_label_s", 0.1),
    ("slider change to the rebuilt model, 500 people", "rebuilt_model_s", 1.0),
    ("Step to the next day drawn", "step_s", 0.3),
    ("365-day run at full speed", "full_speed_year_s", 5.0),
    ("comparison, 10 runs x 300 people", "comparison_s", 8.0),
)

# Records when the first key press or click happens and when `done()` first holds after it.
_WATCH = """(done) => {
  const check = new Function('return (' + done + ')()');
  window.__obStart = null; window.__obEnd = null;
  const start = () => { if (window.__obStart === null) window.__obStart = performance.now(); };
  document.addEventListener('keydown', start, {capture: true, once: true});
  document.addEventListener('mousedown', start, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__obStart !== null && window.__obEnd === null && check()) {
      window.__obEnd = performance.now(); observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                   attributes: true});
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(log_path: Path) -> Iterator[tuple[str, int]]:
    """The UI's server in its own process group; yields its URL and process id once it
    answers."""
    port = _free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "orglearn.ui", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + READY_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the UI server exited: {log_path.read_text()[-2000:]}")
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the UI server did not answer on {url}")
                time.sleep(0.3)
            yield url, process.pid
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(page, done_js: str, action: Callable[[], None], timeout_s: float = 120) -> float:
    """Seconds from the key press or click that ``action`` makes until ``done_js`` (a JS
    function returning a boolean) holds, measured in the page."""
    page.evaluate(_WATCH, done_js)
    action()
    page.wait_for_function("window.__obEnd !== null", timeout=timeout_s * 1000, polling=50)
    return page.evaluate("(window.__obEnd - window.__obStart) / 1000")


def _drawn(day: int) -> str:
    """JS: the charts of ``day`` are shown and nothing is busy."""
    return ("() => document.querySelector('.orglearn-charts-day-%d') !== null"
            " && document.querySelector('.orglearn-busy') === null" % day)


def _day_is(text: str) -> str:
    return ("() => { const d = document.querySelector('.orglearn-day');"
            " return d !== null && d.innerText.trim() === %r; }" % text)


def _both(*checks: str) -> str:
    return "() => " + " && ".join(f"({c})()" for c in checks)


def _idle(page) -> None:
    page.wait_for_function("document.querySelector('.orglearn-busy') === null", timeout=120_000)


def _day(page) -> int:
    return int(re.search(r"Day (\d+)", page.locator(".orglearn-day").inner_text()).group(1))


def _measure_slider(page, key: str = "lurkers") -> tuple[float, float]:
    """(label seconds, rebuilt-model seconds) for one key press on a sidebar slider."""
    slider = page.locator(f".orglearn-control-{key} [role=slider]")
    value = int(slider.get_attribute("aria-valuenow"))
    press = "ArrowLeft" if value > 0 else "ArrowRight"
    new = value - 1 if press == "ArrowLeft" else value + 1
    label = re.compile(rf":\s*{new}%")
    label_js = ("() => { const c = document.querySelector('.orglearn-control-%s');"
                " return c !== null && /:\\s*%d%%/.test(c.innerText); }" % (key, new))
    slider.focus()
    page.evaluate(_WATCH, label_js)
    page.evaluate("""(done) => { const check = new Function('return (' + done + ')()');
      window.__rbEnd = null; const t = () => {
        if (window.__rbEnd === null && window.__obStart !== null && check())
          window.__rbEnd = performance.now(); else if (window.__rbEnd === null)
          requestAnimationFrame(t); }; requestAnimationFrame(t); }""",
                  _both(_day_is(f"Day 0 of {_days(page)}"), _drawn(0)))
    page.keyboard.press(press)
    page.wait_for_function("window.__obEnd !== null", timeout=120_000, polling=50)
    page.wait_for_function("window.__rbEnd !== null", timeout=120_000, polling=50)
    assert label.search(page.locator(f".orglearn-control-{key}").inner_text())
    return (page.evaluate("(window.__obEnd - window.__obStart) / 1000"),
            page.evaluate("(window.__rbEnd - window.__obStart) / 1000"))


def _days(page) -> int:
    return int(re.search(r"of (\d+)", page.locator(".orglearn-day").inner_text()).group(1))


def _step_once(page) -> float:
    _idle(page)
    day = _day(page)
    step = page.get_by_role("button", name="Step", exact=True)
    return _timed(page, _both(_day_is(f"Day {day + 1} of {_days(page)}"), _drawn(day + 1)),
                  step.click)


def _reset(page) -> None:
    _idle(page)
    page.get_by_role("button", name="Reset", exact=True).click()
    page.get_by_text(re.compile(r"Day 0 of \d+")).wait_for()
    _idle(page)


def _full_speed_year(page) -> float:
    _reset(page)
    page.locator(".orglearn-speed [role=slider]").focus()
    page.keyboard.press("End")
    page.get_by_text("Speed: full speed").wait_for()
    days = _days(page)
    run = page.get_by_role("button", name="Run", exact=True)
    return _timed(page, _both(_day_is(f"Day {days} of {days}"), _drawn(days)), run.click,
                  timeout_s=300)


def _comparison(page) -> float:
    # A new what-if each time: the page keeps recent comparisons, and a repeated one would
    # show its kept result at once rather than run.
    _measure_slider(page)
    page.get_by_role("tab", name="Compare with a baseline").click()
    button = page.get_by_role("button", name="Run the comparison")
    button.wait_for()
    _idle(page)
    page.wait_for_function("() => { const b = [...document.querySelectorAll('button')].find("
                           "b => b.textContent.includes('Run the comparison')); return b && !b.disabled; }")
    # Done when a result is shown that was not there at the click (a previous result goes
    # away while the comparison runs).
    page.evaluate("window.__oldResult = document.querySelector('.orglearn-sentence')")
    took = _timed(page, "() => { const s = document.querySelector('.orglearn-sentence');"
                        " return s !== null && s !== window.__oldResult && s.isConnected; }",
                  button.click, timeout_s=600)
    page.get_by_role("tab", name="Simulation").click()
    page.locator(".orglearn-day").wait_for()
    return took


def run_ui_benchmark(
    repeats: int = 3, comparisons: int | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Measure the UI's latencies (see the module docstring); medians of ``repeats``
    repetitions (``comparisons`` repetitions of the comparison, default ``repeats``)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium")
    comparisons = repeats if comparisons is None else comparisons
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()
    rounds: dict[str, list[float]] = {key: [] for _, key, _ in UI_TARGETS}
    # (The comparison runs in worker processes: the server's CPU would not tell its cost.)
    cpu: dict[str, list[float]] = {key: [] for key in ("step_s", "rebuilt_model_s",
                                                       "full_speed_year_s")}

    def measured(key: str, action: Callable[[], Any]) -> Any:
        before = _cpu(pid)
        value = action()
        cpu[key].append(_cpu(pid) - before)
        return value

    with tempfile.TemporaryDirectory(prefix="orglearn-bench-ui-") as folder, \
            _server(Path(folder) / "server.log") as (url, pid), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            page.locator(".orglearn-day").wait_for(timeout=READY_SECONDS * 1000)
            _idle(page)
            _step_once(page)  # warm-up: first drawing, imports
            for k in range(repeats):
                _reset(page)
                rounds["step_s"].append(measured("step_s", lambda: _step_once(page)))
                _step_once(page)  # so that the rebuilt model (day 0) is a new picture
                label, rebuilt = measured("rebuilt_model_s", lambda: _measure_slider(page))
                rounds["slider_label_s"].append(label)
                rounds["rebuilt_model_s"].append(rebuilt)
                rounds["full_speed_year_s"].append(
                    measured("full_speed_year_s", lambda: _full_speed_year(page)))
                log(f"round {k + 1}: step {rounds['step_s'][-1]:.3f} s, slider label "
                    f"{label:.3f} s, rebuilt {rebuilt:.3f} s, year at full speed "
                    f"{rounds['full_speed_year_s'][-1]:.2f} s")
            for k in range(comparisons):
                rounds["comparison_s"].append(_comparison(page))
                log(f"comparison {k + 1}: {rounds['comparison_s'][-1]:.2f} s")
        finally:
            browser.close()
    # Other work on the machine slows the page: the load average says how busy it was.
    result: dict[str, Any] = {"repeats": repeats, "rounds": rounds, "server_cpu_rounds": cpu,
                              "measured_at": started,
                              "load_average_before": load_before[0],
                              "load_average_after": os.getloadavg()[0]}
    for key, values in rounds.items():
        result[key] = statistics.median(values) if values else None
    for key, values in cpu.items():
        result[f"server_cpu_{key}"] = statistics.median(values) if values else None
    return result


def format_ui_table(result: dict[str, Any]) -> str:
    """The medians against issue 14's targets, as a text table."""
    lines = [f"{'what':<50} {'median':>9} {'target':>8}  met  {'server CPU':>10}"]
    for text, key, target in UI_TARGETS:
        value, cpu = result.get(key), result.get(f"server_cpu_{key}")
        shown = "-" if value is None else f"{value:.3f} s"
        met = "-" if value is None else ("yes" if value < target else "NO")
        used = "-" if cpu is None else f"{cpu:.2f} s"
        lines.append(f"{text:<50} {shown:>9} {'< ' + format(target, 'g') + ' s':>8}  {met:<3}  "
                     f"{used:>10}")
    lines.append(f"(medians of {result['repeats']} repetitions, headless chromium at 1440x900, "
                 f"{result['measured_at']}; load average {result['load_average_before']:.1f} "
                 f"before, {result['load_average_after']:.1f} after, on "
                 f"{os.cpu_count()} cores)")
    return "\n".join(lines)
