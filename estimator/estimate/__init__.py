"""Stage: the estimate. Measured configurations × the price catalog → per configuration the
cheapest EC2 option meeting the SLO (count per hour and at peak, $/month, $ per million
requests, the binding limit), Fargate and Lambda from the same measurements, the saving vs a
baseline, ranked; and an `EstimateReport` that carries every input behind the numbers.
"""

from estimator.estimate.errors import EstimateError
from estimator.estimate.models import (
    SCHEMA_VERSION,
    ConfigEstimate,
    EstimateReport,
    Headline,
    PricingInfo,
    Saving,
    SettingAlternative,
    TrafficSummary,
)
from estimator.estimate.options import FargateOption, InstanceOption, LambdaOption
from estimator.estimate.profiles import DEFAULT_PROFILE, PROFILES, profile_traffic
from estimator.estimate.request import (
    FLEET_MODES,
    EstimateRequest,
    FleetMode,
    load_request_catalog,
)
from estimator.estimate.run import estimate

__all__ = [
    "DEFAULT_PROFILE",
    "FLEET_MODES",
    "PROFILES",
    "SCHEMA_VERSION",
    "ConfigEstimate",
    "EstimateError",
    "EstimateReport",
    "EstimateRequest",
    "FargateOption",
    "FleetMode",
    "Headline",
    "InstanceOption",
    "LambdaOption",
    "PricingInfo",
    "Saving",
    "SettingAlternative",
    "TrafficSummary",
    "estimate",
    "load_request_catalog",
    "profile_traffic",
]
