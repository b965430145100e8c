"""`refresh` offline: botocore Stubber (real request validation) for paginated GetProducts,
DescribeInstanceTypes and DescribeSpotPriceHistory; throttling, permissions, no credentials
and no network are one clear error that names what stays in use, and write nothing."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from estimator.errors import PricingError
from estimator.pricing import load_catalog
from estimator.pricing.refresh import (
    CONNECT_TIMEOUT_S,
    MAX_ATTEMPTS,
    READ_TIMEOUT_S,
    SPOT_PRODUCTS,
    make_clients,
    on_demand_filters,
    refresh,
)
from estimator.pricing.snapshot import embedded_snapshot
from estimator.pricing.user_catalog import read_parts
from tests.pricing.aws_responses import (
    fake_session,
    instance_info,
    not_an_instance_item,
    price_item,
    products_params,
    spot_entry,
    stubbed,
)

NOW = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
FAMILIES = sorted({it.family for it in embedded_snapshot().instances})
TYPES_FILTER = [{"Name": "instance-type", "Values": [f"{f}.*" for f in FAMILIES]}]

C7G_LARGE = instance_info("c7g.large", 2, 2, 4096, "arm64", "AWS")
C7G_XLARGE = instance_info("c7g.xlarge", 4, 4, 8192, "arm64", "AWS")
M7A_LARGE = instance_info("m7a.large", 2, 2, 8192, "x86_64", "AMD")
M6I_LARGE = instance_info("m6i.large", 2, 1, 8192, "x86_64", "Intel")
T3_NANO = instance_info("t3.nano", 2, 1, 512, "x86_64", "Intel", burstable=True)


def _queue_specs(es: Any, filters: bool = True) -> None:
    base: dict[str, Any] = {"MaxResults": 100}
    if filters:
        base["Filters"] = TYPES_FILTER
    es.add_response(
        "describe_instance_types",
        {"InstanceTypes": [C7G_LARGE, C7G_XLARGE, M7A_LARGE], "NextToken": "types-2"},
        base,
    )
    es.add_response(
        "describe_instance_types",
        {"InstanceTypes": [M6I_LARGE, T3_NANO]},
        base | {"NextToken": "types-2"},
    )


def _queue_products(ps: Any) -> None:
    ps.add_response(
        "get_products",
        {
            "FormatVersion": "aws_v1",
            "PriceList": [
                price_item("c7g.large", "0.0775000000"),
                price_item("c7g.xlarge", "0.1550000000"),
                price_item("x2iedn.xlarge", "1.0000000000"),  # not a snapshot family
                not_an_instance_item(),
            ],
            "NextToken": "products-2",
        },
        products_params(),
    )
    ps.add_response(
        "get_products",
        {
            "FormatVersion": "aws_v1",
            "PriceList": [
                price_item("m7a.large", "0.1113600000"),
                price_item("t3.nano", "0.0057000000"),
                price_item("c7g.large", "0.0775000000"),  # the same price twice is fine
            ],
        },
        products_params(token="products-2"),
    )


def test_filters_select_one_linux_shared_on_demand_price() -> None:
    terms = {f["Field"]: f["Value"] for f in on_demand_filters("eu-west-1")}
    assert terms == {
        "regionCode": "eu-west-1",
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "marketoption": "OnDemand",
        "productFamily": "Compute Instance",
    }
    assert {f["Type"] for f in on_demand_filters("eu-west-1")} == {"TERM_MATCH"}


def test_clients_are_time_bound_and_retry() -> None:
    clients = make_clients("eu-west-1", session=fake_session())
    for client in (clients.pricing, clients.ec2):
        cfg = vars(client.meta.config)
        assert (cfg["connect_timeout"], cfg["read_timeout"]) == (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        assert cfg["retries"] == {"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"}
    assert clients.pricing.meta.region_name == "us-east-1"  # the Pricing API endpoint
    assert clients.ec2.meta.region_name == "eu-west-1"


def test_refresh_on_demand_paginated(user_dir: Path) -> None:
    pages: list[str] = []
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        _queue_products(ps)
        result = refresh("eu-west-1", clients=clients, now=NOW, progress=pages.append)
    assert pages == [  # told as each page arrives
        "instance types: page 1 (3 types so far)",
        "instance types: page 2 (5 types so far)",
        "on-demand prices: page 1 (4 items so far)",
        "on-demand prices: page 2 (7 items so far)",
    ]
    path = user_dir / "ec2-eu-west-1-on-demand.json"
    assert result.written == {str(path): 4}
    assert result.unpriced == {"on-demand": ["m6i.large"]}
    assert result.skipped == []
    (part,) = read_parts()
    assert (part.region, part.purchase, part.fetched_at) == ("eu-west-1", "on-demand", NOW)
    assert part.families == FAMILIES
    rows = {it.name: it for it in part.instances}
    assert set(rows) == {"c7g.large", "c7g.xlarge", "m7a.large", "t3.nano"}
    assert rows["c7g.large"].usd_per_hour == Decimal("0.0775")
    assert str(rows["m7a.large"].usd_per_hour) == "0.11136"
    m7a = rows["m7a.large"]
    assert (m7a.vcpu, m7a.physical_cores, m7a.memory_gib, m7a.arch, m7a.cpu_vendor) == (
        2,
        2,
        Decimal(8),
        "x86_64",
        "amd",
    )
    nano = rows["t3.nano"]
    assert (nano.physical_cores, nano.memory_gib, nano.burstable) == (1, Decimal("0.5"), True)
    assert "capacitystatus Used" in nano.source
    assert "2026-11-20" in nano.source

    cat = load_catalog()
    assert cat.get("m7a.large", "eu-west-1").usd_per_hour == Decimal("0.11136")
    assert cat.find("m6i.large", "eu-west-1") is None  # specs but no price: missing, not zero
    snapshot = load_catalog(user_catalog=False)
    assert cat.get("m7a.large", "eu-central-1") == snapshot.get("m7a.large", "eu-central-1")


def test_refresh_all_families_has_no_type_filter(user_dir: Path) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es, filters=False)
        _queue_products(ps)
        result = refresh("eu-west-1", clients=clients, now=NOW, all_families=True)
    (part,) = read_parts()
    assert part.families is None
    assert result.skipped == ["x2iedn.xlarge: priced but not described by EC2 in eu-west-1"]


def test_refresh_spot_latest_price_per_zone_averaged(user_dir: Path) -> None:
    old = NOW - timedelta(hours=5)
    new = NOW - timedelta(minutes=40)
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        _queue_products(ps)
        params = {
            "ProductDescriptions": SPOT_PRODUCTS,
            "StartTime": NOW,
            "Filters": [
                {
                    "Name": "instance-type",
                    "Values": ["c7g.large", "c7g.xlarge", "m6i.large", "m7a.large", "t3.nano"],
                }
            ],
            "MaxResults": 1000,
        }
        es.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    spot_entry("c7g.large", "eu-west-1a", "0.030000", new),
                    spot_entry("c7g.large", "eu-west-1a", "0.050000", old),  # superseded
                    spot_entry("c7g.large", "eu-west-1b", "0.031000", old),
                ],
                "NextToken": "spot-2",
            },
            params,
        )
        es.add_response(
            "describe_spot_price_history",
            {
                "SpotPriceHistory": [
                    spot_entry("c7g.large", "eu-west-1c", "0.035000", new),
                    spot_entry("m7a.large", "eu-west-1a", "0.041000", new),
                ]
            },
            params | {"NextToken": "spot-2"},
        )
        pages: list[str] = []
        result = refresh("eu-west-1", clients=clients, now=NOW, spot=True, progress=pages.append)
    assert pages[-2:] == [
        "spot prices: page 1 (3 zone prices so far, types 5 of 5)",
        "spot prices: page 2 (5 zone prices so far, types 5 of 5)",
    ]
    assert sorted(Path(p).name for p in result.written) == [
        "ec2-eu-west-1-on-demand.json",
        "ec2-eu-west-1-spot.json",
    ]
    assert result.unpriced == {
        "on-demand": ["m6i.large"],
        "spot": ["c7g.xlarge", "m6i.large", "t3.nano"],
    }
    cat = load_catalog()
    spot = cat.get("c7g.large", "eu-west-1", "spot")
    assert spot.usd_per_hour == Decimal("0.032000")  # (0.030 + 0.031 + 0.035) / 3
    assert "mean of the latest price in 3 availability zones" in spot.source
    assert "min $0.03 in eu-west-1a, max $0.035 in eu-west-1c" in spot.source
    assert cat.get("m7a.large", "eu-west-1", "spot").usd_per_hour == Decimal("0.041")
    assert cat.find("c7g.xlarge", "eu-west-1", "spot") is None


def test_conflicting_prices_for_one_type_are_an_error(user_dir: Path) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        ps.add_response(
            "get_products",
            {
                "PriceList": [
                    price_item("c7g.large", "0.0775000000"),
                    price_item("c7g.large", "0.0900000000"),
                ]
            },
            products_params(),
        )
        with pytest.raises(PricingError, match=r"two prices for c7g.large \(\$0.0775, \$0.09\)"):
            refresh("eu-west-1", clients=clients, now=NOW)
    assert not user_dir.exists()


def test_two_hourly_dimensions_in_one_item_are_an_error(user_dir: Path) -> None:
    extra = {
        "X.Y.Z": {"unit": "Hrs", "pricePerUnit": {"USD": "0.5000000000"}, "description": "odd"}
    }
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        ps.add_response(
            "get_products",
            {"PriceList": [price_item("c7g.large", "0.0775", extra_dimensions=extra)]},
            products_params(),
        )
        with pytest.raises(PricingError, match=r"several hourly prices for c7g\.large"):
            refresh("eu-west-1", clients=clients, now=NOW)


def test_throttling_after_retries_is_reported_clearly(user_dir: Path) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        ps.add_client_error(
            "get_products",
            service_error_code="ThrottlingException",
            service_message="Rate exceeded",
            http_status_code=400,
            response_meta={"RetryAttempts": MAX_ATTEMPTS - 1},
            expected_params=products_params(),
        )
        with pytest.raises(PricingError) as exc:
            refresh("eu-west-1", clients=clients, now=NOW)
    msg = exc.value.message
    assert msg == (
        "could not refresh eu-west-1 prices: AWS throttled GetProducts (ThrottlingException) "
        "after 4 attempt(s); wait a minute and run the refresh again; the embedded price "
        "snapshot of 2026-07-20 stays in use"
    )
    assert not user_dir.exists()


def test_permission_denied_names_the_permissions(user_dir: Path) -> None:
    with stubbed() as (clients, _ps, es):
        es.add_client_error(
            "describe_instance_types",
            service_error_code="UnauthorizedOperation",
            service_message="You are not authorized to perform this operation.",
            http_status_code=403,
            expected_params={"Filters": TYPES_FILTER, "MaxResults": 100},
        )
        with pytest.raises(PricingError) as exc:
            refresh("eu-west-1", clients=clients, now=NOW)
    assert "may not call DescribeInstanceTypes (UnauthorizedOperation)" in exc.value.message
    assert "ec2:DescribeInstanceTypes" in exc.value.message


def test_empty_answer_writes_nothing(user_dir: Path) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        ps.add_response("get_products", {"PriceList": []}, products_params())
        with pytest.raises(PricingError, match="AWS returned no on-demand Linux prices"):
            refresh("eu-west-1", clients=clients, now=NOW)
    assert not user_dir.exists()


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_kwargs: Any) -> Any:
        yield self.data


def test_throttling_is_retried_by_the_client_config(user_dir: Path) -> None:
    """Not under Stubber (it bypasses retries): HTTP answers injected at `before-send`, so
    botocore's own retry handler sees a real ThrottlingException and tries again."""
    clients = make_clients("eu-west-1", session=fake_session())
    calls: list[str] = []

    def answer(request: Any, **_kwargs: Any) -> Any:
        calls.append(json.loads(request.body)["ServiceCode"])
        headers: Any = {
            "x-amzn-RequestId": f"req-{len(calls)}",
            "Content-Type": "application/x-amz-json-1.1",
        }
        body: dict[str, Any]
        if len(calls) == 1:
            body = {"__type": "ThrottlingException", "message": "Rate exceeded"}
            return AWSResponse(request.url, 400, headers, _Body(json.dumps(body).encode()))
        body = {"FormatVersion": "aws_v1", "PriceList": [price_item("c7g.large", "0.0775")]}
        return AWSResponse(request.url, 200, headers, _Body(json.dumps(body).encode()))

    clients.pricing.meta.events.register("before-send.pricing.GetProducts", answer)
    with Stubber(clients.ec2) as es:
        _queue_specs(es)
        result = refresh("eu-west-1", clients=clients, now=NOW)
    assert calls == ["AmazonEC2", "AmazonEC2"]
    assert sum(result.written.values()) == 1


def test_no_credentials(user_dir: Path) -> None:
    with pytest.raises(PricingError) as exc:
        refresh("eu-west-1", now=NOW)
    assert exc.value.message == (
        "could not refresh eu-west-1 prices: no usable AWS credentials (set AWS_PROFILE or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure`); the embedded "
        "price snapshot of 2026-07-20 stays in use"
    )
    assert not user_dir.exists()


def test_no_network(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nothing listens on: connection refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(PricingError) as exc:
        refresh("eu-west-1", now=NOW)
    msg = exc.value.message
    assert msg.startswith("could not refresh eu-west-1 prices: cannot reach AWS (")
    assert f"127.0.0.1:{port}" in msg
    assert msg.endswith(
        "check the network or proxy; the embedded price snapshot of 2026-07-20 stays in use"
    )


def test_earlier_refresh_stays_in_use_on_failure(user_dir: Path) -> None:
    with stubbed() as (clients, ps, es):
        _queue_specs(es)
        _queue_products(ps)
        refresh("eu-west-1", clients=clients, now=NOW)
    with pytest.raises(PricingError) as exc:
        refresh("eu-west-1", now=NOW)
    assert exc.value.message.endswith(
        f"the prices fetched earlier stay in use (earlier refresh {user_dir}/"
        "ec2-eu-west-1-on-demand.json)"
    )
    assert load_catalog().get("c7g.large", "eu-west-1").source.startswith("AWS Pricing API")


def test_bad_region_name() -> None:
    with pytest.raises(Exception, match="not an AWS region name"):
        refresh("Ireland")
