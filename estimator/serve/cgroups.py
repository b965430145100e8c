"""A cgroup per server for a CPU quota and a memory limit: v2 (`cpu.max`, `memory.max`) where
the unified hierarchy offers the controllers, else v1 (`cpu.cfs_quota_us`,
`memory.limit_in_bytes`).

The cgroup is created inside the cgroup estimator itself runs in (so the server stays under
any limit we are under), falling back to the hierarchy's root. The server's first process is
moved in before it runs any code (see `server.py`'s gate); everything it forks or spawns
inherits the cgroup. Where nothing is writable (not root, no delegation), the limits are not
applied and the notes say why: the run goes on.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from estimator.serve.placement import Placement, QuotaMechanism

PERIOD_US = 100_000
"""CFS period: the kernel default; the quota is this fraction of it."""
MIN_QUOTA_US = 1_000
_STALE = re.compile(r"^estimator-(\d+)-[0-9a-f]{8}$")


@dataclass(frozen=True)
class Hierarchy:
    version: int  # 1 or 2
    mount: Path
    controllers: frozenset[str]  # v1: the mount's; v2: those offered to our children
    own: Path  # the directory of the cgroup this process is in


def _own_paths(text: str) -> tuple[dict[str, str], str | None]:
    """`/proc/self/cgroup`: v1 controller → path, and the v2 path."""
    v1: dict[str, str] = {}
    v2: str | None = None
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            v2 = path
        for c in controllers.split(","):
            if c:
                v1[c] = path
    return v1, v2


def _join(mount: Path, mount_root: str, path: str) -> Path:
    if mount_root != "/" and path.startswith(mount_root):
        path = path[len(mount_root) :]
    return mount / path.lstrip("/")


def hierarchies(mountinfo: str | None = None, own_cgroup: str | None = None) -> list[Hierarchy]:
    """The cgroup hierarchies mounted here (empty where there are none: not Linux)."""
    try:
        if mountinfo is None:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        if own_cgroup is None:
            own_cgroup = Path("/proc/self/cgroup").read_text()
    except OSError:
        return []
    v1_paths, v2_path = _own_paths(own_cgroup)
    out: list[Hierarchy] = []
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        root, mount = fields[3], Path(fields[4])
        fstype, options = rfields[0], set(rfields[2].split(","))
        if fstype == "cgroup2" and v2_path is not None:
            own = _join(mount, root, v2_path)
            offered: set[str] = set()
            for d in {own, mount}:  # _make_child falls back to the root
                with contextlib.suppress(OSError):
                    offered.update((d / "cgroup.controllers").read_text().split())
            out.append(Hierarchy(2, mount, frozenset(offered), own))
        elif fstype == "cgroup":
            ctrls = frozenset(o for o in options if o in v1_paths)
            if ctrls:
                path = v1_paths[next(iter(ctrls))]
                out.append(Hierarchy(1, mount, ctrls, _join(mount, root, path)))
    return out


def _write(path: Path, value: str) -> None:
    with path.open("w") as fh:
        fh.write(value)


def _clean_stale(parent: Path) -> None:
    """Remove empty cgroups left by an estimator that was SIGKILLed."""
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            m = _STALE.match(entry.name)
            if m and not psutil.pid_exists(int(m.group(1))):
                with contextlib.suppress(OSError):
                    entry.rmdir()


def _make_child(h: Hierarchy, name: str, controller: str) -> tuple[Path | None, str]:
    """Create `name` under our cgroup (or the root); for v2, make sure `controller` is
    enabled for it. Returns the directory, or None and why not."""
    reasons: list[str] = []
    candidates = [h.own] if h.own == h.mount else [h.own, h.mount]
    for parent in candidates:
        _clean_stale(parent)
        child = parent / name
        try:
            child.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            reasons.append(f"cannot create {child}: {exc.strerror}")
            continue
        if h.version == 2 and not _v2_enable(parent, child, controller, reasons):
            with contextlib.suppress(OSError):
                child.rmdir()
            continue
        return child, ""
    return None, "; ".join(reasons)


def _v2_enable(parent: Path, child: Path, controller: str, reasons: list[str]) -> bool:
    def offered() -> bool:
        try:
            return controller in (child / "cgroup.controllers").read_text().split()
        except OSError:
            return False

    if offered():
        return True
    try:
        _write(parent / "cgroup.subtree_control", f"+{controller}")
    except OSError as exc:
        reasons.append(f"cannot enable the {controller} controller under {parent}: {exc.strerror}")
        return False
    if offered():
        return True
    reasons.append(f"the {controller} controller is not offered under {parent}")
    return False


@dataclass
class ServerCgroup:
    """The cgroup(s) of one server and what they enforce."""

    name: str = field(default_factory=lambda: f"estimator-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    dirs: list[Path] = field(default_factory=list)
    quota_applied: bool = False
    quota_mechanism: QuotaMechanism | None = None
    quota_us: int | None = None
    quota_period_us: int | None = None
    quota_note: str = ""
    memory_applied: bool = False
    memory_note: str = ""

    @property
    def needed(self) -> bool:
        return bool(self.dirs)

    def setup(self, placement: Placement, found: list[Hierarchy] | None = None) -> None:
        """Create the cgroup(s) and write the limits; never raises for a missing permission
        or controller (the notes say what happened)."""
        found = hierarchies() if found is None else found
        if placement.quota_cpus is not None:
            self._quota(placement, found)
            if self.quota_applied and placement.quota_cpus >= len(placement.server_cpus):
                self.quota_note = (
                    f"a quota of {placement.quota_cpus:g} CPUs is no less than the "
                    f"{len(placement.server_cpus)} pinned CPU(s): it does not limit the server"
                )
        if placement.memory_limit_mb is not None:
            self._memory(placement.memory_limit_mb, found)

    def _pick(self, found: list[Hierarchy], controller: str) -> tuple[Path | None, int, str]:
        v2 = [h for h in found if h.version == 2 and controller in h.controllers]
        v1 = [h for h in found if h.version == 1 and controller in h.controllers]
        if not v2 and not v1:
            return None, 0, f"no cgroup hierarchy here offers the {controller} controller"
        h = (v2 or v1)[0]
        existing = [d for d in self.dirs if d.is_relative_to(h.mount)]
        if existing:  # v2: one directory for both controllers
            reasons: list[str] = []
            d = existing[0]
            if h.version == 2 and not _v2_enable(d.parent, d, controller, reasons):
                return None, 2, "; ".join(reasons)
            return d, h.version, ""
        child, why = _make_child(h, self.name, controller)
        if child is not None:
            self.dirs.append(child)
        return child, h.version, why

    def _quota(self, placement: Placement, found: list[Hierarchy]) -> None:
        assert placement.quota_cpus is not None
        quota = max(MIN_QUOTA_US, round(placement.quota_cpus * PERIOD_US))
        where, version, why = self._pick(found, "cpu")
        if where is None:
            self.quota_note = f"CPU quota not applied: {why}"
            return
        try:
            if version == 2:
                _write(where / "cpu.max", f"{quota} {PERIOD_US}")
                applied = (where / "cpu.max").read_text().split() == [str(quota), str(PERIOD_US)]
                mechanism: QuotaMechanism = "cgroup-v2 cpu.max"
            else:
                _write(where / "cpu.cfs_period_us", str(PERIOD_US))
                _write(where / "cpu.cfs_quota_us", str(quota))
                applied = (where / "cpu.cfs_quota_us").read_text().strip() == str(quota)
                mechanism = "cgroup-v1 cfs_quota_us"
        except OSError as exc:
            self.quota_note = f"CPU quota not applied: writing to {where}: {exc.strerror}"
            return
        if not applied:
            self.quota_note = f"CPU quota not applied: {where} did not keep the value {quota}"
            return
        self.quota_applied, self.quota_mechanism = True, mechanism
        self.quota_us, self.quota_period_us = quota, PERIOD_US

    def _memory(self, limit_mb: int, found: list[Hierarchy]) -> None:
        where, version, why = self._pick(found, "memory")
        if where is None:
            self.memory_note = f"memory limit not applied: {why}"
            return
        limit = str(limit_mb * 1024 * 1024)
        try:
            if version == 2:
                _write(where / "memory.max", limit)
                applied = (where / "memory.max").read_text().strip() == limit
                swap = where / "memory.swap.max"
                if swap.exists():  # no swapping around the limit
                    with contextlib.suppress(OSError):
                        _write(swap, "0")
            else:
                _write(where / "memory.limit_in_bytes", limit)
                applied = (where / "memory.limit_in_bytes").read_text().strip() == limit
                memsw = where / "memory.memsw.limit_in_bytes"
                if memsw.exists():  # no swapping around the limit
                    with contextlib.suppress(OSError):
                        _write(memsw, limit)
        except OSError as exc:
            self.memory_note = f"memory limit not applied: writing to {where}: {exc.strerror}"
            return
        if not applied:  # pragma: no cover - the kernel rounds to pages; MiB are pages
            self.memory_note = f"memory limit not applied: {where} did not keep {limit} bytes"
            return
        self.memory_applied = True

    def add(self, pid: int) -> None:
        """Move `pid` into every cgroup; on failure the limits count as not applied."""
        for d in self.dirs:
            try:
                _write(d / "cgroup.procs", str(pid))
            except OSError as exc:
                note = f"not applied: moving the server into {d} failed: {exc.strerror}"
                if self.quota_applied:
                    self.quota_applied, self.quota_note = False, f"CPU quota {note}"
                if self.memory_applied:
                    self.memory_applied, self.memory_note = False, f"memory limit {note}"

    def pids(self) -> list[int]:
        out: list[int] = []
        for d in self.dirs:
            with contextlib.suppress(OSError, ValueError):
                out += [int(p) for p in (d / "cgroup.procs").read_text().split()]
        return sorted(set(out))

    def remove(self, timeout: float = 5.0) -> list[Path]:
        """Kill whatever is still inside (our server's descendants only), then remove the
        directories. Returns those that could not be removed."""
        deadline = time.monotonic() + timeout
        left: list[Path] = []
        for d in self.dirs:
            while True:
                for pid in self.pids():
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                        left.append(d)
                        break
                    time.sleep(0.02)
        self.dirs = []
        return left
