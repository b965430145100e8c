"""Stage 3: make a server config real — launch it pinned to its CPUs (optionally inside a CPU
quota and memory limit), wait until it answers, know its PIDs, stop it cleanly."""

from estimator.serve.argv import SETTINGS, LaunchSettings, build_argv
from estimator.serve.placement import (
    Placement,
    PlacementRecord,
    default_placement,
    generator_cpus,
    placement_for,
)
from estimator.serve.requirements import server_requirements, server_requirements_for
from estimator.serve.running import RunningServer, ServerFailure, ServerLaunch
from estimator.serve.server import serve

__all__ = [
    "SETTINGS",
    "LaunchSettings",
    "Placement",
    "PlacementRecord",
    "RunningServer",
    "ServerFailure",
    "ServerLaunch",
    "build_argv",
    "default_placement",
    "generator_cpus",
    "placement_for",
    "serve",
    "server_requirements",
    "server_requirements_for",
]
