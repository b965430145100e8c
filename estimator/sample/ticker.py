"""A function called every `interval_s` on a daemon thread, until stopped: the clock of the
samplers (`sampler.Sampler`, `slots.SlotSampler`).

A tick that takes longer than the interval is an *overrun*: the next starts at once, and the
schedule restarts from there. An exception ends the thread and is kept in `error`, for the
owner to surface. `cpus` pins the thread (Linux affinity is per thread), so it never runs on
the server's CPUs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable


class Ticker:
    def __init__(
        self,
        tick: Callable[[], None],
        interval_s: float,
        *,
        name: str,
        cpus: Iterable[int] | None = None,
    ) -> None:
        self.tick = tick
        self.interval_s = interval_s
        self.name = name
        self.cpus = set(cpus) if cpus else None
        self.overruns = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        if self.cpus is not None:
            os.sched_setaffinity(0, self.cpus)  # this thread only
        next_at = time.monotonic()
        while not self._stop.is_set():
            try:
                self.tick()
            except BaseException as exc:  # kept for the owner, who raises or reports it
                self.error = exc
                return
            next_at += self.interval_s
            delay = next_at - time.monotonic()
            if delay < 0:
                self.overruns += 1
                next_at = time.monotonic()
                delay = 0.0
            self._stop.wait(delay)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self.name} thread is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> bool:
        """Stop and join the thread; False when it was not running."""
        thread, self._thread = self._thread, None
        if thread is None:
            return False
        self._stop.set()
        thread.join()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
