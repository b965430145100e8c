from __future__ import annotations

import signal
import socket
import urllib.request
from pathlib import Path

import psutil
import pytest

from estimator.cli import build_parser, main
from tests.dashboard.launch import cli_dashboard, leftovers
from tests.fixtures import fixture_store


def test_arguments() -> None:
    args = build_parser().parse_args(["dashboard", "--results", "r.sqlite", "--port", "9000"])
    assert args.port == 9000
    assert args.host == "127.0.0.1"
    assert args.results == Path("r.sqlite")
    assert args.handler.__name__ == "cmd_dashboard"


def test_a_taken_port_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"estimator: error: --port {port}: 127.0.0.1:{port} is already in use; pick another "
        "port or leave --port out to use a free one"
    )


def test_a_directory_is_not_a_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dashboard", "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "a directory, not a results file" in err
    assert err.count("\n") == 1


@pytest.mark.integration
def test_serves_on_loopback_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    results = fixture_store(tmp_path / "results.sqlite")
    with cli_dashboard(results) as cli:
        assert cli.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(cli.url + "_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
        servers = cli.streamlit()
        assert len(servers) == 1
        conns = [c for c in servers[0].net_connections("tcp") if c.status == psutil.CONN_LISTEN]
        assert {c.laddr.ip for c in conns} == {"127.0.0.1"}
        cli.proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal delivers
        assert cli.proc.wait(timeout=30) == 0
        assert leftovers([p.pid for p in servers]) == []
    assert any("results: " + str(results) in line for line in cli.lines)
    assert "estimator dashboard: stopped" in cli.lines


@pytest.mark.integration
def test_a_server_that_dies_is_reported(tmp_path: Path) -> None:
    with cli_dashboard(tmp_path / "none.sqlite") as cli:
        servers = cli.streamlit()
        servers[0].kill()
        assert cli.proc.wait(timeout=30) == 2
        assert leftovers([p.pid for p in servers]) == []
    assert any(
        "the dashboard server stopped on its own (killed by SIGKILL)" in line for line in cli.lines
    )
