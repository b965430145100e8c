"""Fixtures for the launcher's tests: stdlib-only fixture apps served by the project's own
environment (it has gunicorn, uvicorn and uvicorn-worker), and a leak check."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from estimator.scenario import AppSpec
from estimator.serve import Placement

APPS_DIR = Path(__file__).resolve().parent / "apps"
SERVER_CPU = 1 if 1 in os.sched_getaffinity(0) else max(os.sched_getaffinity(0))


@pytest.fixture
def python() -> Path:
    """The project environment's interpreter (not resolved: a venv's bin/python)."""
    return Path(sys.executable)


@pytest.fixture
def fixture_app() -> AppSpec:
    return AppSpec(
        name="fixture", directory=APPS_DIR, wsgi="fixture_wsgi:app", asgi="fixture_asgi:app"
    )


@pytest.fixture
def pinned() -> Placement:
    return Placement(server_cpus=[SERVER_CPU])


def leftovers(run_dir: Path) -> list[psutil.Process]:
    """Live processes started by this test process, or belonging to the run (its directory
    in their command line or as ESTIMATOR_RUN_DIR): orphans re-parented to init count."""
    found: dict[int, psutil.Process] = {}
    for p in psutil.Process().children(recursive=True):
        found[p.pid] = p
    needle = str(run_dir.resolve())
    for p in psutil.process_iter():
        try:
            if needle in " ".join(p.cmdline()) or p.environ().get("ESTIMATOR_RUN_DIR") == needle:
                found[p.pid] = p
        except psutil.Error:
            continue
    alive = []
    for p in found.values():
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.Error:
            continue
    return alive


@pytest.fixture
def run_dir(tmp_path: Path) -> Iterator[Path]:
    """A run directory; the test fails if any process of the run is left afterwards."""
    d = tmp_path / "run"
    yield d
    left = leftovers(d)
    for p in left:  # don't let one failure leak into the next tests
        p.kill()
    assert not left, f"processes left behind: {[(p.pid, p.cmdline()) for p in left]}"


@pytest.fixture
def assert_no_leftovers(run_dir: Path) -> Callable[[], None]:
    """Check right now (inside the test, after the server's block)."""

    def check() -> None:
        left = leftovers(run_dir)
        assert not left, f"processes left behind: {[(p.pid, p.name()) for p in left]}"

    return check


def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll `cond` until it holds (True) or `timeout` passes (False): a wait, not a timing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def assert_pinned(pids: list[int], cpu: int = SERVER_CPU) -> None:
    """Every process still alive runs on `cpu` only (one that exited meanwhile is skipped:
    a master can fork a short-lived command)."""
    checked = 0
    for pid in pids:
        try:
            affinity = psutil.Process(pid).cpu_affinity()
        except psutil.NoSuchProcess:
            continue
        assert affinity == [cpu], f"process {pid} runs on CPUs {affinity}"
        checked += 1
    assert checked, "no process left to check"
