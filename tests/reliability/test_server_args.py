"""Server arguments: only allow-listed long options reach the server, parsed the way the
server parses them (gunicorn's argparse accepts any unambiguous prefix: case 4's
`--bin=0.0.0.0:18777` listened on every interface, `--daem` left an orphan); the launcher's
bind and worker options come last; environment variables the servers read as options never
reach them. A test per bypass."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from estimator.errors import ConfigError, ServerError
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve import Placement, build_argv, serve
from estimator.serve.env import server_env
from estimator.serve.options import FLAG, GUNICORN, UVICORN, check_server_args
from tests.reliability.cases import FAULT, INPUT, Case, cases
from tests.serve.conftest import APPS_DIR
from tests.serve.test_argv import fake_venv

APP = AppSpec(name="shop", directory=Path("/srv"), wsgi="shop.wsgi:app", asgi="shop.asgi:app")


def _g(arg: str, expect: str, kind: str = "gunicorn-sync", cid: str | None = None) -> Case:
    args = arg.split(" ")
    return Case(cid or f"{kind}:{arg}", f"{kind} `extra_args = {args}`", expect, (kind, args))


REFUSED = [
    _g("--bin=0.0.0.0:18777", "it abbreviates --bind", cid="gunicorn-bin-abbrev"),
    _g("--bi 0.0.0.0:80", "it abbreviates --bind"),
    _g("--b=0.0.0.0:80", "it abbreviates several options"),
    _g("--bind=0.0.0.0:80", "it sets the bind address"),
    _g("--daem", "it abbreviates --daemon", cid="gunicorn-daem-abbrev"),
    _g("--dae", "it abbreviates --daemon"),
    _g("--daemon", "daemon mode"),
    _g("-D", "a short option"),
    _g("-b 0.0.0.0:80", "a short option"),
    _g("-w4", "a short option"),
    _g("-k gevent", "a short option", kind="gunicorn-uvicorn"),
    _g("--work=8", "it abbreviates several options"),
    _g("--workers 8", "set by the launcher", kind="gunicorn-gthread"),
    _g("--worker-cl=gevent", "it abbreviates --worker-class"),
    _g("--threads=64", "set by the launcher", kind="gunicorn-gthread"),
    _g("--prel", "it abbreviates --preload"),
    _g("--rel", "it abbreviates several options"),
    _g("--reload", "the reloader"),
    _g("--chd=/", "it abbreviates --chdir"),
    _g("--pythonpath=/tmp/evil", "the working directory and import path"),
    _g("--conf=/tmp/evil.py", "it abbreviates --config"),
    _g("--config python:evil", "a config file"),
    _g("--paste=x.ini", "a config file"),
    _g("--pid=/tmp/g.pid", "daemon mode"),
    _g("--error-logfile=/dev/null", "the server log"),
    _g("--log-file=/dev/null", "the server log"),
    _g("--log-conf=x", "it abbreviates several options"),
    _g("--statsd-host=evil.example:8125", "sends logs or metrics off this machine"),
    _g("--log-syslog-to=udp://evil.example:514", "sends logs or metrics off this machine"),
    _g("--user=nobody", "a change of user or group"),
    _g("--certfile=c.pem", "TLS"),
    _g("--env=SECRET=1", "environment variables"),
    _g("--check-config", "makes the server exit"),
    _g("--spew", "traces every line"),
    _g("--timeout", "--timeout needs a value"),
    _g("--timeout --no-sendfile", "--timeout needs a value"),
    _g("--no-sendfile=1", "--no-sendfile takes no value"),
    _g("--reuse-port", "set `reuse_port = true` on the server config"),
    _g("--keep-alive=0", "set `keep_alive_s` on the server config"),
    _g("--keep-a 0", "it abbreviates --keep-alive"),
    _g("--timeout-keep-alive=0", "set `keep_alive_s`", kind="uvicorn"),
    _g("--bogus", "not a known gunicorn option"),
    _g("--", "not an option"),
    _g("app:other", "not an option", cid="gunicorn-positional"),
    _g("--host=0.0.0.0", "it sets the bind address", kind="uvicorn"),
    _g("--hos=0.0.0.0", "not a known uvicorn option", kind="uvicorn", cid="uvicorn-abbrev"),
    _g("--port 80", "it sets the bind address", kind="uvicorn"),
    _g("--uds=/tmp/s", "it sets the bind address", kind="uvicorn"),
    _g("--fd=3", "it sets the bind address", kind="uvicorn"),
    _g("--workers=8", "set by the launcher", kind="uvicorn"),
    _g("--reload", "the reloader", kind="uvicorn"),
    _g("--reload-dir=/", "the reloader", kind="uvicorn"),
    _g("--env-file=.env", "environment variables", kind="uvicorn"),
    _g("--app-dir=/tmp", "the working directory and import path", kind="uvicorn"),
    _g("--ssl-keyfile=k.pem", "TLS", kind="uvicorn"),
    _g("--factory", "the app factory flag", kind="uvicorn"),
    _g("--log-config=x.json", "the server log", kind="uvicorn"),
    _g("-h", "a short option", kind="uvicorn"),
]


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    return fake_venv(tmp_path / "env", gunicorn="25.1.0", uvicorn="0.54.0", uvicorn_worker="0.4")


@cases(INPUT, "server arguments (extra_args)", REFUSED)
def test_server_argument_bypass_is_refused(case: Case, venv: Path) -> None:
    kind, args = case.data
    config = ServerConfig(kind=kind, extra_args=args)
    with pytest.raises(ConfigError) as exc:
        build_argv(venv, APP, config, "127.0.0.1", 8000)
    assert case.expect in exc.value.message
    assert exc.value.message.startswith("extra_args: ")


@pytest.mark.parametrize(
    ("kind", "args", "passed"),
    [
        ("gunicorn-sync", ["--timeout", "60"], ["--timeout", "60"]),
        (
            "gunicorn-sync",
            ["--max-requests=1000", "--no-sendfile"],
            ["--max-requests=1000", "--no-sendfile"],
        ),
        (
            "gunicorn-gthread",
            ["--graceful-timeout", "0", "--backlog", "64"],
            ["--graceful-timeout", "0", "--backlog", "64"],
        ),
        ("gunicorn-uvicorn", ["--name", "[t] x"], ["--name", "[t] x"]),
        (
            "uvicorn",
            ["--limit-concurrency", "100", "--no-server-header"],
            ["--limit-concurrency", "100", "--no-server-header"],
        ),
        ("uvicorn", ["--timeout-graceful-shutdown=0"], ["--timeout-graceful-shutdown=0"]),
    ],
)
def test_allowed_options_pass_before_the_launchers_own(
    venv: Path, kind: str, args: list[str], passed: list[str]
) -> None:
    argv = build_argv(venv, APP, ServerConfig(kind=kind, extra_args=args), "127.0.0.1", 8000)
    at = next(i for i in range(len(argv)) if argv[i : i + len(passed)] == passed)
    bind = "--bind" if kind.startswith("gunicorn") else "--host"
    assert at < argv.index(bind), "the launcher's bind comes after (the last one wins)"
    assert argv.count(bind) == 1


def _installed_gunicorn_options() -> set[str]:
    from gunicorn.config import KNOWN_SETTINGS  # type: ignore[import-untyped]

    return {o for s in KNOWN_SETTINGS for o in (s.cli or []) if o.startswith("--")}


def test_every_installed_gunicorn_option_is_known() -> None:
    """An option the table doesn't know would let an abbreviation through unrecognised."""
    missing = _installed_gunicorn_options() - GUNICORN.known()
    assert not missing, f"add to estimator.serve.options.GUNICORN: {sorted(missing)}"


def test_every_installed_uvicorn_option_is_known() -> None:
    import importlib

    import click

    command = importlib.import_module("uvicorn.main").main
    assert isinstance(command, click.Command)
    options = {
        o for p in command.params for o in [*p.opts, *p.secondary_opts] if o.startswith("--")
    }
    missing = options - UVICORN.known()
    assert not missing, f"add to estimator.serve.options.UVICORN: {sorted(missing)}"


@pytest.mark.parametrize("table", [GUNICORN, UVICORN], ids=["gunicorn", "uvicorn"])
def test_no_allowed_option_abbreviates_a_refused_one(table: object) -> None:
    """Another server version might lack the allowed option and read it as a prefix."""
    assert table is GUNICORN or table is UVICORN
    for allowed in table.allowed:
        longer = [r for r in table.refused if r.startswith(allowed) and r != allowed]
        assert not longer, (allowed, longer)
    assert not set(table.allowed) & set(table.refused)


def test_flags_take_no_value_and_options_one() -> None:
    assert check_server_args("gunicorn-sync", ["--no-sendfile", "--timeout", "5"]) == [
        "--no-sendfile",
        "--timeout",
        "5",
    ]
    assert GUNICORN.allowed["--no-sendfile"] == FLAG


@pytest.mark.parametrize(
    "name", ["GUNICORN_CMD_ARGS", "UVICORN_HOST", "UVICORN_UDS", "GRANIAN_HOST", "WEB_CONCURRENCY"]
)
def test_estimators_own_server_variables_never_reach_the_server(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, "--daemon --bind 0.0.0.0:80")
    env = server_env(Path(sys.executable), APP, tmp_path)
    assert name not in env


# --- with a real gunicorn: the bypasses that reached the server before ------------------
NoLeftovers = Callable[[], None]


def _listening(pid: int) -> list[str]:
    out = []
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    for p in procs:
        try:
            conns = p.net_connections(kind="inet")
        except psutil.Error:
            continue
        out += [c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN]
    return out


def _app_copy(tmp_path: Path, config_file: str) -> AppSpec:
    d = tmp_path / "app"
    d.mkdir()
    shutil.copy(APPS_DIR / "fixture_wsgi.py", d)
    (d / "gunicorn.conf.py").write_text(config_file)
    return AppSpec(name="fixture", directory=d, wsgi="fixture_wsgi:app")


SERVED = [
    Case(
        "env-gunicorn-cmd-args-daemon",
        "`GUNICORN_CMD_ARGS=--daemon` in estimator's environment (case 4: orphaned gunicorn)",
        "ignored: the server runs in the foreground and is stopped",
        "env",
    ),
    Case(
        "config-file-daemon",
        "`daemon = True` in the app's gunicorn.conf.py",
        "the daemonized server is found by its run marker and stopped: nothing left",
        "daemon",
    ),
    Case(
        "config-file-bind-all",
        '`bind = ["0.0.0.0:…"]` in the app\'s gunicorn.conf.py',
        "the launcher's --bind replaces it: listens on 127.0.0.1 only",
        "bind",
    ),
]


@pytest.mark.integration
@cases(FAULT, "server started with hostile settings", SERVED)
def test_a_hostile_server_setting_leaves_no_orphan_and_no_open_port(
    case: Case,
    python: Path,
    pinned: Placement,
    run_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    assert_no_leftovers: NoLeftovers,
) -> None:
    config = ServerConfig(kind="gunicorn-sync")
    if case.data == "env":
        monkeypatch.setenv("GUNICORN_CMD_ARGS", "--daemon --bind 0.0.0.0:18777")
        app = AppSpec(name="fixture", directory=APPS_DIR, wsgi="fixture_wsgi:app")
    elif case.data == "daemon":
        app = _app_copy(tmp_path, "daemon = True\n")
    else:
        app = _app_copy(tmp_path, 'bind = ["0.0.0.0:18778"]\n')
    try:
        with serve(python, app, config, run_dir=run_dir, placement=pinned, ready_timeout=20) as s:
            addresses = _listening(s.master_pid)
            assert addresses, "the server listens"
            assert set(addresses) == {"127.0.0.1"}, addresses
    except ServerError:
        assert case.data == "daemon", "only a daemonizing server may fail to start"
    assert_no_leftovers()


def test_a_refused_option_stops_run_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.reliability.helpers import assert_one_line_error, cli

    scen = tmp_path / "s.toml"
    scen.write_text(
        'apps = ["flask"]\nvariants = ["cpython-3.11"]\n'
        '[[servers]]\nkind = "gunicorn-sync"\nextra_args = ["--bin=0.0.0.0:18777"]\n'
    )
    for argv in (["--dry-run"], []):
        result = cli(capsys, "run", scen, "--results", tmp_path / "r.sqlite", *argv)
        assert_one_line_error(result, "it abbreviates --bind")
