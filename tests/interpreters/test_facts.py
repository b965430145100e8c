from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters.facts import parse_probe, read_facts
from tests.interpreters.conftest import (
    FREE_THREADED_314,
    JIT_314,
    PYPY_39,
    cpython,
    probe_output,
    runs,
    write_fake,
)


def test_plain_cpython_facts() -> None:
    f = parse_probe(probe_output())
    assert (f.implementation, f.version, f.major, f.minor, f.micro) == (
        "cpython",
        "3.12.1",
        3,
        12,
        1,
    )
    assert not f.free_threaded_build
    assert f.gil_enabled_default
    assert not f.jit_available
    assert not f.debug_build
    assert not f.optimized
    assert f.label == "CPython 3.12.1"


def test_free_threaded_build() -> None:
    f = parse_probe(FREE_THREADED_314)
    assert f.free_threaded_build
    assert f.gil_enabled_default is False
    assert f.label == "CPython 3.14.4t"


def test_jit_from_sys_jit_on_314() -> None:
    f = parse_probe(JIT_314)
    assert (f.jit_available, f.jit_enabled_default, f.jit_source) == (True, False, "sys._jit")


@pytest.mark.parametrize(
    ("config", "cflags", "expected"),
    [
        ("'--enable-experimental-jit=yes-off'", "", (True, False)),
        ("'--enable-experimental-jit'", "", (True, True)),
        ("'--enable-experimental-jit=yes'", "", (True, True)),
        ("'--enable-experimental-jit=interpreter'", "", (False, False)),
        ("'--enable-experimental-jit=no'", "", (False, False)),
        ("", "-O3 -D_Py_TIER2=3 -D_Py_JIT", (True, False)),
        ("", "-O3 -D_Py_TIER2=1 -D_Py_JIT", (True, True)),
        ("", "-O3", (False, False)),
    ],
)
def test_jit_from_313_build_config(config: str, cflags: str, expected: tuple[bool, bool]) -> None:
    f = parse_probe(cpython("3.13.15", config_args=config, cflags=cflags))
    assert (f.jit_available, f.jit_enabled_default) == expected
    assert f.jit_source == "build config"


@pytest.mark.parametrize(
    ("config", "cflags", "ldflags", "pgo", "lto"),
    [
        ("'--enable-optimizations' '--with-lto'", "", "", True, True),
        ("'--enable-optimizations'", "", "", True, False),
        ("'--with-lto=no'", "-flto", "", False, False),
        ("", "-O3 -fprofile-use -fprofile-correction", "-flto=auto", True, True),
        ("'--prefix=/x'", "-O3", "", False, False),
    ],
)
def test_pgo_lto(config: str, cflags: str, ldflags: str, pgo: bool, lto: bool) -> None:
    f = parse_probe(cpython("3.11.7", config_args=config, cflags=cflags, ldflags=ldflags))
    assert (f.pgo, f.lto, f.optimized) == (pgo, lto, pgo and lto)


def test_debug_build_and_prerelease_version() -> None:
    f = parse_probe(probe_output(py_debug=1, version_info=[3, 14, 5, "candidate", 1]))
    assert f.debug_build
    assert f.version == "3.14.5rc1"
    assert f.releaselevel == "candidate"


def test_pypy_facts() -> None:
    f = parse_probe(PYPY_39)
    assert (f.implementation, f.version, f.pypy_version) == ("pypy", "3.9.16", "7.3.11")
    assert f.jit_available
    assert f.label == "PyPy 7.3.11 (Python 3.9.16)"


def test_incomplete_probe_output_is_an_error() -> None:
    with pytest.raises(InterpreterError, match="incomplete"):
        parse_probe({"implementation": "cpython"})


def test_probe_runs_once_then_cache(tmp_path: Path) -> None:
    exe = write_fake(tmp_path / "bin" / "python3.12", probe_output())
    cache = tmp_path / "cache"
    first = read_facts(exe, cache=cache)
    second = read_facts(exe, cache=cache)
    assert first == second
    assert runs(exe) == 1


def test_changed_binary_is_probed_again(tmp_path: Path) -> None:
    exe = write_fake(tmp_path / "bin" / "python3.12", probe_output())
    cache = tmp_path / "cache"
    assert read_facts(exe, cache=cache).version == "3.12.1"
    write_fake(exe, cpython("3.12.11"))  # rebuilt in place: size changes
    assert read_facts(exe, cache=cache).version == "3.12.11"


def test_broken_interpreter_message_names_path(tmp_path: Path) -> None:
    exe = write_fake(tmp_path / "python3.12", "Segmentation fault", exit_code=139)
    with pytest.raises(InterpreterError, match=r"python3\.12: probe failed \(exit code 139\)"):
        read_facts(exe, cache=tmp_path / "c")


def test_non_json_output_is_not_a_python(tmp_path: Path) -> None:
    exe = write_fake(tmp_path / "python3", "hello")
    with pytest.raises(InterpreterError, match="no JSON"):
        read_facts(exe, cache=tmp_path / "c")
