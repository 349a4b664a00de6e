"""Solara's front-end files: from Solara's CDN by default, or installed for offline use.

Solara's page loads its JavaScript and CSS through ``/_solara/cdn/<package>@<version>/...``. Its
proxy answers from `cdn_dir` (``<prefix>/share/solara/cdn``) and fetches from a public CDN
(cdn.jsdelivr.net) only what is missing there, so after ``pip install orglearn`` the UI works on
a machine with internet access. ``orglearn ui --install-assets`` (`install_assets`) unpacks the
npm packages Solara asks for from the npm registry into that folder, once, so the UI also works
without internet access. No npm is needed: each package's tarball is fetched over HTTPS, checked
against the registry's checksum, and unpacked with tarfile's ``data`` filter (no member may land
outside the package's folder).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import site
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

__all__ = [
    "ASSET_PACKAGES",
    "ASSET_NAMES",
    "REGISTRY",
    "REGISTRY_ENV",
    "MARKER",
    "AssetError",
    "required_packages",
    "cdn_dir",
    "missing_assets",
    "assets_hint",
    "install_assets",
]

#: The npm packages the page needs from Solara's CDN proxy; their versions are read from the
#: installed Solara (`required_packages`). Mermaid and KaTeX load wherever `solara.Markdown` is
#: used; the vuetify app, RequireJS and Font Awesome on every page.
ASSET_NAMES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app",
    "@widgetti/vue-grid-layout",
    "font-awesome",
    "requirejs",
    "mermaid",
    "katex",
)
#: The versions Solara 1.64 asks for (used if they cannot be read from Solara's files).
ASSET_PACKAGES: tuple[str, ...] = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "font-awesome@4.5.0",
    "requirejs@2.3.6",
    "mermaid@10.8.0",
    "katex@0.16.9",
)
#: The npm registry the packages come from; ``ORGLEARN_NPM_REGISTRY`` names a mirror instead.
REGISTRY = "https://registry.npmjs.org"
REGISTRY_ENV = "ORGLEARN_NPM_REGISTRY"
#: Written last into each unpacked package: a package folder without it is incomplete.
MARKER = ".orglearn-complete"

#: Subresource-integrity algorithms, weakest first (npm gives sha512, older packages sha1).
_ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
_CHUNK = 1 << 18


class AssetError(Exception):
    """The front-end files could not be installed (offline, a bad download, no permission)."""


def required_packages(solara_dir: Path | None = None) -> list[str]:
    """The ``name@version`` of each of `ASSET_NAMES` that the installed Solara refers to.

    Solara names exact versions in its page template and components (for example
    ``{{cdn}}/requirejs@2.3.6/require.js``); a name it does not mention keeps its version from
    `ASSET_PACKAGES`.
    """
    if solara_dir is None:
        origin = _solara_origin()
        if origin is None:
            return list(ASSET_PACKAGES)
        solara_dir = Path(origin).parent
    found: dict[str, set[str]] = {name: set() for name in ASSET_NAMES}
    patterns = {
        name: re.compile(re.escape(name) + r"@(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)")
        for name in ASSET_NAMES
    }
    for path in Path(solara_dir).rglob("*"):
        if path.suffix not in (".py", ".j2", ".vue", ".html") or "website" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for name, pattern in patterns.items():
            found[name].update(m.rstrip(".") for m in pattern.findall(text))
    defaults = dict(p.rsplit("@", 1) for p in ASSET_PACKAGES)
    return [
        f"{name}@{version}"
        for name in ASSET_NAMES
        for version in (sorted(found[name]) or [defaults[name]])
    ]


def _solara_origin() -> str | None:
    spec = importlib.util.find_spec("solara")
    return None if spec is None else spec.origin


def cdn_dir() -> Path:
    """The folder Solara's CDN proxy reads first, found as Solara finds it: the
    ``SOLARA_ASSETS_PROXY_CACHE_DIR`` environment variable, else ``<prefix>/share/solara/cdn``
    where the prefix is the user base for a ``pip install --user`` Solara and `sys.prefix`
    otherwise."""
    configured = os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR")
    if configured:
        return Path(configured)
    user_base = site.getuserbase()
    origin = _solara_origin()
    prefix = user_base if user_base and origin and origin.startswith(user_base) else sys.prefix
    return Path(prefix) / "share" / "solara" / "cdn"


def missing_assets(folder: Path | None = None) -> list[str]:
    """The packages of `required_packages` not completely unpacked in ``folder`` (default:
    `cdn_dir`)."""
    folder = cdn_dir() if folder is None else Path(folder)
    return [p for p in required_packages() if not (folder / p / MARKER).is_file()]


def assets_hint(missing: list[str]) -> str:
    """What to tell someone whose install lacks front-end files."""
    return (
        f"Solara's front-end files are not installed in {cdn_dir()} ({', '.join(missing)}): the "
        "page loads them from Solara's CDN and stays blank without internet access. To use the "
        "UI offline, install them once with: orglearn ui --install-assets"
    )


def install_assets(
    dest: Path | str | None = None,
    *,
    packages: Iterable[str] | None = None,
    registry: str | None = None,
    progress: TextIO | bool = True,
    timeout: float = 60.0,
) -> list[str]:
    """Fetch Solara's front-end packages from the npm registry and unpack them into ``dest``.

    Each package (``name@version``) is fetched from ``<registry>/<name>/<version>`` (its
    ``dist.tarball``), checked against ``dist.integrity`` (or ``dist.shasum``), unpacked with
    tarfile's ``data`` filter (no member may land outside the package's folder) into a temporary
    folder, marked complete (`MARKER`) and renamed into place, so an interrupted run never
    leaves half a package. Packages already complete are skipped.

    Args:
        dest: the folder Solara's proxy reads (default: `cdn_dir`).
        packages: ``name@version`` strings (default: `required_packages`).
        registry: the registry's URL (default: ``$ORGLEARN_NPM_REGISTRY`` or `REGISTRY`).
        progress: where to report progress: True for stderr, False for nowhere, or a stream.
        timeout: seconds to wait for the registry on each request.

    Returns:
        The packages fetched now (empty if all were there already).

    Raises:
        AssetError: the registry cannot be reached or answers badly, a download does not match
            its checksum, an archive is unsafe, or ``dest`` is not writable. Nothing is left
            half-installed.
    """
    if progress is True:
        progress = sys.stderr
    progress = progress or None
    folder = cdn_dir() if dest is None else Path(dest)
    wanted = required_packages() if packages is None else list(packages)
    base = (registry or os.environ.get(REGISTRY_ENV) or REGISTRY).rstrip("/")
    todo = [spec for spec in wanted if not (folder / spec / MARKER).is_file()]
    if not todo:
        return []
    for number, spec in enumerate(todo, 1):
        _say(progress, f"orglearn: [{number}/{len(todo)}] {spec} from {base}")
        _install_one(spec, folder, base, timeout, progress)
    _say(progress, f"orglearn: Solara's front-end files are in {folder}")
    return todo


def _install_one(spec: str, folder: Path, base: str, timeout: float, progress) -> None:
    name, version = _split(spec)
    meta = _metadata(base, name, version, timeout)
    dist = meta.get("dist") if isinstance(meta.get("dist"), dict) else {}
    tarball = dist.get("tarball")
    if not isinstance(tarball, str) or not tarball.startswith(("https://", "http://")):
        raise AssetError(f"{spec}: the registry's metadata gives no tarball URL")
    algorithm, expected = _expected_digest(spec, dist)
    try:  # only now that the registry answered, so that being offline writes nothing
        folder.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".orglearn-partial-", dir=folder))
    except OSError as err:
        raise AssetError(f"cannot write in {folder}: {err.strerror or err}") from None
    try:
        archive = work / "package.tgz"
        digest, size = _download(spec, tarball, archive, algorithm, timeout, progress)
        if digest != expected:
            raise AssetError(
                f"{spec}: the download from {tarball} does not match the registry's {algorithm} "
                "checksum (corrupted or tampered with); nothing was installed"
            )
        _say(progress, f"  {size / 1e6:.1f} MB, {algorithm} checksum verified")
        unpacked = work / "unpacked"
        _unpack(spec, archive, unpacked)
        root = _package_root(unpacked)
        (root / MARKER).touch()
        target = folder / spec
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():  # an incomplete earlier attempt (no marker)
            shutil.rmtree(target)
        os.replace(root, target)
    except OSError as err:
        raise AssetError(f"{spec}: cannot write in {folder}: {err.strerror or err}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _split(spec: str) -> tuple[str, str]:
    name, sep, version = spec.rpartition("@")
    if not sep or not name or name == "@" or not version:
        raise AssetError(f"{spec!r} is not an npm package as name@version")
    return name, version


def _open(url: str, timeout: float, what: str):
    request = urllib.request.Request(url, headers={"User-Agent": "orglearn"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only
    except urllib.error.HTTPError as err:
        raise AssetError(f"{what}: {url} answered HTTP {err.code} ({err.reason})") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise AssetError(
            f"{what}: cannot reach {url} ({reason}). Installing the front-end files needs access "
            f"to the npm registry once (or a mirror: set {REGISTRY_ENV}); without them the UI "
            "loads the files from Solara's CDN"
        ) from None


def _metadata(base: str, name: str, version: str, timeout: float) -> dict:
    url = f"{base}/{quote(name, safe='@')}/{quote(version, safe='')}"
    spec = f"{name}@{version}"
    with _open(url, timeout, spec) as response:
        raw = response.read()
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AssetError(f"{spec}: {url} did not answer with package metadata (JSON)") from None
    if not isinstance(meta, dict) or meta.get("version") != version:
        raise AssetError(f"{spec}: {url} answered with metadata of another version")
    return meta


def _expected_digest(spec: str, dist: dict) -> tuple[str, bytes]:
    """The strongest checksum the registry gives: (hashlib name, digest)."""
    best: tuple[str, bytes] | None = None
    for token in str(dist.get("integrity") or "").split():
        algorithm, _, value = token.partition("-")
        if algorithm not in _ALGORITHMS:
            continue
        try:
            digest = base64.b64decode(value.split("?")[0], validate=True)
        except ValueError:
            continue
        if best is None or _ALGORITHMS.index(algorithm) > _ALGORITHMS.index(best[0]):
            best = (algorithm, digest)
    if best is not None:
        return best
    shasum = dist.get("shasum")
    if isinstance(shasum, str) and re.fullmatch(r"[0-9a-fA-F]{40}", shasum):
        return "sha1", bytes.fromhex(shasum)
    raise AssetError(f"{spec}: the registry gives no checksum to verify the download against")


def _download(
    spec: str, url: str, path: Path, algorithm: str, timeout: float, progress
) -> tuple[bytes, int]:
    """Save ``url`` to ``path``; returns its digest and size in bytes."""
    digest = hashlib.new(algorithm)
    with _open(url, timeout, spec) as response, open(path, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        live = progress is not None and progress.isatty()
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            done += len(chunk)
            if live:
                of = f" of {total / 1e6:.1f}" if total else ""
                progress.write(f"\r  {done / 1e6:.1f}{of} MB")
                progress.flush()
    if live:
        progress.write("\r")
    return digest.digest(), done


def _unpack(spec: str, archive: Path, into: Path) -> None:
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(into, filter=_safe_member)
    except tarfile.FilterError as err:
        raise AssetError(
            f"{spec}: the archive holds an unsafe member ({err}); nothing was installed"
        ) from None
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise AssetError(f"{spec}: the archive cannot be unpacked ({err})") from None


def _safe_member(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """tarfile's ``data`` filter (nothing outside ``dest``, no devices, no links out, plain
    permissions), and no absolute names either: the ``data`` filter would quietly make them
    relative, but no npm package has them."""
    if member.name.startswith(("/", os.sep)):
        raise tarfile.AbsolutePathError(member)
    return tarfile.data_filter(member, dest)


def _package_root(unpacked: Path) -> Path:
    """npm tarballs hold one top folder (usually ``package/``): the package is inside it."""
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return unpacked


def _say(stream: TextIO | None, text: str) -> None:
    if stream is not None:
        print(text, file=stream, flush=True)
