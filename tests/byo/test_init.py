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
    assert "no health path answers 200 (/healthz → 404, /health → 404, / → 404)" in err
    assert "--health PATH" in err


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
    assert 'self._get("/boom", "/boom")' in (tmp_path / "locustfile.py").read_text()
