"""Overrides applied visibly: a negotiated discount and a custom price file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from estimator.errors import ConfigError
from estimator.pricing import load_catalog
from estimator.pricing.overrides import parse_discount, read_custom_prices


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text(text)
    return path


def test_discount_applies_to_every_list_price_exactly() -> None:
    base = load_catalog()
    cut = load_catalog(discount_pct="12")
    it = cut.get("c7g.large", "eu-west-1")
    assert it.usd_per_hour == Decimal("0.0775") * Decimal("0.88") == Decimal("0.0682")
    assert it.list_usd_per_hour == Decimal("0.0775")
    for a, b in zip(base.instances, cut.instances, strict=True):
        assert b.usd_per_hour == a.usd_per_hour * Decimal("0.88")
    lam = cut.lambda_price("us-east-1", "x86_64")
    far = cut.fargate_price("us-east-1", "arm64")
    assert lam is not None
    assert far is not None
    assert lam.usd_per_gb_second == Decimal("0.0000166667") * Decimal("0.88")
    assert lam.usd_per_million_requests == Decimal("0.176")
    assert far.usd_per_vcpu_hour == Decimal("0.03238") * Decimal("0.88")
    assert cut.notes == [
        "negotiated discount 12% applied to every list price (EC2 on-demand and spot, Lambda, "
        "Fargate)"
    ]


@pytest.mark.parametrize("value", ["100", "-5", "abc", "150%"])
def test_bad_discount(value: str) -> None:
    with pytest.raises(ConfigError, match="discount"):
        parse_discount(value)


def test_discount_forms() -> None:
    assert parse_discount("12.5%") == Decimal("12.5")
    assert parse_discount(Decimal(0)) == 0
    assert load_catalog(discount_pct="0").notes == []


def test_custom_prices_replace_and_fill_gaps(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "instance_type,region,usd_per_hour,purchase\n"
        "c7g.large,eu-west-1,0.06,\n"
        "c7a.large,ap-southeast-1,0.12,on-demand\n"
        "m7g.large,eu-west-1,0.03,spot\n"
        "t4g.small,us-east-2,0.0168,\n",
    )
    cat = load_catalog(custom_prices=path)
    replaced = cat.get("c7g.large", "eu-west-1")
    assert replaced.usd_per_hour == Decimal("0.06")
    assert replaced.list_usd_per_hour == Decimal("0.0775")
    assert replaced.source == f"custom price file {path} line 2"
    filled = cat.get("c7a.large", "ap-southeast-1")  # a gap of the snapshot, specs copied
    assert (filled.vcpu, filled.physical_cores, filled.list_usd_per_hour) == (2, 2, None)
    spot = cat.get("m7g.large", "eu-west-1", "spot")
    assert spot.purchase == "spot"
    assert spot.usd_per_hour == Decimal("0.03")
    assert "us-east-2" in cat.regions
    assert cat.source_for("us-east-2") is not None
    assert cat.source_for("us-east-2").kind == "custom"  # type: ignore[union-attr]
    assert len(cat.notes) == 5
    assert cat.notes[0] == (
        f"custom price file {path} line 2: c7g.large eu-west-1 on-demand $0.0775 -> $0.06/hour"
    )
    assert "(not in the catalog)" in cat.notes[1]
    assert cat.notes[-1].endswith("are used as given (no discount applied to them)")
    assert len(cat.missing(region="ap-southeast-1")) == 19


def test_custom_prices_are_not_discounted(tmp_path: Path) -> None:
    path = _write(tmp_path, "instance_type,region,usd_per_hour\nc7g.large,eu-west-1,0.06\n")
    cat = load_catalog(discount_pct="10", custom_prices=path)
    assert cat.get("c7g.large", "eu-west-1").usd_per_hour == Decimal("0.06")
    assert cat.get("c7g.large", "eu-west-1").list_usd_per_hour == Decimal("0.0775")
    assert cat.get("c7g.xlarge", "eu-west-1").usd_per_hour == Decimal("0.1395")
    assert cat.notes[0].startswith("negotiated discount 10%")
    assert "-> $0.06/hour" in cat.notes[1]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("type,region,price\nc7g.large,eu-west-1,0.06\n", "expected instance_type,region"),
        ("instance_type,region,usd_per_hour\n", "has no price rows"),
        ("instance_type,region,usd_per_hour\nc7g.large,europe,0.06\n", "line 2: region 'europe'"),
        ("instance_type,region,usd_per_hour\nc7g.large,eu-west-1,abc\n", "line 2: usd_per_hour"),
        ("instance_type,region,usd_per_hour\nc7g.large,eu-west-1,0\n", "must be positive"),
        (
            "instance_type,region,usd_per_hour,purchase\nc7g.large,eu-west-1,0.06,reserved\n",
            "unknown purchase option 'reserved'",
        ),
        (
            "instance_type,region,usd_per_hour\nc7g.large,eu-west-1,0.06\nc7g.large,eu-west-1,0.07\n",
            "line 3: c7g.large eu-west-1 on-demand already set on line 2",
        ),
        ("instance_type,region,usd_per_hour\nz9.huge,eu-west-1,0.06\n", "unknown instance type"),
    ],
)
def test_bad_custom_price_files(tmp_path: Path, text: str, needle: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_catalog(custom_prices=path)
    assert needle in exc.value.message
    assert str(path) in exc.value.message


def test_missing_custom_price_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_catalog(custom_prices=tmp_path / "nope.csv")


def test_a_row_with_more_fields_than_the_header_is_one_line(tmp_path: Path) -> None:
    # found by the property test: csv puts the extra fields under None, as a list
    path = tmp_path / "prices.csv"
    path.write_text("instance_type,region,usd_per_hour\nm7i.large,us-east-1,0.1,0.2\n")
    with pytest.raises(ConfigError, match="line 2: more fields than the header's 3"):
        read_custom_prices(path)
