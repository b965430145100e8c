"""Stage: the capacity model. From a measured configuration (store summary) to requests/s per
instance (the binding limit named), instance counts for a traffic profile, Fargate task sizes
and Lambda memory/duration. No prices here: the estimate stage multiplies the usage
(instance-hours, vCPU-/GB-hours, GB-seconds, requests) by the catalog's prices.

Formulas and assumptions: docs/model.md.
"""

from estimator.capacity.assumptions import (
    AssumptionRow,
    Assumptions,
    WorkersRule,
    with_measured_quota_curve,
)
from estimator.capacity.awslambda import LambdaPlan, plan_lambda
from estimator.capacity.errors import CapacityError
from estimator.capacity.fargate import FargateCandidate, FargatePlan, plan_fargate
from estimator.capacity.fleet import FleetCounts, FleetPlan, instances_for, plan_fleet
from estimator.capacity.hardware import (
    FARGATE_SIZES,
    Arch,
    FargateTask,
    HardwareShape,
    physical_cores_for,
)
from estimator.capacity.inputs import Interval, MeasuredInputs
from estimator.capacity.instance import InstanceCapacity, Limit, instance_capacity
from estimator.capacity.quota import (
    DEFAULT_QUOTA_CURVE,
    QuotaCurve,
    QuotaPoint,
    fit_quota_curve,
    quota_curve_from_summaries,
)
from estimator.capacity.traffic import TrafficProfile, load_traffic
from estimator.capacity.validation import (
    SaturationPrediction,
    ValidationRow,
    predict_measured,
    predict_saturation,
    validation_table,
)

__all__ = [
    "DEFAULT_QUOTA_CURVE",
    "FARGATE_SIZES",
    "Arch",
    "AssumptionRow",
    "Assumptions",
    "CapacityError",
    "FargateCandidate",
    "FargatePlan",
    "FargateTask",
    "FleetCounts",
    "FleetPlan",
    "HardwareShape",
    "InstanceCapacity",
    "Interval",
    "LambdaPlan",
    "Limit",
    "MeasuredInputs",
    "QuotaCurve",
    "QuotaPoint",
    "SaturationPrediction",
    "TrafficProfile",
    "ValidationRow",
    "WorkersRule",
    "fit_quota_curve",
    "instance_capacity",
    "instances_for",
    "load_traffic",
    "physical_cores_for",
    "plan_fargate",
    "plan_fleet",
    "plan_lambda",
    "predict_measured",
    "predict_saturation",
    "quota_curve_from_summaries",
    "validation_table",
    "with_measured_quota_curve",
]
