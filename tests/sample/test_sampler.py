from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from estimator import procs
from estimator.sample import GENERATOR_BOUND, Sampler, SamplerError
from estimator.sample.source import ProcessReading
from tests.sample.fakes import MIB, FakeClock, FakeProcess, FakeProvider

MASTER, W1, W2, GEN = 100, 101, 102, 200


def make(processes: list[FakeProcess], **kwargs: object) -> tuple[Sampler, FakeClock, FakeProvider]:
    clock = FakeClock(0.0)
    provider = FakeProvider(clock, processes)
    sampler = Sampler(clock=clock, provider=provider, **kwargs)  # type: ignore[arg-type]
    return sampler, clock, provider


def run(sampler: Sampler, clock: FakeClock, until: float, dt: float = 0.1) -> None:
    while clock.t <= until + 1e-9:
        sampler.sample_once()
        clock.advance(dt)


def gunicorn_like(busy: float = 0.4) -> list[FakeProcess]:
    return [
        FakeProcess(MASTER, born=-10.0, busy=0.01, uss=[20 * MIB], pss=[25 * MIB]),
        FakeProcess(W1, born=-9.0, busy=busy, parent=MASTER),
        FakeProcess(W2, born=-9.0, busy=busy, parent=MASTER),
    ]


def test_cpu_seconds_are_deltas_of_cumulative_times() -> None:
    sampler, clock, _ = make(gunicorn_like(), server_pid=MASTER)
    run(sampler, clock, 5.0)
    w = sampler.window(1.0, 3.0)
    # two workers at 0.4 CPU and a master at 0.01 CPU for 2 s
    assert w.server_cpu_s == pytest.approx(2 * (0.4 + 0.4 + 0.01))
    assert w.server_cpu_user_s == pytest.approx(0.75 * w.server_cpu_s)
    assert w.server_cpu_system_s == pytest.approx(0.25 * w.server_cpu_s)
    assert w.server_cpu_util == pytest.approx(0.81)
    assert w.cpu_seconds_per_request(810) == pytest.approx(1.62 / 810)
    assert w.workers == 2
    assert w.workers_seen == 2
    assert w.ctx_voluntary == pytest.approx(3 * 200, abs=3)


def test_window_edges_between_ticks_are_interpolated() -> None:
    sampler, clock, _ = make(gunicorn_like(), server_pid=MASTER)
    run(sampler, clock, 5.0, dt=0.2)
    w = sampler.window(1.05, 2.95)  # neither edge is on a tick
    assert w.server_cpu_s == pytest.approx(1.9 * 0.81)
    assert w.max_gap_s == pytest.approx(0.2, abs=1e-6)


def test_restarted_worker_counts_from_its_birth() -> None:
    procs_ = gunicorn_like(busy=0.5)
    procs_[2].died = 2.0  # W2 dies at t=2 ...
    procs_.append(FakeProcess(103, born=2.05, busy=0.5, parent=MASTER))  # ... and is replaced
    sampler, clock, provider = make(procs_, server_pid=MASTER, discover_every=1000)
    run(sampler, clock, 4.0)
    w = sampler.window(1.0, 3.0)
    # W1 2 s, W2 1 s until its death (at most one tick lost), 103 0.95 s, master 0.02
    expected = 0.5 * 2 + 0.5 * 1.0 + 0.5 * 0.95 + 0.01 * 2
    assert w.server_cpu_s == pytest.approx(expected, abs=0.5 * 0.1)
    assert w.workers_seen == 3
    assert w.workers == 2
    # the death triggered a re-listing although discover_every is huge
    assert provider.descendant_calls >= 2
    assert {s.pid for s in sampler.samples(2.2, 2.4)} == {MASTER, W1, 103}


def test_memory_medians_and_shared() -> None:
    procs_ = gunicorn_like()
    procs_[1].uss = [40 * MIB, 41 * MIB, 90 * MIB]  # one outlier tick out of three
    procs_[1].pss = [50 * MIB]
    procs_[2].uss = [40 * MIB]
    procs_[2].pss = [50 * MIB]
    sampler, clock, _ = make(procs_, server_pid=MASTER, memory_every=1)
    run(sampler, clock, 3.0)
    w = sampler.window(0.0, 3.0)
    assert w.worker_uss_mib == pytest.approx(40.5)  # median of (40+40)/2, (41+40)/2, (90+40)/2
    assert w.worker_pss_mib == pytest.approx(50)
    assert w.worker_rss_mib == pytest.approx(60)
    assert w.master_uss_mib == pytest.approx(20)
    assert w.master_pss_mib == pytest.approx(25)
    assert w.total_pss_mib == pytest.approx(25 + 50 + 50)
    # shared = total PSS - sum of worker USS, per tick, median
    assert w.shared_mib == pytest.approx(125 - 81)
    assert w.server_threads == 6


def test_memory_is_read_on_some_ticks_only() -> None:
    sampler, clock, _ = make(gunicorn_like(), server_pid=MASTER, memory_every=3)
    run(sampler, clock, 2.0)
    ticks = sorted({s.t for s in sampler.samples()})
    with_memory = sorted({s.t for s in sampler.samples() if s.uss_bytes is not None})
    assert len(with_memory) == pytest.approx(len(ticks) / 3, abs=1)
    w = sampler.window(0.0, 2.0)
    assert w.worker_uss_mib == pytest.approx(40)


@pytest.mark.parametrize(("busy", "bound"), [(0.95, True), (0.5, False)])
def test_generator_bound_flag(busy: float, bound: bool) -> None:
    processes = [*gunicorn_like(), FakeProcess(GEN, born=-1.0, busy=busy)]
    sampler, clock, _ = make(processes, server_pid=MASTER, generator_pids=[GEN])
    run(sampler, clock, 3.0)
    w = sampler.window(0.5, 2.5)
    assert w.generator_cpu_busiest == pytest.approx(busy)
    assert w.generator_cpu_total == pytest.approx(busy)
    assert w.generator_bound is bound
    assert (w.generator_cpu_busiest >= GENERATOR_BOUND) is bound
    # generator processes are not server processes
    assert w.server_cpu_s == pytest.approx(2 * 0.81)


@pytest.mark.parametrize(
    ("cpu", "wait", "demand", "bound"),
    [
        (0.5, 0.45, 0.95, True),  # wanted a CPU all the time, got half: contended, saturated
        (0.5, 0.1, 0.6, False),
        (0.5, None, None, False),  # no schedstat: CPU alone decides
        (0.93, None, None, True),
    ],
)
def test_generator_demand_counts_run_queue_wait(
    cpu: float, wait: float | None, demand: float | None, bound: bool
) -> None:
    processes = [*gunicorn_like(), FakeProcess(GEN, born=-1.0, busy=cpu, wait=wait)]
    sampler, clock, _ = make(processes, server_pid=MASTER, generator_pids=[GEN])
    run(sampler, clock, 3.0)
    w = sampler.window(0.5, 2.5)
    assert w.generator_cpu_busiest == pytest.approx(cpu)
    if demand is None:
        assert w.generator_demand_busiest is None
    else:
        assert w.generator_demand_busiest == pytest.approx(demand)
    assert w.generator_bound is bound


@pytest.mark.parametrize(
    ("gen_busy", "server_cpus", "limited"),
    [
        (0.85, 2.0, True),  # generator busy, server (0.81 CPU) leaves half of 2 CPUs unused
        (0.85, 1.0, False),  # server at 81% of its one CPU: it may be the limit
        (0.70, 2.0, False),  # generator not busy enough to be blamed
        (0.95, 1.0, True),  # generator-bound whatever the server does
    ],
)
def test_generator_limited_when_the_server_has_spare_cpu(
    gen_busy: float, server_cpus: float, limited: bool
) -> None:
    processes = [*gunicorn_like(), FakeProcess(GEN, born=-1.0, busy=gen_busy)]
    sampler, clock, _ = make(processes, server_pid=MASTER, generator_pids=[GEN])
    run(sampler, clock, 3.0)
    w = sampler.window(0.5, 2.5)
    assert w.server_cpu_util == pytest.approx(0.81)
    assert w.generator_limited(server_cpus) is limited


def test_server_run_queue_wait() -> None:
    processes = gunicorn_like()
    processes[1].wait = 0.2
    sampler, clock, _ = make(processes, server_pid=MASTER)
    run(sampler, clock, 3.0)
    assert sampler.window(1.0, 2.0).server_run_wait_s == pytest.approx(0.2)


def test_generators_are_read_without_memory() -> None:
    sampler, clock, _ = make([FakeProcess(GEN, born=0.0)], generator_pids=[GEN], memory_every=1)
    run(sampler, clock, 1.0)
    assert all(s.uss_bytes is None and s.role == "generator" for s in sampler.samples())


def test_busiest_of_several_generators() -> None:
    processes = [FakeProcess(GEN, born=0.0, busy=0.3), FakeProcess(GEN + 1, born=0.0, busy=0.92)]
    sampler, clock, _ = make(processes, generator_pids=[GEN, GEN + 1])
    run(sampler, clock, 2.0)
    w = sampler.window(0.5, 1.5)
    assert w.generator_cpu_busiest == pytest.approx(0.92)
    assert w.generator_cpu_total == pytest.approx(1.22)
    assert w.generator_bound


def test_lone_server_process_is_the_worker() -> None:
    sampler, clock, _ = make([FakeProcess(MASTER, born=-1.0)], server_pid=MASTER)
    run(sampler, clock, 1.0)
    assert {s.role for s in sampler.samples()} == {"worker"}
    w = sampler.window(0.0, 1.0)
    assert w.workers == 1
    assert w.master_uss_mib is None
    assert w.shared_mib == pytest.approx(50 - 40)


def test_root_role_can_be_forced() -> None:
    sampler, clock, _ = make(
        [FakeProcess(MASTER, born=-1.0)], server_pid=MASTER, root_is_worker=False
    )
    run(sampler, clock, 0.5)
    assert {s.role for s in sampler.samples()} == {"master"}


def test_watch_set_can_change() -> None:
    sampler, clock, _ = make([*gunicorn_like(), FakeProcess(GEN, born=0.0)])
    run(sampler, clock, 0.5)
    assert sampler.samples() == []
    sampler.watch_server(MASTER)
    sampler.watch_generators([GEN])
    run(sampler, clock, 1.0)
    assert {s.pid for s in sampler.samples()} == {MASTER, W1, W2, GEN}


def test_series_per_second() -> None:
    processes = [*gunicorn_like(busy=0.25), FakeProcess(GEN, born=-1.0, busy=0.6)]
    sampler, clock, _ = make(processes, server_pid=MASTER, generator_pids=[GEN])
    run(sampler, clock, 4.0)
    series = sampler.series(1.0, 3.5)
    assert [p.t for p in series] == [0.0, 1.0, 2.0]
    assert all(p.server_cpu == pytest.approx(0.51) for p in series)
    assert all(p.generator_cpu_busiest == pytest.approx(0.6) for p in series)
    assert all(p.workers == 2 for p in series)
    assert series[0].worker_uss_mib == pytest.approx(40)


def test_window_without_samples_is_an_error() -> None:
    sampler, clock, _ = make(gunicorn_like(), server_pid=MASTER)
    run(sampler, clock, 1.0)
    with pytest.raises(SamplerError, match=r"no samples between 5\.000 and 6\.000"):
        sampler.window(5.0, 6.0)
    w = sampler.window(0.0, 1.0)
    with pytest.raises(ValueError, match="undefined"):
        w.cpu_seconds_per_request(0)


def test_rate_must_be_at_least_5_hz() -> None:
    with pytest.raises(ValueError, match="at least 5 times/s"):
        Sampler(interval_s=0.5)


class FailingProvider(FakeProvider):
    def read(self, pid: int, *, memory: bool) -> ProcessReading | None:
        raise RuntimeError("proc is gone")


def _wait_for(cond: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_thread_samples_until_stopped() -> None:
    clock = FakeClock(0.0)
    provider = FakeProvider(clock, gunicorn_like())
    sampler = Sampler(server_pid=MASTER, clock=clock, provider=provider, interval_s=0.01)
    with sampler:
        assert sampler.running
        _wait_for(lambda: len(sampler.samples()) >= 9)
    assert not sampler.running
    count = len(sampler.samples())
    time.sleep(0.05)
    assert len(sampler.samples()) == count  # really stopped


def test_thread_failure_surfaces_on_stop() -> None:
    clock = FakeClock(0.0)
    sampler = Sampler(
        server_pid=MASTER, clock=clock, provider=FailingProvider(clock, gunicorn_like())
    )
    sampler.start()
    _wait_for(lambda: not sampler.running)
    with pytest.raises(SamplerError, match="RuntimeError: proc is gone"):
        sampler.stop()


BUSY = (
    "import time\n"
    "t = time.process_time()\n"
    "x = bytearray(32 << 20)\n"
    "print('allocated', flush=True)\n"
    "while time.process_time() - t < 60: pass\n"
)


@pytest.mark.integration
def test_real_process_with_psutil() -> None:
    """A real busy child: CPU, USS/PSS and threads come out of /proc."""
    with procs.running([sys.executable, "-c", BUSY], stdout=subprocess.PIPE) as child:
        assert child.stdout is not None
        # sample once the 32 MiB exist: a slow start on a loaded machine would otherwise put
        # most samples before the allocation
        assert child.stdout.readline() == b"allocated\n"
        sampler = Sampler(server_pid=child.pid, interval_s=0.05, memory_every=1)
        with sampler:
            _wait_for(lambda: len(sampler.samples()) >= 12)
        pid = child.pid
        child.stdout.close()
    samples = sampler.samples()
    t0, t1 = samples[0].t, samples[-1].t
    w = sampler.window(t0, t1)
    assert w.workers == 1
    assert w.server_cpu_s > 0
    assert 0 < w.server_cpu_util <= 1.05
    assert w.worker_uss_mib is not None
    assert w.worker_uss_mib > 32  # the 32 MiB bytearray is private memory
    assert w.worker_pss_mib is not None
    assert w.worker_pss_mib >= w.worker_uss_mib
    assert w.server_threads is not None
    assert w.server_threads >= 1
    if Path("/proc/self/schedstat").exists():
        assert w.server_run_wait_s is not None
    assert not psutil.pid_exists(pid)
