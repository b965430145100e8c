"""The HTTP contract: every case runs against Flask, Django and FastAPI in-process (their
test clients, each on its own freshly seeded database) and must give the same status, the
same media type and the same JSON body (the /report HTML: the same visible content).

Cases that write (POST /api/orders) run in the same order on the three apps, so their
databases stay identical; only `created_at` of a new order differs (it is now).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sample_apps.apps import (
    APP_NAMES,
    Reply,
    Send,
    django_client,
    django_sender,
    fastapi_sender,
    flask_sender,
    sample_module,
)
from tests.sample_apps.contract_cases import CASES, Case, item
from tests.sample_apps.html_report import parse_report

contract = sample_module("common.contract")
seed_data = sample_module("common.seed_data")

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
SEEDED_ORDERS = seed_data.ORDERS


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Send]]:
    root = tmp_path_factory.mktemp("contract")
    with django_sender(root / "django.sqlite3") as django:
        yield {
            "flask": flask_sender(root / "flask.sqlite3"),
            "django": django,
            "fastapi": fastapi_sender(root / "fastapi.sqlite3"),
        }


def call_all(
    shop: dict[str, Send],
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str | None = None,
) -> dict[str, Reply]:
    return {name: shop[name](method, path, body, content_type) for name in APP_NAMES}


def _normalise(data: Any) -> Any:
    """A new order's created_at is the time of the request: check its form, then drop it."""
    if isinstance(data, dict) and "created_at" in data and data.get("id", 0) > SEEDED_ORDERS:
        stamp = data["created_at"]
        assert ISO_UTC.fullmatch(stamp), stamp
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(stamp[:-1] + "+00:00")
        assert abs(age) < dt.timedelta(hours=1), f"created_at {stamp} is not now"
        return {**data, "created_at": "<now>"}
    return data


def same_json(replies: dict[str, Reply], status: int) -> Any:
    """All three replied `status` with the same JSON; returns it."""
    for name, reply in replies.items():
        assert reply.status == status, f"{name}: {reply.status} {reply.body[:300]!r}"
        assert reply.content_type == "application/json", f"{name}: {reply.content_type}"
    bodies = {name: _normalise(reply.json()) for name, reply in replies.items()}
    for name in APP_NAMES[1:]:
        assert bodies[name] == bodies["flask"], f"{name} differs from flask"
    locations = {reply.location for reply in replies.values()}
    assert len(locations) == 1, locations
    return bodies["flask"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_reply_everywhere(shop: dict[str, Send], case: Case) -> None:
    replies = call_all(shop, case.method, case.path, case.body, case.content_type)
    data = same_json(replies, case.status)
    if case.status >= 400:
        assert set(data) == {"error"}
        assert set(data["error"]) == {"code", "message", "field"}
        assert isinstance(data["error"]["message"], str)
        assert data["error"]["message"]
    if case.error is not None:
        assert (data["error"]["code"], data["error"]["field"]) == case.error, data
    if case.check is not None:
        case.check(data)


def test_new_order_is_stored_as_returned(shop: dict[str, Send]) -> None:
    payload = {"customer_id": 42, "items": [item(9, 3), item(8, 1)]}
    created = call_all(
        shop, "POST", "/api/orders", json.dumps(payload).encode(), "application/json"
    )
    order_json = same_json(created, 201)
    location = created["flask"].location
    assert location == f"/api/orders/{order_json['id']}"
    fetched = same_json(call_all(shop, "GET", location), 200)
    assert fetched == order_json
    for name in APP_NAMES:  # the timestamp too, not only its form
        assert created[name].json() == shop[name]("GET", location, None, None).json()


def test_report_shows_the_same_rows_escaped(shop: dict[str, Send]) -> None:
    replies = call_all(shop, "GET", "/report")
    reports = {}
    for name, reply in replies.items():
        assert reply.status == 200, name
        assert reply.content_type == "text/html", name
        assert "<script>" not in reply.text, f"{name} did not escape the product name"
        assert "&lt;script&gt;" in reply.text, name
        reports[name] = parse_report(reply.text)
    flask = reports["flask"]
    for name in APP_NAMES[1:]:
        assert reports[name] == flask, f"{name}'s report differs from flask's"
    assert flask.title == flask.heading == contract.REPORT_TITLE
    assert flask.header == ["Rank", "SKU", "Product", "Category", "Units", "Revenue"]
    assert len(flask.rows) == contract.REPORT_ROWS
    assert [r[0] for r in flask.rows] == [str(i) for i in range(1, 51)]
    assert flask.rows[0][1:3] == ["SKU-00007", seed_data.MARKUP_PRODUCT_NAME]
    revenues = [int(r[5].replace("$", "").replace(",", "").replace(".", "")) for r in flask.rows]
    assert revenues == sorted(revenues, reverse=True)
    summary = re.fullmatch(
        r"50 products, ranked by the sales of orders (\d+) to (\d+)\.", flask.summary
    )
    assert summary, flask.summary
    first, latest = int(summary[1]), int(summary[2])
    assert latest > SEEDED_ORDERS  # the contract cases placed orders before
    assert first == latest - contract.REPORT_WINDOW + 1


def test_report_revenue_matches_the_orders(shop: dict[str, Send]) -> None:
    """Each row's units and revenue are the sums over that product's lines in the report's
    window of orders (summed here with plain SQL, not the apps' ORM queries)."""
    report = parse_report(shop["django"]("GET", "/report", None, None).text)
    first = int(report.summary.split("orders ")[1].split()[0])
    root = _db_dir()
    for name in APP_NAMES:
        for _rank, sku, _name, _category, units, revenue in report.rows[:10]:
            ((quantity, cents),) = _rows(
                root / f"{name}.sqlite3",
                "SELECT sum(quantity), sum(quantity * unit_price_cents) FROM order_items"
                f" JOIN products p ON p.id = product_id WHERE p.sku = '{sku}'"
                f" AND order_id >= {first}",
            )
            assert units == str(quantity), (name, sku)
            assert revenue == sample_module("common.formatting").money(cents), (name, sku)


def _db_dir() -> Path:
    """Where the shop fixture put the three databases (next to Django's)."""
    return Path(str(sample_module("django.conf").settings.DATABASES["default"]["NAME"])).parent


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        rows = conn.execute(sql).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, sku, name, category, price_cents, description FROM products ORDER BY id",
        "SELECT id, name, email, country FROM customers ORDER BY id",
        "SELECT id, customer_id, status, substr(created_at, 1, 19), subtotal_cents, tax_cents,"
        f" total_cents FROM orders WHERE id <= {SEEDED_ORDERS} ORDER BY id",
        "SELECT i.id, order_id, product_id, quantity, unit_price_cents FROM order_items i"
        f" WHERE order_id <= {SEEDED_ORDERS} ORDER BY i.id",
    ],
    ids=["products", "customers", "orders", "order_items"],
)
def test_seeded_databases_are_identical(shop: dict[str, Send], sql: str) -> None:
    root = _db_dir()
    flask = _rows(root / "flask.sqlite3", sql)
    assert len(flask) >= 1_000
    assert _rows(root / "django.sqlite3", sql) == flask
    assert _rows(root / "fastapi.sqlite3", sql) == flask


def test_journal_mode_is_wal(shop: dict[str, Send]) -> None:
    root = _db_dir()
    for name in APP_NAMES:
        assert _rows(root / f"{name}.sqlite3", "PRAGMA journal_mode") == [("wal",)], name


def test_a_bug_is_a_json_500(shop: dict[str, Send]) -> None:
    """Last in this module: it breaks the databases' schema for a moment."""
    root = _db_dir()
    senders = {
        "flask": flask_sender(root / "flask.sqlite3"),
        "django": django_client(raise_errors=False),
        "fastapi": fastapi_sender(root / "fastapi.sqlite3", raise_errors=False),
    }
    for name in APP_NAMES:
        _rows(root / f"{name}.sqlite3", "ALTER TABLE customers RENAME TO customers_gone")
    try:
        body = json.dumps({"customer_id": 1, "items": [item()]}).encode()
        replies = {
            n: senders[n]("POST", "/api/orders", body, "application/json") for n in APP_NAMES
        }
        data = same_json(replies, 500)
        assert data == contract.internal_error().body()
    finally:
        for name in APP_NAMES:
            _rows(root / f"{name}.sqlite3", "ALTER TABLE customers_gone RENAME TO customers")
    after = call_all(shop, "POST", "/api/orders", body, "application/json")
    assert same_json(after, 201)["customer_id"] == 1
