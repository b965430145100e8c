"""A batch: the configurations of one app (variants × server configs) measured side by side.

1. Provision each configuration's environment and start its server and load generator; all
   servers run at once, pinned to the same server CPUs (an idle one costs nothing, and each
   window records what the idle ones used meanwhile). One that fails is stored as failed with
   its reason; the others go on.
2. Warm each up until its throughput is steady (`windows.warm_up`).
3. Rounds: in each round every configuration still measuring gets a closed-loop cost window
   (until its CPU-per-request CI reaches the target, `rounds.stop_check`) and its next
   open-loop latency window (probe, steady rate or capacity-search step; two once its cost is
   known), in an order that changes every round (`rounds.round_order`). Before a round, if
   the last round's duration would overrun `budget_s`, every configuration still short of its
   target stops its cost windows ("budget"); latency windows still due go on for at most
   `LATENCY_GRACE` of the budget more, then only those a usable summary still lacks.
4. A configuration that is done is checked for a warm-up that never ended (`rounds.trend`),
   turned into its `RunResult`, handed to `on_result` (the sweep stores it at once) and its
   processes stopped.
Ctrl-C: the configurations not finished are handed to `on_result` as interrupted (with what
they measured), every process is stopped, and KeyboardInterrupt propagates.
"""

from __future__ import annotations

import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from estimator import paths
from estimator._model import Model
from estimator.errors import (
    EstimatorError,
    InterpreterError,
    LoadError,
    ProvisionError,
    ServerError,
)
from estimator.interpreters import ResolvedVariant
from estimator.load import PhaseSpec
from estimator.measure.cells import CellSpec
from estimator.measure.member import Member, is_jit
from estimator.measure.models import FailureStage, RunResult
from estimator.measure.rounds import (
    StopRule,
    relative_half_width,
    round_order,
    stop_check,
    trend,
)
from estimator.measure.windows import check_any_success, run_window, warm_up, window_seed
from estimator.sample.window import SamplerError

LATENCY_GRACE = 0.25
"""After the budget, latency windows still due (the capacity search) may take this share of
the budget more; after that only what a usable summary still lacks is measured (a probe,
each steady rate once, one capacity-search step: `LatencyQueue.has_minimum`), and a search
cut short is a lower bound ("budget")."""

Progress = Callable[[CellSpec, str], None]
OnResult = Callable[[RunResult], None]


class BatchMember(Model):
    cell: CellSpec
    variant: ResolvedVariant


def _nothing(_: CellSpec, __: str) -> None:
    pass


def _stage_of(exc: BaseException) -> FailureStage:
    if isinstance(exc, InterpreterError):
        return "interpreter"
    if isinstance(exc, ProvisionError):
        return "provision"
    if isinstance(exc, ServerError):
        return "server"
    if isinstance(exc, LoadError):
        return "load"
    if isinstance(exc, SamplerError):
        return "sampler"
    return "internal"


class _Batch:
    def __init__(
        self,
        members: Sequence[BatchMember],
        runs_dir: Path,
        progress: Progress,
        on_result: OnResult,
        clock: Callable[[], float],
    ) -> None:
        self.batch_id = uuid.uuid4().hex[:12]
        self.members = [Member(m.cell, m.variant, self.batch_id, runs_dir) for m in members]
        self.keys = [m.key for m in self.members]
        self.progress = progress
        self.on_result = on_result
        self.clock = clock
        self.results: dict[str, RunResult] = {}

    def live(self) -> list[Member]:
        return [m for m in self.members if m.key not in self.results]

    def finish(
        self, member: Member, status: str, failure: str | None = None, stage: str | None = None
    ) -> None:
        member.close()
        result = member.result(status, failure, stage, members=self.keys)
        self.results[member.key] = result
        self.on_result(result)

    def guarded(self, member: Member, what: Callable[[], None]) -> bool:
        """Run `what`; a failure fails this configuration only (stored with its reason)."""
        try:
            what()
        except (EstimatorError, SamplerError) as exc:
            tail = list(getattr(exc, "log_tail", []))[-20:]
            member.fields["log_tail"] = tail
            self.finish(member, "failed", str(exc), _stage_of(exc))
            return False
        except Exception as exc:  # a bug must not cost the other configurations their results
            member.run_dir.mkdir(parents=True, exist_ok=True)
            trace = member.run_dir / "error.txt"
            trace.write_text(traceback.format_exc())
            message = f"internal error: {type(exc).__name__}: {exc} (traceback in {trace})"
            self.finish(member, "failed", message, "internal")
            return False
        return True

    # -- the steps -------------------------------------------------------------------------

    def start(self, ready_timeout: float) -> None:
        for m in self.members:
            self.progress(m.cell, "provision")
            if self.guarded(m, m.provision):
                self.progress(m.cell, "start server")
                self.guarded(m, partial(m.start, ready_timeout))
        for m in self.live():
            self.guarded(m, m.ready)

    def warm(self) -> None:
        for m in self.live():
            self.progress(m.cell, "warm-up")

            def run(m: Member = m) -> None:
                warm_up(m)
                assert m.warmup is not None
                assert m.server is not None
                check_any_success([w.load for w in m.windows if w.load.kind == "warmup"], m.server)
                if m.warmup.steady_rps <= 0:
                    raise LoadError(
                        f"no request succeeded during warm-up of {m.key}; see "
                        f"{m.run_dir / 'server.log'} and the locust logs"
                    )

            self.guarded(m, run)

    def rounds(self) -> None:
        members = self.live()
        if not members:
            return
        plan = members[0].cell.load
        rule = StopRule(
            target=plan.cost_ci_target, min_rounds=plan.min_rounds, max_rounds=plan.max_rounds
        )
        began = self.clock()
        last_round_s = 0.0
        round_no = 0
        over = minimum = False
        while self.live():
            elapsed = self.clock() - began
            if round_no > 0 and elapsed + last_round_s > plan.budget_s and not over:
                over = True  # cost windows end here; latency windows may finish
                for m in self.live():
                    if m.cost_stop is None:
                        m.cost_stop = "budget"
            if over and elapsed + last_round_s > plan.budget_s * (1 + LATENCY_GRACE):
                minimum = True  # only what a usable summary still lacks
                for m in self.live():
                    if m.latency.has_minimum:
                        self.done(m)
                if not self.live():
                    return
            round_no += 1
            r0 = self.clock()
            by_key = {m.key: m for m in self.live()}
            for key in round_order(self.keys, round_no - 1, set(by_key)):
                m = by_key[key]
                if m.key in self.results:
                    continue
                self.progress(m.cell, f"round {round_no}")
                self.guarded(m, partial(self.round_of, m, round_no, minimum=minimum))
            last_round_s = self.clock() - r0
            for m in self.live():
                if m.cost_stop is None:
                    values = list(m.cost_series().values())
                    stop = stop_check(values, rule, warmed_up=m.warmed_up)
                    if stop is not None:
                        m.cost_stop = stop  # type: ignore[assignment]
                if m.cost_stop is not None and (m.latency.done or m.latency_idle):
                    self.done(m)

    def round_of(self, m: Member, round_no: int, *, minimum: bool = False) -> None:
        plan = m.cell.load
        neighbours = [n for n in self.live() if n is not m]
        m.rounds += 1
        latency_windows = 1
        if m.cost_stop is None:
            spec = PhaseSpec(
                name=f"cost-{round_no}",
                kind="cost",
                duration_s=plan.cost_window_s,
                users=plan.users,
                seed=window_seed(plan.seed, round_no, 0),
            )
            run_window(m, spec, round_no, neighbours)
        else:
            latency_windows = 2  # its cost is known: the round's time goes to latency
        for _ in range(latency_windows):
            seed = window_seed(plan.seed, round_no, 1)
            window = m.latency.next_window(m.closed_loop_rps(), seed, minimum=minimum)
            if window is None:
                m.latency_idle = True  # nothing left to measure at a rate (or no throughput)
                return
            result = run_window(m, window.spec, round_no, neighbours)
            m.latency.record(window, result)

    def done(self, m: Member) -> None:
        series = {n.key: n.cost_series() for n in self.members if n.cost_series()}
        t = trend(m.key, series, alone=is_jit(m.variant)) if m.key in series else None
        if m.warmed_up and t is not None and t.still_warming(m.cell.load.cost_ci_target):
            m.warmed_up = False
            m.not_ranked_reason = (
                f"not warmed up: CPU per request kept falling during the rounds "
                f"({t.change:+.0%} over {t.rounds} rounds relative to the other configurations, "
                f"p = {t.p_value:.2g}); raise load.jit_warmup_max_s"
            )
            m.warnings.append(m.not_ranked_reason)
        m.stop_detail = _stop_detail(m)
        # worker crashes (a segfaulting JIT, an OOM kill): a warning, or a failure when they
        # cost more requests than the SLO's error rate allows
        if self.guarded(m, m.check_workers):
            self.finish(m, "ok")


def _stop_detail(m: Member) -> str:
    plan = m.cell.load
    values = list(m.cost_series().values())
    hw = relative_half_width(values)
    reached = "unknown (fewer than 2 cost windows)" if hw is None else f"±{hw:.1%}"
    target = f"±{plan.cost_ci_target:.0%}"
    why = {
        "target": f"CPU-per-request CI {reached} reached the target {target}",
        "budget": f"the batch's budget ({plan.budget_s:g} s) ended; CPU-per-request CI "
        f"{reached} (target {target})",
        "max_rounds": f"max_rounds ({plan.max_rounds}) reached; CPU-per-request CI {reached} "
        f"(target {target})",
        "not_warmed_up": f"not warmed up: measured {plan.min_rounds} rounds for the record; "
        f"CPU-per-request CI {reached}",
    }
    text = why.get(m.cost_stop or "", f"CPU-per-request CI {reached}")
    return f"{text} after {len(values)} cost windows"


def measure_batch(
    members: Sequence[BatchMember],
    *,
    runs_dir: Path | None = None,
    progress: Progress = _nothing,
    on_result: OnResult | None = None,
    ready_timeout: float = 90.0,
    clock: Callable[[], float] = time.monotonic,
) -> list[RunResult]:
    """Measure `members` side by side; one `RunResult` per member, in their order."""
    got: list[RunResult] = []

    def keep(result: RunResult) -> None:
        got.append(result)
        if on_result is not None:
            on_result(result)

    batch = _Batch(members, runs_dir or paths.data_dir() / "runs", progress, keep, clock)
    try:
        batch.start(ready_timeout)
        batch.warm()
        batch.rounds()
    except KeyboardInterrupt:
        for m in batch.live():
            batch.finish(m, "interrupted", "interrupted by the user", "internal")
        raise
    finally:
        for m in batch.members:
            m.close()
    order = {k: i for i, k in enumerate(batch.keys)}
    return sorted(got, key=lambda r: order[r.config_key])
