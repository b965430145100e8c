"""What an interpreter is, read from the interpreter itself.

Each candidate runs once with a small probe (`-I -S -c`, JSON on stdout, short timeout). The
result is cached in the cache dir by (real path, mtime, size, probe version), so listing the
machine's interpreters costs one start-up per *new or rebuilt* binary.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from estimator import paths, procs
from estimator._model import Model
from estimator.errors import InterpreterError

PROBE_TIMEOUT_S = 15.0

# Runs on every interpreter we might find, from 2.7 to 3.14t and PyPy: no f-strings, no
# walrus, nothing imported that -S hides. Prints one JSON object.
PROBE_SOURCE = r"""
import json, sys, sysconfig
cv = sysconfig.get_config_vars()
def s(name):
    v = cv.get(name)
    return v if isinstance(v, str) else ""
impl = getattr(getattr(sys, "implementation", None), "name", None)
if impl is None:
    import platform
    impl = platform.python_implementation().lower()
vi = sys.version_info
out = {
    "implementation": impl,
    "version_info": [vi[0], vi[1], vi[2], vi[3], vi[4]],
    "executable": sys.executable,
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "py_gil_disabled": cv.get("Py_GIL_DISABLED"),
    "py_debug": cv.get("Py_DEBUG"),
    "gettotalrefcount": hasattr(sys, "gettotalrefcount"),
    "abiflags": getattr(sys, "abiflags", ""),
    "soabi": s("SOABI"),
    "config_args": s("CONFIG_ARGS"),
    "cflags": " ".join([s("PY_CFLAGS"), s("PY_CFLAGS_NODIST"), s("CFLAGS_NODIST"), s("CFLAGS")]),
    "ldflags": " ".join([s("PY_LDFLAGS_NODIST"), s("LDFLAGS_NODIST"), s("LTOFLAGS")]),
    "cc": s("CC"),
    "platform": sys.platform,
}
gil = getattr(sys, "_is_gil_enabled", None)
out["gil_enabled"] = gil() if gil is not None else None
jit = getattr(sys, "_jit", None)
if jit is not None:
    out["sys_jit"] = [bool(jit.is_available()), bool(jit.is_enabled())]
pypy = getattr(sys, "pypy_version_info", None)
if pypy is not None:
    out["pypy_version"] = "%d.%d.%d" % (pypy[0], pypy[1], pypy[2])
sys.stdout.write(json.dumps(out))
"""
PROBE_VERSION = hashlib.sha256(PROBE_SOURCE.encode()).hexdigest()[:12]

_LEVELS = {"alpha": "a", "beta": "b", "candidate": "rc", "final": ""}


class InterpreterFacts(Model):
    """Build and runtime facts one interpreter reports about itself (with `-I`: PYTHON_*
    environment variables ignored, so `jit_enabled`/`gil_enabled` are the build's defaults)."""

    implementation: str = Field(description="'cpython', 'pypy' or another sys.implementation")
    version: str = Field(description="language version, e.g. '3.13.0' or '3.14.5rc1'")
    major: int
    minor: int
    micro: int
    releaselevel: str = Field(description="'final', 'candidate', 'beta', 'alpha'")
    executable: str = Field(description="sys.executable as the interpreter reports it")
    pypy_version: str | None = Field(None, description="PyPy's own version, e.g. '7.3.11'")
    free_threaded_build: bool = Field(description="built with --disable-gil (Py_GIL_DISABLED)")
    gil_enabled_default: bool = Field(description="GIL on at start-up without PYTHON_GIL")
    jit_available: bool = Field(description="a JIT compiler is built in (PyPy: always)")
    jit_enabled_default: bool = Field(description="the JIT runs without PYTHON_JIT set")
    jit_source: str = Field(description="how JIT facts were read: sys._jit, build config, pypy")
    debug_build: bool
    pgo: bool = Field(description="profile-guided optimisation (--enable-optimizations)")
    lto: bool = Field(description="link-time optimisation (--with-lto / -flto)")
    is_venv: bool = Field(description="this executable is a virtual environment's")
    abiflags: str = ""
    soabi: str = ""
    config_args: str = Field("", description="./configure arguments (CPython)")
    compiler: str = Field("", description="the C compiler the build used (sysconfig CC)")

    @property
    def optimized(self) -> bool:
        """A PGO+LTO build, as python.org's and uv's are."""
        return self.pgo and self.lto

    @property
    def minor_version(self) -> tuple[int, int]:
        return (self.major, self.minor)

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.micro)

    @property
    def label(self) -> str:
        """'CPython 3.14.4t', 'PyPy 7.3.11 (Python 3.9.16)'."""
        if self.implementation == "pypy":
            return f"PyPy {self.pypy_version} (Python {self.version})"
        name = "CPython" if self.implementation == "cpython" else self.implementation
        return f"{name} {self.version}{'t' if self.free_threaded_build else ''}"


class Interpreter(Model):
    """One interpreter binary found on the machine (duplicates by real path merged)."""

    path: Path = Field(description="the path it was found under (first source wins)")
    real_path: Path
    sources: list[str] = Field(description="where it was found: PATH, pyenv, uv, explicit")
    facts: InterpreterFacts


def _flag_args(config_args: str) -> list[str]:
    try:
        return shlex.split(config_args)
    except ValueError:
        return config_args.split()


def _enabled(args: list[str], option: str) -> bool | None:
    """True/False when `option` (e.g. '--with-lto') appears with or without '=no'."""
    for arg in args:
        if arg == option:
            return True
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1] not in ("no", "false", "0")
    return None


def _jit_from_config(args: list[str], cflags: str) -> tuple[bool, bool]:
    """(available, enabled by default) from a 3.13-style build config."""
    for arg in args:
        if arg == "--enable-experimental-jit":
            return True, True
        if arg.startswith("--enable-experimental-jit="):
            mode = arg.split("=", 1)[1]
            return {
                "yes": (True, True),
                "yes-off": (True, False),
            }.get(mode, (False, False))  # 'no', 'interpreter': no machine-code JIT
    if "-D_Py_JIT" in cflags.split():
        return True, "-D_Py_TIER2=1" in cflags.split()
    return False, False


def parse_probe(data: dict[str, Any]) -> InterpreterFacts:
    """Turn the probe's JSON into facts (pure: unit-tested with recorded outputs)."""
    try:
        major, minor, micro, level, serial = data["version_info"]
        impl = str(data["implementation"])
        config_args = str(data.get("config_args") or "")
        cflags = str(data.get("cflags") or "")
        ldflags = str(data.get("ldflags") or "")
        executable = str(data["executable"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InterpreterError(
            f"interpreter probe output is incomplete ({exc!r}); it is not a Python we can use"
        ) from exc
    suffix = _LEVELS.get(level, level)
    version = f"{major}.{minor}.{micro}" + (f"{suffix}{serial}" if suffix else "")
    args = _flag_args(config_args)
    free_threaded = bool(data.get("py_gil_disabled"))
    gil = data.get("gil_enabled")
    sys_jit = data.get("sys_jit")
    if impl == "pypy":
        jit_available, jit_enabled, jit_source = True, True, "pypy"
    elif isinstance(sys_jit, list) and len(sys_jit) == 2:
        jit_available, jit_enabled, jit_source = bool(sys_jit[0]), bool(sys_jit[1]), "sys._jit"
    else:
        jit_available, jit_enabled = _jit_from_config(args, cflags)
        jit_source = "build config"
    flags = (cflags + " " + ldflags).split()
    pgo = bool(_enabled(args, "--enable-optimizations")) or "-fprofile-use" in flags
    lto_opt = _enabled(args, "--with-lto")
    lto = bool(lto_opt) or (lto_opt is None and any(f.startswith("-flto") for f in flags))
    try:
        return InterpreterFacts(
            implementation=impl,
            version=version,
            major=int(major),
            minor=int(minor),
            micro=int(micro),
            releaselevel=str(level),
            executable=executable,
            pypy_version=data.get("pypy_version"),
            free_threaded_build=free_threaded,
            gil_enabled_default=bool(gil) if gil is not None else not free_threaded,
            jit_available=jit_available,
            jit_enabled_default=jit_enabled,
            jit_source=jit_source,
            debug_build=bool(data.get("py_debug")) or bool(data.get("gettotalrefcount")),
            pgo=pgo,
            lto=lto,
            is_venv=data.get("prefix") != data.get("base_prefix"),
            abiflags=str(data.get("abiflags") or ""),
            soabi=str(data.get("soabi") or ""),
            config_args=config_args,
            compiler=str(data.get("cc") or ""),
        )
    except ValidationError as exc:
        raise InterpreterError(f"interpreter probe output is invalid: {exc}") from exc


def _cache_file(real: Path, cache: Path) -> Path:
    st = real.stat()
    ident = f"{real}\0{st.st_mtime_ns}\0{st.st_size}\0{PROBE_VERSION}"
    return cache / f"{hashlib.sha256(ident.encode()).hexdigest()[:24]}.json"


def probe_cache_dir() -> Path:
    return paths.cache_dir() / "interpreters"


def run_probe(executable: Path, timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Start the interpreter once with the probe; its JSON, or InterpreterError saying why
    not (not executable, crashed, timed out, printed something else)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
    try:
        proc = procs.spawn(
            [executable, "-I", "-S", "-c", PROBE_SOURCE],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise InterpreterError(f"{executable}: cannot run ({exc.strerror or exc})") from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise InterpreterError(
            f"{executable}: no answer to the probe within {timeout:.0f} s; skipped"
        ) from exc
    finally:
        procs.stop(proc, timeout=2.0)
    if proc.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise InterpreterError(
            f"{executable}: probe failed ({procs.describe_exit(proc.returncode)}) {last[0]}"
        )
    try:
        data = json.loads(out.decode(errors="replace"))
    except json.JSONDecodeError as exc:
        raise InterpreterError(f"{executable}: probe printed no JSON; not a Python") from exc
    if not isinstance(data, dict):
        raise InterpreterError(f"{executable}: probe printed no JSON object; not a Python")
    return data


def read_facts(executable: Path, *, cache: Path | None = None) -> InterpreterFacts:
    """Facts for one executable, from the cache when the binary is unchanged."""
    real = executable.resolve()
    cache = probe_cache_dir() if cache is None else cache
    try:
        cached = _cache_file(real, cache)
    except OSError as exc:
        raise InterpreterError(f"{executable}: cannot stat ({exc.strerror or exc})") from exc
    if cached.is_file():
        try:
            return InterpreterFacts.model_validate_json(cached.read_text())
        except (ValidationError, OSError):
            pass  # stale format: probe again
    facts = parse_probe(run_probe(executable))
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(facts.model_dump_json())
        tmp.replace(cached)
    except OSError:
        pass  # a read-only cache only costs a probe next time
    return facts
