"""The typed scenario: every field validated, unknown keys rejected, defaults for all but
the app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from estimator._model import InputModel as Model
from estimator.scenario import checks
from estimator.scenario.checks import DAY_S, MAX_RPS, no_control
from estimator.scenario.server import SERVER_INTERFACE, Interface, ServerConfig, ServerKind

__all__ = [
    "SERVER_INTERFACE",
    "AppSpec",
    "Arrivals",
    "CpuLayout",
    "Interface",
    "LoadPlan",
    "Scenario",
    "ServerConfig",
    "ServerKind",
    "Slo",
]

Arrivals = Literal["poisson", "even"]

_ENTRY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(\))?$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class AppSpec(Model):
    """A web app to measure: where it lives, how to import it, what it needs."""

    name: str = Field(description="short identifier used in results, e.g. 'flask'")
    directory: Path = Field(description="project directory: the server's working directory")
    wsgi: str | None = Field(None, description="WSGI entry point, 'package.module:app'")
    asgi: str | None = Field(None, description="ASGI entry point, 'package.module:app'")
    requirements: list[Path] = Field(
        default_factory=list,
        description="requirement files or pyproject.toml, relative to directory",
    )
    packages: list[str] = Field(
        default_factory=list, description="extra requirement specifiers installed with the app"
    )
    env: dict[str, str] = Field(
        default_factory=dict,
        description="environment for the app; '{run_dir}' expands to the run's directory. "
        "Values are secret (stored and shown as '***') unless the name is on the allow-list "
        "of harmless names (docs/reliability.md) or in `public_env`",
    )
    public_env: list[str] = Field(
        default_factory=list,
        description="names in `env` whose values may be stored and shown (not secrets)",
    )
    pass_env: list[str] = Field(
        default_factory=list,
        description="names of estimator's own environment variables passed through to the "
        "setup commands and the locustfile (which otherwise get a minimal environment)",
    )
    setup: list[list[str]] = Field(
        default_factory=list,
        description="argv commands run once per environment in the app directory "
        "(a leading 'python' is the environment's interpreter)",
    )
    health_path: str = "/healthz"
    locustfile: Path | None = Field(None, description="the app's load test (default: scenario's)")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME.match(v):
            raise ValueError(
                "use lowercase letters, digits, '.', '_' or '-', at most 64 (e.g. 'shop-api')"
            )
        return v

    _env = field_validator("env")(checks.env)
    _env_names = field_validator("public_env", "pass_env")(checks.env_names)
    _setup = field_validator("setup")(checks.setup)
    _packages = field_validator("packages")(checks.packages)

    @field_validator("wsgi", "asgi")
    @classmethod
    def _entry(cls, v: str | None) -> str | None:
        if v is not None and not _ENTRY.match(v):
            raise ValueError("expected 'package.module:attribute', e.g. 'myapp.wsgi:application'")
        return v

    @field_validator("health_path")
    @classmethod
    def _path(cls, v: str) -> str:
        if not v.startswith("/") or " " in v or checks.CONTROL.search(v) or len(v) > 2000:
            raise ValueError("a URL path starting with '/', no spaces, e.g. '/healthz'")
        return v

    @model_validator(mode="after")
    def _has_entry(self) -> AppSpec:
        if self.wsgi is None and self.asgi is None:
            raise ValueError("an app needs a 'wsgi' or an 'asgi' entry point (or both)")
        return self

    @property
    def interfaces(self) -> set[Interface]:
        out: set[Interface] = set()
        if self.wsgi:
            out.add("wsgi")
        if self.asgi:
            out.add("asgi")
        return out

    def entry_for(self, interface: Interface) -> str:
        entry = self.wsgi if interface == "wsgi" else self.asgi
        if entry is None:
            raise ValueError(f"app '{self.name}' has no {interface} entry point")
        return entry


class Slo(Model):
    p95_ms: float = Field(100.0, gt=0, le=DAY_S * 1000, description="95th percentile latency limit")
    max_error_rate: float = Field(0.01, ge=0, le=1, description="failed/total requests limit")


class LoadPlan(Model):
    """How the configurations of one app are measured side by side (see `estimator.measure`):
    a warm-up per configuration, then rounds in which each configuration gets a closed-loop
    *cost* window and one open-loop *latency* window (single-user probe, steady rate, or a
    capacity-search step), until each configuration's CPU-per-request CI reaches
    `cost_ci_target` (after at least `min_rounds`) or the batch's `budget_s` is spent.
    Durations in seconds, rates in requests/second."""

    warmup_min_s: float = Field(3.0, ge=0, le=DAY_S)
    warmup_max_s: float = Field(30.0, gt=0, le=DAY_S)
    jit_warmup_max_s: float = Field(
        60.0,
        gt=0,
        le=DAY_S,
        description="warm-up cap for JIT variants (PyPy, CPython's JIT): they keep speeding "
        "up for tens of seconds; one that is still not steady is not ranked",
    )
    warmup_window_s: float = Field(1.0, gt=0, le=DAY_S)
    warmup_tolerance: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="steady when the last windows' CPU per request (else throughput) agree "
        "within this; a JIT within half of it",
    )
    cost_window_s: float = Field(
        3.0,
        gt=0,
        le=DAY_S,
        description="closed-loop window per configuration per round: CPU per request",
    )
    cost_ci_target: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="stop a configuration once its CPU-per-request 95% CI half-width is at "
        "most this fraction of the mean",
    )
    min_rounds: int = Field(5, ge=2, le=1000)
    max_rounds: int = Field(60, ge=2, le=1000)
    budget_s: float = Field(
        600.0,
        gt=0,
        le=DAY_S,
        description="time for one batch's rounds; configurations short of the target stop "
        "there and say so",
    )
    service_probe_s: float = Field(
        2.0,
        ge=0,
        le=DAY_S,
        description="one user, one request at a time: the service time without queueing (S); "
        "0 skips it and S comes from the lowest steady rate",
    )
    probe_windows: int = Field(3, ge=1, le=100, description="single-user windows per config")
    steady_fractions: list[float] = Field(
        default_factory=lambda: [0.5],
        description="steady open-loop rates as fractions of the closed-loop throughput",
    )
    steady_rates: list[float] = Field(
        default_factory=list, description="absolute steady rates (req/s); override fractions"
    )
    steady_duration_s: float = Field(2.0, gt=0, le=DAY_S)
    steady_windows: int = Field(2, ge=1, le=100, description="windows per steady rate")
    search_start_fraction: float = Field(
        0.7, gt=0, le=2, description="first capacity-search rate, × the closed-loop throughput"
    )
    search_step_factor: float = Field(1.15, gt=1, le=4)
    search_max_steps: int = Field(6, ge=1, le=50)
    step_duration_s: float = Field(2.0, gt=0, le=DAY_S)
    arrivals: Arrivals = Field(
        "poisson",
        description="open-loop arrivals: 'poisson' (exponential gaps, seeded) or 'even' "
        "(exactly 1/rate apart, which hides queueing)",
    )
    seed: int = Field(1, ge=0, le=2**31, description="seeds request choices and arrival gaps")
    keep_alive: bool = Field(
        True,
        description="each simulated user keeps its connection open between requests (HTTP "
        "keep-alive, as a load balancer that keeps connections to its targets); false: a new "
        "connection per request (the generator sends `Connection: close`), as a balancer that "
        "opens one per request. Which one matches your balancer changes how evenly a "
        "server's workers are used",
    )
    users: int | None = Field(
        None, ge=1, le=100_000, description="simulated users (default: automatic)"
    )

    @field_validator("steady_fractions")
    @classmethod
    def _fractions(cls, v: list[float]) -> list[float]:
        bad = [f for f in v if not 0 < f < 1]
        if bad:
            raise ValueError(f"fractions must be between 0 and 1 (exclusive), got {bad}")
        return v

    @field_validator("steady_rates")
    @classmethod
    def _rates(cls, v: list[float]) -> list[float]:
        bad = [r for r in v if not 0 < r <= MAX_RPS]
        if bad:
            raise ValueError(f"rates must be above 0 and at most {MAX_RPS:g} req/s, got {bad}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> LoadPlan:
        if self.warmup_min_s > self.warmup_max_s:
            raise ValueError(
                f"warmup_min_s = {self.warmup_min_s} exceeds warmup_max_s = {self.warmup_max_s}"
            )
        if self.min_rounds > self.max_rounds:
            raise ValueError(
                f"min_rounds = {self.min_rounds} exceeds max_rounds = {self.max_rounds}"
            )
        return self


class CpuLayout(Model):
    """Where the server and the load generator run. None: the server gets the last CPU,
    the generator the others."""

    server_cpus: list[int] | None = Field(None, min_length=1)
    generator_cpus: list[int] | None = Field(None, min_length=1)
    quota_cpus: float | None = Field(
        None, gt=0, le=4096, description="cgroup CPU quota for the server, in CPUs (e.g. 0.5)"
    )
    memory_limit_mb: int | None = Field(None, gt=0, le=1 << 30)

    @field_validator("server_cpus", "generator_cpus")
    @classmethod
    def _cpus(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(not 0 <= c < 4096 for c in v):
            raise ValueError(f"CPU numbers count from 0 (see `nproc`), got {v}")
        return v

    @model_validator(mode="after")
    def _disjoint(self) -> CpuLayout:
        if self.server_cpus is not None and self.generator_cpus is not None:
            both = set(self.server_cpus) & set(self.generator_cpus)
            if both:
                raise ValueError(
                    f"CPUs {sorted(both)} are in both server_cpus and generator_cpus; "
                    "give the server and the generator different CPUs"
                )
        return self


class Scenario(Model):
    """A matrix of measured runs: apps × variants × servers × repetitions."""

    name: str = Field(min_length=1, max_length=200)
    apps: list[AppSpec] = Field(min_length=1)
    variants: list[str] = Field(
        default_factory=lambda: ["all"],
        description="interpreter variants ('cpython-3.13', 'pypy-3.9', 'cpython-3.13+jit') "
        "or 'all' for every CPython and PyPy found that the apps support",
    )
    servers: list[ServerConfig] = Field(
        default_factory=lambda: [ServerConfig(kind="gunicorn-sync", workers=1)], min_length=1
    )
    locustfile: Path | None = Field(None, description="default load test for apps without one")
    load: LoadPlan = Field(default_factory=LoadPlan)
    slo: Slo = Field(default_factory=Slo)
    repetitions: int = Field(
        1,
        ge=1,
        le=50,
        description="independent batches per app (servers started afresh each time); the "
        "rounds inside a batch give the confidence intervals",
    )
    cpu: CpuLayout = Field(default_factory=CpuLayout)

    @field_validator("name")
    @classmethod
    def _scenario_name(cls, v: str) -> str:
        return no_control(v, "the scenario name")

    @model_validator(mode="after")
    def _apps_fit_servers(self) -> Scenario:
        names = [a.name for a in self.apps]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"app names must be unique; repeated: {dupes}")
        for i, server in enumerate(self.servers):
            if not any(server.interface in app.interfaces for app in self.apps):
                raise ValueError(
                    f"servers[{i}].kind = '{server.kind}' needs an {server.interface} entry "
                    f"point but no app has one ({', '.join(names)}); add '{server.interface}' "
                    "to an app or drop that server"
                )
        for i, server in enumerate(self.servers):
            unknown = sorted(set(server.apps or []) - set(names))
            if unknown:
                raise ValueError(
                    f"servers[{i}].apps names {unknown}, not apps of this scenario "
                    f"({', '.join(names)}); fix the names or drop 'apps'"
                )
        labels = [s.label for s in self.servers]
        repeated = sorted({lb for lb in labels if labels.count(lb) > 1})
        if repeated:
            raise ValueError(f"server configs must differ; repeated: {repeated}")
        for app in self.apps:
            if not self.servers_for(app):
                raise ValueError(
                    f"app '{app.name}' ({'/'.join(sorted(app.interfaces))}) can run under none "
                    "of the servers; add a server kind it supports"
                )
            if app.locustfile is None and self.locustfile is None:
                raise ValueError(
                    f"app '{app.name}' has no locustfile and the scenario sets none; "
                    "set 'locustfile' on the app or the scenario"
                )
        return self

    def servers_for(self, app: AppSpec) -> list[ServerConfig]:
        """The server configs this app can run under (a WSGI-only app skips ASGI servers;
        the sweep's plan lists the skipped pairs)."""
        return [
            s
            for s in self.servers
            if s.interface in app.interfaces and (s.apps is None or app.name in s.apps)
        ]

    def locustfile_for(self, app: AppSpec) -> Path:
        path = app.locustfile or self.locustfile
        assert path is not None  # guaranteed by validation
        return path
