from __future__ import annotations

from pathlib import Path

import pytest

from estimator.scenario import AppSpec
from estimator.serve.env import server_env


def test_allow_list_app_env_and_variant_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 9")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    app = AppSpec(
        name="a", directory=tmp_path, wsgi="a:app", env={"DB": "sqlite:///{run_dir}/db.sqlite3"}
    )
    python = Path("/envs/x/bin/python")
    env = server_env(python, app, tmp_path / "run", {"PYTHON_JIT": "1"})
    assert env["PATH"] == "/envs/x/bin:/usr/bin:/bin"
    assert env["DB"] == f"sqlite:///{tmp_path}/run/db.sqlite3"
    assert env["PYTHON_JIT"] == "1"
    assert env["TZ"] == "UTC"
    assert env["ESTIMATOR_RUN_DIR"] == str(tmp_path / "run")
    assert "PYTHONPATH" not in env
    assert "GUNICORN_CMD_ARGS" not in env
    assert set(env) <= {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "DB", "PYTHON_JIT",
                        "ESTIMATOR_RUN_DIR"}  # fmt: skip


def test_variant_env_wins_and_lang_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LANG", raising=False)
    app = AppSpec(name="a", directory=tmp_path, wsgi="a:app", env={"PYTHON_GIL": "1"})
    env = server_env(Path("/e/bin/python"), app, tmp_path, {"PYTHON_GIL": "0"})
    assert env["PYTHON_GIL"] == "0"
    assert env["LANG"] == "C.UTF-8"
