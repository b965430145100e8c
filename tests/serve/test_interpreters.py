"""Every server kind on every interpreter the matrix covers (CPython 3.11, 3.13, PyPy), with
the stdlib fixture apps: the launcher's own behaviour, independent of the sample apps."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.scenario import AppSpec, ServerConfig, ServerKind
from estimator.serve import Placement, serve
from tests.serve.conftest import SERVER_CPU, assert_pinned
from tests.serve.sample_envs import ALL_KINDS, INTERPRETERS, require, servers_environment

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def servers_env() -> Callable[[str], Path]:
    built: dict[str, Path] = {}

    def get(interp: str) -> Path:
        uv = require(interp)
        if interp not in built:
            built[interp] = servers_environment(uv, interp)
        return built[interp]

    return get


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("interp", list(INTERPRETERS))
def test_fixture_app_on_each_interpreter(
    servers_env: Callable[[str], Path],
    fixture_app: AppSpec,
    run_dir: Path,
    assert_no_leftovers: Callable[[], None],
    interp: str,
    kind: ServerKind,
) -> None:
    python = servers_env(interp)
    config = ServerConfig(kind=kind, workers=2)
    placement = Placement(server_cpus=[SERVER_CPU])
    with serve(python, fixture_app, config, run_dir=run_dir, placement=placement) as server:
        workers = server.worker_pids()
        assert len(workers) == 2
        assert_pinned(server.all_pids())
        with urllib.request.urlopen(server.url + "/pid", timeout=30) as resp:
            assert json.loads(resp.read())["pid"] in workers
        assert server.launch is not None
        impl = server.launch.argv[0]
        assert impl == str(python)
    assert_no_leftovers()
