from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import StoreError
from estimator.store.runs import Store
from estimator.views.empty import empty_store_help
from estimator.views.snapshot import StoreSnapshot, load_snapshot, signature
from tests.fixtures import fixture_runs


def test_snapshot_of_the_recorded_runs(snap: StoreSnapshot) -> None:
    assert snap.exists
    assert len(snap.rows) == 16
    assert len(snap.runs) == 16
    assert not snap.empty
    assert len(snap.summaries) == 8  # 2 apps × 2 interpreters × 2 server configs
    assert {s.app for s in snap.summaries} == {"flask", "fastapi"}
    key = snap.summaries[0].key
    assert snap.summary(key).key == key
    assert snap.run(snap.rows[0].id).id == snap.rows[0].id


def test_missing_store_is_an_empty_snapshot_not_an_error(tmp_path: Path) -> None:
    snap = load_snapshot(tmp_path / "nothing.sqlite")
    assert not snap.exists
    assert snap.empty
    assert not (tmp_path / "nothing.sqlite").exists()  # reading never creates a store


def test_unreadable_store_raises_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "results.sqlite"
    bad.write_text("not a database, just text " * 100)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        load_snapshot(bad)


def test_signature_changes_when_a_run_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    before = signature(path)
    runs = fixture_runs()
    with Store(path) as store:
        store.save(runs[0])
    first = signature(path)
    with Store(path) as store:
        store.save(runs[1])
    assert len({before, first, signature(path)}) == 3


def test_empty_store_help_names_the_exact_commands(tmp_path: Path) -> None:
    snap = load_snapshot(tmp_path / "my results.sqlite")
    help_ = empty_store_help(snap)
    assert help_.headline == "No results yet"
    quoted = f"'{tmp_path / 'my results.sqlite'}'"
    assert help_.commands == [
        f"estimator run quick --results {quoted}",
        f"estimator dashboard --results {quoted}",
    ]
    assert help_.problems == []


def test_empty_store_help_for_the_default_path_has_no_flag(tmp_path: Path) -> None:
    from estimator import paths

    snap = load_snapshot(paths.data_dir() / "results.sqlite")
    assert empty_store_help(snap).commands[0] == "estimator run quick"


def test_store_with_only_failed_runs_says_why(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    run = fixture_runs()[0]
    failed = run.model_copy(
        update={"status": "failed", "failure": "server did not become ready in 30 s"}
    )
    with Store(path) as store:
        store.save(failed)
    help_ = empty_store_help(load_snapshot(path))
    assert help_.headline == "No configuration can be compared yet"
    assert help_.commands[0].endswith("--force")
    assert help_.problems == [
        f"run {run.id} (flask | cpython-3.11 | gunicorn-sync w1): "
        "server did not become ready in 30 s"
    ]
