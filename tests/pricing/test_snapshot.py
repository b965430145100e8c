"""Integrity of the embedded snapshot: every price there and positive, sizes ordered and priced
2x apart (AWS's pattern for these families, which catches a mistyped figure), the physical core
rule, the recorded gaps and nothing else missing, and data files matching their metadata."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from importlib import resources
from itertools import pairwise

import pytest

from estimator.pricing.models import InstanceType, size_rank
from estimator.pricing.snapshot import embedded_snapshot

REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"}
# AWS publishes these prices rounded to 4 decimals (a few to 5): a doubled size can differ
# from exactly 2x by one unit of the 4th decimal (c7g.medium 0.0363 -> c7g.large 0.0725).
ROUNDING = Decimal("0.0001")


def _groups() -> dict[tuple[str, str], list[InstanceType]]:
    groups: dict[tuple[str, str], list[InstanceType]] = defaultdict(list)
    for it in embedded_snapshot().instances:
        groups[(it.family, it.region)].append(it)
    for rows in groups.values():
        rows.sort(key=lambda it: size_rank(it.size))
    return groups


def _data(name: str) -> str:
    return resources.files("estimator.pricing").joinpath("data").joinpath(name).read_text()


def test_counts_and_regions() -> None:
    snap = embedded_snapshot()
    assert len(snap.instances) == 535
    assert {it.region for it in snap.instances} == REGIONS
    per_region = defaultdict(set)
    for it in snap.instances:
        per_region[it.region].add(it.name)
    assert {r: len(n) for r, n in per_region.items()} == {
        "us-east-1": 111,
        "us-west-2": 111,
        "eu-west-1": 111,
        "eu-central-1": 111,
        "ap-southeast-1": 91,
    }
    assert len({it.family for it in snap.instances}) == 23


def test_every_price_positive_exact_and_on_demand() -> None:
    for it in embedded_snapshot().instances:
        assert isinstance(it.usd_per_hour, Decimal)
        assert it.usd_per_hour > 0, it.key
        assert it.purchase == "on-demand"
        assert it.list_usd_per_hour is None


def test_prices_are_the_data_file_strings() -> None:
    """No float on the way: the model's Decimal prints as the file's exact text."""
    rows = list(csv.DictReader(_data("ec2_on_demand.csv").splitlines()))
    by_key = {(r["instance_type"], r["region"]): r["usd_per_hour"] for r in rows}
    for it in embedded_snapshot().instances:
        assert str(it.usd_per_hour) == by_key[(it.name, it.region)]
    assert by_key[("c7i.xlarge", "eu-west-1")] == "0.19152"
    assert by_key[("t3.nano", "us-east-1")] == "0.0052"


@pytest.mark.parametrize("key", sorted(_groups()), ids=lambda k: f"{k[0]}-{k[1]}")
def test_sizes_double_in_price_and_grow_in_specs(key: tuple[str, str]) -> None:
    rows = _groups()[key]
    assert len(rows) >= 4  # large..4xlarge at least
    for small, big in pairwise(rows):
        assert abs(big.usd_per_hour - 2 * small.usd_per_hour) <= ROUNDING, (small.name, big.name)
        assert big.usd_per_hour > small.usd_per_hour
        assert big.memory_gib > small.memory_gib
        assert big.vcpu >= small.vcpu
        assert big.physical_cores >= small.physical_cores


def test_most_size_steps_are_exactly_double() -> None:
    """The tolerance above is for rounding only: nearly every step is exactly 2x."""
    steps = [(a, b) for rows in _groups().values() for a, b in pairwise(rows)]
    exact = [1 for a, b in steps if b.usd_per_hour == 2 * a.usd_per_hour]
    assert len(steps) == 424
    assert len(exact) == 424 - 17


def test_physical_core_rule() -> None:
    for it in embedded_snapshot().instances:
        if it.arch == "arm64" or it.family in {"m7a", "c7a", "r7a"}:
            assert it.physical_cores == it.vcpu, it.name
        else:
            assert it.physical_cores * 2 == it.vcpu, it.name
    snap = {it.name: it for it in embedded_snapshot().instances}
    assert (snap["m6i.xlarge"].physical_cores, snap["m6i.xlarge"].threads_per_core) == (2, 2)
    assert (snap["m7a.xlarge"].physical_cores, snap["m7a.xlarge"].threads_per_core) == (4, 1)
    assert (snap["c7g.xlarge"].physical_cores, snap["c7g.xlarge"].threads_per_core) == (4, 1)
    assert snap["t3.nano"].physical_cores == 1


def test_vendor_arch_and_burstable_agree() -> None:
    for it in embedded_snapshot().instances:
        assert (it.arch == "arm64") == (it.cpu_vendor == "aws"), it.name
        assert it.burstable == (it.family in {"t3", "t3a", "t4g"}), it.name
        if it.arch == "x86_64":
            assert it.cpu_vendor == ("amd" if it.family.endswith("a") else "intel"), it.name


def test_only_the_recorded_gaps_are_missing() -> None:
    snap = embedded_snapshot()
    names = {it.name for it in snap.instances}
    have = {(it.name, it.region) for it in snap.instances}
    absent = {(n, r) for n in names for r in REGIONS if (n, r) not in have}
    gap_cells = {
        (n, gap.region)
        for gap in snap.metadata.gaps
        for n in names
        if n.split(".")[0] in gap.families
    }
    assert absent == gap_cells
    assert len(absent) == 20
    assert {n.split(".")[0] for n, _ in absent} == {"c7a", "m7a", "c8g", "m8g"}


def test_dates_and_sources_recorded() -> None:
    snap = embedded_snapshot()
    assert snap.metadata.snapshot_date.isoformat() == "2026-07-20"
    by_region = {s.region: s for s in snap.sources}
    assert by_region["us-east-1"].as_of is not None
    assert by_region["us-east-1"].as_of.isoformat() == "2026-07-20"
    for region in REGIONS - {"us-east-1"}:
        assert by_region[region].as_of is None  # the source is undated: say so, don't guess
        note = by_region[region].note
        assert note is not None
        assert "no date" in note
    for it in snap.instances:
        assert it.source.startswith("embedded snapshot, ")
    caveats = " ".join(snap.metadata.caveats)
    for needle in ("undated", "ap-southeast-1", "T families", "us-east-1 only"):
        assert needle in caveats
    sources_md = _data("SOURCES.md")
    for needle in ("2026-07-20", "undated", "c7a, m7a, c8g", "base hourly price", "us-east-1 only"):
        assert needle.lower() in sources_md.lower()


def test_data_files_match_metadata() -> None:
    meta = json.loads(_data("metadata.json"))
    for name, info in meta["files"].items():
        text = _data(name)
        assert hashlib.sha256(text.encode()).hexdigest() == info["sha256"], name
        assert len(text.splitlines()) - 1 == info["rows"], name


def test_serverless_prices() -> None:
    snap = embedded_snapshot()
    lam = {p.arch: p for p in snap.lambda_prices}
    far = {p.arch: p for p in snap.fargate_prices}
    assert {p.region for p in snap.lambda_prices + snap.fargate_prices} == {"us-east-1"}
    assert lam["x86_64"].usd_per_gb_second == Decimal("0.0000166667")
    assert lam["arm64"].usd_per_gb_second == Decimal("0.0000133334")
    assert lam["x86_64"].usd_per_million_requests == Decimal("0.20")
    assert lam["x86_64"].usd_per_request == Decimal("0.0000002")
    assert far["x86_64"].usd_per_vcpu_hour == Decimal("0.04048")
    assert far["x86_64"].usd_per_gb_hour == Decimal("0.004445")
    assert far["arm64"].usd_per_vcpu_hour == Decimal("0.03238")
    assert far["arm64"].usd_per_gb_hour == Decimal("0.00356")
    assert far["arm64"].usd_per_storage_gb_hour == Decimal("0.000111")
    for a, b in ((lam["arm64"], lam["x86_64"]),):
        assert a.usd_per_gb_second < b.usd_per_gb_second
    assert far["arm64"].usd_per_vcpu_hour < far["x86_64"].usd_per_vcpu_hour
