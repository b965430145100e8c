"""Provisioning with the real uv (and venv+pip) and a tiny local wheel: no network."""

from __future__ import annotations

import base64
import hashlib
import importlib
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Literal

import pytest

from estimator import procs
from estimator.errors import ProvisionError
from estimator.interpreters import RequirementSet, ResolvedVariant, provision, read_facts
from estimator.interpreters.facts import Interpreter
from estimator.interpreters.provision import MARKER, environment_key
from estimator.interpreters.variants import parse_variant
from estimator.interpreters.venvbuild import parse_freeze

# the module, not the `provision` function the package exports under the same name
provision_module = importlib.import_module("estimator.interpreters.provision")

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_leftover_processes")]


def _base_python() -> Path:
    return Path(getattr(sys, "_base_executable", sys.executable)).resolve()


@pytest.fixture(scope="module")
def variant() -> ResolvedVariant:
    exe = _base_python()
    facts = read_facts(exe)
    interp = Interpreter(path=exe, real_path=exe, sources=["explicit"], facts=facts)
    spec = parse_variant(f"cpython-{facts.major}.{facts.minor}")
    return ResolvedVariant(name=spec.name, spec=spec, interpreter=interp, env={})


def _wheel(directory: Path, name: str, version: str) -> Path:
    """A minimal pure-Python wheel, built by hand (no build backend, no network)."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    return wheel


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local wheel directory as the only package source, for uv and pip."""
    wheels = tmp_path / "wheels"
    _wheel(wheels, "tinypkg", "1.0")
    _wheel(wheels, "tinypkg", "2.0")
    for var, value in {
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(wheels),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
    }.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("PIP_CONSTRAINT", raising=False)
    return wheels


def _python_says(env_python: Path, code: str) -> str:
    proc = procs.spawn([env_python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        procs.stop(proc)
    assert proc.returncode == 0, err.decode()
    return out.decode().strip()


def test_build_then_reuse_then_rebuild_on_change(
    variant: ResolvedVariant, tmp_path: Path, offline: Path
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("tinypkg==1.0\n")
    envs = tmp_path / "envs"
    first = provision(variant, RequirementSet(files=[req]), cache=envs)
    assert first.installer == "uv"
    assert first.packages == {"tinypkg": "1.0"}
    assert _python_says(first.python, "import tinypkg; print(tinypkg.VERSION)") == "1.0"
    assert (first.path / MARKER).is_file()
    assert (first.site_packages / "estimator_worker_facts.pth").is_file()
    assert (first.site_packages / "_estimator_worker_facts.py").is_file()

    again = provision(variant, RequirementSet(files=[req]), cache=envs)
    assert again.path == first.path
    assert again.created_at == first.created_at  # reused, not rebuilt

    req.write_text("tinypkg==2.0\n")  # same file, new content: new key
    changed = provision(variant, RequirementSet(files=[req]), cache=envs)
    assert changed.key != first.key
    assert changed.packages == {"tinypkg": "2.0"}
    assert sorted(p.name for p in envs.iterdir() if not p.name.startswith(".")) == sorted(
        [first.key, changed.key]
    )
    assert not list(envs.glob(".tmp-*"))


def test_included_requirement_files_are_part_of_the_key(
    variant: ResolvedVariant, tmp_path: Path
) -> None:
    base = tmp_path / "base.txt"
    base.write_text("tinypkg==1.0\n")
    req = tmp_path / "requirements.txt"
    req.write_text("-r base.txt\n")
    key1 = environment_key(variant, RequirementSet(files=[req]), "uv")
    base.write_text("tinypkg==2.0\n")
    assert environment_key(variant, RequirementSet(files=[req]), "uv") != key1


def test_missing_requirements_file_is_named(variant: ResolvedVariant, tmp_path: Path) -> None:
    with pytest.raises(ProvisionError, match=r"requirements file '.*nope\.txt' cannot be read"):
        provision(variant, RequirementSet(files=[tmp_path / "nope.txt"]), cache=tmp_path)


def test_failed_install_names_interpreter_and_package(
    variant: ResolvedVariant, tmp_path: Path, offline: Path
) -> None:
    envs = tmp_path / "envs"
    with pytest.raises(ProvisionError) as exc:
        provision(variant, RequirementSet(specifiers=["tinypkg==1.0", "nosuchpkg-xyz"]), cache=envs)
    message = exc.value.message
    assert message.startswith(f"{variant.name} (CPython ")
    assert str(variant.interpreter.path) in message
    assert "package 'nosuchpkg-xyz' failed" in message
    assert "full log:" in message
    # nothing that looks ready, no temporary directory left
    assert [p.name for p in envs.iterdir() if not p.name.startswith(".")] == []
    assert not list(envs.glob(".tmp-*"))


def test_setup_commands_run_once_with_the_env_python(
    variant: ResolvedVariant, tmp_path: Path, offline: Path
) -> None:
    work = tmp_path / "app"
    work.mkdir()
    req = RequirementSet(
        specifiers=["tinypkg==1.0"],
        setup=[
            ["python", "-c", "import tinypkg, sys; open('made.txt', 'a').write(sys.prefix + '\\n')"]
        ],
        workdir=work,
    )
    env = provision(variant, req, cache=tmp_path / "envs")
    provision(variant, req, cache=tmp_path / "envs")
    lines = (work / "made.txt").read_text().splitlines()
    assert len(lines) == 1  # once per environment
    assert env.key in lines[0]  # it ran with this environment's interpreter


def test_concurrent_provisioning_builds_once(
    variant: ResolvedVariant, tmp_path: Path, offline: Path
) -> None:
    req = RequirementSet(specifiers=["tinypkg==2.0"])
    results = []

    def work() -> None:
        results.append(provision(variant, req, cache=tmp_path / "envs"))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2
    assert results[0].path == results[1].path
    assert results[0].created_at == results[1].created_at


def test_venv_and_pip_when_uv_is_absent(
    variant: ResolvedVariant, tmp_path: Path, offline: Path
) -> None:
    req = RequirementSet(specifiers=["tinypkg==1.0"])
    env = provision(variant, req, cache=tmp_path, installer="pip")
    assert env.installer == "pip"
    assert env.packages["tinypkg"] == "1.0"
    assert _python_says(env.python, "import tinypkg; print(tinypkg.VERSION)") == "1.0"
    scripts = [p for p in env.bin_dir.iterdir() if p.is_file() and not p.is_symlink()]
    assert scripts  # pip, activate...
    assert all(".tmp-" not in p.read_text(errors="replace") for p in scripts)  # relocated
    proc = procs.spawn([env.bin_dir / "pip", "--version"], stdout=subprocess.PIPE)
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        procs.stop(proc)
    assert str(env.path) in out.decode()  # the moved script runs from its final place


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_pyproject_as_requirements_with_either_installer(
    variant: ResolvedVariant, tmp_path: Path, offline: Path, installer: Literal["uv", "pip"]
) -> None:
    """pip reads requirement files only: its `[project] dependencies` are given to it."""
    project = tmp_path / "app"
    project.mkdir()
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[project]\nname = "app"\nversion = "1"\ndependencies = ["tinypkg<2"]\n')
    env = provision(variant, RequirementSet(files=[pyproject]), cache=tmp_path, installer=installer)
    assert env.packages["tinypkg"] == "1.0"


def test_parse_freeze() -> None:
    text = "Flask==3.0.0\n-e file:///srv/app\nmylib @ file:///x/mylib.whl\n# comment\n"
    assert parse_freeze(text) == {
        "flask": "3.0.0",
        "file:///srv/app": "editable",
        "mylib": "file:///x/mylib.whl",
    }


def test_uv_absent_forced_is_an_error(
    variant: ResolvedVariant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provision_module, "find_uv", lambda: None)  # not beside us, not on PATH
    with pytest.raises(ProvisionError, match="uv is not installed"):
        provision(variant, RequirementSet(), cache=tmp_path, installer="uv")
