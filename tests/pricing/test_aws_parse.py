"""Parsing AWS answers and the small model helpers, edge cases included."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from estimator.errors import PricingError
from estimator.pricing import MissingPrices, load_catalog
from estimator.pricing.aws_parse import (
    collect_spot,
    exact_price,
    parse_instance_type,
    parse_price_item,
)
from estimator.pricing.models import InstanceType, size_rank, split_type
from tests.pricing.aws_responses import instance_info, price_item, spot_entry

T = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.0416000000", "0.0416"),
        ("10.0000000000", "10"),
        ("0.3190400000", "0.31904"),
        ("0.0000000000", "0"),
        ("2", "2"),
    ],
)
def test_exact_price(text: str, expected: str) -> None:
    assert str(exact_price(text)) == expected


def test_price_item() -> None:
    offer = parse_price_item(price_item("c8g.large", "0.0957100000"))
    assert offer is not None
    assert (offer.instance_type, offer.usd_per_hour, offer.published) == (
        "c8g.large",
        Decimal("0.09571"),
        "2026-11-20",
    )


def test_price_item_without_hourly_price_is_skipped() -> None:
    assert parse_price_item(price_item("c7g.large", "0.0000000000")) is None


def test_garbage_price_item_is_an_error() -> None:
    with pytest.raises(PricingError, match="unexpected GetProducts entry"):
        parse_price_item("not json")


def test_instance_type_cores_from_threads_when_cores_absent() -> None:
    info = instance_info("m6i.xlarge", 4, 2, 16384, "x86_64", "Intel")
    del info["VCpuInfo"]["DefaultCores"]
    specs = parse_instance_type(info)
    assert not isinstance(specs, str)
    assert (specs.vcpu, specs.physical_cores, specs.memory_gib, specs.cpu_vendor) == (
        4,
        2,
        Decimal(16),
        "intel",
    )


def test_instance_type_unusable() -> None:
    mac = instance_info("mac2.metal", 12, 12, 16384, "arm64_mac", "Apple")
    assert (
        parse_instance_type(mac) == "mac2.metal: architecture arm64_mac is neither x86_64 nor arm64"
    )
    bare = {"InstanceType": "x1.weird"}
    assert "gave no vCPU, core or memory figures" in str(parse_instance_type(bare))


def test_spot_mean_is_rounded_to_the_published_precision() -> None:
    quotes = collect_spot(
        [
            spot_entry("c7g.large", "a", "0.030001", T),
            spot_entry("c7g.large", "b", "0.030000", T),
            spot_entry("c7g.large", "c", "0.030000", T),
            spot_entry("c7g.large", "d", "not-a-price", T),
            {"InstanceType": "c7g.large", "SpotPrice": "0.1"},  # no zone/time: ignored
        ]
    )
    quote = quotes["c7g.large"]
    assert sorted(quote.by_zone) == ["a", "b", "c"]
    assert quote.mean == Decimal("0.030000")  # 0.0300003333... -> 6 decimals


def test_size_order_and_names() -> None:
    sizes = ["metal", "4xlarge", "xlarge", "nano", "48xlarge", "large", "medium", "12xlarge"]
    assert sorted(sizes, key=size_rank) == [
        "nano",
        "medium",
        "large",
        "xlarge",
        "4xlarge",
        "12xlarge",
        "48xlarge",
        "metal",
    ]
    assert split_type("c7gd.metal") == ("c7gd", "metal")
    with pytest.raises(ValueError, match=r"expected 'family\.size'"):
        split_type("c7g")


def test_instance_type_model_checks() -> None:
    good = load_catalog().get("c7g.large", "eu-west-1").model_dump()
    for bad in (
        {"physical_cores": 4},
        {"family": "c6g"},
        {"region": "Ireland"},
        {"usd_per_hour": Decimal(0)},
        {"purchase": "reserved"},
        {"surprise": 1},
    ):
        with pytest.raises(ValidationError):
            InstanceType.model_validate(good | bad)


def test_catalog_describe_lines() -> None:
    lines = load_catalog(discount_pct="5").describe(region="us-east-1")
    assert lines[0].startswith("Prices: AWS list prices (USD), embedded snapshot 2026-07-20")
    assert lines[1] == (
        "  us-east-1 on-demand: embedded (2026-07-20) aws/karpenter-provider-aws "
        "pkg/providers/pricing/zz_generated.pricing_aws.go @6fc13b5 (generated "
        "2026-07-20T13:44:30Z from the AWS Pricing API)"
    )
    assert lines[2].startswith("Note: negotiated discount 5%")


def test_missing_prices_collector() -> None:
    missing = MissingPrices()
    assert missing.summary() == ""
    assert not missing
    missing.add("c7a.large", "ap-southeast-1", "on-demand", "gap")
    missing.add("c7a.large", "ap-southeast-1", "on-demand", "gap")
    missing.add("lambda arm64", "eu-west-1", "on-demand", "us-east-1 only")
    assert len(missing) == 2
    assert missing.lines() == [
        "ap-southeast-1 on-demand: c7a.large: gap",
        "eu-west-1 on-demand: lambda arm64: us-east-1 only",
    ]
    assert MissingPrices.of(missing.items()).lines() == missing.lines()
