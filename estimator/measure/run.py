"""One measured run, end to end:

1. provision the variant's environment (app requirements + server packages),
2. start the server pinned to its CPUs (optionally in a CPU quota), load generator on the rest,
3. warm up in closed loop until throughput is steady (JITs take longer: detected, not guessed),
4. hold each steady rate (fractions of the warm-up peak): CPU-seconds per request, latency,
5. search capacity step by step up to the SLO,
with the psutil sampler running throughout. Whatever fails, the run comes back as a
`RunResult` with its status, reason and everything measured before the failure; only
Ctrl-C (KeyboardInterrupt) propagates, after every process is stopped.
"""

from __future__ import annotations

import contextlib
import re
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from estimator import __version__, paths
from estimator.errors import (
    EstimatorError,
    InterpreterError,
    LoadError,
    ProvisionError,
    ServerError,
)
from estimator.host import host_facts
from estimator.interpreters import (
    FACTS_DIR_ENV,
    RequirementSet,
    ResolvedVariant,
    facts_mismatch,
    provision,
    read_worker_facts,
)
from estimator.load import (
    CapacityResult,
    PhaseLoad,
    PhaseSpec,
    StepOutcome,
    WarmupResult,
    load_generator,
    run_warmup,
    search_capacity,
    search_start_rate,
    steady_rates,
)
from estimator.measure.cells import CellSpec, cell_key
from estimator.measure.models import FailureStage, PhaseResult, RunResult
from estimator.redact import private_dir, seal
from estimator.sample import Sampler
from estimator.sample.window import SamplerError
from estimator.serve import (
    RunningServer,
    generator_cpus,
    placement_for,
    serve,
    server_requirements_for,
)
from estimator.serve.ports import free_port

Progress = Callable[[str], None]

_WORKER_CRASH = re.compile(
    r"Worker \(pid:(\d+)\) (?:was sent (SIG\w+)|exited with code (\d+))"
    r"|Child process \[(\d+)\] died"
)


def _nothing(_: str) -> None:
    pass


def _stage_of(exc: EstimatorError) -> FailureStage:
    if isinstance(exc, InterpreterError):
        return "interpreter"
    if isinstance(exc, ProvisionError):
        return "provision"
    if isinstance(exc, ServerError):
        return "server"
    if isinstance(exc, LoadError):
        return "load"
    return "internal"


def requirement_set(cell: CellSpec, variant: ResolvedVariant) -> RequirementSet:
    facts = variant.interpreter.facts
    servers = server_requirements_for(
        cell.app,
        [cell.server.kind],
        python_version=(facts.major, facts.minor),
        implementation=facts.implementation,
    )
    return RequirementSet(
        files=[cell.app.directory / r for r in cell.app.requirements],
        specifiers=[*cell.app.packages, *servers],
        setup=cell.app.setup,
        workdir=cell.app.directory,
        pass_env=cell.app.pass_env,
        # once per environment, not per run: variables naming the run's directory don't apply
        setup_env={k: v for k, v in cell.app.env.items() if "{run_dir}" not in v}
        if cell.app.setup
        else {},
    )


def skipped_result(cell: CellSpec, reason: str, stage: FailureStage) -> RunResult:
    """A cell that could not even start (e.g. its variant is not installed): stored as
    failed so it shows up in results with its reason."""
    now = time.time()
    return RunResult(
        id=uuid.uuid4().hex[:12],
        cell=cell,
        cell_key=cell_key(cell),
        status="failed",
        failure=reason,
        failure_stage=stage,
        started_at=now,
        ended_at=now,
        estimator_version=__version__,
        host=host_facts(),
    )


class _Run:
    """The mutable bookkeeping of one run; `result()` freezes it."""

    def __init__(self, cell: CellSpec, variant: ResolvedVariant, runs_dir: Path) -> None:
        self.cell = cell
        self.variant = variant
        self.id = uuid.uuid4().hex[:12]
        self.run_dir = runs_dir / self.id
        self.started_at = time.time()
        self.fields: dict[str, Any] = {
            "interpreter": variant.interpreter.facts,
            "interpreter_path": variant.interpreter.path,
            "variant_env": dict(variant.env),
        }
        self.phases: list[PhaseResult] = []
        self.warnings: list[str] = list(variant.notes)

    def result(
        self, status: str, failure: str | None = None, stage: str | None = None
    ) -> RunResult:
        return RunResult.model_validate(
            {
                "id": self.id,
                "cell": self.cell,
                "cell_key": cell_key(self.cell),
                "status": status,
                "failure": failure,
                "failure_stage": stage,
                "started_at": self.started_at,
                "ended_at": time.time(),
                "estimator_version": __version__,
                "host": host_facts(),
                "phases": self.phases,
                "warnings": self.warnings,
                "run_dir": self.run_dir,
                **self.fields,
            }
        )


def measure(
    cell: CellSpec,
    variant: ResolvedVariant,
    *,
    runs_dir: Path | None = None,
    progress: Progress = _nothing,
    ready_timeout: float = 90.0,
) -> RunResult:
    run = _Run(cell, variant, runs_dir or paths.data_dir() / "runs")
    private_dir(run.run_dir)
    try:
        progress("provision")
        env = provision(variant, requirement_set(cell, variant))
        run.fields["packages"] = env.packages
        _measure_served(run, env.python, progress, ready_timeout)
    except EstimatorError as exc:
        tail = list(getattr(exc, "log_tail", []))[-20:]
        run.fields["log_tail"] = tail
        return _finish(run, "failed", exc.message, _stage_of(exc))
    except SamplerError as exc:
        return _finish(run, "failed", str(exc), "sampler")
    except Exception as exc:  # a bug must not cost the other cells their results
        trace = run.run_dir / "error.txt"
        trace.write_text(traceback.format_exc())
        message = f"internal error: {type(exc).__name__}: {exc} (traceback in {trace})"
        return _finish(run, "failed", message, "internal")
    return _finish(run, "ok")


def _finish(
    run: _Run, status: str, failure: str | None = None, stage: str | None = None
) -> RunResult:
    facts_dir = run.run_dir / "worker-facts"
    facts = read_worker_facts(facts_dir) if facts_dir.is_dir() else []
    seal(run.run_dir)  # owner-only: logs may hold what the app printed
    run.fields["worker_facts"] = facts
    if status == "ok":
        run.fields["mismatches"] = facts_mismatch(run.variant, facts)
    return run.result(status, failure, stage)


def _measure_served(run: _Run, python: Path, progress: Progress, ready_timeout: float) -> None:
    cell = run.cell
    placement = placement_for(cell.cpu)
    gen_cpus = cell.cpu.generator_cpus or generator_cpus(placement)
    run.fields["generator_cpus"] = gen_cpus
    shared = sorted(set(gen_cpus) & set(placement.server_cpus))
    if shared:
        run.warnings.append(
            f"the load generator shares CPU(s) {shared} with the server: throughput and CPU "
            "figures include their contention"
        )
    facts_dir = run.run_dir / "worker-facts"
    facts_dir.mkdir(exist_ok=True)
    extra_env = {**run.variant.env, FACTS_DIR_ENV: str(facts_dir)}
    progress("start server")
    # locust imports (about a second) while the server starts: the drivers only need the
    # URL, so the port is chosen first
    port = free_port("127.0.0.1")
    with contextlib.ExitStack() as stack:
        # the generator starts first but stops before the server: its idle keep-alive
        # connections would otherwise hold gthread/uvicorn workers to their graceful timeout
        generator = stack.enter_context(contextlib.ExitStack())
        gen = generator.enter_context(
            load_generator(
                cell.locustfile,
                f"http://127.0.0.1:{port}",
                cpus=gen_cpus,
                run_dir=run.run_dir,
                server_slots=cell.server.slots,
                wait=False,
                pass_env=cell.app.pass_env,
            )
        )
        server = stack.enter_context(
            serve(
                python,
                cell.app,
                cell.server,
                run_dir=run.run_dir,
                placement=placement,
                extra_env=extra_env,
                ready_timeout=ready_timeout,
                port=port,
            )
        )
        stack.callback(generator.close)
        run.fields["launch"] = server.launch
        gen.wait_ready()
        single = cell.server.kind == "uvicorn" and cell.server.workers == 1
        sampler = stack.enter_context(
            Sampler(server_pid=server.master_pid, root_is_worker=single, cpus=gen_cpus)
        )
        sampler.watch_generators(gen.pids())
        t0 = time.time()
        try:
            _phases(run, server, sampler, gen, progress)
        finally:
            run.fields["resources"] = sampler.series(t0, time.time())
        _check_workers(run, server)


def _phase(run: _Run, server: RunningServer, sampler: Sampler, load: PhaseLoad) -> PhaseResult:
    server.check_alive()
    window = sampler.window(load.started_at, load.ended_at)
    per_request = window.cpu_seconds_per_request(load.requests) if load.requests > 0 else None
    placement = server.placement
    allotment = placement.quota_cpus if placement.quota_applied else None
    bound = window.generator_limited(allotment or float(len(placement.server_cpus)))
    result = PhaseResult(
        load=load, server=window, cpu_s_per_request=per_request, generator_bound=bound
    )
    run.phases.append(result)
    return result


def _phases(
    run: _Run, server: RunningServer, sampler: Sampler, gen: Any, progress: Progress
) -> None:
    cell = run.cell
    plan = cell.load

    progress("warm-up")
    warmup, windows = run_warmup(gen, plan)
    for load in windows:
        _phase(run, server, sampler, load)
    run.fields["warmup"] = warmup
    if not warmup.converged:
        run.warnings.append(f"warm-up did not converge: {warmup.reason}")
    _check_any_success(windows, server)
    if warmup.steady_rps <= 0:
        raise LoadError(
            f"no request succeeded during warm-up against {server.url}; "
            f"see {run.run_dir / 'server.log'} and the locust logs"
        )

    if plan.service_probe_s > 0:
        progress("service time (1 user)")
        spec = PhaseSpec(
            name="service-time", kind="probe", duration_s=plan.service_probe_s, users=1
        )
        _phase(run, server, sampler, gen.run_phase(spec))

    for i, rate in enumerate(steady_rates(plan, warmup), start=1):
        progress(f"steady {rate:.0f} req/s")
        spec = PhaseSpec(
            name=f"steady-{i}", kind="steady", duration_s=plan.steady_duration_s, rate=rate
        )
        result = _phase(run, server, sampler, gen.run_phase(spec))
        if result.generator_bound:
            run.warnings.append(
                f"steady phase at {rate:.0f} req/s was generator-bound: latency includes the "
                "generator's queueing"
            )

    start = search_start_rate(plan, warmup)
    assert start is not None  # warm-up throughput is positive here
    step_no = 0

    def run_step(rate: float) -> StepOutcome:
        nonlocal step_no
        step_no += 1
        progress(f"capacity step {step_no} at {rate:.0f} req/s")
        spec = PhaseSpec(
            name=f"step-{step_no}", kind="step", duration_s=plan.step_duration_s, rate=rate
        )
        result = _phase(run, server, sampler, gen.run_phase(spec))
        return StepOutcome.from_phase(result.load, generator_bound=result.generator_bound)

    capacity: CapacityResult = search_capacity(run_step, start, plan, cell.slo)
    run.fields["capacity"] = capacity
    if capacity.lower_bound:
        run.warnings.append(
            f"capacity is a lower bound ({capacity.detail}); not the server's limit"
        )
    _note_warmup(run, warmup)


def _check_any_success(windows: list[PhaseLoad], server: RunningServer) -> None:
    """A warm-up in which every request failed (an app answering 500 to everything) is a
    failed run, not a capacity: its reasons say why."""
    total = sum(w.requests for w in windows)
    if total and sum(w.failures for w in windows) == total:
        reasons: dict[str, int] = {}
        for w in windows:
            for f in w.failure_reasons:
                key = f"{f.method} {f.name}: {f.reason}"
                reasons[key] = reasons.get(key, 0) + f.count
        top = "; ".join(f"{k} ×{n}" for k, n in sorted(reasons.items(), key=lambda x: -x[1])[:3])
        raise LoadError(
            f"every request failed during warm-up ({total} of {total}: {top or 'no reason'}) "
            f"against {server.url}; fix the app or the locustfile (see server.log)"
        )


def _note_warmup(run: _Run, warmup: WarmupResult) -> None:
    if warmup.converged and warmup.warmup_s > 0.8 * run.cell.load.warmup_max_s:
        run.warnings.append(
            f"warm-up took {warmup.warmup_s:.0f} s of at most {run.cell.load.warmup_max_s:.0f} s: "
            "raise load.warmup_max_s if this interpreter (a JIT) needs longer"
        )


def _check_workers(run: _Run, server: RunningServer) -> None:
    """Worker crashes (a segfaulting JIT, an OOM kill) show up as respawns in the log."""
    crashes = []
    for line in server.log_tail(400):
        m = _WORKER_CRASH.search(line)
        if m:
            sig = m.group(2)
            code = m.group(3)
            crashes.append(sig or (f"exit code {code}" if code else "died"))
    if not crashes:
        return
    summary = ", ".join(f"{c} ×{crashes.count(c)}" for c in sorted(set(crashes)))
    message = f"server workers crashed during the run ({summary}); see {server.log_path}"
    total = sum(p.load.requests for p in run.phases)
    failed = sum(p.load.failures for p in run.phases)
    if total == 0 or failed / total > run.cell.slo.max_error_rate:
        raise ServerError(message)
    run.warnings.append(message)
