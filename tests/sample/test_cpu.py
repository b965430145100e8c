"""Nanosecond CPU accounting of a process tree: the pure bookkeeping (processes that appear
and vanish inside a window, PID reuse) and the real readings (threads that exit before the
end are counted, children born and gone inside the window too)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from estimator import procs
from estimator.sample import Sampler
from estimator.sample.cpu import (
    CpuAccount,
    CpuSnapshot,
    ProcKey,
    process_clock_ns,
    read_tree,
    schedstat_ns,
)

MS = 1_000_000
MASTER = ProcKey(100, 1000.0)
W1 = ProcKey(101, 1001.0)
W2 = ProcKey(102, 1001.0)


def snap(at: float, **readings: int) -> CpuSnapshot:
    keys = {"master": MASTER, "w1": W1, "w2": W2}
    return CpuSnapshot(at, {keys[k]: v for k, v in readings.items()}, "process-clock")


def test_window_cpu_is_the_sum_of_deltas() -> None:
    account = CpuAccount(snap(2000.0, master=5 * MS, w1=100 * MS, w2=200 * MS))
    window = account.close(snap(2003.0, master=6 * MS, w1=400 * MS, w2=450 * MS))
    assert window.cpu_ns == 1 * MS + 300 * MS + 250 * MS
    assert (window.processes, window.born, window.vanished) == (3, 0, 0)
    assert window.cpu_s == pytest.approx(0.551)
    assert (window.t0, window.t1) == (2000.0, 2003.0)


def test_a_worker_that_dies_counts_up_to_its_last_reading() -> None:
    account = CpuAccount(snap(2000.0, master=0, w1=100 * MS))
    account.observe([(W1, 250 * MS)])  # a sampler tick
    account.observe([(W1, 300 * MS)])  # its last one: then it died
    window = account.close(snap(2003.0, master=1 * MS))
    assert window.cpu_ns == 1 * MS + 200 * MS
    assert window.vanished == 1


def test_a_worker_born_inside_the_window_counts_from_zero() -> None:
    born = ProcKey(103, 2001.5)  # created after the start reading
    account = CpuAccount(snap(2000.0, master=0))
    account.observe([(born, 40 * MS)])
    window = account.close(CpuSnapshot(2003.0, {MASTER: 2 * MS, born: 90 * MS}, "process-clock"))
    assert window.cpu_ns == 2 * MS + 90 * MS
    assert window.born == 1


def test_one_that_lived_before_but_was_missed_counts_from_its_first_reading() -> None:
    old = ProcKey(104, 1500.0)  # created long before the window: not born in it
    account = CpuAccount(snap(2000.0, master=0))
    account.observe([(old, 700 * MS)])
    window = account.close(CpuSnapshot(2003.0, {MASTER: 0, old: 750 * MS}, "process-clock"))
    assert window.cpu_ns == 50 * MS


def test_a_reused_pid_is_another_process() -> None:
    first, reused = ProcKey(101, 1001.0), ProcKey(101, 2002.0)
    account = CpuAccount(CpuSnapshot(2000.0, {first: 100 * MS}, "process-clock"))
    account.observe([(first, 130 * MS)])
    window = account.close(CpuSnapshot(2003.0, {reused: 20 * MS}, "process-clock"))
    assert window.cpu_ns == 30 * MS + 20 * MS
    assert (window.processes, window.born, window.vanished) == (2, 1, 1)


def test_a_creation_time_read_to_another_hundredth_is_the_same_process() -> None:
    # psutil's create_time of one process, read twice, can round to neighbouring hundredths:
    # counted as two processes, its CPU was counted twice and it was listed twice as a worker
    again = ProcKey(101, 1001.01)
    account = CpuAccount(CpuSnapshot(2000.0, {W1: 100 * MS}, "process-clock"))
    account.observe([(again, 250 * MS)])
    window = account.close(CpuSnapshot(2003.0, {again: 300 * MS}, "process-clock"))
    assert window.cpu_ns == 200 * MS
    assert (window.processes, window.born, window.vanished) == (1, 0, 0)
    assert [p.pid for p in window.per_process] == [101]


def test_each_process_is_kept_with_whether_it_is_a_worker() -> None:
    start = CpuSnapshot(2000.0, {MASTER: 5 * MS, W1: 100 * MS, W2: 200 * MS}, "process-clock", 100)
    end = CpuSnapshot(2003.0, {MASTER: 6 * MS, W1: 400 * MS, W2: 250 * MS}, "process-clock", 100)
    window = CpuAccount(start).close(end)  # no worker list: every process but the root
    by_pid = {p.pid: p for p in window.per_process}
    assert {pid: (p.cpu_ns, p.worker) for pid, p in by_pid.items()} == {
        100: (1 * MS, False),
        101: (300 * MS, True),
        102: (50 * MS, True),
    }
    assert sum(p.cpu_ns for p in window.per_process) == window.cpu_ns
    assert [p.pid for p in window.workers()] == [101, 102]  # busiest first
    # the server's own list wins: 102 is a helper (a resource tracker), not a worker
    named = CpuAccount(start).close(end, workers={101})
    assert [p.pid for p in named.workers()] == [101]


def test_a_lone_root_is_its_own_worker() -> None:
    start = CpuSnapshot(2000.0, {MASTER: 5 * MS}, "process-clock", 100)
    window = CpuAccount(start).close(CpuSnapshot(2001.0, {MASTER: 9 * MS}, "process-clock", 100))
    assert [(p.pid, p.worker, p.cpu_ns) for p in window.per_process] == [(100, True, 4 * MS)]


def test_schedstat_source_is_reported() -> None:
    start = CpuSnapshot(0.0, {MASTER: 0}, "schedstat")
    assert CpuAccount(start).close(snap(1.0, master=5)).source == "schedstat"


BURN = """
import os, sys, threading, time
def burn(seconds):
    t = time.process_time()
    while time.process_time() - t < seconds:
        pass
sys.stdin.readline()                       # the window starts
th = threading.Thread(target=burn, args=(0.3,))
th.start(); th.join()                      # a thread that burns 0.3 s and exits
pid = os.fork()
if pid == 0:                               # a child born and gone inside the window
    burn(0.2)
    os._exit(0)
os.waitpid(pid, 0)
print("done", flush=True)
sys.stdin.readline()
"""


@pytest.mark.integration
def test_threads_and_children_that_come_and_go_are_counted() -> None:
    with procs.running(
        [sys.executable, "-c", BURN], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        time.sleep(0.5)  # the interpreter has started
        sampler = Sampler(server_pid=proc.pid, interval_s=0.02, discover_every=1)
        start = read_tree(proc.pid)
        with sampler:
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
            assert proc.stdout.readline() == b"done\n"
        end = read_tree(proc.pid)
        account = CpuAccount(start)
        account.observe(sampler.cpu_readings(start.at, end.at))
        window = account.close(end)
        proc.communicate(b"bye\n", timeout=30)
    # 0.3 s in an exited thread + 0.2 s in an exited child: the child's last sampler reading
    # is at most one interval (20 ms) before its end
    assert window.source == "process-clock"
    assert 0.45 <= window.cpu_s <= 0.7
    assert window.born == 1
    assert window.vanished == 1


def test_process_clock_counts_exited_threads_schedstat_does_not() -> None:
    import os
    import threading

    def burn() -> None:
        t = time.process_time()
        while time.process_time() - t < 0.1:
            pass

    before = process_clock_ns(os.getpid())
    th = threading.Thread(target=burn)
    th.start()
    th.join()
    after = process_clock_ns(os.getpid())
    assert before is not None
    assert after is not None
    assert after - before >= 90 * MS
    assert schedstat_ns(os.getpid()) is not None
    assert process_clock_ns(2**22 + 12345) is None  # no such process
