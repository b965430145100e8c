"""Carrying out a source-build plan, with a fake python-build standing in for the compiler:
tarball checks, environment given to the build, build record, and cleanup on failure."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from estimator.errors import InterpreterError
from estimator.interpreters.discovery import INCOMPLETE_MARKER
from estimator.interpreters.install import (
    HostState,
    InstallOptions,
    execute,
    parse_install_spec,
    plan_install,
)
from estimator.interpreters.install.plan import BUILD_DEPENDENCIES
from estimator.interpreters.install.run import BUILD_RECORD, PROFILE_TASK, build_phase
from tests.interpreters.conftest import FREE_THREADED_314, JIT_314, cpython

TARBALL = b"pretend this is Python-3.14.4.tar.xz"


def _fake_python_build(path: Path, probe: dict[str, object], exit_code: int = 0) -> Path:
    """Records its env, creates PREFIX/bin/python3.14 answering the probe, exits."""
    path.write_text(
        "#!/bin/sh\n"
        'prefix="$3"\n'
        'echo "checking for gcc... gcc"\n'
        '/usr/bin/env > "$prefix.env"\n'
        'mkdir -p "$prefix/bin"\n'
        f"printf '%s\\n' '#!/bin/sh' \"/bin/cat <<'EOF'\" '{json.dumps(probe)}' EOF "
        '> "$prefix/bin/python3.14"\n'
        'chmod +x "$prefix/bin/python3.14"\n'
        f"exit {exit_code}\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "pyenv"
    (root / "versions").mkdir(parents=True)
    tarball = tmp_path / "Python-3.14.4.tar.xz"
    tarball.write_bytes(TARBALL)
    return root, tarball


def _host(root: Path, python_build: Path) -> HostState:
    return HostState(
        pyenv_root=root,
        python_build=python_build,
        definitions={"3.14.4": hashlib.sha256(TARBALL).hexdigest()},
        apt=True,
        root=True,
        dpkg_installed=[*BUILD_DEPENDENCIES, "clang-19", "llvm-19"],
        regen_python=Path("/usr/bin/python3"),
    )


def test_build_lands_where_discovery_looks_with_a_record(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    root, tarball = setup
    pb = _fake_python_build(tmp_path / "python-build", JIT_314)
    host = _host(root, pb)
    plan = plan_install(parse_install_spec("3.14"), InstallOptions(tarball=tarball), host)
    messages: list[str] = []
    result = execute(
        plan, python_build=pb, regen_python=host.regen_python, progress=messages.append
    )
    prefix = root / "versions" / "3.14.4"
    assert result.executable == prefix / "bin" / "python3.14"
    assert result.facts.jit_available
    assert not (prefix / INCOMPLETE_MARKER).exists()
    record = json.loads((prefix / BUILD_RECORD).read_text())
    assert record["checksum_checked_against"] == "pyenv's definition for 3.14.4"
    assert record["configure_opts"] == ["--enable-experimental-jit=yes-off"]
    assert (root / "cache" / "Python-3.14.4.tar.xz").read_bytes() == TARBALL
    env = dict(
        line.split("=", 1) for line in (root / "versions" / "3.14.4.env").read_text().splitlines()
    )
    assert env["PYTHON_CONFIGURE_OPTS"] == "--enable-experimental-jit=yes-off"
    assert env["PYTHON_FOR_REGEN"] == "/usr/bin/python3"
    assert env["PYTHON_BUILD_CACHE_PATH"] == str(root / "cache")
    assert "shims" not in env["PATH"]
    assert "PYTHON_BUILD_FREE_THREADING" not in env
    assert not Path(env["TMPDIR"]).exists()  # python-build's work tree and log are gone
    assert any("python-build 3.14.4" in m for m in messages)


def test_failed_build_leaves_nothing_behind(setup: tuple[Path, Path], tmp_path: Path) -> None:
    root, tarball = setup
    pb = _fake_python_build(tmp_path / "python-build", JIT_314, exit_code=1)
    host = _host(root, pb)
    plan = plan_install(parse_install_spec("3.14t"), InstallOptions(tarball=tarball), host)
    with pytest.raises(InterpreterError, match=r"building CPython 3\.14\.4 failed \(exit code 1\)"):
        execute(plan, python_build=pb, regen_python=None, progress=lambda _: None)
    assert not (root / "versions" / "3.14.4t").exists()


def test_wrong_build_facts_are_an_error_and_removed(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    root, tarball = setup
    pb = _fake_python_build(tmp_path / "python-build", cpython("3.14.4"))  # no JIT inside
    host = _host(root, pb)
    plan = plan_install(parse_install_spec("3.14+jit"), InstallOptions(tarball=tarball), host)
    with pytest.raises(InterpreterError, match="the JIT is not built in"):
        execute(plan, python_build=pb, regen_python=None, progress=lambda _: None)
    assert not (root / "versions" / "3.14.4").exists()


def test_tarball_with_wrong_checksum_is_refused_before_building(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    root, tarball = setup
    tarball.write_bytes(b"tampered")
    pb = _fake_python_build(tmp_path / "python-build", JIT_314)
    host = _host(root, pb)
    plan = plan_install(parse_install_spec("3.14"), InstallOptions(tarball=tarball), host)
    with pytest.raises(InterpreterError, match="refusing to build it"):
        execute(plan, python_build=pb, regen_python=None, progress=lambda _: None)
    assert not (root / "versions" / "3.14.4").exists()
    assert not (root / "versions" / "3.14.4.env").exists()  # python-build never ran


def test_uv_failure_falls_back_to_the_source_build(
    setup: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, tarball = setup
    fake_uv = tmp_path / "uvbin" / "uv"
    fake_uv.parent.mkdir()
    fake_uv.write_text(
        "#!/bin/sh\necho 'error: failed to lookup address information' >&2\nexit 2\n"
    )
    fake_uv.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_uv.parent}:/usr/bin:/bin")
    pb = _fake_python_build(tmp_path / "python-build", FREE_THREADED_314)
    host = _host(root, pb).model_copy(
        update={"uv": True, "uv_downloads": True, "cached_tarballs": {"3.14.4": tarball}}
    )
    plan = plan_install(parse_install_spec("3.14t"), InstallOptions(), host)
    assert plan.method == "uv"
    messages: list[str] = []
    result = execute(plan, python_build=pb, regen_python=None, progress=messages.append)
    assert result.method == "python-build"
    assert result.facts.free_threaded_build
    assert any(
        "uv python install 3.14t failed" in m and "from source instead" in m for m in messages
    )


def test_optimized_build_gets_pgo_options_and_a_tolerant_profile_task(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    root, tarball = setup
    opt = cpython(
        "3.14.4",
        sys_jit=[True, False],
        config_args="'--enable-experimental-jit=yes-off' '--enable-optimizations' '--with-lto'",
    )
    pb = _fake_python_build(tmp_path / "python-build", opt)
    host = _host(root, pb)
    plan = plan_install(
        parse_install_spec("3.14", optimized=True), InstallOptions(tarball=tarball), host
    )
    result = execute(plan, python_build=pb, regen_python=None, progress=lambda _: None)
    assert result.facts.optimized
    env = dict(
        line.split("=", 1)
        for line in (root / "versions" / "3.14.4-opt.env").read_text().splitlines()
        if "=" in line
    )
    assert env["PROFILE_TASK"] == PROFILE_TASK
    assert "--enable-optimizations --with-lto" in env["PYTHON_CONFIGURE_OPTS"]


@pytest.mark.parametrize(
    ("line", "phase"),
    [
        ("checking for gcc... gcc", "configure"),
        (
            "python3.11 ./Tools/jit/build.py x86_64-pc-linux-gnu --output-dir .",
            "generating JIT stencils",
        ),
        (
            "gcc -c -fprofile-generate -O3 -o Python/ceval.o Python/ceval.c",
            "PGO: instrumented compile",
        ),
        (
            "lto-wrapper: warning: using serial compilation of 128 LTRANS jobs",
            "link-time optimisation (slow, serial)",
        ),
        ("0:00:59 load avg: 3.72 [19/43] test_generators", "PGO: profiling run (test suite)"),
        ("gcc -c -fprofile-use -fprofile-correction -O3 -o x.o x.c", "PGO: optimised compile"),
        ("gcc -c -O3 -o Objects/longobject.o Objects/longobject.c", "compiling"),
        ("Compiling '/root/.pyenv/versions/3.14.4/lib/python3.14/os.py'...", "installing"),
        ("random noise", ""),
    ],
)
def test_progress_phase_from_build_log(line: str, phase: str) -> None:
    assert build_phase(line) == phase
