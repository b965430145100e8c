"""estimator.procs: children start with the default SIGINT disposition whatever ours is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from estimator import procs


@pytest.fixture
def sigint_ignored() -> Iterator[None]:
    """What a background job of a non-interactive shell gets: SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignored(pid: int) -> set[int]:
    """The signals a process ignores (/proc/PID/status, SigIgn)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            mask = int(line.split()[1], 16)
            return {n for n in range(1, 65) if mask & (1 << (n - 1))}
    raise AssertionError("no SigIgn line")


@pytest.mark.usefixtures("sigint_ignored")
@pytest.mark.parametrize("die_with_parent", [True, False])
def test_a_child_reacts_to_sigint_even_when_we_ignore_it(die_with_parent: bool) -> None:
    assert signal.SIGINT in _ignored(os.getpid())
    with procs.running(["sleep", "60"], die_with_parent=die_with_parent) as proc:
        assert signal.SIGINT not in _ignored(proc.pid)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == -signal.SIGINT


@pytest.mark.usefixtures("sigint_ignored")
def test_a_python_child_gets_keyboard_interrupt() -> None:
    code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    with procs.running([sys.executable, "-c", code], stdout=subprocess.PIPE) as proc:
        out, _ = proc.communicate(timeout=60)
    assert out.decode().strip() == "True"
