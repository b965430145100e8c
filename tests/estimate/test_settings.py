"""A connection setting measured beside the same configuration: the line that says it cuts
the bill, from both measurements, and never from one alone."""

from __future__ import annotations

from datetime import UTC, datetime

from estimator.display import row, setting_lines, setting_phrase
from estimator.estimate import estimate
from estimator.estimate.settings import setting_difference
from estimator.scenario import ServerConfig
from estimator.stats import Estimate
from estimator.store.summary import ConfigSummary
from tests.capacity.factory import summary
from tests.estimate.helpers import M6I, M7G, catalog, request

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _e(mean: float, rel: float = 0.03) -> Estimate:
    return Estimate(mean=mean, ci_low=mean * (1 - rel), ci_high=mean * (1 + rel), n=8)


def _nine(
    reuse: bool, x_max: float, busy: float, *, variant: str = "cpython-3.12"
) -> ConfigSummary:
    suffix = " reuse-port" if reuse else ""
    return summary(
        key=f"up | {variant} | gunicorn-gthread w9x1{suffix}",
        app="up",
        variant=variant,
        kind="gunicorn-gthread",
        workers=9,
        threads=1,
        reuse_port=reuse,
        d_ms=_e(0.5),
        s_ms=_e(52.0, 0.02),
        x_max=_e(x_max, 0.05),
        busy_workers=_e(busy, 0.06),
        uneven=busy < 6,
    )


def test_the_cheaper_setting_is_named_with_both_instance_counts() -> None:
    report = estimate(
        [_nine(False, 57.0, 3.0), _nine(True, 150.0, 8.6)],
        catalog(M6I, M7G),
        request(1000),
        generated_at=AT,
    )
    plain = report.config("up | cpython-3.12 | gunicorn-gthread w9x1")
    reuse = report.config("up | cpython-3.12 | gunicorn-gthread w9x1 reuse-port")
    assert plain is not None
    assert reuse is not None
    assert reuse.setting_alternatives == []  # nothing measured is cheaper than it
    (alt,) = plain.setting_alternatives
    assert alt.key == reuse.key
    assert alt.settings == ["--reuse-port"]
    assert plain.best is not None
    assert reuse.best is not None
    assert (alt.peak_instances, alt.this_peak_instances) == (
        reuse.best.peak_instances,
        plain.best.peak_instances,
    )
    assert alt.peak_instances < alt.this_peak_instances
    assert alt.distinguishable
    phrase = setting_phrase(alt)
    assert phrase.startswith(
        f"with --reuse-port this configuration needs {alt.peak_instances} m7g.large "
        f"instance(s) instead of {alt.this_peak_instances}"
    )
    assert "both measured: cpython-3.12 | gunicorn-gthread w9x1 reuse-port" in phrase
    assert phrase in row(plain, report).note
    assert row(plain, report).settings == phrase
    assert setting_lines(report) == [f"{plain.key}: {phrase}"]
    # the uneven workers are said too
    assert "workers unevenly used (3.0 of 9 busy)" in row(plain, report).note


def test_a_setting_measured_for_another_interpreter_is_not_compared() -> None:
    report = estimate(
        [_nine(False, 57.0, 3.0), _nine(True, 150.0, 8.6, variant="cpython-3.13")],
        catalog(M6I, M7G),
        request(1000),
        generated_at=AT,
    )
    assert all(c.setting_alternatives == [] for c in report.configurations)
    assert setting_lines(report) == []


def test_a_setting_inside_the_noise_is_no_measurable_difference() -> None:
    # 7.0 vs 8.6 busy workers: one instance fewer at the means, but the intervals overlap
    report = estimate(
        [_nine(False, 120.0, 7.0), _nine(True, 152.0, 8.6)],
        catalog(M6I, M7G),
        request(1000),
        generated_at=AT,
    )
    plain = report.config("up | cpython-3.12 | gunicorn-gthread w9x1")
    assert plain is not None
    (alt,) = plain.setting_alternatives
    assert alt.peak_instances < alt.this_peak_instances
    assert not alt.distinguishable  # one tie group
    assert setting_phrase(alt).startswith("with --reuse-port: no measurable difference ($")


def test_setting_differences_are_the_servers_own_options() -> None:
    base = ServerConfig(kind="gunicorn-gthread", workers=3, threads=3)
    assert setting_difference(base, base.model_copy(update={"reuse_port": True})) == [
        "--reuse-port"
    ]
    assert setting_difference(base.model_copy(update={"reuse_port": True}), base) == [
        "no --reuse-port"
    ]
    assert setting_difference(base, base.model_copy(update={"keep_alive_s": 0})) == [
        "--keep-alive 0"
    ]
    assert setting_difference(base.model_copy(update={"keep_alive_s": 0}), base) == [
        "--keep-alive 5"
    ]
    uv = ServerConfig(kind="uvicorn", workers=2)
    assert setting_difference(uv, uv.model_copy(update={"keep_alive_s": 30})) == [
        "--timeout-keep-alive 30"
    ]
