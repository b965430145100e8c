from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimator.cli import interpreters as cli_interpreters
from estimator.cli import main
from estimator.interpreters import discovery
from estimator.interpreters.install import HostState
from estimator.interpreters.install.plan import BUILD_DEPENDENCIES
from tests.interpreters.conftest import FREE_THREADED_314, JIT_314, PYPY_39, cpython, write_fake


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake machine: pyenv with 3.12.1, 3.14.4 (JIT built in) and 3.14.4t; PyPy on PATH."""
    root = tmp_path / "pyenv"
    write_fake(root / "versions" / "3.12.1" / "bin" / "python3.12", cpython("3.12.1"))
    write_fake(root / "versions" / "3.14.4" / "bin" / "python3.14", JIT_314)
    write_fake(root / "versions" / "3.14.4t" / "bin" / "python3.14t", FREE_THREADED_314)
    write_fake(tmp_path / "bin" / "pypy3", PYPY_39)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(discovery, "find_uv", lambda: None)
    return root


def test_json_lists_interpreters_with_facts_and_variants(
    machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["interpreters", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = {
        r["facts"]["version"] + ("t" if r["facts"]["free_threaded_build"] else ""): r
        for r in out["interpreters"]
    }
    assert sorted(rows) == ["3.12.1", "3.14.4", "3.14.4t", "3.9.16"]
    assert rows["3.14.4"]["variants"] == [
        "cpython-3.14",
        "cpython-3.14+jit",
        "cpython-3.14+cinderx",
    ]
    assert rows["3.14.4t"]["variants"] == ["cpython-3.14t"]
    assert rows["3.9.16"]["facts"]["implementation"] == "pypy"
    assert rows["3.14.4"]["facts"]["jit_available"] is True
    assert rows["3.12.1"]["optimized"] is False
    assert out["notes"] == ["uv not installed: interpreters only uv knows are not listed"]


def test_table_shows_paths_and_variants(machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interpreters"]) == 0
    out = capsys.readouterr().out
    assert str(machine / "versions" / "3.14.4t" / "bin" / "python3.14t") in out
    assert "built in, off" in out
    assert "cpython-3.14t" in out


def test_resolve_prints_env_and_fails_on_missing(
    machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["interpreters", "resolve", "cpython-3.14+jit", "cpython-3.13t"]) == 1
    captured = capsys.readouterr()
    assert "cpython-3.14+jit:" in captured.out
    assert "PYTHON_JIT=1" in captured.out
    assert "estimator: error: variant 'cpython-3.13t': no cpython 3.13 interpreter" in captured.err


def test_install_rejects_bad_spec_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interpreters", "install", "3.14t+jit"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("estimator: error: '3.14t+jit': CPython's JIT is not supported")
    assert len(err.strip().splitlines()) == 1


def test_install_dry_run_prints_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    host = HostState(
        pyenv_root=tmp_path,
        python_build=tmp_path / "python-build",
        definitions={"3.14.4": "d" * 64},
        apt=True,
        root=True,
        dpkg_installed=[*BUILD_DEPENDENCIES, "clang-19", "llvm-19"],
        regen_python=Path("/usr/bin/python3"),
    )
    monkeypatch.setattr(cli_interpreters, "gather", lambda: host)
    assert main(["interpreters", "install", "3.14", "3.14t", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "fetch Debian's python3.14 3.14.4 source" in out
    assert (
        f"python-build 3.14.4 {tmp_path}/versions/3.14.4  [--enable-experimental-jit=yes-off]"
        in out
    )
    assert f"{tmp_path}/versions/3.14.4t" in out
