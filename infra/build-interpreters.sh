#!/usr/bin/env bash
# Optional, slow (minutes per build on 2 cores): install the CPython builds the comparison
# needs beyond the preinstalled 3.10-3.13 GIL builds: 3.14.4 (JIT compiled in, off by
# default), 3.14.4t (free-threaded), and 3.13.15 + 3.13.15t (a GIL and a free-threaded build
# of the same release, so 3.13 vs 3.13t compares like for like). Not part of `make test`.
#
# Where uv can download (UV_PYTHON_DOWNLOADS not 'never'), `estimator interpreters install`
# uses `uv python install`; here it builds with pyenv's python-build from Debian's source
# packages, checking each tarball's sha256. Existing builds are kept (pass --force to redo).
# Versions are pinned to the ones this machine's Debian mirror serves (see
# docs/interpreters.md); pass others as arguments, e.g. `infra/build-interpreters.sh 3.14t`.
# Add --optimized for PGO+LTO builds (much slower).
set -euo pipefail
cd "$(dirname "$0")/.."
./infra/setup.sh
if [ $# -eq 0 ]; then
    set -- 3.14.4 3.14.4t 3.13.15 3.13.15t
fi
exec .venv/bin/estimator interpreters install "$@"
