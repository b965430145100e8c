#!/usr/bin/env bash
# Sets up everything estimator needs on a fresh Debian 12 machine (run as root or with sudo):
# Debian packages (PyPy + headers, wrk, Chromium) and the project's virtual environment, with
# uv inside it (.venv/bin/uv: uv is a dependency of the project, and estimator looks for it
# beside its own interpreter first). Idempotent and quick when everything is already there.
# Fails loudly: a uv.lock that does not match pyproject.toml is an error, never re-resolved.
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_PYTHON_DOWNLOADS=never

# What the tests and the demo need from Debian (one a line; add yours).
DEBIAN_PACKAGES=(
    pypy3       # the PyPy variant
    pypy3-dev   # headers: some sample-app dependencies build C extensions on PyPy
    wrk         # the fidelity benchmark's reference load generator
    chromium    # the dashboard's browser tests
    openssh-server  # sshd for the `estimator calibrate --ssh` test (it starts its own)
)

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The project's own interpreter: the first CPython >= 3.11 we find (pyenv's builds included).
pick_python() {
    local candidates=()
    [ -n "${ESTIMATOR_PYTHON:-}" ] && candidates+=("$ESTIMATOR_PYTHON")
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    for v in 3.11 3.12 3.13; do
        for d in "$root"/versions/"$v".*; do
            [ -x "$d/bin/python$v" ] && candidates+=("$d/bin/python$v")
        done
        command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v "python$v")")
    done
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    echo "setup: no CPython >= 3.11 found; install one (e.g. pyenv install 3.11) or set ESTIMATOR_PYTHON" >&2
    return 1
}
PY=$(pick_python)

# uv to create .venv: the project's own once it exists; the first time, the version uv.lock
# pins, installed with pip into a cache directory of its own (not into $PY's scripts folder).
locked_uv_version() {
    awk '/^name = "uv"$/ { found = 1; next } found && /^version = / { gsub(/"/, "", $3); print $3; exit }' uv.lock
}
bootstrap_uv() {
    local version dir
    version=$(locked_uv_version)
    if [ -z "$version" ]; then
        echo "setup: uv.lock pins no uv version; run 'uv lock' and commit uv.lock" >&2
        return 1
    fi
    dir="${XDG_CACHE_HOME:-$HOME/.cache}/estimator/bootstrap/uv-$version"
    if [ ! -x "$dir/bin/uv" ]; then
        echo "setup: installing uv $version with pip (once, to create .venv)" >&2
        rm -rf "$dir"
        "$PY" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
            --target "$dir" "uv==$version" >&2
    fi
    echo "$dir/bin/uv"
}
if [ -x .venv/bin/uv ]; then
    UV=.venv/bin/uv
else
    UV=$(bootstrap_uv)
fi

if ! "$UV" sync --quiet --python "$PY" --locked; then
    echo "setup: 'uv sync --locked' failed (see above). If uv.lock does not match" \
        "pyproject.toml, run '.venv/bin/uv lock' (or 'uv lock') and commit uv.lock." >&2
    exit 1
fi
if [ ! -x .venv/bin/uv ]; then
    echo "setup: .venv/bin/uv is missing after 'uv sync' (uv is a project dependency)" >&2
    exit 1
fi
echo "setup: ready (.venv with $("$PY" --version), $(.venv/bin/uv --version))"
