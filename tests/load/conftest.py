"""A tiny WSGI server for the tests that need something to load (tests/load/tiny_app.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from estimator import procs
from tests.load.serving import free_port, wait_until_serving

HERE = Path(__file__).resolve().parent


@pytest.fixture
def tiny_server(tmp_path: Path) -> Iterator[str]:
    """tiny_app under gunicorn (1 worker) on a free loopback port: its URL, once it answers."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1"]
    argv += ["--chdir", str(HERE), "tiny_app:app"]
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out, procs.running(argv, stdout=out, stderr=subprocess.STDOUT):
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, log, timeout_s=60)
        yield url
