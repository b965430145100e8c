from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from estimator.errors import ConfigError
from estimator.scenario import Scenario, ServerConfig
from estimator.scenario.loader import (
    builtin_scenarios,
    load_scenario,
    resolve_scenario_path,
    scenario_hash,
)

APP = """
[[apps]]
name = "shop"
directory = "src"
wsgi = "shop.wsgi:app"
locustfile = "load/locustfile.py"
"""


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    """The scenario file, beside the app directory and locustfile APP names."""
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "load").mkdir(exist_ok=True)
    (tmp_path / "load/locustfile.py").touch()
    path = tmp_path / name
    path.write_text(text)
    return path


def test_minimal_scenario_gets_defaults(tmp_path: Path) -> None:
    sc = load_scenario(write(tmp_path, APP))
    assert sc.name == "s"
    (app,) = sc.apps
    assert app.directory == (tmp_path / "src").resolve()
    assert app.locustfile == (tmp_path / "load/locustfile.py").resolve()
    assert sc.servers == [ServerConfig(kind="gunicorn-sync", workers=1)]
    assert sc.variants == ["all"]
    assert sc.slo.p95_ms == 100.0
    assert sc.repetitions == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[[servers]]\nkind = "gunicorn-sync"\nthreads = 4\n',
            "servers[0]: threads = 4 only applies to kind 'gunicorn-gthread', not "
            "'gunicorn-sync'; remove threads or change the kind",
        ),
        (
            '[[servers]]\nkind = "uvicorn"\n',
            "servers[0].kind = 'uvicorn' needs an asgi entry point but no app has one (shop)",
        ),
        (
            '[[servers]]\nkind = "gunicorn-eventlet"\n',
            "servers[0].kind = 'gunicorn-eventlet': Input should be 'gunicorn-sync', "
            "'gunicorn-gthread', 'gunicorn-uvicorn' or 'uvicorn'",
        ),
        ("[slo]\np95_ms = -5\n", "slo.p95_ms = -5: Input should be greater than 0"),
        ("[slo]\np99_ms = 5\n", "unknown key 'slo.p99_ms'; remove it or check its spelling"),
        ("repetitions = 0\n", "repetitions = 0: Input should be greater than or equal to 1"),
        (
            "[cpu]\nserver_cpus = [1]\ngenerator_cpus = [0, 1]\n",
            "CPUs [1] are in both server_cpus and generator_cpus",
        ),
        (
            "[load]\nsteady_fractions = [0.5, 1.5]\n",
            "fractions must be between 0 and 1 (exclusive), got [1.5]",
        ),
        (
            '[[servers]]\nkind = "uvicorn"\nreuse_port = true\n',
            "reuse_port: uvicorn has no --reuse-port (its workers share the supervisor's "
            "socket); serve the app with kind 'gunicorn-uvicorn' to set it, or remove it",
        ),
        (
            '[[servers]]\nkind = "gunicorn-sync"\nkeep_alive_s = 0\n',
            "keep_alive_s: gunicorn's sync workers close every connection after its response",
        ),
        (
            '[[servers]]\nkind = "gunicorn-gthread"\nkeep_alive_s = -1\n',
            "servers[0].keep_alive_s = -1: Input should be greater than or equal to 0",
        ),
        ("[load]\nkeep_alive = 3\n", "load.keep_alive = 3: Input should be a valid boolean"),
    ],
)
def test_invalid_scenarios_name_key_value_and_fix(tmp_path: Path, extra: str, message: str) -> None:
    path = write(tmp_path, extra + APP if not extra.startswith("[") else APP + extra)
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert str(exc.value).startswith(f"{path}: ")
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name = \n")
    with pytest.raises(ConfigError, match=r"invalid TOML"):
        load_scenario(path)


def test_app_without_entry_point(tmp_path: Path) -> None:
    path = write(tmp_path, '[[apps]]\nname = "x"\ndirectory = "."\nlocustfile = "l.py"\n')
    with pytest.raises(ConfigError, match="needs a 'wsgi' or an 'asgi' entry point"):
        load_scenario(path)


def test_bad_entry_point_and_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[[apps]]\nname = "My App"\ndirectory = "."\nwsgi = "app"\n')
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert "apps[0].name = 'My App': use lowercase" in str(exc.value)
    assert "apps[0].wsgi = 'app': expected 'package.module:attribute'" in str(exc.value)


def test_missing_locustfile(tmp_path: Path) -> None:
    path = write(tmp_path, '[[apps]]\nname = "x"\ndirectory = "."\nwsgi = "a:b"\n')
    with pytest.raises(ConfigError, match="has no locustfile and the scenario sets none"):
        load_scenario(path)


def test_unknown_reference() -> None:
    with pytest.raises(ConfigError, match="neither a file nor a shipped scenario; shipped: "):
        resolve_scenario_path("nonesuch")
    with pytest.raises(ConfigError, match="not found"):
        resolve_scenario_path("missing.toml")


def test_hash_ignores_name_but_not_content(tmp_path: Path) -> None:
    a = load_scenario(write(tmp_path, 'name = "a"\n' + APP, "a.toml"))
    b = load_scenario(write(tmp_path, 'name = "b"\n' + APP, "b.toml"))
    c = load_scenario(write(tmp_path, 'name = "a"\nrepetitions = 2\n' + APP, "c.toml"))
    assert scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(a) != scenario_hash(c)


def _hash_before_connection_settings(scenario: Scenario) -> str:
    """The content hash as computed before `reuse_port`, `keep_alive_s` and `[load]
    keep_alive` existed."""
    payload = scenario.model_dump(
        mode="json", exclude={"name": True, "apps": {"__all__": {"public_env", "pass_env"}}}
    )
    for server in payload["servers"]:
        del server["reuse_port"], server["keep_alive_s"]
    del payload["load"]["keep_alive"]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def test_connection_settings_at_their_default_keep_the_scenario_version(tmp_path: Path) -> None:
    servers = '[[servers]]\nkind = "gunicorn-gthread"\nworkers = 9\nthreads = 1\n'
    plain = load_scenario(write(tmp_path, servers + APP, "a.toml"))
    assert scenario_hash(plain) == _hash_before_connection_settings(plain)
    for extra, where in (
        ("reuse_port = true\n", "server"),
        ("keep_alive_s = 0\n", "server"),
        ("[load]\nkeep_alive = false\n", "load"),
    ):
        text = servers + extra + APP if where == "server" else servers + APP + extra
        other = load_scenario(write(tmp_path, text, "b.toml"))
        assert scenario_hash(other) != scenario_hash(plain), extra
    both = load_scenario(write(tmp_path, servers + servers + "reuse_port = true\n" + APP))
    assert [s.label for s in both.servers] == [
        "gunicorn-gthread w9x1",
        "gunicorn-gthread w9x1 reuse-port",
    ]
    assert {s.base_label for s in both.servers} == {"gunicorn-gthread w9x1"}


def test_shipped_scenarios_exist() -> None:
    assert {"quick", "full", "smoke"} <= set(builtin_scenarios())


def test_server_labels_and_slots() -> None:
    assert ServerConfig(kind="gunicorn-sync", workers=2).label == "gunicorn-sync w2"
    gthread = ServerConfig(kind="gunicorn-gthread", workers=2, threads=8)
    assert (gthread.label, gthread.slots) == ("gunicorn-gthread w2x8", 16)
    assert ServerConfig(kind="uvicorn", workers=2).slots is None


def test_a_sample_app_takes_the_scenarios_load_test(tmp_path: Path) -> None:
    from estimator.scenario.builtin_apps import LOADTESTS

    path = tmp_path / "s.toml"
    path.write_text('apps = ["flask", "django"]\nlocustfile = "report"\n')
    scenario = load_scenario(path)
    assert [a.locustfile for a in scenario.apps] == [LOADTESTS["report"]] * 2
    path.write_text('apps = ["flask"]\n')
    assert load_scenario(path).apps[0].locustfile == LOADTESTS["mix"]
