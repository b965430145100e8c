"""The launcher with real servers (the project environment's gunicorn/uvicorn) and the
stdlib fixture apps: start, answer, PIDs, affinity, placement; and every way a start can fail
or a run can end, each leaving zero processes behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estimator.errors import ConfigError, ProvisionError, ServerError
from estimator.scenario import AppSpec, ServerConfig, ServerKind
from estimator.serve import Placement, RunningServer, ServerFailure, serve
from estimator.serve import ready as ready_mod
from estimator.serve import server as server_mod
from estimator.serve.ports import free_port
from tests.promised import skip_unpromised
from tests.serve.conftest import APPS_DIR, SERVER_CPU, assert_pinned, wait_for

pytestmark = pytest.mark.integration
NoLeftovers = Callable[[], None]


def get(server: RunningServer, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=30) as resp:
        assert resp.status == 200
        return json.loads(resp.read())


def expect_failure(
    exc_type: type[Exception], match: str, python: Path, app: AppSpec, config: ServerConfig,
    **kwargs: Any,
) -> pytest.ExceptionInfo[Exception]:  # fmt: skip
    """Start a server that must not become ready; return the error."""

    def start() -> None:
        with serve(python, app, config, **kwargs):
            pytest.fail("the server should not have become ready")

    with pytest.raises(exc_type, match=match) as exc:
        start()
    return exc


@pytest.mark.parametrize(
    "config",
    [
        ServerConfig(kind="gunicorn-sync", workers=2),
        ServerConfig(kind="gunicorn-gthread", workers=2, threads=2, preload=True),
        ServerConfig(kind="gunicorn-uvicorn", workers=2),
        ServerConfig(kind="uvicorn", workers=2),
        ServerConfig(kind="uvicorn", workers=1),
    ],
    ids=lambda c: c.label,
)
def test_each_kind_starts_pinned_and_answers(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    config: ServerConfig,
    assert_no_leftovers: NoLeftovers,
) -> None:
    with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned) as server:
        workers = server.worker_pids()
        assert len(workers) == config.workers
        assert server.master_pid in server.all_pids()
        assert set(workers) <= set(server.all_pids())
        assert_pinned(server.all_pids())
        answer = get(server, "/pid")
        assert answer["pid"] in workers
        assert answer["cpus"] == [SERVER_CPU]
        record = server.placement
        assert record.affinity_verified
        assert sorted(record.checked_pids) == sorted(server.all_pids())
        assert not record.quota_applied
        assert record.quota_note == ""
        launch = json.loads((run_dir / "server.json").read_text())
        assert launch["argv"][:3] == [str(python), "-m", config.kind.split("-")[0]]
        assert "gunicorn" in launch["server_versions"] or config.kind == "uvicorn"
        assert server.log_path == run_dir.resolve() / "server.log"
    assert_no_leftovers()
    assert server.worker_pids() == []
    assert server.all_pids() == []


def test_environment_is_clean_and_carries_app_and_variant_env(
    python: Path, pinned: Placement, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKY_SECRET", "must-not-reach-the-server")
    app = AppSpec(
        name="fixture", directory=APPS_DIR, wsgi="fixture_wsgi:app", env={"DATA": "{run_dir}/d"}
    )
    config = ServerConfig(kind="gunicorn-sync")
    with serve(
        python, app, config, run_dir=run_dir, placement=pinned, extra_env={"PYTHON_JIT": "1"}
    ) as server:
        env = get(server, "/env")["env"]
    assert "LEAKY_SECRET" not in env
    assert env["DATA"] == f"{run_dir.resolve()}/d"
    assert env["PYTHON_JIT"] == "1"
    assert env["PATH"].split(os.pathsep)[0] == str(python.parent)


def test_factory_entry_point_under_uvicorn(python: Path, pinned: Placement, run_dir: Path) -> None:
    app = AppSpec(name="factory", directory=APPS_DIR, asgi="fixture_asgi:create_app()")
    with serve(python, app, ServerConfig(kind="uvicorn"), run_dir=run_dir, placement=pinned) as s:
        assert get(s, "/healthz") == {"ok": True}


def test_ipv6_loopback(
    python: Path, fixture_app: AppSpec, pinned: Placement, run_dir: Path
) -> None:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError as exc:
        skip_unpromised(f"no IPv6 loopback here: {exc}")
    config = ServerConfig(kind="gunicorn-sync")
    with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned, host="::1") as s:
        assert s.url.startswith("http://[::1]:")
        assert get(s, "/healthz") == {"ok": True}


def test_killed_worker_is_replaced_pinned_and_nothing_leaks(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    assert_no_leftovers: NoLeftovers,
) -> None:
    config = ServerConfig(kind="gunicorn-sync", workers=2)
    with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned) as server:
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_for(
            lambda: len(server.worker_pids()) == 2 and victim not in server.worker_pids()
        ), f"gunicorn did not replace worker {victim}: {server.log_tail(5)}"
        server.check_alive()
        assert get(server, "/healthz") == {"ok": True}
        assert_pinned(server.worker_pids())
        assert any(f"(pid:{victim}) was sent SIGKILL" in ln for ln in server.log_tail(50))
    assert_no_leftovers()


def test_crashed_master_is_reported_with_its_signal_and_nothing_leaks(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    assert_no_leftovers: NoLeftovers,
) -> None:
    config = ServerConfig(kind="gunicorn-sync", workers=2)
    with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned) as server:
        server.check_alive()
        os.kill(server.master_pid, signal.SIGKILL)
        assert wait_for(lambda: server.proc.poll() is not None)
        died = r"'gunicorn-sync w2' for app 'fixture' died \(killed by SIGKILL\)"
        with pytest.raises(ServerFailure, match=died) as exc:
            server.check_alive()
        assert "log: " in str(exc.value)
        assert exc.value.log_tail
    assert_no_leftovers()  # the orphaned workers too


@pytest.mark.parametrize("where", ["inside the block", "while waiting for readiness"])
def test_interrupted_context_stops_everything(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    assert_no_leftovers: NoLeftovers,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    config = ServerConfig(kind="uvicorn", workers=2)
    if where != "inside the block":
        calls = []

        def interrupted(self: RunningServer) -> list[int]:
            calls.append(1)
            if len(calls) > 3:
                raise KeyboardInterrupt
            return []

        monkeypatch.setattr(RunningServer, "worker_pids", interrupted)

    def run() -> None:
        with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned) as server:
            assert len(server.all_pids()) >= 3  # master, resource tracker, 2 workers
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run()
    assert_no_leftovers()


@pytest.mark.parametrize(
    ("kind", "entry", "expected"),
    [
        ("gunicorn-sync", "nope.missing:app",
         r"exited \(exit code \d\) before answering /healthz: ModuleNotFoundError: No module"),
        ("uvicorn", "nope.missing:app", r"No module named 'nope'"),
        ("gunicorn-sync", "fixture_wsgi:missing", r"Failed to find attribute 'missing'"),
        ("gunicorn-gthread", "broken_import:app", r"RuntimeError: fixture app broken on purpose"),
        ("gunicorn-uvicorn", "broken_import:app", r"RuntimeError: fixture app broken on purpose"),
        ("uvicorn", "broken_import:app", r"RuntimeError: fixture app broken on purpose"),
    ],
)  # fmt: skip
def test_app_that_cannot_load_is_a_one_line_error_and_leaves_nothing(
    python: Path,
    pinned: Placement,
    run_dir: Path,
    assert_no_leftovers: NoLeftovers,
    kind: ServerKind,
    entry: str,
    expected: str,
) -> None:
    if kind in ("uvicorn", "gunicorn-uvicorn"):
        app = AppSpec(name="bad", directory=APPS_DIR, asgi=entry)
    else:
        app = AppSpec(name="bad", directory=APPS_DIR, wsgi=entry)
    config = ServerConfig(kind=kind, workers=2)
    exc = expect_failure(
        ServerFailure, expected, python, app, config, run_dir=run_dir, placement=pinned
    )
    message = str(exc.value)
    assert "\n" not in message
    assert f"log: {run_dir.resolve()}/server.log" in message
    assert isinstance(exc.value, ServerFailure)
    assert exc.value.log_tail
    assert_no_leftovers()


def test_ready_timeout(
    python: Path, pinned: Placement, run_dir: Path, assert_no_leftovers: NoLeftovers
) -> None:
    app = AppSpec(name="slow", directory=APPS_DIR, wsgi="never_ready:app")
    expected = (
        r"did not answer 2xx on http://127\.0\.0\.1:\d+/healthz within 1 s \(last: 503\); "
        r"raise ready_timeout if it is just slow; log: "
    )
    config = ServerConfig(kind="gunicorn-sync")
    expect_failure(
        ServerFailure, expected, python, app, config, run_dir=run_dir, placement=pinned,
        ready_timeout=1,
    )  # fmt: skip
    assert_no_leftovers()


def test_given_port_that_is_taken(
    python: Path, fixture_app: AppSpec, pinned: Placement, run_dir: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        expect_failure(
            ServerError, rf"port {port} on 127.0.0.1 is already in use; stop what listens",
            python, fixture_app, ServerConfig(kind="gunicorn-sync"), run_dir=run_dir,
            placement=pinned, port=port,
        )  # fmt: skip
    assert not (run_dir / "server.log").exists(), "nothing was started"


def test_port_taken_after_the_check_is_still_a_clear_error(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    assert_no_leftovers: NoLeftovers,
) -> None:
    monkeypatch.setattr(server_mod, "check_port_free", lambda host, port: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        expect_failure(
            ServerFailure, rf"could not listen on 127.0.0.1:{port}, already in use", python,
            fixture_app, ServerConfig(kind="uvicorn"), run_dir=run_dir, placement=pinned,
            port=port,
        )  # fmt: skip
    assert_no_leftovers()


def test_chosen_port_lost_to_a_race_is_chosen_again(
    python: Path,
    fixture_app: AppSpec,
    pinned: Placement,
    run_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        ports = iter([taken])
        monkeypatch.setattr(
            server_mod, "free_port", lambda host: next(ports, None) or free_port(host)
        )
        config = ServerConfig(kind="uvicorn")
        with serve(python, fixture_app, config, run_dir=run_dir, placement=pinned) as server:
            assert server.port != taken
            assert get(server, "/healthz") == {"ok": True}


def test_refusals_start_nothing(
    python: Path, fixture_app: AppSpec, pinned: Placement, run_dir: Path, tmp_path: Path
) -> None:
    config = ServerConfig(kind="gunicorn-sync")
    common: dict[str, Any] = {"run_dir": run_dir, "placement": pinned}
    expect_failure(
        ConfigError, "not a loopback address", python, fixture_app, config, host="0.0.0.0",
        **common,
    )  # fmt: skip
    expect_failure(
        ProvisionError, "does not exist or is not executable", tmp_path / "nope/bin/python",
        fixture_app, config, **common,
    )  # fmt: skip
    expect_failure(
        ConfigError, r"CPU\(s\) \[4096\] are not available", python, fixture_app, config,
        run_dir=run_dir, placement=Placement(server_cpus=[4096]),
    )  # fmt: skip
    gone = fixture_app.model_copy(update={"directory": tmp_path / "missing"})
    expect_failure(ConfigError, r"directory .* does not exist", python, gone, config, **common)


def test_uvicorn_worker_dying_while_starting_fails_fast(
    python: Path, pinned: Placement, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn's supervisor respawns workers that die on import, forever: we notice."""
    monkeypatch.setattr(ready_mod, "PROBE_TIMEOUT_S", 0.2)
    app = AppSpec(name="bad", directory=APPS_DIR, asgi="broken_import:app")
    expect_failure(
        ServerFailure, r"lost \d worker\(s\) while starting, before answering /healthz", python,
        app, ServerConfig(kind="uvicorn", workers=2), run_dir=run_dir, placement=pinned,
        ready_timeout=120,
    )  # fmt: skip
