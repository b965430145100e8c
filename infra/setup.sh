#!/usr/bin/env bash
# Sets up everything estimator needs on a fresh Debian 12 machine (run as root or with sudo):
# Debian packages (PyPy + headers, wrk, Chromium), uv, and the project's virtual environment.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

export UV_PYTHON_DOWNLOADS=never
DEBIAN_PACKAGES=(pypy3 pypy3-dev wrk chromium openssh-server)

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

if ! command -v uv >/dev/null 2>&1; then
    echo "setup: installing uv"
    "$PY" -m pip install --quiet --disable-pip-version-check uv
    hash -r
fi
UV=$(command -v uv || echo "$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/uv")

"$UV" sync --quiet --python "$PY" --locked 2>/dev/null || "$UV" sync --quiet --python "$PY"
echo "setup: ready (.venv with $("$PY" --version))"
