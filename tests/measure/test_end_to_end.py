"""`estimator run` for real, kept small: one app's configurations side by side in rounds; a
batch where one server fails to start (under a CPU quota); an interrupted batch. Measured
values are only checked for consistency, never for speed."""

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
from estimator.store.summarize import summarize

pytestmark = pytest.mark.integration

SCENARIO = """
name = "tiny"
apps = ["flask"]
variants = {variants}
locustfile = "products"
{servers}
[load]
warmup_min_s = 1
warmup_max_s = 3
warmup_window_s = 0.5
warmup_tolerance = 0.5
cost_window_s = 1
cost_ci_target = 0.5
min_rounds = 3
max_rounds = 4
budget_s = 40
service_probe_s = 0.5
probe_windows = 1
steady_duration_s = 1
steady_windows = 1
search_start_fraction = 0.5
search_max_steps = 2
step_duration_s = 1
[slo]
p95_ms = 2000  # generous: other tests may load this 2-core machine meanwhile
{cpu}
"""
SYNC = '[[servers]]\nkind = "gunicorn-sync"\nworkers = 1\n'


def _write(tmp_path: Path, variants: str, servers: str = SYNC, cpu: str = "") -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SCENARIO.format(variants=variants, servers=servers, cpu=cpu))
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESTIMATOR_RESULTS": str(tmp_path / "results.sqlite"),
        "ESTIMATOR_DATA_DIR": str(tmp_path / "data"),
    }


def _run(tmp_path: Path, scenario: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "estimator", "run", str(scenario)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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


def test_a_batch_measures_its_configurations_side_by_side_in_rounds(tmp_path: Path) -> None:
    proc = _run(tmp_path, _write(tmp_path, '["cpython-3.11", "cpython-3.13"]'))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 ok, 0 failed" in proc.stdout
    assert "batch flask #1: 2 configuration(s) side by side" in proc.stdout
    with Store(tmp_path / "results.sqlite", create=False) as store:
        runs = store.results()
        rows = store.conn.execute("SELECT COUNT(*) FROM phases WHERE cpu_ns > 0").fetchone()[0]
    assert sorted(r.cell.variant for r in runs) == ["cpython-3.11", "cpython-3.13"]
    assert len({r.batch_id for r in runs}) == 1
    assert rows == sum(len(r.phases) for r in runs)  # every window stored with its CPU
    for run in runs:
        assert run.interpreter is not None
        assert f"{run.interpreter.major}.{run.interpreter.minor}" == run.cell.variant[-4:]
        assert run.mismatches == []
        assert run.worker_facts, "workers reported what they ran"
        assert run.launch is not None
        assert run.launch.placement.affinity_verified
        assert sorted(run.batch_members) == sorted(r.config_key for r in runs)
        assert run.warmup is not None
        assert run.stop_reason in ("target", "max_rounds", "budget")
        assert run.stop_detail
        cost = run.cost
        assert 3 <= len(cost) <= 4
        assert [w.round for w in cost] == list(range(1, len(cost) + 1))
        assert run.probes
        assert run.steady
        for window in run.phases:
            assert window.cpu is not None
            assert window.cpu.source == "process-clock"
            assert window.cpu.cpu_ns > 0
            assert window.cpu.t0 <= window.load.started_at
            assert window.cpu.t1 >= window.load.ended_at
            assert window.cpu_s_per_request is not None
            # CPU per request × successful requests served = the tree's CPU in the window
            assert window.cpu_s_per_request * window.load.served_ok == pytest.approx(
                window.cpu.cpu_s
            )
            assert window.load.failures == 0
        for window in [*run.probes, *cost]:
            assert window.load.arrivals is None  # closed loop
        for window in run.steady:
            assert window.load.arrivals == "poisson"
            assert window.load.seed is not None
        for window in cost:
            assert window.neighbours_cpu_s is not None  # the other server, idle meanwhile
            assert window.server is not None
            assert window.server.worker_uss_mib is not None
        assert run.capacity is not None
        assert run.capacity.capacity_rps is not None
    # the same seed for both configurations' windows of a round
    seeds = [{w.load.seed for w in r.cost} for r in runs]
    assert seeds[0] & seeds[1]
    out = summarize(runs)
    assert len(out.summaries) == 2
    for s in out.summaries:
        assert s.cpu_s_per_request.n == len(next(r for r in runs if r.config_key == s.key).cost)
        assert s.arrivals == "poisson"
        assert s.batch_ids == [runs[0].batch_id]
        assert s.latency_low_p95_ms is not None
    (pair,) = out.pairs
    assert pair.ratio.n >= 3
    assert pair.ratio.ci_low <= pair.ratio.mean <= pair.ratio.ci_high
    assert _leftovers(tmp_path) == []
    shown = subprocess.run(
        [sys.executable, "-m", "estimator", "show", runs[0].id[:6]],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"batch {runs[0].batch_id}" in shown.stdout
    # resume: nothing left to measure
    again = _run(tmp_path, tmp_path / "tiny.toml")
    assert "0 ok, 0 failed, 2 skipped" in again.stdout


def test_one_server_failing_leaves_the_others_measured(tmp_path: Path) -> None:
    servers = SYNC + '[[servers]]\nkind = "gunicorn-sync"\nworkers = 1\n'
    servers += 'extra_args = ["--timeout", "abc"]\n'  # an allowed option, a bad value
    scenario = _write(
        tmp_path, '["cpython-3.11"]', servers=servers, cpu="[cpu]\nquota_cpus = 0.8\n"
    )
    proc = _run(tmp_path, scenario)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # a cell failed: said, exit 1
    assert "1 ok, 1 failed" in proc.stdout
    with Store(tmp_path / "results.sqlite", create=False) as store:
        (ok,) = store.results()
        (failed,) = store.results(status="failed")
    assert failed.failure_stage == "server"
    assert failed.failure is not None
    assert "timeout" in failed.failure or "usage" in failed.failure.lower()
    assert ok.cost
    assert ok.launch is not None
    placement = ok.launch.placement
    assert placement.quota_cpus == 0.8
    if placement.quota_applied:  # cgroups writable here
        assert placement.quota_us == 80_000
    else:
        assert placement.quota_note
    assert _leftovers(tmp_path) == []


def test_an_interrupted_batch_keeps_its_windows_and_leaves_nothing(tmp_path: Path) -> None:
    scenario = _write(tmp_path, '["cpython-3.11", "cpython-3.13"]')
    # procs.spawn, as the tool starts its own children: SIGINT back to its default even when
    # this test run was started with SIGINT ignored (a background job)
    proc = procs.spawn(
        [sys.executable, "-m", "estimator", "run", str(scenario)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        runs = tmp_path / "data" / "runs"
        while time.monotonic() < deadline:  # wait until both servers are up and measured
            logs = list(runs.glob("*/locust-0.log")) if runs.is_dir() else []
            if len(logs) == 2 and all(p.stat().st_size > 0 for p in logs):
                break
            assert proc.poll() is None, proc.communicate()[0].decode(errors="replace")
            time.sleep(0.5)
        time.sleep(6)  # into the warm-up or the rounds
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=90)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, out
    assert "finished cells are kept" in out
    with Store(tmp_path / "results.sqlite") as store:
        interrupted = store.results(status="interrupted")
    assert len(interrupted) == 2
    assert any(r.phases for r in interrupted), "what was measured before Ctrl-C is kept"
    assert _leftovers(tmp_path) == []
