"""`estimator show RUN` and `estimator runs`: the load's connections, how evenly the workers
shared the work (each worker's part) and the warning when they did not."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.store.runs import Store
from tests.fixtures.workers import workers_run
from tests.reliability.helpers import cli


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "results.sqlite"
    even = workers_run(uneven=False, reuse_port=True).model_copy(update={"id": "even0000000"})
    with Store(path) as store:
        store.save(workers_run())
        store.save(even)
    return path


def test_show_states_connections_and_the_workers_parts(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = workers_run()
    rc, out, err = cli(capsys, "show", run.id, "--results", results)
    assert rc == 0, err
    flat = " ".join(out.split())  # rich wraps long lines
    assert "load connections: one per simulated user, kept alive" in flat
    assert "workers: 3.0 [3.0, 3.0] of 9 effectively busy" in flat
    assert "worker processes (cost windows)" in out
    assert "warning: workers unevenly used: 3.0 of 9 effectively busy" in flat
    assert "reuse_port = true" in flat
    assert "3.0/9 workers busy (uneven)" in flat
    rc, out, _ = cli(capsys, "show", "even0000000", "--results", results)
    flat = " ".join(out.split())
    assert rc == 0
    assert "evenly used" in flat
    assert "unevenly" not in flat


def test_runs_lists_the_busy_workers(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(capsys, "runs", "--results", results)
    assert rc == 0, err
    assert "3.0 uneven" in out
    assert "9.0" in out
