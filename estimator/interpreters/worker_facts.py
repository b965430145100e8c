"""Knowing what actually ran: the start-up hook placed in every environment, its records,
and the check of those records against the variant that was asked for."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, ValidationError

from estimator._model import Model
from estimator.interpreters.variants import ResolvedVariant

FACTS_DIR_ENV = "ESTIMATOR_WORKER_FACTS_DIR"
CINDERX_ENV = "ESTIMATOR_CINDERX"
HOOK_MODULE = "_estimator_worker_facts"
HOOK_SOURCE = Path(__file__).with_name(f"{HOOK_MODULE}.py")
PTH_NAME = "estimator_worker_facts.pth"
# site executes .pth lines starting with "import"; the check keeps an unset variable free.
PTH_LINE = (
    f"import os; os.environ.get({FACTS_DIR_ENV!r}) and __import__({HOOK_MODULE!r}).install()\n"
)
_RECORD = re.compile(r"^\d+\.json$")


class WorkerFacts(Model):
    """What one process reported about itself (the hook's `<pid>.json`)."""

    pid: int
    ppid: int
    event: str = Field(description="'start', 'fork' or 'exit' (exit: the final word)")
    time: float
    implementation: str
    version: str
    executable: str
    argv: list[str] = Field(default_factory=list)
    free_threaded_build: bool
    gil_enabled: bool | None
    jit_available: bool | None
    jit_enabled: bool | None
    jit_source: str
    cinderx_requested: bool
    cinderx_active: bool
    cinderx_error: str | None = None


def install_hook(site_packages: Path) -> None:
    """Place the hook module and its `.pth` line into an environment's site-packages."""
    (site_packages / f"{HOOK_MODULE}.py").write_text(HOOK_SOURCE.read_text())
    (site_packages / PTH_NAME).write_text(PTH_LINE)


def hook_fingerprint() -> str:
    """Changes when the hook changes, so environments get the new one (part of env keys)."""
    import hashlib

    return hashlib.sha256(HOOK_SOURCE.read_bytes() + PTH_LINE.encode()).hexdigest()[:16]


def read_worker_facts(directory: Path) -> list[WorkerFacts]:
    """Every process's latest record, oldest first. Unreadable records are skipped (the
    hook writes atomically, so that means someone else's file)."""
    out: list[WorkerFacts] = []
    try:
        files = sorted(p for p in directory.iterdir() if _RECORD.match(p.name))
    except OSError:
        return []
    for path in files:
        try:
            out.append(WorkerFacts.model_validate(json.loads(path.read_text())))
        except (OSError, ValueError, ValidationError):
            continue
    return sorted(out, key=lambda f: (f.time, f.pid))


def _who(f: WorkerFacts) -> str:
    return f"pid {f.pid} ({f.event})"


def facts_mismatch(resolved: ResolvedVariant, facts: Sequence[WorkerFacts]) -> list[str]:
    """Differences between what was asked and what each process says it ran; empty when
    all agree. No records at all is itself a mismatch (the hook did not run)."""
    if not facts:
        return [
            f"{resolved.name}: no process reported its facts (was the environment provisioned "
            f"by estimator and {FACTS_DIR_ENV} passed to the server?)"
        ]
    spec = resolved.spec
    want = resolved.interpreter.facts
    problems: list[str] = []
    for f in facts:
        who = _who(f)
        if f.implementation != spec.implementation:
            problems.append(f"{who}: ran {f.implementation}, asked {spec.implementation}")
            continue
        if f.version != f"{want.major}.{want.minor}.{want.micro}":
            problems.append(f"{who}: ran Python {f.version}, asked {want.version}")
        if spec.implementation == "cpython":
            if spec.free_threaded and f.gil_enabled is not False:
                problems.append(
                    f"{who}: the GIL is enabled on free-threaded {resolved.name} "
                    "(an extension module re-enabled it, or PYTHON_GIL=0 was not passed)"
                )
            if not spec.free_threaded and f.free_threaded_build:
                problems.append(f"{who}: ran a free-threaded build for {resolved.name}")
            if spec.jit and f.jit_enabled is not True:
                problems.append(f"{who}: the JIT is off for {resolved.name} (PYTHON_JIT=1 lost?)")
            if not spec.jit and f.jit_enabled:
                problems.append(f"{who}: the JIT is on for {resolved.name}, which asks it off")
        if spec.cinderx and not f.cinderx_active:
            why = f": {f.cinderx_error}" if f.cinderx_error else ""
            problems.append(f"{who}: CinderX is not active for {resolved.name}{why}")
        if not spec.cinderx and f.cinderx_active:
            problems.append(f"{who}: CinderX is active but {resolved.name} does not ask for it")
    return problems
