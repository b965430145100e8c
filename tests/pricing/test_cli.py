"""`estimator pricing list|refresh` through `estimator.cli.main`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.cli import main
from estimator.pricing import refresh as refresh_module
from tests.pricing.aws_responses import price_item, products_params, stubbed
from tests.pricing.test_refresh import _queue_specs


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["pricing", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_region_family_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "list", "--region", "eu-west-1", "--family", "c7g")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    header = next(line for line in lines if "$/hour" in line)
    for col in ("type", "vCPU", "cores", "GiB", "$/month", "$/vCPU-month", "$/GiB-month"):
        assert col in header
    large = next(line for line in lines if "c7g.large " in line).split()
    # c7g.large eu-west-1: $0.0775/h x 730 = $56.575 -> 56.58; /2 vCPU 28.29; /4 GiB 14.14
    for cell in ("eu-west-1", "arm64", "aws", "0.0775", "56.58", "28.29", "14.14"):
        assert cell in large
    assert sum(1 for line in lines if "c7g." in line) == 5
    assert not any("c6g." in line for line in lines)
    assert "Prices: AWS list prices (USD), embedded snapshot 2026-07-20" in out
    assert "eu-west-1 on-demand: embedded (undated)" in out
    assert "Missing" not in out


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "list", "--region", "us-east-1", "--arch", "arm64", "--max-price", "0.01", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["snapshot_date"] == "2026-07-20"
    assert data["filters"] == {
        "region": "us-east-1",
        "arch": "arm64",
        "max_price": "0.01",
        "purchase": "on-demand",
    }
    names = [r["instance"]["name"] for r in data["rows"]]
    assert names == ["t4g.nano", "t4g.micro"]
    nano = data["rows"][0]
    assert nano["instance"]["usd_per_hour"] == "0.0042"  # exact, as a string
    assert Decimal(nano["usd_per_month"]) == Decimal("0.0042") * 730
    assert data["missing"] == []
    assert data["hours_per_month"] == "730"


def test_list_reports_missing_prices_not_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "list", "--region", "ap-southeast-1", "--family", "c7a")
    assert code == 0
    assert "No priced instance type matches (region=ap-southeast-1, family=c7a" in out
    assert "Missing: 5 prices missing (left out, not counted as zero): ap-southeast-1" in out
    assert "c7a.{medium,large,xlarge,2xlarge,4xlarge}" in out
    assert "0.00" not in out


def test_list_spot_without_refresh_says_how(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "list", "--region", "eu-west-1", "--purchase", "spot")
    assert code == 0
    assert "run `estimator pricing refresh --region eu-west-1 --spot`" in out


def test_list_several_families(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(
        capsys, "list", "--region", "us-east-1", "--family", "c7g,m7g", "--family", "r7g"
    )
    rows = [line.split()[1] for line in out.splitlines() if line.startswith("│ ")]
    assert len(rows) == 15
    assert {r.split(".")[0] for r in rows} == {"c7g", "m7g", "r7g"}


def test_list_burstable_marked(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "list", "--region", "us-east-1", "--family", "t3")
    assert "t3.nano*" in out
    assert "* burstable (T family): base price only" in out


def test_list_with_overrides_shows_them(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("instance_type,region,usd_per_hour\nc7g.large,eu-west-1,0.05\n")
    code, out, _ = _run(
        capsys,
        "list",
        "--region",
        "eu-west-1",
        "--family",
        "c7g",
        "--discount",
        "10",
        "--prices",
        str(prices),
    )
    assert code == 0
    assert "0.05 (list 0.0775)" in out
    assert "0.1395 (list 0.155)" in out  # xlarge: 10% off
    assert "Note: negotiated discount 10% applied to every list price" in out
    assert f"Note: custom price file {prices} line 2: c7g.large eu-west-1 on-demand" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["list", "--region", "mars-1"], "unknown region 'mars-1'"),
        (["list", "--family", "zz9"], "unknown instance family 'zz9'"),
        (["list", "--arch", "mips"], "unknown architecture 'mips'"),
        (["list", "--max-price", "lots"], "max price = 'lots'"),
        (["list", "--purchase", "reserved"], "unknown purchase option 'reserved'"),
        (["list", "--discount", "120"], "give a percentage from 0, below 100"),
        (["list", "--prices", "/nonexistent.csv"], "custom price file /nonexistent.csv"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("estimator: error: ")
    assert needle in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_refresh_without_credentials(capsys: pytest.CaptureFixture[str], user_dir: Path) -> None:
    code, out, err = _run(capsys, "refresh", "--region", "eu-west-1")
    assert (code, out) == (2, "")
    assert err == (
        "estimator: error: could not refresh eu-west-1 prices: no usable AWS credentials (set "
        "AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure`); "
        "the embedded price snapshot of 2026-07-20 stays in use\n"
    )
    assert not user_dir.exists()


def test_refresh_then_list(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, user_dir: Path
) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        ps.add_response(
            "get_products",
            {"PriceList": [price_item("c7g.large", "0.0780000000")]},
            products_params(),
        )

        def fake_clients(region: str, session: Any = None) -> refresh_module.AwsClients:
            assert region == "eu-west-1"
            return clients

        monkeypatch.setattr(refresh_module, "make_clients", fake_clients)
        monkeypatch.setattr(
            refresh_module, "datetime", _FixedDatetime, raising=True
        )  # the fetch time printed
        code, out, err = _run(capsys, "refresh", "--region", "eu-west-1")
    assert code == 0
    assert err == (  # progress while paging (stderr: stdout holds the result alone)
        "eu-west-1: instance types: page 1 (3 types so far)\n"
        "eu-west-1: instance types: page 2 (5 types so far)\n"
        "eu-west-1: on-demand prices: page 1 (1 items so far)\n"
    )
    assert "Fetched eu-west-1 prices at 2026-11-27 14:30 UTC:" in out
    assert f"1 prices -> {user_dir / 'ec2-eu-west-1-on-demand.json'}" in out
    assert "no on-demand price from AWS for 4: c7g.xlarge, m6i.large, m7a.large, t3.nano" in out

    code, out, _ = _run(capsys, "list", "--region", "eu-west-1", "--family", "c7g")
    assert code == 0
    assert "0.078 " in out
    assert "eu-west-1 on-demand: refreshed (2026-11-27)" in out
    assert "Missing: 4 prices missing" in out
    assert "not returned by AWS when refreshed" in out

    code, out, _ = _run(
        capsys, "list", "--region", "eu-west-1", "--family", "c7g", "--no-user-catalog"
    )
    assert "0.0775" in out
    assert "Missing" not in out


class _FixedDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _FixedDatetime:
        return cls(2026, 11, 27, 14, 30, tzinfo=tz or UTC)


def test_pricing_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys)
    assert code == 2
    assert "list" in out
    assert "refresh" in out
