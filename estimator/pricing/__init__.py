"""The pricing stage: an embedded, dated AWS price snapshot (EC2, Lambda, Fargate), live
refresh via boto3 into a user catalog, and visible overrides (discount, custom prices).

Later stages call `load_catalog()` and query the `Catalog`; prices the catalog lacks are
collected in a `MissingPrices` and reported once, never priced at zero.
"""

from estimator.pricing.catalog import Catalog, normalize_arch, normalize_purchase
from estimator.pricing.listing import ListedPrice, PriceListing, price_listing
from estimator.pricing.load import load_catalog
from estimator.pricing.missing import MissingPrice, MissingPrices
from estimator.pricing.models import (
    Arch,
    FargatePrice,
    Gap,
    InstanceType,
    LambdaPrice,
    PriceSource,
    Purchase,
)

__all__ = [
    "Arch",
    "Catalog",
    "FargatePrice",
    "Gap",
    "InstanceType",
    "LambdaPrice",
    "ListedPrice",
    "MissingPrice",
    "MissingPrices",
    "PriceListing",
    "PriceSource",
    "Purchase",
    "load_catalog",
    "normalize_arch",
    "normalize_purchase",
    "price_listing",
]
