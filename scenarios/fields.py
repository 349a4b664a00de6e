"""Facts about schema fields (type, allowed range, default, meaning), shared by the commented
TOML writer and the generated scenario reference, so that neither can drift from the schema."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["FieldFacts", "facts", "bounds", "format_value"]


@dataclass(frozen=True)
class FieldFacts:
    """What a person needs to know to set one key."""

    name: str
    type: str
    range: str
    default: Any
    required: bool
    description: str


def bounds(info: FieldInfo) -> tuple[Any, Any, bool, bool]:
    """A field's ``(low, high, low_open, high_open)`` from its ge/gt/le/lt (None: unbounded)."""
    low = high = None
    low_open = high_open = False
    for item in info.metadata:
        if getattr(item, "ge", None) is not None:
            low = item.ge
        if getattr(item, "gt", None) is not None:
            low, low_open = item.gt, True
        if getattr(item, "le", None) is not None:
            high = item.le
        if getattr(item, "lt", None) is not None:
            high, high_open = item.lt, True
    return low, high, low_open, high_open


def facts(name: str, info: FieldInfo) -> FieldFacts:
    """The facts of one pydantic field."""
    low, high, low_open, high_open = bounds(info)
    if low is not None and high is not None:
        rng = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    elif low is not None:
        rng = f"{'>' if low_open else '>='} {low}"
    elif high is not None:
        rng = f"{'<' if high_open else '<='} {high}"
    else:
        rng = ""
    required = info.default is PydanticUndefined and info.default_factory is None
    default = None if required else info.get_default(call_default_factory=True)
    return FieldFacts(name, _type_name(info.annotation), rng, default, required, info.description or "")


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in typing.get_args(annotation) if a is not type(None)]
        optional = type(None) in typing.get_args(annotation)
        return " or ".join(names) + (" (optional)" if optional else "")
    if origin is typing.Literal:
        return " or ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (list, tuple):
        return f"list of {_type_name(typing.get_args(annotation)[0])}"
    if origin is dict:
        return "table"
    return {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def format_value(value: Any) -> str:
    """A Python value as a TOML value."""
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        # JSON escapes are TOML escapes, but JSON leaves DEL (U+007F) raw and TOML forbids it.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {format_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")
