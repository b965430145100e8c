from __future__ import annotations

import pytest

from estimator.load.histogram import RELATIVE_ERROR
from estimator.load.merge import merge_phase
from estimator.load.models import PhaseSpec
from estimator.load.protocol import DriverPhase
from estimator.load.recorder import MAX_REASON, PhaseRecorder, failure_reason


class Boom(Exception):
    pass


def test_only_requests_completing_inside_the_window_count() -> None:
    rec = PhaseRecorder("p", start=100.0, duration=2.0, users=3)
    rec.record(99.99, "GET", "/", 1.0)
    rec.record(100.0, "GET", "/", 1.0)
    rec.record(101.5, "GET", "/", 2.0)
    rec.record(102.0, "GET", "/", 3.0)  # the window is half-open
    out = rec.finish(cpu_s=0.5, start_lag_s=0.001)
    assert out.requests == 2
    assert out.latency.count == 2
    assert [(s.t, s.requests) for s in out.seconds] == [(0, 1), (1, 1)]
    assert out.users == 3
    assert out.cpu_s == 0.5


def test_failures_are_counted_with_reasons_and_kept_out_of_latency() -> None:
    rec = PhaseRecorder("p", start=0.0, duration=1.0, users=1)
    rec.record(0.1, "GET", "/", 5.0)
    rec.record(0.2, "GET", "/fail", 0.05, Boom("500 Server Error at 0x7f00aa"))
    rec.record(0.3, "GET", "/fail", 0.06, Boom("500 Server Error at 0x7f00bb"))
    rec.record(0.4, "POST", "/login", 0.07, "bad password")
    out = rec.finish(cpu_s=0.0, start_lag_s=0.0)
    assert (out.requests, out.failures) == (4, 3)
    assert out.latency.count == 1  # only the success
    reasons = {(f.name, f.reason): f.count for f in out.failure_reasons}
    assert reasons == {("/fail", "Boom: 500 Server Error"): 2, ("/login", "bad password"): 1}
    by_name = {(e.method, e.name): e for e in out.endpoints}
    assert by_name["GET", "/fail"].failures == 2
    assert by_name["GET", "/fail"].requests == 2
    assert by_name["GET", "/"].latency.count == 1


def test_failure_reason_is_bounded_and_stable() -> None:
    assert failure_reason(Boom("<Foo object at 0xdeadbeef> broke")) == "Boom: <Foo> broke"
    long = failure_reason("x" * 1000)
    assert len(long) == MAX_REASON
    assert failure_reason("") == "unknown error"


def _driver(start: float, rows: list[tuple[float, str, float, str | None]]) -> DriverPhase:
    rec = PhaseRecorder("s", start=start, duration=3.0, users=2)
    for t, name, ms, err in rows:
        rec.record(t, "GET", name, ms, err)
    return rec.finish(cpu_s=1.5, start_lag_s=0.0)


def test_merge_sums_drivers() -> None:
    a = _driver(0.0, [(0.1, "/", 1.0, None), (0.2, "/", 2.0, None), (2.5, "/x", 3.0, "e")])
    b = _driver(0.0, [(0.5, "/", 4.0, None), (2.9, "/x", 5.0, "e")])
    spec = PhaseSpec(name="s", kind="steady", duration_s=3.0, rate=10.0)
    phase = merge_phase(spec, [a, b], started_at=1000.0)
    assert phase.requests == 5
    assert phase.failures == 2
    assert phase.error_rate == pytest.approx(0.4)
    assert phase.throughput_rps == pytest.approx(5 / 3)
    assert phase.achieved_fraction == pytest.approx(5 / 30)
    assert phase.users == 4
    assert phase.generator_processes == 2
    assert phase.generator_cpu == [0.5, 0.5]
    assert phase.ended_at == 1003.0
    assert phase.latency.count == 3
    assert phase.latency.max_ms == 4.0
    assert phase.latency.p50_ms == pytest.approx(2.0, rel=RELATIVE_ERROR)
    # the quiet second 1 is in the series, with no p95
    assert [(p.t, p.requests, p.failures) for p in phase.series] == [
        (0, 3, 0),
        (1, 0, 0),
        (2, 2, 2),
    ]
    assert phase.series[1].p95_ms is None
    assert sum(p.requests for p in phase.series) == phase.requests
    eps = {e.name: e for e in phase.endpoints}
    assert eps["/"].requests == 3
    assert eps["/x"].failures == 2
    assert eps["/x"].latency.count == 0
    assert [(f.name, f.reason, f.count) for f in phase.failure_reasons] == [("/x", "e", 2)]
    assert phase.histogram.count == 3


def test_merge_needs_data() -> None:
    spec = PhaseSpec(name="s", kind="steady", duration_s=1.0)
    with pytest.raises(ValueError, match="at least one"):
        merge_phase(spec, [], started_at=0.0)


def test_a_late_driver_is_rated_over_the_time_it_sent_load() -> None:
    on_time = PhaseRecorder("s", start=0.0, duration=2.0, users=1)
    late = PhaseRecorder("s", start=0.0, duration=2.0, users=1)
    for i in range(20):
        on_time.record(0.05 + i * 0.1, "GET", "/", 1.0)
    for i in range(10):
        late.record(1.05 + i * 0.1, "GET", "/", 1.0)  # opened its window 1 s late
    parts = [
        on_time.finish(cpu_s=0.1, start_lag_s=0.0),
        late.finish(cpu_s=0.1, start_lag_s=1.0),
    ]
    assert parts[1].window_s == pytest.approx(1.0)
    spec = PhaseSpec(name="s", kind="steady", duration_s=2.0, rate=20.0)
    phase = merge_phase(spec, parts, started_at=0.0)
    assert phase.throughput_rps == pytest.approx(10 + 10)
    assert phase.start_lag_s == 1.0
    assert phase.requests == 30


def test_status_classes_per_endpoint_survive_the_merge() -> None:
    def driver(rows: list[tuple[str, int | None, str | None]]) -> DriverPhase:
        rec = PhaseRecorder("s", start=0.0, duration=3.0, users=1)
        for name, status, err in rows:
            rec.record(0.5, "GET", name, 1.0, err, status=status)
        return rec.finish(cpu_s=0.0, start_lag_s=0.0)

    a = driver([("/", 200, None), ("/", 302, None), ("/x", 404, "e"), ("/x", None, "refused")])
    b = driver([("/", 204, None), ("/x", 503, "e")])
    assert {e.name: e.statuses for e in a.endpoints} == {
        "/": {"2xx": 1, "3xx": 1},
        "/x": {"4xx": 1, "none": 1},
    }
    spec = PhaseSpec(name="s", kind="steady", duration_s=3.0)
    phase = merge_phase(spec, [a, b], started_at=0.0)
    assert {e.name: e.statuses for e in phase.endpoints} == {
        "/": {"2xx": 2, "3xx": 1},
        "/x": {"4xx": 1, "none": 1, "5xx": 1},
    }
