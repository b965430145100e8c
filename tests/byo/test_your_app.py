"""Apps built like the public tutorial apps new users try, taken as they are: from
`estimator init --no-input` (no --health, no --paths, requirements untouched) through
`preflight`, `run` and `estimate`, all through the public CLI.

- flaskr (the Flask tutorial): an app factory, pyproject.toml, and `/` that needs the tables
  its `flask --app flaskr init-db` creates;
- a Django catalog written for a PaaS: migrations, `/` answering 301 to the book list,
  `gunicorn==22.0.0` pinned in requirements.txt (the run must use that gunicorn);
- heroes (the SQLModel tutorial's FastAPI app): list, detail and create endpoints on a
  database that is empty until something is created.

Every task init generates must get 2xx in the preflight. One interpreter variant and a tiny
load plan: these tests check the path from a project directory to a priced estimate, not
the numbers."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.interpreters import discover, plan_variants
from tests.byo.conftest import CliRun, tiny_load
from tests.promised import PROJECT_CPYTHON, missing_variant, require_uv

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def variant() -> str:
    """The CPython the project runs on (setup promises it)."""
    if not plan_variants([PROJECT_CPYTHON], discover()).resolved:
        missing_variant(PROJECT_CPYTHON)
    require_uv()
    return PROJECT_CPYTHON


def generated_tasks(locustfile: Path) -> list[str]:
    """The request names of the @task methods of a generated locustfile."""
    out = []
    for node in ast.walk(ast.parse(locustfile.read_text())):
        if isinstance(node, ast.FunctionDef) and node.decorator_list:
            call = next(
                n
                for n in ast.walk(node)
                if isinstance(n, ast.Call)
                and n.args
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "_send"
            )
            method, _, name = (str(a.value) for a in call.args[:3] if isinstance(a, ast.Constant))
            out.append(f"{method} {name}")
    return sorted(out)


def init_to_estimate(
    cli: CliRun, project: Path, tmp_path: Path, variant: str, *init: object
) -> tuple[str, dict[str, list[str]], str]:
    """init → preflight → run → estimate; (init's output, each task's status classes in the
    preflight, `estimator show` of the stored run)."""
    conf = tmp_path / "conf"
    conf.mkdir()
    scenario = conf / "scenario.toml"
    code, init_out, err = cli(
        ["init", "--project", project, "--no-input", "--variants", variant, "-o", scenario, *init]
    )
    assert code == 0, err
    tasks = generated_tasks(conf / "locustfile.py")
    assert tasks

    code, out, err = cli(["preflight", scenario, "--json"])
    assert code == 0, out + err
    (result,) = json.loads(out)["results"]
    mix = {f"{t['method']} {t['name']}": sorted(t["statuses"]) for t in result["tasks"]}
    assert sorted(mix) == tasks, "every generated task ran in the preflight"
    assert all(kinds == ["2xx"] for kinds in mix.values()), mix

    tiny_load(scenario)
    results = tmp_path / "results.sqlite"
    code, out, err = cli(["run", scenario, "--results", results])
    assert code == 0, out + err
    assert "✗" not in out, out
    code, out, err = cli(["runs", "--results", results, "--json"])
    assert code == 0, err
    (run,) = json.loads(out)
    assert run["status"] == "ok", run["failure"]
    code, shown, err = cli(["show", run["id"], "--results", results])
    assert code == 0, err

    code, out, err = cli(
        ["estimate", "--results", results, "--peak-rps", "50", "--region", "us-east-1"]
    )
    assert code == 0, err
    assert run["app"] in out
    return init_out, mix, shown


def test_flask_tutorial_app_with_its_init_db_command(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variant: str,
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("flaskr")
    out, mix, _ = init_to_estimate(
        cli, project, tmp_path, variant,
        "--app", "flaskr:create_app()", "--setup", "flask --app flaskr init-db",
    )  # fmt: skip
    assert "✓ GET / → 200" in out
    assert "from the app's routes (Flask url_map)" in out
    assert {"GET /", "GET /hello", "GET /auth/login", "GET /create"} <= set(mix)
    assert "GET /{id}/update (TODO)" in out  # no id to be found: written, not sent
    no_leftovers()


def test_django_project_with_a_redirecting_root_and_a_pinned_gunicorn(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variant: str,
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("django_catalog")
    requirements = (project / "requirements.txt").read_text()
    out, mix, shown = init_to_estimate(
        cli, project, tmp_path, variant, "--setup", "python manage.py migrate --noinput"
    )
    assert "Django's WSGI handler" in out
    assert "✓ GET / → 301 → /books/ → 200: health path /books/" in out
    assert sorted(mix) == [
        "GET /",
        "GET /books/",
        "GET /books/api/",
        "GET /books/api/{pk}/",
        "GET /books/{pk}/",
    ]  # not the admin
    assert "server packages: gunicorn 22.0.0" in shown  # the app's pin, stored with the run
    assert (project / "requirements.txt").read_text() == requirements
    no_leftovers()


def test_fastapi_sqlmodel_app_with_list_detail_and_create(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variant: str,
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("fastapi_heroes")
    out, mix, _ = init_to_estimate(cli, project, tmp_path, variant)
    assert "a FastAPI application" in out
    assert "from the app's OpenAPI document (/openapi.json)" in out
    assert sorted(mix) == ["GET /", "GET /heroes/", "GET /heroes/{hero_id}", "POST /heroes/"]
    locustfile = (tmp_path / "conf" / "locustfile.py").read_text()
    assert "@task(1)\n    def post_heroes(self)" in locustfile  # a write: low weight
    assert "'id' of a record GET /heroes/ lists" in locustfile
    no_leftovers()
