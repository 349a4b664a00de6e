#!/usr/bin/env bash
# Provide Solara's front-end assets offline, so the web UI (`orglearn ui`) renders without a CDN.
#
# Solara serves its front end through /_solara/cdn and, by default, fetches each file from a
# public CDN on first use, which these machines cannot reach. Its proxy first looks in
# <venv>/share/solara/cdn/<package>@<version>/<file>, so this script packs the packages Solara
# asks for from the npm registry (`npm pack`) and unpacks each there. It is idempotent: a
# package already unpacked (it has the .orglearn-complete marker) is skipped, and each package
# is unpacked into a temporary folder first, so an interrupted run never leaves half a package.
#
# Usage: bash .ci/solara_assets.sh [VENV]   (default: $ORGLEARN_VENV or the clone's .venv)
# The packages and their versions are read from the installed Solara's templates and components
# by ui/assets.py (run as a plain script: it needs only the standard library).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-${ORGLEARN_VENV:-$root/.venv}}"
dest="$venv/share/solara/cdn"

SOLARA_ASSET_PACKAGES=()
while IFS= read -r line; do
    [ -n "$line" ] && SOLARA_ASSET_PACKAGES+=("$line")
done < <("$venv/bin/python" "$root/ui/assets.py")
if [ "${#SOLARA_ASSET_PACKAGES[@]}" -eq 0 ]; then
    echo "Could not list Solara's front-end packages (is solara installed in $venv?)" >&2
    exit 1
fi

missing=()
for spec in "${SOLARA_ASSET_PACKAGES[@]}"; do
    [ -f "$dest/$spec/.orglearn-complete" ] || missing+=("$spec")
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing npm (Debian) to fetch Solara's front-end assets ..." >&2
        apt-get update -qq >/dev/null && apt-get install -y -qq npm >/dev/null
    else
        echo "Solara's front-end assets need npm; install Node.js (npm) and run $0 again." >&2
        exit 1
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
for spec in "${missing[@]}"; do
    echo "Fetching Solara front-end package $spec (npm pack) ..." >&2
    (cd "$work" && npm pack --silent "$spec" >"$work/name") || {
        echo "npm pack $spec failed" >&2
        exit 1
    }
    tarball="$work/$(tail -n 1 "$work/name")"
    staging="$work/unpacked"
    rm -rf "$staging" && mkdir -p "$staging"
    # npm tarballs hold one top folder (usually package/): drop it.
    tar -xzf "$tarball" -C "$staging" --strip-components=1 --no-same-owner
    touch "$staging/.orglearn-complete"
    mkdir -p "$(dirname "$dest/$spec")"
    rm -rf "$dest/$spec"
    mv "$staging" "$dest/$spec"
    rm -f "$tarball"
done
echo "Solara front-end assets are in $dest" >&2
