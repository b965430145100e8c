"""Untrusted text (a server label, a scenario name, an app's error message, a warning) in
every output: the terminal (rich markup), Markdown, the dashboard (Streamlit Markdown), CSV
and HTML show it as text. Nothing crashes (case 2: `rich.errors.MarkupError` stopped `run`
and `show`), nothing is executed, fetched or linked (case 9)."""

from __future__ import annotations

import csv
import io
from html import unescape
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from estimator.escape import (
    csv_cell,
    csv_comment,
    html_text,
    markdown_text,
    plain_text,
    rich_text,
    streamlit_text,
)
from estimator.store.runs import Store
from tests.fixtures import fixture_runs
from tests.reliability.cases import INPUT, Case, cases
from tests.reliability.helpers import cli

HOSTILE = {
    "markup-close": "[/bold] x",
    "markup-path": "config not found in [/etc/myapp]",
    "markup-tag": "[t] label",
    "markup-link": "[link=http://evil.example]click[/link]",
    "html-script": "<script>alert(1)</script>",
    "html-img": "<img src=x onerror=alert(1)>",
    "md-image": "![t](http://evil.example/beacon.png)",
    "md-link": "[click](http://evil.example)",
    "md-reference": "[x][1]\n\n[1]: http://evil.example",
    "md-autolink": "<http://evil.example>",
    "bare-url": "see http://evil.example/x",
    "www-name": "www.evil.example",
    "email": "ops@evil.example",
    "md-heading": "# Title",
    "md-list": "- item",
    "md-emphasis": "**bold** _it_ ~~gone~~",
    "md-table-pipe": "a | b",
    "md-code": "`code` and ```fence```",
    "latex": "$x^2$ and $$y$$",
    "st-colour": ":red[alert] :material/warning:",
    "newline": "line1\nline2\r\nline3",
    "ansi-escape": "\x1b[31mred\x1b]0;title\x07 \x1b[2J",
    "nul-and-bell": "a\x00b\x07c",
    "csv-formula": '=HYPERLINK("http://evil.example","x")',
    "csv-plus": "+cmd|' /C calc'!A0",
    "csv-minus": "-2+3+cmd|' /C calc'!A0",
    "csv-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "backslashes": "a\\[b]\\\\",
}

MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")
TAGS = ("<script", "<img", "<a ", "<a>", "<h1", "<em", "<strong", "<code", "<s>", "<ul", "<ol")


def _rendered_text(html: str) -> str:
    import re

    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def _visible(text: str) -> str:
    return " ".join(plain_text(text).split())


def _terminal(text: str) -> None:
    console = Console(record=True, width=400, color_system=None)
    console.print(f"[bold]run[/] {rich_text(text)} [dim]ok[/]")
    shown = console.export_text()
    assert _visible(text) in " ".join(shown.split())
    assert "\x1b" not in shown


def _markdown(text: str) -> None:
    for doc, inner in (
        (f"- {markdown_text(text)}", "li"),
        (f"| a |\n|---|\n| {markdown_text(text)} |", "td"),
    ):
        html = MD.render(doc)
        assert not [t for t in TAGS if t in html.replace("<ul>", "")], html
        assert f"<{inner}>" in html, html  # still one list item / one table cell
        content = html.split(f"<{inner}>", 1)[1].split(f"</{inner}>", 1)[0]
        assert _visible(text) == " ".join(_rendered_text(content).split()), html


def _streamlit(text: str) -> None:
    html = MD.render(streamlit_text(text))
    assert not [t for t in TAGS if t in html], html
    escaped = streamlit_text(text)
    for syntax in ("$", ":red[", "![", "]("):
        assert syntax not in escaped.replace("\\$", "").replace("\\[", "").replace("\\]", ""), (
            escaped
        )


def _csv(text: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(text), "x"])
    (row,) = list(csv.reader(io.StringIO(out.getvalue())))
    assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row[0].lstrip("'") == text
    comment = "# " + csv_comment(f"warning: {text}")
    assert "\n" not in comment
    assert not [c for c in comment.split(",")[1:] if c.lstrip().startswith(("=", "+", "-", "@"))]


def _html(text: str) -> None:
    out = html_text(text)
    assert "<" not in out
    assert ">" not in out
    assert unescape(out) == plain_text(text)


OUTPUTS = {
    "terminal": _terminal,
    "markdown": _markdown,
    "dashboard": _streamlit,
    "csv": _csv,
    "html": _html,
}
HELPER_CASES = [
    Case(
        f"{out}-{name}",
        f"{out}: {text!r}",
        "shown as text: no markup, tag, link or formula",
        (out, text),
    )
    for out in OUTPUTS
    for name, text in HOSTILE.items()
]


@cases(INPUT, "untrusted text, per output (escape helpers)", HELPER_CASES)
def test_each_output_shows_untrusted_text_as_text(case: Case) -> None:
    out, text = case.data
    OUTPUTS[out](text)


# --- end to end: a store holding hostile text, through every command --------------------
MARKUP_FAILURE = 'RuntimeError("config not found in [/etc/myapp]")'
LABEL = "<script>alert(1)</script> ![t](http://evil.example/beacon.png) [/bold]"


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    """The recorded runs, the flask configurations' server labels carrying HTML, an image and
    markup, a warning the same, and a failed run whose app error has markup."""
    path = tmp_path / "results.sqlite"
    runs = fixture_runs()
    with Store(path) as store:
        for i, recorded in enumerate(runs):
            run = recorded
            if run.cell.app.name == "flask":
                server = run.cell.server.model_copy(update={"extra_args": ["--name", LABEL]})
                cell = run.cell.model_copy(update={"server": server})
                run = run.model_copy(update={"cell": cell, "warnings": [*run.warnings, LABEL]})
            store.save(run)
            if i == 0:
                failed = run.model_copy(
                    update={"id": "failedrun001", "status": "failed", "failure": MARKUP_FAILURE}
                )
                store.save(failed)
    return path


E2E = [
    Case(
        "show-failure-markup",
        "`estimator show ID` of a run that failed with "
        '`RuntimeError("config not found in [/etc/myapp]")` (case 2)',
        "the message, as written",
        ["show", "failedrun001"],
    ),
    Case(
        "runs-label-markup",
        "`estimator runs` with a server label holding `[/bold]`",
        "the label, as written",
        ["runs"],
    ),
    Case(
        "estimate-label",
        "`estimator estimate` with that label (terminal tables)",
        "the label, as written",
        ["estimate", "--peak-rps", "100", "--region", "us-east-1"],
    ),
    Case(
        "compare-label",
        "`estimator compare` naming that configuration",
        "the label, as written",
        ["compare", "flask 3.11 gunicorn-sync", "flask 3.13 gunicorn-sync"],
    ),
]


@cases(INPUT, "untrusted text, end to end (terminal)", E2E)
def test_commands_show_hostile_text_literally(
    case: Case, hostile_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = cli(capsys, *case.data, "--results", hostile_store)
    assert rc == 0, err
    assert "Traceback" not in err
    text = " ".join(out.split())
    if case.id == "show-failure-markup":
        assert "config not found in [/etc/myapp]" in text
    elif case.id == "compare-label":
        assert "A = flask" in text
    else:
        assert "[/bold]" in text
        assert "<script>alert(1)</script>" in text


def test_dry_run_shows_a_scenario_name_with_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Case 2: `name = "[/bold] x"` crashed `--dry-run`."""
    (tmp_path / "load.py").write_text("")
    path = tmp_path / "s.toml"
    path.write_text('name = "[/bold] x [t]"\napps = ["flask"]\nvariants = ["cpython-3.11"]\n')
    rc, out, err = cli(capsys, "run", path, "--dry-run", "--results", tmp_path / "r.sqlite")
    assert rc == 0, err
    assert "scenario [/bold] x [t]:" in out


REPORTS = [
    Case(
        "report-md",
        "a server label with `<script>` and `![t](http://…)` in the Markdown report (case 9)",
        "no raw HTML, image or link",
        "md",
    ),
    Case("report-html", "the same label in the HTML report", "escaped, no tag", "html"),
    Case(
        "report-csv",
        "a configuration key starting with `=` in the CSV report",
        "a leading `'`",
        "csv",
    ),
]


@cases(INPUT, "untrusted text, end to end (reports)", REPORTS)
def test_reports_show_hostile_labels_as_text(
    case: Case,
    hostile_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    out_file = tmp_path / f"report.{case.data}"
    argv = ["report", "--results", hostile_store, "--peak-rps", "100", "--region", "us-east-1"]
    rc, _, err = cli(capsys, *argv, "-o", out_file)
    assert rc == 0, err
    text = out_file.read_text()
    if case.data == "md":
        html = MD.render(text)
        assert "<script" not in html
        assert "<img" not in html
        assert "evil.example" not in "".join(a for a in html.split('href="')[1:] if a), (
            "no link to the data's address"
        )
        assert "alert(1)" in _rendered_text(html)  # shown, as text
    elif case.data == "html":
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    else:
        rows = list(csv.reader(io.StringIO(text)))
        cells = [c for r in rows if r and not r[0].startswith("#") for c in r]
        assert not [c for c in cells if c.startswith(("=", "@")) or c.startswith("+c")]


class _Failing:
    """A measurement whose app failed with markup in its error (case 2), then succeeds."""

    def __init__(self) -> None:
        from tests.test_sweep import FakeMeasure

        self.inner = FakeMeasure()

    def __call__(self, cell: object, variant: object, **kw: object) -> object:
        result = self.inner(cell, variant, **kw)  # type: ignore[arg-type]
        if len(self.inner.calls) == 1:
            return result.model_copy(update={"status": "failed", "failure": MARKUP_FAILURE})
        return result


def test_a_failing_app_with_markup_in_its_error_does_not_stop_the_sweep(tmp_path: Path) -> None:
    """Case 2: `MarkupError` from the progress line stopped `estimator run`; the remaining
    cells never ran."""
    from estimator.cli._progress import RichObserver
    from estimator.sweep import plan_sweep, run_sweep
    from tests.test_sweep import INTERPRETERS, scenario

    console = Console(record=True, width=300, color_system=None)
    observer = RichObserver(console)
    fake = _Failing()
    with Store(tmp_path / "r.sqlite") as store:
        plan = plan_sweep(scenario(tmp_path, repetitions=1), store, interpreters=INTERPRETERS)
        try:
            report = run_sweep(plan, store, observer=observer, measure_cell=fake)  # type: ignore[arg-type]
        finally:
            observer.stop()
        assert len(report.ran) == len(plan.cells) == 6
        assert [r.status for r in store.rows()].count("failed") == 1
    assert "config not found in [/etc/myapp]" in console.export_text()


@pytest.mark.integration
def test_the_dashboard_shows_hostile_text_as_text(hostile_store: Path, tmp_path: Path) -> None:
    """Case 9: a label's `![t](http://…)` was rendered as an image (the browser fetched it)."""
    import os

    from streamlit.testing.v1 import AppTest

    from estimator.paths import DASHBOARD_APP

    env = {"ESTIMATOR_RESULTS": str(hostile_store), "ESTIMATOR_CACHE_DIR": str(tmp_path / "c")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    seen = 0
    try:
        at = AppTest.from_file(str(DASHBOARD_APP), default_timeout=120).run()
        for page in (None, "compare", "run_detail"):
            if page is not None:
                at.switch_page(f"app_pages/{page}.py").run()
            assert not at.exception, [e.value for e in at.exception]
            shown = [
                str(e.value)
                for kind in ("markdown", "caption", "error", "warning", "info")
                for e in getattr(at, kind)
            ]
            seen += sum("evil.example" in s for s in shown)
            rendered = "\n".join(MD.render(s) for s in shown)
            assert "<img" not in rendered
            assert "<script" not in rendered
            assert 'href="http://evil.example' not in rendered
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert seen, "the hostile label is shown (as text)"
