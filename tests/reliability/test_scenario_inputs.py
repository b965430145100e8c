"""Bad scenario files: `estimator run FILE --dry-run` exits 2 with one line naming the key
and the fix; nothing is measured, no traceback, the results store is not touched."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.reliability.cases import INPUT, Case, cases
from tests.reliability.helpers import assert_one_line_error, cli

TOP = {"name": '"s"'}
APP = {
    "name": '"shop"',
    "directory": '"src"',
    "wsgi": '"shop.wsgi:app"',
    "locustfile": '"load.py"',
}


def _lines(table: Mapping[str, str | None]) -> str:
    return "".join(f"{k} = {v}\n" for k, v in table.items() if v is not None)


def _top(key: str, value: str, expect: str, cid: str | None = None) -> Case:
    apps: dict[str, str] | None = None if key == "apps" else {}
    return Case(cid or f"{key}={value}", f"`{key} = {value}`", expect, ({key: value}, apps, ""))


def _app(key: str, value: str, expect: str, cid: str | None = None) -> Case:
    return Case(
        cid or f"apps.{key}={value}", f"app `{key} = {value}`", expect, ({}, {key: value}, "")
    )


def _table(table: str, key: str, value: str, expect: str, cid: str | None = None) -> Case:
    return Case(
        cid or f"{table}.{key}={value}",
        f"`[{table}] {key} = {value}`",
        expect,
        ({}, {}, f"[{table}]\n{key} = {value}\n"),
    )


def _server(body: str, expect: str, cid: str) -> Case:
    what = f"`[[servers]] {' '.join(body.split())}`"
    return Case(cid, what, expect, ({}, {}, f"[[servers]]\n{body}\n"))


FINITE = "Input should be a finite number"
POSITIVE = "Input should be greater than 0"
NON_NEGATIVE = "Input should be greater than or equal to 0"
DAY = "Input should be less than or equal to 86400"

LOAD_FLOATS = [
    "warmup_min_s",
    "warmup_max_s",
    "warmup_window_s",
    "warmup_tolerance",
    "service_probe_s",
    "steady_duration_s",
    "search_start_fraction",
    "search_step_factor",
    "step_duration_s",
]

SCENARIO_CASES: list[Case] = [
    # case 1 of the issue: inf/nan were stored as null and made the store unreadable
    *[_table("load", k, v, FINITE) for k in LOAD_FLOATS for v in ("inf", "nan")],
    _table("load", "warmup_max_s", "-inf", FINITE),
    _table("slo", "p95_ms", "inf", FINITE),
    _table("slo", "p95_ms", "nan", FINITE),
    _table("slo", "p95_ms", "-inf", FINITE),
    _table("slo", "max_error_rate", "nan", FINITE),
    _table("cpu", "quota_cpus", "inf", FINITE),
    _table("cpu", "quota_cpus", "nan", FINITE),
    _table("load", "steady_rates", "[inf]", FINITE),
    _table("load", "steady_rates", "[nan]", FINITE),
    _table("load", "steady_fractions", "[nan]", FINITE),
    # case 8: accepted, then failed later
    _table("load", "steady_rates", "[-5]", "rates must be above 0"),
    _table("load", "steady_rates", "[0]", "rates must be above 0"),
    _table("load", "steady_rates", "[1e300]", "at most 1e+07 req/s"),
    _table("load", "steady_duration_s", "1e300", DAY),
    _table("load", "warmup_max_s", "1e9", DAY),
    _table("load", "step_duration_s", "100000", DAY),
    _table("load", "service_probe_s", "1e12", DAY),
    _table("load", "warmup_min_s", "-1", NON_NEGATIVE),
    _table("load", "steady_duration_s", "0", POSITIVE),
    _table("load", "steady_duration_s", "-3", POSITIVE),
    _table("load", "warmup_tolerance", "1", "Input should be less than 1"),
    _table("load", "search_step_factor", "1", "Input should be greater than 1"),
    _table("load", "search_step_factor", "10", "Input should be less than or equal to 4"),
    _table("load", "search_max_steps", "0", "Input should be greater than or equal to 1"),
    _table("load", "search_max_steps", "1000", "Input should be less than or equal to 50"),
    _table("load", "users", "0", "Input should be greater than or equal to 1"),
    _table("load", "users", "10000000", "Input should be less than or equal to 100000"),
    _table("load", "users", "1.5", "Input should be a valid integer"),
    _table("load", "steady_fractions", "[0]", "fractions must be between 0 and 1"),
    _table("load", "steady_fractions", "[1.5]", "fractions must be between 0 and 1"),
    _table("load", "steady_fractions", '"half"', "Input should be a valid list"),
    _table("load", "warmup_min_s", "40", "warmup_min_s = 40.0 exceeds warmup_max_s = 30.0"),
    _table("load", "speed", "2", "unknown key 'load.speed'"),
    _table("slo", "p95_ms", "0", POSITIVE),
    _table("slo", "p95_ms", "-5", POSITIVE),
    _table("slo", "p95_ms", "1e300", "Input should be less than or equal to 86400000"),
    _table("slo", "p95_ms", '"fast"', "Input should be a valid number"),
    _table("slo", "max_error_rate", "2", "Input should be less than or equal to 1"),
    _table("slo", "max_error_rate", "-0.1", NON_NEGATIVE),
    _table("slo", "p99_ms", "5", "unknown key 'slo.p99_ms'"),
    _table("cpu", "server_cpus", "[-1]", "CPU numbers count from 0"),
    _table("cpu", "server_cpus", "[]", "List should have at least 1 item"),
    _table("cpu", "generator_cpus", "[99999]", "CPU numbers count from 0"),
    _table("cpu", "quota_cpus", "0", POSITIVE),
    _table("cpu", "quota_cpus", "1e9", "Input should be less than or equal to 4096"),
    _table("cpu", "memory_limit_mb", "-1", POSITIVE),
    _table("cpu", "memory_limit_mb", "1e30", "exceeded maximum size"),
    Case(
        "cpus-overlap",
        "`[cpu] server_cpus = [0]`, `generator_cpus = [0]`",
        "are in both server_cpus and generator_cpus",
        ({}, {}, "[cpu]\nserver_cpus = [0]\ngenerator_cpus = [0]\n"),
    ),
    # top level
    _top("repetitions", "0", "Input should be greater than or equal to 1"),
    _top("repetitions", "1000", "Input should be less than or equal to 50"),
    _top("repetitions", "2.5", "Input should be a valid integer", "repetitions-fraction"),
    _top("repetitions", "inf", FINITE),
    _top("variants", '"cpython-3.13"', "Input should be a valid list"),
    _top("name", '""', "String should have at least 1 character"),
    _top("name", '"a\\nb"', "contains a control character", "name-newline"),
    _top("name", '"x\\u001b[31m"', "contains a control character", "name-escape-sequence"),
    _top(
        "name", '"' + "n" * 300 + '"', "String should have at most 200 characters", "name-300-chars"
    ),
    _top("colour", '"red"', "unknown key 'colour'"),
    _top("apps", "[]", "List should have at least 1 item", "apps-empty"),
    _top("apps", '["rails"]', "apps[0] = 'rails' is not a sample app", "apps-unknown-sample"),
    _top("apps", "[3]", "Input should be a valid dictionary", "apps-number"),
    _top("servers", "[]", "List should have at least 1 item", "servers-empty"),
    Case(
        "scenario-locustfile-missing",
        'scenario `locustfile = "missing.py"`, the app without its own',
        "locustfile",
        ({"locustfile": '"missing.py"'}, {"locustfile": None}, ""),
    ),
    Case(
        "no-locustfile-anywhere",
        "neither the app nor the scenario names a locustfile",
        "has no locustfile and the scenario sets none",
        ({}, {"locustfile": None}, ""),
    ),
    # apps
    _app("name", '"My App"', "use lowercase letters"),
    _app("name", '"a/b"', "use lowercase letters"),
    _app("name", '"' + "a" * 65 + '"', "at most 64", "name-65-chars"),
    _app("name", '"[/bold]"', "use lowercase letters", "name-markup"),
    _app("wsgi", '"app"', "expected 'package.module:attribute'"),
    _app("wsgi", '"a:b; rm -rf /"', "expected 'package.module:attribute'", "wsgi-shell"),
    _app("asgi", '"x:y()z"', "expected 'package.module:attribute'"),
    _app("health_path", '"healthz"', "a URL path starting with '/'"),
    _app("health_path", '"/a b"', "a URL path starting with '/'"),
    _app(
        "health_path",
        '"/a\\nHost: evil"',
        "a URL path starting with '/'",
        "health-header-injection",
    ),
    _app("env", '{ "A=B" = "1" }', "no '=', spaces or control characters"),
    _app("env", '{ "" = "1" }', "no '=', spaces or control characters", "env-empty-name"),
    _app("env", '{ A = "x\\u0000y" }', "contains a NUL character", "env-nul-value"),
    _app("env", "{ A = 1 }", "Input should be a valid string", "env-number-value"),
    _app(
        "env",
        '{ GUNICORN_CMD_ARGS = "--daemon" }',
        "the server would read it as options",
        "env-gunicorn-cmd-args",
    ),
    _app(
        "env",
        '{ UVICORN_HOST = "0.0.0.0" }',
        "the server would read it as options",
        "env-uvicorn-host",
    ),
    _app(
        "env",
        '{ UVICORN_RELOAD = "1" }',
        "the server would read it as options",
        "env-uvicorn-reload",
    ),
    _app(
        "env",
        '{ GRANIAN_HOST = "0.0.0.0" }',
        "the server would read it as options",
        "env-granian-host",
    ),
    _app(
        "env",
        '{ gunicorn_cmd_args = "-D" }',
        "the server would read it as options",
        "env-lowercase-gunicorn",
    ),
    _app("public_env", '["A B"]', "give variable names", "public-env-space"),
    _app("pass_env", '["X=1"]', "give variable names", "pass-env-assignment"),
    _app("pass_env", '"AWS"', "Input should be a valid list", "pass-env-string"),
    _app(
        "setup", "[[]]", "a setup command is an argv list with a program first", "setup-empty-argv"
    ),
    _app(
        "setup",
        '[[""]]',
        "a setup command is an argv list with a program first",
        "setup-empty-program",
    ),
    _app(
        "setup",
        '["python manage.py migrate"]',
        "Input should be a valid list",
        "setup-string-not-argv",
    ),
    _app("setup", '[["python", "a\\u0000b"]]', "contains a NUL character", "setup-nul"),
    _app("packages", '["-e ."]', "not an installer option", "packages-option"),
    _app(
        "packages", '["--index-url=http://evil"]', "not an installer option", "packages-index-url"
    ),
    _app("packages", '["flask\\n-e ."]', "contains a control character", "packages-newline"),
    _app("packages", '[""]', "give a requirement specifier", "packages-empty"),
    _app(
        "requirements", '"requirements.txt"', "Input should be a valid list", "requirements-string"
    ),
    _app("directory", '"src\\u0000x"', "contains a NUL character", "directory-nul"),
    _app("locustfile", '"load\\u0000.py"', "contains a NUL character", "locustfile-nul"),
    _app("requirements", '["r\\u0000.txt"]', "contains a NUL character", "requirements-nul"),
    _app("port", "8000", "unknown key 'apps[0].port'", "app-unknown-key"),
    _app("directory", '"nowhere"', "directory", "app-missing-directory"),
    _app("directory", '"load.py"', "directory", "app-directory-is-a-file"),
    _app("locustfile", '"nope.py"', "locustfile", "app-missing-locustfile"),
    _app("locustfile", '"src"', "locustfile", "app-locustfile-is-a-directory"),
    # servers
    _server('kind = "gunicorn-eventlet"', "Input should be 'gunicorn-sync'", "server-kind-unknown"),
    _server(
        'kind = "gunicorn-sync"\nworkers = 0',
        "Input should be greater than or equal to 1",
        "server-workers-0",
    ),
    _server(
        'kind = "gunicorn-sync"\nworkers = 100000',
        "Input should be less than or equal to 256",
        "server-workers-huge",
    ),
    _server(
        'kind = "gunicorn-sync"\nthreads = 4',
        "only applies to kind 'gunicorn-gthread'",
        "server-threads-sync",
    ),
    _server(
        'kind = "gunicorn-gthread"\nthreads = 0',
        "Input should be greater than or equal to 1",
        "server-threads-0",
    ),
    _server(
        'kind = "uvicorn"',
        "needs an asgi entry point but no app has one",
        "server-uvicorn-wsgi-app",
    ),
    _server(
        'kind = "uvicorn"\npreload = true',
        "preload applies to gunicorn kinds only",
        "server-uvicorn-preload",
    ),
    _server(
        'kind = "gunicorn-sync"\nextra_args = ["--timeout\\n60"]',
        "contains a control character",
        "server-extra-newline",
    ),
    _server(
        'kind = "gunicorn-sync"\nextra_args = "--timeout 60"',
        "Input should be a valid list",
        "server-extra-string",
    ),
    Case(
        "servers-duplicate",
        "the same `[[servers]]` twice",
        "server configs must differ",
        ({}, {}, '[[servers]]\nkind = "gunicorn-sync"\n[[servers]]\nkind = "gunicorn-sync"\n'),
    ),
    Case(
        "apps-duplicate-name",
        "two apps named `shop`",
        "app names must be unique",
        ({}, {}, "[[apps]]\n" + _lines(APP)),
    ),
]


def _write(tmp_path: Path, case: Case) -> Path:
    top, app, tables = case.data
    (tmp_path / "src").mkdir()
    (tmp_path / "load.py").write_text("from locust import HttpUser\n")
    apps = "" if app is None else "[[apps]]\n" + _lines(APP | app)
    text = _lines(TOP | top) + apps + tables
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


@cases(INPUT, "scenario file", SCENARIO_CASES)
def test_bad_scenario_is_one_line_and_touches_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, case)
    results = tmp_path / "results.sqlite"
    result = cli(capsys, "run", path, "--dry-run", "--results", results)
    assert_one_line_error(result, case.expect)
    assert str(path) in result[2], "the error names the file"
    assert not results.exists()


RAW_FILES = [
    Case(
        "not-utf8",
        "a scenario saved as Latin-1 (`é` = 0xE9)",
        "not UTF-8 text",
        b'name = "caf\xe9"\n',
    ),
    Case("utf16", "a scenario saved as UTF-16", "not UTF-8 text", 'name = "x"\n'.encode("utf-16")),
    Case("binary", "a binary file named .toml", "", bytes(range(256))),
    Case("invalid-toml", "`apps = [`", "invalid TOML", b"apps = [\n"),
    Case("deep-nesting", "100 000 nested arrays", "", b"a = " + b"[" * 100_000 + b"]" * 100_000),
    Case("empty-file", "an empty file", "missing required key 'apps'", b""),
    Case(
        "only-comment", "a file with only a comment", "missing required key 'apps'", b"# nothing\n"
    ),
    Case("bom", "a UTF-8 file with a byte-order mark", "", b'\xef\xbb\xbfname = "x"\n'),
    Case("directory", "a directory named s.toml", "not found", None),
    Case("missing", "a path that does not exist", "not found", "missing"),
]


@cases(INPUT, "scenario file (bytes)", RAW_FILES)
def test_unreadable_scenario_file_is_one_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.toml"
    if case.data is None:
        path.mkdir()
    elif isinstance(case.data, bytes):
        path.write_bytes(case.data)
    result = cli(capsys, "run", path, "--dry-run", "--results", tmp_path / "r.sqlite")
    assert_one_line_error(result, case.expect)
