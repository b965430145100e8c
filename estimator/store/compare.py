"""`estimator compare A B`: do two configurations differ, metric by metric?

Each metric's values are per window (cost windows for CPU and memory, single-user windows
for the latency at low load, the lowest steady rate's windows for p95) and, for capacity,
per run. Welch's t-test over them (like `pyperf compare_to`); when A and B were measured in
one batch, the CPU verdict comes from their paired per-round ratio instead (`store.paired`),
far tighter than two separate samples. One value on a side gives the ratio and says that
significance can't be judged.

Like with like: A and B are compared within one scenario version (load plan, SLO, load
test): the newest version that measured both. When none did, the comparison is refused with
a message (the figures would mean different things).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from estimator._model import Model
from estimator.errors import ConfigError
from estimator.measure import RunResult
from estimator.stats import Comparison, welch
from estimator.store.figures import RunFigures, run_figures
from estimator.store.paired import PairedRatio, paired_cpu_ratio

METRICS: dict[str, str] = {
    # name: unit
    "capacity_rps": "req/s",
    "cpu_ms_per_request": "ms",
    "latency_mean_ms": "ms",
    "p95_ms": "ms",
    "worker_uss_mib": "MiB",
}


class MetricComparison(Model):
    metric: str
    unit: str
    a: list[float]
    b: list[float]
    ratio: float | None = Field(description="mean(b) / mean(a)")
    test: Comparison | None = Field(description="None: fewer than 2 values on a side")
    verdict: str
    paired: PairedRatio | None = Field(
        None, description="CPU only: B ÷ A per round of their common batch"
    )


class ConfigComparison(Model):
    a: str
    b: str
    metrics: list[MetricComparison]
    scenario_hash: str | None = Field(None, description="the scenario version compared")


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


def _values(figures: list[RunFigures], metric: str) -> list[float]:
    if metric == "capacity_rps":
        return [f.capacity.capacity for f in figures]
    if metric == "cpu_ms_per_request":
        return [v * 1000 for f in figures for v in f.cpu]
    if metric == "latency_mean_ms":
        return [v for f in figures for v in f.s_ms]
    if metric == "p95_ms":
        return [v for f in figures for v in f.p95_steady_ms]
    return [v for f in figures for v in f.uss_mib]


def _common_version(runs: dict[str, list[RunResult]], key_a: str, key_b: str) -> str:
    versions_a = {r.cell.scenario_hash: r for r in runs[key_a]}
    versions_b = {r.cell.scenario_hash: r for r in runs[key_b]}
    common = set(versions_a) & set(versions_b)
    if not common:
        name_a = sorted({r.cell.scenario for r in runs[key_a]})
        name_b = sorted({r.cell.scenario for r in runs[key_b]})
        raise ConfigError(
            f"'{key_a}' (scenario {', '.join(name_a)}) and '{key_b}' (scenario "
            f"{', '.join(name_b)}) were measured under different scenario versions (another "
            "load plan, SLO or load test): their figures are not comparable; measure both in "
            "one scenario"
        )
    return max(common, key=lambda h: max(versions_a[h].started_at, versions_b[h].started_at))


def _verdict(a: list[float], b: list[float]) -> tuple[Comparison | None, str]:
    if len(a) >= 2 and len(b) >= 2:
        test = welch(a, b)
        return test, test.reason
    return None, (
        f"{len(a)} vs {len(b)} values: significance needs at least 2 on each side "
        "(measure more rounds)"
    )


def _paired_verdict(pr: PairedRatio) -> str:
    r = pr.ratio
    where = f"paired over {r.n} rounds of one batch: B/A = {r.mean:.3f}"
    if not pr.known:
        return f"{where} (one round: interval unknown)"
    span = f" [{r.ci_low:.3f}–{r.ci_high:.3f}]"
    if pr.significant:
        return f"{where}{span}, excludes 1: the difference is significant"
    return f"{where}{span}, includes 1: no measurable difference"


def compare_configs(
    runs: Sequence[RunResult], selector_a: str, selector_b: str
) -> ConfigComparison:
    by_key: dict[str, list[RunResult]] = {}
    for run in runs:
        if run.status == "ok" and not isinstance(run_figures(run), str):
            by_key.setdefault(run.config_key, []).append(run)
    key_a = select_config(selector_a, sorted(by_key))
    key_b = select_config(selector_b, sorted(by_key))
    if key_a == key_b:
        raise ConfigError(f"both selectors pick '{key_a}'; give two different configurations")
    version = _common_version(by_key, key_a, key_b)
    runs_a = [r for r in by_key[key_a] if r.cell.scenario_hash == version]
    runs_b = [r for r in by_key[key_b] if r.cell.scenario_hash == version]
    fig_a = [f for f in map(run_figures, runs_a) if not isinstance(f, str)]
    fig_b = [f for f in map(run_figures, runs_b) if not isinstance(f, str)]
    pr = paired_cpu_ratio([*runs_a, *runs_b], key_a, key_b)
    metrics = []
    for name, unit in METRICS.items():
        a, b = _values(fig_a, name), _values(fig_b, name)
        mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
        test, verdict = _verdict(a, b)
        paired = pr if name == "cpu_ms_per_request" else None
        if paired is not None:
            verdict = _paired_verdict(paired)
        metrics.append(
            MetricComparison(
                metric=name,
                unit=unit,
                a=a,
                b=b,
                ratio=mean_b / mean_a if mean_a else None,
                test=test,
                verdict=verdict,
                paired=paired,
            )
        )
    return ConfigComparison(a=key_a, b=key_b, metrics=metrics, scenario_hash=version)
