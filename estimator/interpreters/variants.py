"""Interpreter variants: an interpreter plus how it runs.

Names: `cpython-3.13`, `cpython-3.13.15` (a pinned patch release), `cpython-3.14t`
(free-threaded build, run with `PYTHON_GIL=0`), `cpython-3.14+jit` (JIT-capable build, run with
`PYTHON_JIT=1`), `cpython-3.14+cinderx` (the `cinderx` package in the environment and its JIT
enabled in every process), `pypy-3.9`; `+opt` asks for a PGO+LTO build. Modifiers combine
(`cpython-3.14+jit+opt`).

Which binary runs a variant (documented in docs/interpreters.md): interpreters of that
implementation and language version (newest final release unless a patch is pinned), a
free-threaded build for `t` and a GIL build otherwise, never a debug build; among those,
explicit paths first, then a
build with the JIT compiled in but off by default (so `cpython-3.14` and `cpython-3.14+jit`
run the *same* binary: JIT off vs on), then builds that are not PGO/LTO unless `+opt` (the
preinstalled 3.10-3.13 are not, so comparisons stay like for like), then path order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import Field

from estimator._model import Model
from estimator.errors import InterpreterError
from estimator.interpreters.facts import Interpreter

Implementation = Literal["cpython", "pypy"]
MODIFIERS = ("jit", "cinderx", "opt")
GROUPS = ("all", "all-cpython", "all-pypy", "newest-cpython")

_NAME = re.compile(
    r"^(?P<impl>cpython|pypy)-(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<micro>\d+))?"
    r"(?P<t>t)?(?P<mods>(?:\+[a-z]+)*)$"
)
CINDERX_PACKAGE = "cinderx>0.0.1"
"""0.0.1 is a placeholder sdist PyPI offers where no real wheel fits: better no install."""


class VariantSpec(Model):
    """A parsed variant name."""

    implementation: Implementation
    major: int
    minor: int
    micro: int | None = None
    free_threaded: bool = False
    jit: bool = False
    cinderx: bool = False
    optimized: bool = False

    @property
    def name(self) -> str:
        """The canonical name, e.g. 'cpython-3.14t', 'cpython-3.14+jit'."""
        version = f"{self.major}.{self.minor}" + (
            f".{self.micro}" if self.micro is not None else ""
        )
        mods = "".join(
            f"+{m}"
            for m, on in (("jit", self.jit), ("cinderx", self.cinderx), ("opt", self.optimized))
            if on
        )
        return f"{self.implementation}-{version}{'t' if self.free_threaded else ''}{mods}"


class ResolvedVariant(Model):
    """A variant bound to one interpreter: what to run and with which environment."""

    name: str = Field(description="canonical variant name, e.g. 'cpython-3.14+jit'")
    spec: VariantSpec
    interpreter: Interpreter
    env: dict[str, str] = Field(
        default_factory=dict, description="environment variables every process must get"
    )
    extra_packages: list[str] = Field(
        default_factory=list, description="installed into the environment, e.g. cinderx"
    )
    notes: list[str] = Field(default_factory=list)


class MissingVariant(Model):
    name: str
    message: str


class VariantPlan(Model):
    resolved: list[ResolvedVariant]
    missing: list[MissingVariant] = Field(default_factory=list)


def parse_variant(name: str) -> VariantSpec:
    """'cpython-3.13+jit' -> VariantSpec; InterpreterError naming the problem otherwise."""
    m = _NAME.match(name.strip().lower())
    if m is None:
        raise InterpreterError(
            f"variant '{name}' is not a variant name; use e.g. 'cpython-3.13', 'cpython-3.14t', "
            "'cpython-3.14+jit', 'cpython-3.14+cinderx', 'pypy-3.9' (or 'all')"
        )
    mods = [x for x in m["mods"].split("+") if x]
    unknown = [x for x in mods if x not in MODIFIERS]
    if unknown:
        raise InterpreterError(
            f"variant '{name}': unknown modifier '+{unknown[0]}'; known: "
            + ", ".join(f"+{x}" for x in MODIFIERS)
        )
    if len(set(mods)) != len(mods):
        raise InterpreterError(f"variant '{name}' repeats a modifier; give each once")
    spec = VariantSpec(
        implementation="pypy" if m["impl"] == "pypy" else "cpython",
        major=int(m["major"]),
        minor=int(m["minor"]),
        micro=int(m["micro"]) if m["micro"] is not None else None,
        free_threaded=m["t"] is not None,
        jit="jit" in mods,
        cinderx="cinderx" in mods,
        optimized="opt" in mods,
    )
    if spec.implementation == "pypy" and (spec.free_threaded or spec.jit or spec.cinderx):
        raise InterpreterError(
            f"variant '{name}': PyPy has its own JIT, always on, and no free-threaded build; "
            f"use 'pypy-{spec.major}.{spec.minor}'"
        )
    if spec.jit and spec.cinderx:
        raise InterpreterError(
            f"variant '{name}': CinderX brings its own JIT; use '+jit' or '+cinderx', not both"
        )
    if spec.cinderx and spec.free_threaded:
        raise InterpreterError(
            f"variant '{name}': CinderX does not support free-threaded builds; "
            f"use 'cpython-{spec.major}.{spec.minor}+cinderx'"
        )
    return spec


def _matches_version(spec: VariantSpec, i: Interpreter) -> bool:
    f = i.facts
    return (
        f.implementation == spec.implementation
        and (f.major, f.minor) == (spec.major, spec.minor)
        and (spec.micro is None or f.micro == spec.micro)
    )


def _how_to_get(spec: VariantSpec) -> str:
    v = f"{spec.major}.{spec.minor}" + (f".{spec.micro}" if spec.micro is not None else "")
    if spec.implementation == "pypy":
        return (
            f"install PyPy {v} (Debian: 'apt-get install pypy3'; elsewhere "
            f"'uv python install pypy@{v}') or pass its path with --python"
        )
    suffix = "t" if spec.free_threaded else ""
    suffix += "+jit" if spec.jit else ""
    opt = " --optimized" if spec.optimized else ""
    uv_hint = f"; where downloads work, 'uv python install {v}{'t' if spec.free_threaded else ''}'"
    return f"run 'estimator interpreters install {v}{suffix}{opt}'" + (
        uv_hint if not spec.jit else ""
    )


def _rank(spec: VariantSpec, i: Interpreter) -> tuple[int, int, int, int, int, str]:
    f = i.facts
    return (
        0 if f.releaselevel == "final" else 1,
        -f.micro,
        0 if "explicit" in i.sources else 1,
        0 if (f.jit_available and not f.jit_enabled_default) else 1,
        0 if f.optimized == spec.optimized else 1,
        str(i.path),
    )


def resolve_variant(
    spec: VariantSpec | str, interpreters: Sequence[Interpreter]
) -> ResolvedVariant:
    """Bind a variant to the interpreter that runs it, or InterpreterError saying what is
    missing and how to get it. Never a silent fallback to something else."""
    if isinstance(spec, str):
        spec = parse_variant(spec)
    same_version = [i for i in interpreters if _matches_version(spec, i)]
    if not same_version:
        have = sorted(
            {
                f"{i.facts.version}{'t' if i.facts.free_threaded_build else ''}"
                for i in interpreters
                if i.facts.implementation == spec.implementation
            }
        )
        found = f"found {spec.implementation} {', '.join(have)}" if have else "none found"
        raise InterpreterError(
            f"variant '{spec.name}': no {spec.implementation} "
            f"{spec.major}.{spec.minor}{'' if spec.micro is None else f'.{spec.micro}'} "
            f"interpreter ({found}); {_how_to_get(spec)}"
        )
    usable = [i for i in same_version if not i.facts.debug_build]
    if not usable:
        raise InterpreterError(
            f"variant '{spec.name}': only debug builds found ({same_version[0].path}); "
            f"{_how_to_get(spec)}"
        )
    builds = [i for i in usable if i.facts.free_threaded_build == spec.free_threaded]
    if not builds:
        kind = "free-threaded (--disable-gil)" if spec.free_threaded else "GIL (default)"
        raise InterpreterError(
            f"variant '{spec.name}': no {kind} build of {spec.implementation} "
            f"{spec.major}.{spec.minor} (found {', '.join(str(i.path) for i in usable)}); "
            f"{_how_to_get(spec)}"
        )
    if spec.jit:
        jit_builds = [i for i in builds if i.facts.jit_available]
        if not jit_builds:
            raise InterpreterError(
                f"variant '{spec.name}': no build of {spec.major}.{spec.minor} has the JIT "
                f"compiled in (checked {', '.join(str(i.path) for i in builds)}); "
                f"{_how_to_get(spec)}"
            )
        builds = jit_builds
    if spec.cinderx and (spec.major, spec.minor) != (3, 14):
        raise InterpreterError(
            f"variant '{spec.name}': the cinderx wheels on PyPI are for CPython 3.14 only; "
            "use 'cpython-3.14+cinderx'"
        )
    if spec.optimized:
        opt = [i for i in builds if i.facts.optimized]
        if not opt:
            raise InterpreterError(
                f"variant '{spec.name}': no PGO+LTO build of {spec.major}.{spec.minor} "
                f"(found {', '.join(str(i.path) for i in builds)}); {_how_to_get(spec)}"
            )
        builds = opt
    chosen = min(builds, key=lambda i: _rank(spec, i))
    env: dict[str, str] = {}
    notes: list[str] = []
    facts = chosen.facts
    if spec.implementation == "cpython":
        if spec.free_threaded:
            env["PYTHON_GIL"] = "0"
        if facts.jit_available:
            env["PYTHON_JIT"] = "1" if spec.jit else "0"
        if spec.cinderx:
            env["ESTIMATOR_CINDERX"] = "1"
    if not facts.optimized and spec.implementation == "cpython":
        notes.append(f"{facts.label} at {chosen.path} is not a PGO+LTO build")
    return ResolvedVariant(
        name=spec.name,
        spec=spec,
        interpreter=chosen,
        env=env,
        extra_packages=[CINDERX_PACKAGE] if spec.cinderx else [],
        notes=notes,
    )


def runnable_variants(interp: Interpreter, interpreters: Sequence[Interpreter]) -> list[str]:
    """The variant names that resolve to this interpreter (for the listing)."""
    f = interp.facts
    if f.implementation not in ("cpython", "pypy") or f.debug_build:
        return []
    base = f"{f.implementation}-{f.major}.{f.minor}"
    names = [base + ("t" if f.free_threaded_build else "")]
    if f.implementation == "cpython":
        if f.jit_available:
            names.append(names[0] + "+jit")
        if (f.major, f.minor) == (3, 14) and not f.free_threaded_build:
            names.append(base + "+cinderx")
    out = []
    for n in names:
        pinned = f"{base}.{f.micro}{n[len(base) :]}"
        candidates = [n, pinned] + ([n + "+opt", pinned + "+opt"] if f.optimized else [])
        for candidate in candidates:
            try:
                if (
                    resolve_variant(candidate, interpreters).interpreter.real_path
                    == interp.real_path
                ):
                    out.append(candidate)
                    break
            except InterpreterError:
                continue
    return out


def _group(
    name: str, interpreters: Sequence[Interpreter], min_version: tuple[int, int]
) -> list[str]:
    if name == "newest-cpython":
        return _group("all-cpython", interpreters, min_version)[-1:]
    names: set[str] = set()
    for i in interpreters:
        f = i.facts
        if f.debug_build or f.free_threaded_build or f.releaselevel != "final":
            continue
        if f.implementation == "cpython" and name in ("all", "all-cpython"):
            if (f.major, f.minor) >= min_version:
                names.add(f"cpython-{f.major}.{f.minor}")
        elif f.implementation == "pypy" and name in ("all", "all-pypy"):
            names.add(f"pypy-{f.major}.{f.minor}")
    return sorted(names, key=lambda n: (n.startswith("pypy"), _version_key(n)))


def _version_key(name: str) -> tuple[int, ...]:
    version = name.split("-", 1)[1].rstrip("t").split("+")[0]
    return tuple(int(x) for x in version.split("."))


def plan_variants(
    names: Iterable[str],
    interpreters: Sequence[Interpreter],
    *,
    min_version: tuple[int, int] = (3, 10),
) -> VariantPlan:
    """Expand groups and resolve every name; unresolvable ones are collected, not raised, so
    a sweep can run the others and report these."""
    wanted: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        expanded = _group(name, interpreters, min_version) if name in GROUPS else [name]
        wanted += [n for n in expanded if n not in wanted]
    resolved: list[ResolvedVariant] = []
    missing: list[MissingVariant] = []
    seen: set[str] = set()
    for name in wanted:
        try:
            rv = resolve_variant(name, interpreters)
        except InterpreterError as exc:
            missing.append(MissingVariant(name=name, message=exc.message))
            continue
        if rv.name not in seen:
            seen.add(rv.name)
            resolved.append(rv)
    return VariantPlan(resolved=resolved, missing=missing)


def expand_variants(
    names: Iterable[str],
    interpreters: Sequence[Interpreter],
    *,
    min_version: tuple[int, int] = (3, 10),
) -> list[ResolvedVariant]:
    """Groups and names to resolved variants. 'all': every CPython >= `min_version` GIL build
    and every PyPy found, one per language version (X.Y), newest patch; 'all-cpython',
    'all-pypy' likewise; 'newest-cpython' the newest of 'all-cpython' only. Raises
    InterpreterError (every missing one, one line) if an explicit name cannot be resolved;
    `plan_variants` collects them instead."""
    names = list(names)
    plan = plan_variants(names, interpreters, min_version=min_version)
    if plan.missing:
        raise InterpreterError("; ".join(m.message for m in plan.missing))
    if not plan.resolved:
        raise InterpreterError(
            f"variants {list(names)} matched no interpreter on this machine; "
            "run 'estimator interpreters' to see what is installed"
        )
    return plan.resolved


def build_quality_warnings(variants: Sequence[ResolvedVariant]) -> list[str]:
    """One warning when variants compared side by side differ in build optimisation
    (PGO+LTO builds are typically 10-20% faster, which is not the interpreter's merit)."""
    cpython = [rv for rv in variants if rv.spec.implementation == "cpython"]
    optimized = sorted(rv.name for rv in cpython if rv.interpreter.facts.optimized)
    plain = sorted(rv.name for rv in cpython if not rv.interpreter.facts.optimized)
    if not optimized or not plain:
        return []
    return [
        f"builds differ in optimisation: {', '.join(optimized)} are PGO+LTO builds, "
        f"{', '.join(plain)} are not; part of any difference between them is the build"
    ]
