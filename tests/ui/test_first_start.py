"""A machine's first `orglearn ui` compiles the model's kernels before it serves, and says so."""

from __future__ import annotations

import numba
import uvicorn

import orglearn.simulation.compiled as compiled
from orglearn.simulation.compiled import COMPILING
from orglearn.ui import compare_pool, server


class _Server:  # uvicorn's Server, without serving
    def __init__(self, config):
        self.started = True

    def run(self, sockets):
        for sock in sockets:
            sock.close()


def test_the_first_start_compiles_before_serving_and_says_so(monkeypatch, capsys):
    order = []

    @numba.njit  # stands for the kernels of an empty cache: compiled at its first call
    def kernel(x):
        return x + 1

    monkeypatch.setattr(compiled, "warm_up", lambda: order.append("kernels") or kernel(1))
    monkeypatch.setattr(compare_pool, "warm", lambda: order.append("workers") or [])
    monkeypatch.setattr(server, "configure", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "Config", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "Server", _Server)
    for name in ("SERVER_NAME", "SERVER_PORT"):  # serve() sets them for Solara
        monkeypatch.setenv(name, "")

    assert server.serve("127.0.0.1", 0) == 0
    err = capsys.readouterr().err
    assert f"orglearn UI: {COMPILING}" in err
    assert order == ["kernels", "workers"]  # the workers then load what was compiled
