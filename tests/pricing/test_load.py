"""`load_catalog` merges the user catalog (refreshed prices) with the snapshot: newer wins per
region × purchase option; a broken user file is an error naming it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.errors import PricingError
from estimator.pricing import InstanceType, load_catalog
from estimator.pricing.user_catalog import CatalogPart, read_parts, write_part


def _row(
    name: str, price: str, purchase: str = "on-demand", region: str = "eu-west-1"
) -> InstanceType:
    base = load_catalog(user_catalog=False).specs(name)
    return InstanceType.model_validate(
        base.model_dump()
        | {"region": region, "usd_per_hour": Decimal(price), "purchase": purchase, "source": "test"}
    )


def _part(when: datetime, purchase: str = "on-demand", *rows: InstanceType) -> CatalogPart:
    return CatalogPart.model_validate(
        {
            "region": "eu-west-1",
            "purchase": purchase,
            "fetched_at": when,
            "source": "AWS APIs: test",
            "families": ["c7g"],
            "instances": list(rows) or [_row("c7g.large", "0.0800", purchase)],
        }
    )


def test_no_user_catalog_is_the_snapshot(user_dir: Path) -> None:
    assert not user_dir.exists()
    assert read_parts() == []
    cat = load_catalog()
    assert [s.kind for s in cat.sources] == ["embedded"] * 5


def test_newer_refresh_replaces_its_region_only(user_dir: Path) -> None:
    path = write_part(_part(datetime(2026, 11, 27, 9, 30, tzinfo=UTC)))
    assert path == user_dir / "ec2-eu-west-1-on-demand.json"
    cat = load_catalog()
    assert cat.get("c7g.large", "eu-west-1").usd_per_hour == Decimal("0.0800")
    missing = cat.missing(region="eu-west-1")
    assert len(missing) == 110  # the refresh returned one type: the rest is missing, not zero
    assert "not returned by AWS when refreshed on 2026-11-27" in missing.summary()
    assert cat.get("c7g.large", "eu-central-1").usd_per_hour == Decimal("0.0825")  # untouched
    src = cat.source_for("eu-west-1")
    assert src is not None
    assert src.kind == "refreshed"
    assert str(src.as_of) == "2026-11-27"
    assert "refreshed from the AWS APIs: eu-west-1 on-demand 2026-11-27" in cat.source
    assert load_catalog(user_catalog=False).get("c7g.large", "eu-west-1").usd_per_hour == Decimal(
        "0.0775"
    )


def test_refresh_older_than_the_snapshot_is_ignored_visibly(user_dir: Path) -> None:
    write_part(_part(datetime(2026, 1, 2, tzinfo=UTC)))
    cat = load_catalog()
    assert cat.get("c7g.large", "eu-west-1").usd_per_hour == Decimal("0.0775")
    assert cat.notes == [
        "ignored refreshed eu-west-1 on-demand prices of 2026-01-02: the embedded snapshot "
        "(2026-07-20) is newer"
    ]


def test_spot_part_adds_spot_prices(user_dir: Path) -> None:
    spot = _row("c7g.large", "0.031", "spot")
    write_part(_part(datetime(2026, 11, 27, tzinfo=UTC), "spot", spot))
    cat = load_catalog()
    assert cat.get("c7g.large", "eu-west-1", "spot").usd_per_hour == Decimal("0.031")
    assert cat.get("c7g.large", "eu-west-1").usd_per_hour == Decimal("0.0775")
    assert [r.name for r in cat.filter(region="eu-west-1", purchase="spot")] == ["c7g.large"]
    assert "no spot prices fetched" in cat.missing(region="us-east-1", purchase="spot").summary()


def test_broken_user_file_is_named(user_dir: Path) -> None:
    user_dir.mkdir(parents=True)
    bad = user_dir / "ec2-eu-west-1-on-demand.json"
    bad.write_text('{"region": "eu-west-1"}')
    with pytest.raises(PricingError) as exc:
        load_catalog()
    assert str(bad) in exc.value.message
    assert "missing required key 'purchase'" in exc.value.message
    assert "delete" in exc.value.message
    assert load_catalog(user_catalog=False).regions  # still usable without it


def test_misnamed_user_file_is_rejected(user_dir: Path) -> None:
    path = write_part(_part(datetime(2026, 11, 27, tzinfo=UTC)))
    path.rename(user_dir / "ec2-us-east-1-on-demand.json")
    with pytest.raises(PricingError, match="holds eu-west-1 on-demand prices"):
        load_catalog()


def test_write_part_is_atomic_and_replaces(user_dir: Path) -> None:
    write_part(_part(datetime(2026, 11, 26, tzinfo=UTC)))
    write_part(_part(datetime(2026, 11, 27, tzinfo=UTC)))
    assert sorted(p.name for p in user_dir.iterdir()) == ["ec2-eu-west-1-on-demand.json"]
    (part,) = read_parts()
    assert part.fetched_at.day == 27
    assert part.instances[0].usd_per_hour == Decimal("0.0800")
    assert '"0.0800"' in (user_dir / "ec2-eu-west-1-on-demand.json").read_text()
