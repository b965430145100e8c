"""Bad inputs to `estimate`, `report` and `diff`: traffic files, price files, options and
environment. Each is exit 2 and one line naming the input and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.cases import INPUT, Case, cases
from tests.reliability.helpers import assert_one_line_error, cli

REGION = ["--region", "us-east-1"]
PEAK = ["--peak-rps", "100", *REGION]
RATES_24 = ",".join(["10"] * 24)


def _t(cid: str, name: str, content: str | bytes, expect: str, what: str = "") -> Case:
    return Case(cid, what or f"`{name}`: {content!r}"[:120], expect, (name, content))


TRAFFIC = [
    _t(
        "json-23-rates",
        "t.json",
        "[" + ",".join(["1"] * 23) + "]",
        "List should have at least 24 items",
    ),
    _t(
        "json-25-rates",
        "t.json",
        "[" + ",".join(["1"] * 25) + "]",
        "List should have at most 24 items",
    ),
    _t("json-all-zero", "t.json", "[" + ",".join(["0"] * 24) + "]", "every hour is 0 req/s"),
    _t("json-negative", "t.json", "[-1," + ",".join(["1"] * 23) + "]", "hourly rates must be >= 0"),
    _t(
        "json-huge", "t.json", "[1e300," + ",".join(["1"] * 23) + "]", "at most 1,000,000,000 req/s"
    ),
    _t(
        "json-infinity",
        "t.json",
        "[Infinity," + ",".join(["1"] * 23) + "]",
        "at most 1,000,000,000",
    ),
    _t("json-nan", "t.json", "[NaN," + ",".join(["1"] * 23) + "]", "at most 1,000,000,000"),
    _t("json-strings", "t.json", json.dumps(["a"] * 24), "Input should be a valid number"),
    _t("json-null", "t.json", "null", "Input should be a valid list"),
    _t("json-number", "t.json", "42", "Input should be a valid list"),
    _t("json-string", "t.json", '"24 rates"', "Input should be a valid list"),
    _t("json-object-unknown", "t.json", '{"rps": [1]}', "unknown key 'rps'"),
    _t(
        "json-fractions-no-peak",
        "t.json",
        json.dumps({"fractions": [1.0] * 24}),
        "give exactly 'peak_rps' too",
    ),
    _t(
        "json-fractions-extra",
        "t.json",
        json.dumps({"peak_rps": 5, "fractions": [1.0] * 24, "x": 1}),
        "unexpected: ['x']",
    ),
    _t(
        "json-fractions-max-not-1",
        "t.json",
        json.dumps({"peak_rps": 5, "fractions": [0.5] * 24}),
        "the busiest hour is 0.5, not 1.0",
    ),
    _t(
        "json-fractions-above-1",
        "t.json",
        json.dumps({"peak_rps": 5, "fractions": [2.0] * 24}),
        "need 24 values between 0 and 1",
    ),
    _t(
        "json-fractions-23",
        "t.json",
        json.dumps({"peak_rps": 5, "fractions": [1.0] * 23}),
        "need 24 values between 0 and 1",
    ),
    _t(
        "json-fractions-strings",
        "t.json",
        json.dumps({"peak_rps": "x", "fractions": [1.0] * 24}),
        "values must be numbers",
    ),
    _t(
        "json-peak-huge",
        "t.json",
        json.dumps({"peak_rps": 1e300, "fractions": [1.0] * 24}),
        "at most 1,000,000,000",
    ),
    _t("json-truncated", "t.json", "[1, 2", "not JSON"),
    _t(
        "json-deep-nesting",
        "t.json",
        "[" * 100_000 + "]" * 100_000,
        "nested too deeply",
        "100 000 nested JSON arrays (case 7)",
    ),
    _t(
        "json-deep-objects",
        "t.json",
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        "nested too deeply",
        "50 000 nested JSON objects",
    ),
    _t(
        "json-latin1",
        "t.json",
        b"[\xe9]",
        "not UTF-8 text",
        "a Latin-1 byte in a JSON file (case 7)",
    ),
    _t("json-utf16", "t.json", "[1]".encode("utf-16"), "not UTF-8 text", "a UTF-16 JSON file"),
    _t("json-empty", "t.json", "", "not JSON"),
    _t("csv-23-lines", "t.csv", "\n".join(["1"] * 23), "23 rates; need 24"),
    _t("csv-25-lines", "t.csv", "\n".join(["1"] * 25), "25 rates; need 24"),
    _t(
        "csv-word",
        "t.csv",
        "rps\n" + "\n".join(["1"] * 12 + ["lots"] + ["1"] * 11),
        "'lots' is not a rate",
    ),
    _t(
        "csv-hour-column-ignored",
        "t.csv",
        "\n".join("0,10" for _ in range(24)),
        "hour 0 is given twice",
        "24 lines `0,10` (case 8: the hour column was ignored)",
    ),
    _t(
        "csv-hour-25", "t.csv", "\n".join(f"{h + 1},10" for h in range(24)), "hour '24' is not 0-23"
    ),
    _t(
        "csv-hour-negative",
        "t.csv",
        "\n".join(f"{h - 1},10" for h in range(24)),
        "hour '-1' is not 0-23",
    ),
    _t(
        "csv-hour-word",
        "t.csv",
        "\n".join(["noon,10"] + [f"{h},10" for h in range(1, 24)]),
        "hour 'noon' is not 0-23",
    ),
    _t(
        "csv-three-columns",
        "t.csv",
        "\n".join(f"{h},10,5" for h in range(24)),
        "use 'rps' or 'hour,rps' lines",
    ),
    _t(
        "csv-mixed-widths",
        "t.csv",
        "\n".join(["10"] * 12 + [f"{h},10" for h in range(12)]),
        "mixed or wide lines",
    ),
    _t("csv-negative", "t.csv", "\n".join(["-5"] + ["1"] * 23), "hourly rates must be >= 0"),
    _t("csv-inf", "t.csv", "\n".join(["inf"] + ["1"] * 23), "at most 1,000,000,000"),
    _t(
        "csv-latin1",
        "t.csv",
        b"\xff\xfe1\n",
        "not UTF-8 text",
        "a CSV with bytes that are not UTF-8 (case 7)",
    ),
    _t("csv-empty", "t.csv", "", "0 rates; need 24"),
    Case("missing-file", "`--traffic` naming no file", "No such file or directory", None),
    Case("directory", "`--traffic` naming a folder", "Is a directory", "dir"),
]


@cases(INPUT, "traffic file (--traffic)", TRAFFIC)
def test_bad_traffic_file(
    case: Case, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "traffic.json"
    if case.data == "dir":
        path.mkdir()
    elif case.data is not None:
        name, content = case.data
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
    result = cli(capsys, "estimate", "--results", recorded, "--traffic", path, *REGION)
    assert_one_line_error(result, case.expect)


def _p(cid: str, body: str | bytes, expect: str, what: str = "") -> Case:
    return Case(cid, what or f"price file: {body!r}"[:120], expect, body)


HEAD = "instance_type,region,usd_per_hour\n"
PRICES = [
    _p(
        "price-1e30",
        HEAD + "m7g.large,us-east-1,1e30\n",
        "from 0 to 1,000,000",
        "`usd_per_hour` = 1e30 (case 7)",
    ),
    _p("price-1e-30", HEAD + "m7g.large,us-east-1,1e-30\n", "at most 12 decimal places"),
    _p("price-inf", HEAD + "m7g.large,us-east-1,inf\n", "not a number"),
    _p("price-nan", HEAD + "m7g.large,us-east-1,NaN\n", "not a number"),
    _p("price-negative", HEAD + "m7g.large,us-east-1,-1\n", "from 0 to 1,000,000"),
    _p("price-zero", HEAD + "m7g.large,us-east-1,0\n", "a price must be positive"),
    _p("price-word", HEAD + "m7g.large,us-east-1,cheap\n", "not a number"),
    _p("price-empty", HEAD + "m7g.large,us-east-1,\n", "not a number"),
    _p("region-bad", HEAD + "m7g.large,mars-1,0.1\n", "is not an AWS region"),
    _p("type-unknown", HEAD + "z9.mega,us-east-1,0.1\n", "z9.mega"),
    _p(
        "purchase-bad",
        HEAD.replace("\n", ",purchase\n") + "m7g.large,us-east-1,0.1,lease\n",
        "lease",
    ),
    _p(
        "duplicate-row",
        HEAD + "m7g.large,us-east-1,0.1\nm7g.large,us-east-1,0.2\n",
        "already set on line 2",
    ),
    _p("header-missing", "m7g.large,us-east-1,0.1\n", "expected instance_type,region,usd_per_hour"),
    _p(
        "header-extra",
        "instance_type,region,usd_per_hour,colour\n",
        "expected instance_type,region,usd_per_hour",
    ),
    _p("no-rows", HEAD, "has no price rows"),
    _p("empty", "", "header (empty)"),
    _p(
        "latin1",
        HEAD.encode() + b"m7g.large,us-east-1,0.1 \xe9\n",
        "not UTF-8 text",
        "a price file with a Latin-1 byte (case 7)",
    ),
    _p("binary", bytes(range(256)), "not UTF-8 text", "a binary file as price file"),
]


@cases(INPUT, "custom price file (--prices)", PRICES)
def test_bad_price_file(
    case: Case,
    recorded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_user_catalog: None,
) -> None:
    path = tmp_path / "prices.csv"
    path.write_bytes(case.data.encode() if isinstance(case.data, str) else case.data)
    result = cli(capsys, "estimate", "--results", recorded, *PEAK, "--prices", path)
    assert_one_line_error(result, case.expect)


def _o(cid: str, argv: list[str], expect: str, what: str = "") -> Case:
    return Case(cid, what or "`" + " ".join(argv) + "`", expect, argv)


OPTIONS = [
    _o(
        "discount-negative",
        ["--discount", "-10"],
        "give a percentage from 0",
        "`--discount -10` (case 8: spoke of dollars)",
    ),
    _o("discount-100", ["--discount", "100"], "below 100"),
    _o("discount-word", ["--discount", "lots"], "not a number; give a percentage"),
    _o("discount-inf", ["--discount", "inf"], "not a number; give a percentage"),
    _o("discount-nan", ["--discount", "nan"], "not a number; give a percentage"),
    _o("discount-dollar", ["--discount", "$5"], "not a number; give a percentage"),
    _o("discount-1e30", ["--discount", "1e30"], "below 100"),
    _o("discount-precision", ["--discount", "1e-30"], "at most 6 decimal places"),
    _o("max-price-negative", ["--max-price", "-1"], "from 0 to 1,000,000"),
    _o("max-price-1e30", ["--max-price", "1e30"], "from 0 to 1,000,000"),
    _o("max-price-word", ["--max-price", "cheap"], "not a number; use dollars"),
    _o("max-price-nan", ["--max-price", "nan"], "not a number; use dollars"),
    _o(
        "assume-tiny-utilization",
        ["--assume", "target_utilization=1e-300"],
        "greater than or equal to 0.01",
        "`--assume target_utilization=1e-300` (case 7)",
    ),
    _o(
        "assume-utilization-0",
        ["--assume", "target_utilization=0"],
        "greater than or equal to 0.01",
    ),
    _o("assume-utilization-2", ["--assume", "target_utilization=2"], "less than or equal to 1"),
    _o("assume-utilization-inf", ["--assume", "target_utilization=Infinity"], "finite number"),
    _o("assume-utilization-nan", ["--assume", "target_utilization=NaN"], "finite number"),
    _o("assume-utilization-word", ["--assume", "target_utilization=high"], "valid number"),
    _o("assume-cpu-speed-0", ["--assume", "cpu_speed=0"], "greater than or equal to 0.01"),
    _o("assume-cpu-speed-huge", ["--assume", "cpu_speed=1e300"], "less than or equal to 100"),
    _o(
        "assume-speed-override-0",
        ["--assume", "cpu_speed_overrides.m7g=0"],
        "speeds must be from 0.01 to 100",
    ),
    _o("assume-unknown", ["--assume", "speed=2"], "assumption 'speed' is unknown"),
    _o("assume-no-equals", ["--assume", "target_utilization"], "expected name=value"),
    _o("assume-empty-name", ["--assume", "=1"], "expected name=value"),
    _o("assume-redundancy-huge", ["--assume", "redundancy=1e9"], "less than or equal to 1000"),
    _o("assume-redundancy-negative", ["--assume", "redundancy=-1"], "greater than or equal to 0"),
    _o("assume-min-instances-0", ["--assume", "min_instances=0"], "greater than or equal to 1"),
    _o("assume-headroom-huge", ["--assume", "memory_headroom=1e6"], "less than or equal to 10"),
    _o("assume-workers-rule", ["--assume", "workers_rule=magic"], "workers_rule"),
    _o("assume-fixed-no-count", ["--assume", "workers_rule=fixed"], "needs workers_fixed"),
    _o("assume-quota-curve-word", ["--assume", "quota_curve=half"], "expected quota:ratio"),
    _o("assume-quota-curve-inf", ["--assume", "quota_curve=inf:1"], "quota_curve"),
    _o(
        "assume-nested-json",
        ["--assume", "cpu_speed=" + "[" * 100_000],
        "",
        "`--assume cpu_speed=[[[[…` (100 000 deep)",
    ),
    _o("assume-sub-key-scalar", ["--assume", "cpu_speed.x=1"], "has no keys"),
    _o("peak-rps-huge", ["--peak-rps", "1e300"], "at most 1,000,000,000"),
    _o("peak-rps-inf", ["--peak-rps", "inf"], "at most 1,000,000,000"),
    _o("peak-rps-nan", ["--peak-rps", "nan"], "give the busiest hour's req/s"),
    _o("peak-rps-negative", ["--peak-rps", "-1"], "give the busiest hour's req/s"),
    _o("peak-rps-zero", ["--peak-rps", "0"], "give the busiest hour's req/s"),
    _o("peak-rps-word", ["--peak-rps", "many"], "invalid float value"),
    _o("region-unknown", ["--region", "mars-1"], "mars-1"),
    _o("purchase-unknown", ["--purchase", "lease"], "lease"),
    _o("arch-unknown", ["--arch", "sparc"], "sparc"),
    _o("family-unknown", ["--family", "zz9"], "zz9"),
    _o("profile-unknown", ["--profile", "weekend"], "invalid choice"),
    _o("fleet-unknown", ["--fleet", "both"], "invalid choice"),
    _o("profile-with-traffic", ["--traffic", "x.json", "--profile", "flat"], "drop one of them"),
    _o("baseline-unmatched", ["--baseline", "nothing matches this"], "nothing matches this"),
]


@cases(INPUT, "estimate options", OPTIONS)
def test_bad_estimate_option(
    case: Case,
    recorded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_user_catalog: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.json").write_text("[" + RATES_24 + "]")
    argv = list(case.data)
    base = [] if "--traffic" in argv else ["--peak-rps", "100"]
    if "--peak-rps" in argv:
        base = []
    if "--region" not in argv:
        base += REGION
    result = cli(capsys, "estimate", "--results", recorded, *base, *argv)
    assert_one_line_error(result, case.expect)


EPOCHS = [
    Case(
        "epoch-overflow",
        "`SOURCE_DATE_EPOCH=99999999999999999` (case 7)",
        "give whole seconds since 1970",
        "99999999999999999",
    ),
    Case(
        "epoch-year-10000",
        "`SOURCE_DATE_EPOCH=253402300800` (year 10000)",
        "give whole seconds since 1970",
        "253402300800",
    ),
    Case("epoch-float", "`SOURCE_DATE_EPOCH=1.5`", "give whole seconds", "1.5"),
    Case("epoch-word", "`SOURCE_DATE_EPOCH=yesterday`", "give whole seconds", "yesterday"),
    Case(
        "epoch-huge-negative",
        "`SOURCE_DATE_EPOCH=-99999999999999`",
        "give whole seconds",
        "-99999999999999",
    ),
]


@cases(INPUT, "environment (SOURCE_DATE_EPOCH)", EPOCHS)
def test_bad_source_date_epoch(
    case: Case, recorded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", case.data)
    result = cli(capsys, "report", "--results", recorded, *PEAK, "--format", "json")
    assert_one_line_error(result, case.expect)


REPORTS = [
    Case(
        "report-deep-nesting",
        "100 000 nested JSON arrays as BASE (case 7: RecursionError, exit 1)",
        "nested too deeply",
        "[" * 100_000 + "]" * 100_000,
    ),
    Case("report-not-json", "a text file as BASE", "not JSON", "hello"),
    Case("report-no-schema", "`{}` as BASE", "no schema_version", "{}"),
    Case(
        "report-old-schema",
        '`{"schema_version": 0}`',
        "schema_version = 0",
        '{"schema_version": 0}',
    ),
    Case("report-list", "`[]` as BASE", "no schema_version", "[]"),
    Case("report-latin1", "a Latin-1 file as BASE", "not UTF-8", b"\xe9"),
    Case("report-missing", "a BASE that does not exist", "No such file", None),
]


@cases(INPUT, "diff reports", REPORTS)
def test_bad_report_for_diff(
    case: Case, recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = tmp_path / "head.json"
    rc, _, err = cli(capsys, "report", "--results", recorded, *PEAK, "--format", "json", "-o", head)
    assert rc == 0, err
    base = tmp_path / "base.json"
    if case.data is not None:
        base.write_bytes(case.data if isinstance(case.data, bytes) else case.data.encode())
    assert_one_line_error(cli(capsys, "diff", base, head), case.expect)


FAIL_ABOVE = [
    Case(
        "fail-above-negative",
        "`--fail-above -5` (case 8: spoke of dollars)",
        "give a percentage from 0",
        "-5",
    ),
    Case("fail-above-word", "`--fail-above some`", "not a number; give a percentage", "some"),
    Case("fail-above-inf", "`--fail-above inf`", "not a number; give a percentage", "inf"),
    Case("fail-above-nan", "`--fail-above nan`", "not a number; give a percentage", "nan"),
    Case("fail-above-1e30", "`--fail-above 1e30`", "at most 1,000,000", "1e30"),
]


@cases(INPUT, "diff --fail-above", FAIL_ABOVE)
def test_bad_fail_above(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = cli(
        capsys, "diff", tmp_path / "a.json", tmp_path / "b.json", "--fail-above", case.data
    )
    assert_one_line_error(result, case.expect)
