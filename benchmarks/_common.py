"""Shared by the benchmarks: a provisioned sample app served pinned, and wrk driving it."""

from __future__ import annotations

import contextlib
import re
import statistics
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from estimator import procs
from estimator.interpreters import (
    RequirementSet,
    ResolvedVariant,
    discover,
    plan_variants,
    provision,
)
from estimator.scenario import AppSpec, ServerConfig
from estimator.scenario.builtin_apps import SAMPLE_APPS
from estimator.serve import Placement, RunningServer, serve, server_requirements

SERVER_CPU = 1
GENERATOR_CPU = 0

_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")


def variant(name: str) -> ResolvedVariant:
    plan = plan_variants([name], discover())
    if plan.missing:
        raise SystemExit(plan.missing[0].message)
    return plan.resolved[0]


def environment_python(app: AppSpec, server: ServerConfig, rv: ResolvedVariant) -> Path:
    facts = rv.interpreter.facts
    reqs = RequirementSet(
        files=[app.directory / r for r in app.requirements],
        specifiers=server_requirements(
            [server.kind],
            python_version=(facts.major, facts.minor),
            implementation=facts.implementation,
        ),
    )
    return provision(rv, reqs).python


@contextlib.contextmanager
def served(app_name: str, server: ServerConfig, rv: ResolvedVariant) -> Iterator[RunningServer]:
    app = SAMPLE_APPS[app_name]
    python = environment_python(app, server, rv)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(
            python,
            app,
            server,
            run_dir=Path(tmp),
            placement=Placement(server_cpus=[SERVER_CPU]),
            extra_env=rv.env,
        ) as running,
    ):
        yield running


def wrk(url: str, seconds: float, connections: int = 8, headers: Sequence[str] = ()) -> float:
    """wrk's requests/second (closed loop, 1 thread pinned to the generator CPU); `headers`
    e.g. ["Connection: close"] for a new connection per request."""
    extra = [arg for h in headers for arg in ("-H", h)]
    with tempfile.TemporaryFile() as out:
        proc = procs.spawn(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", *extra, url],
            stdout=out,
            stderr=subprocess.STDOUT,
            cpus={GENERATOR_CPU},
        )
        try:
            proc.wait(timeout=seconds + 30)
        finally:
            procs.stop(proc)
        out.seek(0)
        text = out.read().decode()
    m = _RATE.search(text)
    if m is None:
        raise RuntimeError(f"wrk printed no rate: {text}")
    return float(m.group(1))


def mean_sd(values: list[float], digits: int = 0) -> str:
    if len(values) < 2:
        return f"{values[0]:,.{digits}f}"
    return f"{statistics.fmean(values):,.{digits}f} ± {statistics.stdev(values):,.{digits}f}"
