"""The shipped locustfiles: one FastHttpUser class each, no host and no wait_time of their
own, constants in step with the sample apps, and wrong answers counted as failures.

Locust monkey-patches the process that imports it (gevent), so it is only imported in
child processes here."""

from __future__ import annotations

import ast
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from estimator import procs
from estimator.paths import LOADTESTS_DIR
from estimator.scenario.builtin_apps import LOADTESTS
from tests.sample_apps.apps import sample_module
from tests.sample_apps.served import assert_group_gone, run_locust

SHOP = LOADTESTS_DIR / "_shop.py"


def test_every_locustfile_is_listed() -> None:
    on_disk = {p.stem for p in LOADTESTS_DIR.glob("*.py") if not p.name.startswith("_")}
    assert set(LOADTESTS) == on_disk
    assert all(path.parent == LOADTESTS_DIR for path in LOADTESTS.values())


def _constants(path: Path) -> dict[str, Any]:
    out = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return out


def test_constants_match_the_sample_apps() -> None:
    shop = _constants(SHOP)
    seed_data = sample_module("common.seed_data")
    contract = sample_module("common.contract")
    assert shop["PRODUCTS"] == seed_data.PRODUCTS
    assert shop["CUSTOMERS"] == seed_data.CUSTOMERS
    assert shop["SEEDED_ORDERS"] == seed_data.ORDERS
    assert shop["PAGE_SIZE"] == contract.LIMIT.default
    assert shop["COMPUTE_SIZE"] == contract.COMPUTE_SIZE.default
    assert shop["UPSTREAM_MS"] == contract.UPSTREAM_MS.default


@pytest.mark.parametrize("path", [*LOADTESTS.values(), SHOP], ids=lambda p: p.name)
def test_no_host_or_wait_time_is_set(path: Path) -> None:
    """The host comes from --host only; the load stage sets the wait time."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            assert not names & {"host", "wait_time"}, f"{path.name}:{node.lineno}"


_INSPECT = """
import json, sys
from locust import FastHttpUser, User
from locust.util.load_locustfile import load_locustfile
out = {}
for path in sys.argv[1:]:
    classes, shapes = load_locustfile(path)
    out[path] = [
        {
            "name": name,
            "fast": issubclass(cls, FastHttpUser),
            "host": cls.host,
            "own_wait_time": any("wait_time" in vars(c) for c in cls.__mro__
                                 if c.__module__ not in ("locust.user.users",
                                                         "locust.contrib.fasthttp")),
            "tasks": len(set(cls.tasks)),
            "shapes": len(shapes),
        }
        for name, cls in classes.items()
    ]
print(json.dumps(out))
"""


@pytest.mark.integration
def test_locust_loads_one_user_class_per_file() -> None:
    argv = [sys.executable, "-c", _INSPECT, *map(str, LOADTESTS.values())]
    with procs.running(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        out, err = proc.communicate(timeout=120)
    assert_group_gone(proc.pid)
    assert proc.returncode == 0, err.decode()
    found = json.loads(out)
    for path in LOADTESTS.values():
        (user,) = found[str(path)]
        assert user["fast"], user
        assert user["host"] is None, user
        assert not user["own_wait_time"], user
        assert user["tasks"] >= 1, user
        assert user["shapes"] == 0, user
    assert found[str(LOADTESTS["mix"])][0]["tasks"] == 9


class _WrongApp(http.server.BaseHTTPRequestHandler):
    """Answers 200 {"status": "ok"} to everything: right for /healthz only."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def wrong_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WrongApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.integration
def test_wrong_answers_are_failures(wrong_server: str) -> None:
    (result,) = run_locust([LOADTESTS["mix"]], wrong_server, seconds=3, users=4)
    assert result.requests > 20, result.stderr
    by_name = {s["name"]: s for s in result.stats}
    assert "/api/products" in by_name
    for name, stat in by_name.items():
        if name == "/healthz":
            assert stat["num_failures"] == 0
        else:
            assert stat["num_failures"] == stat["num_requests"] > 0, name
    assert result.exit_code == 1  # locust's exit code when any request failed
