"""Hand-made calibration scores (test inputs, not measurements) and a CLI runner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from estimator.calibrate import VariantScore
from estimator.cli import main
from estimator.host import HostFacts

AT = datetime(2026, 12, 1, tzinfo=UTC)


def score(variant: str, value: float, host: HostFacts, machine: str = "local") -> VariantScore:
    """A score with a ±1% CI over 6 values."""
    return VariantScore(
        variant=variant,
        score=value,
        ci_low=value * 0.99,
        ci_high=value * 1.01,
        n=6,
        benchmark="shop-mix/1",
        values=[value] * 6,
        units_per_value=5,
        stop_reason="test input",
        endpoints_ms={"report": 1.0},
        python="3.11.7",
        implementation="cpython",
        executable="/usr/bin/python3",
        cpu=[1],
        machine=machine,
        host=host,
        taken_at=AT,
    )


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err
