"""Which configurations of an app the measurements cannot tell apart by cost: tie groups.

Rule (`AppTies` states it with its numbers): each ranked configuration's $/month is evaluated
at its cheapest option with the inputs' CIs widened to 1 − (1 − FAMILY_CONFIDENCE) ÷ k, k the
app's ranked configurations (Bonferroni: all k intervals hold their true costs with
probability ≥ FAMILY_CONFIDENCE, and then no two configurations of equal true cost have
disjoint intervals, so a difference is claimed falsely with probability ≤ 5% over the whole
app). Configurations whose intervals overlap, directly or through others, are one group (the
connected components of the overlap graph): any two configurations in different groups have
disjoint intervals, so "A is cheaper than B" holds for every pair across groups. An interval
that is not known (one measurement) overlaps every other; one with no upper end overlaps every
one above its low end.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from estimator.estimate.models import AppTies, TieGroup, TieMember

FAMILY_CONFIDENCE = 0.95


def confidence_for(k: int) -> float:
    """Per-configuration confidence for an app of k ranked configurations."""
    return 1 - (1 - FAMILY_CONFIDENCE) / max(1, k)


def group(members: Sequence[TieMember]) -> list[list[TieMember]]:
    """Connected components of overlapping intervals, cheapest first; members by cost."""
    if any(m.monthly_usd_low is None for m in members):  # not known: overlaps everything
        return [sorted(members, key=lambda m: (m.monthly_usd, m.key))] if members else []
    by_low = sorted(members, key=lambda m: (m.monthly_usd_low, m.monthly_usd, m.key))
    groups: list[list[TieMember]] = []
    reach: Decimal | None = None  # highest end so far in the current group; None: unbounded
    for m in by_low:
        low = m.monthly_usd_low
        assert low is not None
        if groups and (reach is None or low <= reach):
            groups[-1].append(m)
        else:
            groups.append([m])
            reach = m.monthly_usd_high
            continue
        high = m.monthly_usd_high
        reach = None if reach is None or high is None else max(reach, high)
    return [sorted(g, key=lambda m: (m.monthly_usd, m.key)) for g in groups]


def app_ties(app: str, members: Sequence[TieMember]) -> AppTies:
    k = len(members)
    groups = group(members)
    return AppTies(
        app=app,
        configurations=k,
        family_confidence=FAMILY_CONFIDENCE,
        confidence=confidence_for(k),
        groups=[TieGroup(group=i, members=g) for i, g in enumerate(groups, start=1)],
    )
