from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from estimator import procs
from estimator.errors import ConfigError
from estimator.views.launcher import (
    APP,
    DEFAULT_PORT,
    DashboardError,
    check_results,
    choose_port,
    streamlit_argv,
    url_for,
    wait_ready,
)
from tests.dashboard.launch import leftovers
from tests.promised import skip_unpromised


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_streamlit_runs_headless_on_the_given_address_without_usage_stats() -> None:
    argv = streamlit_argv(APP, "127.0.0.1", 8600)
    assert argv[:5] == [sys.executable, "-m", "streamlit", "run", str(APP)]
    assert _option(argv, "--server.address") == "127.0.0.1"
    assert _option(argv, "--server.port") == "8600"
    assert _option(argv, "--server.headless") == "true"
    assert _option(argv, "--browser.gatherUsageStats") == "false"
    assert APP.is_file()


def test_port_choice() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        with pytest.raises(ConfigError, match=f"--port {taken}: 127.0.0.1:{taken} is already in"):
            choose_port("127.0.0.1", taken)
        assert choose_port("127.0.0.1", None) not in (taken, 0)
    with pytest.raises(ConfigError, match="between 1 and 65535"):
        choose_port("127.0.0.1", 70000)
    with pytest.raises(ConfigError, match="not an address of this machine"):
        choose_port("192.0.2.1", 8600)  # TEST-NET-1: never local


def test_default_port_when_free_else_any() -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
        try:
            sock.bind(("127.0.0.1", DEFAULT_PORT))
        except OSError:
            skip_unpromised(f"port {DEFAULT_PORT} is in use on this machine")
        sock.listen()
        assert choose_port("127.0.0.1", None) != DEFAULT_PORT


def test_results_path(tmp_path: Path) -> None:
    assert check_results(tmp_path / "r.sqlite") == (tmp_path / "r.sqlite").resolve()
    with pytest.raises(ConfigError, match="a directory, not a results file"):
        check_results(tmp_path)


def test_urls() -> None:
    assert url_for("127.0.0.1", 8501) == "http://127.0.0.1:8501/"
    assert url_for("::1", 8501) == "http://[::1]:8501/"


@pytest.mark.integration
def test_a_server_that_exits_at_start_up_is_reported_with_its_output(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = procs.spawn(
            [sys.executable, "-c", "import sys; print('Port 8501 is already in use'); sys.exit(1)"],
            stdout=out,
        )
        try:
            with pytest.raises(DashboardError) as err:
                wait_ready(proc, "http://127.0.0.1:9/", log, timeout=30)
        finally:
            procs.stop(proc)
    assert leftovers([proc.pid]) == []
    assert "exited during start-up (exit code 1)" in err.value.message
    assert "Port 8501 is already in use" in err.value.message
