"""Stage 1: what to run, as a validated model read from TOML: apps, interpreter variants,
server configs, load plan, SLO, CPUs. (Describing a new app is `estimator.onboard`.)"""

from estimator.scenario.models import (
    AppSpec,
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
    "CpuLayout",
    "Interface",
    "LoadPlan",
    "Scenario",
    "ServerConfig",
    "ServerKind",
    "Slo",
]
