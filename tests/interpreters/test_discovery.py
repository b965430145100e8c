from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters import discovery as disc
from estimator.interpreters.discovery import (
    INCOMPLETE_MARKER,
    merge,
    parse_uv_list,
    path_candidates,
    pyenv_candidates,
    scan,
)
from tests.interpreters.conftest import FREE_THREADED_314, PYPY_39, cpython, runs, write_fake

# Recorded from `uv python list --only-installed --output-format json` (uv 0.13.9), trimmed.
UV_LIST = [
    {
        "key": "cpython-3.11.7-linux-x86_64-gnu",
        "version": "3.11.7",
        "path": "/root/.pyenv/versions/3.11.7/bin/python3.11",
        "symlink": None,
        "implementation": "cpython",
    },
    {
        "key": "cpython-3.11.7-linux-x86_64-gnu",
        "version": "3.11.7",
        "path": "/root/.pyenv/shims/python3.11",
        "symlink": None,
        "implementation": "cpython",
    },
    {
        "key": "pypy-3.9.16-linux-x86_64-gnu",
        "version": "3.9.16",
        "path": "/usr/bin/pypy3",
        "symlink": "pypy3.9",
        "implementation": "pypy",
    },
    {"key": "cpython-3.14.0-linux-x86_64-gnu", "version": "3.14.0", "path": None, "url": "x"},
]


def _pyenv(root: Path) -> Path:
    """A fake $PYENV_ROOT: 3.12.1 (python3.12 + python3 symlink), 3.14.4t (hard links
    python3.14t/python3.14), an interrupted build, and a 2.7 without python3 names."""
    v = root / "versions"
    exe = write_fake(v / "3.12.1" / "bin" / "python3.12", cpython("3.12.1"))
    (v / "3.12.1" / "bin" / "python3").symlink_to("python3.12")
    (v / "3.12.1" / "bin" / "python3.12-config").write_text("#!/bin/sh\n")
    ft = write_fake(v / "3.14.4t" / "bin" / "python3.14t", FREE_THREADED_314)
    os.link(ft, v / "3.14.4t" / "bin" / "python3.14")
    write_fake(v / "3.14.4" / "bin" / "python3.14", cpython("3.14.4"))
    (v / "3.14.4" / INCOMPLETE_MARKER).write_text("")
    write_fake(v / "2.7.18" / "bin" / "python2.7", cpython("2.7.18"))
    return exe


def test_uv_json_parsing_keeps_paths_only() -> None:
    paths = parse_uv_list(json.dumps(UV_LIST))
    assert paths == [
        Path("/root/.pyenv/versions/3.11.7/bin/python3.11"),
        Path("/root/.pyenv/shims/python3.11"),
        Path("/usr/bin/pypy3"),
    ]


def test_uv_bad_output_is_an_error() -> None:
    with pytest.raises(InterpreterError, match="no JSON"):
        parse_uv_list("warning: something\n")


def test_pyenv_scan_finds_versions_and_skips_incomplete(tmp_path: Path) -> None:
    _pyenv(tmp_path)
    found, skipped = pyenv_candidates(tmp_path)
    names = [str(p.relative_to(tmp_path / "versions")) for p in found]
    assert names == [
        "3.12.1/bin/python3.12",
        "3.12.1/bin/python3",
        "3.14.4t/bin/python3.14t",
        "3.14.4t/bin/python3.14",
    ]
    assert [s.path.name for s in skipped] == ["3.14.4"]
    assert "interrupted" in skipped[0].reason


def test_path_scan_skips_shims(tmp_path: Path) -> None:
    write_fake(tmp_path / "shims" / "python3.11", cpython("3.11.7"))
    write_fake(tmp_path / "bin" / "pypy3", PYPY_39)
    write_fake(tmp_path / "bin" / "pypy3clean", "{}")
    write_fake(tmp_path / "bin" / "python3.13t", cpython("3.13.15"))
    found = path_candidates(f"{tmp_path / 'shims'}{os.pathsep}{tmp_path / 'bin'}")
    assert [p.name for p in found] == ["python3.13t", "pypy3"]


def test_merge_dedupes_by_real_path_and_inode(tmp_path: Path, probe_cache: Path) -> None:
    exe = _pyenv(tmp_path)
    found, _ = pyenv_candidates(tmp_path)
    result = merge(
        [*[(p, "pyenv") for p in found], (exe, "uv"), (exe.parent / "python3", "PATH")],
        probe_cache=probe_cache,
    )
    assert [(str(i.path.name), i.sources) for i in result.interpreters] == [
        ("python3.12", ["pyenv", "uv", "PATH"]),
        ("python3.14t", ["pyenv"]),
    ]
    assert runs(exe) == 1  # probed once despite three names


def test_broken_interpreter_skipped_with_note(tmp_path: Path, probe_cache: Path) -> None:
    good = write_fake(tmp_path / "a" / "python3.12", cpython("3.12.1"))
    bad = write_fake(tmp_path / "b" / "python3.13", "oops", exit_code=1)
    result = merge([(good, "PATH"), (bad, "PATH")], probe_cache=probe_cache)
    assert [i.path for i in result.interpreters] == [good]
    assert [s.path for s in result.skipped] == [bad]
    assert "probe failed" in result.skipped[0].reason


def test_explicit_missing_path_is_reported(tmp_path: Path, probe_cache: Path) -> None:
    result = merge([(tmp_path / "nope", "explicit")], probe_cache=probe_cache)
    assert result.interpreters == []
    assert result.skipped[0].reason == "not an executable file"


def test_scan_all_sources(
    tmp_path: Path, probe_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "pyenv"
    pyenv_312 = _pyenv(root)
    bindir = tmp_path / "usr-bin"
    pypy = write_fake(bindir / "pypy3", PYPY_39)
    uv = write_fake(tmp_path / "uvbin" / "uv", json.dumps([{"path": str(pypy)}]))
    explicit = write_fake(tmp_path / "custom" / "bin" / "python3.11", cpython("3.11.9"))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", str(bindir))
    monkeypatch.setattr(disc, "find_uv", lambda: str(uv))
    result = scan([tmp_path / "custom"], probe_cache=probe_cache)
    by_path = {i.path: i.sources for i in result.interpreters}
    assert by_path == {
        explicit: ["explicit"],
        pyenv_312: ["pyenv"],
        root / "versions" / "3.14.4t" / "bin" / "python3.14t": ["pyenv"],
        pypy: ["PATH", "uv"],
    }
    versions = [i.facts.version for i in result.interpreters]
    assert versions == ["3.11.9", "3.12.1", "3.14.4", "3.9.16"]  # CPython first, then PyPy
    assert result.notes == []


def test_scan_without_uv_notes_it(
    tmp_path: Path, probe_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(disc, "find_uv", lambda: None)
    result = scan(probe_cache=probe_cache)
    assert result.interpreters == []
    assert "uv not installed" in result.notes[0]
