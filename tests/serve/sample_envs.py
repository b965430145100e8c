"""Test environments for the sample-app matrix: one virtual environment per (interpreter,
app), built with uv under the cache directory and keyed by a hash of what goes in, so reruns
reuse them. (The interpreters stage's `provision()` will replace this; keep it in one place.)
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from estimator import procs
from estimator.paths import cache_dir
from estimator.scenario import AppSpec, ServerKind
from estimator.scenario.models import SERVER_INTERFACE
from estimator.serve import server_requirements
from tests.promised import missing_variant, require_uv

_SMOKE = "import struct, ssl, sqlite3, ctypes"  # what the servers and apps need


def _works(exe: Path) -> bool:
    """A complete interpreter (not one being built or installed right now)."""
    with procs.running([exe, "-I", "-c", _SMOKE], stdout=subprocess.DEVNULL) as proc:
        try:
            return proc.wait(timeout=60) == 0
        except subprocess.TimeoutExpired:
            return False


def _pyenv_candidates(minor: str) -> list[Path]:
    """pyenv's CPython builds of that minor version, newest patch first (no 't' builds)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = []
    for d in root.glob(f"versions/{minor}.*"):
        patch = d.name[len(minor) + 1 :]
        exe = d / "bin" / f"python{minor}"
        if patch.isdigit() and exe.is_file():
            found.append((int(patch), exe))
    return [exe for _, exe in sorted(found, reverse=True)]


INTERPRETERS: dict[str, tuple[str, tuple[int, int], str]] = {
    "cpython-3.11": ("3.11", (3, 11), "cpython"),
    "cpython-3.13": ("3.13", (3, 13), "cpython"),
    "pypy-3.9": ("pypy3", (3, 9), "pypy"),
}


@functools.cache
def interpreter(label: str) -> Path | None:
    """The newest working interpreter for a matrix label, or None."""
    name = INTERPRETERS[label][0]
    pypy = Path("/usr/bin/pypy3")
    candidates = ([pypy] if pypy.exists() else []) if name == "pypy3" else _pyenv_candidates(name)
    return next((exe for exe in candidates if _works(exe)), None)


ALL_KINDS: list[ServerKind] = ["gunicorn-sync", "gunicorn-gthread", "gunicorn-uvicorn", "uvicorn"]


def kinds_for(app: AppSpec) -> list[ServerKind]:
    return [k for k in ALL_KINDS if SERVER_INTERFACE[k] in app.interfaces]


def _run(argv: list[str], timeout: float = 900) -> None:
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    with procs.running(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {out.decode(errors='replace')[-2000:]}")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def environment(
    uv: str,
    interpreter: Path,
    version: tuple[int, int],
    impl: str,
    name: str,
    requirement_files: list[Path],
    packages: list[str],
) -> Path:
    """The environment's python, built if missing or if its inputs changed."""
    st = interpreter.resolve().stat()
    key = hashlib.sha256()
    inputs = [str(interpreter.resolve()), str(st.st_mtime_ns), str(st.st_size), *packages]
    for part in [*inputs, *(r.read_text() for r in requirement_files)]:
        key.update(part.encode() + b"\0")
    label = f"{name}-{impl}{version[0]}.{version[1]}-{key.hexdigest()[:12]}"
    env_dir = cache_dir() / "test-envs" / label
    python = env_dir / "bin" / "python"
    with _locked(env_dir.with_suffix(".lock")):
        if (env_dir / ".complete").exists():
            return python
        shutil.rmtree(env_dir, ignore_errors=True)
        _run([uv, "venv", "--quiet", "--python", str(interpreter), str(env_dir)])
        install = [uv, "pip", "install", "--quiet", "--python", str(python)]
        for r in requirement_files:
            install += ["-r", str(r)]
        _run([*install, *packages])
        (env_dir / ".complete").touch()
    return python


def app_environment(uv: str, interp: str, app: AppSpec) -> Path:
    """An environment for a sample app and every server kind it supports."""
    exe, (_, version, impl) = interpreter(interp), INTERPRETERS[interp]
    assert exe is not None
    servers = server_requirements(kinds_for(app), python_version=version, implementation=impl)
    reqs = [app.directory / r for r in app.requirements]
    return environment(uv, exe, version, impl, app.name, reqs, [*app.packages, *servers])


def servers_environment(uv: str, interp: str) -> Path:
    """An environment with only the servers (for the stdlib fixture apps)."""
    exe, (_, version, impl) = interpreter(interp), INTERPRETERS[interp]
    assert exe is not None
    servers = server_requirements(ALL_KINDS, python_version=version, implementation=impl)
    return environment(uv, exe, version, impl, "servers", [], servers)


def require(interp: str) -> str:
    """uv's path; a failure or a skip (tests.promised) saying what is missing."""
    if interpreter(interp) is None:
        missing_variant(interp, "not installed here, or does not run")
    return require_uv()
