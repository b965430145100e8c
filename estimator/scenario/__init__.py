"""Stage 1: what to run. Apps, interpreter variants, server configs, load plan, SLO, CPUs."""

from estimator.scenario.models import (
    AppSpec,
    Arrivals,
    CpuLayout,
    Interface,
    LoadPlan,
    Scenario,
    ServerConfig,
    ServerKind,
    Slo,
)

__all__ = [
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
