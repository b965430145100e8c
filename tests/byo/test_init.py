"""`estimator init`'s checks and questions through the CLI (the happy paths of the three
fixture apps are in test_end_to_end.py): nothing is written when the app can't be described,
every error is one line with the fix."""

from __future__ import annotations

import builtins
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.interpreters import discover, plan_variants
from estimator.scenario.loader import load_scenario
from tests.byo.conftest import CliRun
from tests.promised import missing_variant, require_uv

pytestmark = pytest.mark.integration
VARIANT = "cpython-3.11"


@pytest.fixture(scope="module")
def _available() -> None:
    if not plan_variants([VARIANT], discover()).resolved:
        missing_variant(VARIANT)
    require_uv()


@pytest.fixture
def broken(copy_app: Callable[[str], Path], _available: None) -> Path:
    return copy_app("broken")


def init(cli: CliRun, project: Path, *args: object) -> tuple[int, str, str]:
    out = project.parent / "out.toml"
    return cli(
        ["init", "--project", project, "--no-input", "--variants", VARIANT, "-o", out, *args]
    )


def test_entry_point_not_found(broken: Path, cli: CliRun) -> None:
    code, _, err = init(cli, broken)
    assert code == 2
    assert err.strip() == (
        f"estimator: error: could not find the app's entry point in {broken}; give it with "
        "--app package.module:app"
    )
    assert not (broken.parent / "out.toml").exists()


def test_import_error_names_cause_and_fix(
    broken: Path, cli: CliRun, no_leftovers: Callable[[], None]
) -> None:
    code, _, err = init(cli, broken, "--app", "missing_dep:app", "--paths", "/")
    assert code == 2
    assert err.startswith(
        f"estimator: error: 'missing_dep:app' does not import with {VARIANT}: ModuleNotFoundError: "
        "No module named 'estimator_fixture_not_installed' (missing_dep.py line 5); add the "
        "package that provides 'estimator_fixture_not_installed' to the app's requirements"
    )
    assert len(err.strip().splitlines()) == 1
    assert not (broken.parent / "out.toml").exists()
    assert not (broken.parent / "locustfile.py").exists()
    no_leftovers()


def test_no_health_path_answers(broken: Path, cli: CliRun) -> None:
    (broken / "api.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('404 Not Found', [])\n"
        "    return [b'']\n"
    )
    code, _, err = init(cli, broken, "--app", "api:app", "--paths", "/x")
    assert code == 2
    assert "no health path answers 2xx (/healthz → 404, /health → 404, / → 404)" in err
    assert "--health PATH" in err


@pytest.mark.usefixtures("_available")
def test_no_health_path_answers_but_a_route_does(
    copy_app: Callable[[str], Path], cli: CliRun
) -> None:
    """flaskr without its init-db: '/' fails (no tables), its url_map offers /hello."""
    project = copy_app("flaskr")
    code, _, err = init(cli, project, "--app", "flaskr:create_app()", "--paths", "/")
    assert code == 2
    assert err.strip().splitlines() == [
        "estimator: error: no health path answers 2xx (/healthz → 404, /health → 404, / → 500); "
        "give the path of a cheap page that does with --health PATH; among the app's routes "
        "without parameters, /hello answers 200: try --health /hello"
    ]


def test_health_follows_redirects_to_the_same_host(broken: Path, cli: CliRun) -> None:
    (broken / "moved.py").write_text(
        "def app(environ, start_response):\n"
        "    path = environ['PATH_INFO']\n"
        "    if path == '/':\n"
        "        start_response('301 Moved Permanently', [('Location', 'http://127.0.0.1/home/')])\n"
        "        return [b'']\n"
        "    if path == '/home/':\n"
        "        start_response('204 No Content', [])\n"
        "        return [b'']\n"
        "    start_response('404 Not Found', [])\n"
        "    return [b'']\n"
    )
    code, out, err = init(cli, broken, "--app", "moved:app", "--paths", "/home/")
    assert code == 0, err
    assert "✓ GET / → 301 → /home/ → 204: health path /home/" in out
    (app,) = load_scenario(broken.parent / "out.toml").apps
    assert app.health_path == "/home/"


def test_openapi_on_an_app_without_one(
    broken: Path, cli: CliRun, no_leftovers: Callable[[], None]
) -> None:
    code, _, err = init(cli, broken, "--app", "plain:app", "--openapi")
    assert code == 2
    assert "GET /openapi.json answered 404: app 'broken' serves no OpenAPI document there" in err
    no_leftovers()  # the server started for it is gone


def test_interface_override_and_existing_locustfile(broken: Path, cli: CliRun) -> None:
    code, out, err = init(
        cli, broken, "--app", "plain:app", "--interface", "wsgi",
        "--locustfile", broken / "load_ok.py", "--server", "gunicorn-gthread:2x3", "--health", "/",
    )  # fmt: skip
    assert code == 0, err
    assert "using locustfile" in out
    scenario = load_scenario(broken.parent / "out.toml")
    assert scenario.apps[0].locustfile == broken / "load_ok.py"
    assert scenario.apps[0].health_path == "/"
    assert [s.label for s in scenario.servers] == ["gunicorn-gthread w2x3"]
    assert "# Given with --interface" in (broken.parent / "out.toml").read_text()


def test_questions_in_a_terminal(
    broken: Path, cli: CliRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    answers = iter(["plain:app", "", "", "/healthz", "/,/boom", str(tmp_path / "asked.toml")])
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(builtins, "input", fake_input)
    monkeypatch.setattr("sys.stdin", Tty())
    code, _, err = cli(["init", "--project", broken, "--variants", VARIANT])
    assert code == 0, err
    assert asked[0] == "App entry point (package.module:attribute) []: "
    assert asked[1] == "Requirements file(s) or pyproject.toml [none]: "
    assert asked[-1] == "Scenario file to write [scenario.toml]: "
    (app,) = load_scenario(tmp_path / "asked.toml").apps
    assert (app.wsgi, app.requirements, app.setup) == ("plain:app", [], [])
    assert 'self._send("GET", "/boom", "/boom")' in (tmp_path / "locustfile.py").read_text()


@pytest.mark.usefixtures("_available")
def test_setup_runs_before_the_app_is_probed(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    no_leftovers: Callable[[], None],
) -> None:
    """The Flask tutorial's flaskr: '/' needs the tables `flask --app flaskr init-db` creates."""
    project = copy_app("flaskr")
    scenario = tmp_path / "flaskr.toml"
    code, out, err = cli(
        [
            *("init", "--project", project, "--no-input", "--variants", VARIANT),
            *("--app", "flaskr:create_app()", "--setup", "flask --app flaskr init-db"),
            *("--paths", "/", "-o", scenario),
        ]
    )
    assert code == 0, err
    assert (project / "instance" / "flaskr.sqlite").is_file()
    (app,) = load_scenario(scenario).apps
    assert app.health_path == "/"
    assert app.setup == [["flask", "--app", "flaskr", "init-db"]]
    assert "GET / → 200" in out
    no_leftovers()


def test_a_failing_setup_command_shows_its_last_lines(broken: Path, cli: CliRun) -> None:
    code, _, err = init(
        cli, broken, "--app", "plain:app", "--paths", "/",
        "--setup", "python -c \"print('creating tables'); raise SystemExit('no table items')\"",
    )  # fmt: skip
    assert code == 2
    first, *rest = err.strip().splitlines()
    assert first.startswith("estimator: error: setup command ['python', '-c', ")
    assert "failed (exit code 1): no table items; log: " in first
    assert any("creating tables" in line for line in rest), err
    assert any("no table items" in line for line in rest), err
    assert not (broken.parent / "out.toml").exists()


def test_a_server_pin_that_cannot_work_is_one_line(broken: Path, cli: CliRun) -> None:
    (broken / "requirements.txt").write_text("gunicorn==20.1.0  # from an old Procfile\n")
    code, _, err = init(cli, broken, "--app", "plain:app", "--paths", "/")
    assert code == 2
    assert err.strip().splitlines() == [
        "estimator: error: app 'broken' pins gunicorn==20.1.0 (requirements.txt), but server "
        "kind gunicorn-sync needs gunicorn>=21: gunicorn before 21 imports pkg_resources, which "
        "environments without setuptools (uv's, Python 3.12+) do not have; change the pin or use "
        "another server kind"
    ]


def test_closed_stdin_means_no_questions(
    broken: Path, cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Started with stdin closed (a background job, CI), Python has no sys.stdin: init asks
    nothing and gives its one-line error, not an AttributeError."""
    monkeypatch.setattr("sys.stdin", None)
    out = broken.parent / "out.toml"
    code, _, err = cli(["init", "--project", broken, "--variants", VARIANT, "-o", out])
    assert code == 2
    assert err.startswith("estimator: error: could not find the app's entry point")
