"""The results store under faults, and a team sharing one: every SQLite error is one line
naming the file and what to do (case 5), a cell is either saved whole or kept aside and
saved by the next run (never lost), one writer at a time (case 3), readers never write, and
a report never overwrites the store (case 6)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from estimator.errors import StoreError
from estimator.measure import RunResult
from estimator.store import guard
from estimator.store.lock import pending_dir, save_pending, writer_lock
from estimator.store.runs import Store
from estimator.sweep import plan_sweep, run_sweep
from tests.fixtures import fixture_runs, fixture_store
from tests.reliability.cases import FAULT, INPUT, Case, cases
from tests.reliability.helpers import assert_one_line_error, cli
from tests.test_sweep import INTERPRETERS, FakeMeasure, scenario

RUN_ID = fixture_runs()[0].id
"""A recorded run (any: the store holds 16)."""

PEAK = ["--peak-rps", "100", "--region", "us-east-1"]


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM runs").fetchone()[0])


def _damage(path: Path) -> None:
    """Overwrite pages in the middle of the file (the header stays intact)."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as f:
        for offset in range(4096 * 2, size, 4096 * 3):
            f.seek(offset)
            f.write(os.urandom(4096))


DAMAGED = [
    Case(
        f"damaged-{cmd[0]}",
        f"a store with damaged pages, `estimator {' '.join(cmd)}` (case 5)",
        "is damaged … restore it from a copy",
        cmd,
    )
    for cmd in (
        ["runs"],
        ["show", RUN_ID],
        ["estimate", *PEAK],
        ["report", *PEAK],
        ["compare", "flask 3.11", "flask 3.13"],
    )
]


@cases(FAULT, "results store damaged", DAMAGED)
def test_damaged_store_is_one_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fixture_store(tmp_path / "results.sqlite")
    _damage(path)
    rc, out, err = cli(capsys, *case.data, "--results", path)
    assert "Traceback" not in err
    assert rc == 2, (rc, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err
    assert "damaged" in err or "not a readable SQLite database" in err


WRITE_FAULTS = [
    Case(
        "locked-beyond-timeout",
        "another process holds the store's write lock longer than the busy timeout during `run` (case 5: the cell was lost)",
        "one line: locked, wait and run again; the cell kept aside and saved by the next run",
        "locked",
    ),
    Case(
        "disk-full-at-save",
        "the disk fills while a cell is saved (case 5: 'cannot rollback - no transaction is active')",
        "one line: the disk is full; nothing half-written; the cell kept aside and saved by the next run",
        "full",
    ),
    Case(
        "interrupted-mid-save",
        "Ctrl-C while a cell is being written",
        "the transaction is rolled back: the store is as before",
        "interrupt",
    ),
]


@cases(FAULT, "results store write faults", WRITE_FAULTS)
def test_a_failed_save_loses_nothing(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.sqlite"
    template = fixture_runs()[0]
    with Store(path) as store:
        store.save(template)
    run = template.model_copy(update={"id": uuid.uuid4().hex[:12]})
    before = path.read_bytes() if case.data == "interrupt" else None
    if case.data == "locked":
        monkeypatch.setattr(guard, "BUSY_TIMEOUT_S", 0.2)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        with Store(path) as store, pytest.raises(StoreError) as exc:
            store.save(run)
        holder.execute("ROLLBACK")
        holder.close()
        assert "stayed locked by another process" in exc.value.message
    elif case.data == "full":
        with Store(path) as store:
            pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
            store.conn.execute(f"PRAGMA max_page_count = {pages}")
            with pytest.raises(StoreError) as exc:
                store.save(run)
        assert "is full" in exc.value.message
        assert "cannot rollback" not in exc.value.message
    else:
        original = Store._save_phases

        def interrupted(self: Store, result: object) -> None:
            original(self, result)  # type: ignore[arg-type]
            raise KeyboardInterrupt

        monkeypatch.setattr(Store, "_save_phases", interrupted)
        with Store(path) as store, pytest.raises(KeyboardInterrupt):
            store.save(run)
        monkeypatch.undo()
    assert _rows(path) == 1, "the store is as it was"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if case.data == "interrupt":
        assert before is not None
        return
    assert str(pending_dir(path)) in exc.value.message
    assert len(exc.value.message.splitlines()) == 1
    kept = list(pending_dir(path).glob("*.json"))
    assert [k.stem for k in kept] == [run.id]
    assert oct(kept[0].stat().st_mode & 0o777) == "0o600"
    with Store(path) as store:  # the next run saves it
        assert save_pending(store) == [run.id]
        assert store.has_run(run.id)
    assert not pending_dir(path).exists()


class _LockedWhileMeasuring(FakeMeasure):
    """Another process takes the store's write lock while the first cell is measured."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.holder = sqlite3.connect(path, isolation_level=None)

    def __call__(self, *args: object, **kwargs: object) -> RunResult:
        if not self.calls:
            self.holder.execute("BEGIN EXCLUSIVE")
        return super().__call__(*args, **kwargs)  # type: ignore[arg-type]


def test_a_sweep_whose_store_fails_stops_with_one_line_and_keeps_the_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.sqlite"
    monkeypatch.setattr(guard, "BUSY_TIMEOUT_S", 0.2)
    sc = scenario(tmp_path, repetitions=1)
    with Store(path) as store:
        fake = _LockedWhileMeasuring(path)
        plan = plan_sweep(sc, store, interpreters=INTERPRETERS)
        try:
            with pytest.raises(StoreError, match="is kept in"):
                run_sweep(plan, store, measure_cell=fake)
        finally:
            fake.holder.execute("ROLLBACK")
            fake.holder.close()
        assert len(fake.calls) == 1, "the sweep stopped at the first failed save"
        assert len(save_pending(store)) == 1
        assert len(store.rows()) == 1


def _hold_lock(path: Path) -> subprocess.Popen[str]:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from estimator.store.lock import writer_lock\n"
        "with writer_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    with proc.stdout:
        assert proc.stdout.readline().strip() == "locked"
    return proc


SHARED = [
    Case(
        "second-run-same-store",
        "a second `estimator run` on a store another run is writing (case 3: both measured, duplicate rows)",
        "refused at once: who holds it (pid, since when), wait or use another --results",
        "second",
    ),
    Case(
        "lock-holder-killed",
        "the `run` holding the store's lock is killed with SIGKILL",
        "the kernel releases the lock: the next run proceeds",
        "killed",
    ),
    Case(
        "read-while-writing",
        "a teammate runs `estimate`, `runs`, `show` while a `run` writes into the shared store",
        "they read the runs finished so far",
        "read",
    ),
    Case(
        "readers-never-write",
        "`runs`, `show`, `estimate`, `report`, `compare` on a shared store",
        "the store file is not modified",
        "readonly",
    ),
    Case(
        "pending-from-a-teammate",
        "a cell kept aside by a teammate's failed save",
        "saved by the next `run` on the store, whoever runs it",
        "pending",
    ),
]


@cases(FAULT, "a team sharing one results store", SHARED)
def test_team_sharing_one_store(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fixture_store(tmp_path / "results.sqlite")
    if case.data == "second":
        holder = _hold_lock(path)
        try:
            scen = tmp_path / "s.toml"
            scen.write_text('apps = ["flask"]\nvariants = ["cpython-3.11"]\n')
            rc, _, err = cli(capsys, "run", scen, "--results", path)
        finally:
            holder.kill()
            holder.wait()
        assert rc == 2, err
        assert f"is being written by another `estimator run` (pid {holder.pid}" in err
        assert _rows(path) == 16
    elif case.data == "killed":
        holder = _hold_lock(path)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        with writer_lock(path):
            pass
    elif case.data == "read":
        holder = _hold_lock(path)
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM runs")  # not committed: readers still see every run
        try:
            for argv in (["runs", "--json"], ["show", RUN_ID], ["estimate", *PEAK]):
                rc, out, err = cli(capsys, *argv, "--results", path)
                assert rc == 0, err
            assert RUN_ID in out or "$" in out
        finally:
            writer.execute("ROLLBACK")
            writer.close()
            holder.kill()
            holder.wait()
    elif case.data == "readonly":
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        for argv in (
            ["runs"],
            ["show", RUN_ID],
            ["estimate", *PEAK],
            ["report", *PEAK, "--format", "csv"],
            ["compare", "flask 3.11 sync", "flask 3.13 sync"],
        ):
            rc, _, err = cli(capsys, *argv, "--results", path)
            assert rc == 0, (argv, err)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    else:
        run = fixture_runs()[0].model_copy(update={"id": "fromateammate"})
        from estimator.store.lock import keep_pending

        keep_pending(path, run)
        with Store(path) as store:
            assert save_pending(store) == ["fromateammate"]
        assert _rows(path) == 17


def test_a_killed_writer_leaves_whole_runs_only(tmp_path: Path) -> None:
    """SIGKILL in the middle of saving: every stored run has all its phases (SQLite's
    journal), the file passes its integrity check."""
    path = fixture_store(tmp_path / "results.sqlite")
    code = (
        "import sys, uuid\n"
        "from pathlib import Path\n"
        "from estimator.store.runs import Store\n"
        "from tests.fixtures import fixture_runs\n"
        "runs = fixture_runs()\n"
        "with Store(Path(sys.argv[1])) as s:\n"
        "    print('go', flush=True)\n"
        "    while True:\n"
        "        for r in runs:\n"
        "            s.save(r.model_copy(update={'id': uuid.uuid4().hex[:12]}))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    with proc.stdout:
        assert proc.stdout.readline().strip() == "go"
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute(
            "SELECT r.id, json_array_length(r.result_json, '$.phases'), count(p.idx)"
            " FROM runs r LEFT JOIN phases p ON p.run_id = r.id GROUP BY r.id"
        ).fetchall()
    assert len(rows) > 16
    assert all(expected == found for _, expected, found in rows)


def _sqlite_of_another_program(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER, password TEXT)")


STORE_FILES = [
    Case(
        "empty-file-runs",
        "`estimator runs` on a 0-byte file (case 8: a schema was written into it)",
        "is an empty file, not a results store",
        ("empty", ["runs"]),
    ),
    Case(
        "empty-file-estimate",
        "`estimator estimate` on a 0-byte file",
        "is an empty file",
        ("empty", ["estimate", *PEAK]),
    ),
    Case(
        "other-program-db-runs",
        "`estimator runs` on another program's SQLite database",
        "an SQLite database of another program",
        ("other", ["runs"]),
    ),
    Case(
        "other-program-db-run",
        "`estimator run` into another program's SQLite database",
        "an SQLite database of another program",
        ("other", ["run", "SCENARIO", "--dry-run"]),
    ),
    Case(
        "text-file",
        "`estimator runs` on a text file",
        "is not a readable SQLite database",
        ("text", ["runs"]),
    ),
    Case(
        "newer-schema",
        "a store written by a newer estimator",
        "newer than this estimator's",
        ("newer", ["runs"]),
    ),
    Case("store-is-a-folder", "`--results` naming a folder", "is a folder", ("folder", ["runs"])),
    Case(
        "store-missing",
        "`--results` naming no file (`runs`)",
        "does not exist",
        ("missing", ["runs"]),
    ),
    Case(
        "store-under-a-file",
        "`--results` under a path that is a file (`run`)",
        "",
        ("under-file", ["run", "SCENARIO", "--dry-run"]),
    ),
]


@cases(INPUT, "results store files", STORE_FILES)
def test_a_file_that_is_not_a_store_is_one_line_and_untouched(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kind, argv = case.data
    path = tmp_path / "results.sqlite"
    if kind == "empty":
        path.touch()
    elif kind == "other":
        _sqlite_of_another_program(path)
    elif kind == "text":
        path.write_text("notes\n" * 500)
    elif kind == "newer":
        fixture_store(path)
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA user_version = 99")
    elif kind == "folder":
        path.mkdir()
    elif kind == "under-file":
        (tmp_path / "afile").write_text("x")
        path = tmp_path / "afile" / "results.sqlite"
    before = path.read_bytes() if path.is_file() else None
    scen = tmp_path / "s.toml"
    scen.write_text('apps = ["flask"]\nvariants = ["cpython-3.11"]\n')
    argv = [str(scen) if a == "SCENARIO" else a for a in argv]
    assert_one_line_error(cli(capsys, *argv, "--results", path), case.expect)
    if before is not None:
        assert path.read_bytes() == before


REPORT_OUTPUT = [
    Case(
        "report-over-store",
        "`estimator report … -o results.sqlite` (case 6: the store was overwritten)",
        "is the results store itself",
        "store",
    ),
    Case(
        "report-over-other-store",
        "`-o` naming another results store",
        "is an SQLite database",
        "other",
    ),
    Case("report-into-folder", "`-o` naming a folder", "is a folder", "folder"),
    Case(
        "report-into-missing-folder",
        "`-o` in a folder that does not exist",
        "cannot write",
        "missing",
    ),
]


@cases(INPUT, "report output (-o)", REPORT_OUTPUT)
def test_report_never_overwrites_a_store(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fixture_store(tmp_path / "results.sqlite")
    target = {
        "store": path,
        "other": fixture_store(tmp_path / "other.sqlite"),
        "folder": tmp_path,
        "missing": tmp_path / "nowhere" / "r.md",
    }[case.data]
    before = path.read_bytes()
    result = cli(capsys, "report", "--results", path, *PEAK, "-o", target)
    assert_one_line_error(result, case.expect)
    assert path.read_bytes() == before
    if case.data == "other":
        rc, _, err = cli(capsys, "report", "--results", path, *PEAK, "-o", target, "--force")
        assert rc == 0, err


def test_runs_unreadable_by_this_version_are_left_out_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Case 1: a run stored with null where a number belongs (inf in a scenario, before
    inputs were checked) made every estimate fail: now it is left out, and said so."""
    path = fixture_store(tmp_path / "results.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE runs SET result_json = json_set(result_json, '$.cell.slo.p95_ms', NULL)"
            " WHERE id = ?",
            (RUN_ID,),
        )
    rc, out, err = cli(capsys, "estimate", "--results", path, *PEAK)
    assert rc == 0, err
    assert "1 run(s)" in err
    assert RUN_ID in err
    assert "$" in out
