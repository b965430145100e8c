"""How evenly a server's workers shared the work, and which connections the load came on.

**Per window**, from each worker process's CPU over it (`CpuWindow.per_process`: the
nanosecond counters read before and after every window, `estimator.sample.cpu`), and the
established connections each worker held when the window ended (`sample.connections`).

Why CPU and not requests: the counters are read anyway, for any app and any server, without a
hook in the app or the server; over a window a worker's CPU is proportional to the requests it
served (every worker gets the same request mix), and an idle worker's CPU (its heartbeat and
poll timeouts) is microseconds a second. Counting requests per worker would need the server's
or the app's help; counting connections alone says nothing when each request opens its own.

- a worker's *share*: its CPU ÷ all workers' CPU in the window (the master and helper
  processes are left out);
- *busiest share*: the largest share (1/W when even; 1 when one worker did everything);
- *effective busy workers* = 1 ÷ Σ share² (the participation ratio): W when the W workers do
  equal parts, B when B workers do equal parts and the others nothing; less sensitive to
  counting noise than the busiest share alone.

**Per run** (`WorkerUse`): the mean over its closed-loop cost windows, with a 95% CI. A cost
window offers every slot work (two users per slot), so a worker that got connections is busy
all the time and the effective busy workers are the workers that actually served: Little's
law then gives throughput = busy workers × slots per worker ÷ S. The workers were *unevenly
used* when the effective busy workers are below `UNEVEN_FRACTION` of the workers. Seen here:
gunicorn gthread with single-thread workers sharing one socket, under kept-alive connections,
on a pinned CPU: a worker keeps every connection it accepted and the first to wake accepts
several in a row, so nine workers serve like three; `--reuse-port` (a socket per worker, the
kernel spreading connections over them) brings it close to even.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.sample.cpu import CpuWindow
from estimator.scenario import ServerConfig
from estimator.stats import Estimate, estimate

UNEVEN_FRACTION = 0.7
"""Workers are unevenly used when fewer than this share of them are effectively busy."""
MIN_WORKER_CPU_S = 0.005
"""Below this much worker CPU in a window, the shares are idle noise: not judged."""


class WorkerLoad(Model):
    """One worker process in one window."""

    pid: int
    cpu_s: float = Field(ge=0)
    connections: int | None = Field(
        None, description="established connections it held when the window ended"
    )


class WindowBalance(Model):
    """How one window's work was spread over the workers."""

    workers: list[WorkerLoad] = Field(description="busiest first")
    busiest_share: float | None = Field(
        description="the busiest worker's share of the workers' CPU; None: too little CPU"
    )
    effective_workers: float | None = Field(description="1 ÷ Σ share²; None: too little CPU")
    connections_open: int | None = Field(
        None, description="established connections the server held when the window ended"
    )


def shares(cpu_s: Sequence[float]) -> list[float] | None:
    """Each worker's share of the total; None when the total is too small to judge."""
    total = math.fsum(cpu_s)
    if total < MIN_WORKER_CPU_S:
        return None
    return [c / total for c in cpu_s]


def effective_count(parts: Sequence[float]) -> float:
    """1 ÷ Σ share² of shares summing to 1."""
    return 1.0 / math.fsum(p * p for p in parts)


def window_balance(cpu: CpuWindow, connections: dict[int, int] | None) -> WindowBalance | None:
    """The window's balance; None when the reading has no worker processes (recorded before
    per-process readings were kept)."""
    workers = cpu.workers()
    if not workers:
        return None
    loads = [
        WorkerLoad(
            pid=w.pid,
            cpu_s=w.cpu_ns / 1e9,
            connections=None if connections is None else connections.get(w.pid),
        )
        for w in workers
    ]
    parts = shares([w.cpu_s for w in loads])
    return WindowBalance(
        workers=loads,
        busiest_share=None if parts is None else max(parts),
        effective_workers=None if parts is None else effective_count(parts),
        connections_open=None if connections is None else sum(connections.values()),
    )


def busy_workers(b: WindowBalance, config: ServerConfig) -> float | None:
    """The window's effective busy workers, in workers' worth of slots.

    A threaded worker under kept-alive connections serves only the connections it holds: with
    at least as many connections open as slots, a slot is busy exactly when its worker holds
    a connection for it, so busy slots = Σ min(connections held, threads) and the figure is
    busy slots ÷ threads. Each worker's CPU share cannot see this on a request that mostly
    waits (its idle threads' wake-ups cost about what its requests do). Otherwise (a sync or
    async worker, connections not read, fewer held than slots: a connection per request), the
    participation ratio of the CPU shares."""
    threads = config.threads_per_worker
    conns = [w.connections for w in b.workers]
    slots = config.slots
    if (
        config.kind == "gunicorn-gthread"
        and slots is not None
        and conns
        and all(c is not None for c in conns)
        and b.connections_open is not None
        and b.connections_open >= slots
    ):
        return math.fsum(min(c or 0, threads) for c in conns) / threads
    return b.effective_workers


class WorkerUse(Model):
    """How evenly a run's workers were used, over its closed-loop cost windows."""

    workers: int = Field(ge=1, description="worker processes configured")
    windows: int = Field(ge=1, description="cost windows judged")
    effective_workers: Estimate = Field(
        description="effective busy workers per cost window (`busy_workers`: from the "
        "connections each threaded worker holds, else 1 ÷ Σ share² of the CPU): mean, 95% CI"
    )
    busiest_share: Estimate = Field(description="the busiest worker's share per cost window")
    uneven: bool = Field(
        description=f"effective busy workers below {UNEVEN_FRACTION:.0%} of the workers"
    )
    connections: list[int] | None = Field(
        None,
        description="established connections each worker held at the end of the last cost "
        "window, most first (None: not read)",
    )

    @property
    def busy_fraction(self) -> float:
        """Effective busy workers ÷ workers (at most 1)."""
        return min(1.0, self.effective_workers.mean / self.workers)

    def text(self) -> str:
        """'workers: 3.1 [2.8, 3.4] of 9 effectively busy over 6 cost windows (the busiest
        did 32% of the work, an even share is 11%): unevenly used'."""
        e = self.effective_workers
        ci = f" [{e.ci_low:.1f}, {e.ci_high:.1f}]" if e.n >= 2 else ""
        if self.workers == 1:
            return "workers: 1 (nothing to balance)"
        verdict = "unevenly used" if self.uneven else "evenly used"
        return (
            f"workers: {e.mean:.1f}{ci} of {self.workers} effectively busy over "
            f"{self.windows} cost window(s) (the busiest did {self.busiest_share.mean:.0%} of "
            f"the work, an even share is {1 / self.workers:.0%}): {verdict}"
        )


def worker_use(config: ServerConfig, balances: Sequence[WindowBalance | None]) -> WorkerUse | None:
    """The run's figure from its cost windows' balances; None when none could be judged."""
    judged = [b for b in balances if b is not None and busy_workers(b, config) is not None]
    if not judged:
        return None
    eff = estimate([e for b in judged if (e := busy_workers(b, config)) is not None])
    busiest = estimate([b.busiest_share for b in judged if b.busiest_share is not None])
    last = judged[-1].workers
    conns = [w.connections for w in last]
    counts = None
    if all(c is not None for c in conns):
        counts = sorted((c or 0 for c in conns), reverse=True)
    if counts is not None and len(counts) < config.workers:
        counts += [0] * (config.workers - len(counts))  # a worker that never ran is idle
    return WorkerUse(
        workers=config.workers,
        windows=len(judged),
        effective_workers=eff,
        busiest_share=busiest,
        uneven=config.workers > 1 and eff.mean < UNEVEN_FRACTION * config.workers,
        connections=counts,
    )


def worker_totals(balances: Sequence[WindowBalance | None]) -> list[tuple[WorkerLoad, float]]:
    """Each worker process's CPU summed over the windows, with its share of the total (busiest
    first); its connections are those of the last window that read them."""
    cpu: dict[int, float] = {}
    conns: dict[int, int | None] = {}
    for b in balances:
        if b is None:
            continue
        for w in b.workers:
            cpu[w.pid] = cpu.get(w.pid, 0.0) + w.cpu_s
            if w.connections is not None or w.pid not in conns:
                conns[w.pid] = w.connections
    total = math.fsum(cpu.values())
    out = [
        (WorkerLoad(pid=pid, cpu_s=c, connections=conns.get(pid)), c / total if total else 0.0)
        for pid, c in cpu.items()
    ]
    return sorted(out, key=lambda x: -x[0].cpu_s)


def uneven_warning(use: WorkerUse, config: ServerConfig, keep_alive: bool) -> str:
    """The warning of a run whose workers were unevenly used, with what to try."""
    text = (
        f"workers unevenly used: {use.effective_workers.mean:.1f} of {use.workers} effectively "
        f"busy (from the kept-alive connections each threaded worker held, else each "
        f"worker's CPU share, in the closed-loop windows; the busiest did "
        f"{use.busiest_share.mean:.0%} of the work, an even share is {1 / use.workers:.0%}); "
        "the capacity model counts the busy ones, not all"
    )
    if use.connections and keep_alive:
        text += f"; kept-alive connections held per worker: {_counts(use.connections)}"
    if keep_alive and not config.reuse_port and config.kind != "uvicorn":
        text += (
            ". A worker keeps every kept-alive connection it accepted and the first to wake "
            "accepts several: try `reuse_port = true` (a socket per worker), fewer workers "
            "with more threads, or measure with `[load] keep_alive = false` if your load "
            "balancer opens a connection per request"
        )
    return text


def _counts(counts: Sequence[int]) -> str:
    return ", ".join(str(c) for c in counts)


class LoadConnections(Model):
    """The load generator's connections in a run: how many, and kept alive or not."""

    keep_alive: bool = Field(description="False: a new connection per request")
    closed_loop_users: int | None = Field(
        description="simulated users (one connection each) in the closed-loop cost windows"
    )
    open_loop_users: tuple[int, int] | None = Field(
        description="fewest and most users in the open-loop windows"
    )
    open_at_end: int | None = Field(
        description="established connections the server held at the end of the last cost "
        "window (kept-alive ones; 0 with a connection per request)"
    )

    def text(self) -> str:
        """'load connections: one per simulated user, kept alive between its requests (18
        users in the closed-loop windows; 4–20 in the open-loop windows; 18 open at the end
        of the last cost window)'."""
        if self.keep_alive:
            how = "one per simulated user, kept alive between its requests"
        else:
            how = "a new connection for every request (`Connection: close`)"
        parts = []
        if self.closed_loop_users is not None:
            parts.append(f"{self.closed_loop_users} users in the closed-loop windows")
        if self.open_loop_users is not None:
            low, high = self.open_loop_users
            span = f"{low}" if low == high else f"{low}–{high}"
            parts.append(f"{span} in the open-loop windows")
        if self.open_at_end is not None and self.keep_alive:
            parts.append(f"{self.open_at_end} open at the end of the last cost window")
        counts = f" ({'; '.join(parts)})" if parts else ""
        return f"load connections: {how}{counts}"
