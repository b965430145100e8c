"""Bad command lines: argparse's usage line and one error line, exit 2, for every command;
nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.cases import INPUT, Case, cases
from tests.reliability.helpers import assert_one_line_error, cli


def _a(cid: str, argv: list[str], expect: str) -> Case:
    return Case(cid, "`estimator " + " ".join(argv) + "`", expect, argv)


ARGS = [
    _a("unknown-command", ["measure"], "invalid choice: 'measure'"),
    _a("unknown-option", ["--verbose"], "unrecognized arguments: --verbose"),
    _a("run-no-scenario", ["run"], "the following arguments are required: scenario"),
    _a("run-unknown-option", ["run", "quick", "--fast"], "unrecognized arguments: --fast"),
    _a("run-preflight-choice", ["run", "quick", "--preflight", "sometimes"], "invalid choice"),
    _a("run-unknown-scenario", ["run", "weekly"], "neither a file nor a shipped scenario"),
    _a("run-missing-toml", ["run", "nowhere.toml"], "scenario file 'nowhere.toml' not found"),
    _a("runs-status-choice", ["runs", "--status", "broken"], "invalid choice: 'broken'"),
    _a("show-no-id", ["show"], "the following arguments are required: RUN"),
    _a("compare-one-side", ["compare", "flask"], "the following arguments are required: b"),
    _a(
        "estimate-no-traffic",
        ["estimate", "--region", "us-east-1"],
        "one of the arguments --traffic --peak-rps is required",
    ),
    _a(
        "estimate-both-traffic",
        ["estimate", "--region", "us-east-1", "--peak-rps", "1", "--traffic", "t.json"],
        "not allowed with argument",
    ),
    _a(
        "estimate-no-region",
        ["estimate", "--peak-rps", "10"],
        "the following arguments are required: --region",
    ),
    _a(
        "estimate-peak-word",
        ["estimate", "--region", "us-east-1", "--peak-rps", "ten"],
        "invalid float value: 'ten'",
    ),
    _a(
        "report-format-choice",
        ["report", "--region", "us-east-1", "--peak-rps", "1", "--format", "pdf"],
        "invalid choice: 'pdf'",
    ),
    _a("diff-one-file", ["diff", "a.json"], "the following arguments are required: HEAD.json"),
    _a(
        "preflight-timeout-negative",
        ["preflight", "quick", "--ready-timeout", "-5"],
        "give seconds above 0",
    ),
    _a(
        "preflight-timeout-zero",
        ["preflight", "quick", "--ready-timeout", "0"],
        "give seconds above 0",
    ),
    _a(
        "preflight-timeout-huge",
        ["preflight", "quick", "--ready-timeout", "1e300"],
        "at most 86400",
    ),
    _a(
        "preflight-timeout-nan",
        ["preflight", "quick", "--ready-timeout", "nan"],
        "give seconds above 0",
    ),
    _a(
        "preflight-timeout-word",
        ["preflight", "quick", "--ready-timeout", "soon"],
        "is not a number of seconds",
    ),
    _a(
        "init-setup-unclosed-quote",
        ["init", "--no-input", "--setup", "python -c 'x"],
        "a quote is not closed",
    ),
    _a("init-setup-empty", ["init", "--no-input", "--setup", ""], "give a command"),
    _a(
        "init-env-no-equals",
        ["init", "--no-input", "--app", "a:b", "--env", "DEBUG"],
        "use KEY=VALUE",
    ),
    _a(
        "init-server-spec",
        ["init", "--no-input", "--app", "a:b", "--server", "gunicorn:x"],
        "use KIND[:WORKERS[xTHREADS]]",
    ),
    _a("init-interface-choice", ["init", "--interface", "cgi"], "invalid choice: 'cgi'"),
    _a(
        "init-paths-and-locustfile",
        ["init", "--paths", "/", "--locustfile", "l.py"],
        "not allowed with argument",
    ),
    _a("pricing-unknown-sub", ["pricing", "fetch"], "invalid choice"),
    _a("dashboard-unknown-option", ["dashboard", "--public"], "unrecognized arguments: --public"),
]


@cases(INPUT, "command line", ARGS)
def test_bad_command_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(cli(capsys, *case.data), case.expect)
