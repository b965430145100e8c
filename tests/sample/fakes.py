"""Fake clock and fake processes for the sampler tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from estimator.sample.source import ProcessReading

MIB = 1024 * 1024


class FakeClock:
    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += dt


@dataclass
class FakeProcess:
    """CPU use grows linearly at `busy` CPUs (split 3:1 user:system) from `born` to `died`."""

    pid: int
    born: float
    busy: float = 0.5
    died: float | None = None
    parent: int | None = None
    uss: list[int] = field(default_factory=lambda: [40 * MIB])
    pss: list[int] = field(default_factory=lambda: [50 * MIB])
    rss: int = 60 * MIB
    threads: int = 2
    wait: float | None = 0.0  # run-queue wait per second; None: the kernel doesn't say
    reads: int = 0

    def alive(self, t: float) -> bool:
        return self.born <= t and (self.died is None or t < self.died)

    def cpu(self, t: float) -> float:
        return self.busy * (t - self.born)


class FakeProvider:
    def __init__(self, clock: FakeClock, processes: list[FakeProcess]) -> None:
        self.clock = clock
        self.processes = {p.pid: p for p in processes}
        self.descendant_calls = 0

    def add(self, proc: FakeProcess) -> None:
        self.processes[proc.pid] = proc

    def descendants(self, pid: int) -> list[int]:
        self.descendant_calls += 1
        t = self.clock()
        out: list[int] = []
        frontier = [pid]
        while frontier:
            parent = frontier.pop()
            kids = [p.pid for p in self.processes.values() if p.parent == parent and p.alive(t)]
            out.extend(kids)
            frontier.extend(kids)
        return sorted(out)

    def read(self, pid: int, *, memory: bool) -> ProcessReading | None:
        t = self.clock()
        p = self.processes.get(pid)
        if p is None or not p.alive(t):
            return None
        i = p.reads
        p.reads += 1
        cpu = p.cpu(t)
        return ProcessReading(
            create_time=p.born,
            cpu_user_s=cpu * 0.75,
            cpu_system_s=cpu * 0.25,
            rss_bytes=p.rss,
            uss_bytes=p.uss[i % len(p.uss)] if memory else None,
            pss_bytes=p.pss[i % len(p.pss)] if memory else None,
            threads=p.threads,
            ctx_voluntary=int(100 * (t - p.born)),
            ctx_involuntary=int(10 * (t - p.born)),
            run_wait_s=None if p.wait is None else p.wait * (t - p.born),
        )
