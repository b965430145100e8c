"""Guesses from a project's files: name, requirements, entry points (nothing imported)."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.onboard.detect import (
    django_settings,
    guess_entries,
    guess_interface,
    guess_name,
    guess_requirements,
)
from tests.byo.conftest import APPS_DIR


@pytest.mark.parametrize(
    ("app", "entries", "requirements"),
    [
        ("flask_shop", ["shopflask.app:app"], [Path("requirements.txt")]),
        ("fastapi_notes", ["notes_api.main:app"], [Path("pyproject.toml")]),
        (
            "django_inventory",
            ["inventory.wsgi:application", "inventory.asgi:application"],
            [Path("requirements.txt")],
        ),
        ("flaskr", ["flaskr:create_app()"], [Path("pyproject.toml")]),
        (
            "django_catalog",
            ["catalogsite.wsgi:application", "catalogsite.asgi:application"],
            [Path("requirements.txt")],
        ),
        ("fastapi_heroes", ["app.main:app"], [Path("requirements.txt")]),
    ],
)
def test_fixture_apps(app: str, entries: list[str], requirements: list[Path]) -> None:
    assert [g.entry for g in guess_entries(APPS_DIR / app)] == entries
    assert guess_requirements(APPS_DIR / app) == requirements


@pytest.mark.parametrize(
    ("app", "entry", "interface"),
    [
        ("flaskr", "flaskr:create_app()", "wsgi"),
        ("fastapi_heroes", "app.main:app", "asgi"),
        ("django_catalog", "catalogsite.wsgi:application", "wsgi"),
        ("django_catalog", "catalogsite.asgi:application", "asgi"),
        ("broken", "plain:app", "wsgi"),  # nothing tells: WSGI until the probe says otherwise
    ],
)
def test_interface_guessed_from_the_files(app: str, entry: str, interface: str) -> None:
    assert guess_interface(APPS_DIR / app, entry) == interface


def test_django_settings_from_manage_py() -> None:
    assert django_settings(APPS_DIR / "django_inventory") == "inventory.settings"
    assert django_settings(APPS_DIR / "flask_shop") is None


def test_nested_settings_and_factories(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text(
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")\n'
    )
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "wsgi.py").write_text("")
    assert [g.entry for g in guess_entries(tmp_path)] == ["config.wsgi:application"]

    other = tmp_path / "factory"
    (other / "svc").mkdir(parents=True)
    (other / "svc" / "__init__.py").write_text(
        "from flask import Flask\n\ndef create_app():\n    ...\n"
    )
    (other / "svc" / "asgi.py").write_text(
        "import starlette\napi: Starlette = Starlette(routes=[])\n"
    )
    (other / "my-tool.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (other / "notes.py").write_text("app = Flask(__name__)  # no framework import: not an app\n")
    assert [g.entry for g in guess_entries(other)] == ["svc.asgi:api", "svc:create_app()"]


def test_requirements_alternatives(tmp_path: Path) -> None:
    assert guess_requirements(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    assert guess_requirements(tmp_path) == []  # no dependencies: nothing to install
    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("flask\n")
    assert guess_requirements(tmp_path) == [Path("requirements/base.txt")]


@pytest.mark.parametrize(
    ("dirname", "name"), [("My Shop", "my-shop"), ("__x__", "x"), ("---", "app")]
)
def test_names(tmp_path: Path, dirname: str, name: str) -> None:
    (tmp_path / dirname).mkdir()
    assert guess_name(tmp_path / dirname) == name
