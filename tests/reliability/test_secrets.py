"""Secrets (case 9): an app's `env` values are stored and shown as `***` unless the name is
harmless (`estimator.redact.HARMLESS_ENV`) or the app marks it `public_env`; they never reach
the store, `show --json`, `runs --json`, reports, `server.json` or the environment marker;
what the app prints is scrubbed from its log; run directories are owner-only; the locustfile
and setup commands get a minimal environment plus the names the app lists in `pass_env`."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from estimator.interpreters.venvbuild import _run
from estimator.load import load_generator
from estimator.redact import HARMLESS_ENV, REDACTED, child_env, redact_env, seal
from estimator.scenario import AppSpec, ServerConfig
from estimator.serve import Placement, serve
from estimator.store.runs import Store
from tests.fixtures import fixture_runs
from tests.reliability.cases import INPUT, Case, cases
from tests.reliability.helpers import cli
from tests.serve.conftest import APPS_DIR

SECRETS = {
    "SECRET_TOKEN": "tok-4f9a1c2e8b7d",
    "DATABASE_URL": "postgres://u:hunter2pass@db.internal:5432/shop",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "API_KEY": "sk_live_51H8xyzSECRET",
    "REDIS_PASSWORD": "correct horse battery staple",
    "SENTRY_DSN": "https://abc123secret@o1.ingest.sentry.io/1",
}
SHOWN = {"DJANGO_SETTINGS_MODULE": "shop.settings", "FEATURE_FLAGS": "beta,dark-mode"}
PEAK = ["--peak-rps", "100", "--region", "us-east-1"]


def _secret_run() -> object:
    run = fixture_runs()[0]
    env = {**SECRETS, **SHOWN}
    app = run.cell.app.model_copy(update={"env": env, "public_env": ["FEATURE_FLAGS"]})
    cell = run.cell.model_copy(update={"app": app})
    assert run.launch is not None
    launch = run.launch.model_copy(update={"env": {**run.launch.env, **env}})
    failure = f"boom: could not connect to {SECRETS['DATABASE_URL']}"
    return run.model_copy(
        update={
            "cell": cell,
            "launch": launch,
            "log_tail": [f"token={SECRETS['SECRET_TOKEN']}"],
            "warnings": [f"retrying with key {SECRETS['API_KEY']}"],
            "failure": failure,
        }
    )


@pytest.fixture
def secret_store(tmp_path: Path) -> Path:
    path = tmp_path / "results.sqlite"
    with Store(path) as store:
        for run in fixture_runs()[1:]:
            store.save(run)
        store.save(_secret_run())  # type: ignore[arg-type]
    return path


WHERE = [
    Case(
        "store-file",
        "app env secrets (token, password URL, AWS key, DSN) in the store file",
        "no value in the SQLite file, its WAL or journal",
        "file",
    ),
    Case(
        "show-json",
        "the same, `estimator show ID --json` (case 9: printed in plain text)",
        "`***` for each secret; harmless and public values shown",
        "show",
    ),
    Case("runs-json", "the same, `estimator runs --json`", "no value", "runs"),
    Case("report-md", "the same, the Markdown report", "no value", "md"),
    Case("report-json", "the same, the JSON report", "no value", "json"),
    Case("report-csv", "the same, the CSV report", "no value", "csv"),
    Case("report-html", "the same, the HTML report", "no value", "html"),
]


@cases(INPUT, "secrets in an app's env", WHERE)
def test_secrets_never_leave_the_run(
    case: Case,
    secret_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    run_id = fixture_runs()[0].id
    if case.data == "file":
        with sqlite3.connect(secret_store) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        blob = b"".join(p.read_bytes() for p in tmp_path.glob("results.sqlite*"))
        text = blob.decode("latin-1")
    elif case.data == "show":
        rc, text, err = cli(capsys, "show", run_id, "--json", "--results", secret_store)
        assert rc == 0, err
        shown = json.loads(text)
        assert shown["cell"]["app"]["env"]["SECRET_TOKEN"] == REDACTED
        assert shown["cell"]["app"]["env"]["DJANGO_SETTINGS_MODULE"] == "shop.settings"
        assert shown["cell"]["app"]["env"]["FEATURE_FLAGS"] == "beta,dark-mode"
        assert shown["launch"]["env"]["DATABASE_URL"] == REDACTED
        assert REDACTED in shown["failure"]
    elif case.data == "runs":
        rc, text, err = cli(capsys, "runs", "--json", "--results", secret_store)
        assert rc == 0, err
    else:
        out = tmp_path / f"r.{case.data}"
        rc, _, err = cli(capsys, "report", "--results", secret_store, *PEAK, "-o", out)
        assert rc == 0, err
        text = out.read_text()
    for value in SECRETS.values():
        assert value not in text
        assert "hunter2pass" not in text


def test_redaction_keeps_harmless_and_public_names() -> None:
    env = {**SECRETS, **SHOWN, "PYTHON_JIT": "1"}
    shown = redact_env(env, ["FEATURE_FLAGS"])
    assert {k for k, v in shown.items() if v != REDACTED} == {
        "DJANGO_SETTINGS_MODULE",
        "FEATURE_FLAGS",
        "PYTHON_JIT",
    }
    assert not {k for k in SECRETS if k in HARMLESS_ENV}


def test_child_env_is_minimal_and_passes_named_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    assert not set(SECRETS) & set(child_env())
    assert child_env(["API_KEY"])["API_KEY"] == SECRETS["API_KEY"]


def test_setup_commands_get_a_minimal_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 9: setup commands got nearly all of estimator's environment."""
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    env = {**child_env(["API_KEY"]), "APP_VAR": "x"}
    log_path = tmp_path / "setup.log"
    with log_path.open("w") as log:
        code = _run(["env"], log, tmp_path, 30, env, minimal=True)
    assert code == 0
    lines = log_path.read_text().splitlines()[1:]
    seen = dict(line.split("=", 1) for line in lines if "=" in line)
    assert "AWS_SECRET_ACCESS_KEY" not in seen
    assert "SECRET_TOKEN" not in seen
    assert seen["API_KEY"] == SECRETS["API_KEY"]
    assert seen["APP_VAR"] == "x"


@pytest.mark.integration
def test_the_locustfile_gets_a_minimal_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Case 9: the locustfile saw AWS_SECRET_ACCESS_KEY (it ran with estimator's environment)."""
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    seen = tmp_path / "seen.json"
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text(
        "import json, os\n"
        "from locust import HttpUser, task\n"
        f"json.dump(dict(os.environ), open({str(seen)!r}, 'w'))\n"
        "class U(HttpUser):\n"
        "    @task\n"
        "    def t(self):\n"
        "        self.client.get('/')\n"
    )
    cpu = sorted(os.sched_getaffinity(0))[0]
    run_dir = tmp_path / "run"
    with load_generator(
        locustfile, "http://127.0.0.1:9", cpus=[cpu], run_dir=run_dir, pass_env=["API_KEY"]
    ) as gen:
        assert gen.user_classes == ["U"]
    env = json.loads(seen.read_text())
    assert not {k for k in SECRETS if k != "API_KEY"} & set(env)
    assert env["API_KEY"] == SECRETS["API_KEY"]


@pytest.mark.integration
def test_server_json_and_log_hold_no_secret_and_the_run_dir_is_private(
    python: Path, pinned: Placement, run_dir: Path, tmp_path: Path
) -> None:
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "loud.py").write_text(
        "import os, sys\n"
        "print('connecting to', os.environ['DATABASE_URL'], file=sys.stderr, flush=True)\n"
        "from fixture_wsgi import app\n"
    )
    (app_dir / "fixture_wsgi.py").write_text((APPS_DIR / "fixture_wsgi.py").read_text())
    app = AppSpec(name="loud", directory=app_dir, wsgi="loud:app", env=dict(SECRETS))
    with serve(python, app, ServerConfig(kind="gunicorn-sync"), run_dir=run_dir, placement=pinned):
        pass
    recorded = (run_dir / "server.json").read_text()
    assert json.loads(recorded)["env"]["DATABASE_URL"] == REDACTED
    log = (run_dir / "server.log").read_text()
    assert "connecting to ***" in log
    for value in SECRETS.values():
        assert value not in recorded
        assert value not in log
    assert stat.S_IMODE(run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((run_dir / "server.json").stat().st_mode) == 0o600


def test_seal_makes_a_run_directory_owner_only(tmp_path: Path) -> None:
    d = tmp_path / "run"
    (d / "worker-facts").mkdir(parents=True)
    (d / "server.log").write_text("x")
    (d / "worker-facts" / "1.json").write_text("{}")
    os.chmod(d, 0o755)
    seal(d)
    modes = {p.relative_to(d).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in d.rglob("*")}
    assert modes == {"server.log": 0o600, "worker-facts": 0o700, "worker-facts/1.json": 0o600}
    assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_the_environment_marker_holds_no_setup_secret() -> None:
    from estimator.interpreters.environment import Environment, RequirementSet
    from estimator.interpreters.provision import _recorded

    req = RequirementSet(setup_env={"DATABASE_URL": SECRETS["DATABASE_URL"], "DEBUG": "1"})
    env = Environment.model_construct(requirements=req)  # type: ignore[call-arg]
    assert _recorded(env).requirements.setup_env == {"DATABASE_URL": REDACTED, "DEBUG": "1"}


def test_no_secret_in_the_subprocess_running_show(secret_store: Path) -> None:
    """The whole CLI, as a user runs it."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "estimator",
            "show",
            fixture_runs()[0].id,
            "--json",
            "--results",
            str(secret_store),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert not [v for v in SECRETS.values() if v in out.stdout + out.stderr]
