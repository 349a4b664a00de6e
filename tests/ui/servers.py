"""Starting a Solara server (or any local web server) for a test, and stopping it afterwards."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Generous waits: the machines running the tests may be busy.
READY_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]



@contextlib.contextmanager
def process_server(argv: Sequence[str], log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``argv`` (``{port}`` in it is replaced by a free port) from the repository in its own
    process group, logging to ``log_path``; yields ``http://127.0.0.1:PORT/`` once ``/`` answers
    200, and stops the whole group (its worker processes too) at exit."""
    port = _free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [arg.replace("{port}", str(port)) for arg in argv],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            _wait(process, url, log_path)
            yield url
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@contextlib.contextmanager
def solara_server(
    code: str, log_path: Path, env: dict[str, str] | None = None, args: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``python -c code PORT *args`` (a script that serves on 127.0.0.1:PORT); see
    `process_server`."""
    with process_server([sys.executable, "-c", code, "{port}", *args], log_path, env) as url:
        yield url


def _wait(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode}: {log_path.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer on {url} in {READY_SECONDS} s")
        time.sleep(0.3)


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 from a thread; yields the URL (ends in /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


__all__ = ["process_server", "solara_server", "static_server", "ROOT", "READY_SECONDS"]
