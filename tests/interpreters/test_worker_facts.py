from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from estimator import procs
from estimator.interpreters import WorkerFacts, facts_mismatch, read_worker_facts, resolve_variant
from estimator.interpreters.worker_facts import FACTS_DIR_ENV, PTH_LINE, install_hook
from tests.interpreters.test_variants import MACHINE
from tests.promised import PYPY, require_pypy


def _facts(**changes: Any) -> WorkerFacts:
    base: dict[str, Any] = {
        "pid": 100,
        "ppid": 1,
        "event": "exit",
        "time": 1.0,
        "implementation": "cpython",
        "version": "3.14.4",
        "executable": "/env/bin/python",
        "free_threaded_build": False,
        "gil_enabled": True,
        "jit_available": True,
        "jit_enabled": False,
        "jit_source": "sys._jit",
        "cinderx_requested": False,
        "cinderx_active": False,
    }
    base.update(changes)
    return WorkerFacts.model_validate(base)


def test_matching_facts_have_no_mismatch() -> None:
    assert facts_mismatch(resolve_variant("cpython-3.14", MACHINE), [_facts()]) == []
    jit = resolve_variant("cpython-3.14+jit", MACHINE)
    assert facts_mismatch(jit, [_facts(jit_enabled=True)]) == []


def test_gil_reenabled_on_free_threaded_is_reported() -> None:
    rv = resolve_variant("cpython-3.14t", MACHINE)
    good = _facts(pid=7, free_threaded_build=True, gil_enabled=False, jit_available=False)
    bad = _facts(pid=8, free_threaded_build=True, gil_enabled=True, jit_available=False)
    problems = facts_mismatch(rv, [good, bad])
    assert len(problems) == 1
    assert problems[0].startswith("pid 8 (exit): the GIL is enabled on free-threaded")


def test_jit_off_when_asked_on_and_other_version() -> None:
    rv = resolve_variant("cpython-3.14+jit", MACHINE)
    problems = facts_mismatch(rv, [_facts(jit_enabled=False, version="3.14.3")])
    assert any("ran Python 3.14.3, asked 3.14.4" in p for p in problems)
    assert any("the JIT is off" in p for p in problems)


def test_cinderx_inactive_reports_why() -> None:
    rv = resolve_variant("cpython-3.14+cinderx", MACHINE)
    problems = facts_mismatch(
        rv, [_facts(cinderx_requested=True, cinderx_error="ImportError: no _cinderx")]
    )
    assert problems == [
        "pid 100 (exit): CinderX is not active for cpython-3.14+cinderx: ImportError: no _cinderx"
    ]


def test_no_records_is_a_mismatch() -> None:
    problems = facts_mismatch(resolve_variant("pypy-3.9", MACHINE), [])
    assert "no process reported its facts" in problems[0]


def test_read_skips_foreign_and_broken_files(tmp_path: Path) -> None:
    (tmp_path / "12.json").write_text(_facts(pid=12, time=2.0).model_dump_json())
    (tmp_path / "11.json").write_text(_facts(pid=11, time=1.0).model_dump_json())
    (tmp_path / "13.json").write_text("{not json")
    (tmp_path / ".14.start.tmp").write_text("{}")
    (tmp_path / "notes.json").write_text("{}")
    assert [f.pid for f in read_worker_facts(tmp_path)] == [11, 12]
    assert read_worker_facts(tmp_path / "missing") == []


def test_pth_line_checks_the_variable_before_importing() -> None:
    assert PTH_LINE.startswith("import os; os.environ.get('ESTIMATOR_WORKER_FACTS_DIR') and")


SCRIPT = """
import os, site, sys
site.addsitedir(sys.argv[1])
pid = os.fork()
if pid == 0:
    sys.exit(0)
os.waitpid(pid, 0)
print("hooked" if "_estimator_worker_facts" in sys.modules else "not hooked")
"""


def _run(python: str, site_dir: Path, env: dict[str, str]) -> str:
    proc = procs.spawn(
        [python, "-S", "-c", SCRIPT, str(site_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        procs.stop(proc)
    assert proc.returncode == 0, err.decode()
    return out.decode().strip()


@pytest.mark.integration
@pytest.mark.usefixtures("no_leftover_processes")
@pytest.mark.parametrize("python", [sys.executable, str(PYPY)])
def test_hook_writes_start_fork_and_exit_records(python: str, tmp_path: Path) -> None:
    if python == str(PYPY):
        require_pypy()
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    install_hook(site_dir)
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    out = _run(python, site_dir, {"PATH": "/usr/bin:/bin", FACTS_DIR_ENV: str(facts_dir)})
    assert out == "hooked"
    records = read_worker_facts(facts_dir)
    assert len(records) == 2  # parent and forked child, each with its final record
    pids = {r.pid for r in records}
    children = [r for r in records if r.ppid in pids]
    assert len(children) == 1  # the forked child names the parent
    assert {r.event for r in records} == {"exit"}
    impl = "pypy" if "pypy" in python else "cpython"
    assert {r.implementation for r in records} == {impl}
    assert all(r.gil_enabled is True for r in records)
    assert not list(facts_dir.glob(".*.tmp"))


@pytest.mark.integration
@pytest.mark.usefixtures("no_leftover_processes")
def test_hook_costs_nothing_when_unset_and_records_cinderx_failure(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    install_hook(site_dir)
    assert _run(sys.executable, site_dir, {"PATH": "/usr/bin:/bin"}) == "not hooked"
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    env = {"PATH": "/usr/bin:/bin", FACTS_DIR_ENV: str(facts_dir), "ESTIMATOR_CINDERX": "1"}
    _run(sys.executable, site_dir, env)
    record = json.loads(next(facts_dir.glob("*.json")).read_text())
    assert record["cinderx_requested"] is True
    assert record["cinderx_active"] is False
    assert "cinderx" in record["cinderx_error"]


def test_hook_source_is_copied_verbatim(tmp_path: Path) -> None:
    install_hook(tmp_path)
    copied = (tmp_path / "_estimator_worker_facts.py").read_text()
    here = Path(__file__).parents[2] / "estimator" / "interpreters" / "_estimator_worker_facts.py"
    assert copied == here.read_text()
