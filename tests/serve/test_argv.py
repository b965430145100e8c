from __future__ import annotations

from pathlib import Path

import pytest

from estimator.errors import ConfigError, ProvisionError
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve import SETTINGS, build_argv
from estimator.serve.argv import SHIM_DIR, UVICORN_WORKER


def fake_venv(root: Path, pyver: str = "python3.11", **versions: str) -> Path:
    """A virtual environment layout with only the dist-info directories build_argv reads."""
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = root / "bin" / "python"
    python.touch()
    site = root / "lib" / pyver / "site-packages"
    site.mkdir(parents=True)
    for name, version in versions.items():
        (site / f"{name}-{version}.dist-info").mkdir()
    return python


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    return fake_venv(tmp_path / "env", gunicorn="27.0.1", uvicorn="0.54.0", uvicorn_worker="0.4.0")


APP = AppSpec(name="shop", directory=Path("/srv/shop"), wsgi="shop.wsgi:app", asgi="shop.asgi:app")
FIXED = [
    "--backlog", "2048", "--timeout", "30", "--graceful-timeout", "2", "--log-level", "info",
]  # fmt: skip


def test_gunicorn_sync_sets_every_default_that_matters(venv: Path) -> None:
    argv = build_argv(venv, APP, ServerConfig(kind="gunicorn-sync", workers=3), "127.0.0.1", 8000)
    assert argv == [
        str(venv), "-m", "gunicorn", *FIXED, "--keep-alive", "5", "--error-logfile", "-",
        "--bind", "127.0.0.1:8000",
        "--workers", "3", "--worker-class", "sync", "--no-control-socket", "shop.wsgi:app",
    ]  # fmt: skip
    assert "--access-logfile" not in argv
    assert SETTINGS.access_log is False


def test_gthread_threads_preload_and_extra_args_before_the_launchers_own(venv: Path) -> None:
    config = ServerConfig(
        kind="gunicorn-gthread",
        workers=2,
        threads=8,
        preload=True,
        extra_args=["--timeout", "75"],
    )
    argv = build_argv(venv, APP, config, "127.0.0.1", 8000)
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--threads") + 1] == "8"
    assert "--preload" in argv
    # after the fixed settings (they override them), before what the launcher owns
    extra = argv.index("75") - 1
    assert argv[extra] == "--timeout"
    assert argv.index("--timeout") < extra < argv.index("--bind") < argv.index("--threads")
    assert argv[-1] == "shop.wsgi:app"


def test_connection_settings_are_the_launchers_after_the_extra_args(venv: Path) -> None:
    config = ServerConfig(
        kind="gunicorn-gthread",
        workers=9,
        threads=1,
        reuse_port=True,
        keep_alive_s=0,
        extra_args=["--timeout", "60"],
    )
    argv = build_argv(venv, APP, config, "127.0.0.1", 8000)
    assert argv.count("--keep-alive") == 1
    assert argv[argv.index("--keep-alive") + 1] == "0"
    assert "--reuse-port" in argv
    assert argv.index("60") < argv.index("--keep-alive") < argv.index("--bind")
    assert config.label == "gunicorn-gthread w9x1 reuse-port keep-alive 0s --timeout 60"
    assert config.base_label == "gunicorn-gthread w9x1 --timeout 60"
    assert config.connection_settings == ["--reuse-port", "--keep-alive 0"]
    plain = build_argv(venv, APP, ServerConfig(kind="gunicorn-gthread"), "127.0.0.1", 8000)
    assert "--reuse-port" not in plain
    assert plain[plain.index("--keep-alive") + 1] == str(SETTINGS.keep_alive_s)


def test_uvicorn_keep_alive_is_its_timeout_keep_alive(venv: Path) -> None:
    config = ServerConfig(kind="uvicorn", workers=2, keep_alive_s=30)
    argv = build_argv(venv, APP, config, "127.0.0.1", 8001)
    assert argv[argv.index("--timeout-keep-alive") + 1] == "30"
    assert config.connection_settings == ["--timeout-keep-alive 30"]
    assert config.label == "uvicorn w2 keep-alive 30s"


def test_gthread_default_threads_are_recorded(venv: Path) -> None:
    argv = build_argv(venv, APP, ServerConfig(kind="gunicorn-gthread"), "127.0.0.1", 8000)
    assert argv[argv.index("--threads") + 1] == "4"


def test_gunicorn_uvicorn_uses_the_quiet_uvicorn_worker(venv: Path) -> None:
    argv = build_argv(venv, APP, ServerConfig(kind="gunicorn-uvicorn", workers=2), "::1", 9000)
    assert argv[argv.index("--worker-class") + 1] == UVICORN_WORKER
    assert argv[argv.index("--pythonpath") + 1] == str(SHIM_DIR)
    assert (SHIM_DIR / "estimator_uvicorn_worker.py").is_file()
    assert argv[argv.index("--bind") + 1] == "[::1]:9000"
    assert argv[-1] == "shop.asgi:app"


def test_uvicorn(venv: Path) -> None:
    argv = build_argv(venv, APP, ServerConfig(kind="uvicorn", workers=4), "127.0.0.1", 8001)
    assert argv == [
        str(venv), "-m", "uvicorn", "shop.asgi:app", "--backlog", "2048",
        "--timeout-graceful-shutdown", "2", "--log-level", "info", "--no-access-log",
        "--timeout-keep-alive", "5", "--host", "127.0.0.1", "--port", "8001", "--workers", "4",
    ]  # fmt: skip


def test_uvicorn_factory_entry_point(venv: Path) -> None:
    app = AppSpec(name="f", directory=Path("/srv"), asgi="shop.asgi:create_app()")
    argv = build_argv(venv, app, ServerConfig(kind="uvicorn"), "127.0.0.1", 8001)
    assert argv[3] == "shop.asgi:create_app"
    assert "--factory" in argv


def test_old_gunicorn_gets_no_control_socket_flag(tmp_path: Path) -> None:
    python = fake_venv(tmp_path / "pypy", "pypy3.9", gunicorn="23.0.0")
    argv = build_argv(python, APP, ServerConfig(kind="gunicorn-sync"), "127.0.0.1", 8000)
    assert "--no-control-socket" not in argv


def test_missing_server_package_names_it_and_the_environment(tmp_path: Path) -> None:
    python = fake_venv(tmp_path / "env", gunicorn="27.0.1")
    with pytest.raises(ProvisionError, match=r"needs uvicorn, uvicorn-worker, not installed in"):
        build_argv(python, APP, ServerConfig(kind="gunicorn-uvicorn"), "127.0.0.1", 8000)


def test_interface_the_app_lacks(venv: Path) -> None:
    app = AppSpec(name="wsgi-only", directory=Path("/srv"), wsgi="a:app")
    with pytest.raises(ConfigError, match=r"'uvicorn' needs an asgi entry point .* only wsgi"):
        build_argv(venv, app, ServerConfig(kind="uvicorn"), "127.0.0.1", 8000)


@pytest.mark.parametrize(
    ("kind", "arg"),
    [
        ("gunicorn-sync", "--bind=0.0.0.0:80"),
        ("gunicorn-sync", "-b"),
        ("gunicorn-sync", "-w4"),
        ("gunicorn-gthread", "--workers"),
        ("gunicorn-sync", "--daemon"),
        ("gunicorn-uvicorn", "-k"),
        ("uvicorn", "--host"),
        ("uvicorn", "--port=80"),
        ("uvicorn", "--reload"),
    ],
)
def test_extra_args_cannot_take_over_what_the_launcher_owns(
    venv: Path, kind: str, arg: str
) -> None:
    config = ServerConfig(kind=kind, extra_args=[arg])
    with pytest.raises(ConfigError, match=rf"extra_args: '{arg}' is not passed to"):
        build_argv(venv, APP, config, "127.0.0.1", 8000)


def test_extra_args_that_only_tune_pass(venv: Path) -> None:
    config = ServerConfig(
        kind="gunicorn-sync", extra_args=["--max-requests", "1000", "--backlog=64"]
    )
    argv = build_argv(venv, APP, config, "127.0.0.1", 8000)
    at = argv.index("--max-requests")
    assert argv[at : at + 3] == ["--max-requests", "1000", "--backlog=64"]
    assert at < argv.index("--bind")


def test_quiet_uvicorn_worker_turns_the_access_log_off() -> None:
    import sys

    sys.path.insert(0, str(SHIM_DIR))
    try:
        import estimator_uvicorn_worker as shim  # type: ignore[import-not-found]
        from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]
    finally:
        sys.path.remove(str(SHIM_DIR))
    assert issubclass(shim.UvicornWorker, UvicornWorker)
    assert shim.UvicornWorker.CONFIG_KWARGS == {**UvicornWorker.CONFIG_KWARGS, "access_log": False}
