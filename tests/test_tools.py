"""estimator.tools: the programs estimator runs are found beside its own interpreter first."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from estimator import tools


def _exe(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A venv-like bin/ whose python is a symlink to a base interpreter's (which holds its own
    uv, as a pyenv build with `pip install uv` does), and a PATH with a third uv."""
    base = _exe(tmp_path / "base" / "bin" / "python3")
    _exe(tmp_path / "base" / "bin" / "uv")
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(base)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    monkeypatch.setenv("PATH", str(_exe(tmp_path / "path" / "uv").parent))
    return bin_dir


def test_uv_beside_our_interpreter_wins_over_path(venv: Path) -> None:
    own = _exe(venv / "uv")
    assert tools.find_uv() == str(own)


def test_the_symlink_is_not_followed_to_the_base_interpreter(venv: Path) -> None:
    """No uv in our venv: PATH's, never the one beside the base interpreter."""
    found = tools.find_uv()
    assert found is not None
    assert Path(found).parent.name == "path"


def test_a_non_executable_file_beside_us_is_not_a_tool(venv: Path) -> None:
    (venv / "uv").write_text("not a program")
    found = tools.find_uv()
    assert found is not None
    assert Path(found).parent.name == "path"


def test_nowhere_is_none(venv: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert tools.find_uv() is None


def test_the_project_venv_has_its_own_uv() -> None:
    """uv is a dependency: setup (uv sync) puts it beside the interpreter running the tests."""
    found = tools.find_uv()
    assert found == os.path.join(os.path.dirname(sys.executable), "uv"), (
        f"uv found at {found}, not in {os.path.dirname(sys.executable)}: run ./infra/setup.sh "
        "(uv is a project dependency; uv sync installs it into .venv/bin)"
    )
