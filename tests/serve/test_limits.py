"""CPU quota and memory limit through a per-server cgroup, on this machine (skipped with the
reason where cgroups are not writable)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estimator.scenario import AppSpec, ServerConfig
from estimator.serve import Placement, PlacementRecord, RunningServer, serve
from tests.promised import skip_unpromised
from tests.serve.conftest import APPS_DIR, SERVER_CPU, wait_for

pytestmark = pytest.mark.integration


def get(server: RunningServer, path: str, timeout: float = 60) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=timeout) as resp:
        return json.loads(resp.read())


def require_quota(record: PlacementRecord) -> None:
    if not record.quota_applied:
        skip_unpromised(f"cgroups are not writable here: {record.quota_note}")


def test_half_cpu_quota_limits_the_server(
    python: Path, fixture_app: AppSpec, run_dir: Path, assert_no_leftovers: Callable[[], None]
) -> None:
    placement = Placement(server_cpus=[SERVER_CPU], quota_cpus=0.5)
    config = ServerConfig(kind="gunicorn-sync")
    with serve(python, fixture_app, config, run_dir=run_dir, placement=placement) as server:
        record = server.placement
        require_quota(record)
        assert record.quota_us == 50_000
        assert record.quota_period_us == 100_000
        assert record.quota_mechanism in ("cgroup-v2 cpu.max", "cgroup-v1 cfs_quota_us")
        burn = get(server, "/burn?s=2")  # a CPU-bound loop for 2 s of wall time
        assert burn["pid"] in server.worker_pids()
        cpu_per_wall = burn["cpu_s"] / burn["wall_s"]
        assert 0.05 < cpu_per_wall <= 0.55, f"CPU time per wall second: {cpu_per_wall:.3f}"
        cgroups = [Path(d) for d in record.cgroups]
        assert all(d.is_dir() for d in cgroups)
    assert_no_leftovers()
    assert not any(d.exists() for d in cgroups), "the server's cgroup is removed on stop"


def test_server_is_inside_its_cgroup_before_the_app_is_imported(
    python: Path, run_dir: Path
) -> None:
    app = AppSpec(name="cg", directory=APPS_DIR, wsgi="records_cgroup:app")
    placement = Placement(server_cpus=[SERVER_CPU], quota_cpus=0.9)
    config = ServerConfig(kind="gunicorn-sync", workers=2, preload=True)  # import in the master
    with serve(python, app, config, run_dir=run_dir, placement=placement) as server:
        record = server.placement
        require_quota(record)
        name = Path(record.cgroups[0]).name
        assert name in get(server, "/")["at_import"]
        for pid in server.all_pids():
            assert name in Path(f"/proc/{pid}/cgroup").read_text()


def test_memory_limit_is_enforced_and_the_worker_is_replaced(
    python: Path, fixture_app: AppSpec, run_dir: Path, assert_no_leftovers: Callable[[], None]
) -> None:
    placement = Placement(server_cpus=[SERVER_CPU], memory_limit_mb=200)
    config = ServerConfig(kind="gunicorn-sync")
    with serve(python, fixture_app, config, run_dir=run_dir, placement=placement) as server:
        record = server.placement
        if not record.memory_limit_applied:
            skip_unpromised(f"cgroups are not writable here: {record.memory_note}")
        assert get(server, "/alloc?mb=20") == {"allocated_mb": 20}
        victim = server.worker_pids()[0]
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            get(server, "/alloc?mb=400")  # over the limit: the kernel kills the worker
        assert wait_for(lambda: server.worker_pids() not in ([], [victim]))
        assert any(f"(pid:{victim}) was sent SIGKILL" in ln for ln in server.log_tail(50))
        server.check_alive()
        assert get(server, "/healthz") == {"ok": True}
    assert_no_leftovers()
