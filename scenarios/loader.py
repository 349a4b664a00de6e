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

from orglearn.scenarios.schema import METADATA, Scenario
from orglearn.simulation.errors import ScenarioError
from orglearn.simulation.parameters import SECTIONS

__all__ = [
    "load",
    "load_text",
    "builtin_names",
    "builtin_path",
    "names_builtin",
    "ScenarioError",
    "parse_toml",
    "explain",
    "line_of",
]

_BUILTIN = resources.files("orglearn.scenarios") / "builtin"


#: Tags of tagged unions that pydantic puts into error locations; they are not keys of a file.
_UNION_TAGS = {"list", "range", "bounds"}
#: The longest chain of ``extends`` a scenario may have.
MAX_EXTENDS = 32
#: Scalar types as pydantic names union members in an error's location, in words.
_SCALARS = {"bool": "true/false", "int": "a number", "float": "a number", "str": "text"}


def builtin_names() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.name.removesuffix(".toml") for p in _BUILTIN.iterdir() if p.name.endswith(".toml"))


def names_builtin(text: str) -> bool:
    """Whether ``text`` is read as a built-in's name (no ``/`` and no ``.toml``) or as a path.

    Scenario and sweep files, and the scenarios a sweep lists, all follow this rule.
    """
    return "/" not in text and not text.endswith(".toml")


def builtin_path(name: str) -> Path:
    """The file of a built-in scenario."""
    return Path(str(_BUILTIN / f"{name}.toml"))


def load(source: str | Path) -> Scenario:
    """Load a scenario by built-in name or by path.

    Raises:
        ScenarioError: the scenario does not exist or is invalid.
    """
    path = _find(source, base=None)
    return _check_chart(_validate(_raw(path, chain=()), path), path)


def load_text(text: str, file: str = "<text>", base: Path | None = None) -> Scenario:
    """Validate scenario TOML given as text (``file`` is used in messages; ``base`` resolves
    relative ``extends`` paths)."""
    data = _resolve_chart_files(parse_toml(text, file), base or Path.cwd())
    data = _inherit(data, file, base or Path.cwd(), chain=(file,), text=text)
    return _check_chart(_validate(data, file, text), file, text)


# -- internals --------------------------------------------------------------------------------


def _find(
    source: str | Path, base: Path | None, referrer: str | None = None, line: int | None = None
) -> Path:
    """The file of a built-in name or a path; ``referrer`` is the file whose ``extends`` named
    it, which is then the file an error is about."""
    text = str(source)
    builtins = ", ".join(builtin_names())
    if isinstance(source, str) and names_builtin(text):
        if text in builtin_names():
            return builtin_path(text)
        if referrer is not None:
            raise ScenarioError(referrer, f"must be a built-in scenario or a file. Got {text!r} "
                                f"instead; built-ins: {builtins}.", key="extends", line=line)
        raise ScenarioError(text, f"is neither a built-in scenario nor a file; built-ins: {builtins}")
    try:
        path = Path(source)
        if base is not None and not path.is_absolute():
            path = base / path
        found = path.is_file()
    except (OSError, ValueError, RuntimeError) as err:  # name too long, NUL byte, ...
        path, found, why = Path(text[:80]), False, f" ({err})"
    else:
        why = ""
    if not found:
        if referrer is not None:
            raise ScenarioError(referrer, f"names {text[:200]!r}, which is not a scenario file{why}.",
                                key="extends", line=line)
        raise ScenarioError(str(path), f"no such scenario file{why}")
    return path


def parse_toml(text: str, file: str) -> dict[str, Any]:
    """Parse TOML text (a UTF-8 byte-order mark, as some Windows editors write, is skipped);
    a syntax error becomes a `ScenarioError` with the line."""
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(file, "is nested too deeply to read") from None
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+), column \d+\)", str(err))
        line = int(match.group(1)) if match else getattr(err, "lineno", None)
        if line is None and "end of document" in str(err):
            line = text.count("\n") + 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(err))
        raise ScenarioError(file, f"is not valid TOML: {message}", line=line) from None


def _raw(path: Path, chain: tuple[str, ...]) -> dict[str, Any]:
    """The file's data with everything it extends merged in (not yet validated)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), f"cannot be read: {err}") from None
    data = _resolve_chart_files(parse_toml(text, str(path)), path.parent)
    data.setdefault("name", path.name.removesuffix(".toml"))
    return _inherit(data, str(path), path.parent, chain + (str(path.resolve()),), text)


#: Key under which `_merge` notes how many interventions came from the parent (popped before
#: validation), so that errors point at the right [[interventions]] table of the right file.
_INHERITED = "\0inherited_interventions"


def _inherit(
    data: dict[str, Any], file: str, base: Path, chain: tuple[str, ...], text: str = ""
) -> dict[str, Any]:
    parent_name = data.get("extends")
    if parent_name is None:
        return data
    line = line_of(text, ["extends"])
    if len(chain) > MAX_EXTENDS:
        raise ScenarioError(file, f"is the {len(chain)}th file of an extends chain; a scenario "
                            f"may extend at most {MAX_EXTENDS} files in a row (is there a "
                            "generated chain?)", key="extends", line=line)
    if not isinstance(parent_name, str) or not parent_name:
        raise ScenarioError(file, "must be a built-in scenario name or a path", key="extends", line=line)
    parent_path = _find(parent_name, base, referrer=file, line=line)
    if str(parent_path.resolve()) in chain:
        raise ScenarioError(file, f"makes a cycle: {parent_name} extends this file again",
                            key="extends", line=line)
    parent = _raw(parent_path, chain)
    parent.pop(_INHERITED, None)
    _validate(parent, parent_path)  # report a broken parent against its own file
    merged = _merge(parent, data)
    merged[_INHERITED] = len(parent.get("interventions", []))
    return merged


_CHART_FILES = ("people_file", "ties_file")


def _resolve_chart_files(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make ``[organisation]`` chart file paths absolute, relative to the file that names them."""
    org = data.get("organisation")
    if isinstance(org, dict):
        for key in _CHART_FILES:
            if isinstance(org.get(key), str) and org[key]:
                try:
                    org[key] = str((base / Path(org[key]).expanduser()).resolve())
                except (OSError, ValueError, RuntimeError):
                    pass  # left as written: the existence check reports it with its key
    return data


def _check_chart(scenario: Scenario, file: str | Path, text: str | None = None) -> Scenario:
    """Check that the org chart files exist and are valid (`simulation.orgchart`)."""
    org = scenario.organisation
    if not org.people_file:
        return scenario
    for key in _CHART_FILES:
        value = getattr(org, key)
        if value is not None and not _is_file(value):
            if text is None and Path(str(file)).is_file():
                text = Path(str(file)).read_text(encoding="utf-8-sig")
            raise ScenarioError(str(file), f"names {value}, which is not a file", key=f"organisation.{key}",
                                line=line_of(text or "", ["organisation", key]))
    from orglearn.simulation.orgchart import read_chart

    read_chart(org.people_file, org.ties_file)  # raises a ScenarioError naming the CSV file
    return scenario


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


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
    data = dict(data)
    inherited = data.pop(_INHERITED, 0)
    try:
        # Strict: a TOML string "0.8" is not a number, "yes" is not a boolean.
        return Scenario.model_validate(data, strict=True)
    except ValidationError as err:
        if text is None and Path(str(file)).is_file():
            text = Path(str(file)).read_text(encoding="utf-8-sig")
        error = explain(err, str(file), text or "")
        return _blame_inherited(error, inherited, data, str(file), text or "")


def _blame_inherited(error: ScenarioError, inherited: int, data: dict, file: str, text: str):
    """Re-point an intervention error past the parent's interventions at the child's own table;
    an inherited intervention can only fail because this file's ``steps`` ends too early."""
    match = re.match(r"interventions\.(\d+)(\..*)?$", error.key or "")
    if not inherited or not match:
        raise error
    index = int(match.group(1))
    if index >= inherited:
        key = f"interventions.{index - inherited}{match.group(2) or ''}"
        raise ScenarioError(file, error.problem, key=key, line=line_of(text, key.split(".")))
    event = data["interventions"][index]
    key = "steps" if "steps" in text else "extends"
    raise ScenarioError(
        file,
        f"is {data.get('steps')}: the last step ({data.get('steps')}) comes before the "
        f"{event.get('kind')} intervention at step {event.get('step')} that this scenario "
        f"inherits; use steps >= {event.get('step')}.",
        key=key,
        line=line_of(text, [key]),
    )


def explain(
    err: ValidationError, file: str, text: str, schema: type[BaseModel] = Scenario
) -> ScenarioError:
    """The first problem of a pydantic validation error, worded for people, with its line."""
    errors = err.errors()
    # An unknown key (often a typo) explains the other errors it causes, so report it first.
    e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = [str(p) for p in e["loc"] if not str(p).startswith(("function-", "tagged-union"))]
    # Discriminated unions add the kind to the path: drop it (it is not a key of the file).
    tag = None
    if len(loc) >= 3 and loc[0] == "interventions" and loc[2] in _kinds():
        tag = loc.pop(2)
    loc = [p for p in loc if p not in _UNION_TAGS]
    message = e["msg"].removeprefix("Value error, ")
    kind = e["type"]
    if loc and loc[-1] in _SCALARS:
        # A union of scalar types (e.g. set_parameters values) reports one error per member,
        # each with the member's type appended to the key: name the key, list the members.
        prefix = [str(p) for p in e["loc"]][:-1]
        members = [str(x["loc"][-1]) for x in errors if [str(p) for p in x["loc"]][:-1] == prefix
                   and str(x["loc"][-1]) in _SCALARS]
        loc = loc[:-1]
        words = list(dict.fromkeys(_SCALARS[m] for m in members))
        message = "must be " + " or ".join(words)
    got = e.get("input")
    # Model-level validators name their key as "@path/to/key: problem" (see schema.py).
    match = re.match(r"@(\S+): ", message)
    if match:
        loc = match.group(1).split("/")
        message, got = message[match.end() :], None
    # Keys are shown as written, but a key with control characters is shown escaped.
    key = ".".join(p if p.isprintable() else repr(p) for p in loc) if loc else None
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
    return ScenarioError(file, problem + ".", key=key, line=line_of(text, loc))


def _must(message: str) -> str:
    message = message.rstrip(".")
    for prefix in ("Input should be ", "Value should be "):
        if message.startswith(prefix):
            return "must be " + message.removeprefix(prefix)
    if message.startswith(("must ", "is ", "makes ")):
        return message
    return "is invalid: " + message


def _kind_fields(kind: str) -> list[str]:
    from orglearn.simulation.interventions import INTERVENTION_KINDS

    return list(INTERVENTION_KINDS[kind].model_fields)


def _kinds() -> list[str]:
    from orglearn.simulation.interventions import INTERVENTION_KINDS

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


def line_of(text: str, loc: list[str]) -> int | None:
    """Best-effort 1-based line of a key path in TOML text (None if it cannot be found).

    The path's table is found first (``[[name]]`` by index, ``[name]``, or the top level), then
    the deepest part of the path that appears there as a key, bare or quoted.
    """
    if not loc or not text:
        return None
    lines = text.splitlines()
    headers = [i for i, ln in enumerate(lines) if re.match(r"\s*\[", ln)]

    def header_of(pattern: str) -> list[int]:
        return [i for i in headers if re.match(pattern, lines[i])]

    def end_after(start: int) -> int:
        return next((i for i in headers if i > start), len(lines))

    if len(loc) >= 2 and not any(p.isdigit() for p in loc):  # a sub-table: [a.b]
        dotted = r"\s*\.\s*".join(re.escape(p) for p in loc)
        found = header_of(rf"\s*\[\s*{dotted}\s*\]")
        if found:
            return found[0] + 1
    name = re.escape(loc[0])
    arrays, tables = header_of(rf"\s*\[\[\s*{name}\s*\]\]"), header_of(rf"\s*\[\s*{name}\s*\]")
    if arrays and len(loc) >= 2 and loc[1].isdigit():
        if int(loc[1]) >= len(arrays):
            return None
        start = arrays[int(loc[1])]
        if len(loc) == 2:
            return start + 1
        end, rest = end_after(start), loc[2:]
    elif tables and len(loc) >= 2:
        start = tables[0]
        end, rest = end_after(start), loc[1:]
    elif (arrays or tables) and len(loc) == 1:
        return (arrays or tables)[0] + 1
    else:
        start, end, rest = -1, (headers[0] if headers else len(lines)), loc
    for depth in range(len(rest), 0, -1):
        key = re.escape(".".join(rest[:depth]))
        for i in range(start + 1, end):
            if re.match(rf"\s*(?:{key}|\"{key}\"|'{key}')\s*=", lines[i]):
                return i + 1
    return start + 1 if start >= 0 else None
