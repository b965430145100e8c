"""Several workers are not several times one (issue 16), for real: gunicorn gthread with nine
single-thread workers serving the Flask app's `/upstream?ms=50` (a 50 ms wait, almost no
CPU), under kept-alive connections, server pinned to one CPU and the load generator to the
other (the default placement on this 2-CPU machine).

Sharing one listening socket, a worker keeps every kept-alive connection it accepted and the
first to wake accepts several in a row: a few workers serve, the others idle, and the run
warns. With `reuse_port = true` each worker has its own socket and the kernel spreads the
connections over them by a hash: with 36 connections over 9 workers, the chance that fewer
than 85% of them get one (two or more of nine get none: the warning's threshold) is ~0.5%
in a window, and the verdict is the mean of six windows, so the run does not warn.

Sharing a socket, the split varies from window to window (the users, and their connections,
are re-made when a window needs another number of them): the verdict is the mean over six
cost windows (two runs here gave 4.8 and 4.3 of 9 without reuse-port, 8.9 and 8.7 with it).
Nothing here checks a speed: the verdicts come from the requests each worker held, read 25
times a second (`estimator.sample.slots`). The same verdict logic is tested
deterministically, from per-worker figures, in test_balance.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from estimator.store.runs import Store
from estimator.store.summarize import summarize
from tests.promised import skip_unpromised

pytestmark = pytest.mark.integration

SCENARIO = """
name = "workers"
apps = ["flask"]
variants = ["cpython-3.11"]
locustfile = "upstream"
[[servers]]
kind = "gunicorn-gthread"
workers = 9
threads = 1
[[servers]]
kind = "gunicorn-gthread"
workers = 9
threads = 1
reuse_port = true
[load]
users = 36  # four connections per worker: with reuse-port, every worker gets some
warmup_min_s = 1
warmup_max_s = 3
warmup_window_s = 1
warmup_tolerance = 0.5
cost_window_s = 1.5
cost_ci_target = 0.5
min_rounds = 6
max_rounds = 6
budget_s = 60
service_probe_s = 0.5
probe_windows = 1
steady_duration_s = 1
steady_windows = 1
search_start_fraction = 0.5
search_max_steps = 1
step_duration_s = 1
[slo]
p95_ms = 5000  # generous: other tests may load this 2-core machine meanwhile
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESTIMATOR_RESULTS": str(tmp_path / "results.sqlite"),
        "ESTIMATOR_DATA_DIR": str(tmp_path / "data"),
    }


def test_single_thread_workers_warn_unless_each_has_its_own_socket(tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        skip_unpromised("needs two CPUs: the server pinned apart from the load generator")
    scenario = tmp_path / "workers.toml"
    scenario.write_text(SCENARIO)
    env = _env(tmp_path)
    cmd = [sys.executable, "-m", "estimator", "run", str(scenario)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with Store(tmp_path / "results.sqlite", create=False) as store:
        runs = {r.cell.server.reuse_port: r for r in store.results()}
        rows = {r.id: r for r in store.rows()}
    shared, own = runs[False], runs[True]
    for run in (shared, own):
        assert run.connections is not None
        assert run.connections.keep_alive
        assert run.connections.closed_loop_users == 36
        assert run.worker_use is not None, "every cost window judged"
        assert run.worker_use.workers == 9
        assert run.worker_use.windows == len(run.cost)
        for w in run.cost:
            assert w.balance is not None
            assert len(w.balance.workers) == 9, "each worker's CPU, not the master's"
            # 1.5 s windows at 25 readings a second; a single-thread worker has one slot
            assert w.balance.slot_ticks is not None
            assert w.balance.slot_ticks >= 20
            assert all(x.busy_slots is not None and x.busy_slots <= 1 for x in w.balance.workers)
        assert rows[run.id].effective_workers == pytest.approx(
            run.worker_use.effective_workers.mean
        )
    busy = {k: f"{r.worker_use.text()}" for k, r in runs.items() if r.worker_use}
    assert shared.worker_use is not None
    assert shared.worker_use.uneven, busy
    assert any(w.startswith("workers unevenly used") for w in shared.warnings), busy
    assert "reuse_port = true" in next(w for w in shared.warnings if "unevenly" in w)
    assert own.worker_use is not None
    assert not own.worker_use.uneven, busy
    assert not any("unevenly" in w for w in own.warnings), busy
    assert rows[shared.id].workers_uneven is True
    assert rows[own.id].workers_uneven is False
    # said at the end of the run, by `show`, and carried into the summaries
    assert "(uneven)" in proc.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "estimator", "show", shared.id],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "workers unevenly used" in shown
    assert "load connections: one per simulated user, kept alive" in shown
    assert "worker processes (cost windows)" in shown
    assert "busy slots (mean)" in shown
    summaries = {s.server.reuse_port: s for s in summarize(list(runs.values())).summaries}
    assert summaries[False].workers_uneven
    assert not summaries[True].workers_uneven
