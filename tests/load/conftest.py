"""A tiny WSGI server for the tests that need something to load (tests/load/tiny_app.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from estimator import procs

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def tiny_server(tmp_path: Path) -> Iterator[str]:
    """tiny_app under gunicorn (1 worker) on a free loopback port: its URL, once it answers."""
    port = _free_port()
    argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1"]
    argv += ["--chdir", str(HERE), "tiny_app:app"]
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out, procs.running(argv, stdout=out, stderr=subprocess.STDOUT):
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start: " + log.read_text()
            time.sleep(0.05)
        yield url
