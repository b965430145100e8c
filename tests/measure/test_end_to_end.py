"""`estimator run` for real: a tiny scenario (2 interpreters × 1 app × 1 config), then an
interrupted sweep. Measured values are only checked for consistency, never for speed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from estimator import procs
from estimator.store.runs import Store

pytestmark = pytest.mark.integration

SCENARIO = """
name = "tiny"
apps = ["flask"]
variants = {variants}
locustfile = "products"
[[servers]]
kind = "gunicorn-sync"
workers = 1
[load]
warmup_min_s = 1
warmup_max_s = 3
steady_duration_s = 2
search_start_fraction = 0.8
search_max_steps = 2
step_duration_s = 1
[slo]
p95_ms = 2000  # generous: other tests may load this 2-core machine meanwhile
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESTIMATOR_RESULTS": str(tmp_path / "results.sqlite"),
        "ESTIMATOR_DATA_DIR": str(tmp_path / "data"),
    }


def _leftovers(tmp_path: Path) -> list[str]:
    """Processes whose command line or environment mentions this test's directory."""
    me = os.getpid()
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        if p.pid == me:
            continue
        try:
            text = " ".join(p.info["cmdline"] or []) + " ".join(p.environ().values())
        except (psutil.Error, OSError):
            continue
        if str(tmp_path) in text:
            found.append(f"{p.pid}: {' '.join(p.info['cmdline'] or [])[:120]}")
    return found


def test_tiny_sweep_stores_consistent_measurements(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(SCENARIO.format(variants='["cpython-3.11", "cpython-3.13"]'))
    proc = subprocess.run(
        [sys.executable, "-m", "estimator", "run", str(scenario)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 ok, 0 failed" in proc.stdout
    with Store(tmp_path / "results.sqlite", create=False) as store:
        runs = store.results()
    assert sorted(r.cell.variant for r in runs) == ["cpython-3.11", "cpython-3.13"]
    for run in runs:
        assert run.interpreter is not None
        assert f"{run.interpreter.major}.{run.interpreter.minor}" == run.cell.variant[-4:]
        assert run.mismatches == []
        assert run.worker_facts, "workers reported what they ran"
        assert run.launch is not None
        assert run.launch.placement.affinity_verified
        steady = run.steady
        assert steady
        for phase in run.phases:
            load = phase.load
            # throughput × duration ≈ request count (start lag makes throughput a bit higher)
            assert load.throughput_rps * load.duration_s == pytest.approx(
                load.requests, rel=0.1, abs=2
            )
        for phase in steady:
            assert phase.cpu_s_per_request is not None
            assert phase.cpu_s_per_request > 0
            assert phase.server is not None
            assert phase.server.worker_uss_mib is not None
            assert phase.server.worker_uss_mib > 0
            assert phase.load.throughput_rps > 0
            assert phase.load.failures == 0
            # CPU-seconds per request × requests = the server CPU time of the window
            assert phase.cpu_s_per_request * phase.load.requests == pytest.approx(
                phase.server.server_cpu_s
            )
        assert run.capacity is not None
        assert run.capacity.capacity_rps is not None
        assert run.capacity.capacity_rps > 0
    assert _leftovers(tmp_path) == []
    shown = subprocess.run(
        [sys.executable, "-m", "estimator", "show", runs[0].id[:6], "--json"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert f'"id": "{runs[0].id}"' in shown.stdout


def test_interrupted_sweep_keeps_finished_cells_and_leaves_nothing(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        SCENARIO.format(variants='["cpython-3.11", "cpython-3.12", "cpython-3.13"]')
    )
    # procs.spawn, as the tool starts its own children: SIGINT back to its default even when
    # this test run was started with SIGINT ignored (a background job)
    proc = procs.spawn(
        [sys.executable, "-m", "estimator", "run", str(scenario)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        results = tmp_path / "results.sqlite"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:  # wait until the first cell is stored
            if results.exists():
                with Store(results) as store:
                    if store.rows(status="ok"):
                        break
            assert proc.poll() is None, proc.communicate()[0].decode(errors="replace")
            time.sleep(0.5)
        time.sleep(3)  # into the second cell: server and load generator running
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=60)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, out
    assert "finished cells are kept" in out
    with Store(tmp_path / "results.sqlite") as store:
        assert len(store.rows(status="ok")) >= 1
        assert len(store.rows(status="interrupted")) == 1
    assert _leftovers(tmp_path) == []
