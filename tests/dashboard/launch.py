"""Start `estimator dashboard` the way a user does (a child process, its stdout read for the
URL) and make sure nothing it started outlives the test."""

from __future__ import annotations

import contextlib
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from estimator import procs
from estimator.views.launcher import free_port

START_TIMEOUT_S = 90.0


@dataclass
class Cli:
    proc: subprocess.Popen[bytes]
    url: str
    lines: list[str] = field(default_factory=list)

    def streamlit(self) -> list[psutil.Process]:
        """The dashboard server(s) the CLI started."""
        return [p for p in procs.descendants(self.proc.pid) if "streamlit" in " ".join(_cmdline(p))]


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def _reader(stream: object, out: queue.Queue[str | None]) -> None:
    assert hasattr(stream, "readline")
    for raw in iter(stream.readline, b""):
        out.put(raw.decode(errors="replace").rstrip("\n"))
    out.put(None)


@contextlib.contextmanager
def cli_dashboard(
    results: Path,
    *,
    estimator: Sequence[str] = (sys.executable, "-m", "estimator"),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[Cli]:
    """`python -m estimator dashboard --results RESULTS --port <free>` (or another `estimator`
    command, e.g. an installed one) until it prints its URL; on exit the whole process group
    is stopped (whatever the test did to it)."""
    port = free_port("127.0.0.1")
    argv = [*estimator, "dashboard", "--results", str(results), "--port", str(port)]
    lines: queue.Queue[str | None] = queue.Queue()
    proc = procs.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    reader = threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True)
    drain = threading.Thread()
    try:
        reader.start()
        seen: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT_S
        url = None
        while url is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no URL printed within {START_TIMEOUT_S} s: {seen}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"estimator dashboard exited ({proc.wait()}): {seen}")
            seen.append(line)
            if line.startswith("estimator dashboard: http://"):
                url = line.split(": ", 1)[1].strip()
        cli = Cli(proc=proc, url=url, lines=seen)
        drain = threading.Thread(target=_drain, args=(lines, seen), daemon=True)
        drain.start()
        yield cli
    finally:
        procs.stop(proc)
        reader.join(timeout=10)  # the pipe reaches EOF once the group is gone
        if drain.is_alive():  # it ends at the reader's end-of-stream marker
            drain.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _drain(lines: queue.Queue[str | None], into: list[str]) -> None:
    while (line := lines.get()) is not None:
        into.append(line)


def leftovers(pids: list[int]) -> list[int]:
    """Those of `pids` still running (zombies count as gone)."""
    alive = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
    return alive
