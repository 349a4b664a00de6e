"""The page's state as a short text for its address (URL), and back, defensively.

A what-if (the scenario, the controls moved, the interventions planned, the seed, the day, the
comparison's settings) is a small JSON object. `encode` compresses it into the query string
``v=1&w=<base64url(zlib(json))>``, so that a reload or a shared link brings it back; `decode`
reads such a query string. An address is user input: `decode` never raises, refuses anything
too long, not JSON, or of an unknown format version, and keeps only the keys and value types
it knows (semantic checks, such as a slider's range, are the session's, see
`UiSession.restore_state`). Uploaded org charts are never part of the state (docs/privacy.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "FORMAT",
    "MAX_QUERY",
    "MAX_COMPARE",
    "encode",
    "encode_fitting",
    "decode",
    "StateError",
]

#: The format's version, written as ``v=1``; a change of meaning gets a new number.
FORMAT = 1
#: The longest query string written or read (characters). Links of a few KB work in every
#: browser, in chat tools and in the server's request line.
MAX_QUERY = 8_000
#: The largest JSON text accepted after decompression (bytes): refuses compression bombs.
MAX_JSON = 64 * 1024
#: The largest comparison settings kept (characters of JSON).
MAX_COMPARE = 4_000
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_B64 = re.compile(r"^[A-Za-z0-9_-]*$")


class StateError(ValueError):
    """An address that cannot be read as a page state; the message is for people."""


def encode(state: Mapping[str, Any]) -> str:
    """The query string (without ``?``) holding ``state``, a JSON-able mapping."""
    # Keys keep their order: the controls are restored in the order they were moved.
    text = json.dumps(state, separators=(",", ":"), allow_nan=False)
    packed = base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).rstrip(b"=")
    return f"v={FORMAT}&w={packed.decode('ascii')}"


def encode_fitting(state: Mapping[str, Any]) -> tuple[str, list[str]]:
    """`encode`, leaving out what would make the address longer than `MAX_QUERY`.

    An uploaded scenario file too large for an address is replaced by its name
    (``lost_file``), so that the page restored from it can ask for the file again.

    Returns:
        The query string and, in plain words, what it leaves out.
    """
    query = encode(state)
    if len(query) <= MAX_QUERY or "file" not in state:
        return query, []
    name = str(state["file"].get("name", "your scenario file"))
    smaller = {k: v for k, v in state.items() if k != "file"}
    smaller["lost_file"] = name
    return encode(smaller), [f"Your scenario file {name} is too large to keep in the page's "
                             "address or in a link: after a reload, or for a colleague, it has "
                             "to be uploaded again."]


def decode(query: str | None) -> tuple[dict[str, Any] | None, list[str]]:
    """Read a page state from a query string (``?`` optional).

    Returns:
        ``(state, problems)``: ``state`` is None when the address holds no state or cannot be
        read; ``problems`` says in plain words what was ignored. Never raises.
    """
    try:
        raw = _unpack(query)
    except StateError as err:
        return None, [str(err)]
    if raw is None:
        return None, []
    return _clean(raw)


def _unpack(query: str | None) -> dict[str, Any] | None:
    damaged = StateError("The page's address was damaged or not made by orglearn, so it was "
                         "ignored: you see the page as it opens.")
    query = (query or "").lstrip("?")
    if not query:
        return None
    if len(query) > MAX_QUERY:
        raise StateError("The page's address is too long to be an orglearn what-if, so it was "
                         "ignored: you see the page as it opens.")
    try:
        fields = parse_qs(query, max_num_fields=20, strict_parsing=False)
    except ValueError:
        raise damaged from None
    if "w" not in fields and "v" not in fields:
        return None  # someone else's parameters: nothing of ours
    if fields.get("v") != [str(FORMAT)]:
        raise StateError("The page's address was made by another version of orglearn, so it "
                         "was ignored: you see the page as it opens.")
    packed = fields.get("w", [""])
    if len(packed) != 1 or not _B64.match(packed[0]):
        raise damaged
    try:
        data = base64.urlsafe_b64decode(packed[0] + "=" * (-len(packed[0]) % 4))
        inflate = zlib.decompressobj()
        text = inflate.decompress(data, MAX_JSON)
        if inflate.unconsumed_tail or not inflate.eof:
            raise damaged  # larger than MAX_JSON, or cut short
        raw = json.loads(text.decode("utf-8"), parse_constant=_no_constant)
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        raise damaged from None
    if not isinstance(raw, dict):
        raise damaged
    return raw


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")  # NaN and Infinity are not JSON


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _clean(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Keep the known keys with values of the right type; name what was dropped."""
    state: dict[str, Any] = {}
    dropped: list[str] = []
    name = raw.get("scenario")
    if isinstance(name, str) and _NAME.match(name):
        state["scenario"] = name
    elif name is not None:
        dropped.append("the scenario")
    file = raw.get("file")
    if isinstance(file, dict) and isinstance(file.get("name"), str) and isinstance(
        file.get("text"), str
    ):
        state["file"] = {"name": file["name"][:200], "text": file["text"]}
    elif file is not None:
        dropped.append("the scenario file")
    for key in ("lost_file",):
        if isinstance(raw.get(key), str):
            state[key] = raw[key][:200]
    settings = raw.get("set")
    if isinstance(settings, dict) and all(
        isinstance(k, str) and (_scalar(v) or (isinstance(v, list) and all(map(_scalar, v))))
        for k, v in settings.items()
    ):
        state["set"] = dict(settings)
    elif settings is not None:
        dropped.append("the opening settings")
    changes = raw.get("changes")
    if isinstance(changes, dict):
        kept = {k: v for k, v in changes.items()
                if isinstance(k, str) and (isinstance(v, bool) or _is_int(v))}
        state["changes"] = kept
        if len(kept) < len(changes):
            dropped.append("some of the controls")
    elif changes is not None:
        dropped.append("the controls")
    plan = raw.get("plan")
    if isinstance(plan, dict):
        kept = {}
        for kind, item in plan.items():
            if (isinstance(kind, str) and isinstance(item, dict)
                    and isinstance(item.get("on"), bool) and _is_int(item.get("day"))
                    and (item.get("share") is None or _is_int(item.get("share")))):
                kept[kind] = {"on": item["on"], "day": item["day"], "share": item.get("share")}
        state["plan"] = kept
        if len(kept) < len(plan):
            dropped.append("some of the interventions")
    elif plan is not None:
        dropped.append("the interventions")
    for key, what in (("seed", "the random seed"), ("day", "the day")):
        value = raw.get(key)
        if _is_int(value) and 0 <= value < 2**63:
            state[key] = value
        elif value is not None:
            dropped.append(what)
    compare = raw.get("compare")
    if isinstance(compare, dict) and len(json.dumps(compare)) <= MAX_COMPARE:
        state["compare"] = compare
    elif compare is not None:
        dropped.append("the comparison's settings")
    if raw.get("chart") is True:
        state["chart"] = True
    problems = []
    if dropped:
        problems.append("Part of the page's address was not understood and was ignored ("
                        + ", ".join(dropped) + ").")
    return state, problems
