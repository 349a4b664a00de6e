"""Dask scheduler addresses: checked before anything runs, and connected to with a deadline
that holds whatever listens there.

`parse_address` refuses a malformed address with what is allowed. `connect` first probes a
``tcp://`` address with a plain socket: a Dask scheduler sends its handshake as soon as a
connection opens (a small length-prefixed message), so an HTTP server (which waits for a
request), a black hole (which never accepts) or a service sending other bytes (which Dask
would read as a length of exabytes) is told apart in seconds, with one clear line. Only then is
a `distributed.Client` made, itself under the same deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import threading
import time
from dataclasses import dataclass

__all__ = ["SchedulerAddress", "SchedulerError", "parse_address", "connect", "PROTOCOLS",
           "CONNECT_SECONDS"]

#: Protocols a Dask scheduler address may use.
PROTOCOLS = ("tcp", "tls")
#: Seconds to reach a scheduler before giving up.
CONNECT_SECONDS = 30.0
#: A Dask handshake is a few hundred bytes; anything announcing more is not Dask.
_MAX_HANDSHAKE = 1 << 20
_EXAMPLE = "such as tcp://127.0.0.1:8786 or tls://scheduler.example.org:8786"


class SchedulerError(ValueError):
    """A scheduler address that is malformed, or where no Dask scheduler answers."""

    def __init__(self, address: object, problem: str):
        self.address, self.problem = str(address), problem
        super().__init__(f"{self.address}: {problem}")


@dataclass(frozen=True)
class SchedulerAddress:
    """A parsed scheduler address."""

    protocol: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.protocol}://{host}:{self.port}"


def parse_address(text: str) -> SchedulerAddress:
    """Parse ``protocol://host:port`` (IPv6 hosts in brackets).

    Raises:
        SchedulerError: naming the address, what is wrong and what is allowed.
    """
    def bad(problem: str) -> SchedulerError:
        return SchedulerError(f"--scheduler {text!r}", f"{problem}; give an address {_EXAMPLE}")

    if not isinstance(text, str) or "://" not in text:
        raise bad("is not an address")
    protocol, rest = text.split("://", 1)
    if protocol not in PROTOCOLS:
        raise bad(f"protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}")
    if rest.startswith("["):
        host, sep, tail = rest[1:].partition("]")
        if not sep:
            raise bad("has no closing ']' after the IPv6 host")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise bad(f"{host!r} is not an IPv6 address") from None
        if not tail.startswith(":"):
            raise bad("has no port after the host")
        port_text = tail[1:]
    else:
        host, sep, port_text = rest.rpartition(":")
        if not sep:
            raise bad("has no port (host:port)")
        if ":" in host:
            raise bad("an IPv6 host must be in brackets, e.g. tcp://[::1]:8786")
    if not host or any(c.isspace() or c in "/?#@" for c in host):
        raise bad("has no valid host")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise bad(f"port {port_text!r} is not a number from 1 to 65535")
    return SchedulerAddress(protocol, host, int(port_text))


def _probe(address: SchedulerAddress, deadline: float) -> None:
    """Check that a Dask scheduler (not another service) listens at a tcp address."""
    def left() -> float:
        return max(0.1, deadline - time.monotonic())

    try:
        sock = socket.create_connection((address.host, address.port), timeout=left())
    except OSError as err:
        raise SchedulerError(address, f"no Dask scheduler answered ({err.strerror or err})") \
            from None
    with sock:
        header = b""
        try:
            while len(header) < 8:
                sock.settimeout(left())
                chunk = sock.recv(8 - len(header))
                if not chunk:
                    raise SchedulerError(address, "the service there closed the connection; it "
                                         "is not a Dask scheduler")
                header += chunk
        except TimeoutError:
            raise SchedulerError(
                address, "something listens there but did not greet as a Dask scheduler "
                f"within {CONNECT_SECONDS:.0f} s (is it another service, e.g. the dashboard?)"
            ) from None
        except OSError as err:
            raise SchedulerError(address, f"the connection failed ({err})") from None
        (size,) = struct.unpack("<Q", header)
        if not 0 < size <= _MAX_HANDSHAKE:
            raise SchedulerError(address, "the service there answered, but not as a Dask "
                                 "scheduler does")


def connect(text: str, timeout: float = CONNECT_SECONDS):
    """A `distributed.Client` for the scheduler at ``text``, within ``timeout`` seconds.

    Raises:
        SchedulerError: a malformed address, nothing answering, or a non-Dask peer; one line.
    """
    address = parse_address(text)
    deadline = time.monotonic() + timeout
    if address.protocol == "tcp":
        _probe(address, deadline)
    from distributed import Client

    made: dict = {}

    def make() -> None:
        try:
            made["client"] = Client(str(address), timeout=f"{max(1.0, deadline - time.monotonic())}s")
        except BaseException as err:  # noqa: BLE001 - reported below as one line
            made["error"] = err

    thread = threading.Thread(target=make, daemon=True, name="orglearn-dask-connect")
    thread.start()
    thread.join(max(0.1, deadline - time.monotonic()) + 5.0)
    if "client" in made:
        return made["client"]
    err = made.get("error")
    reason = f" ({type(err).__name__}: {err})" if err is not None else ""
    raise SchedulerError(address, f"no Dask scheduler answered within {timeout:.0f} s{reason}")
