"""Traffic the fleet must serve: 24 hourly mean rates (req/s) of a typical day.

Files (`load_traffic`): JSON `[24 numbers]` (req/s), `{"hourly_rps": [...]}` or
`{"peak_rps": N, "fractions": [24 numbers, the busiest 1.0]}`; CSV with one rate per line or
`hour,rps` lines (a header line is allowed).
"""

from __future__ import annotations

import csv
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from estimator._model import Model
from estimator.capacity.errors import CapacityError
from estimator.errors import describe_validation_error
from estimator.money import HOURS_PER_MONTH

HOURS = 24
DAYS_PER_MONTH = HOURS_PER_MONTH / HOURS
"""730 h ÷ 24 = 30.4166… days: the same calendar convention as flat monthly prices."""


MAX_RPS = 1e9
"""A billion requests a second: above it a rate is a typo (and overflows exact money)."""


class TrafficProfile(Model):
    hourly_rps: list[float] = Field(min_length=HOURS, max_length=HOURS)
    source: str = Field("", description="where the profile came from")

    @field_validator("hourly_rps")
    @classmethod
    def _rates(cls, v: list[float]) -> list[float]:
        bad = [(h, r) for h, r in enumerate(v) if not (math.isfinite(r) and 0 <= r <= MAX_RPS)]
        if bad:
            raise ValueError(
                f"hourly rates must be >= 0 and at most {MAX_RPS:,.0f} req/s; "
                f"bad (hour, rate): {bad}"
            )
        if max(v) <= 0:
            raise ValueError("every hour is 0 req/s; give the traffic to plan for")
        return v

    @classmethod
    def constant(cls, rps: float) -> TrafficProfile:
        """The same rate all day (what `--peak-rps N` alone means)."""
        return cls(hourly_rps=[rps] * HOURS, source=f"constant {rps:g} req/s")

    @classmethod
    def from_fractions(cls, peak_rps: float, fractions: list[float]) -> TrafficProfile:
        """Hourly rates as fractions of the peak; the busiest hour must be 1.0."""
        if len(fractions) != HOURS or not all(0 <= f <= 1 for f in fractions):
            raise CapacityError(
                f"traffic fractions: need {HOURS} values between 0 and 1, got {len(fractions)} "
                f"(max {max(fractions, default=0):g}); one per hour, the busiest hour 1.0"
            )
        if not math.isclose(max(fractions), 1.0, rel_tol=1e-9):
            raise CapacityError(
                f"traffic fractions: the busiest hour is {max(fractions):g}, not 1.0; divide "
                "by it so the peak hour is 1.0, or give hourly_rps instead"
            )
        return cls(
            hourly_rps=[peak_rps * f for f in fractions],
            source=f"peak {peak_rps:g} req/s × hourly fractions",
        )

    @property
    def peak_rps(self) -> float:
        return max(self.hourly_rps)

    @property
    def requests_per_day(self) -> float:
        return math.fsum(self.hourly_rps) * 3600

    @property
    def requests_per_month(self) -> float:
        return self.requests_per_day * float(DAYS_PER_MONTH)


def load_traffic(path: Path) -> TrafficProfile:
    """Read a traffic profile file (JSON or CSV, see the module doc)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CapacityError(f"traffic file {path}: {exc.strerror}; check the path") from None
    except UnicodeDecodeError as exc:
        raise CapacityError(
            f"traffic file {path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON or CSV"
        ) from None
    data = _parse_json(path, text) if path.suffix.lower() == ".json" else _parse_csv(path, text)
    try:
        if isinstance(data, dict) and "fractions" in data:
            extra = set(data) - {"peak_rps", "fractions"}
            if extra or "peak_rps" not in data:
                raise CapacityError(
                    f"traffic file {path}: with 'fractions' give exactly 'peak_rps' too "
                    f"(unexpected: {sorted(extra)})"
                )
            profile = TrafficProfile.from_fractions(
                float(data["peak_rps"]), [float(f) for f in data["fractions"]]
            )
        elif isinstance(data, dict):
            profile = TrafficProfile.model_validate(data)
        else:
            profile = TrafficProfile(hourly_rps=data)
    except ValidationError as exc:
        raise CapacityError(describe_validation_error(exc, f"traffic file {path}")) from None
    except (TypeError, ValueError, OverflowError):
        raise CapacityError(f"traffic file {path}: values must be numbers") from None
    return profile.model_copy(update={"source": profile.source or str(path)})


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CapacityError(
            f"traffic file {path}: not JSON ({exc.msg}, line {exc.lineno}); give 24 rates"
        ) from None
    except RecursionError:
        raise CapacityError(
            f"traffic file {path}: nested too deeply; give 24 rates, e.g. [10, 12, ...]"
        ) from None


def _parse_csv(path: Path, text: str) -> list[float]:
    """`rps` lines, or `hour,rps` lines whose hours are 0..23 once each (in any order)."""
    rows: list[tuple[int, list[str]]] = []
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if cells:
            rows.append((n, cells))
    if rows and not _numeric(rows[0][1][-1]):
        rows = rows[1:]  # a header line
    widths = {len(cells) for _, cells in rows}
    if len(widths) > 1 or widths - {1, 2}:
        raise CapacityError(
            f"traffic file {path}: mixed or wide lines; use 'rps' or 'hour,rps' lines, one per hour"
        )
    rates: dict[int, float] = {}
    for i, (n, cells) in enumerate(rows):
        hour = _hour(path, n, cells[0]) if len(cells) == 2 else i
        if not _numeric(cells[-1]):
            raise CapacityError(
                f"traffic file {path}, line {n}: '{cells[-1]}' is not a rate; "
                "use 'rps' or 'hour,rps' lines"
            )
        if hour in rates:
            raise CapacityError(f"traffic file {path}, line {n}: hour {hour} is given twice")
        rates[hour] = float(cells[-1])
    if len(rates) != HOURS:
        raise CapacityError(f"traffic file {path}: {len(rates)} rates; need {HOURS}, one per hour")
    return [rates[h] for h in range(HOURS)]


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _hour(path: Path, n: int, text: str) -> int:
    try:
        hour = int(text)
    except ValueError:
        hour = -1
    if not 0 <= hour < HOURS:
        raise CapacityError(
            f"traffic file {path}, line {n}: hour '{text}' is not 0-23; use 'hour,rps' lines"
        )
    return hour


def month_hours(instance_hours_per_day: int | Decimal) -> Decimal:
    """Instance-hours per month from instance-hours in the typical day (× 730 ÷ 24)."""
    return Decimal(instance_hours_per_day) * HOURS_PER_MONTH / HOURS
