"""Starting a test server on loopback: a free port, and waiting until it answers."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(
    url: str, log: Path, proc: subprocess.Popen[bytes] | None = None, timeout_s: float = 60.0
) -> None:
    """Return once `url` answers 200; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert proc is None or proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not start: " + log.read_text()
        time.sleep(0.05)
