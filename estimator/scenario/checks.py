"""Checks of scenario values that the types alone don't say: environment names, argv lists,
requirement specifiers, control characters, upper bounds. Each raises `ValueError` with the
fix (pydantic turns it into one line naming the key)."""

from __future__ import annotations

import re

ENV_KEY = re.compile(r"^[^=\x00-\x1f\x7f\s]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DAY_S = 86_400.0
"""Upper bound of every duration: longer is a typo (or `1e300`), not a plan."""
MAX_RPS = 10_000_000.0
SERVER_ENV_PREFIXES = ("GUNICORN_", "UVICORN_", "GRANIAN_")
"""Environment variables servers read as options (gunicorn: GUNICORN_CMD_ARGS, e.g.
'--daemon'; uvicorn and granian: one per option, e.g. UVICORN_UDS, UVICORN_RELOAD)."""


def no_control(v: str, what: str) -> str:
    if CONTROL.search(v):
        raise ValueError(f"{what} contains a control character (newline, tab, NUL…); remove it")
    return v


def env(v: dict[str, str]) -> dict[str, str]:
    for key, value in v.items():
        if not ENV_KEY.match(key):
            raise ValueError(f"env name {key!r}: no '=', spaces or control characters")
        if "\0" in value:
            raise ValueError(f"env {key}: the value contains a NUL character; remove it")
        if key.upper().startswith(SERVER_ENV_PREFIXES):
            raise ValueError(
                f"env {key}: the server would read it as options (bind address, daemon mode…), "
                "which the launcher sets; use the server config's extra_args instead"
            )
    return v


def env_names(v: list[str]) -> list[str]:
    bad = [k for k in v if not ENV_KEY.match(k)]
    if bad:
        raise ValueError(f"{bad}: give variable names (no '=', spaces or control characters)")
    return v


def setup(v: list[list[str]]) -> list[list[str]]:
    for argv in v:
        if not argv or not argv[0].strip():
            raise ValueError("a setup command is an argv list with a program first")
        if any("\0" in a for a in argv):
            raise ValueError(f"setup command {argv!r} contains a NUL character")
    return v


def packages(v: list[str]) -> list[str]:
    for spec in v:
        no_control(spec, f"package {spec!r}")
        if not spec.strip() or spec.lstrip().startswith("-"):
            raise ValueError(
                f"package {spec!r}: give a requirement specifier (e.g. 'redis>=5'), "
                "not an installer option"
            )
    return v
