"""One configuration of a batch while it is measured: its environment, its server and load
generator (started side by side with the other configurations'), its sampler, its windows,
and the `RunResult` it turns into (complete whatever happened: ok, failed or interrupted)."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from pathlib import Path
from typing import Any

from estimator import __version__
from estimator.errors import ServerError
from estimator.host import host_facts
from estimator.interpreters import (
    FACTS_DIR_ENV,
    RequirementSet,
    ResolvedVariant,
    facts_mismatch,
    provision,
    read_worker_facts,
)
from estimator.load import LoadGenerator, WarmupResult, load_generator
from estimator.measure.balance import LoadConnections, uneven_warning, worker_use
from estimator.measure.cells import CellSpec, cell_key
from estimator.measure.latency import LatencyQueue
from estimator.measure.models import MeasureStop, PhaseResult, RunResult
from estimator.measure.rounds import relative_half_width
from estimator.redact import private_dir, seal
from estimator.sample import Sampler
from estimator.sample.slots import SlotSampler
from estimator.serve import (
    RunningServer,
    generator_cpus,
    placement_for,
    serve,
    server_requirements_for,
)
from estimator.serve.ports import free_port

_WORKER_CRASH = re.compile(
    r"Worker \(pid:(\d+)\) (?:was sent (SIG\w+)|exited with code (\d+))"
    r"|Child process \[(\d+)\] died"
)


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


def is_jit(variant: ResolvedVariant) -> bool:
    """PyPy, or a CPython variant run with its JIT: needs a longer warm-up."""
    return variant.spec.implementation == "pypy" or variant.spec.jit


class Member:
    """The mutable state of one configuration in a batch; `result()` freezes it."""

    def __init__(
        self, cell: CellSpec, variant: ResolvedVariant, batch_id: str, runs_dir: Path
    ) -> None:
        self.cell = cell
        self.variant = variant
        self.batch_id = batch_id
        self.key = cell.config_key
        self.id = uuid.uuid4().hex[:12]
        self.run_dir = runs_dir / self.id
        self.started_at = time.time()
        self.fields: dict[str, Any] = {
            "interpreter": variant.interpreter.facts,
            "interpreter_path": variant.interpreter.path,
            "variant_env": dict(variant.env),
        }
        self.windows: list[PhaseResult] = []
        self.warnings: list[str] = list(variant.notes)
        self.latency = LatencyQueue(cell.load, cell.slo)
        self.latency_idle = False
        self.warmup: WarmupResult | None = None
        self.warmed_up = True
        self.not_ranked_reason: str | None = None
        self.cost_stop: MeasureStop | None = None
        self.stop_detail: str | None = None
        self.rounds = 0
        self.python: Path | None = None
        self.server: RunningServer | None = None
        self.gen: LoadGenerator | None = None
        self.sampler: Sampler | None = None
        self.slots: SlotSampler | None = None
        self._stack = contextlib.ExitStack()
        self.closed = False

    # -- life cycle ------------------------------------------------------------------------

    def provision(self) -> None:
        env = provision(self.variant, requirement_set(self.cell, self.variant))
        self.fields["packages"] = env.packages
        self.python = env.python

    def start(self, ready_timeout: float) -> None:
        """Start the load generator and the server (pinned per the scenario's CPU layout);
        they stay up, idle between this configuration's windows, until `close()`."""
        assert self.python is not None, "provision() first"
        cell = self.cell
        private_dir(self.run_dir)
        placement = placement_for(cell.cpu)
        gen_cpus = cell.cpu.generator_cpus or generator_cpus(placement)
        self.fields["generator_cpus"] = gen_cpus
        shared = sorted(set(gen_cpus) & set(placement.server_cpus))
        if shared:
            self.warnings.append(
                f"the load generator shares CPU(s) {shared} with the server: throughput and "
                "CPU figures include their contention"
            )
        facts_dir = self.run_dir / "worker-facts"
        facts_dir.mkdir(exist_ok=True)
        extra_env = {**self.variant.env, FACTS_DIR_ENV: str(facts_dir)}
        port = free_port("127.0.0.1")  # locust imports while the server starts
        stack = self._stack
        # the generator starts first but stops before the server: its idle keep-alive
        # connections would otherwise hold gthread/uvicorn workers to their graceful timeout
        generator = stack.enter_context(contextlib.ExitStack())
        self.gen = generator.enter_context(
            load_generator(
                cell.locustfile,
                f"http://127.0.0.1:{port}",
                cpus=gen_cpus,
                run_dir=self.run_dir,
                server_slots=cell.server.slots,
                wait=False,
                pass_env=cell.app.pass_env,
                keep_alive=cell.load.keep_alive,
            )
        )
        self.server = stack.enter_context(
            serve(
                self.python,
                cell.app,
                cell.server,
                run_dir=self.run_dir,
                placement=placement,
                extra_env=extra_env,
                ready_timeout=ready_timeout,
                port=port,
            )
        )
        stack.callback(generator.close)
        self.fields["launch"] = self.server.launch

    def ready(self) -> None:
        """Wait for the generator (locust loaded) and set up the sampler."""
        assert self.gen is not None
        assert self.server is not None
        self.gen.wait_ready()
        single = self.cell.server.kind == "uvicorn" and self.cell.server.workers == 1
        self.sampler = Sampler(
            server_pid=self.server.master_pid,
            root_is_worker=single,
            cpus=self.fields["generator_cpus"],
            generator_pids=self.gen.pids(),
        )
        server = self.cell.server
        if server.slots is not None and server.workers > 1:  # sync or threaded workers
            self.slots = SlotSampler(
                self.server.port, self.server.worker_pids, cpus=self.fields["generator_cpus"]
            )
            self._stack.callback(self.slots.close)

    def close(self) -> None:
        """Stop its processes (generator first, then the server) and remember the series."""
        if self.closed:
            return
        self.closed = True
        if self.sampler is not None and self.windows:
            with contextlib.suppress(Exception):
                t0 = self.windows[0].load.started_at
                t1 = self.windows[-1].load.ended_at
                self.fields["resources"] = self.sampler.series(t0, t1)
        with contextlib.suppress(Exception):
            self.check_workers()
        self._stack.close()
        if self.run_dir.is_dir():
            seal(self.run_dir)  # owner-only: logs may hold what the app printed

    # -- figures ---------------------------------------------------------------------------

    @property
    def cost_windows(self) -> list[PhaseResult]:
        return [w for w in self.windows if w.load.kind == "cost"]

    def cost_series(self) -> dict[int, float]:
        """CPU-seconds per request by round."""
        return {
            w.round: w.cpu_s_per_request
            for w in self.cost_windows
            if w.round is not None and w.cpu_s_per_request is not None
        }

    def closed_loop_rps(self) -> float:
        """The closed-loop throughput: the mean of its cost windows, else the warm-up's."""
        cost = [w.load.throughput_rps for w in self.cost_windows]
        if cost:
            return sum(cost) / len(cost)
        return self.warmup.steady_rps if self.warmup is not None else 0.0

    def load_connections(self) -> LoadConnections:
        """How many connections the generator used, and whether it kept them alive."""
        closed = [w.load.users for w in self.cost_windows]
        opened = [w.load.users for w in self.windows if w.load.kind in ("steady", "step")]
        last = next((w.balance for w in reversed(self.cost_windows) if w.balance), None)
        return LoadConnections(
            keep_alive=self.cell.load.keep_alive,
            closed_loop_users=max(closed) if closed else None,
            open_loop_users=(min(opened), max(opened)) if opened else None,
            open_at_end=last.connections_open if last is not None else None,
        )

    def check_workers(self) -> None:
        """Worker crashes (a segfaulting JIT, an OOM kill) show up as respawns in the log."""
        if self.server is None:
            return
        crashes = []
        for line in self.server.log_tail(400):
            m = _WORKER_CRASH.search(line)
            if m:
                sig, code = m.group(2), m.group(3)
                crashes.append(sig or (f"exit code {code}" if code else "died"))
        if not crashes:
            return
        summary = ", ".join(f"{c} ×{crashes.count(c)}" for c in sorted(set(crashes)))
        message = f"server workers crashed during the run ({summary}); see {self.server.log_path}"
        total = sum(p.load.requests for p in self.windows)
        failed = sum(p.load.failures for p in self.windows)
        if total == 0 or failed / total > self.cell.slo.max_error_rate:
            raise ServerError(message)
        if message not in self.warnings:
            self.warnings.append(message)

    # -- the result ------------------------------------------------------------------------

    def result(
        self,
        status: str,
        failure: str | None = None,
        stage: str | None = None,
        *,
        members: list[str] | None = None,
    ) -> RunResult:
        facts_dir = self.run_dir / "worker-facts"
        facts = read_worker_facts(facts_dir) if facts_dir.is_dir() else []
        fields = dict(self.fields)
        fields["worker_facts"] = facts
        if status == "ok":
            fields["mismatches"] = facts_mismatch(self.variant, facts)
        values = list(self.cost_series().values())
        plan = self.cell.load
        use = worker_use(self.cell.server, [w.balance for w in self.cost_windows])
        warnings = list(self.warnings)
        if use is not None and use.uneven:
            warnings.append(uneven_warning(use, self.cell.server, plan.keep_alive))
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
                "phases": self.windows,
                "warmup": self.warmup,
                "capacity": self.latency.capacity(),
                "warnings": warnings,
                "worker_use": use,
                "connections": self.load_connections(),
                "run_dir": self.run_dir,
                "batch_id": self.batch_id,
                "batch_members": members or [self.key],
                "arrivals": plan.arrivals,
                "seed": plan.seed,
                "rounds": self.rounds,
                "stop_reason": self.cost_stop,
                "stop_detail": self.stop_detail,
                "cost_ci_target": plan.cost_ci_target,
                "cost_half_width": relative_half_width(values),
                "warmed_up": self.warmed_up,
                "not_ranked_reason": self.not_ranked_reason,
                **fields,
            }
        )
