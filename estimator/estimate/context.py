"""What every pricing step of one estimate shares."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.capacity import Assumptions, TrafficProfile
from estimator.estimate.request import FleetMode


@dataclass(frozen=True)
class Context:
    traffic: TrafficProfile
    assumptions: Assumptions
    fleet: FleetMode
    """the fleet mode whose cost ranks"""
    requests: Decimal
    """requests a month, from the traffic"""
