"""Solara's front-end assets, served from the install rather than a public CDN.

Solara's page loads its JavaScript and CSS through ``/_solara/cdn/<package>@<version>/...``; its
proxy answers from ``<prefix>/share/solara/cdn`` and only fetches from the CDN what is missing
there. ``.ci/solara_assets.sh`` unpacks the packages below into that folder (from the npm
registry), so the UI works on a machine without internet access.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

__all__ = [
    "ASSET_PACKAGES",
    "ASSET_NAMES",
    "required_packages",
    "cdn_dir",
    "missing_assets",
    "assets_hint",
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

#: A file of each package that the page needs, to check that it is unpacked completely.
_PROBES: dict[str, str] = {
    "@widgetti/solara-vuetify-app": "dist/fonts.css",
    "font-awesome": "css/font-awesome.min.css",
    "requirejs": "require.js",
}


def required_packages(solara_dir: Path | None = None) -> list[str]:
    """The ``name@version`` of each of `ASSET_NAMES` that the installed Solara refers to.

    Solara names exact versions in its page template and components (for example
    ``{{cdn}}/requirejs@2.3.6/require.js``); a name it does not mention keeps its version from
    `ASSET_PACKAGES`.
    """
    if solara_dir is None:
        import importlib.util

        spec = importlib.util.find_spec("solara")
        if spec is None or spec.origin is None:
            return list(ASSET_PACKAGES)
        solara_dir = Path(spec.origin).parent
    found: dict[str, set[str]] = {name: set() for name in ASSET_NAMES}
    patterns = {
        name: re.compile(re.escape(name) + r"@(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)") for name in ASSET_NAMES
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


def cdn_dir() -> Path:
    """The folder Solara's CDN proxy reads first (``<sys.prefix>/share/solara/cdn``)."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing_assets(folder: Path | None = None) -> list[str]:
    """The packages of `ASSET_PACKAGES` that are not unpacked in ``folder`` (default: `cdn_dir`)."""
    folder = cdn_dir() if folder is None else Path(folder)
    missing = []
    for package in required_packages():
        probe = _PROBES.get(package.rsplit("@", 1)[0], "package.json")
        if not (folder / package / probe).is_file():
            missing.append(package)
    return missing


def assets_hint(missing: list[str]) -> str:
    """What to tell someone whose install lacks assets."""
    return (
        f"Solara's front-end files are missing from {cdn_dir()} ({', '.join(missing)}): the page "
        "would stay blank without internet access. Install them with: bash .ci/solara_assets.sh"
    )


if __name__ == "__main__":
    print("\n".join(required_packages()))
