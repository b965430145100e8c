"""End to end through the CLI: the recorded runs of a tiny sweep (a results store) →
`estimator estimate` → every report format written and read back, the same numbers in each;
`estimator diff` exit codes."""

from __future__ import annotations

import json
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from estimator.cli import main
from estimator.display import headline_text, usd
from estimator.money import cents
from estimator.report import load_report
from estimator.report.csv import read_rows
from estimator.store.runs import Store
from tests.fixtures import fixture_runs, fixture_store
from tests.report.reports import markdown_plain

ARGS = ["--peak-rps", "300", "--profile", "business-hours", "--region", "us-east-1"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))  # no user catalog
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    return fixture_store(tmp_path / "results.sqlite")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_estimate_prints_the_ranked_table_headline_and_sources(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, err = run(capsys, "estimate", "--results", str(store), *ARGS)
    assert rc == 0, err
    assert "flask: ranked by autoscaled $/month" in out
    assert "fastapi: cheapest is" in out
    assert "vs the baseline flask | cpython-3.11 | gunicorn-sync w1" in out
    assert "prices: AWS list prices (USD), embedded snapshot 2026-07-20" in out
    host = fixture_runs()[0].host  # the machine that recorded the fixtures
    assert f"measured on: {host.cpu_model}, {host.logical_cpus} CPUs" in out
    assert "scenarios: fixture" in out


def test_every_format_written_read_back_and_consistent(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {}
    for fmt in ("json", "csv", "md", "html"):
        path = tmp_path / f"cost.{fmt}"
        rc, out, err = run(capsys, "report", "--results", str(store), *ARGS, "-o", str(path))
        assert rc == 0, err
        assert out.strip() == f"wrote the {fmt} report to {path}"
        files[fmt] = path
    report = load_report(files["json"])
    assert report.generated_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert report.request.profile == "business-hours"
    assert report.results == str(store)
    priced = [c for c in report.configurations if c.best is not None]
    assert len(priced) == 8
    rows = {r["configuration"]: r for r in read_rows(files["csv"].read_text())}
    md = markdown_plain(files["md"].read_text())
    html = unescape(files["html"].read_text())
    for c in priced:
        assert c.best is not None
        assert Decimal(rows[c.key]["monthly_usd"]) == cents(c.best.monthly_usd)
        shown = usd(c.best.monthly_usd)
        assert shown in md
        assert shown in html
    for h in report.headlines:  # the same words in every format
        text = headline_text(h, report)
        assert text in md
        assert text in html


def test_report_to_stdout_and_estimate_json_agree(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, "report", "--results", str(store), *ARGS, "--format", "json")
    assert rc == 0
    rc, out2, _ = run(capsys, "estimate", "--results", str(store), *ARGS, "--json")
    assert rc == 0
    assert json.loads(out) == json.loads(out2)


def test_options_reach_the_report(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.json"
    rc, _, err = run(
        capsys, "report", "--results", str(store), "--traffic", str(_traffic(tmp_path)),
        "--region", "us-east-1", "--fleet", "fixed", "--arch", "graviton", "--family", "m7g,c7g",
        "--max-price", "0.2", "--assume", "redundancy=2", "--baseline", "3.13 sync",
        "--no-serverless", "--discount", "10", "-o", str(path),
    )  # fmt: skip
    assert rc == 0, err
    r = load_report(path)
    assert r.request.fleet == "fixed"
    assert r.request.arch == "arm64"
    assert r.request.families == ["m7g", "c7g"]
    assert r.assumptions.redundancy == 2
    assert r.request.profile is None
    assert r.traffic.peak_rps == 240
    assert {c.best.family for c in r.configurations if c.best} <= {"m7g", "c7g"}
    assert all(c.fargate is None and c.aws_lambda is None for c in r.configurations)
    assert any("discount 10%" in n for n in r.pricing.notes)
    assert {c.baseline_key for c in r.configurations} == {
        "flask | cpython-3.13 | gunicorn-sync w1",
        "fastapi | cpython-3.13 | gunicorn-sync w1",
    }


def _traffic(tmp_path: Path) -> Path:
    path = tmp_path / "traffic.json"
    path.write_text(json.dumps([120] * 12 + [240] * 12))
    return path


def test_an_empty_store_says_how_to_get_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESTIMATOR_CACHE_DIR", str(tmp_path / "cache"))
    empty = tmp_path / "empty.sqlite"
    Store(empty).close()
    rc, out, err = run(capsys, "estimate", "--results", str(empty), *ARGS)
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "no successful runs in" in err
    assert "`estimator run quick`" in err
    rc, _, err = run(capsys, "estimate", "--results", str(tmp_path / "none.sqlite"), *ARGS)
    assert rc == 2
    assert "does not exist; run `estimator run quick`" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--assume", "smt_yeild=0.3"], "assumption 'smt_yeild' is unknown"),
        (["--baseline", "pypy"], "no measured configuration matches 'pypy'"),
        (["--family", "z9"], "unknown instance family 'z9'"),
        (["--purchase", "reserved"], "unknown purchase option 'reserved'"),
        (["--discount", "120"], "discount (%) = '120': give a percentage from 0, below 100"),
    ],
)
def test_bad_options_are_one_line_errors(
    store: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    rc, out, err = run(capsys, "estimate", "--results", str(store), *ARGS, *extra)
    assert rc == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_profile_with_a_traffic_file_is_refused(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(
        capsys, "estimate", "--results", str(store), "--traffic", str(_traffic(tmp_path)),
        "--profile", "diurnal", "--region", "us-east-1",
    )  # fmt: skip
    assert rc == 2
    assert "--profile shapes --peak-rps" in err


def test_spot_without_spot_prices_says_how_to_fetch_them(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(capsys, "estimate", "--results", str(store), *ARGS, "--purchase", "spot")
    assert rc == 2
    assert "estimator pricing refresh --region us-east-1 --spot" in err


def _report(store: Path, path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> Path:
    rc, _, err = run(capsys, "report", "--results", str(store), *ARGS, *extra, "-o", str(path))
    assert rc == 0, err
    return path


def test_diff_exit_codes(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _report(store, tmp_path / "base.json", capsys)
    same = _report(store, tmp_path / "same.json", capsys)
    dearer = _report(store, tmp_path / "dearer.json", capsys, "--assume", "redundancy=3")

    rc, out, _ = run(capsys, "diff", str(base), str(same), "--fail-above", "0")
    assert rc == 0
    assert "no cost increase over +0%" in out

    rc, out, _ = run(capsys, "diff", str(base), str(dearer), "--fail-above", "5%")
    assert rc == 1
    assert "over the +5% threshold" in out
    assert "input changed: assume: [] → ['redundancy=3']" in out

    rc, out, _ = run(capsys, "diff", str(base), str(dearer))
    assert rc == 0
    assert "no --fail-above threshold" in out

    rc, out, _ = run(capsys, "diff", str(base), str(dearer), "--fail-above", "10000", "--json")
    assert rc == 0
    data = json.loads(out)
    assert {r["status"] for r in data["rows"]} == {"changed"}
    assert all(Decimal(r["change_usd"]) > 0 for r in data["rows"])


def test_diff_unreadable_or_invalid_files_exit_2(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _report(store, tmp_path / "good.json", capsys)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    future = tmp_path / "future.json"
    future.write_text(json.dumps({**json.loads(good.read_text()), "schema_version": 99}))
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({**json.loads(good.read_text()), "configurations": 3}))
    cases = {
        tmp_path / "missing.json": "No such file",
        broken: "not JSON",
        other: "not an estimator JSON report",
        future: "schema_version = 99, this estimator reads 2",
        invalid: "configurations",
    }
    for path, message in cases.items():
        rc, out, err = run(capsys, "diff", str(good), str(path))
        assert rc == 2, path
        assert out == ""
        assert message in err
        assert err.count("\n") == 1
    rc, _, err = run(capsys, "diff", str(good), str(good), "--fail-above", "lots")
    assert rc == 2
    assert "--fail-above (%) = 'lots'" in err
