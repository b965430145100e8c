"""The built-in sample apps as AppSpecs: they point at files that exist and fit the
scenario model."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.paths import LOADTESTS_DIR, SAMPLE_APPS_DIR
from estimator.scenario import Scenario, ServerConfig
from estimator.scenario.builtin_apps import LOADTESTS, SAMPLE_APPS


def _module_file(entry: str) -> Path:
    module = entry.split(":", maxsplit=1)[0]
    return SAMPLE_APPS_DIR / (module.replace(".", "/") + ".py")


def test_three_apps() -> None:
    assert set(SAMPLE_APPS) == {"flask", "django", "fastapi"}
    assert all(spec.name == key for key, spec in SAMPLE_APPS.items())
    assert SAMPLE_APPS["flask"].interfaces == {"wsgi"}
    assert SAMPLE_APPS["django"].interfaces == {"wsgi", "asgi"}
    assert SAMPLE_APPS["fastapi"].interfaces == {"wsgi", "asgi"}


@pytest.mark.parametrize("name", sorted(SAMPLE_APPS))
def test_spec_points_at_real_files(name: str) -> None:
    spec = SAMPLE_APPS[name]
    assert spec.directory == SAMPLE_APPS_DIR
    for entry in filter(None, (spec.wsgi, spec.asgi)):
        module_file = _module_file(entry)
        assert module_file.is_file(), entry
        assert f"{entry.split(':')[1]} =" in module_file.read_text(), entry
    assert [str(r) for r in spec.requirements] == [f"{name}_app/requirements.txt"]
    assert all((spec.directory / r).is_file() for r in spec.requirements)
    assert spec.env == {"SAMPLE_APP_DB": "{run_dir}/app.sqlite3"}
    assert spec.health_path == "/healthz"
    assert spec.locustfile == LOADTESTS["mix"]


def test_loadtests_exist() -> None:
    assert set(LOADTESTS) == {"mix", "compute", "upstream", "products", "report"}
    for name, path in LOADTESTS.items():
        assert path == LOADTESTS_DIR / f"{name}.py"
        assert path.is_file()


def test_specs_make_a_valid_scenario() -> None:
    scenario = Scenario(
        name="samples",
        apps=list(SAMPLE_APPS.values()),
        servers=[ServerConfig(kind="gunicorn-sync"), ServerConfig(kind="uvicorn")],
    )
    assert [a.name for a in scenario.apps] == ["flask", "django", "fastapi"]
