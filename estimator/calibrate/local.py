"""Benchmark workers on this machine: each variant's environment comes from the interpreters
stage (resolved and provisioned like a measurement's, with the Flask sample app's
requirements), each worker pinned to one CPU and stopped with its process group."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from estimator import procs
from estimator.calibrate.models import CalibrateError
from estimator.calibrate.runner import Progress, Worker
from estimator.errors import ProvisionError
from estimator.interpreters import RequirementSet, discover, plan_variants, provision
from estimator.paths import SAMPLE_APPS_DIR

WORKER = Path(__file__).resolve().parent / "_worker.py"
APP = "flask_app"
REQUIREMENTS = SAMPLE_APPS_DIR / APP / "requirements.txt"


def requirements() -> RequirementSet:
    """What the benchmark needs in a variant's environment: the Flask sample app's pins."""
    return RequirementSet(files=[REQUIREMENTS])


def default_cpu() -> int:
    """The last CPU this process may use (the measuring stage keeps CPU 0 for the load)."""
    return max(os.sched_getaffinity(0))


def worker_argv(
    python: str | Path, worker: str | Path, apps: str | Path, cpu: int | None
) -> list[str]:
    argv = [str(python), str(worker), "--apps", str(apps)]
    if cpu is not None:
        argv += ["--cpu", str(cpu)]
    return argv


def close_pipes(proc: subprocess.Popen[bytes]) -> None:
    """Our ends of a worker's pipes (the worker sees end of input and exits)."""
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


@contextlib.contextmanager
def local_workers(
    variants: Sequence[str], cpu: int | None, progress: Progress
) -> Iterator[list[Worker]]:
    """One started worker per variant (all pinned to `cpu`); every one stopped on exit."""
    plan = plan_variants(list(variants), discover())
    if plan.missing:
        raise CalibrateError("; ".join(m.message for m in plan.missing))
    pin = default_cpu() if cpu is None else cpu
    if pin not in os.sched_getaffinity(0):
        raise CalibrateError(
            f"--cpu {pin}: this process may only use CPUs "
            f"{sorted(os.sched_getaffinity(0))}; pick one of them"
        )
    with contextlib.ExitStack() as stack:
        workers: list[Worker] = []
        for rv in plan.resolved:
            progress(f"{rv.name}: environment for the Flask sample app ({rv.interpreter.path})")
            try:
                env = provision(rv, requirements())
            except ProvisionError as exc:
                raise CalibrateError(f"{rv.name}: {exc.message}") from None
            proc = stack.enter_context(
                procs.running(
                    worker_argv(env.python, WORKER, SAMPLE_APPS_DIR, pin),
                    env=env.run_env(os.environ),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    cpus={pin},
                    stop_timeout=5.0,
                )
            )
            assert proc.stdin is not None
            assert proc.stdout is not None
            stack.callback(close_pipes, proc)
            w = Worker(rv.name, "local", proc.stdin, proc.stdout, variant_env=dict(rv.env))
            w.start()
            workers.append(w)
        try:
            yield workers
        finally:
            for w in workers:
                w.quit()
