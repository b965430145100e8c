"""Order options and configurations by cost at the means (whether two costs are told apart is
`ties`' business).

Costs are compared to the cent (what a report shows). Equal costs are ordered by, in turn:
1. lower binding-limit utilisation at the peak hour (the fleet runs cooler: more room for a
   burst or a slower request than planned);
2. more headroom in req/s at the peak (peak count × capacity − peak rate);
3. fewer instances at the peak (less to operate);
4. the name, so the order is stable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from estimator.estimate.options import InstanceOption
from estimator.money import cents


@dataclass(frozen=True)
class TieBreaker:
    description: str
    key: Callable[[InstanceOption], float]
    show: Callable[[InstanceOption], str]


TIE_BREAKERS: tuple[TieBreaker, ...] = (
    TieBreaker(
        "lower binding-limit utilisation at the peak",
        lambda o: round(o.peak_utilization, 3),
        lambda o: f"{o.peak_utilization:.1%}",
    ),
    TieBreaker(
        "more headroom at the peak",
        lambda o: -round(o.headroom_rps, 1),
        lambda o: f"{o.headroom_rps:,.1f} req/s",
    ),
    TieBreaker(
        "fewer instances at the peak",
        lambda o: float(o.peak_instances),
        lambda o: str(o.peak_instances),
    ),
)


def sort_key(option: InstanceOption, name: str) -> tuple[Decimal, float, float, float, str]:
    k = [t.key(option) for t in TIE_BREAKERS]
    return (cents(option.monthly_usd), k[0], k[1], k[2], name)


def rank_options(options: Sequence[tuple[str, InstanceOption]]) -> list[tuple[str, InstanceOption]]:
    """(name, option) pairs, cheapest first."""
    return sorted(options, key=lambda p: sort_key(p[1], p[0]))
