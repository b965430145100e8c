"""Where estimator finds the programs it runs (uv, …): beside its own interpreter first, then
on PATH.

uv is a dependency of the package, so it lands in the same `bin/` as the interpreter that
runs estimator: the project's `.venv/bin`, or the venv `uv tool install` / `pipx install`
made. That directory is `sys.executable`'s, taken as is: resolving the venv's `python`
symlink would land in the base interpreter's `bin/`, which is not ours and may hold anything.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def own_bin_dir() -> Path:
    """The `bin/` of the interpreter running estimator (a venv's, not its base's)."""
    return Path(sys.executable).parent


def find_tool(name: str) -> str | None:
    """`name` beside our interpreter, else the first on PATH, else None."""
    beside = own_bin_dir() / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def find_uv() -> str | None:
    """The uv estimator installs environments and interpreters with."""
    return find_tool("uv")
