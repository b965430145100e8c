"""Property-based: any input to the scenario, traffic, price-file and report models and to
the command-line parsers gives a valid model or a one-line error (`EstimatorError`), never
another exception; escaping keeps any text literal in each output."""

from __future__ import annotations

import argparse
import contextlib
import json
import string
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from estimator.capacity import load_traffic
from estimator.capacity.assumptions import Assumptions
from estimator.cli import build_parser
from estimator.cli.estimate import request_from_args
from estimator.errors import EstimatorError
from estimator.escape import markdown_text, plain_text, rich_text
from estimator.pricing.catalog import parse_percent, parse_price
from estimator.pricing.overrides import read_custom_prices
from estimator.report import parse_report
from estimator.scenario import Scenario
from estimator.scenario.loader import scenario_from_dict
from estimator.serve.options import BY_KIND, check_server_args

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WEIRD = ["\x00", "a\x00b", "\n", "\t", "inf", "-inf", "nan", "-1", "0", "1e400", "[/bold]",
         "../..", "/", "", " ", "x" * 300, "shop:app", "gunicorn-sync", "{run_dir}", "é"]  # fmt: skip
scalars = st.one_of(
    st.sampled_from(WEIRD),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)

APP_KEYS = ["name", "directory", "wsgi", "asgi", "env", "setup", "packages", "health_path",
            "locustfile", "requirements", "public_env", "pass_env"]  # fmt: skip
SCENARIO_KEYS = ["name", "apps", "variants", "servers", "load", "slo", "repetitions", "cpu",
                 "locustfile"]  # fmt: skip
LOAD_KEYS = ["warmup_min_s", "warmup_max_s", "steady_rates", "steady_fractions",
             "steady_duration_s", "users", "search_max_steps", "step_duration_s"]  # fmt: skip

near_app = st.fixed_dictionaries(
    {"name": st.just("shop"), "wsgi": st.just("shop:app"), "locustfile": st.just("l.py")},
    optional=dict.fromkeys(
        [k for k in APP_KEYS if k not in {"name", "wsgi", "locustfile"}], json_like
    ),
)
near_scenario = st.fixed_dictionaries(
    {"apps": st.one_of(st.lists(near_app, min_size=1, max_size=2), json_like)},
    optional={
        **{k: json_like for k in SCENARIO_KEYS if k != "apps"},
        "load": st.dictionaries(st.sampled_from(LOAD_KEYS), json_like, max_size=4),
        "slo": st.dictionaries(st.sampled_from(["p95_ms", "max_error_rate"]), json_like),
        "servers": st.lists(
            st.dictionaries(
                st.sampled_from(["kind", "workers", "threads", "preload", "extra_args"]),
                st.one_of(json_like, st.sampled_from(["gunicorn-sync", "uvicorn"])),
            ),
            max_size=3,
        ),
    },
)


@SETTINGS
@given(data=st.one_of(near_scenario, st.dictionaries(st.text(max_size=10), json_like)))
def test_any_scenario_is_a_model_or_one_line(data: dict[str, Any], tmp_path: Path) -> None:
    try:
        scenario = scenario_from_dict(data, base_dir=tmp_path, source="s.toml")
    except EstimatorError as exc:
        message = exc.message
    else:
        assert isinstance(scenario, Scenario)
        # what it holds round-trips through JSON exactly (no inf/nan turned into null)
        assert Scenario.model_validate_json(scenario.model_dump_json()) == scenario
        return
    assert message.startswith("s.toml") or "s.toml: " in message


traffic_text = st.one_of(
    st.binary(max_size=300),
    json_like.map(lambda v: json.dumps(v).encode()),
    st.lists(st.one_of(st.floats(), st.integers(-5, 30), st.text(max_size=5)), max_size=30).map(
        lambda xs: "\n".join(str(x) for x in xs).encode()
    ),
    st.lists(st.tuples(st.integers(-2, 26), st.floats()), max_size=30).map(
        lambda rows: "\n".join(f"{h},{r}" for h, r in rows).encode()
    ),
)


@SETTINGS
@given(content=traffic_text, suffix=st.sampled_from([".json", ".csv", ".txt"]))
def test_any_traffic_file_is_a_profile_or_one_line(
    content: bytes, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"traffic{suffix}"
    path.write_bytes(content)
    try:
        profile = load_traffic(path)
    except EstimatorError:
        return
    assert len(profile.hourly_rps) == 24
    assert all(0 <= r < float("inf") for r in profile.hourly_rps)


price_rows = st.lists(
    st.tuples(
        st.sampled_from(["m7g.large", "c6g.medium", "zz.top", ""]),
        st.sampled_from(["us-east-1", "eu-west-1", "mars", ""]),
        st.one_of(st.text(max_size=8), st.floats().map(str), st.integers().map(str)),
    ),
    max_size=4,
)


@SETTINGS
@given(
    header=st.sampled_from(["instance_type,region,usd_per_hour", "a,b", ""]),
    rows=price_rows,
    junk=st.binary(max_size=40),
)
def test_any_price_file_is_prices_or_one_line(
    header: str, rows: list[tuple[str, str, str]], junk: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    body = header + "\n" + "\n".join(",".join(r) for r in rows)
    path.write_bytes(body.encode() + (junk if len(junk) % 2 else b""))
    try:
        prices = read_custom_prices(path)
    except EstimatorError:
        return
    assert all(p.usd_per_hour > 0 for p in prices)


@SETTINGS
@given(text=st.one_of(st.text(max_size=40), st.floats().map(str), st.integers().map(str)))
def test_any_price_or_percent_text_is_a_decimal_or_one_line(text: str) -> None:
    def price(t: str) -> Decimal:
        return parse_price(t, "p")

    def percent(t: str) -> Decimal:
        return parse_percent(t, "q", below=100)

    for parse in (price, percent):
        try:
            value = parse(text)
        except EstimatorError:
            continue
        assert value.is_finite()
        assert 0 <= value <= 1_000_000
        assert (value * 730).quantize(Decimal("0.01")) >= 0  # money arithmetic works on it


@SETTINGS
@given(items=st.lists(st.text(max_size=40), max_size=3))
def test_any_assumption_override_is_assumptions_or_one_line(items: list[str]) -> None:
    with contextlib.suppress(EstimatorError):
        Assumptions().with_overrides(items)


@SETTINGS
@given(text=st.one_of(st.text(max_size=200), json_like.map(json.dumps)))
def test_any_report_text_is_a_report_or_one_line(text: str) -> None:
    with contextlib.suppress(EstimatorError):
        parse_report(text, "r.json")


TOKENS = st.sampled_from(
    ["--peak-rps", "--traffic", "--region", "--assume", "--discount", "--max-price",
     "--profile", "--arch", "--family", "--fleet", "--purchase", "--baseline", "--prices",
     "us-east-1", "100", "-1", "nan", "inf", "1e400", "x=1", "target_utilization=2", "=",
     "flat", "--", "-", "%", "12%", "--json", "--no-serverless", "--include-burstable"]
)  # fmt: skip


@SETTINGS
@given(argv=st.lists(st.one_of(TOKENS, st.text(max_size=10)), max_size=8))
def test_any_estimate_command_line_is_a_request_or_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    parser = build_parser()
    try:
        args = parser.parse_args(["estimate", *argv])
    except SystemExit as exc:
        code = exc.code
        capsys.readouterr()
        assert code == 2
        return
    assert isinstance(args, argparse.Namespace)
    with contextlib.suppress(EstimatorError):
        request_from_args(args)


SERVER_TOKENS = st.one_of(
    st.sampled_from(sorted({o for t in BY_KIND.values() for o in t.known()})),
    st.builds(
        lambda o, n: o[: max(3, n)],
        st.sampled_from(sorted(BY_KIND["gunicorn-sync"].known())),
        st.integers(3, 20),
    ),
    st.text(alphabet=string.ascii_lowercase + "-=:.0123456789", max_size=14),
)


@SETTINGS
@given(kind=st.sampled_from(sorted(BY_KIND)), args=st.lists(SERVER_TOKENS, max_size=6))
def test_server_arguments_that_pass_set_only_allowed_options(kind: str, args: list[str]) -> None:
    try:
        passed = check_server_args(kind, args)
    except EstimatorError:
        return
    table = BY_KIND[kind]
    options = [a.partition("=")[0] for a in passed if a.startswith("--")]
    assert all(o in table.allowed for o in options), options


MD = MarkdownIt("commonmark").enable("table").enable("strikethrough")


@SETTINGS
@given(text=st.text(max_size=80))
def test_any_text_stays_literal_in_markdown_and_the_terminal(text: str) -> None:
    html = MD.render(f"- {markdown_text(text)}")
    for tag in ("<script", "<img", "<a ", "<em>", "<strong>", "<code>", "<h1", "<del>", "<s>"):
        assert tag not in html, (text, html)
    console = Console(record=True, width=300, color_system=None)
    console.print(rich_text(text))
    shown = "".join(console.export_text().split())
    expected = "".join(plain_text(text).split())
    # rich doubles a trailing backslash so that it can't escape markup that follows
    assert shown in (expected, expected + "\\")
