"""On this machine: what discovery finds, and what the worker-facts hook reports from real
free-threaded and JIT builds (skipped, with the reason, where those are not installed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from estimator import procs
from estimator.errors import InterpreterError, ProvisionError
from estimator.interpreters import (
    Environment,
    Interpreter,
    RequirementSet,
    ResolvedVariant,
    facts_mismatch,
    provision,
    read_worker_facts,
    resolve_variant,
    scan,
)
from estimator.interpreters.discovery import INCOMPLETE_MARKER
from tests.promised import missing_variant, require_pypy, skip_unpromised

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_leftover_processes")]

LOOP = "total = 0\nfor i in range(300_000):\n    total += i % 7\nprint(total)\n"


@pytest.fixture(scope="module")
def found() -> list[Interpreter]:
    return scan().interpreters


def _variant(name: str, found: list[Interpreter]) -> ResolvedVariant:
    try:
        return resolve_variant(name, found)
    except InterpreterError as exc:
        missing_variant(name, exc.message)


def _run_in(env: Environment, facts_dir: Path, extra: dict[str, str] | None = None) -> None:
    run_env = env.run_env({"PATH": "/usr/bin:/bin"}, facts_dir=facts_dir)
    run_env.update(extra or {})
    proc = procs.spawn(
        [env.python, "-c", LOOP], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        procs.stop(proc)
    assert proc.returncode == 0, err.decode()[-500:]


@pytest.mark.parametrize("minor", [11, 12, 13])
def test_pyenv_cpython_found_with_facts(found: list[Interpreter], minor: int) -> None:
    root = Path.home() / ".pyenv" / "versions"
    expected = sorted(
        d.name
        for d in root.glob(f"3.{minor}.*")
        if d.name.replace(".", "").isdigit() and not (d / INCOMPLETE_MARKER).exists()
    )
    if not expected:
        skip_unpromised(f"no pyenv CPython 3.{minor} under {root}")
    pyenv = [
        i
        for i in found
        if "pyenv" in i.sources
        and i.facts.minor_version == (3, minor)
        and not i.facts.free_threaded_build
    ]
    assert sorted(i.facts.version for i in pyenv) == expected  # version read from the binary
    for i in pyenv:
        assert i.facts.implementation == "cpython"
        assert not i.facts.debug_build
        assert i.facts.gil_enabled_default
        assert i.real_path.is_relative_to(root.resolve())


def test_pypy_found(found: list[Interpreter]) -> None:
    require_pypy()
    pypy = [i for i in found if i.facts.implementation == "pypy"]
    assert pypy, "pypy3 is installed but discovery did not find it"
    facts = pypy[0].facts
    assert facts.minor_version == (3, 9)
    assert facts.pypy_version is not None
    assert facts.pypy_version.startswith("7.3.")
    assert facts.jit_available
    assert "PATH" in pypy[0].sources


def test_free_threaded_worker_reports_gil_off(found: list[Interpreter], tmp_path: Path) -> None:
    ft = next((i for i in found if i.facts.free_threaded_build), None)
    if ft is None:
        skip_unpromised("no free-threaded CPython here: estimator interpreters install 3.14t")
    rv = _variant(f"cpython-{ft.facts.major}.{ft.facts.minor}t", found)
    env = provision(rv, RequirementSet(), cache=tmp_path / "envs")
    on = tmp_path / "gil-off"
    on.mkdir()
    _run_in(env, on)
    records = read_worker_facts(on)
    assert [r.gil_enabled for r in records] == [False]
    assert records[0].free_threaded_build
    assert facts_mismatch(rv, records) == []
    forced = tmp_path / "gil-on"
    forced.mkdir()
    _run_in(env, forced, {"PYTHON_GIL": "1"})  # what a GIL-needing extension would do
    problems = facts_mismatch(rv, read_worker_facts(forced))
    assert len(problems) == 1
    assert "the GIL is enabled on free-threaded" in problems[0]


def test_jit_worker_reports_jit_on_only_for_the_jit_variant(
    found: list[Interpreter], tmp_path: Path
) -> None:
    jit_capable = [
        i for i in found if i.facts.jit_available and i.facts.implementation == "cpython"
    ]
    if not jit_capable:
        skip_unpromised(
            "no CPython with the JIT built in here: estimator interpreters install 3.14+jit"
        )
    f = jit_capable[0].facts
    jit = _variant(f"cpython-{f.major}.{f.minor}+jit", found)
    plain = _variant(f"cpython-{f.major}.{f.minor}", found)
    assert plain.interpreter.real_path == jit.interpreter.real_path  # same binary, JIT off/on
    env = provision(jit, RequirementSet(), cache=tmp_path / "envs")
    for rv, expected in ((jit, True), (plain, False)):
        facts_dir = tmp_path / rv.name
        facts_dir.mkdir()
        _run_in(env.model_copy(update={"variant": rv}), facts_dir)
        records = read_worker_facts(facts_dir)
        assert [r.jit_enabled for r in records] == [expected]
        assert facts_mismatch(rv, records) == []


def test_cinderx_variant_is_active_in_the_worker(found: list[Interpreter], tmp_path: Path) -> None:
    """Installs the cinderx wheel from PyPI into a 3.14 environment (uv cache makes reruns
    quick) and checks the hook turned its JIT on. Whether hot code then survives is measured
    by the sweep, not asserted here (see docs/interpreters.md)."""
    rv = _variant("cpython-3.14+cinderx", found)
    try:
        env = provision(rv, RequirementSet(), cache=tmp_path / "envs")
    except ProvisionError as exc:
        skip_unpromised(f"cinderx could not be installed here: {exc.message}")
    assert "cinderx" in env.packages
    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    run_env = env.run_env({"PATH": "/usr/bin:/bin"}, facts_dir=facts_dir)
    assert run_env["ESTIMATOR_CINDERX"] == "1"
    proc = procs.spawn([env.python, "-c", "print('ok')"], env=run_env, stdout=subprocess.PIPE)
    try:
        out, _ = proc.communicate(timeout=120)
    finally:
        procs.stop(proc)
    assert out.decode().strip() == "ok"
    records = read_worker_facts(facts_dir)
    assert [(r.cinderx_requested, r.cinderx_active, r.cinderx_error) for r in records] == [
        (True, True, None)
    ]
    assert facts_mismatch(rv, records) == []
