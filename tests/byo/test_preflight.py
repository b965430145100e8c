"""Preflight failures, each through `estimator preflight` with a real environment, server
and load generator: the step, a one-line message naming the variant and the cause (server
failures with the log's last lines), exit code 1, and no process left behind. Then a sweep
in which one app fails its preflight: its cells are stored failed, the other app is measured."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from estimator.interpreters import discover, plan_variants
from estimator.store.runs import Store
from tests.byo.conftest import CliRun
from tests.promised import missing_variant, require_uv

pytestmark = pytest.mark.integration
VARIANT = "cpython-3.11"
QUICK_LOAD = """
[load]
warmup_min_s = 1.0
warmup_max_s = 3.0
steady_duration_s = 1.0
search_max_steps = 1
step_duration_s = 1.0

[slo]
p95_ms = 5000.0
"""


@pytest.fixture(scope="module")
def variant_available() -> None:
    if not plan_variants([VARIANT], discover()).resolved:
        missing_variant(VARIANT)
    require_uv()


@pytest.fixture
def broken(copy_app: Callable[[str], Path], variant_available: None) -> Path:
    """The stdlib fixture apps and locustfiles, with the syntax error made a .py file."""
    project = copy_app("broken")
    (project / "load_syntax.txt").rename(project / "load_syntax.py")
    return project


def scenario(project: Path, *apps: str, extra: str = "") -> Path:
    path = project / "scenario.toml"
    path.write_text(f'variants = ["{VARIANT}"]\n' + "".join(apps) + extra)
    return path


def app(name: str, entry: str, **fields: str) -> str:
    lines = [f'name = "{name}"', 'directory = "."', f'wsgi = "{entry}"']
    lines += [f"{k} = {v}" for k, v in fields.items()]
    return "[[apps]]\n" + "\n".join(lines) + "\n\n"


CASES = {
    "missing module": (
        {"entry": "missing_dep:app"},
        "import",
        "the app does not import: 'missing_dep:app': ModuleNotFoundError: No module named "
        "'estimator_fixture_not_installed' (missing_dep.py line 5); add the package that provides "
        "'estimator_fixture_not_installed' to the app's requirements",
    ),
    "import error": (
        {"entry": "import_error:app"},
        "import",
        "the app does not import: 'import_error:app': ImportError: cannot import name 'loadz' "
        "from 'json'",
    ),
    "failing setup command": (
        {"setup": '[["python", "-c", "import sys; sys.exit(\'seeding failed: no table items\')"]]'},
        "setup",
        "a setup command failed: ['python', '-c', \"import sys; sys.exit('seeding failed: no "
        "table items')\"] (exit code 1): seeding failed: no table items; log: ",
    ),
    "locustfile syntax error": (
        {"locustfile": '"load_syntax.py"'},
        "locustfile",
        "load_syntax.py: line 6: SyntaxError: expected ':'; fix the locustfile",
    ),
    "health path 404": (
        {"health_path": '"/nothere"'},
        "health",
        "the health path does not answer 2xx: GET /nothere answers 404 (checked in the app's own "
        "process); set health_path to a path that answers 2xx",
    ),
    "health path redirects": (
        {"health_path": '"/old"'},
        "health",
        "the health path does not answer 2xx: GET /old answers 301 → /healthz → 200 (checked in "
        "the app's own process); set health_path to a path that answers 2xx, e.g. '/healthz'",
    ),
    "a rare task only ever fails": (
        {"locustfile": '"load_mixed.py"', "slo": "0.9"},
        "requests",
        "the first requests failed: GET /nothere ",
    ),
    "first requests fail": (
        {"locustfile": '"load_boom.py"'},
        "requests",
        "the first requests failed: ",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_preflight_failure(
    case: str, broken: Path, cli: CliRun, no_leftovers: Callable[[], None]
) -> None:
    fields, step, expected = dict(CASES[case][0]), CASES[case][1], CASES[case][2]
    entry = fields.pop("entry", "plain:app")
    slo = fields.pop("slo", None)  # a generous error rate: a task must still not fail always
    fields.setdefault("locustfile", '"load_ok.py"')
    extra = f"[slo]\nmax_error_rate = {slo}\n" if slo else ""
    path = scenario(broken, app("shop", entry, **fields), extra=extra)

    code, out, err = cli(["preflight", path, "--json"])
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["missing"] == []
    (result,) = report["results"]
    assert result["step"] == step
    assert result["message"].startswith(f"{VARIANT} × app 'shop' (gunicorn-sync w1): ")
    assert expected in result["message"]
    assert "\n" not in result["message"]
    if step == "requests":
        assert result["log_tail"], "the server log's last lines are kept"
    if case == "a rare task only ever fails":
        assert "×4xx: it only ever got 4xx/5xx or no answer: " in result["message"]
        mix = {t["name"]: t["statuses"] for t in result["tasks"]}
        assert set(mix) == {"/", "/nothere"}
        assert set(mix["/"]) == {"2xx"}
        assert set(mix["/nothere"]) == {"4xx"}
    no_leftovers()


def test_human_output_shows_the_log_lines(broken: Path, cli: CliRun) -> None:
    # an allowed option with a value gunicorn rejects: the server starts and exits at once
    bad = '[[servers]]\nkind = "gunicorn-sync"\nextra_args = ["--timeout", "abc"]\n'
    path = scenario(broken, app("shop", "plain:app", locustfile='"load_ok.py"'), extra=bad)
    code, out, _ = cli(["preflight", path])
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        f"✗ preflight {VARIANT} × app 'shop' (gunicorn-sync w1 --timeout abc): the server did "
        "not start: server 'gunicorn-sync w1 --timeout abc' for app 'shop' exited (exit code "
    )
    shown = [line for line in lines if line.startswith("    | ")]  # the server log's last lines
    assert any("invalid int value: 'abc'" in line for line in shown)
    assert lines[-1] == "0 passed, 1 failed"


def test_missing_variants_are_failures(broken: Path, cli: CliRun) -> None:
    path = scenario(broken, app("shop", "plain:app", locustfile='"load_ok.py"'))
    code, out, _ = cli(["preflight", path, "--variants", "cpython-3.99", "--json"])
    assert code == 1
    report = json.loads(out)
    assert report["results"] == []
    (missing,) = report["missing"]
    assert missing["name"] == "cpython-3.99"
    assert "cpython-3.99" in missing["message"]


def test_sweep_stores_a_failed_preflight_and_measures_the_rest(
    broken: Path, cli: CliRun, tmp_path: Path, no_leftovers: Callable[[], None]
) -> None:
    path = scenario(
        broken,
        app("good", "plain:app", locustfile='"load_ok.py"'),
        app("bad", "missing_dep:app", locustfile='"load_ok.py"'),
        extra=QUICK_LOAD,
    )
    results = tmp_path / "results.sqlite"
    code, out, _ = cli(["run", path, "--results", results])
    assert code == 1, out  # a failed cell is a failure of the command (the others are kept)
    assert "1 of 2 cells failed" in out
    assert f"✓ preflight {VARIANT} × app 'good'" in out
    assert f"✗ preflight {VARIANT} × app 'bad'" in out
    with Store(results) as store:
        rows = {r.app: r for r in store.rows()}
    assert rows["good"].status == "ok"
    assert rows["bad"].status == "failed"
    assert rows["bad"].failure is not None
    assert rows["bad"].failure.startswith(f"preflight failed: {VARIANT} × app 'bad'")
    assert "No module named 'estimator_fixture_not_installed'" in rows["bad"].failure
    no_leftovers()


def test_setup_commands_run_in_the_apps_environment(
    broken: Path, cli: CliRun, no_leftovers: Callable[[], None]
) -> None:
    """They see the app's variables (not those naming {run_dir}) and the environment's bin
    first on PATH, so a console script such as gunicorn (or alembic) is the app's."""
    check = (
        "import os, shutil, sys; gunicorn = shutil.which('gunicorn') or ''; "
        "ok = os.environ.get('SHOP_MODE') == 'bench' and 'SHOP_DB' not in os.environ "
        "and gunicorn.startswith(os.environ['VIRTUAL_ENV']); "
        "sys.exit(0 if ok else f'wrong environment: {gunicorn}')"
    )
    env = '\n[apps.env]\nSHOP_MODE = "bench"\nSHOP_DB = "{run_dir}/shop.db"\n'
    setup = f"[{json.dumps(['python', '-c', check])}]"
    path = scenario(broken, app("shop", "plain:app", locustfile='"load_ok.py"', setup=setup) + env)
    code, out, _ = cli(["preflight", path])
    assert code == 0, out
    no_leftovers()
