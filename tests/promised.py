"""The one place a test may give up for want of something on the machine.

Two kinds of missing things, two outcomes:

- what the README's setup (`./infra/setup.sh`, run by `make test` and `make demo`) installs or
  requires: uv (in .venv/bin), Debian's pypy3, wrk, chromium and openssh-server (the
  `calibrate --ssh` test starts its own sshd on loopback), and the CPython >= 3.11 the
  project's .venv was made from. Missing, the test FAILS with a message naming the setup step
  (`require_*`): a green CI run never hides a tool the README promises.
- what setup does not promise (other CPython minors, builds from `make interpreters` such as
  3.14 / 3.14t / JIT / CinderX, writable cgroups, IPv6 loopback, git, a free port 8501): the
  test is SKIPPED with the reason (`skip_unpromised`); pytest's `-ra` (pyproject addopts) lists
  every skip and its reason at the end of the run.

tests/test_skip_policy.py fails if any test calls `pytest.skip`, `pytest.importorskip` or a
skip marker directly instead of going through this module.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest

from estimator.tools import find_uv

SETUP = "./infra/setup.sh (run by `make test` / `make demo`)"

PYPY = Path("/usr/bin/pypy3")
CHROMIUM = Path("/usr/lib/chromium/chromium")
PROJECT_CPYTHON = f"cpython-{sys.version_info.major}.{sys.version_info.minor}"
"""The CPython the project's .venv was made from: setup requires it."""


def missing_promised(what: str, how: str = SETUP) -> NoReturn:
    """Fail: `what` is something setup installs (or requires) and it is not here."""
    pytest.fail(f"{what} is missing; {how} installs it", pytrace=False)


def skip_unpromised(reason: str) -> NoReturn:
    """Skip: the test needs something setup does not promise (listed by `-ra`, at the test's
    own location rather than this line's, as a skip marker is)."""
    raise pytest.skip.Exception(f"{reason} (setup does not promise it)", _use_item_location=True)


def require_uv() -> str:
    """uv beside the project's interpreter (.venv/bin/uv: uv is a project dependency)."""
    uv = find_uv()
    if uv is None:
        missing_promised(
            f"uv (looked in {Path(sys.executable).parent} and on PATH)",
            f"{SETUP}: 'uv sync' puts it in .venv/bin as a project dependency",
        )
    return uv


def require_pypy() -> Path:
    if not PYPY.exists():
        missing_promised(f"Debian's pypy3 ({PYPY})", f"{SETUP} (apt-get install pypy3)")
    return PYPY


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        missing_promised(f"Debian's chromium ({CHROMIUM})", f"{SETUP} (apt-get install chromium)")
    return CHROMIUM


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        missing_promised("wrk", f"{SETUP} (apt-get install wrk)")
    return wrk


def is_promised_variant(variant: str) -> bool:
    """Setup promises the project's own CPython and Debian's PyPy; every other interpreter
    is whatever the machine has (or `make interpreters` built)."""
    return variant == PROJECT_CPYTHON or variant.startswith("pypy-")


def missing_variant(variant: str, detail: str = "") -> NoReturn:
    """An interpreter variant the test wants is not on this machine: a failure if setup
    promises it, else a skip."""
    what = f"{variant}{f' ({detail})' if detail else ''}"
    if is_promised_variant(variant):
        missing_promised(
            what, f"{SETUP} (it installs Debian's pypy3 and makes .venv from {PROJECT_CPYTHON})"
        )
    skip_unpromised(f"{what} is not on this machine")
