"""Rate control: how many users a phase gets and when each may send its next request.

**Pacer** (one per driver process, shared by all its users): an arrival schedule for the
process as a whole at a given mean rate, installed as every user class's `wait_time` (the
shipped locustfiles set none). Request slots start at the phase start and follow each other
by exponential gaps of mean 1/rate (`poisson`, the default: arrivals of independent users, a
seeded generator so a window's schedule can be replayed) or exactly 1/rate (`even`: a
metronome, which hides queueing: p95 at a given utilisation comes out lower than real traffic
gives). A user that finishes a request takes the next free slot and sleeps until it. A user
that arrives after its slot goes at once, but the schedule never runs more than `max_lag_s`
behind real time: after a stall (all users busy waiting for a slow server) missed slots are
dropped, not fired as a burst. So when the server keeps up, achieved ≈ target; when it can't,
achieved falls below what the schedule offered in the window (`offered`, dropped slots
included), which the capacity search reads as saturation. `rate` None is a closed loop: no
wait at all.

Unlike locust's per-user `constant_throughput`, the total rate doesn't depend on how the
latency is spread over users. Rates are in *requests*/second: a task that sends k requests
claims k slots (k measured as requests seen ÷ tasks run in this process).

**Users** (Little's law): a rate R at latency L keeps R·L requests in flight, so a phase
gets `ceil(R × L × headroom)` users (headroom 2 absorbs latency spikes), at least
`MIN_USERS` and at most `max_users`, where L is the p99 latency of the previous phase
(`DEFAULT_LATENCY_S` before any). Closed-loop phases use `closed_loop_users(slots)`: twice
the server's concurrent request slots (so every slot stays busy; at least 4, at most 256),
32 for async servers.
"""

from __future__ import annotations

import math
import random

from estimator.scenario import Arrivals

MIN_USERS = 2
MIN_CLOSED_LOOP_USERS = 4
DEFAULT_MAX_USERS = 1000
HEADROOM = 2.0
DEFAULT_LATENCY_S = 0.1
ASYNC_CLOSED_LOOP_USERS = 32


def users_for_rate(
    rate: float,
    latency_s: float | None,
    *,
    headroom: float = HEADROOM,
    max_users: int = DEFAULT_MAX_USERS,
) -> int:
    """Users needed to sustain `rate` requests/second at `latency_s` (Little's law)."""
    if rate <= 0:
        raise ValueError(f"rate = {rate} must be positive")
    latency = latency_s if latency_s is not None and latency_s > 0 else DEFAULT_LATENCY_S
    return max(MIN_USERS, min(max_users, math.ceil(rate * latency * headroom)))


def closed_loop_users(slots: int | None, *, max_users: int = DEFAULT_MAX_USERS) -> int:
    """Users for a closed-loop phase against a server with `slots` concurrent request slots
    (None: async, bounded by CPU)."""
    if slots is None:
        return min(max_users, ASYNC_CLOSED_LOOP_USERS)
    return min(max_users, max(MIN_CLOSED_LOOP_USERS, min(2 * slots, 256)))


def split(total: int, parts: int) -> list[int]:
    """`total` spread as evenly as possible over `parts` (first parts get the remainder)."""
    if parts < 1:
        raise ValueError("split() needs at least one part")
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class Pacer:
    """Slot schedule for one process. All times are on one monotonic clock, in seconds."""

    def __init__(self, max_lag_s: float = 0.05) -> None:
        self.max_lag_s = max_lag_s
        self.rate: float | None = None
        self.arrivals: Arrivals = "even"
        self._interval = 0.0
        self._next = 0.0
        self._rng = random.Random(0)
        self._window: tuple[float, float] = (0.0, 0.0)
        self.offered = 0.0
        """requests the schedule offered inside the window (claimed or dropped)"""
        self.dropped = 0.0
        """of those, requests no user was free to send (dropped, not fired late)"""

    def configure(
        self,
        rate: float | None,
        start: float,
        *,
        arrivals: Arrivals = "even",
        seed: int | None = None,
        end: float | None = None,
    ) -> None:
        """Use `rate` requests/second (None: closed loop) with the first slot at `start`,
        spaced per `arrivals`; `seed` makes the Poisson gaps reproducible. Slots in
        [start, end) are counted as `offered` (and `dropped` when no user took them)."""
        if rate is not None and rate <= 0:
            raise ValueError(f"rate = {rate} must be positive or None")
        self.rate = rate
        self.arrivals = arrivals
        self._interval = 1.0 / rate if rate else 0.0
        self._next = start
        self._rng = random.Random(seed)
        self._window = (start, end if end is not None else float("inf"))
        self.offered = 0.0
        self.dropped = 0.0

    def gap(self, weight: float = 1.0) -> float:
        """The time from one slot to the next (mean `weight`/rate)."""
        if self.arrivals == "poisson":
            return self._rng.expovariate(1.0) * self._interval * weight
        return self._interval * weight

    def next_wait(self, now: float, weight: float = 1.0) -> float:
        """Seconds the calling user should wait before its next task (claims a slot).

        `weight` is the requests one task sends on average: the slot is that many request
        intervals long, so the *request* rate matches the target."""
        if self.rate is None:
            return 0.0
        start, end = self._window
        while self._next < now - self.max_lag_s:  # nobody took these slots in time: drop them
            if start <= self._next < end:
                self.offered += weight
                self.dropped += weight
            self._next += self.gap(weight)
        slot = self._next
        if start <= slot < end:
            self.offered += weight
        self._next = slot + self.gap(weight)
        return max(0.0, slot - now)
