"""Carry out an install plan: apt packages, the tarball, python-build (or uv), and a check of
the new interpreter's build facts. Progress goes to a callback; everything to a log file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import Field

from estimator import paths, procs
from estimator._model import Model
from estimator.errors import InterpreterError
from estimator.interpreters.discovery import INCOMPLETE_MARKER
from estimator.interpreters.facts import InterpreterFacts, read_facts
from estimator.interpreters.install import debian
from estimator.interpreters.install.plan import InstallPlan
from estimator.interpreters.install.pyenv import (
    definitions_dir,
    derive_definition,
    sha256_of,
    verify_tarball,
)
from estimator.tools import find_uv

Progress = Callable[[str], None]
BUILD_RECORD = ".estimator-build.json"
BUILD_TIMEOUT_S = 4 * 3600.0
PROGRESS_EVERY_S = 15.0
PROFILE_TASK = (
    '-c "import subprocess, sys; '
    'code = subprocess.call([sys.executable, \\"-m\\", \\"test\\", \\"--pgo\\", '
    '\\"--timeout=$(TESTTIMEOUT)\\"]); '
    'print(\\"estimator: PGO profiling run exit status\\", code, '
    '\\"(failures do not fail the build)\\")"'
)
"""The PGO training run (CPython's own: `-m test --pgo`) in a child process whose failure
is reported but does not fail the build. Since 3.12 CPython fails the build on any failing
profiling test, and signal-timing tests (test_generators) fail on a loaded 2-core machine,
killing a 30-minute build; CPython before 3.12 ignored such failures, as this does. The
profile is still collected: the child is the instrumented interpreter."""


class InstallResult(Model):
    spec: str
    method: str
    executable: Path
    facts: InterpreterFacts
    seconds: float
    log: Path | None = None
    notes: list[str] = Field(default_factory=list)


def _logs_dir() -> Path:
    d = paths.cache_dir() / "interpreter-builds"
    d.mkdir(parents=True, exist_ok=True)
    return d


def build_phase(line: str) -> str:
    """What a python-build log line says the build is doing (for progress lines)."""
    if line.startswith("checking "):
        return "configure"
    if "Tools/jit/build.py" in line:
        return "generating JIT stencils"
    if "lto-wrapper" in line or "LTRANS" in line:
        return "link-time optimisation (slow, serial)"
    if "--pgo" in line or re.match(r"^\d+:\d\d:\d\d .*(load avg|\[\s*\d+/\d+\])", line):
        return "PGO: profiling run (test suite)"
    if "-fprofile-generate" in line:
        return "PGO: instrumented compile"
    if "-fprofile-use" in line:
        return "PGO: optimised compile"
    if line.startswith(("gcc ", "clang ", "cc ")):
        return "compiling"
    if line.startswith(("Compiling '", "Listing '", "/usr/bin/install", "Installing")):
        return "installing"
    return ""


def _tail_phase(log: Path, last: str) -> str:
    try:
        with log.open("rb") as fh:
            fh.seek(max(0, log.stat().st_size - 8192))
            lines = fh.read().decode(errors="replace").splitlines()
    except OSError:
        return last
    for line in reversed(lines):
        phase = build_phase(line.strip())
        if phase:
            return phase
    return last


def _build_env(plan: InstallPlan, regen: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p).name != "shims"]
    env["PATH"] = os.pathsep.join(path or ["/usr/bin", "/bin"])  # no pyenv shims in a build
    env["PYTHON_BUILD_CACHE_PATH"] = str(plan.target.parent.parent / "cache") if plan.target else ""
    env["PYTHON_CONFIGURE_OPTS"] = " ".join(plan.configure_opts)
    if plan.spec.free_threaded:
        env["PYTHON_BUILD_FREE_THREADING"] = "1"
    else:
        env.pop("PYTHON_BUILD_FREE_THREADING", None)
    if regen is not None:
        env["PYTHON_FOR_REGEN"] = str(regen)  # the JIT's stencil generator; never a shim
    if plan.spec.optimized:
        env["PROFILE_TASK"] = PROFILE_TASK
    else:
        env.pop("PROFILE_TASK", None)
    for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX"):
        env.pop(var, None)
    return env


def _apt_install(packages: list[str], progress: Progress, log: Path) -> None:
    progress(f"apt-get install {' '.join(packages)}")
    with log.open("a") as fh:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        argv = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        with procs.running(argv, env=env, stdout=fh, stderr=subprocess.STDOUT) as proc:
            code = proc.wait(timeout=1800)
    if code != 0:
        raise InterpreterError(
            f"apt-get install {' '.join(packages)} failed ({procs.describe_exit(code)}); see {log}"
        )


def _tarball(plan: InstallPlan, progress: Progress, log: Path) -> str:
    """Put the verified tarball in pyenv's cache; returns where the checksum was checked."""
    assert plan.target is not None
    cache = plan.target.parent.parent / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    dest = cache / f"Python-{plan.version}.tar.xz"
    if plan.tarball_source == "python.org":
        return "python-build, against " + plan.checksum_origin
    if plan.tarball_source in ("local", "cache"):
        assert plan.tarball is not None
        assert plan.checksum is not None
        progress(f"checking sha256 of {plan.tarball}")
        verify_tarball(plan.tarball, plan.checksum, plan.checksum_origin)
        if plan.tarball.resolve() != dest.resolve():
            shutil.copyfile(plan.tarball, dest)
        return plan.checksum_origin
    package = debian.source_package(plan.spec.major, plan.spec.minor)
    progress(f"fetching Debian's {package} {plan.version} source package")

    def write(text: str) -> None:
        with log.open("a") as fh:
            fh.write(text)

    with tempfile.TemporaryDirectory(prefix="estimator-tarball-") as tmp:
        got, origin = debian.fetch_orig(
            package, plan.version, Path(tmp) / "orig.tar.xz", write, expected_sha256=plan.checksum
        )
        if plan.checksum is not None:
            verify_tarball(got, plan.checksum, plan.checksum_origin)
            origin = plan.checksum_origin
        shutil.move(got, dest)
    return origin


def _definition(plan: InstallPlan, python_build: Path, workdir: Path) -> str:
    if plan.template is None:
        assert plan.definition is not None
        return plan.definition
    cache = plan.target.parent.parent / "cache" if plan.target else workdir
    tarball = cache / f"Python-{plan.version}.tar.xz"
    sha = plan.checksum or sha256_of(tarball)
    template = (definitions_dir(python_build) / plan.template).read_text()
    path = workdir / plan.version
    path.write_text(derive_definition(template, plan.version, sha))
    return str(path)


def _python_build(
    plan: InstallPlan, argv: list[str], env: dict[str, str], log: Path, progress: Progress
) -> None:
    opts = " ".join(plan.configure_opts) or "default options"
    progress(f"python-build {plan.version} -> {plan.target} ({opts})")
    start = time.monotonic()
    phase = "starting"
    with (
        log.open("a") as fh,
        procs.running(argv, env=env, stdout=fh, stderr=subprocess.STDOUT) as proc,
    ):
        while True:
            try:
                code = proc.wait(timeout=PROGRESS_EVERY_S)
                break
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - start
                if elapsed > BUILD_TIMEOUT_S:
                    code = -1
                    break
                phase = _tail_phase(log, phase)
                progress(f"  {int(elapsed) // 60}:{int(elapsed) % 60:02d} {phase}")
    if code != 0:
        lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower() or "BUILD FAILED" in ln]
        hint = (errors or lines or [""])[-1].strip()[:200]
        raise InterpreterError(
            f"building CPython {plan.version} failed ({procs.describe_exit(code)}): {hint}; "
            f"full log: {log}"
        )


def _check(plan: InstallPlan, executable: Path) -> InterpreterFacts:
    facts = read_facts(executable)
    problems = []
    if facts.free_threaded_build != plan.spec.free_threaded:
        problems.append(f"free-threaded build is {facts.free_threaded_build}")
    if plan.jit and not facts.jit_available:
        problems.append("the JIT is not built in")
    if plan.spec.optimized and not facts.optimized:
        problems.append("it is not a PGO+LTO build")
    if problems:
        raise InterpreterError(
            f"{executable} was installed for '{plan.spec.text}' but {'; '.join(problems)}"
        )
    return facts


def _executable(prefix: Path, plan: InstallPlan) -> Path:
    v = f"{plan.spec.major}.{plan.spec.minor}"
    for name in (
        f"python{v}t" if plan.spec.free_threaded else f"python{v}",
        f"python{v}",
        "python3",
    ):
        if (prefix / "bin" / name).is_file():
            return prefix / "bin" / name
    raise InterpreterError(f"no python{v} in {prefix}/bin after the build; see the build log")


def _via_uv(plan: InstallPlan, progress: Progress, log: Path) -> InstallResult:
    uv = find_uv()
    if uv is None:
        raise InterpreterError("uv is not installed; install it or use --via build")
    start = time.monotonic()
    progress(f"uv python install {plan.version}")
    env = dict(os.environ, UV_PYTHON_DOWNLOADS="automatic", NO_COLOR="1")
    with log.open("a") as fh:
        argv = [uv, "python", "install", plan.version]
        with procs.running(argv, env=env, stdout=fh, stderr=subprocess.STDOUT) as proc:
            code = proc.wait(timeout=1800)
    if code != 0:
        last = (log.read_text(errors="replace").strip().splitlines() or [""])[-1][:200]
        raise InterpreterError(f"uv python install {plan.version} failed: {last}; log: {log}")
    env["UV_PYTHON_DOWNLOADS"] = "never"
    proc = procs.spawn(
        [uv, "python", "find", "--python-preference", "only-managed", plan.version],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        procs.stop(proc, timeout=2.0)
    executable = Path(out.decode().strip())
    facts = _check(plan, executable)
    return InstallResult(
        spec=plan.spec.text,
        method="uv",
        executable=executable,
        facts=facts,
        seconds=round(time.monotonic() - start, 1),
        log=log,
    )


def _via_python_build(
    plan: InstallPlan, python_build: Path, regen: Path | None, progress: Progress, log: Path
) -> InstallResult:
    assert plan.target is not None
    start = time.monotonic()
    if plan.apt_packages:
        _apt_install(plan.apt_packages, progress, log)
    origin = _tarball(plan, progress, log)
    with tempfile.TemporaryDirectory(prefix="estimator-python-build-") as tmp:
        definition = _definition(plan, python_build, Path(tmp))
        if plan.replace and plan.target.exists():
            progress(f"removing the existing {plan.target}")
            shutil.rmtree(plan.target)
        plan.target.mkdir(parents=True)
        (plan.target / INCOMPLETE_MARKER).write_text("estimator interpreters install\n")
        try:
            argv = [str(python_build), "--verbose", definition, str(plan.target)]
            env = _build_env(plan, regen)
            env["TMPDIR"] = tmp  # python-build's work tree and log: removed with `tmp`
            _python_build(plan, argv, env, log, progress)
            (plan.target / INCOMPLETE_MARKER).unlink()
            executable = _executable(plan.target, plan)
            facts = _check(plan, executable)
        except BaseException:
            shutil.rmtree(plan.target, ignore_errors=True)  # never leave half a build behind
            raise
    seconds = round(time.monotonic() - start, 1)
    record = {
        "spec": plan.spec.text,
        "version": plan.version,
        "configure_opts": plan.configure_opts,
        "free_threaded": plan.spec.free_threaded,
        "tarball_sha256": sha256_of(
            plan.target.parent.parent / "cache" / f"Python-{plan.version}.tar.xz"
        )
        if plan.tarball_source != "python.org"
        else plan.checksum,
        "checksum_checked_against": origin,
        "tarball_source": plan.tarball_source,
        "definition": plan.definition or f"derived from {plan.template}",
        "build_seconds": seconds,
        "cpus": os.cpu_count(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "log": str(log),
    }
    (plan.target / BUILD_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return InstallResult(
        spec=plan.spec.text,
        method="python-build",
        executable=executable,
        facts=facts,
        seconds=seconds,
        log=log,
        notes=[f"sha256 checked against {origin}", *plan.notes],
    )


def execute(
    plan: InstallPlan,
    *,
    python_build: Path | None,
    regen_python: Path | None,
    progress: Progress,
) -> InstallResult:
    """Run `plan`. A uv failure falls back to the plan's source build when it has one."""
    if plan.method == "installed":
        assert plan.target is not None
        return InstallResult(
            spec=plan.spec.text,
            method="installed",
            executable=plan.target,
            facts=read_facts(plan.target),
            seconds=0.0,
            notes=["already installed; --force rebuilds"],
        )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log = _logs_dir() / f"{plan.name or plan.version}-{stamp}.log"
    progress(f"log: {log}")
    if plan.method == "uv":
        try:
            return _via_uv(plan, progress, log)
        except InterpreterError as exc:
            if plan.fallback is None:
                raise
            progress(f"{exc.message}; building from source instead")
            plan = plan.fallback
    if python_build is None:
        raise InterpreterError(
            "pyenv's python-build is not installed; see 'estimator interpreters install --help'"
        )
    return _via_python_build(plan, python_build, regen_python, progress, log)
