"""Server CPU time in nanoseconds over a window, for a whole process tree.

The kernel keeps each task's time on CPU in nanoseconds (`sum_exec_runtime`, field 1 of
/proc/PID/task/TID/schedstat). Per process, the sum of that over all its threads, including
threads that already exited, is the process's CPU-time clock (`clock_gettime` on the
CPUCLOCK_SCHED clock of the PID: no permission needed, nanoseconds, the same counter). That is
what is read here, per process; where the clock can't be read (not Linux, a zombie), the sum of
field 1 of `/proc/PID/task/*/schedstat` over its live threads is used instead (threads that
exited earlier are then missing: `source` says which).

A window's CPU (`CpuAccount`) is the sum over every process seen in the server's tree of
(last reading − first reading), where
- a process present at the start counts from its reading at the start;
- a process born during the window (created after the start reading) counts from zero: its
  counter started at zero;
- a process that vanished before the end counts up to its last reading (the sampler reads the
  tree while the window runs, so at most one sampling interval of its CPU is lost).
Processes are told apart by (pid, creation time), so a reused PID is another process.

Readings are taken by the orchestrator right before a window starts and right after it drained
(the server is idle at both ends), so the window's CPU is counted whole, not interpolated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Iterable
from typing import Literal, NamedTuple

import psutil
from pydantic import Field

from estimator._model import Model

CpuSource = Literal["process-clock", "schedstat"]
CPUCLOCK_SCHED = 2
BIRTH_SLACK_S = 0.02
"""A process created up to this long before the start reading (creation times have clock-tick
resolution) that the start reading missed still counts from its first reading, not from 0."""


class ProcKey(NamedTuple):
    pid: int
    created: float
    """creation time, epoch seconds (psutil's create_time, rounded to 10 ms)."""


class CpuSnapshot(NamedTuple):
    at: float
    """epoch seconds when the reading was taken"""
    readings: dict[ProcKey, int]
    source: CpuSource
    root: int | None = None
    """the tree's root PID (a server's master)"""


class ProcessCpu(Model):
    """One process's CPU over a window."""

    pid: int
    created: float = Field(description="creation time, epoch seconds (10 ms resolution)")
    cpu_ns: int = Field(ge=0)
    worker: bool = Field(
        description="a worker (serves requests), not the master or a helper process"
    )


class CpuWindow(Model):
    """Server CPU over one window, counted in nanoseconds (see the module docstring)."""

    t0: float
    t1: float
    cpu_ns: int
    processes: int
    born: int
    vanished: int
    source: CpuSource
    per_process: list[ProcessCpu] = Field(
        default_factory=list,
        description="each process's share of cpu_ns (empty: recorded before it was kept)",
    )

    def workers(self) -> list[ProcessCpu]:
        """The worker processes' readings, busiest first."""
        return sorted((p for p in self.per_process if p.worker), key=lambda p: -p.cpu_ns)

    @property
    def cpu_s(self) -> float:
        return self.cpu_ns / 1e9


def process_clock_ns(pid: int) -> int | None:
    """The process's CPU time (all threads, exited ones included), ns; None if unreadable."""
    clock = ((~pid) << 3) | CPUCLOCK_SCHED
    try:
        return time.clock_gettime_ns(clock)
    except (OSError, OverflowError, ValueError):
        return None


def schedstat_ns(pid: int) -> int | None:
    """Σ field 1 of /proc/PID/task/*/schedstat over the live threads; None if unreadable."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread exited meanwhile
    return total


SAME_PROCESS_S = 0.05
"""Creation times of one PID this close are one process read twice."""


def key_of(pid: int, created: float) -> ProcKey:
    return ProcKey(pid, round(created, 2))


def read_tree(root: int) -> CpuSnapshot:
    """A reading of `root` and every live descendant."""
    at = time.time()
    readings: dict[ProcKey, int] = {}
    source: CpuSource = "process-clock"
    try:
        top = psutil.Process(root)
        members = [top, *top.children(recursive=True)]
    except psutil.Error:
        return CpuSnapshot(at, readings, source, root)
    for proc in members:
        try:
            created = proc.create_time()
        except psutil.Error:
            continue
        ns = process_clock_ns(proc.pid)
        if ns is None:
            ns = schedstat_ns(proc.pid)
            if ns is None:
                continue
            source = "schedstat"
        readings[key_of(proc.pid, created)] = ns
    return CpuSnapshot(at, readings, source, root)


class CpuAccount:
    """One window's CPU from a start reading, readings taken meanwhile, and an end reading."""

    def __init__(self, start: CpuSnapshot) -> None:
        self.start = start
        self._first: dict[ProcKey, int] = dict(start.readings)
        self._last: dict[ProcKey, int] = dict(start.readings)
        self._source: CpuSource = start.source

    def _same(self, key: ProcKey) -> ProcKey:
        """The key this window already knows for the same process: its creation time read
        another time can round to another hundredth (the same PID reused within
        SAME_PROCESS_S is not a case a window can tell apart)."""
        if key in self._first:
            return key
        for known in self._first:
            if known.pid == key.pid and abs(known.created - key.created) <= SAME_PROCESS_S:
                return known
        return key

    def observe(self, readings: Iterable[tuple[ProcKey, int]]) -> None:
        """Readings taken while the window ran (any order; counters only grow)."""
        for raw, ns in readings:
            key = self._same(raw)
            if key not in self._first:
                born = key.created > self.start.at - BIRTH_SLACK_S
                self._first[key] = 0 if born else ns
                self._last[key] = ns
            else:
                self._first[key] = min(self._first[key], ns)
                self._last[key] = max(self._last[key], ns)

    def close(self, end: CpuSnapshot, workers: Collection[int] | None = None) -> CpuWindow:
        """The window's CPU. `workers`: the PIDs that serve requests (a gunicorn master's
        workers, not the master itself nor a helper such as multiprocessing's resource
        tracker), for the per-process readings; None: every process but the root (when it
        has others beside it)."""
        self.observe(end.readings.items())
        source = "schedstat" if "schedstat" in (self._source, end.source) else "process-clock"
        spent = {k: max(0, self._last[k] - self._first[k]) for k in self._first}
        born = sum(1 for k in self._first if k not in self.start.readings)
        at_end = {self._same(k) for k in end.readings}
        vanished = sum(1 for k in self._first if k not in at_end)
        root = self.start.root if self.start.root is not None else end.root
        alone = all(k.pid == root for k in spent)
        per_process = [
            ProcessCpu(
                pid=k.pid,
                created=k.created,
                cpu_ns=ns,
                worker=(k.pid in workers) if workers is not None else (alone or k.pid != root),
            )
            for k, ns in sorted(spent.items())
        ]
        return CpuWindow(
            t0=self.start.at,
            t1=end.at,
            cpu_ns=sum(spent.values()),
            processes=len(self._first),
            born=born,
            vanished=vanished,
            source=source,
            per_process=per_process,
        )
