"""Which configuration each app's savings are measured against.

Default, per app: the oldest standard CPython variant (a GIL build without a JIT or CinderX:
what most teams run today; free-threaded and JIT variants are the alternatives being weighed)
served by gunicorn sync workers, with the fewest workers (then threads); at the same version a
plain build before a `+opt` one. When an app has no such configuration, the rule relaxes (any
server, then any CPython build, then any interpreter) and the reason says so.

`--baseline SELECTOR` picks one by the words of its key, matched like
`estimator compare` (`select_config`); a selector without the app's name picks one
configuration in every app it matches (e.g. '3.13 sync w1').
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from estimator.errors import EstimatorError
from estimator.estimate.arith import saving_pct
from estimator.estimate.errors import EstimateError
from estimator.estimate.models import ConfigEstimate, Saving
from estimator.estimate.options import InstanceOption
from estimator.interpreters.variants import VariantSpec, parse_variant
from estimator.store.compare import select_config
from estimator.store.summary import ConfigSummary

Choice = tuple[str, str]
"""(baseline key, why it was chosen)"""


def _spec(variant: str) -> VariantSpec | None:
    try:
        return parse_variant(variant)
    except EstimatorError:
        return None


def _standard(spec: VariantSpec | None) -> bool:
    return spec is not None and not (spec.free_threaded or spec.jit or spec.cinderx)


def _order(s: ConfigSummary) -> tuple[bool, bool, bool, tuple[int, ...], bool, int, int, str]:
    spec = _spec(s.variant)
    cpython = spec is not None and spec.implementation == "cpython"
    version = (spec.major, spec.minor, spec.micro or 0) if spec else (999,)
    return (
        not cpython,
        not _standard(spec),
        s.server.kind != "gunicorn-sync",
        version,
        bool(spec and spec.optimized),
        s.workers,
        s.server.threads_per_worker,
        s.key,
    )


def default_baseline(app: str, summaries: Sequence[ConfigSummary]) -> Choice:
    """The default rule applied to one app's configurations."""
    best = min(summaries, key=_order)
    spec = _spec(best.variant)
    if spec is None or spec.implementation != "cpython":
        why = f"no CPython configuration of {app} was measured: the oldest variant"
    elif not _standard(spec):
        why = (
            f"no standard (GIL, no JIT) CPython of {app} was measured: the oldest CPython "
            f"build ({best.variant}, {best.server.label})"
        )
    elif best.server.kind != "gunicorn-sync":
        why = (
            f"no gunicorn-sync configuration of {app} was measured: the oldest CPython "
            f"({best.variant}) with the fewest workers ({best.workers})"
        )
    else:
        why = (
            f"default: the oldest CPython ({best.variant}) with gunicorn sync workers, the "
            f"fewest workers ({best.workers})"
        )
    return best.key, why


def _select(selector: str, by_app: dict[str, list[str]]) -> dict[str, str]:
    """app → key for one selector (raises ConfigError as `estimator compare` does)."""
    words = selector.lower().replace("|", " ").split()
    hits = {
        app: [k for k in keys if all(w in k.lower() for w in words)] for app, keys in by_app.items()
    }
    hits = {app: ks for app, ks in hits.items() if ks}
    if not hits:
        select_config(selector, [k for ks in by_app.values() for k in ks])  # raises: no match
    return {app: select_config(selector, keys) for app, keys in hits.items()}


def choose_baselines(
    summaries: Sequence[ConfigSummary], selectors: Sequence[str]
) -> dict[str, Choice]:
    """app → (baseline key, reason)."""
    by_app: dict[str, list[ConfigSummary]] = defaultdict(list)
    for s in summaries:
        by_app[s.app].append(s)
    chosen: dict[str, Choice] = {}
    keys = {app: sorted(s.key for s in ss) for app, ss in by_app.items()}
    for selector in selectors:
        for app, key in _select(selector, keys).items():
            if app in chosen and chosen[app][0] != key:
                raise EstimateError(
                    f"--baseline: two baselines for app '{app}' ({chosen[app][0]}; {key}); "
                    "give one selector per app"
                )
            chosen[app] = (key, f"--baseline '{selector}'")
    for app, ss in by_app.items():
        if app not in chosen:  # the default rule prefers ranked configurations
            chosen[app] = default_baseline(
                app, [s for s in ss if s.not_ranked_reason is None] or ss
            )
    return chosen


def saving(c: InstanceOption, base: InstanceOption, base_key: str, distinguishable: bool) -> Saving:
    """baseline − c at the means, and its interval from the two cost intervals."""
    known = c.monthly_usd_low is not None and base.monthly_usd_low is not None
    low = high = None
    if known and c.monthly_usd_high is not None and base.monthly_usd_low is not None:
        low = base.monthly_usd_low - c.monthly_usd_high
    if known and base.monthly_usd_high is not None and c.monthly_usd_low is not None:
        high = base.monthly_usd_high - c.monthly_usd_low
    diff = base.monthly_usd - c.monthly_usd
    return Saving(
        baseline_key=base_key,
        baseline_usd=base.monthly_usd,
        usd=diff,
        usd_low=low,
        usd_high=high,
        pct=saving_pct(diff, base.monthly_usd),
        pct_low=None if low is None else saving_pct(low, base.monthly_usd),
        pct_high=None if high is None else saving_pct(high, base.monthly_usd),
        known=known,
        distinguishable=distinguishable,
        baseline_lower_bound=base.lower_bound,
        lower_bound=c.lower_bound,
    )


def with_savings(
    configs: Sequence[ConfigEstimate], baselines: dict[str, Choice], groups: dict[str, int]
) -> list[ConfigEstimate]:
    """Each configuration with its app's baseline and the saving vs it (when both priced and
    ranked). `groups`: tie group per ranked configuration key."""
    by_key = {c.key: c for c in configs}
    out = []
    for c in configs:
        key, why = baselines[c.app]
        base = by_key.get(key)
        s = None
        reason = why
        if base is None:
            reason = f"{why}; the baseline could not be modelled (see excluded)"
        elif base.best is None:
            reason = f"{why}; the baseline could not be priced: {base.unpriced_reason}"
        elif base.not_ranked_reason is not None:
            reason = f"{why}; the baseline is not ranked: {base.not_ranked_reason}"
        elif c.best is not None and c.not_ranked_reason is None:
            g, gb = groups.get(c.key), groups.get(key)
            s = saving(c.best, base.best, key, g is not None and gb is not None and g != gb)
        out.append(
            c.model_copy(update={"baseline_key": key, "baseline_reason": reason, "saving": s})
        )
    return out
