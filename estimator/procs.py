"""Start and stop child processes so that none outlives us.

Every child runs in its own session (its PID is its process-group ID) and, by default, gets
SIGTERM from the kernel if the thread that started it dies (`PR_SET_PDEATHSIG`), so even a
SIGKILL of estimator leaves nothing behind. Every child starts with the default SIGINT
disposition: an ignored signal survives `exec`, so a tool started as a background job of a
non-interactive shell (SIGINT ignored) would otherwise pass that on, and a child that must
react to Ctrl-C (the CLI a test drives, a server) would not. `stop()` signals the whole
group, waits, escalates to SIGKILL and reaps; it also kills descendants that left the group
(a daemonizing child). Modelled on pyperf's manager: kill-and-wait on any exception.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import psutil

_PR_SET_PDEATHSIG = 1
_libc: Any = None
with contextlib.suppress(OSError):  # not Linux: no parent-death signal, stop() still works
    _libc = ctypes.CDLL(None, use_errno=True)
_prctl: Any = getattr(_libc, "prctl", None)
_sigint_default: Any = None
if _libc is not None and hasattr(_libc, "signal"):
    _sigint_default = _libc.signal
    _sigint_default.argtypes = [ctypes.c_int, ctypes.c_void_p]
    _sigint_default.restype = ctypes.c_void_p


def _child_setup(die_with_parent: bool) -> Callable[[], None]:
    """What runs in the child between fork and exec: only ctypes calls, no Python locks."""
    sigint, sig_dfl = int(signal.SIGINT), 0  # SIG_DFL is the null handler

    def setup() -> None:
        if _sigint_default is not None:
            _sigint_default(sigint, sig_dfl)
        if die_with_parent and _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return setup


_affinity_lock = threading.Lock()


def spawn(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: int | IO[Any] | None = subprocess.DEVNULL,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    cpus: set[int] | None = None,
    die_with_parent: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `argv` (never through a shell) as the leader of a new process group.

    `cpus` pins the child and everything it forks to those CPUs (set on the spawning thread
    around the fork, so no `preexec_fn` Python code runs in the child). `die_with_parent`
    ties the child's life to the *calling thread*: spawn from a long-lived thread. SIGINT is
    back to its default in the child whatever our own disposition is."""
    if not argv:
        raise ValueError("spawn() needs a non-empty argv")
    preexec = _child_setup(die_with_parent)
    with _affinity_lock:
        saved = os.sched_getaffinity(0) if cpus is not None else None
        if cpus is not None:
            os.sched_setaffinity(0, cpus)
        try:
            return subprocess.Popen(  # argv list, no shell
                [os.fspath(a) for a in argv],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
                close_fds=True,
                preexec_fn=preexec,  # noqa: PLW1509 - only ctypes calls, see _child_setup
            )
        finally:
            if saved is not None:
                os.sched_setaffinity(0, saved)


def descendants(pid: int) -> list[psutil.Process]:
    """All live descendants of `pid` (empty if it is gone)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a group member we can't signal
        return True
    return True


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop(proc: subprocess.Popen[Any], timeout: float = 10.0) -> int | None:
    """SIGTERM the process group, wait up to `timeout`, SIGKILL what is left, reap.

    Returns the leader's exit code (negative: killed by that signal); None if it could not
    be reaped (should not happen)."""
    pgid = proc.pid  # leader of its own session
    strays = [p for p in descendants(proc.pid) if _pgid_of(p) != pgid]
    if proc.poll() is None or _group_alive(pgid):
        _signal_group(pgid, signal.SIGTERM)
        for p in strays:
            with contextlib.suppress(psutil.Error):
                p.terminate()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _group_alive(pgid):
                break
            time.sleep(0.02)
    if _group_alive(pgid) or proc.poll() is None:
        _signal_group(pgid, signal.SIGKILL)
    for p in strays:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(strays, timeout=timeout)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable
        return None
    finally:
        _wait_group_gone(pgid, timeout)


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _group_alive(pgid) and time.monotonic() < deadline:
        _signal_group(pgid, signal.SIGKILL)
        time.sleep(0.02)


def _pgid_of(p: psutil.Process) -> int | None:
    try:
        return os.getpgid(p.pid)
    except ProcessLookupError:
        return None


@contextlib.contextmanager
def running(
    argv: Sequence[str | os.PathLike[str]], *, stop_timeout: float = 10.0, **kwargs: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """`spawn()` as a context manager: the process group is stopped however the block ends
    (normal exit, exception, KeyboardInterrupt)."""
    proc = spawn(argv, **kwargs)
    try:
        yield proc
    finally:
        stop(proc, timeout=stop_timeout)


def marked(name: str, value: str) -> list[psutil.Process]:
    """Live processes (other than this one) whose environment has `name=value`: the ones
    started for a run, even those that daemonized out of its process group."""
    found = []
    for p in psutil.process_iter():
        if p.pid == os.getpid():
            continue
        try:
            if p.environ().get(name) == value:
                found.append(p)
        except (psutil.Error, OSError):
            continue  # gone, a zombie, or not ours to read
    return found


def stop_marked(name: str, value: str, timeout: float = 5.0) -> list[int]:
    """SIGTERM, then SIGKILL, every process `marked(name, value)`; their PIDs."""
    found = marked(name, value)
    for p in found:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(found, timeout=timeout)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=timeout)
    return [p.pid for p in found]


def describe_exit(code: int | None) -> str:
    """'exit code 3' or 'killed by SIGSEGV'."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
