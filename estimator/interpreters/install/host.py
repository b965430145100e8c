"""Gather the facts install planning needs about this machine (the impure half of planning)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal

from estimator import procs
from estimator.interpreters.discovery import INCOMPLETE_MARKER, Discovery, pyenv_root, scan
from estimator.interpreters.install.plan import (
    BUILD_DEPENDENCIES,
    JIT_LLVM,
    HostState,
    InstalledBuild,
)
from estimator.interpreters.install.pyenv import (
    definitions_dir,
    find_python_build,
    read_definitions,
)
from estimator.tools import find_uv


def _run(argv: list[str], *, any_exit: bool = False) -> str:
    """stdout of `argv` ('' if it fails; with `any_exit`, whatever it printed)."""
    try:
        proc = procs.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return ""
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        out = b""
    finally:
        procs.stop(proc, timeout=2.0)
    return out.decode(errors="replace") if any_exit or proc.returncode == 0 else ""


def _dpkg_installed(names: list[str]) -> list[str]:
    # exits 1 when a name is unknown to dpkg (clang-18 on Debian 12): still read the others
    out = _run(["dpkg-query", "-W", "-f=${Package} ${Status}\n", *names], any_exit=True)
    return [ln.split()[0] for ln in out.splitlines() if ln.endswith("install ok installed")]


def _apt_candidates(names: list[str]) -> list[str]:
    out = _run(["apt-cache", "policy", *names], any_exit=True)
    found = []
    for m in re.finditer(r"^(\S+):\n\s+Installed: .*\n\s+Candidate: (\S+)", out, re.M):
        if m[2] != "(none)":
            found.append(m[1])
    return found


def regen_python() -> Path | None:
    """A CPython >= 3.11 that is not a shim: ours (estimator needs 3.11+)."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    return base.resolve() if sys.version_info >= (3, 11) else None


def installed_builds(found: Discovery, root: Path) -> list[InstalledBuild]:
    out = []
    versions = (root / "versions").resolve()
    for i in found.interpreters:
        if i.facts.implementation != "cpython":
            continue
        source: Literal["pyenv", "uv"]
        if i.real_path.is_relative_to(versions):
            name = i.real_path.relative_to(versions).parts[0]
            source = "pyenv"
        elif "uv" in i.sources:
            name, source = str(i.path), "uv"
        else:
            continue
        out.append(
            InstalledBuild(
                name=name,
                path=i.path,
                version=i.facts.version,
                free_threaded=i.facts.free_threaded_build,
                jit_available=i.facts.jit_available,
                optimized=i.facts.optimized,
                source=source,
            )
        )
    return out


def gather(found: Discovery | None = None) -> HostState:
    root = pyenv_root()
    found = scan(use_path=False) if found is None else found
    pb = find_python_build(root)
    definitions = read_definitions(definitions_dir(pb)) if pb else {}
    apt = shutil.which("apt-get") is not None and shutil.which("dpkg-query") is not None
    llvm = [f"{tool}-{v}" for v in sorted(set(JIT_LLVM.values())) for tool in ("clang", "llvm")]
    wanted = [*BUILD_DEPENDENCIES, *llvm]
    cache = root / "cache"
    cached = {}
    if cache.is_dir():
        for f in cache.glob("Python-*.tar.xz"):
            cached[f.name[len("Python-") : -len(".tar.xz")]] = f
    versions = root / "versions"
    incomplete = (
        [d.name for d in versions.iterdir() if (d / INCOMPLETE_MARKER).exists()]
        if versions.is_dir()
        else []
    )
    uv = find_uv() is not None
    return HostState(
        pyenv_root=root,
        python_build=pb,
        definitions=definitions,
        installed=installed_builds(found, root),
        incomplete=incomplete,
        uv=uv,
        uv_downloads=uv and os.environ.get("UV_PYTHON_DOWNLOADS", "").lower() != "never",
        apt=apt,
        root=os.geteuid() == 0,
        dpkg_installed=_dpkg_installed(wanted) if apt else [],
        apt_candidates=_apt_candidates(llvm) if apt else [],
        cached_tarballs=cached,
        regen_python=regen_python(),
    )
