"""Each sample app starts and answers under each server kind it supports, on CPython 3.11,
CPython 3.13 and PyPy, pinned to one CPU; every process of the server runs on that CPU only."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.scenario import ServerConfig, ServerKind
from estimator.scenario.builtin_apps import SAMPLE_APPS
from estimator.serve import Placement, serve
from tests.serve.conftest import SERVER_CPU, assert_pinned
from tests.serve.sample_envs import INTERPRETERS, app_environment, kinds_for, require

pytestmark = pytest.mark.integration

CELLS = [
    pytest.param(interp, name, kind, id=f"{interp}-{name}-{kind}")
    for interp in INTERPRETERS
    for name, app in SAMPLE_APPS.items()
    for kind in kinds_for(app)
]


@pytest.fixture(scope="session")
def sample_env() -> Callable[[str, str], Path]:
    """(interpreter, app) → the environment's python, built once per session at most."""
    built: dict[tuple[str, str], Path] = {}

    def get(interp: str, app_name: str) -> Path:
        uv = require(interp)
        if (interp, app_name) not in built:
            built[interp, app_name] = app_environment(uv, interp, SAMPLE_APPS[app_name])
        return built[interp, app_name]

    return get


def fetch(url: str) -> tuple[int, object]:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.status, json.loads(resp.read())


@pytest.mark.parametrize(("interp", "app_name", "kind"), CELLS)
def test_sample_app_answers_pinned(
    sample_env: Callable[[str, str], Path],
    run_dir: Path,
    assert_no_leftovers: Callable[[], None],
    interp: str,
    app_name: str,
    kind: ServerKind,
) -> None:
    python = sample_env(interp, app_name)
    config = ServerConfig(kind=kind, workers=1)  # several workers: test_interpreters.py
    placement = Placement(server_cpus=[SERVER_CPU])
    app = SAMPLE_APPS[app_name]
    with serve(python, app, config, run_dir=run_dir, placement=placement, ready_timeout=120) as s:
        assert len(s.worker_pids()) == 1
        pids = s.all_pids()
        assert set(s.worker_pids()) <= set(pids)
        assert_pinned(pids)
        assert s.placement.affinity_verified
        assert fetch(s.url + app.health_path)[0] == 200
        status, body = fetch(s.url + "/api/products?limit=2")
        assert status == 200
        assert isinstance(body, dict)
        assert len(body["items"]) == 2
        assert s.launch is not None
        assert s.launch.argv[0] == str(python)
        versions = s.launch.server_versions
        assert ("uvicorn" if kind == "uvicorn" else "gunicorn") in versions
    assert_no_leftovers()
