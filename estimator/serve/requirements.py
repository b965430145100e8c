"""The server packages an environment needs for the server kinds it will run.

Lower bounds only: the installer picks the newest release that supports the interpreter
(gunicorn 23.0 and uvicorn 0.39 on Python 3.9/PyPy, newer ones on 3.10+), and an app that pins
its own server version keeps it. The launcher records the versions it ran
(`ServerLaunch.server_versions`), so results never mix them up silently.
"""

from __future__ import annotations

from collections.abc import Iterable

from estimator.errors import ProvisionError
from estimator.scenario import ServerKind

MIN_PYTHON = (3, 8)

SPECIFIERS: dict[str, str] = {
    # 23.0: the HTTP/1.1 parser fixes (request smuggling); the last release for Python < 3.10
    "gunicorn": "gunicorn>=23",
    "uvicorn": "uvicorn>=0.30",
    # the maintained home of uvicorn.workers.UvicornWorker (deprecated in uvicorn itself)
    "uvicorn-worker": "uvicorn-worker>=0.2",
}

PACKAGES: dict[str, tuple[str, ...]] = {
    "gunicorn-sync": ("gunicorn",),
    "gunicorn-gthread": ("gunicorn",),
    "gunicorn-uvicorn": ("gunicorn", "uvicorn", "uvicorn-worker"),
    "uvicorn": ("uvicorn",),
}


def server_requirements(
    kinds: Iterable[ServerKind], *, python_version: tuple[int, int], implementation: str
) -> list[str]:
    """Requirement specifiers (sorted, each once) for running `kinds` on that interpreter."""
    kinds = list(kinds)
    unknown = sorted(k for k in kinds if k not in PACKAGES)
    if unknown:
        raise ProvisionError(f"server kind(s) {unknown} are unknown; use one of {sorted(PACKAGES)}")
    if kinds and tuple(python_version) < MIN_PYTHON:
        version = ".".join(map(str, python_version))
        raise ProvisionError(
            f"{implementation} {version} is too old for the servers ({SPECIFIERS['gunicorn']} "
            f"and {SPECIFIERS['uvicorn']} need Python {'.'.join(map(str, MIN_PYTHON))}+); "
            "use a newer interpreter"
        )
    names = {name for kind in kinds for name in PACKAGES[kind]}
    return sorted(SPECIFIERS[n] for n in names)
