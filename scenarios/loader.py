"""Loading scenario files: TOML in, a validated `Scenario` out, or a `ScenarioError` that names
the file, the key, the line where it can be found, and what is allowed.

Files are read with `tomllib` (never anything that can run code) and validated by the pydantic
schema in `scenarios.schema`. ``extends`` inherits a built-in scenario or another file.
"""

from __future__ import annotations

import re
import tomllib
import typing
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scenarios.schema import METADATA, Scenario
from simulation.parameters import SECTIONS

__all__ = ["load", "load_text", "builtin_names", "builtin_path", "ScenarioError"]

_BUILTIN = resources.files("scenarios") / "builtin"


class ScenarioError(Exception):
    """A scenario file is missing, is not valid TOML, or breaks the schema.

    Attributes:
        file: the file at fault (or the name asked for).
        key: the dotted key path at fault, if one is.
        line: the 1-based line of that key in the file, if it could be found.
        problem: what is wrong and what is allowed.
    """

    def __init__(self, file: str, problem: str, key: str | None = None, line: int | None = None):
        self.file, self.problem, self.key, self.line = str(file), problem, key, line
        where = self.file if line is None else f"{self.file}:{line}"
        what = f"The '{key}' value in {where}" if key else where
        super().__init__(f"{what}: {problem}" if not key else f"{what} {problem}")


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.name.removesuffix(".toml") for p in _BUILTIN.iterdir() if p.name.endswith(".toml"))


def builtin_path(name: str) -> Path:
    """The file of a built-in scenario."""
    return Path(str(_BUILTIN / f"{name}.toml"))


def load(source: str | Path) -> Scenario:
    """Load a scenario by built-in name or by path.

    Raises:
        ScenarioError: the scenario does not exist or is invalid.
    """
    path = _find(source, base=None)
    return _validate(_raw(path, chain=()), path)


def load_text(text: str, file: str = "<text>", base: Path | None = None) -> Scenario:
    """Validate scenario TOML given as text (``file`` is used in messages; ``base`` resolves
    relative ``extends`` paths)."""
    data = parse_toml(text, file)
    data = _inherit(data, file, base or Path.cwd(), chain=(file,))
    return _validate(data, file, text)


# -- internals --------------------------------------------------------------------------------


def _find(source: str | Path, base: Path | None) -> Path:
    text = str(source)
    if isinstance(source, str) and "/" not in text and not text.endswith(".toml"):
        if text in builtin_names():
            return builtin_path(text)
        raise ScenarioError(
            text,
            f"is neither a built-in scenario nor a file; built-ins: {', '.join(builtin_names())}",
        )
    path = Path(source)
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise ScenarioError(str(path), "no such scenario file")
    return path


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error becomes a `ScenarioError` with the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+), column \d+\)", str(err))
        line = int(match.group(1)) if match else getattr(err, "lineno", None)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise ScenarioError(file, f"is not valid TOML: {message}", line=line) from None


def _raw(path: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    """The file's data with everything it extends merged in (not yet validated)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), f"cannot be read: {err}") from None
    data = parse_toml(text, str(path))
    data.setdefault("name", path.name.removesuffix(".toml"))
    return _inherit(data, str(path), path.parent, chain + (str(path.resolve()),))


def _inherit(data: dict[str, Any], file: str, base: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    if not isinstance(parent_name, str):
        raise ScenarioError(file, "must be a scenario name or a path", key="extends")
    parent_path = _find(parent_name, base)
    if str(parent_path.resolve()) in chain:
        raise ScenarioError(file, f"makes a cycle: {parent_name} extends this file again", key="extends")
    parent = _raw(parent_path, chain)
    _validate(parent, parent_path)  # report a broken parent against its own file
    return _merge(parent, data)


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    merged = {k: v for k, v in parent.items() if k not in METADATA}
    for key, value in child.items():
        if key == "interventions" and isinstance(value, list):
            merged[key] = list(parent.get("interventions", [])) + value
        elif key in SECTIONS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _validate(data: dict[str, Any], file: str | Path, text: str | None = None) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        if text is None and Path(str(file)).is_file():
            text = Path(str(file)).read_text(encoding="utf-8")
        raise explain(err, str(file), text or "") from None


def explain(
    err: ValidationError, file: str, text: str, schema: type[BaseModel] = Scenario
) -> ScenarioError:
    """The first problem of a pydantic validation error, worded for people, with its line."""
    e = err.errors()[0]
    loc = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "tagged-union"))]
    # Discriminated unions add the kind to the path: drop it (it is not a key of the file).
    tag = None
    if len(loc) >= 3 and loc[0] == "interventions" and loc[2] in _kinds():
        tag = loc.pop(2)
    message = e["msg"].removeprefix("Value error, ")
    kind = e["type"]
    got = e.get("input")
    if not loc:
        match = re.match(r"interventions\[(\d+)\]: ", message)
        if match:
            loc = ["interventions", match.group(1), "step"]
            message, got = message[match.end() :], None
    key = ".".join(loc) if loc else None
    if kind == "extra_forbidden":
        allowed = _allowed(schema, loc[:-1]) if tag is None else list(_kind_fields(tag))
        problem = f"is not a known key; allowed here: {', '.join(allowed)}"
    elif kind == "missing":
        problem = "is required but missing"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        if loc and loc[-1] != "kind":
            loc = loc + ["kind"]
            key = ".".join(loc)
        if kind == "union_tag_invalid":
            got = got.get("kind") if isinstance(got, dict) else got
            problem = f"must be one of {', '.join(_kinds())}. Got {got!r} instead"
        else:
            problem = f"needs a 'kind', one of {', '.join(_kinds())}"
    else:
        problem = _must(message) + ("" if got is None or isinstance(got, dict) else f". Got {got!r} instead")
    return ScenarioError(file, problem + ".", key=key, line=_line_of(text, loc))


def _must(message: str) -> str:
    message = message.rstrip(".")
    for prefix in ("Input should be ", "Value should be "):
        if message.startswith(prefix):
            return "must be " + message.removeprefix(prefix)
    if message.startswith(("must ", "is ", "makes ")):
        return message
    return "is invalid: " + message


def _kind_fields(kind: str) -> list[str]:
    from simulation.interventions import INTERVENTION_KINDS

    return list(INTERVENTION_KINDS[kind].model_fields)


def _kinds() -> list[str]:
    from simulation.interventions import INTERVENTION_KINDS

    return list(INTERVENTION_KINDS)


def _allowed(schema: type[BaseModel], loc: list[str]) -> list[str]:
    """The keys a table at ``loc`` accepts, found by walking the schema."""
    models: list[type[BaseModel]] = [schema]
    for part in loc:
        if part.isdigit():
            continue
        found = [m.model_fields[part] for m in models if part in m.model_fields]
        models = [m for info in found for m in _models_in(info.annotation)]
    names: list[str] = []
    for model in models:
        names += [n for n in model.model_fields if n not in names]
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _line_of(text: str, loc: list[str]) -> int | None:
    """Best-effort line of a key path in TOML text: the key after its table header."""
    if not loc or not text:
        return None
    lines = text.splitlines()
    start, key = 0, loc[-1]
    if loc[0] == "interventions" and len(loc) >= 2 and loc[1].isdigit():
        headers = [i for i, ln in enumerate(lines) if re.match(r"\s*\[\[\s*interventions\s*\]\]", ln)]
        index = int(loc[1])
        if index >= len(headers):
            return None
        start = headers[index]
        if len(loc) == 2:
            return start + 1
        end = headers[index + 1] if index + 1 < len(headers) else len(lines)
    elif len(loc) >= 2:
        header = next(
            (i for i, ln in enumerate(lines) if re.match(rf"\s*\[\s*{re.escape(loc[0])}\s*\]", ln)),
            None,
        )
        if header is None:
            return None
        start = header
        end = next((i for i in range(header + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
    else:
        header = next(
            (i for i, ln in enumerate(lines) if re.match(rf"\s*\[+\s*{re.escape(key)}\s*\]", ln)),
            None,
        )
        if header is not None:
            return header + 1
        end = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[", ln)), len(lines))
    for i in range(start, end):
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", lines[i]):
            return i + 1
    return start + 1 if start or len(loc) >= 2 else None
