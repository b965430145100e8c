"""The load generator against a tiny gunicorn app (real locust driver processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from estimator import procs
from estimator.errors import ConfigError, LoadError
from estimator.load import PhaseSpec, check_host, closed_loop_users, load_generator
from estimator.sample import Sampler
from tests.load.serving import free_port, wait_until_serving

HERE = Path(__file__).resolve().parent
LOCUSTFILES = HERE / "locustfiles"
TWO_CPUS = (os.cpu_count() or 1) >= 2
SERVER_CPUS = {1} if TWO_CPUS else {0}
GENERATOR_CPUS = [0]


def _drivers() -> set[int]:
    """Live driver processes started by this test process."""
    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "estimator.load.driver" in child.cmdline():
                out.add(child.pid)
        except psutil.Error:
            pass
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1"]
    argv += ["--chdir", str(HERE), "tiny_app:app"]
    with (
        log.open("wb") as out,
        procs.running(argv, stdout=out, stderr=subprocess.STDOUT, cpus=SERVER_CPUS) as proc,
    ):
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, log, proc, timeout_s=30)
        yield url, proc.pid
    assert not psutil.pid_exists(proc.pid)


@pytest.mark.integration
def test_closed_loop_and_fixed_rate_phases(server: tuple[str, int], tmp_path: Path) -> None:
    url, _ = server
    before = _drivers()
    with load_generator(
        LOCUSTFILES / "mixed.py", url, cpus=GENERATOR_CPUS, run_dir=tmp_path
    ) as gen:
        assert gen.processes == 1
        assert gen.user_classes == ["Visitor"]
        pids = gen.pids()
        assert set(pids) <= _drivers()

        closed = gen.run_phase(PhaseSpec(name="warmup-1", kind="warmup", duration_s=1.5))
        assert closed.target_rate is None
        assert closed.users == closed_loop_users(1)
        assert closed.requests > 50
        assert sum(p.requests for p in closed.series) == closed.requests
        assert len(closed.series) == 2
        assert closed.throughput_rps == pytest.approx(closed.requests / (1.5 - closed.start_lag_s))
        # '/fail' is 1 task in 10: failures are counted with their reason, not timed
        assert 0.02 < closed.error_rate < 0.25
        assert closed.latency.count == closed.requests - closed.failures
        assert closed.latency.p95_ms is not None
        assert 0 < closed.latency.p50_ms <= closed.latency.p95_ms  # type: ignore[operator]
        names = {e.name: e for e in closed.endpoints}
        assert set(names) == {"/", "/fail"}
        assert names["/fail"].failures == names["/fail"].requests
        assert names["/fail"].statuses == {"5xx": names["/fail"].requests}
        assert names["/"].statuses == {"2xx": names["/"].requests}
        assert sum(f.count for f in closed.failure_reasons) == closed.failures
        assert all("500" in f.reason for f in closed.failure_reasons)
        assert closed.generator_cpu[0] > 0
        assert closed.arrivals is None
        # every closed-loop user had a request in flight at the end: the drain finished them
        # (one that completed between the end and the gate closing may have sent one more)
        assert 1 <= closed.drained_requests <= 2 * closed.users
        assert closed.served_ok == closed.requests - closed.failures + (
            closed.drained_requests - closed.drained_failures
        )

        fixed = gen.run_phase(
            PhaseSpec(name="steady-1", kind="steady", duration_s=2, rate=200, arrivals="even")
        )
        assert fixed.target_rate == 200
        assert fixed.arrivals == "even"
        assert fixed.throughput_rps == pytest.approx(200, rel=0.10)
        assert fixed.users >= 2
        assert fixed.started_at > closed.ended_at

        poisson = gen.run_phase(
            PhaseSpec(name="steady-2", kind="steady", duration_s=2, rate=200, seed=7)
        )
        assert (poisson.arrivals, poisson.seed) == ("poisson", 7)
        assert poisson.offered_requests is not None
        # the server keeps up: what was sent in the window was served (inside it or drained)
        assert poisson.requests + poisson.drained_requests == pytest.approx(
            poisson.offered_requests, rel=0.1, abs=3
        )
        # 400 arrivals expected: a Poisson count's SD is 20 (5%)
        assert poisson.throughput_rps == pytest.approx(200, rel=0.25)
    for pid in pids:
        assert not psutil.pid_exists(pid)
    assert _drivers() == before
    assert (tmp_path / "locust-0.log").read_text()  # locust's noise went to the log


@pytest.mark.integration
def test_even_tasks_ignore_the_weights(server: tuple[str, int], tmp_path: Path) -> None:
    """A check (preflight) reaches every task: '/fail' is 1 in 10 by weight, 1 in 2 in a
    phase with even tasks; the next phase has the weights again."""
    url, _ = server
    with load_generator(
        LOCUSTFILES / "mixed.py", url, cpus=GENERATOR_CPUS, run_dir=tmp_path
    ) as gen:
        spec = PhaseSpec(name="check", kind="warmup", duration_s=1.0, users=2, even_tasks=True)
        even = gen.run_phase(spec)
        weighted = gen.run_phase(spec.model_copy(update={"name": "mix", "even_tasks": False}))
    for phase, low, high in ((even, 0.3, 0.7), (weighted, 0.02, 0.25)):
        names = {e.name: e.requests for e in phase.endpoints}
        assert phase.requests > 40
        assert low < names.get("/fail", 0) / phase.requests < high


@pytest.mark.integration
def test_two_driver_processes_merge(server: tuple[str, int], tmp_path: Path) -> None:
    url, server_pid = server
    before = _drivers()
    sampler = Sampler(server_pid=server_pid)
    with load_generator(
        LOCUSTFILES / "home.py", url, cpus=GENERATOR_CPUS, processes=2, run_dir=tmp_path
    ) as gen:
        pids = gen.pids()
        assert len(pids) == 2
        sampler.watch_generators(pids)
        with sampler:
            phase = gen.run_phase(
                PhaseSpec(name="steady-1", kind="steady", duration_s=2, rate=300, users=6)
            )
        assert phase.generator_processes == 2
        assert len(phase.generator_cpu) == 2
        assert all(c > 0 for c in phase.generator_cpu)
        assert phase.users == 6
        assert phase.throughput_rps == pytest.approx(300, rel=0.10)
        assert phase.failures == 0
        assert sum(p.requests for p in phase.series) == phase.requests

        window = sampler.window(phase.started_at, phase.ended_at)
        assert window.server_cpu_s > 0
        assert window.generator_cpu_total > 0
        assert window.workers == 1
        assert window.worker_uss_mib is not None
        assert window.worker_uss_mib > 0
        assert window.cpu_seconds_per_request(phase.requests) > 0

        # a driver that dies is reported, not waited for
        os.kill(pids[1], signal.SIGKILL)
        with pytest.raises(LoadError, match=r"load driver 1 stopped .*killed by SIGKILL"):
            gen.run_phase(PhaseSpec(name="steady-2", kind="steady", duration_s=1, rate=50))
        with pytest.raises(LoadError, match=r"already failed .*; start a new one"):
            gen.run_phase(PhaseSpec(name="steady-3", kind="steady", duration_s=1, rate=50))
    for pid in pids:
        assert not psutil.pid_exists(pid)
    assert _drivers() == before


@pytest.mark.integration
def test_interrupt_mid_phase_leaves_nothing_behind(server: tuple[str, int], tmp_path: Path) -> None:
    url, _ = server
    before = _drivers()
    pids: list[int] = []
    with (  # noqa: PT012 - the interrupt must come from inside the block
        pytest.raises(KeyboardInterrupt),
        load_generator(LOCUSTFILES / "home.py", url, cpus=GENERATOR_CPUS, run_dir=tmp_path) as gen,
    ):
        pids = gen.pids()
        # the drivers are mid-phase when the interrupt arrives
        gen._drivers[0].send(
            {
                "cmd": "phase",
                "name": "p",
                "users": 2,
                "rate": None,
                "duration": 30.0,
                "start_at": time.time(),
            }
        )
        raise KeyboardInterrupt
    assert pids
    for pid in pids:
        assert not psutil.pid_exists(pid)
    assert _drivers() == before


@pytest.mark.integration
def test_locustfile_with_syntax_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(
        "from locust import HttpUser, task\n\n\nclass U(HttpUser):\n    @task\n"
        "    def home(self) -> None\n        self.client.get('/')\n"
    )
    before = _drivers()
    with (
        pytest.raises(LoadError, match=r"locustfile .*broken\.py: line 6: SyntaxError") as exc,
        load_generator(broken, "http://127.0.0.1:9", cpus=GENERATOR_CPUS, run_dir=tmp_path),
    ):
        pytest.fail("a broken locustfile must not yield a generator")
    assert "fix the locustfile" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert _drivers() == before


@pytest.mark.integration
def test_locustfile_without_users(tmp_path: Path) -> None:
    with (
        pytest.raises(LoadError, match="defines no User class"),
        load_generator(
            LOCUSTFILES / "no_users.py", "http://[::1]:9", cpus=GENERATOR_CPUS, run_dir=tmp_path
        ),
    ):
        pytest.fail("unreachable")


@pytest.mark.parametrize(
    "host", ["http://example.com:8000", "http://10.0.0.5", "http://192.168.1.2:80/"]
)
def test_remote_hosts_are_refused(host: str, tmp_path: Path) -> None:
    with (
        pytest.raises(ConfigError, match="is not loopback"),
        load_generator(LOCUSTFILES / "home.py", host, cpus=[0], run_dir=tmp_path),
    ):
        pytest.fail("unreachable")
    assert check_host(host, allow_remote=True) == host.rstrip("/")


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1:8000/", "http://localhost", "https://[::1]:8443", "http://127.1.2.3"]
)
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert check_host(host) == host.rstrip("/")


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        check_host("127.0.0.1:8000")
    with (
        pytest.raises(ConfigError, match="does not exist"),
        load_generator(tmp_path / "nope.py", "http://127.0.0.1", cpus=[0], run_dir=tmp_path),
    ):
        pytest.fail("unreachable")
    with (
        pytest.raises(ConfigError, match="at least one CPU"),
        load_generator(LOCUSTFILES / "home.py", "http://127.0.0.1", cpus=[], run_dir=tmp_path),
    ):
        pytest.fail("unreachable")
