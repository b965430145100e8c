"""Fake interpreters: executables that answer the probe with a recorded JSON, so discovery,
parsing, caching and dedupe are tested without real Pythons."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from estimator.interpreters import Interpreter
from estimator.interpreters.facts import parse_probe

# Recorded from this machine's interpreters (trimmed flags).
CPYTHON_312 = {
    "implementation": "cpython",
    "version_info": [3, 12, 1, "final", 0],
    "executable": "/root/.pyenv/versions/3.12.1/bin/python3.12",
    "prefix": "/root/.pyenv/versions/3.12.1",
    "base_prefix": "/root/.pyenv/versions/3.12.1",
    "py_gil_disabled": None,
    "py_debug": 0,
    "gettotalrefcount": False,
    "abiflags": "",
    "soabi": "cpython-312-x86_64-linux-gnu",
    "config_args": "'--prefix=/root/.pyenv/versions/3.12.1' '--enable-shared'",
    "cflags": "-DNDEBUG -g -O3 -Wall -std=c11",
    "ldflags": "",
    "cc": "gcc",
    "platform": "linux",
    "gil_enabled": None,
}


def probe_output(**changes: Any) -> dict[str, Any]:
    out = dict(CPYTHON_312)
    out.update(changes)
    return out


def cpython(version: str, **changes: Any) -> dict[str, Any]:
    major, minor, micro = (int(x) for x in version.split("."))
    return probe_output(version_info=[major, minor, micro, "final", 0], **changes)


FREE_THREADED_314 = cpython(
    "3.14.4", py_gil_disabled=1, gil_enabled=False, abiflags="t", sys_jit=[False, False]
)
JIT_314 = cpython(
    "3.14.4",
    sys_jit=[True, False],
    config_args="'--prefix=/root/.pyenv/versions/3.14.4' '--enable-experimental-jit=yes-off'",
)
PYPY_39 = {
    "implementation": "pypy",
    "version_info": [3, 9, 16, "final", 0],
    "executable": "/usr/bin/pypy3",
    "prefix": "/usr/lib/pypy3.9",
    "base_prefix": "/usr/lib/pypy3.9",
    "py_gil_disabled": None,
    "py_debug": None,
    "gettotalrefcount": False,
    "abiflags": "",
    "soabi": "pypy39-pp73",
    "config_args": "",
    "cflags": "",
    "ldflags": "",
    "cc": "gcc",
    "platform": "linux",
    "gil_enabled": None,
    "pypy_version": "7.3.11",
}


def write_fake(path: Path, output: dict[str, Any] | str, *, exit_code: int = 0) -> Path:
    """An executable that prints `output` (JSON) whatever its arguments, and counts its runs
    in `<path>.runs`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = output if isinstance(output, str) else json.dumps(output)
    path.write_text(
        f"#!/bin/sh\necho run >> '{path}.runs'\n/bin/cat <<'EOF'\n{text}\nEOF\nexit {exit_code}\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def runs(path: Path) -> int:
    marker = Path(f"{path}.runs")
    return len(marker.read_text().splitlines()) if marker.exists() else 0


def make_interpreter(
    path: str, output: dict[str, Any], sources: list[str] | None = None
) -> Interpreter:
    """An Interpreter model (no file) for variant tests."""
    return Interpreter(
        path=Path(path),
        real_path=Path(path),
        sources=sources or ["pyenv"],
        facts=parse_probe(output),
    )


@pytest.fixture
def fake() -> Callable[..., Path]:
    return write_fake


@pytest.fixture
def probe_cache(tmp_path: Path) -> Path:
    return tmp_path / "probe-cache"


@pytest.fixture
def no_leftover_processes() -> Iterator[None]:
    """Fails the test if it leaves a child process behind."""
    before = {p.pid for p in psutil.Process(os.getpid()).children(recursive=True)}
    yield
    left = [
        p
        for p in psutil.Process(os.getpid()).children(recursive=True)
        if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert not left, f"processes left behind: {[(p.pid, p.name()) for p in left]}"
