"""One writer per results store, and no measured cell lost when the store can't take it.

- `writer_lock(path)`: an exclusive `flock` on `<store>.lock` for as long as a `run` writes
  into the store. A second `run` on the same store is refused at once with who holds it
  (PID, since when, the command); readers (`estimate`, `report`, the dashboard) never take
  it, so a team can read a store while one of them measures into it. The kernel releases the
  lock when the process dies (even by SIGKILL): no stale lock to clean up.
- `keep_pending(path, result)`: a measured cell that could not be saved (store locked for
  too long, disk full, damaged store) is written to `<store>.pending/<run id>.json`;
  `save_pending(store)` (called by the next `run` on that store) saves and removes them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from estimator.errors import StoreError

if TYPE_CHECKING:
    from estimator.measure import RunResult
    from estimator.store.runs import Store


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def pending_dir(path: Path) -> Path:
    return path.with_name(path.name + ".pending")


def _holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(info.get("since", 0))))
    return f"pid {info['pid']} since {since} ({info.get('command', '?')})"


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the store's writer lock for the block; `StoreError` if another process has it."""
    lock = lock_path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot create the lock file {lock} ({exc.strerror}); measure into a store in a "
            "folder you can write (--results PATH)"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"results store '{path}' is being written by another `estimator run` "
                f"({_holder(fd)}); wait for it to finish, or measure into another --results "
                "PATH (two runs at once would also share the measuring CPUs)"
            ) from None
        info = {"pid": os.getpid(), "since": time.time(), "command": " ".join(sys.argv[:4])}
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def keep_pending(path: Path, result: RunResult) -> Path:
    """Write a measured result that could not be saved next to the store (0600)."""
    folder = pending_dir(path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / f"{result.id}.json"
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(result.model_dump_json())
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(target)
    return target


def save_pending(store: Store) -> list[str]:
    """Save the results an earlier run had to keep aside; returns their run ids. A file that
    doesn't parse stays where it is (named in the error of the next failure, never lost)."""
    from estimator.measure import RunResult

    folder = pending_dir(store.path)
    if not folder.is_dir():
        return []
    saved = []
    for file in sorted(folder.glob("*.json")):
        try:
            result = RunResult.model_validate_json(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not store.has_run(result.id):
            store.save(result, keep=False)
        file.unlink()
        saved.append(result.id)
    with contextlib.suppress(OSError):
        folder.rmdir()
    return saved
