"""Catalog queries: filters, look-ups, unknown values, missing prices collected once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.errors import ConfigError, PricingError
from estimator.money import HOURS_PER_MONTH
from estimator.pricing import Catalog, MissingPrices, load_catalog, price_listing


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


def test_catalog_basics(catalog: Catalog) -> None:
    assert catalog.snapshot_date.isoformat() == "2026-07-20"
    assert catalog.currency == "USD"
    assert catalog.regions == [
        "ap-southeast-1",
        "eu-central-1",
        "eu-west-1",
        "us-east-1",
        "us-west-2",
    ]
    assert "2026-07-20" in catalog.source
    assert "SOURCES.md" in catalog.source
    assert catalog.notes == []
    assert len(catalog.instances) == 535


def test_filter_region_family(catalog: Catalog) -> None:
    rows = catalog.filter(region="eu-west-1", family="c7g")
    assert [r.name for r in rows] == [
        "c7g.medium",
        "c7g.large",
        "c7g.xlarge",
        "c7g.2xlarge",
        "c7g.4xlarge",
    ]
    assert [str(r.usd_per_hour) for r in rows] == ["0.0388", "0.0775", "0.155", "0.3101", "0.6202"]
    assert {r.region for r in rows} == {"eu-west-1"}


def test_filter_arch_with_aliases(catalog: Catalog) -> None:
    arm = catalog.filter(region="us-east-1", arch="arm64")
    assert arm
    assert {r.arch for r in arm} == {"arm64"}
    assert catalog.filter(region="us-east-1", arch="graviton") == arm
    assert catalog.filter(region="us-east-1", arch="aarch64") == arm
    x86 = catalog.filter(region="us-east-1", arch="amd64")
    assert {r.arch for r in x86} == {"x86_64"}
    assert len(arm) + len(x86) == 111


def test_filter_max_price_is_inclusive_and_exact(catalog: Catalog) -> None:
    rows = catalog.filter(region="eu-west-1", family="c7g", max_price="0.0775")
    assert [r.name for r in rows] == ["c7g.medium", "c7g.large"]
    rows = catalog.filter(region="eu-west-1", family="c7g", max_price=Decimal("0.07749"))
    assert [r.name for r in rows] == ["c7g.medium"]
    assert catalog.filter(region="eu-west-1", max_price="0.001") == []


def test_filter_several_families_and_all_regions(catalog: Catalog) -> None:
    rows = catalog.filter(family=["c7a", "m7a"])
    assert {r.region for r in rows} == {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1"}
    assert len(rows) == 2 * 5 * 4


def test_filter_spot_without_refresh_is_empty(catalog: Catalog) -> None:
    assert catalog.filter(region="eu-west-1", purchase="spot") == []


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"region": "eu-west-3"}, "unknown region 'eu-west-3'"),
        ({"family": "c9z"}, "unknown instance family 'c9z'"),
        ({"arch": "sparc"}, "unknown architecture 'sparc'"),
        ({"purchase": "reserved"}, "unknown purchase option 'reserved'"),
        ({"max_price": "cheap"}, "max price = 'cheap'"),
        ({"max_price": "-1"}, "use an amount in dollars from 0"),
    ],
)
def test_unknown_filter_values_list_what_exists(
    catalog: Catalog, kwargs: dict[str, str], needle: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        catalog.filter(**kwargs)
    msg = exc.value.message
    assert needle in msg
    assert "\n" not in msg
    if "region" in kwargs:
        assert "eu-west-1" in msg
        assert "estimator pricing refresh --region eu-west-3" in msg
    if "family" in kwargs:
        assert "c7g" in msg
        assert "t4g" in msg
    if "arch" in kwargs:
        assert "x86_64" in msg
        assert "arm64" in msg


def test_close_matches_suggested(catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match=r"did you mean c7g"):
        catalog.filter(family="c7gg")
    with pytest.raises(ConfigError, match=r"unknown instance type 'c7g.larg' \(did you mean"):
        catalog.find("c7g.larg", "eu-west-1")


def test_find_and_get(catalog: Catalog) -> None:
    it = catalog.get("m7a.large", "eu-central-1")
    assert (it.vcpu, it.physical_cores, it.memory_gib, it.arch) == (2, 2, Decimal(8), "x86_64")
    assert it.usd_per_month == it.usd_per_hour * HOURS_PER_MONTH
    assert catalog.find("m7a.large", "eu-central-1") == it


def test_missing_price_is_none_and_collected_once(catalog: Catalog) -> None:
    missing = MissingPrices()
    assert catalog.find("c7a.large", "ap-southeast-1", missing=missing) is None
    assert catalog.find("c7a.large", "ap-southeast-1", missing=missing) is None
    assert catalog.find("m8g.xlarge", "ap-southeast-1", missing=missing) is None
    assert catalog.find("c7g.large", "ap-southeast-1", missing=missing) is not None
    assert len(missing) == 2
    summary = missing.summary()
    assert summary.startswith("2 prices missing (left out, not counted as zero)")
    assert "c7a.large" in summary
    assert "m8g.xlarge" in summary
    assert "no ap-southeast-1 rows" in summary
    with pytest.raises(PricingError, match=r"no on-demand price for c7a\.large in ap-southeast-1"):
        catalog.get("c7a.large", "ap-southeast-1")


def test_missing_for_a_selection(catalog: Catalog) -> None:
    missing = catalog.missing(region="ap-southeast-1")
    assert len(missing) == 20
    assert catalog.missing(region="eu-west-1").summary() == ""
    assert len(catalog.missing(region="ap-southeast-1", family="c7a")) == 5
    assert len(catalog.missing(region="ap-southeast-1", arch="x86_64")) == 10
    spot = catalog.missing(region="eu-west-1", purchase="spot")
    assert len(spot) == 111
    assert "estimator pricing refresh --region eu-west-1 --spot" in spot.summary()
    assert "111 types in 23 families" in spot.summary()


def test_serverless_prices_missing_outside_us_east_1(catalog: Catalog) -> None:
    missing = MissingPrices()
    lam = catalog.lambda_price("us-east-1", "arm64", missing=missing)
    assert lam is not None
    assert lam.usd_per_gb_second == Decimal("0.0000133334")
    far = catalog.fargate_price("us-east-1", "x86", missing=missing)
    assert far is not None
    assert far.usd_per_vcpu_hour == Decimal("0.04048")
    assert not missing
    assert catalog.fargate_price("eu-west-1", missing=missing) is None
    assert catalog.lambda_price("eu-west-1", missing=missing) is None
    assert [m.item for m in missing] == ["fargate x86_64", "lambda x86_64"]
    assert "Fargate prices exist for us-east-1 only" in missing.summary()


def test_catalog_rejects_two_prices_for_one_key(catalog: Catalog) -> None:
    data = catalog.model_dump()
    data["instances"].append(data["instances"][0])
    with pytest.raises(ValueError, match=r"two prices for t3\.nano ap-southeast-1 on-demand"):
        Catalog.model_validate(data)


def test_catalog_json_round_trip_keeps_exact_prices(catalog: Catalog) -> None:
    again = Catalog.model_validate_json(catalog.model_dump_json())
    assert again == catalog
    assert (
        again.get("c8g.large", "eu-west-1").usd_per_hour
        == catalog.get("c8g.large", "eu-west-1").usd_per_hour
    )


def test_listing_monthly_figures(catalog: Catalog) -> None:
    listing = price_listing(catalog, region="us-east-1", families=["m7a"], sort="price")
    row = next(r for r in listing.rows if r.instance.name == "m7a.xlarge")
    hourly = row.instance.usd_per_hour
    assert row.usd_per_month == hourly * 730
    assert row.usd_per_vcpu_month == (hourly * 730 / 4).quantize(Decimal("0.0001"))
    assert row.usd_per_physical_core_month == row.usd_per_vcpu_month  # 1 core per vCPU
    assert row.usd_per_gib_month == (hourly * 730 / 16).quantize(Decimal("0.0001"))
    prices = [r.instance.usd_per_hour for r in listing.rows]
    assert prices == sorted(prices)
    assert listing.filters == {"region": "us-east-1", "family": "m7a", "purchase": "on-demand"}
    assert listing.price_sources
    assert "2026-07-20" in listing.price_sources[0]
