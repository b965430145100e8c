"""Connection settings measured side by side: when a configuration was also measured with
another `reuse_port` or `keep_alive_s` (the same app, interpreter, server kind, workers and
threads), and that one costs less, the estimate says so with both figures, e.g. "with
--reuse-port this configuration needs 2 instances instead of 5". Only from measurements of
both settings: a setting that was not measured is never priced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from estimator.estimate.models import ConfigEstimate, SettingAlternative
from estimator.scenario import ServerConfig
from estimator.serve.argv import keep_alive_s
from estimator.store.summary import ConfigSummary


def setting_difference(this: ServerConfig, other: ServerConfig) -> list[str]:
    """What `other` sets that `this` does not, as the server's options ('--reuse-port',
    '--keep-alive 0'; 'no --reuse-port' when `other` leaves it off)."""
    out = []
    if other.reuse_port != this.reuse_port:
        out.append("--reuse-port" if other.reuse_port else "no --reuse-port")
    if other.keep_alive_s != this.keep_alive_s:
        out.append(f"{other.keep_alive_flag} {keep_alive_s(other)}")
    return out


def _twin_key(s: ConfigSummary) -> tuple[str, str, str, float | None]:
    return (s.app, s.variant, s.server.base_label, s.quota_cpus)


def with_setting_alternatives(
    configs: Sequence[ConfigEstimate],
    summaries: Sequence[ConfigSummary],
    groups: Mapping[str, int],
) -> list[ConfigEstimate]:
    """Each priced configuration with the cheaper twins (`SettingAlternative`) measured with
    other connection settings; `groups`: the tie group of each ranked key."""
    by_key = {s.key: s for s in summaries}
    priced = {c.key: c for c in configs if c.best is not None}
    out = []
    for c in configs:
        this = by_key.get(c.key)
        best = c.best
        if this is None or best is None:
            out.append(c)
            continue
        alternatives = []
        for s in summaries:
            other = priced.get(s.key)
            if s.key == c.key or other is None or _twin_key(s) != _twin_key(this):
                continue
            o = other.best
            assert o is not None
            if o.monthly_usd >= best.monthly_usd:
                continue
            mine, theirs = groups.get(c.key), groups.get(s.key)
            alternatives.append(
                SettingAlternative(
                    key=s.key,
                    settings=setting_difference(this.server, s.server),
                    instance_type=o.instance_type,
                    peak_instances=o.peak_instances,
                    monthly_usd=o.monthly_usd,
                    this_instance_type=best.instance_type,
                    this_peak_instances=best.peak_instances,
                    this_monthly_usd=best.monthly_usd,
                    distinguishable=mine is not None and theirs is not None and mine != theirs,
                )
            )
        alternatives.sort(key=lambda a: a.monthly_usd)
        out.append(c.model_copy(update={"setting_alternatives": alternatives}))
    return out
