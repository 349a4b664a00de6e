# Sourced by .ci/main and .ci/test: find a Python >= 3.12, create or reuse the project's virtual
# environment, and (re)install the project whenever pyproject.toml changed since the last install.
# Set ORGLEARN_PYTHON to choose the interpreter, ORGLEARN_VENV to put the environment elsewhere.
set -euo pipefail

ORGLEARN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORGLEARN_VENV="${ORGLEARN_VENV:-$ORGLEARN_ROOT/.venv}"

_orglearn_ok() {  # is "$1" a working Python >= 3.12?
    [ -n "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

_orglearn_find_python() {
    local candidate
    for candidate in "${ORGLEARN_PYTHON:-}" python3.12 python3.13 python3; do
        if _orglearn_ok "$candidate"; then command -v "$candidate"; return 0; fi
    done
    # pyenv keeps versions it does not select; their shims answer "command not found".
    local root
    root="$( (command -v pyenv >/dev/null && pyenv root) || echo "$HOME/.pyenv")"
    for candidate in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
        if _orglearn_ok "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

if ! _orglearn_ok "$ORGLEARN_VENV/bin/python"; then
    python_bin="$(_orglearn_find_python)" || {
        echo "orglearn needs Python 3.12 or newer; none was found (set ORGLEARN_PYTHON)." >&2
        exit 1
    }
    echo "Creating $ORGLEARN_VENV with $python_bin ($("$python_bin" --version))" >&2
    rm -rf "$ORGLEARN_VENV"
    "$python_bin" -m venv "$ORGLEARN_VENV"
fi

_orglearn_stamp="$ORGLEARN_VENV/.orglearn-installed"
_orglearn_want="$(cat "$ORGLEARN_ROOT/pyproject.toml" "$ORGLEARN_ROOT/.ci/setup.sh" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$_orglearn_stamp" 2>/dev/null)" != "$_orglearn_want" ]; then
    echo "Installing orglearn and its dependencies into $ORGLEARN_VENV (log: $ORGLEARN_VENV/install.log) ..." >&2
    if ! { "$ORGLEARN_VENV/bin/python" -m pip install --upgrade pip \
           && "$ORGLEARN_VENV/bin/python" -m pip install -e "$ORGLEARN_ROOT[test]"; } \
           >"$ORGLEARN_VENV/install.log" 2>&1; then
        tail -n 40 "$ORGLEARN_VENV/install.log" >&2
        echo "Installing orglearn failed; the full log is $ORGLEARN_VENV/install.log" >&2
        exit 1
    fi
    echo "$_orglearn_want" > "$_orglearn_stamp"
fi
export PATH="$ORGLEARN_VENV/bin:$PATH"

# orglearn's own bytecode, as pip writes it for an installed package: the editable install
# imports the source folders, and where PYTHONDONTWRITEBYTECODE is set (these machines) Python
# would otherwise compile them again at every start (about 0.1 CPU-s a command). Up to date
# files are skipped, so this costs nothing when nothing changed.
"$ORGLEARN_VENV/bin/python" -m compileall -q -j 0 "$ORGLEARN_ROOT"/{orglearn,simulation,agents,scenarios,experiments,validation,calibration,reports,bench,ui,cli} \
    >/dev/null 2>&1 || true

# The model's compiled kernels: numba compiles them on first use and caches them next to their
# modules (about 25 s once). Compile them here, once after each change of the kernels or the
# install, so that the first run, sweep worker or UI start does not wait.
_orglearn_kernels="$ORGLEARN_VENV/.orglearn-kernels"
_orglearn_kernels_want="$(cat "$_orglearn_stamp" "$ORGLEARN_ROOT"/simulation/*.py \
    "$ORGLEARN_ROOT"/simulation/processes/*.py | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$_orglearn_kernels" 2>/dev/null)" != "$_orglearn_kernels_want" ]; then
    echo "Compiling the model's kernels (once after a change, about 25 s) ..." >&2
    if "$ORGLEARN_VENV/bin/python" -c "from orglearn.simulation.compiled import warm_up; warm_up()" \
           >"$ORGLEARN_VENV/kernels.log" 2>&1; then
        echo "$_orglearn_kernels_want" > "$_orglearn_kernels"
    else
        tail -n 5 "$ORGLEARN_VENV/kernels.log" >&2
        echo "warning: the kernels were not compiled ahead; the first run compiles them" \
             "(see $ORGLEARN_VENV/kernels.log)" >&2
    fi
fi

# The web UI (`orglearn ui`) and its browser tests. Solara's front end is served from the venv,
# since no CDN is reachable here: `orglearn ui --install-assets` unpacks the packages Solara asks
# for from the npm registry (it only fetches what is missing), and the tests drive Debian's
# chromium (never `playwright install`).
if ! "$ORGLEARN_VENV/bin/orglearn" ui --install-assets >"$ORGLEARN_VENV/assets.log" 2>&1; then
    tail -n 5 "$ORGLEARN_VENV/assets.log" >&2
    echo "warning: Solara's front-end files were not installed; 'orglearn ui' needs them offline" \
         "(see $ORGLEARN_VENV/assets.log)" >&2
fi
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests (log: $ORGLEARN_VENV/apt.log) ..." >&2
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
        >"$ORGLEARN_VENV/apt.log" 2>&1 \
        || echo "warning: chromium could not be installed; the browser tests need /usr/bin/chromium" >&2
fi
