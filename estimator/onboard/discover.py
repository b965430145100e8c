"""The starter load test of `estimator init`: from the URL paths the user gave, else from
what the app offers — its OpenAPI document (FastAPI serves one) or its framework's routes
(Flask url_map, Django URLconf, Starlette routes) — tried against the app started under the
server a run uses, so every task written is one the app answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from estimator.errors import ConfigError
from estimator.interpreters import ResolvedVariant
from estimator.measure import CellSpec
from estimator.onboard import openapi
from estimator.onboard.fetch import fetch_openapi, running_app
from estimator.onboard.health import is_health_endpoint
from estimator.onboard.operations import from_routes
from estimator.onboard.plan import Planner
from estimator.onboard.probe import AppProbe
from estimator.onboard.starter import StarterPlan, Task, tasks_from_paths

Progress = Callable[[str], None]


def _fallback(probe: AppProbe, health_path: str) -> StarterPlan:
    """No routes to go by: GET / (or the health path when / does not answer)."""
    root = probe.paths.get("/")
    path = "/" if root is None or root.ok or is_health_endpoint(health_path) else health_path
    return StarterPlan(
        tasks=[Task(path=path, name=path, weight=1)],
        source=f"for GET {path} only (the app's routes are unknown): add its real requests",
    )


def starter_plan(
    cell: CellSpec,
    variant: ResolvedVariant,
    probe: AppProbe,
    *,
    paths: Sequence[str] | None,
    openapi_path: str | None,
    work: Path,
    progress: Progress,
) -> StarterPlan:
    """The tasks: `paths` as given (with their weights), else planned from the OpenAPI
    document at `openapi_path` (or the one the probe found) or the probed routes."""
    if paths is not None:
        return tasks_from_paths(paths)
    url = openapi_path or probe.openapi_url
    if url is None and not probe.routes:
        return _fallback(probe, cell.app.health_path)
    what = f"fetch {url}" if url else "try its routes"
    progress(f"starting the app under {variant.name} ({cell.server.label}) to {what}")
    with running_app(cell, variant, run_dir=work / "discover") as client:
        if url is not None:
            doc = fetch_openapi(client, url, app=cell.app.name)
            ops = openapi.operations(doc, source=f"GET {url}")
            source = f"from the app's OpenAPI document ({url})"
        else:
            ops = from_routes(probe.routes)
            source = f"from the app's routes ({probe.routes[0].source})"
        plan = Planner(ops, client.request).plan(source=source)
    if not plan.sent:
        why = "; ".join(f"{t.method} {t.name}: {t.todo}" for t in plan.todo[:3])
        raise ConfigError(
            f"none of the {len(ops)} operation(s) {source} could be sent with success"
            f"{f' ({why})' if why else ''}; give the URL paths to load with --paths"
        )
    return plan
