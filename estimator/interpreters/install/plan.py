"""Planning an interpreter install: pure (host facts in, plan out), so every decision is
unit-tested without network or builds.

Decisions, in order:
1. Already there? A build of that version/kind (free-threaded, JIT, PGO+LTO) under
   `$PYENV_ROOT/versions` (or uv's) is reused; `--force` rebuilds.
2. uv can download (uv installed, `UV_PYTHON_DOWNLOADS` not `never`, no `--tarball`)?
   `uv python install 3.14t`, with the source build as fallback.
3. Otherwise pyenv's python-build from the upstream tarball: a local `--tarball`, the one in
   pyenv's cache, Debian's source package (`apt-get source`), or python.org (python-build's own
   download). The sha256 is checked against pyenv's definition for that version (a mismatch is
   refused); for a release pyenv does not know yet, against Debian's signed index or `--sha256`,
   and the definition is derived from the newest one of the same series.
4. Configure options per kind: `--disable-gil` (free-threaded), 3.14 GIL builds always with
   `--enable-experimental-jit=yes-off` when clang-19/llvm-19 can be had (so `cpython-3.14` and
   `cpython-3.14+jit` are the same binary, JIT off/on), `--enable-optimizations --with-lto`
   for `--optimized`. Target: `$PYENV_ROOT/versions/<version>[t][-opt]`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.errors import InterpreterError
from estimator.interpreters.install.pyenv import newest_final, version_from_tarball
from estimator.interpreters.install.spec import InstallSpec, parse_install_spec

__all__ = ["InstallOptions", "InstallPlan", "InstallSpec", "parse_install_spec", "plan_install"]

Via = Literal["auto", "uv", "build"]
Source = Literal["auto", "debian", "python.org"]
JIT_LLVM = {(3, 13): 18, (3, 14): 19}
"""The LLVM major each CPython series' JIT is built with (Tools/jit/_llvm.py)."""
BUILD_DEPENDENCIES = (
    "build-essential",
    "libssl-dev",
    "zlib1g-dev",
    "libbz2-dev",
    "libreadline-dev",
    "libsqlite3-dev",
    "libncurses-dev",
    "xz-utils",
    "tk-dev",
    "libffi-dev",
    "liblzma-dev",
    "uuid-dev",
    "libgdbm-dev",
    "libzstd-dev",
)
"""pyenv's list for Debian, plus libzstd-dev for 3.14's compression.zstd."""


class InstalledBuild(Model):
    """An interpreter already on the machine (from discovery)."""

    name: str = Field(description="pyenv version dir name, or the path for uv's")
    path: Path
    version: str
    free_threaded: bool
    jit_available: bool
    optimized: bool
    source: Literal["pyenv", "uv"]


class HostState(Model):
    """Everything planning needs to know about this machine (gathered by `host.py`)."""

    pyenv_root: Path
    python_build: Path | None
    definitions: dict[str, str] = Field(description="version -> sha256 of python.org's .tar.xz")
    installed: list[InstalledBuild] = Field(default_factory=list)
    incomplete: list[str] = Field(default_factory=list, description="interrupted build dirs")
    uv: bool = False
    uv_downloads: bool = Field(False, description="uv installed and downloads not disabled")
    apt: bool = Field(False, description="a Debian system with apt-get")
    root: bool = False
    dpkg_installed: list[str] = Field(default_factory=list, description="of the packages we need")
    apt_candidates: list[str] = Field(default_factory=list, description="installable (clang-19…)")
    cached_tarballs: dict[str, Path] = Field(default_factory=dict)
    regen_python: Path | None = Field(None, description="a CPython >= 3.11 for the JIT's regen")


class InstallOptions(Model):
    via: Via = "auto"
    tarball: Path | None = None
    sha256: str | None = None
    source: Source = "auto"
    force: bool = False


class InstallPlan(Model):
    spec: InstallSpec
    method: Literal["installed", "uv", "python-build"]
    version: str = Field(description="'3.14.4' (python-build), the request for uv")
    target: Path | None = Field(None, description="the prefix; the existing one if installed")
    name: str = ""
    apt_packages: list[str] = Field(default_factory=list)
    tarball_source: Literal["local", "cache", "debian", "python.org"] | None = None
    tarball: Path | None = None
    checksum: str | None = None
    checksum_origin: str = ""
    definition: str | None = Field(None, description="python-build definition name to use")
    template: str | None = Field(None, description="definition to derive one from")
    configure_opts: list[str] = Field(default_factory=list)
    jit: bool = False
    replace: bool = Field(False, description="--force: the existing build is removed first")
    fallback: InstallPlan | None = None
    notes: list[str] = Field(default_factory=list)

    def describe(self) -> list[str]:
        """What will happen, step by step (for --dry-run and progress)."""
        if self.method == "installed":
            return [f"{self.spec.text}: already installed at {self.target} (--force to rebuild)"]
        if self.method == "uv":
            steps = [f"uv python install {self.version}"]
            if self.fallback is not None:
                steps += ["if uv cannot download:"] + [f"  {s}" for s in self.fallback.describe()]
            return steps
        steps = []
        if self.apt_packages:
            steps.append(f"apt-get install {' '.join(self.apt_packages)}")
        if self.tarball_source == "local":
            steps.append(f"use tarball {self.tarball}")
        elif self.tarball_source == "cache":
            steps.append(f"use cached tarball {self.tarball}")
        elif self.tarball_source == "debian":
            steps.append(
                f"fetch Debian's python{self.spec.major}.{self.spec.minor} {self.version} source"
            )
        else:
            steps.append(f"python-build downloads Python-{self.version}.tar.xz from python.org")
        steps.append(f"check sha256 against {self.checksum_origin}")
        if self.template:
            steps.append(
                f"derive a python-build definition for {self.version} from {self.template}"
            )
        if self.replace:
            steps.append(f"remove the existing {self.target}")
        opts = " ".join(self.configure_opts) or "(default options)"
        steps.append(f"python-build {self.definition or self.version} {self.target}  [{opts}]")
        steps.append("probe the new interpreter and check its build facts")
        return steps


def _satisfies(b: InstalledBuild, spec: InstallSpec, version: str | None) -> bool:
    if version is not None and b.version != version:
        return False
    if not b.version.startswith(f"{spec.major}.{spec.minor}."):
        return False
    if spec.micro is not None and b.version != f"{spec.major}.{spec.minor}.{spec.micro}":
        return False
    return (
        b.free_threaded == spec.free_threaded
        and (b.jit_available or not spec.jit)
        and (b.optimized or not spec.optimized)
    )


def _pick_version(spec: InstallSpec, options: InstallOptions, host: HostState) -> str:
    if spec.micro is not None:
        return f"{spec.major}.{spec.minor}.{spec.micro}"
    if options.tarball is not None:
        v = version_from_tarball(options.tarball)
        if v is None or not v.startswith(f"{spec.major}.{spec.minor}."):
            raise InterpreterError(
                f"cannot tell the {spec.major}.{spec.minor} version of tarball "
                f"'{options.tarball.name}'; give the full version, e.g. {spec.major}.{spec.minor}.4"
            )
        return v
    v = newest_final(host.definitions, spec.major, spec.minor)
    if v is None:
        raise InterpreterError(
            f"pyenv's python-build knows no CPython {spec.major}.{spec.minor} release; update "
            f"pyenv (git -C {host.pyenv_root} pull) or give the full version with --tarball"
        )
    return v


def _jit_packages(spec: InstallSpec, host: HostState, required: bool) -> list[str] | None:
    """Packages to apt-get for the JIT's LLVM; None if it cannot be had (error if required)."""
    llvm = JIT_LLVM.get(spec.series)
    if llvm is None:
        if required:
            raise InterpreterError(
                f"'{spec.text}': no experimental JIT in CPython {spec.major}.{spec.minor}"
            )
        return None
    need = [f"clang-{llvm}", f"llvm-{llvm}"]
    missing = [p for p in need if p not in host.dpkg_installed]
    if not missing:
        return []
    if host.apt and host.root and all(p in host.apt_candidates for p in missing):
        return missing
    if not required:
        return None
    why = (
        f"Debian here has no {' '.join(missing)}"
        if host.apt and host.root
        else f"install {' '.join(missing)} first (sudo apt-get install {' '.join(missing)})"
    )
    raise InterpreterError(
        f"'{spec.text}': CPython {spec.major}.{spec.minor}'s JIT is built with LLVM {llvm}; {why}"
        + ("; CPython 3.14's JIT uses LLVM 19: try 3.14+jit" if spec.series == (3, 13) else "")
    )


def plan_install(spec: InstallSpec, options: InstallOptions, host: HostState) -> InstallPlan:
    """Decide how to get `spec` onto this machine (see the module doc)."""
    if not options.force:
        wanted = f"{spec.major}.{spec.minor}.{spec.micro}" if spec.micro is not None else None
        have = [b for b in host.installed if _satisfies(b, spec, wanted)]
        if have:
            best = max(have, key=lambda b: tuple(int(x) for x in re.findall(r"\d+", b.version)[:3]))
            return InstallPlan(
                spec=spec,
                method="installed",
                version=best.version,
                target=best.path,
                name=best.name,
            )
    if options.via == "uv" and not host.uv:
        raise InterpreterError("--via uv: uv is not installed; install it or use --via build")
    use_uv = options.tarball is None and (
        options.via == "uv" or (options.via == "auto" and host.uv_downloads)
    )
    if use_uv and not spec.optimized:
        request = f"{spec.major}.{spec.minor}" + (
            f".{spec.micro}" if spec.micro is not None else ""
        )
        request += "t" if spec.free_threaded else ""
        fallback: InstallPlan | None = None
        notes: list[str] = []
        if options.via == "auto":
            try:
                fallback = _plan_build(spec, options, host)
            except InterpreterError as exc:
                notes.append(f"no source-build fallback: {exc.message}")
        if spec.jit:
            notes.append("uv's builds are checked for the JIT after install")
        return InstallPlan(
            spec=spec, method="uv", version=request, fallback=fallback, notes=notes, jit=spec.jit
        )
    return _plan_build(spec, options, host)


def _plan_build(spec: InstallSpec, options: InstallOptions, host: HostState) -> InstallPlan:
    if host.python_build is None:
        raise InterpreterError(
            "pyenv's python-build is not installed (estimator clones it when git can reach "
            f"GitHub); install pyenv: git clone https://github.com/pyenv/pyenv {host.pyenv_root}"
        )
    version = _pick_version(spec, options, host)
    notes: list[str] = []
    name = version + ("t" if spec.free_threaded else "") + ("-opt" if spec.optimized else "")
    target = host.pyenv_root / "versions" / name
    existing = [b for b in host.installed if b.source == "pyenv" and b.name == name]
    if existing and not options.force:
        b = existing[0]
        raise InterpreterError(
            f"{target} exists but is not what '{spec.text}' asks for (JIT "
            f"{'built in' if b.jit_available else 'missing'}); rerun with --force to rebuild it"
        )
    apt: list[str] = []
    if host.apt:
        missing = [p for p in BUILD_DEPENDENCIES if p not in host.dpkg_installed]
        if missing and not host.root:
            raise InterpreterError(
                f"build dependencies missing: sudo apt-get install {' '.join(missing)}"
            )
        apt += missing
    else:
        notes.append("not a Debian system: build dependencies are not checked")
    jit = spec.jit
    if not spec.free_threaded:
        jit_pkgs = _jit_packages(spec, host, required=spec.jit)
        if jit_pkgs is not None and spec.series >= (3, 14):
            jit = True  # 3.14 GIL builds always carry the JIT, off by default
            apt += jit_pkgs
        elif jit_pkgs is not None and spec.jit:
            apt += jit_pkgs
        elif spec.series >= (3, 14):
            notes.append("clang-19/llvm-19 unavailable: built without the JIT")
    if jit and host.regen_python is None:
        raise InterpreterError(
            "the JIT build needs a CPython >= 3.11 to generate its stencils; none was found"
        )
    checksum = host.definitions.get(version)
    origin = f"pyenv's definition for {version}" if checksum else ""
    if options.sha256:
        if checksum and checksum != options.sha256.lower():
            raise InterpreterError(
                f"--sha256 {options.sha256} differs from pyenv's definition for {version} "
                f"({checksum}); refusing: check where the tarball comes from"
            )
        checksum, origin = options.sha256.lower(), origin or "the given --sha256"
    template = None
    if version not in host.definitions:
        template = newest_final(host.definitions, spec.major, spec.minor)
        if template is None:
            raise InterpreterError(
                f"pyenv's python-build has no CPython {spec.major}.{spec.minor} definition to "
                f"derive {version} from; update pyenv (git -C {host.pyenv_root} pull)"
            )
    source: Literal["local", "cache", "debian", "python.org"]
    tarball: Path | None = None
    if options.tarball is not None:
        source, tarball = "local", options.tarball
        if checksum is None:
            raise InterpreterError(
                f"no known checksum for CPython {version} (pyenv has no definition for it): "
                "pass --sha256 with the value python.org publishes, or update pyenv"
            )
    elif version in host.cached_tarballs and checksum is not None:
        source, tarball = "cache", host.cached_tarballs[version]
    elif options.source == "python.org" or (options.source == "auto" and not host.apt):
        source = "python.org"
        if checksum is None:
            raise InterpreterError(
                f"python-build cannot check a python.org download of {version} without a "
                "checksum: pass --sha256, or update pyenv"
            )
    else:
        if not host.apt or not host.root:
            raise InterpreterError(
                "Debian source packages need apt-get as root; pass --tarball PATH or "
                "--source python.org"
            )
        source = "debian"
        if checksum is None:
            origin = "Debian's signed source index"
    configure: list[str] = []
    if jit:
        configure.append("--enable-experimental-jit=yes-off")
    if spec.optimized:
        configure += ["--enable-optimizations", "--with-lto"]
    return InstallPlan(
        spec=spec,
        method="python-build",
        version=version,
        target=target,
        name=name,
        apt_packages=apt,
        tarball_source=source,
        tarball=tarball,
        checksum=checksum,
        checksum_origin=origin,
        definition=version if template is None else None,
        template=template,
        configure_opts=configure,
        jit=jit,
        replace=bool(existing) or name in host.incomplete,
        notes=notes,
    )
