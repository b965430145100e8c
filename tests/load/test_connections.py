"""The load generator's connections, against a gunicorn gthread server (which keeps
connections alive): kept alive by default, a new one per request with `keep_alive=False`,
for both of locust's HTTP clients (FastHttpUser, HttpUser). Counted on the server's side
(`sample.connections`) right after a phase, while the generator's users are paused."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from estimator import procs
from estimator.load import PhaseSpec, load_generator
from estimator.sample.connections import held_by
from tests.load.serving import free_port, wait_until_serving

pytestmark = pytest.mark.integration

HERE = Path(__file__).resolve().parent
LOCUSTFILES = HERE / "locustfiles"


@pytest.fixture(scope="module")
def gthread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, int]]:
    """tiny_app under gunicorn gthread, 1 worker × 4 threads, 30 s keep-alive: URL, port,
    master PID."""
    port = free_port()
    log = tmp_path_factory.mktemp("gthread") / "gunicorn.log"
    argv = [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "1"]
    argv += ["-k", "gthread", "--threads", "4", "--keep-alive", "30"]
    argv += ["--chdir", str(HERE), "tiny_app:app"]
    with (
        log.open("wb") as out,
        procs.running(argv, stdout=out, stderr=subprocess.STDOUT) as proc,
    ):
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, log, proc, timeout_s=60)
        yield url, port, proc.pid


def _held(port: int, master: int) -> int:
    """Established connections the server's processes hold on its port."""
    pids = [master, *(c.pid for c in psutil.Process(master).children(recursive=True))]
    held = held_by(pids, port)
    assert held is not None, "the socket tables can't be read"
    return sum(held.values())


@pytest.mark.parametrize("locustfile", ["home.py", "home_requests.py"])
def test_connections_are_kept_alive_or_new_per_request(
    gthread: tuple[str, int, int], tmp_path: Path, locustfile: str
) -> None:
    url, port, master = gthread
    for keep_alive in (True, False):
        run_dir = tmp_path / str(keep_alive)
        run_dir.mkdir()
        with load_generator(
            LOCUSTFILES / locustfile, url, cpus=[0], run_dir=run_dir, keep_alive=keep_alive
        ) as gen:
            assert gen.keep_alive is keep_alive
            phase = gen.run_phase(PhaseSpec(name="c", kind="cost", duration_s=1.0, users=3))
            assert phase.requests > 20
            assert phase.failures == 0, phase.failure_reasons
            time.sleep(0.3)  # the server's side of a closed connection goes
            held = _held(port, master)
            if keep_alive:
                # one connection per paused user, still open (30 s keep-alive)
                assert held == 3, f"{locustfile}: {held} kept-alive connection(s), 3 expected"
            else:
                # every request said `Connection: close`: none is left open
                assert held == 0, f"{locustfile}: {held} connection(s) left open"
        time.sleep(0.3)  # the generator's exit closes its connections
        assert _held(port, master) == 0
