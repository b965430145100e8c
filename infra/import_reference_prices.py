#!/usr/bin/env python3
"""Re-make estimator's embedded price snapshot from the team's reference tables.

    .venv/bin/python infra/import_reference_prices.py [--reference DIR]

Reads `aws_ec2_instances.csv` and `aws_serverless_prices.csv` (default: ../shared/reference
next to the checkout) and writes `estimator/pricing/data/`: `ec2_on_demand.csv`,
`serverless.csv` and `metadata.json` (dates, sources, gaps, caveats, row counts and SHA-256 of
the CSVs). Prices are copied as the exact strings of the source, never through a float. The
package reads only these files at run time. `SOURCES.md` in the same folder is written by hand:
update it when the sources change.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "estimator" / "pricing" / "data"
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"

EC2_IN = "aws_ec2_instances.csv"
SERVERLESS_IN = "aws_serverless_prices.csv"
EC2_OUT = "ec2_on_demand.csv"
SERVERLESS_OUT = "serverless.csv"

EC2_IN_COLUMNS = [
    "instance_type",
    "family",
    "vcpu",
    "memory_gib",
    "arch",
    "cpu_vendor",
    "burstable",
    "region",
    "on_demand_usd_per_hour",
]
EC2_OUT_COLUMNS = [
    "instance_type",
    "family",
    "size",
    "region",
    "vcpu",
    "physical_cores",
    "memory_gib",
    "arch",
    "cpu_vendor",
    "burstable",
    "usd_per_hour",
    "price_source",
]
SERVERLESS_COLUMNS = [
    "service",
    "region",
    "os",
    "arch",
    "dimension",
    "unit",
    "price_usd",
    "tier",
    "notes",
    "source",
]

# x86 families whose vCPUs are full cores (AMD Genoa without SMT); every other x86 family
# runs two hardware threads per core. Graviton (arm64) is one core per vCPU.
ONE_CORE_PER_VCPU_X86 = frozenset({"m7a", "c7a", "r7a"})

SNAPSHOT_DATE = "2026-07-20"
COMPILED = "2026-11-27"

SOURCES = {
    "karpenter": {
        "description": "aws/karpenter-provider-aws pkg/providers/pricing/"
        "zz_generated.pricing_aws.go @6fc13b5 (generated 2026-07-20T13:44:30Z from the "
        "AWS Pricing API)",
        "as_of": SNAPSHOT_DATE,
        "note": None,
    },
    "skypilot": {
        "description": "skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv @27f67dd "
        "(built from the AWS Pricing API)",
        "as_of": None,
        "note": "the source states no date; its us-east-1 prices equal the 2026-07-20 "
        "figures, which suggests the same period but does not prove it",
    },
}
REGION_SOURCE = {
    "us-east-1": "karpenter",
    "us-west-2": "skypilot",
    "eu-west-1": "skypilot",
    "eu-central-1": "skypilot",
    "ap-southeast-1": "skypilot",
}
SPEC_SOURCES = [
    "vcpu, memory, arch: kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/"
    "ec2_instance_types.go @e964265 (StaticListLastUpdateTime 2026-01-22, from EC2 "
    "DescribeInstanceTypes)",
    "cpu_vendor: vantage-sh/ec2instances.info scraper/aws/ec2/extras/"
    "manually_fetched_data.json @4ef36cd (lscpu on real instances, 2025-12-10); arm64 = aws",
    "physical_cores: x86 = vcpu / 2 except m7a, c7a, r7a (= vcpu); arm64 = vcpu (AWS EC2 "
    "user guide, 'Optimize CPU options'; lscpu measurements in the vantage data)",
]
GAPS = [
    {
        "region": "ap-southeast-1",
        "families": ["c7a", "m7a", "c8g", "m8g"],
        "reason": "the source catalog has no ap-southeast-1 rows for these families "
        "(AWS may have launched them there after the snapshot)",
    }
]
CAVEATS = [
    "us-east-1 prices are as of 2026-07-20; the other regions' source is undated",
    "ap-southeast-1 has no c7a, m7a, c8g or m8g prices (absent from the source, not zero)",
    "T families (t3, t3a, t4g): base hourly price only; surplus CPU credits in unlimited "
    "mode are not included",
    "Lambda and Fargate prices are for us-east-1 only; no authoritative figures for other "
    "regions were found",
    "Lambda duration prices are the first tier (6B GB-s/month x86_64, 7.5B arm64); lower "
    "tiers above that, the free tier and Fargate Windows are not included",
    "list prices: no Savings Plans, Reserved Instances, Spot or free tier",
    "regional prices do not follow one multiplier of us-east-1: use the per-region rows",
]


def _size(instance_type: str) -> str:
    return instance_type.split(".", 1)[1]


def physical_cores(family: str, arch: str, vcpu: int) -> int:
    if arch == "arm64" or family in ONE_CORE_PER_VCPU_X86:
        return vcpu
    if vcpu % 2:
        raise SystemExit(f"{family}: odd vCPU count {vcpu} on a hyper-threaded x86 family")
    return vcpu // 2


def _check_price(text: str, where: str) -> str:
    text = text.strip()
    if Decimal(text) <= 0:
        raise SystemExit(f"{where}: non-positive price {text!r}")
    return text


def convert_ec2(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for n, row in enumerate(rows, start=2):
        where = f"{EC2_IN} line {n}"
        family, _ = row["instance_type"].split(".", 1)
        if family != row["family"]:
            raise SystemExit(f"{where}: family {row['family']!r} != {family!r}")
        region = row["region"]
        if region not in REGION_SOURCE:
            raise SystemExit(f"{where}: region {region!r} has no recorded price source")
        vcpu = int(row["vcpu"])
        out.append(
            {
                "instance_type": row["instance_type"],
                "family": family,
                "size": _size(row["instance_type"]),
                "region": region,
                "vcpu": str(vcpu),
                "physical_cores": str(physical_cores(family, row["arch"], vcpu)),
                "memory_gib": row["memory_gib"],
                "arch": row["arch"],
                "cpu_vendor": row["cpu_vendor"],
                "burstable": row["burstable"],
                "usd_per_hour": _check_price(row["on_demand_usd_per_hour"], where),
                "price_source": REGION_SOURCE[region],
            }
        )
    return out


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def _read(path: Path, columns: list[str]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != columns:
            raise SystemExit(f"{path}: expected columns {columns}, found {reader.fieldnames}")
        return list(reader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)

    ec2 = convert_ec2(_read(args.reference / EC2_IN, EC2_IN_COLUMNS))
    serverless = _read(args.reference / SERVERLESS_IN, SERVERLESS_COLUMNS)
    for n, row in enumerate(serverless, start=2):
        row["price_usd"] = _check_price(row["price_usd"], f"{SERVERLESS_IN} line {n}")

    texts = {
        EC2_OUT: _csv_text(EC2_OUT_COLUMNS, ec2),
        SERVERLESS_OUT: _csv_text(SERVERLESS_COLUMNS, serverless),
    }
    counts = {EC2_OUT: len(ec2), SERVERLESS_OUT: len(serverless)}
    metadata = {
        "schema_version": 1,
        "provider": "aws",
        "currency": "USD",
        "snapshot_date": SNAPSHOT_DATE,
        "compiled": COMPILED,
        "summary": "AWS list prices: EC2 Linux shared-tenancy on-demand, Lambda and Fargate "
        "(us-east-1); see SOURCES.md",
        "sources": SOURCES,
        "regions": {r: {"price_source": s} for r, s in REGION_SOURCE.items()},
        "spec_sources": SPEC_SOURCES,
        "gaps": GAPS,
        "caveats": CAVEATS,
        "files": {
            name: {"rows": counts[name], "sha256": hashlib.sha256(text.encode()).hexdigest()}
            for name, text in texts.items()
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (args.out / name).write_text(text, encoding="utf-8")
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(ec2)} EC2 rows and {len(serverless)} serverless rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
