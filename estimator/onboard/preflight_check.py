"""The preflight of one app under one interpreter variant, before any measured run:

1. the environment installs (the app's requirements, the server, the setup commands),
2. the app's entry point imports in it, is the interface the server needs, and its health
   path does not answer a redirect or a 4xx (checked in-process: fails in seconds instead
   of waiting for the server's ready timeout),
3. the server starts and answers the health path,
4. the locustfile loads and its first requests succeed: a short closed-loop burst of its own
   mix within the SLO's error rate, then one with the task weights ignored (so a rare task
   runs too); each request name's status mix is reported, and a task that only ever gets
   4xx/5xx (or no answer) fails.

Every failure is one line naming the variant, the app, the step and the cause (with the
server log's last lines kept aside); every process started is stopped by its context
manager whatever happens. The environment is the one `measure` uses (same key), so a
passed preflight leaves it ready for the runs.
"""

from __future__ import annotations

import shutil
import time
import traceback
import uuid
from pathlib import Path

from estimator import paths
from estimator.errors import ConfigError, EstimatorError, LoadError, ProvisionError
from estimator.interpreters import Environment, ResolvedVariant, provision
from estimator.load import PhaseLoad, PhaseSpec, load_generator
from estimator.measure import CellSpec, cells
from estimator.measure.run import requirement_set
from estimator.onboard.environment import setup_failure
from estimator.onboard.preflight_models import (
    STEP_TEXT,
    PreflightResult,
    PreflightStep,
    TaskStatus,
)
from estimator.onboard.probe import AppProbe, describe_import_failure, probe_app
from estimator.scenario import Scenario
from estimator.serve import ServerFailure, generator_cpus, placement_for, serve
from estimator.serve.requirements import PACKAGES, pins_of

READY_TIMEOUT_S = 90.0
"""As long as a measured run waits: a preflight must not fail an app a run would accept."""
BURST_S = 1.0
BURST_USERS = 2


def first_cells(scenario: Scenario, variants: list[str]) -> list[CellSpec]:
    """What a preflight checks: per app × variant, its first cell (the app's first server
    config, repetition 1), in sweep order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for cell in cells(scenario, variants):
        key = (cell.app.name, cell.variant)
        if key not in seen:
            seen.add(key)
            out.append(cell)
    return out


class _Failed(Exception):
    def __init__(self, step: PreflightStep, cause: str, log_tail: list[str] | None = None):
        super().__init__(cause)
        self.step = step
        self.cause = cause
        self.log_tail = log_tail or []


def preflight(
    cell: CellSpec,
    variant: ResolvedVariant,
    *,
    runs_dir: Path | None = None,
    ready_timeout: float = READY_TIMEOUT_S,
    burst_s: float = BURST_S,
) -> PreflightResult:
    """Check `cell.app` under `variant` with `cell.server`; never raises for a problem of
    the app (the result says what failed), only KeyboardInterrupt propagates."""
    base = runs_dir or paths.data_dir() / "preflight"
    run_dir = base / f"{cell.app.name}-{variant.name}-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    checks: list[str] = []
    tasks: list[TaskStatus] = []
    head = {"app": cell.app.name, "variant": variant.name, "server": cell.server.label}
    try:
        env = _environment(cell, variant, checks)
        _import(env, cell, variant, run_dir, checks)
        _serve_and_load(
            env,
            cell,
            variant,
            run_dir=run_dir,
            ready_timeout=ready_timeout,
            burst_s=burst_s,
            checks=checks,
            tasks=tasks,
        )
    except Exception as exc:  # a bug must not cost the sweep its other variants
        failed = exc if isinstance(exc, _Failed) else _internal(exc, run_dir)
        result = PreflightResult(
            **head,
            ok=False,
            step=failed.step,
            log_tail=failed.log_tail,
            checks=checks,
            tasks=tasks,
            seconds=round(time.monotonic() - started, 2),
            run_dir=run_dir if run_dir.exists() else None,
        )
        message = f"{result.label}: {STEP_TEXT[failed.step]}: {failed.cause}"
        return result.model_copy(update={"message": message})
    shutil.rmtree(run_dir, ignore_errors=True)
    return PreflightResult(
        **head, ok=True, checks=checks, tasks=tasks, seconds=round(time.monotonic() - started, 2)
    )


def _internal(exc: Exception, run_dir: Path) -> _Failed:
    run_dir.mkdir(parents=True, exist_ok=True)
    trace = run_dir / "error.txt"
    trace.write_text(traceback.format_exc())
    return _Failed("internal", f"{type(exc).__name__}: {exc} (traceback in {trace})")


def _environment(cell: CellSpec, variant: ResolvedVariant, checks: list[str]) -> Environment:
    try:
        env = provision(variant, requirement_set(cell, variant))
    except ProvisionError as exc:
        failed = setup_failure(exc)
        if failed is None:
            raise _Failed("environment", exc.message) from None
        raise _Failed(
            "setup",
            f"{failed.command} ({failed.exit}): {failed.why}; log: {failed.log}",
            failed.tail,
        ) from None
    except EstimatorError as exc:  # e.g. an interpreter gone since discovery
        raise _Failed("environment", exc.message) from None
    checks.append(
        f"environment ready: {variant.interpreter.facts.label}, {len(env.packages)} packages"
        + _server_packages(cell, env)
        + (f", {len(cell.app.setup)} setup command(s) done" if cell.app.setup else "")
    )
    return env


def _server_packages(cell: CellSpec, env: Environment) -> str:
    """', gunicorn 22.0.0 (the app's pin, requirements.txt)': the server packages it runs."""
    facts = env.variant.interpreter.facts
    pins = pins_of(
        cell.app, python_version=(facts.major, facts.minor), implementation=facts.implementation
    )
    out = []
    for name in PACKAGES[cell.server.kind]:
        version = env.packages.get(name)
        if version is None:
            continue
        pin = pins.get(name)
        out.append(f"{name} {version}" + (f" (the app's pin, {pin.source})" if pin else ""))
    return "".join(f", {part}" for part in out)


def _import_failure(probe: AppProbe, cell: CellSpec, entry: str) -> _Failed:
    assert probe.error is not None
    why = describe_import_failure(probe, cell.app.directory)
    return _Failed("import", f"'{entry}': {why}", probe.error.traceback[-10:])


def _import(
    env: Environment, cell: CellSpec, variant: ResolvedVariant, run_dir: Path, checks: list[str]
) -> None:
    app, iface = cell.app, cell.server.interface
    entry = app.entry_for(iface)
    try:
        probe = probe_app(
            env.python,
            app,
            entry,
            run_dir=run_dir / "probe",
            extra_env=variant.env,
            paths=[app.health_path],
        )
    except EstimatorError as exc:
        raise _Failed("import", exc.message) from None
    if probe.error is not None:
        raise _import_failure(probe, cell, entry)
    if probe.interface is not None and probe.interface != iface:
        other = "uvicorn or gunicorn-uvicorn" if probe.interface == "asgi" else "gunicorn-sync"
        raise _Failed(
            "import",
            f"'{entry}' is {probe.reason}: an {probe.interface.upper()} app, but server "
            f"'{cell.server.kind}' runs {iface.upper()} apps; set '{probe.interface} = "
            f'"{entry}"\' on the app and use a {other} server',
        )
    checks.append(f"'{entry}' imports: {probe.reason or 'interface not told'}")
    check = probe.paths.get(app.health_path)
    if check is not None and check.status is not None and (check.redirected or not check.ok):
        if check.status >= 500:
            return  # the server's log will say more than the in-process answer
        hint = ""
        if check.ok and check.path:
            hint = f", e.g. '{check.path}'"
        elif check.location and check.location.startswith("/"):
            hint = f", e.g. '{check.location}'"
        raise _Failed(
            "health",
            f"GET {app.health_path} answers {check.describe()} (checked in the app's own "
            f"process); set health_path to a path that answers 2xx{hint}",
        )


def _serve_and_load(
    env: Environment,
    cell: CellSpec,
    variant: ResolvedVariant,
    *,
    run_dir: Path,
    ready_timeout: float,
    burst_s: float,
    checks: list[str],
    tasks: list[TaskStatus],
) -> None:
    placement = placement_for(cell.cpu)
    gen_cpus = cell.cpu.generator_cpus or generator_cpus(placement)
    try:
        with serve(
            env.python,
            cell.app,
            cell.server,
            run_dir=run_dir,
            placement=placement,
            extra_env=variant.env,
            ready_timeout=ready_timeout,
        ) as server:
            checks.append(f"server answered GET {cell.app.health_path} ({server.url})")
            bursts = _load(cell, server.url, gen_cpus[:1], run_dir, burst_s=burst_s, checks=checks)
            server.check_alive()
            tail = server.log_tail(10)
    except ServerFailure as exc:
        raise _Failed("server", exc.message, exc.log_tail[-10:]) from None
    except EstimatorError as exc:  # placement, packages, affinity: not the app's log
        raise _Failed("server", exc.message) from None
    _judge(bursts, cell, tail, checks, tasks)


def _load(
    cell: CellSpec, url: str, cpus: list[int], run_dir: Path, *, burst_s: float, checks: list[str]
) -> tuple[PhaseLoad, PhaseLoad]:
    """Two bursts: the locustfile's own mix (judged against the SLO's error rate), then every
    task as likely as any other (so a rare one runs too: judged by its status mix)."""
    loaded = False
    try:
        with load_generator(
            cell.locustfile,
            url,
            cpus=cpus,
            run_dir=run_dir,
            server_slots=cell.server.slots,
            pass_env=cell.app.pass_env,
        ) as gen:
            loaded = True
            checks.append(f"locustfile loaded: {', '.join(gen.user_classes)}")
            spec = PhaseSpec(name="preflight", kind="warmup", duration_s=burst_s, users=BURST_USERS)
            mix = gen.run_phase(spec)
            each = gen.run_phase(
                spec.model_copy(update={"name": "preflight-tasks", "even_tasks": True})
            )
            return mix, each
    except (ConfigError, LoadError) as exc:
        if loaded:
            raise _Failed("requests", exc.message) from None
        raise _Failed("locustfile", exc.message) from None


def _task_mix(bursts: tuple[PhaseLoad, ...]) -> list[TaskStatus]:
    """Each request name's requests and status classes over the bursts."""
    requests: dict[tuple[str, str], int] = {}
    statuses: dict[tuple[str, str], dict[str, int]] = {}
    for e in (e for burst in bursts for e in burst.endpoints):
        key = (e.method, e.name)
        requests[key] = requests.get(key, 0) + e.requests
        mix = statuses.setdefault(key, {})
        for kind, n in e.statuses.items():
            mix[kind] = mix.get(kind, 0) + n
    return [
        TaskStatus(method=m, name=n, requests=requests[m, n], statuses=statuses[m, n])
        for m, n in sorted(requests)
    ]


def _judge(
    bursts: tuple[PhaseLoad, PhaseLoad],
    cell: CellSpec,
    server_tail: list[str],
    checks: list[str],
    tasks: list[TaskStatus],
) -> None:
    mix = bursts[0]
    tasks += _task_mix(bursts)
    requests = sum(b.requests for b in bursts)
    if requests == 0:
        raise _Failed(
            "requests",
            f"no request completed in {sum(b.duration_s for b in bursts):g} s of load from "
            f"{cell.locustfile.name}; does its user run any task?",
            server_tail,
        )
    failing = [t for t in tasks if t.requests and not t.succeeded]
    if failing:
        first = failing[0]
        reasons = [f.reason for b in bursts for f in b.failure_reasons if f.name == first.name]
        more = f" (and {len(failing) - 1} more task(s))" if len(failing) > 1 else ""
        raise _Failed(
            "requests",
            f"{first.describe()}: it only ever got 4xx/5xx or no answer{more}: "
            f"{reasons[0] if reasons else 'no reason recorded'}; fix the locustfile or the app",
            server_tail,
        )
    if mix.error_rate > cell.slo.max_error_rate:
        worst = sorted(mix.failure_reasons, key=lambda f: -f.count)[:3]
        reasons_text = "; ".join(f"{f.method} {f.name}: {f.reason} (×{f.count})" for f in worst)
        raise _Failed(
            "requests",
            f"{mix.failures} of {mix.requests} failed ({mix.error_rate:.0%}, the SLO "
            f"allows {cell.slo.max_error_rate:.0%}): {reasons_text}; fix the locustfile or the "
            "app",
            server_tail,
        )
    failures = sum(b.failures for b in bursts)
    checks.append(
        f"first requests: {requests} in {sum(b.duration_s for b in bursts):g} s, {failures} "
        f"failed ({'; '.join(t.describe() for t in tasks)})"
    )
