"""Secrets: what of a process environment may be stored or shown, and what children inherit.

- `redact_env(env, public)`: values of an app's `env` are kept only for names on
  `HARMLESS_ENV` (settings that say how the app runs, never credentials) or that the app
  marks `public_env`; every other value becomes `REDACTED`. The store, `server.json` in a
  run directory, `show --json` and reports only ever see redacted environments.
- `scrub(text, secrets)`: the same values cut out of free text (an app's error message or
  log that printed its own DATABASE_URL).
- `child_env(pass_env)`: the minimal environment of the code estimator runs for the user
  (setup commands, the locustfile): `MINIMAL_ENV` plus the names the app lists in `pass_env`,
  nothing else of estimator's own environment (no cloud credentials, no tokens).
- `seal(path)`: a run directory readable by its owner only (0700 folders, 0600 files).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

REDACTED = "***"

HARMLESS_ENV = frozenset(
    {
        # how the app is configured, not with what credentials
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_CONFIGURATION",
        "FLASK_APP",
        "FLASK_ENV",
        "FLASK_DEBUG",
        "DEBUG",
        "ENV",
        "ENVIRONMENT",
        "APP_ENV",
        "APP_MODULE",
        "LOG_LEVEL",
        "LOGLEVEL",
        "WEB_CONCURRENCY",
        # the interpreter's own switches
        "PYTHONHASHSEED",
        "PYTHONOPTIMIZE",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED",
        "PYTHONMALLOC",
        "PYTHONWARNINGS",
        "PYTHONUTF8",
        "PYTHONIOENCODING",
        "PYTHON_JIT",
        "PYTHON_GIL",
        "PYTHONPATH",
        "VIRTUAL_ENV",
        # locale, time, paths estimator sets
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "HOME",
        "TMPDIR",
        "PATH",
        "ESTIMATOR_RUN_DIR",
        "ESTIMATOR_WORKER_FACTS_DIR",
        "ESTIMATOR_CINDERX",
    }
)
"""Names whose values are stored and shown as they are (docs/reliability.md lists them)."""

MINIMAL_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME")
"""What setup commands and the locustfile inherit from estimator's environment, besides the
names an app lists in `pass_env` (and PYTHONPATH, so estimator's own modules import)."""

_MIN_SECRET_LEN = 4  # shorter values ("1", "on") would cut ordinary words out of messages


def is_public(name: str, public: Iterable[str] = ()) -> bool:
    return name in HARMLESS_ENV or name in set(public)


def redact_env(env: Mapping[str, str], public: Iterable[str] = ()) -> dict[str, str]:
    """`env` with every value not known to be harmless replaced by `REDACTED`."""
    shown = set(public)
    return {k: v if is_public(k, shown) else REDACTED for k, v in env.items()}


def secret_values(env: Mapping[str, str], public: Iterable[str] = ()) -> list[str]:
    """The values `redact_env` hides, longest first (for `scrub`)."""
    shown = set(public)
    values = {v for k, v in env.items() if not is_public(k, shown) and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str]) -> str:
    for value in secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def child_env(
    pass_env: Iterable[str] = (), extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The minimal environment for user code estimator starts (see `MINIMAL_ENV`)."""
    names = [*MINIMAL_ENV, "PYTHONPATH", *pass_env]
    env = {k: os.environ[k] for k in names if k in os.environ}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", "C.UTF-8")
    env.update(extra or {})
    return env


def seal(path: Path) -> None:
    """Owner-only permissions on `path` and everything under it (0700 folders, 0600 files);
    entries that vanish or can't be changed meanwhile are skipped."""
    if not path.exists():
        return
    for root, dirs, files in os.walk(path):
        _chmod(Path(root), 0o700)
        for name in files:
            file = Path(root) / name
            if not file.is_symlink():
                _chmod(file, 0o600)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def private_dir(path: Path) -> Path:
    """`path` created (with its parents) and made owner-only."""
    path.mkdir(parents=True, exist_ok=True)
    _chmod(path, 0o700)
    return path
