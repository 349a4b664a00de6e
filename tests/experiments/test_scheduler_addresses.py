"""Scheduler addresses: malformed ones exit 2 before anything runs, and connecting has a
deadline that holds for any listener: an HTTP server, a service sending garbage, a listener
that never answers, a closed port. Each case is one line, never a traceback."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
import time

import pytest

from orglearn.experiments.scheduler import SchedulerError, connect, parse_address
from tests.experiments._sweep_support import script, write_sweep

SWEEP = """
scenarios = ["baseline"]
replications = 2
seed = 1
steps = 10
[fixed]
"organisation.n_agents" = 30
"""
MALFORMED = [
    "tcp://", "tcp://127.0.0.1", "tcp://127.0.0.1:abc", "tcp://[::1", "tcp://[::1]",
    "tcp://::1:8786", "tcp://127.0.0.1:0", "tcp://127.0.0.1:70000", "http://127.0.0.1:8786",
    "127.0.0.1:8786", "tcp://:8786", "tcp://a b:1", "",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_addresses_are_refused_with_what_is_allowed(text):
    with pytest.raises(SchedulerError, match="give an address such as tcp://"):
        parse_address(text)


@pytest.mark.parametrize("text", ["tcp://127.0.0.1:8786", "tls://scheduler.example.org:1",
                                  "tcp://[::1]:8786", "tcp://localhost:65535"])
def test_wellformed_addresses_parse_back(text):
    assert str(parse_address(text)) == text


def _serve(handler) -> tuple[int, threading.Event]:
    """A listener on 127.0.0.1 handing each connection to ``handler``; returns its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def loop() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handler, args=(conn,), daemon=True).start()
        server.close()

    threading.Thread(target=loop, daemon=True).start()
    return server.getsockname()[1], stop


def _garbage(conn) -> None:
    with conn:
        conn.sendall(os.urandom(8) + b"\xff" * 64)  # Dask would read a length of exabytes
        time.sleep(1)


@pytest.fixture
def http_port():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


def test_http_server_hits_the_deadline(http_port):
    started = time.monotonic()
    with pytest.raises(SchedulerError, match="did not greet as a Dask scheduler"):
        connect(f"tcp://127.0.0.1:{http_port}", timeout=2)
    assert time.monotonic() - started < 5


def test_listener_that_never_accepts_hits_the_deadline():
    # The kernel completes the connection into the backlog; nothing is ever sent.
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(1)
    with black_hole:
        started = time.monotonic()
        with pytest.raises(SchedulerError, match="did not greet"):
            connect(f"tcp://127.0.0.1:{black_hole.getsockname()[1]}", timeout=2)
        assert time.monotonic() - started < 5


def test_garbage_peer_is_not_a_dask_scheduler():
    port, stop = _serve(_garbage)
    try:
        with pytest.raises(SchedulerError, match="not as a Dask scheduler"):
            connect(f"tcp://127.0.0.1:{port}", timeout=5)
    finally:
        stop.set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(script("orglearn")), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:abc", "tcp://[::1", "ucx://host:1"])
def test_cli_refuses_malformed_addresses(tmp_path, address):
    sweep = write_sweep(tmp_path / "s.toml", SWEEP)
    for args in (["sweep", str(sweep), "--out", str(tmp_path / "out"), "--scheduler", address],
                 ["calibrate", "baseline", "--observed", str(tmp_path / "none.csv"), "--fit",
                  "culture.psychological_safety", "--out", str(tmp_path / "cal"),
                  "--scheduler", address]):
        done = _cli(args, tmp_path)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "give an address such as tcp://" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_cli_garbage_peer_and_closed_port_exit_2_and_write_nothing(tmp_path):
    sweep = write_sweep(tmp_path / "s.toml", SWEEP)
    port, stop = _serve(_garbage)
    try:
        for address, says in ((f"tcp://127.0.0.1:{port}", "not as a Dask scheduler"),
                              (f"tcp://127.0.0.1:{_free_port()}", "no Dask scheduler answered")):
            done = _cli(["sweep", str(sweep), "--out", str(tmp_path / "out"),
                         "--scheduler", address], tmp_path)
            assert done.returncode == 2, done.stderr
            assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr, done.stderr
            assert not (tmp_path / "out").exists()
    finally:
        stop.set()
