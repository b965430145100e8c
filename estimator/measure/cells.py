"""The matrix of a scenario: one cell per app × variant × server config × repetition; the
cells of one app and one repetition form a batch, measured side by side."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import Field

from estimator._model import Model
from estimator.scenario import AppSpec, CpuLayout, LoadPlan, Scenario, ServerConfig, Slo
from estimator.scenario.loader import drop_added_defaults, scenario_hash


class CellSpec(Model):
    """Everything that determines one measured run."""

    scenario: str
    scenario_hash: str
    app: AppSpec
    variant: str = Field(description="the variant name as resolved, e.g. 'cpython-3.12'")
    server: ServerConfig
    repetition: int = Field(ge=0)
    locustfile: Path
    load: LoadPlan
    slo: Slo
    cpu: CpuLayout

    @property
    def config_key(self) -> str:
        """The configuration this run measures (repetitions share it)."""
        quota = f" | quota {self.cpu.quota_cpus:g}" if self.cpu.quota_cpus else ""
        return f"{self.app.name} | {self.variant} | {self.server.label}{quota}"

    @property
    def label(self) -> str:
        return f"{self.config_key} #{self.repetition + 1}"


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def cell_key(cell: CellSpec) -> str:
    """Identity for resuming: changes when anything that shapes the measurement changes
    (app spec and its requirement files, locustfile content, load plan, SLO, CPU layout),
    not when the scenario is renamed."""
    # which env values are shown and which names pass through don't shape the measurement,
    # nor which apps a server config names
    hidden = {"public_env", "pass_env"}
    payload = cell.model_dump(
        mode="json",
        exclude={"scenario": True, "scenario_hash": True, "app": hidden, "server": {"apps"}},
    )
    payload["server"] = drop_added_defaults("server", payload["server"])
    payload["load"] = drop_added_defaults("load", payload["load"])
    payload["locustfile_sha256"] = _file_digest(cell.locustfile)
    payload["requirements_sha256"] = [
        _file_digest(cell.app.directory / r) for r in cell.app.requirements
    ]
    blob = json.dumps(payload, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def batch_key(cell: CellSpec) -> str:
    """The batch a cell belongs to: its app and repetition ('flask #1')."""
    return f"{cell.app.name} #{cell.repetition + 1}"


def cells(scenario: Scenario, variants: list[str]) -> list[CellSpec]:
    """Repetitions outermost, then app (a batch: its variants × servers side by side), variant,
    server."""
    digest = scenario_hash(scenario)
    out: list[CellSpec] = []
    for rep in range(scenario.repetitions):
        for app in scenario.apps:
            for variant in variants:
                for server in scenario.servers_for(app):
                    out.append(
                        CellSpec(
                            scenario=scenario.name,
                            scenario_hash=digest,
                            app=app,
                            variant=variant,
                            server=server,
                            repetition=rep,
                            locustfile=scenario.locustfile_for(app),
                            load=scenario.load,
                            slo=scenario.slo,
                            cpu=scenario.cpu,
                        )
                    )
    return out
