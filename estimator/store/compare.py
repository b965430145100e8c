"""`estimator compare A B`: do two configurations differ, metric by metric? Welch's t-test
over their repetitions (like `pyperf compare_to`); one repetition per side gives the ratio and
says that significance can't be judged."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.measure import RunResult
from estimator.stats import Comparison, welch
from estimator.store.summarize import RunFigures, run_figures

METRICS: dict[str, tuple[str, str]] = {
    # name: (RunFigures attribute, unit)
    "capacity_rps": ("capacity", "req/s"),
    "cpu_ms_per_request": ("d", "ms"),
    "latency_mean_ms": ("s_ms", "ms"),
    "p95_ms": ("p95_ms", "ms"),
    "worker_uss_mib": ("uss_mib", "MiB"),
}


class MetricComparison(Model):
    metric: str
    unit: str
    a: list[float]
    b: list[float]
    ratio: float | None = Field(description="mean(b) / mean(a)")
    test: Comparison | None = Field(description="None: fewer than 2 repetitions on a side")
    verdict: str


class ConfigComparison(Model):
    a: str
    b: str
    metrics: list[MetricComparison]


def select_config(selector: str, keys: Sequence[str]) -> str:
    """A configuration by the words of its key: 'flask 3.11 sync w2' matches
    'flask | cpython-3.11 | gunicorn-sync w2'. Exactly one must match."""
    words = selector.lower().replace("|", " ").split()
    hits = [k for k in keys if all(w in k.lower() for w in words)]
    exact = [k for k in hits if k.lower() == selector.lower().strip()]
    if exact:
        return exact[0]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise ConfigError(
            f"no measured configuration matches '{selector}'; `estimator runs` lists them"
        )
    raise ConfigError(
        f"'{selector}' matches {len(hits)} configurations ({'; '.join(hits[:4])}); "
        "add words to pick one"
    )


def _value(f: RunFigures, attr: str) -> float:
    value = float(getattr(f, attr))
    return value * 1000 if attr == "d" else value


def compare_configs(
    runs: Sequence[RunResult], selector_a: str, selector_b: str
) -> ConfigComparison:
    by_key: dict[str, list[RunFigures]] = {}
    for run in runs:
        if run.status != "ok":
            continue
        f = run_figures(run)
        if not isinstance(f, str):
            by_key.setdefault(run.config_key, []).append(f)
    key_a = select_config(selector_a, sorted(by_key))
    key_b = select_config(selector_b, sorted(by_key))
    if key_a == key_b:
        raise ConfigError(f"both selectors pick '{key_a}'; give two different configurations")
    metrics = []
    for name, (attr, unit) in METRICS.items():
        a = [_value(f, attr) for f in by_key[key_a]]
        b = [_value(f, attr) for f in by_key[key_b]]
        mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
        ratio = mean_b / mean_a if mean_a else None
        test: Comparison | None = None
        if len(a) >= 2 and len(b) >= 2:
            test = welch(a, b)
            verdict = test.reason
        else:
            verdict = (
                f"{len(a)} vs {len(b)} repetitions: significance needs at least 2 on each "
                "side (raise 'repetitions' in the scenario)"
            )
        metrics.append(
            MetricComparison(
                metric=name, unit=unit, a=a, b=b, ratio=ratio, test=test, verdict=verdict
            )
        )
    return ConfigComparison(a=key_a, b=key_b, metrics=metrics)
