"""The scenario file `estimator init` writes: commented TOML that `load_scenario` reads
back to exactly what was meant."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import pytest

from estimator.errors import ConfigError
from estimator.onboard.scenario_file import InitSpec, check_rendered, render_scenario, toml_value
from estimator.scenario import AppSpec, LoadPlan, ServerConfig, Slo
from estimator.scenario.loader import load_scenario


def spec(tmp_path: Path, **app: object) -> InitSpec:
    project = tmp_path / "projects" / "shop"
    project.mkdir(parents=True, exist_ok=True)
    fields: dict[str, object] = {
        "name": "shop",
        "directory": project,
        "wsgi": "shop.wsgi:application",
        "requirements": [Path("requirements.txt")],
        "locustfile": tmp_path / "conf" / "locustfile.py",
        **app,
    }
    return InitSpec(
        app=AppSpec.model_validate(fields),
        variants=["cpython-3.11", "cpython-3.13"],
        servers=[
            ServerConfig(kind="gunicorn-sync", workers=2),
            ServerConfig(kind="gunicorn-gthread", workers=1, threads=4),
        ],
        load=LoadPlan(warmup_max_s=10.0, steady_fractions=[0.3, 0.6]),
        slo=Slo(p95_ms=250.0),
        detected="Detected: a Django application → WSGI",
        alternatives=['asgi = "shop.asgi:application"'],
        locustfile_note="Generated from the URL paths: edit it.",
    )


def test_written_scenario_loads_back_as_meant(tmp_path: Path) -> None:
    s = spec(
        tmp_path,
        env={"DJANGO_SETTINGS_MODULE": "shop.settings", "DB": "{run_dir}/db.sqlite3", "a.b": 'q"'},
        setup=[["python", "manage.py", "migrate", "--noinput"]],
        packages=["psycopg[binary]>=3"],
        health_path="/health/",
    )
    path = tmp_path / "conf" / "shop.toml"
    path.parent.mkdir()
    (path.parent / "locustfile.py").touch()  # the loader checks that it exists
    text = render_scenario(s, path, today=datetime.date(2026, 1, 2))
    path.write_text(text)
    loaded = load_scenario(path)
    assert loaded.name == "shop"
    assert loaded.apps == [s.app]  # every path resolves back to the same place
    assert loaded.variants == s.variants
    assert loaded.servers == s.servers
    assert loaded.load == s.load
    assert loaded.slo == s.slo
    assert check_rendered(text, path) == loaded
    assert 'directory = "../projects/shop"' in text  # relative: the files move together
    assert 'locustfile = "locustfile.py"' in text
    assert "# Detected: a Django application → WSGI" in text
    assert '# asgi = "shop.asgi:application"' in text
    assert "written by `estimator init` on 2026-01-02" in text
    assert "estimator preflight shop.toml" in text


def test_app_without_env_or_setup_shows_commented_examples(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = render_scenario(spec(tmp_path), path)
    raw = tomllib.loads(text)
    assert raw["apps"][0]["setup"] == []
    assert "env" not in raw["apps"][0]
    assert "# [apps.env]" in text
    assert "# [cpu]" in text
    assert check_rendered(text, path).apps[0].env == {}


def test_rendered_values_the_model_refuses_are_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    text = render_scenario(spec(tmp_path), path).replace(
        'kind = "gunicorn-gthread"', 'kind = "uvicorn"'
    )
    with pytest.raises(ConfigError, match="threads"):
        check_rendered(text, path)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("é", '"\\u00e9"'),
        (True, "true"),
        (2.0, "2.0"),
        ([["python", "-c", "x"]], '[["python", "-c", "x"]]'),
    ],
)
def test_toml_literals_round_trip(value: object, literal: str) -> None:
    assert toml_value(value) == literal
    assert tomllib.loads(f"v = {literal}")["v"] == value
