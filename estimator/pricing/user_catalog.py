"""The user catalog: prices fetched by `estimator pricing refresh`, one JSON file per region ×
purchase option under `<cache dir>/pricing/`, each with its fetch time and source."""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from estimator._model import Model
from estimator.errors import PricingError, describe_validation_error
from estimator.paths import cache_dir
from estimator.pricing.models import InstanceType, Purchase, Region


class CatalogPart(Model):
    """All EC2 prices of one region and purchase option from one fetch."""

    schema_version: Literal[1] = 1
    provider: Literal["aws"] = "aws"
    currency: Literal["USD"] = "USD"
    region: Region
    purchase: Purchase
    fetched_at: datetime = Field(description="UTC time of the fetch")
    source: str = Field(description="the API calls and filters the prices come from")
    families: list[str] | None = Field(description="families fetched; None: all")
    instances: list[InstanceType]


def user_catalog_dir() -> Path:
    return cache_dir() / "pricing"


def part_path(region: str, purchase: Purchase, directory: Path | None = None) -> Path:
    return (directory or user_catalog_dir()) / f"ec2-{region}-{purchase}.json"


def write_part(part: CatalogPart, directory: Path | None = None) -> Path:
    """Write atomically (a reader never sees half a file); replaces the previous fetch."""
    path = part_path(part.region, part.purchase, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(part.model_dump_json(indent=1))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def read_parts(directory: Path | None = None) -> list[CatalogPart]:
    """Every fetched part, sorted by region and purchase. A broken file is an error naming it
    (never silently skipped: the user would get other prices than they think)."""
    root = directory or user_catalog_dir()
    if not root.is_dir():
        return []
    parts = []
    for path in sorted(root.glob("ec2-*.json")):
        fix = f"delete {path} or run `estimator pricing refresh` for its region again"
        try:
            part = CatalogPart.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise PricingError(f"user price catalog {path}: {exc.strerror}; {fix}") from exc
        except ValidationError as exc:
            raise PricingError(
                f"user price catalog is invalid: {describe_validation_error(exc, str(path))}; "
                + fix
            ) from exc
        if path != part_path(part.region, part.purchase, root):
            raise PricingError(
                f"user price catalog {path} holds {part.region} {part.purchase} prices; {fix}"
            )
        parts.append(part)
    return parts
