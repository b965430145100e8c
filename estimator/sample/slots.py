"""Requests in flight in each worker, sampled many times a second while a window runs.

A sync or threaded worker (gunicorn sync, gthread) holds a connection on the server's port
from the moment it accepts it until it closes it: with a connection per request, exactly
while it serves the request; with kept-alive connections, while the client keeps it (a
threaded worker then serves only the connections it holds). So, read 25 times a second,
min(connections held, threads) is how many of the worker's slots are busy at that instant,
and its mean over a window is the slots it kept busy on average. Summed over the workers,
that is Little's law's N: throughput = busy slots ÷ time per request, whatever made some
workers idle (connections kept by the first worker to wake, or a connection per request
hashed to a worker whose queue happens to be empty). A reading at the window's end sees
none of that when connections live for one request.

Per tick: each worker's open sockets (/proc/PID/fd); a socket not seen before is classified
once, by one sock_diag dump of the connections on the port (`sockdiag`; /proc/net/tcp where
netlink is not available). Measured (`benchmarks/slot_sampler.py`, nine workers): 0.3 ms of
CPU a tick while the connections stay open, about 2 ms when they turn over (a dump nearly every
tick), so 1-5% of one CPU at 25 ticks a second; busy slots ÷ throughput came out at 51-54 ms
for requests that wait 50 ms. The thread runs in our process, which the orchestrator pins to
the load generator's CPUs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from estimator.sample.connections import established_inodes, socket_inodes
from estimator.sample.sockdiag import CONNECTED, SockDiag, open_diag
from estimator.sample.ticker import Ticker

DEFAULT_INTERVAL_S = 0.04
"""25 ticks a second: a few hundred over a cost window."""
REFRESH_EVERY = 25
"""Ticks between two listings of the workers (and at once when one is gone)."""


class SlotTick(NamedTuple):
    """One reading: connections each worker held on the port at `t`."""

    t: float
    held: dict[int, int]


class SlotUse(NamedTuple):
    """A window's mean busy slots per worker (min(connections held, threads) averaged over
    its ticks) and how many ticks that is."""

    per_worker: dict[int, float]
    ticks: int

    @property
    def total(self) -> float:
        return sum(self.per_worker.values())


def slot_use(ticks: Sequence[SlotTick], threads: int) -> SlotUse | None:
    """Mean busy slots per worker over `ticks`; a worker absent from a tick (not yet born,
    or gone) had none busy then. None without ticks."""
    if not ticks:
        return None
    pids = {pid for t in ticks for pid in t.held}
    sums = dict.fromkeys(pids, 0)
    for t in ticks:
        for pid, n in t.held.items():
            sums[pid] += min(n, threads)
    return SlotUse({pid: s / len(ticks) for pid, s in sums.items()}, len(ticks))


class Classifier:
    """Which of the sockets a worker holds are connections on the port, each socket asked
    about once (inodes are not reused soon); forgets sockets no longer held."""

    def __init__(self, port: int, diag: SockDiag | None) -> None:
        self.port = port
        self.diag = diag
        self.families = diag.listening_families(port) if diag is not None else []
        self.conn: set[int] = set()
        self.other: set[int] = set()
        self.dumps = 0

    def connections(self, held: dict[int, set[int]]) -> dict[int, int]:
        every = set().union(*held.values()) if held else set()
        unknown = every - self.conn - self.other
        if unknown:
            self.dumps += 1
            on_port = self._on_port()
            self.conn |= unknown & on_port
            self.other |= unknown - on_port
        self.conn &= every
        self.other &= every
        return {pid: len(s & self.conn) for pid, s in held.items()}

    def _on_port(self) -> set[int]:
        if self.diag is not None and self.families:
            return self.diag.inodes(self.port, CONNECTED, self.families)
        return established_inodes(self.port) or set()


class SlotSampler:
    """Reads the connections each worker holds every `interval_s` on a thread.

    slots = SlotSampler(server.port, server.worker_pids)
    slots.start(); ...; slots.stop()
    use = slot_use(slots.ticks(t0, t1), threads)
    """

    def __init__(
        self,
        port: int,
        workers: Callable[[], list[int]],
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.time,
        cpus: Sequence[int] | None = None,
    ) -> None:
        self.port = port
        self.workers = workers
        self.interval_s = interval_s
        self.clock = clock
        self._diag = open_diag()
        self.classifier = Classifier(port, self._diag)
        self._ticks: list[SlotTick] = []
        self._pids: list[int] = []
        self._n = 0
        self._lock = threading.Lock()
        self._ticker = Ticker(self.sample_once, interval_s, name="estimator-slots", cpus=cpus)

    def sample_once(self) -> None:
        if not self._pids or self._n % REFRESH_EVERY == 0:
            self._pids = self.workers()
        self._n += 1
        held: dict[int, set[int]] = {}
        for pid in self._pids:
            inodes = socket_inodes(pid)
            if inodes is None:
                self._pids = []  # gone: list the workers again next tick
                continue
            held[pid] = inodes
        now = self.clock()
        counts = self.classifier.connections(held)
        with self._lock:
            self._ticks.append(SlotTick(now, counts))

    def start(self) -> None:
        self._ticker.start()

    def stop(self) -> None:
        self._ticker.stop()

    @property
    def failed(self) -> BaseException | None:
        """What stopped the thread early (the window then has no busy slots), if anything."""
        return self._ticker.error

    def ticks(self, t0: float, t1: float) -> list[SlotTick]:
        """The ticks taken in [t0, t1]."""
        with self._lock:
            return [t for t in self._ticks if t0 <= t.t <= t1]

    def clear(self) -> None:
        with self._lock:
            self._ticks.clear()

    def close(self) -> None:
        self.stop()
        if self._diag is not None:
            self._diag.close()
            self._diag = None
