"""GET /compute: deterministic, pure-Python CPU work, the interpreter-sensitive endpoint.

Generates `size` order-like records with a seeded LCG (integer arithmetic), formats a key
for each (string work), aggregates them per category in a dict, sorts them all (tuple
comparisons) and folds a checksum over the sorted order. The result depends only on `size`,
so any two apps, interpreters or runs must agree on it.
"""

from __future__ import annotations

from typing import Any

from common.seed_data import Lcg

SEED = 424242
CATEGORIES = 16
TOP = 10


def run(size: int) -> dict[str, Any]:
    rng = Lcg(SEED)
    records = []
    stats: dict[str, list[int]] = {}
    for i in range(size):
        key = f"cat-{rng.below(CATEGORIES):02d}"
        amount = rng.between(100, 9_999) * rng.between(1, 9)
        records.append((-amount, key, i))
        agg = stats.get(key)
        if agg is None:
            stats[key] = [1, amount, amount, amount]
        else:
            agg[0] += 1
            agg[1] += amount
            agg[2] = min(agg[2], amount)
            agg[3] = max(agg[3], amount)
    records.sort()
    checksum = 0
    for _, _, i in records:
        checksum = (checksum * 31 + i) & 0xFFFFFFFF
    categories = [
        {
            "category": key,
            "count": count,
            "total": total,
            "min": low,
            "max": high,
            "mean": round(total / count, 2),
        }
        for key, (count, total, low, high) in sorted(stats.items())
    ]
    return {
        "size": size,
        "checksum": checksum,
        "median_amount": -records[size // 2][0],
        "top_ids": [i for _, _, i in records[:TOP]],
        "categories": categories,
    }
