"""Bring your own app, end to end through the CLI: `init` → `run` → `estimate` → `report`
for three fixture apps that live outside the repository's sample apps (copied to a temporary
directory, as a user's project would be elsewhere):

- a Flask app with its own requirements file, two interpreter variants;
- a FastAPI app with only a pyproject.toml and no locustfile: the starter locustfile is
  generated from its OpenAPI document, fetched from the app started under the preflight's
  server;
- a Django project whose database needs migrations (a setup command, run once per
  environment, seeing the app's environment variables).

Each app runs in environments built from its own requirements: they don't contain estimator
or locust, and estimator's environment does not contain the apps' dependencies. Load plans
are tiny and the SLO generous: these tests check the pipeline, not the numbers."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from estimator import procs
from estimator.interpreters import discover, plan_variants
from estimator.measure import RunResult
from estimator.scenario.loader import load_scenario
from estimator.store.runs import Store
from tests.byo.conftest import CliRun
from tests.promised import is_promised_variant, missing_variant, require_uv

pytestmark = pytest.mark.integration

TINY_LOAD = {
    "warmup_min_s": "1.0",
    "warmup_max_s": "3.0",
    "steady_duration_s": "1.0",
    "search_max_steps": "2",
    "step_duration_s": "1.0",
    "p95_ms": "5000.0",
    # the trend check marks a configuration "not warmed up" (not ranked) when its CPU per
    # request falls by more than this over the rounds: on a busy CI machine a tiny run's
    # noise can, and ranking is not what is tested here
    "cost_ci_target": "0.5",
}
LEAKS = ("estimator", "locust")


@pytest.fixture(scope="module")
def variants() -> list[str]:
    wanted = ["cpython-3.11", "cpython-3.13"]
    found = [v.name for v in plan_variants(wanted, discover()).resolved]
    if not found:
        promised = [w for w in wanted if is_promised_variant(w)]
        missing_variant(promised[0] if promised else wanted[0], f"none of {wanted} is installed")
    require_uv()
    return found


def shrink(scenario: Path) -> None:
    """The scenario init wrote, with a tiny load plan and a generous SLO (a busy CI machine
    must not fail the capacity search: the numbers are not what is tested here)."""
    text = scenario.read_text()
    for key, value in TINY_LOAD.items():
        text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        assert n == 1, key
    scenario.write_text(text)


def run_through(cli: CliRun, scenario: Path, tmp_path: Path) -> list[RunResult]:
    """`run`, `estimate` and `report` on the scenario; the stored results."""
    results = tmp_path / "results.sqlite"
    code, out, err = cli(["run", scenario, "--results", results])
    assert code == 0, out + err
    assert "✗" not in out, out
    with Store(results) as store:
        runs = store.results(status=None)
    assert runs
    assert all(r.status == "ok" for r in runs), [r.failure for r in runs]

    code, out, err = cli(
        ["estimate", "--results", results, "--peak-rps", "50", "--region", "us-east-1", "--json"]
    )
    assert code == 0, err
    estimate = json.loads(out)
    keys = {c["key"] for c in estimate["configurations"]} | {e["key"] for e in estimate["excluded"]}
    assert keys == {r.config_key for r in runs}
    unranked = {c["key"]: c["not_ranked_reason"] for c in estimate["configurations"]}
    assert estimate["headlines"], (estimate["excluded"], unranked)

    report = tmp_path / "report.md"
    code, out, err = cli(
        [
            *("report", "--results", results, "--peak-rps", "50", "--region", "us-east-1"),
            *("--format", "md", "-o", report),
        ]
    )
    assert code == 0, err
    assert runs[0].cell.app.name in report.read_text()
    return runs


def assert_isolated(runs: list[RunResult], own: str, *, estimator_has_it: bool = False) -> None:
    """The app's environments have its dependency `own` and none of estimator's; estimator's
    environment (this process) doesn't have `own` (unless it needs it itself: Django is a dev
    dependency, for the sample apps' in-process tests) and never imported the app."""
    for run in runs:
        assert own in run.packages, run.packages
        assert not set(LEAKS) & set(run.packages), run.packages
        assert run.launch is not None
        python = Path(run.launch.argv[0])
        code = (
            "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) for m in sys.argv[1:]))"
        )
        with procs.running([python, "-I", "-c", code, *LEAKS], cwd=Path("/")) as proc:
            assert proc.wait(timeout=60) == 0, f"{python} can import estimator or locust"
    if not estimator_has_it:
        with pytest.raises(metadata.PackageNotFoundError):
            metadata.version(own)
        assert importlib.util.find_spec(own) is None
    app_modules = {"shopflask", "notes_api", "inventory", "stock"}
    assert not app_modules & set(sys.modules), "estimator imported the app itself"


def test_flask_app_with_its_own_requirements(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variants: list[str],
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("flask_shop")
    conf = tmp_path / "conf"
    conf.mkdir()
    scenario = conf / "shop.toml"
    code, out, err = cli(
        [
            *("init", "--project", project, "--no-input", "--variants", ",".join(variants)),
            *("--paths", "/,/api/items:3,/api/items/3", "-o", scenario),
        ]
    )
    assert code == 0, err
    assert "a Flask application (flask.app.Flask) → WSGI" in out
    loaded = load_scenario(scenario)
    (app,) = loaded.apps
    assert (app.name, app.wsgi, app.asgi) == ("flask_shop", "shopflask.app:app", None)
    assert app.directory == project
    assert app.requirements == [Path("requirements.txt")]
    assert app.health_path == "/healthz"
    assert app.locustfile == conf / "locustfile.py"
    assert loaded.variants == variants
    assert "@task(3)\n    def get_api_items(self)" in (conf / "locustfile.py").read_text()

    code, _, err = cli(["init", "--project", project, "--no-input", "-o", scenario])
    assert code == 2
    assert "already exists; pass --force" in err

    shrink(scenario)
    runs = run_through(cli, scenario, tmp_path)
    assert sorted(r.cell.variant for r in runs) == sorted(variants)
    assert {r.cell.app.directory for r in runs} == {project}
    assert_isolated(runs, "humanize")
    no_leftovers()


def test_fastapi_app_from_pyproject_with_an_openapi_locustfile(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variants: list[str],
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("fastapi_notes")
    scenario = tmp_path / "notes.toml"
    code, out, err = cli(
        ["init", "--project", project, "--no-input", "--variants", variants[-1], "-o", scenario]
    )
    assert code == 0, err
    assert "a FastAPI application (fastapi.applications.FastAPI) → ASGI" in out
    assert "from the app's OpenAPI document (/openapi.json)" in out
    no_leftovers()  # the server started to fetch the document is gone
    (app,) = load_scenario(scenario).apps
    assert (app.asgi, app.wsgi) == ("notes_api.main:app", None)
    assert app.requirements == [Path("pyproject.toml")]
    locustfile = (tmp_path / "locustfile.py").read_text()
    assert 'self._send("GET", "/notes", "/notes")' in locustfile
    assert 'self._send("GET", "/notes/1", "/notes/{note_id}")' in locustfile  # one it lists
    assert "# {note_id} = 1: 'id' of a record GET /notes lists" in locustfile
    assert "# TODO: required query parameter(s) q have no example; fix it" in locustfile
    assert 'self._send("POST", "/notes", "/notes", {"text": "example text {unique}"})' in locustfile
    assert "- GET /healthz: a health check (not traffic)" in locustfile
    assert 'kind = "uvicorn"' in scenario.read_text()

    shrink(scenario)
    runs = run_through(cli, scenario, tmp_path)
    assert [r.cell.server.kind for r in runs] == ["uvicorn"]
    names = {e.name for p in runs[0].phases for e in p.load.endpoints}
    assert names == {"/notes", "/notes/{note_id}"}
    assert_isolated(runs, "inflection")
    no_leftovers()


def test_django_project_with_migrations(
    copy_app: Callable[[str], Path],
    cli: CliRun,
    tmp_path: Path,
    variants: list[str],
    no_leftovers: Callable[[], None],
) -> None:
    project = copy_app("django_inventory")
    database = tmp_path / "data" / "inventory.sqlite3"
    database.parent.mkdir()
    scenario = tmp_path / "inventory.toml"
    code, out, err = cli(
        [
            *("init", "--project", project, "--no-input", "--variants", variants[0]),
            *("--django-settings", "inventory.settings", "--env", f"INVENTORY_DB={database}"),
            *("--setup", "python manage.py migrate --noinput", "--health", "/healthz"),
            *("--locustfile", project / "loadtest.py", "-o", scenario),
        ]
    )
    assert code == 0, err
    assert "Django's WSGI handler" in out
    text = scenario.read_text()
    assert '# asgi = "inventory.asgi:application"' in text  # offered, commented out
    (app,) = load_scenario(scenario).apps
    assert app.setup == [["python", "manage.py", "migrate", "--noinput"]]
    assert app.env == {
        "DJANGO_SETTINGS_MODULE": "inventory.settings",
        "INVENTORY_DB": str(database),
    }
    assert database.is_file()  # init ran the setup (in the runs' environment) before probing

    shrink(scenario)
    runs = run_through(cli, scenario, tmp_path)
    assert database.is_file()  # the migrations used the app's INVENTORY_DB
    assert not (project / "db.sqlite3").exists()
    rows = subprocess.run(
        [sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(database)!r})"
         ".execute('select count(*) from stock_item').fetchone()[0])"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert rows.strip() == "200"  # seeded by the data migration
    failures = sum(p.load.failures for r in runs for p in r.phases)
    assert failures == 0  # /items/ reads the migrated table
    assert_isolated(runs, "django", estimator_has_it=True)
    no_leftovers()
