"""`python -m <app>.seed`: builds once, leaves an existing database alone, refuses a
foreign one with a one-line message; Django's migrations match its models."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from estimator import procs
from estimator.paths import SAMPLE_APPS_DIR
from tests.sample_apps.apps import sample_module
from tests.sample_apps.served import assert_group_gone

seed_data = sample_module("common.seed_data")


def product_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM products").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("app", ["flask_app", "fastapi_app"])
def test_seed_command(app: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = sample_module(f"{app}.seed")
    path = tmp_path / "shop.sqlite3"
    assert seed.main(["--db", str(path)]) == 0
    assert "built and seeded" in capsys.readouterr().out
    assert product_count(path) == seed_data.PRODUCTS
    assert seed.main(["--db", str(path)]) == 0
    assert "already exists" in capsys.readouterr().out
    assert seed.main(["--db", str(path), "--force"]) == 0
    assert "built and seeded" in capsys.readouterr().out


def test_seed_command_refuses_another_apps_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "shop.sqlite3"
    assert sample_module("flask_app.seed").main(["--db", str(path)]) == 0
    capsys.readouterr()
    assert sample_module("fastapi_app.seed").main(["--db", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fastapi_app.seed: error: ")
    assert "--force" in err
    assert "\n" not in err


def run_in_sample_apps(*args: str, env_db: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "SAMPLE_APP_DB": str(env_db), "PYTHONDONTWRITEBYTECODE": "1"}
    argv = [sys.executable, *args]
    with procs.running(
        argv, cwd=SAMPLE_APPS_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        out, err = proc.communicate(timeout=120)
    assert_group_gone(proc.pid)
    return subprocess.CompletedProcess(argv, proc.returncode, out.decode(), err.decode())


@pytest.mark.integration
def test_django_seed_command_and_migrations(tmp_path: Path) -> None:
    path = tmp_path / "django.sqlite3"
    first = run_in_sample_apps("-m", "django_app.seed", "--db", str(path), env_db=tmp_path / "x")
    assert first.returncode == 0, first.stderr
    assert "built and seeded" in first.stdout
    assert product_count(path) == seed_data.PRODUCTS
    again = run_in_sample_apps("-m", "django_app", "seed", env_db=path)
    assert again.returncode == 0, again.stderr
    assert "already exists" in again.stdout
    check = run_in_sample_apps(
        "-W", "error", "-m", "django_app", "makemigrations", "--check", "--dry-run", env_db=path
    )
    assert check.returncode == 0, f"models and migrations differ:\n{check.stdout}{check.stderr}"
    other = tmp_path / "other.sqlite3"
    mismatch = run_in_sample_apps("-m", "django_app", "seed", "--db", str(other), env_db=path)
    assert mismatch.returncode != 0
    assert "differs from the settings' database" in mismatch.stderr
