"""How evenly workers shared a window's work, and a run's verdict over its cost windows."""

from __future__ import annotations

import pytest

from estimator.measure.balance import (
    MIN_WORKER_CPU_S,
    UNEVEN_FRACTION,
    LoadConnections,
    WindowBalance,
    busy_workers,
    effective_count,
    uneven_warning,
    window_balance,
    worker_totals,
    worker_use,
)
from estimator.sample.cpu import CpuWindow, ProcessCpu
from estimator.sample.slots import SlotUse
from estimator.scenario import ServerConfig

MS = 1_000_000
GTHREAD_9X1 = ServerConfig(kind="gunicorn-gthread", workers=9, threads=1)


def cpu(*worker_ms: float, master_ms: float = 1.0) -> CpuWindow:
    procs = [ProcessCpu(pid=100, created=1.0, cpu_ns=int(master_ms * MS), worker=False)]
    procs += [
        ProcessCpu(pid=101 + i, created=2.0, cpu_ns=int(ms * MS), worker=True)
        for i, ms in enumerate(worker_ms)
    ]
    total = sum(p.cpu_ns for p in procs)
    return CpuWindow(
        t0=0, t1=3, cpu_ns=total, processes=len(procs), born=0, vanished=0,
        source="process-clock", per_process=procs,
    )  # fmt: skip


def test_even_workers_count_as_all_of_them() -> None:
    b = window_balance(cpu(*[30.0] * 9), None)
    assert b is not None
    assert b.effective_workers == pytest.approx(9)
    assert b.busiest_share == pytest.approx(1 / 9)
    assert b.connections_open is None
    assert {w.pid for w in b.workers} == set(range(101, 110))


def test_three_busy_workers_of_nine_count_as_three() -> None:
    # the master's CPU is not a worker's: left out of the shares
    b = window_balance(cpu(90, 90, 90, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, master_ms=50), None)
    assert b is not None
    assert b.effective_workers == pytest.approx(3, rel=0.01)
    assert b.busiest_share == pytest.approx(1 / 3, rel=0.01)
    assert b.workers[0].cpu_s == pytest.approx(0.090)


def test_one_worker_doing_everything_is_one() -> None:
    assert effective_count([1.0, 0.0, 0.0]) == 1.0
    assert effective_count([0.5, 0.5]) == 2.0


def test_too_little_cpu_is_not_judged_but_connections_are_kept() -> None:
    tiny = MIN_WORKER_CPU_S * 1000 / 4
    b = window_balance(cpu(tiny, tiny), {100: 0, 101: 3, 102: 1})
    assert b is not None
    assert b.effective_workers is None
    assert b.busiest_share is None
    assert b.connections_open == 4
    assert sorted(w.connections or 0 for w in b.workers) == [1, 3]


def test_a_reading_without_per_process_figures_has_no_balance() -> None:
    old = CpuWindow(
        t0=0, t1=1, cpu_ns=5, processes=2, born=0, vanished=0, source="process-clock"
    )  # fmt: skip
    assert window_balance(old, None) is None


def _run(
    *per_window: tuple[float, ...], conns: dict[int, int] | None = None
) -> list[WindowBalance | None]:
    return [window_balance(cpu(*w), conns) for w in per_window]


def test_a_run_with_three_of_nine_busy_is_uneven() -> None:
    busy = (90.0, 90.0, 90.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1)
    conns = {101: 7, 102: 6, 103: 5} | dict.fromkeys(range(104, 110), 0)
    use = worker_use(GTHREAD_9X1, _run(busy, busy, busy, conns=conns))
    assert use is not None
    assert use.uneven
    assert use.windows == 3
    assert use.effective_workers.mean == pytest.approx(3, rel=0.01)
    assert use.effective_workers.n == 3
    assert use.busy_fraction == pytest.approx(1 / 3, rel=0.01)
    assert use.connections == [7, 6, 5, 0, 0, 0, 0, 0, 0]
    text = uneven_warning(use, GTHREAD_9X1, keep_alive=True)
    assert text.startswith("workers unevenly used: 3.0 of 9 effectively busy")
    assert "busiest did 33% of the work, an even share is 11%" in text
    assert "7, 6, 5, 0" in text
    assert "reuse_port = true" in text
    assert "keep_alive = false" in text
    assert "unevenly used" in use.text()
    # with --reuse-port already set, it does not suggest it
    reuse = GTHREAD_9X1.model_copy(update={"reuse_port": True})
    assert "reuse_port = true" not in uneven_warning(use, reuse, keep_alive=True)


def test_a_run_with_most_workers_busy_is_even() -> None:
    nearly = (30.0,) * 8 + (10.0,)  # 8.5 effective of 9
    use = worker_use(GTHREAD_9X1, _run(nearly, nearly))
    assert use is not None
    assert use.effective_workers.mean >= UNEVEN_FRACTION * 9
    assert not use.uneven
    assert "evenly used" in use.text()
    one = worker_use(ServerConfig(kind="gunicorn-gthread", workers=1, threads=9), _run((50.0,)))
    assert one is not None
    assert not one.uneven
    assert one.text() == "workers: 1 (nothing to balance)"


def test_no_judged_window_means_no_verdict() -> None:
    assert worker_use(GTHREAD_9X1, [None]) is None
    tiny = MIN_WORKER_CPU_S * 100
    assert worker_use(GTHREAD_9X1, _run((tiny, tiny))) is None


def test_worker_totals_add_each_workers_cpu_over_the_windows() -> None:
    totals = worker_totals(_run((30.0, 10.0), (30.0, 30.0), conns={101: 2, 102: 0}))
    assert [(w.pid, round(w.cpu_s, 3), round(share, 3)) for w, share in totals] == [
        (101, 0.06, 0.6),
        (102, 0.04, 0.4),
    ]
    assert totals[0][0].connections == 2


def test_the_connections_are_stated() -> None:
    kept = LoadConnections(
        keep_alive=True, closed_loop_users=18, open_loop_users=(4, 20), open_at_end=18
    )
    assert kept.text() == (
        "load connections: one per simulated user, kept alive between its requests (18 users "
        "in the closed-loop windows; 4–20 in the open-loop windows; 18 open at the end of the "
        "last cost window)"
    )
    new = LoadConnections(
        keep_alive=False, closed_loop_users=18, open_loop_users=(6, 6), open_at_end=0
    )
    assert new.text() == (
        "load connections: a new connection for every request (`Connection: close`) (18 "
        "users in the closed-loop windows; 6 in the open-loop windows)"
    )


GTHREAD_3X3 = ServerConfig(kind="gunicorn-gthread", workers=3, threads=3)


def test_threaded_workers_count_the_slots_their_kept_alive_connections_fill() -> None:
    # Recorded on /upstream (benchmarks/workers.py, gthread 3 x 3, 18 kept-alive users): the
    # CPU shares were 37/35/29% while the workers held 16, 1 and 1 connections; the window
    # served 96 req/s = 5 busy slots / 52 ms. Busy slots: min(16, 3) + 1 + 1 = 5 = 1.67 workers.
    b = window_balance(cpu(1142, 1073, 890), {101: 16, 102: 1, 103: 1})
    assert b is not None
    assert b.effective_workers == pytest.approx(2.9, abs=0.1)  # the CPU shares: nearly even
    assert busy_workers(b, GTHREAD_3X3) == pytest.approx(5 / 3)
    use = worker_use(GTHREAD_3X3, [b])
    assert use is not None
    assert use.effective_workers.mean == pytest.approx(5 / 3)
    assert use.uneven


def test_busy_slots_need_as_many_connections_as_slots_and_a_threaded_worker() -> None:
    # a connection per request: few connections open at any instant, the CPU shares decide
    few = window_balance(cpu(30, 30, 30), {101: 1, 102: 0, 103: 0})
    assert few is not None
    assert busy_workers(few, GTHREAD_3X3) == pytest.approx(3)
    # sync workers: the CPU shares, whatever the connections
    sync = ServerConfig(kind="gunicorn-sync", workers=3)
    many = window_balance(cpu(30, 30, 30), {101: 16, 102: 1, 103: 1})
    assert many is not None
    assert busy_workers(many, sync) == pytest.approx(3)
    # connections not read: the CPU shares
    unread = window_balance(cpu(30, 30, 30), None)
    assert unread is not None
    assert busy_workers(unread, GTHREAD_3X3) == pytest.approx(3)


def test_sampled_busy_slots_decide_where_they_were_read() -> None:
    # A connection per request, sync 9 with a socket per worker: the CPU shares are even
    # (each worker served about as many requests), yet at a given instant only 7.1 of the 9
    # held a request on average (some queues empty while others waited): 137 req/s, not 173.
    sync9 = ServerConfig(kind="gunicorn-sync", workers=9, reuse_port=True)
    means = (0.9, 0.85, 0.8, 0.8, 0.8, 0.75, 0.75, 0.7, 0.75)
    per_worker = {101 + i: s for i, s in enumerate(means)}
    b = window_balance(cpu(*[30.0] * 9), {}, SlotUse(per_worker, 75))
    assert b is not None
    assert b.effective_workers == pytest.approx(9)
    assert b.busy_slots == pytest.approx(7.1)
    assert b.slot_ticks == 75
    assert b.workers[0].busy_slots is not None
    assert busy_workers(b, sync9) == pytest.approx(7.1)
    # threaded workers: busy slots in workers' worth (÷ threads)
    assert busy_workers(b, GTHREAD_3X3) == pytest.approx(7.1 / 3)
    # async workers have no slots: the CPU shares
    uvicorn = ServerConfig(kind="uvicorn", workers=9)
    assert busy_workers(b, uvicorn) == pytest.approx(9)


def test_a_worker_the_sampler_did_not_see_had_no_busy_slot() -> None:
    b = window_balance(cpu(30, 30, 30), None, SlotUse({101: 1.0, 102: 1.0}, 10))
    assert b is not None
    assert [w.busy_slots for w in sorted(b.workers, key=lambda w: w.pid)] == [1.0, 1.0, 0.0]
    assert busy_workers(b, ServerConfig(kind="gunicorn-sync", workers=3)) == pytest.approx(2)


def test_the_warning_for_a_connection_per_request_names_what_to_try() -> None:
    b = window_balance(cpu(*[30.0] * 9), None, SlotUse({101 + i: 0.5 for i in range(9)}, 50))
    sync9 = ServerConfig(kind="gunicorn-sync", workers=9, reuse_port=True)
    use = worker_use(sync9, [b, b])
    assert use is not None
    assert use.uneven
    text = uneven_warning(use, sync9, keep_alive=False)
    assert "4.5 of 9" in text
    assert "sampled 25 times a second" in text
    assert "reuse_port = false" in text
