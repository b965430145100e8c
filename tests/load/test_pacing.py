from __future__ import annotations

import heapq
import math

import pytest

from estimator.load.pacing import (
    DEFAULT_LATENCY_S,
    MIN_USERS,
    Pacer,
    closed_loop_users,
    split,
    users_for_rate,
)


def test_users_follow_littles_law_with_headroom() -> None:
    assert users_for_rate(1000, 0.010) == 20  # 1000/s x 10 ms x 2
    assert users_for_rate(1000, 0.0001) == MIN_USERS
    assert users_for_rate(100, None) == round(100 * DEFAULT_LATENCY_S * 2)
    assert users_for_rate(10_000, 1.0, max_users=300) == 300
    with pytest.raises(ValueError, match="must be positive"):
        users_for_rate(0, 0.1)


def test_closed_loop_users() -> None:
    assert closed_loop_users(1) == 4
    assert closed_loop_users(8) == 16
    assert closed_loop_users(1000) == 256
    assert closed_loop_users(None) == 32
    assert closed_loop_users(None, max_users=10) == 10


def test_split() -> None:
    assert split(7, 3) == [3, 2, 2]
    assert split(1, 2) == [1, 0]
    assert sum(split(1001, 4)) == 1001


def test_slots_are_evenly_spaced() -> None:
    p = Pacer()
    p.configure(10.0, start=5.0)
    # five users all ready at t=5: they get slots 5.0, 5.1, 5.2, ...
    waits = [p.next_wait(5.0) for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_weight_spaces_multi_request_tasks() -> None:
    p = Pacer()
    p.configure(10.0, start=0.0)
    assert p.next_wait(0.0, weight=2.0) == 0.0
    assert p.next_wait(0.0, weight=2.0) == pytest.approx(0.2)


def test_closed_loop_never_waits() -> None:
    p = Pacer()
    p.configure(None, start=0.0)
    assert p.next_wait(123.0) == 0.0


def test_missed_slots_are_dropped_not_burst() -> None:
    p = Pacer(max_lag_s=0.05)
    p.configure(100.0, start=0.0, end=2.0)
    # nobody came for 1 s: only 0.05 s worth (5 slots) may be caught up
    immediate = 0
    while p.next_wait(1.0) == 0.0:
        immediate += 1
    assert immediate in (5, 6)  # slots at 0.95, 0.96, ... 1.00 (up to rounding of the sum)
    # the 95 slots before 0.95 were offered but dropped: the window's offer counts them
    assert p.dropped == pytest.approx(95, abs=1)
    assert p.offered == pytest.approx(p.dropped + immediate + 1, abs=1e-9)


def test_bad_rate() -> None:
    with pytest.raises(ValueError, match="positive or None"):
        Pacer().configure(0.0, start=0.0)


def simulate(rate: float, users: int, latency_s: float, duration_s: float) -> float:
    """Users share one Pacer against a server with fixed latency; returns achieved rate."""
    p = Pacer()
    p.configure(rate, start=0.0)
    ready = [(0.0, u) for u in range(users)]  # (time the user asks for a slot, id)
    heapq.heapify(ready)
    done = 0
    while ready:
        now, u = heapq.heappop(ready)
        send = now + p.next_wait(now)
        if send >= duration_s:
            continue
        finish = send + latency_s
        if finish < duration_s:
            done += 1
        heapq.heappush(ready, (finish, u))
    return done / duration_s


def test_enough_users_reach_the_target_rate() -> None:
    users = users_for_rate(500, 0.004)
    assert simulate(500, users, 0.004, 10.0) == pytest.approx(500, rel=0.01)


def test_too_few_users_fall_short_of_the_target() -> None:
    # 2 users at 10 ms latency can do at most 200/s
    assert simulate(500, 2, 0.010, 10.0) == pytest.approx(200, rel=0.02)


def _gaps(seed: int | None, n: int, rate: float = 50.0, arrivals: str = "poisson") -> list[float]:
    p = Pacer()
    p.configure(rate, start=0.0, arrivals=arrivals, seed=seed)  # type: ignore[arg-type]
    return [p.gap() for _ in range(n)]


def test_poisson_gaps_are_seeded() -> None:
    assert _gaps(3, 100) == _gaps(3, 100)
    assert _gaps(3, 100) != _gaps(4, 100)


def test_poisson_gaps_are_exponential_with_mean_one_over_rate() -> None:
    rate, n = 50.0, 20_000
    gaps = _gaps(11, n, rate)
    mean = sum(gaps) / n
    # the mean of 20k exponential gaps is within 3% of 1/rate (SE 0.7%)
    assert mean == pytest.approx(1 / rate, rel=0.03)
    sd = (sum((g - mean) ** 2 for g in gaps) / (n - 1)) ** 0.5
    assert sd / mean == pytest.approx(1.0, abs=0.05)  # an exponential's CV is 1
    # the empirical CDF against 1 - exp(-rate x): Kolmogorov-Smirnov distance small
    # (critical value at n = 20k, alpha 0.001: 1.95 / sqrt(n) = 0.0138)
    ordered = sorted(gaps)
    ks = max(
        max(abs((i + 1) / n - (1 - math.exp(-rate * g))), abs(i / n - (1 - math.exp(-rate * g))))
        for i, g in enumerate(ordered)
    )
    assert ks < 1.95 / math.sqrt(n)
    # memoryless: gaps above the mean are about e^-1 of all
    assert sum(g > 1 / rate for g in gaps) / n == pytest.approx(math.exp(-1), abs=0.02)


def test_even_gaps_stay_exact() -> None:
    assert _gaps(None, 5, 10.0, "even") == pytest.approx([0.1] * 5)


def test_poisson_schedule_keeps_the_target_rate() -> None:
    p = Pacer()
    p.configure(200.0, start=0.0, arrivals="poisson", seed=5)
    slots, t = 0, 0.0
    while True:
        t += p.gap()
        if t >= 60.0:
            break
        slots += 1
    # 12,000 expected; a Poisson count's SD is ~110
    assert slots == pytest.approx(12_000, rel=0.04)
