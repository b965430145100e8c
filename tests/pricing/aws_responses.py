"""AWS responses shaped like the real ones (field names and nesting of GetProducts price list
items, DescribeInstanceTypes and DescribeSpotPriceHistory), and stubbed clients."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from estimator.pricing.refresh import AwsClients, client_config, on_demand_filters

REGION = "eu-west-1"


@functools.cache
def fake_session() -> boto3.session.Session:
    """Made once: its loader caches the (large) EC2 service model for every test."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def price_item(
    name: str,
    usd: str,
    *,
    region: str = REGION,
    published: str = "2026-11-20T18:04:35Z",
    extra_dimensions: dict[str, Any] | None = None,
) -> str:
    sku = f"SKU{name.replace('.', '').upper()}{region.replace('-', '').upper()}"
    dims: dict[str, Any] = {
        f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs",
            "endRange": "Inf",
            "description": f"${usd} per On Demand Linux {name} Instance Hour",
            "appliesTo": [],
            "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7",
            "beginRange": "0",
            "pricePerUnit": {"USD": usd},
        }
    }
    dims.update(extra_dimensions or {})
    item = {
        "product": {
            "productFamily": "Compute Instance",
            "attributes": {
                "instanceType": name,
                "instanceFamily": "Compute optimized",
                "regionCode": region,
                "location": "EU (Ireland)",
                "operatingSystem": "Linux",
                "tenancy": "Shared",
                "preInstalledSw": "NA",
                "capacitystatus": "Used",
                "marketoption": "OnDemand",
                "licenseModel": "No License required",
                "operation": "RunInstances",
                "servicecode": "AmazonEC2",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {
                f"{sku}.JRTCKXETXF": {
                    "priceDimensions": dims,
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {},
                }
            }
        },
        "version": "20261120180435",
        "publicationDate": published,
    }
    return json.dumps(item)


def not_an_instance_item() -> str:
    """GetProducts entries without an instance type (e.g. a data-transfer product)."""
    return json.dumps({"product": {"productFamily": "Data Transfer", "attributes": {}}})


def instance_info(
    name: str,
    vcpu: int,
    cores: int,
    mib: int,
    arch: str,
    manufacturer: str,
    *,
    burstable: bool = False,
) -> dict[str, Any]:
    return {
        "InstanceType": name,
        "CurrentGeneration": True,
        "ProcessorInfo": {
            "SupportedArchitectures": [arch],
            "SustainedClockSpeedInGhz": 2.6,
            "Manufacturer": manufacturer,
        },
        "VCpuInfo": {
            "DefaultVCpus": vcpu,
            "DefaultCores": cores,
            "DefaultThreadsPerCore": vcpu // cores,
        },
        "MemoryInfo": {"SizeInMiB": mib},
        "BurstablePerformanceSupported": burstable,
    }


def spot_entry(name: str, zone: str, price: str, when: datetime) -> dict[str, Any]:
    return {
        "AvailabilityZone": zone,
        "InstanceType": name,
        "ProductDescription": "Linux/UNIX",
        "SpotPrice": price,
        "Timestamp": when,
    }


def products_params(region: str = REGION, token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ServiceCode": "AmazonEC2",
        "Filters": on_demand_filters(region),
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    }
    if token:
        params["NextToken"] = token
    return params


@contextmanager
def stubbed(region: str = REGION) -> Iterator[tuple[AwsClients, Stubber, Stubber]]:
    """Clients as `make_clients` builds them, each under a Stubber (real request and response
    validation against the service models); every queued response must be used."""
    session = fake_session()
    pricing = session.client("pricing", region_name="us-east-1", config=client_config())
    ec2 = session.client("ec2", region_name=region, config=client_config())
    with Stubber(pricing) as ps, Stubber(ec2) as es:
        yield AwsClients(pricing=pricing, ec2=ec2), ps, es
        ps.assert_no_pending_responses()
        es.assert_no_pending_responses()
