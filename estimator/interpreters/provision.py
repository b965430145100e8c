"""One virtual environment per (interpreter, requirements, variant packages), reused by key.

The key hashes the interpreter (real path, binary mtime/size, build facts), the requirement
files' *content* (following `-r`/`-c` includes), the specifiers, the project's build files, the
variant's extra packages (cinderx), the setup commands and the worker-facts hook. An
environment is built in a temporary directory next to its final place and renamed only when
complete (its `estimator-env.json` written last), so a crash never leaves a half environment
that looks ready. A file lock per key makes concurrent provisioning safe. uv is used when
present (`uv venv` + `uv pip install`, `UV_PYTHON_DOWNLOADS=never`), `venv` + pip otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from estimator import paths
from estimator.errors import ProvisionError
from estimator.interpreters.environment import Environment, Installer, RequirementSet
from estimator.interpreters.envkey import environment_key
from estimator.interpreters.variants import ResolvedVariant
from estimator.interpreters.venvbuild import EnvBuild, relocate, venv_python
from estimator.interpreters.worker_facts import hook_fingerprint
from estimator.redact import redact_env
from estimator.tools import find_uv

MARKER = "estimator-env.json"
INSTALL_TIMEOUT_S = 1800.0

__all__ = ["MARKER", "Environment", "RequirementSet", "environment_key", "provision"]


def pick_installer(preference: Literal["auto", "uv", "pip"] = "auto") -> tuple[Installer, str]:
    """('uv', path to uv) when available (or asked), else ('pip', '')."""
    if preference in ("auto", "uv"):
        uv = find_uv()
        if uv is not None:
            return "uv", uv
        if preference == "uv":
            raise ProvisionError("uv is not installed; install it ('pip install uv') or use pip")
    return "pip", ""


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _load_ready(final: Path) -> Environment | None:
    marker = final / MARKER
    if not marker.is_file():
        return None
    try:
        env = Environment.model_validate_json(marker.read_text())
    except (OSError, ValueError):
        return None
    return env if env.python.exists() else None


def _recorded(env: Environment) -> Environment:
    """The environment as its marker file records it: setup variables redacted."""
    req = env.requirements
    shown = req.model_copy(update={"setup_env": redact_env(req.setup_env)})
    return env.model_copy(update={"requirements": shown})


def provision(
    resolved: ResolvedVariant,
    requirements: RequirementSet,
    *,
    cache: Path | None = None,
    installer: Literal["auto", "uv", "pip"] = "auto",
    timeout: float = INSTALL_TIMEOUT_S,
) -> Environment:
    """The ready environment for `resolved` with `requirements` installed: reused when its
    key matches, built otherwise. ProvisionError names the interpreter and the package that
    failed (the sweep goes on with the other variants)."""
    kind, uv = pick_installer(installer)
    envs = paths.envs_dir() if cache is None else cache
    key = environment_key(resolved, requirements, kind)
    final = envs / key
    with _locked(envs / ".locks" / f"{key}.lock"):
        ready = _load_ready(final)
        if ready is not None:
            return ready.model_copy(update={"variant": resolved})
        logs = envs / ".logs"
        logs.mkdir(parents=True, exist_ok=True)
        tmp = envs / f".tmp-{key}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        log_path = logs / f"{key}.log"
        start = time.monotonic()
        try:
            build = EnvBuild(resolved, requirements, kind, uv, tmp, log_path, timeout, key)
            packages, site = build.run()
            relocate(tmp, final)
            env = Environment(
                path=final,
                python=venv_python(final),
                key=key,
                variant=resolved,
                installer=kind,
                packages=packages,
                site_packages=final / site.resolve().relative_to(tmp.resolve()),
                requirements=requirements,
                created_at=time.time(),
                build_seconds=round(time.monotonic() - start, 2),
                hook=hook_fingerprint(),
            )
            (tmp / MARKER).write_text(_recorded(env).model_dump_json(indent=2))
            if final.exists():  # a stale or broken one: out of the way, then remove
                trash = envs / f".trash-{key}-{os.getpid()}"
                final.rename(trash)
                shutil.rmtree(trash, ignore_errors=True)
            tmp.rename(final)
            return env
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
