"""How evenly a server's workers shared the work, and which connections the load came on.

**Per window**, three readings per worker process:

- its CPU over the window (`CpuWindow.per_process`: nanosecond counters read before and after
  it, `estimator.sample.cpu`);
- its *busy slots*: the connections on the server's port it held, read 25 times a second
  while the window ran, each reading capped at its threads and averaged
  (`estimator.sample.slots`); for sync and threaded workers a held connection is a request
  being served (or, kept alive, a client the worker alone will serve);
- the established connections it held when the window ended (`sample.connections`).

- a worker's *share*: its CPU ÷ all workers' CPU in the window (the master and helper
  processes are left out);
- *busiest share*: the largest share (1/W when even; 1 when one worker did everything);
- *effective busy workers*: the busy slots ÷ threads per worker where they were sampled
  (gunicorn sync and gthread with several workers); else 1 ÷ Σ share² of the CPU (the
  participation ratio: W when the W workers do equal parts, B when B do equal parts and the
  others nothing).

Why busy slots first: by Little's law throughput = busy slots ÷ time per request, whatever
idled a worker. A request that mostly waits costs about what an idle thread's wake-ups cost,
so the CPU shares come out even when the slots are not; and a connection that lives for one
request says nothing at the window's end. Seen here: gthread 9 × 1 under kept-alive
connections on a pinned CPU (a worker keeps every connection it accepted and the first to
wake accepts several: nine workers serve like three); and with a connection per request,
or `--reuse-port` (a socket per worker, the kernel hashing connections over them), workers
whose queue is empty at a moment while another's is not.

**Per run** (`WorkerUse`): the mean over its closed-loop cost windows, with a 95% CI. A cost
window offers every slot work (two users per slot), so the busy workers are those the server
could keep busy at saturation. The workers were *unevenly used* when the effective busy
workers are below `UNEVEN_FRACTION` of the workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.sample.cpu import CpuWindow
from estimator.sample.slots import SlotUse
from estimator.scenario import ServerConfig
from estimator.stats import Estimate, estimate

UNEVEN_FRACTION = 0.85
"""Workers are unevenly used when fewer than this share of them are effectively busy: more than
15% of the slots lost, the tolerance `benchmarks/workers.py` holds the model to."""
BUSY_SOURCE = (
    "the requests each worker held, sampled 25 times a second, or for async workers its CPU share"
)
"""Where the effective busy workers come from, in words (`busy_workers`)."""
MIN_WORKER_CPU_S = 0.005
"""Below this much worker CPU in a window, the shares are idle noise: not judged."""


class WorkerLoad(Model):
    """One worker process in one window."""

    pid: int
    cpu_s: float = Field(ge=0)
    connections: int | None = Field(
        None, description="established connections it held when the window ended"
    )
    busy_slots: float | None = Field(
        None,
        ge=0,
        description="mean over the window of min(connections held, threads), read 25 times a "
        "second (None: not sampled)",
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
    busy_slots: float | None = Field(
        None, ge=0, description="Σ of the workers' mean busy slots (None: not sampled)"
    )
    slot_ticks: int | None = Field(None, description="readings the busy slots are the mean of")


def shares(cpu_s: Sequence[float]) -> list[float] | None:
    """Each worker's share of the total; None when the total is too small to judge."""
    total = math.fsum(cpu_s)
    if total < MIN_WORKER_CPU_S:
        return None
    return [c / total for c in cpu_s]


def effective_count(parts: Sequence[float]) -> float:
    """1 ÷ Σ share² of shares summing to 1."""
    return 1.0 / math.fsum(p * p for p in parts)


def window_balance(
    cpu: CpuWindow, connections: dict[int, int] | None, slots: SlotUse | None = None
) -> WindowBalance | None:
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
            busy_slots=None if slots is None else slots.per_worker.get(w.pid, 0.0),
        )
        for w in workers
    ]
    parts = shares([w.cpu_s for w in loads])
    return WindowBalance(
        workers=loads,
        busiest_share=None if parts is None else max(parts),
        effective_workers=None if parts is None else effective_count(parts),
        connections_open=None if connections is None else sum(connections.values()),
        busy_slots=None if slots is None else slots.total,
        slot_ticks=None if slots is None else slots.ticks,
    )


def is_uneven(busy: float, workers: int) -> bool:
    """Several workers, fewer than `UNEVEN_FRACTION` of them effectively busy."""
    return workers > 1 and busy < UNEVEN_FRACTION * workers


def busy_workers(b: WindowBalance, config: ServerConfig) -> float | None:
    """The window's effective busy workers, in workers' worth of slots.

    Where the busy slots were sampled (sync and threaded workers): busy slots ÷ threads.
    Results recorded before that, for threaded workers under kept-alive connections with at
    least as many connections open at the window's end as slots: Σ min(connections held,
    threads) ÷ threads from that one reading. Otherwise (async workers) the participation
    ratio of the CPU shares."""
    threads = config.threads_per_worker
    if b.busy_slots is not None and config.slots is not None:
        return b.busy_slots / threads
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
        description="effective busy workers per cost window (`busy_workers`: the busy slots "
        "sampled in each worker ÷ threads, else 1 ÷ Σ share² of the CPU): mean, 95% CI"
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
        uneven=is_uneven(eff.mean, config.workers),
        connections=counts,
    )


def worker_totals(balances: Sequence[WindowBalance | None]) -> list[tuple[WorkerLoad, float]]:
    """Each worker process's CPU summed over the windows, with its share of the total (busiest
    first); its connections are those of the last window that read them, its busy slots the
    mean over the windows that sampled them."""
    cpu: dict[int, float] = {}
    conns: dict[int, int | None] = {}
    slots: dict[int, list[float]] = {}
    for b in balances:
        if b is None:
            continue
        for w in b.workers:
            cpu[w.pid] = cpu.get(w.pid, 0.0) + w.cpu_s
            if w.connections is not None or w.pid not in conns:
                conns[w.pid] = w.connections
            if w.busy_slots is not None:
                slots.setdefault(w.pid, []).append(w.busy_slots)
    total = math.fsum(cpu.values())
    out = [
        (
            WorkerLoad(
                pid=pid,
                cpu_s=c,
                connections=conns.get(pid),
                busy_slots=math.fsum(slots[pid]) / len(slots[pid]) if pid in slots else None,
            ),
            c / total if total else 0.0,
        )
        for pid, c in cpu.items()
    ]
    return sorted(out, key=lambda x: -x[0].cpu_s)


def uneven_warning(use: WorkerUse, config: ServerConfig, keep_alive: bool) -> str:
    """The warning of a run whose workers were unevenly used, with what to try."""
    text = (
        f"workers unevenly used: {use.effective_workers.mean:.1f} of {use.workers} effectively "
        f"busy (from {BUSY_SOURCE}, in the closed-loop windows; the busiest did "
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
    elif config.kind != "uvicorn":
        text += (
            ". Requests waited at some workers while others idle (a connection per request, "
            "or a socket per worker): try fewer workers with more threads, or sync workers "
            "on one shared socket (`reuse_port = false`)"
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
