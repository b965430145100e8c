from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from estimator.errors import ConfigError
from estimator.scenario import CpuLayout
from estimator.serve import Placement, default_placement, generator_cpus, placement_for
from estimator.serve.placement import _ranges, check_cpus

CPUS = sorted(os.sched_getaffinity(0))


def test_default_server_on_the_last_cpu_generator_on_the_others() -> None:
    p = default_placement()
    assert p.server_cpus == [CPUS[-1]]
    assert p.quota_cpus is None
    assert p.memory_limit_mb is None
    if len(CPUS) > 1:
        assert generator_cpus(p) == CPUS[:-1]
    else:
        assert generator_cpus(p) == CPUS


def test_layout_fills_the_defaults() -> None:
    p = placement_for(CpuLayout(quota_cpus=0.5, memory_limit_mb=512))
    assert p == Placement(server_cpus=[CPUS[-1]], quota_cpus=0.5, memory_limit_mb=512)
    assert placement_for(CpuLayout(server_cpus=[CPUS[0]])).server_cpus == [CPUS[0]]


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"server_cpus": []}, "at least 1 item"),
        ({"server_cpus": [-1]}, "CPU numbers start at 0"),
        ({"server_cpus": [1, 1]}, "listed twice"),
        ({"server_cpus": [0], "quota_cpus": 0}, "greater than 0"),
        ({"server_cpus": [0], "memory_limit_mb": -5}, "greater than 0"),
    ],
)
def test_bad_placements(kwargs: dict[str, object], msg: str) -> None:
    with pytest.raises(ValidationError, match=msg):
        Placement(**kwargs)


def test_cpus_this_process_cannot_use_are_refused() -> None:
    check_cpus(Placement(server_cpus=[CPUS[-1]]))
    with pytest.raises(ConfigError, match=r"CPU\(s\) \[4096\] are not available here"):
        check_cpus(Placement(server_cpus=[4096]))


def test_ranges() -> None:
    assert _ranges([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert _ranges([3]) == "3"
