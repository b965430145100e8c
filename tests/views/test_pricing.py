from __future__ import annotations

from decimal import Decimal

from estimator.pricing import Catalog
from estimator.views.pricing import EC2_COLUMNS, decimal, ec2_frame, listing, serverless_frame


def test_ec2_rows_for_a_region_sorted_by_price(catalog: Catalog) -> None:
    listed = listing(catalog, region="us-east-1", families=None, arch=None, purchase="on-demand")
    frame = ec2_frame(listed)
    assert list(frame.columns) == EC2_COLUMNS
    assert set(frame["region"]) == {"us-east-1"}
    assert frame["$/hour"].is_monotonic_increasing
    assert len(frame) == len(listed.rows) > 20
    first = listed.rows[0]
    assert frame["$/month"].iloc[0] == float(first.usd_per_month)


def test_filters(catalog: Catalog) -> None:
    arm = ec2_frame(
        listing(catalog, region="us-east-1", families=["c7g"], arch="arm64", purchase="on-demand")
    )
    assert set(arm["arch"]) == {"arm64"}
    assert all(t.startswith("c7g.") for t in arm["type"])
    cheap = ec2_frame(
        listing(
            catalog,
            region=None,
            families=None,
            arch=None,
            purchase="on-demand",
            max_usd_per_hour=decimal(0.05),
        )
    )
    assert (cheap["$/hour"] <= 0.05).all()
    assert len(set(cheap["region"])) > 1
    assert decimal(0.1) == Decimal("0.10")


def test_serverless_sheets(catalog: Catalog) -> None:
    frame = serverless_frame(catalog, "us-east-1")
    assert set(frame["service"]) == {"Lambda", "Fargate (Linux)"}
    assert frame["price"].str.contains("per").all()
    has_eu = any(p.region == "eu-west-1" for p in catalog.lambda_prices) or any(
        p.region == "eu-west-1" for p in catalog.fargate_prices
    )
    assert serverless_frame(catalog, "eu-west-1").empty == (not has_eu)
