"""Shared by the locustfiles (imported from their directory, which locust puts on sys.path):
the sample apps' seed sizes and a base user whose requests check status *and* body.

Every request is marked a success or a failure explicitly: a wrong status, a body that is
not the JSON/HTML the contract promises, or a wrong value is a failure. Expected errors
(a 404 for a product that does not exist) are successes when they come back as specified.
The constants mirror sample_apps/common (a test keeps them equal).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from typing import Any

from locust import FastHttpUser

PRODUCTS = 1_000
CUSTOMERS = 1_000
SEEDED_ORDERS = 2_000
PAGE_SIZE = 20
COMPUTE_SIZE = 2_000
UPSTREAM_MS = 50

Check = Callable[[Any], "str | None"]
_user_numbers = itertools.count()


def _expect(condition: bool, problem: str) -> str | None:
    return None if condition else problem


class ShopUser(FastHttpUser):
    """Base class of the shop users: no `host` (it comes from --host) and no `wait_time`
    (estimator's load stage sets a constant-throughput one; without it users run back to
    back)."""

    abstract = True

    def on_start(self) -> None:
        # Each simulated user draws the same request sequence in every run.
        self.rng = random.Random(next(_user_numbers))

    # -- request helpers ---------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        name: str,
        check: Check,
        *,
        status: int = 200,
        body: Any = None,
        html: bool = False,
    ) -> None:
        kwargs: dict[str, Any] = {"name": name, "catch_response": True}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["headers"] = {"Content-Type": "application/json"}
        with self.client.request(method, path, **kwargs) as resp:
            problem = self._problem(resp, status, check, html)
            if problem:
                resp.failure(problem)
            else:
                resp.success()

    @staticmethod
    def _problem(resp: Any, status: int, check: Check, html: bool) -> str | None:
        text = resp.text or ""
        if resp.status_code != status:
            return f"status {resp.status_code}, expected {status}: {text[:200]}"
        content_type = resp.headers.get("Content-Type", "")
        expected = "text/html" if html else "application/json"
        if not content_type.startswith(expected):
            return f"Content-Type {content_type!r}, expected {expected}"
        try:
            return check(text if html else json.loads(text))
        except (ValueError, LookupError, TypeError, AttributeError) as exc:
            return f"unexpected body ({exc!r}): {text[:200]}"

    # -- one method per endpoint, shared by the locustfiles ----------------------------

    def healthz(self) -> None:
        self._request(
            "GET", "/healthz", "/healthz", lambda d: _expect(d == {"status": "ok"}, f"{d}")
        )

    def list_products(self) -> None:
        offset = self.rng.randrange(0, PRODUCTS, PAGE_SIZE)
        want = min(PAGE_SIZE, PRODUCTS - offset)

        def check(d: Any) -> str | None:
            ids = [p["id"] for p in d["items"]]
            expected = list(range(offset + 1, offset + want + 1))
            return _expect(
                d["total"] == PRODUCTS and ids == expected,
                f"offset {offset}: ids {ids[:3]}... total {d['total']}",
            )

        self._request(
            "GET", f"/api/products?limit={PAGE_SIZE}&offset={offset}", "/api/products", check
        )

    def product(self) -> None:
        pid = self.rng.randint(1, PRODUCTS)
        self._request(
            "GET",
            f"/api/products/{pid}",
            "/api/products/[id]",
            lambda d: _expect(d["id"] == pid and d["price_cents"] > 0, f"wrong product {d}"),
        )

    def missing_product(self) -> None:
        pid = PRODUCTS + self.rng.randint(1, 1_000)
        self._request(
            "GET",
            f"/api/products/{pid}",
            "/api/products/[missing id]",
            lambda d: _expect(d["error"]["code"] == "not_found", f"{d}"),
            status=404,
        )

    def order(self) -> None:
        oid = self.rng.randint(1, SEEDED_ORDERS)

        def check(d: Any) -> str | None:
            lines = sum(i["line_total_cents"] for i in d["items"])
            return _expect(
                d["id"] == oid
                and lines == d["subtotal_cents"]
                and d["subtotal_cents"] + d["tax_cents"] == d["total_cents"],
                f"order {oid} inconsistent: {d}",
            )

        self._request("GET", f"/api/orders/{oid}", "/api/orders/[id]", check)

    def place_order(self) -> None:
        products = self.rng.sample(range(1, PRODUCTS + 1), self.rng.randint(1, 3))
        body = {
            "customer_id": self.rng.randint(1, CUSTOMERS),
            "items": [{"product_id": p, "quantity": self.rng.randint(1, 3)} for p in products],
        }

        def check(d: Any) -> str | None:
            lines = sum(i["line_total_cents"] for i in d["items"])
            return _expect(
                [i["product_id"] for i in d["items"]] == products
                and d["customer_id"] == body["customer_id"]
                and lines == d["subtotal_cents"]
                and d["subtotal_cents"] + d["tax_cents"] == d["total_cents"],
                f"stored order differs from the request: {d}",
            )

        self._request("POST", "/api/orders", "/api/orders", check, status=201, body=body)

    def report(self) -> None:
        self._request(
            "GET",
            "/report",
            "/report",
            lambda t: _expect('<table id="report">' in t and "</html>" in t, "no report table"),
            html=True,
        )

    def compute(self) -> None:
        def check(d: Any) -> str | None:
            counted = sum(c["count"] for c in d["categories"])
            return _expect(d["size"] == COMPUTE_SIZE and counted == COMPUTE_SIZE, f"{d}"[:200])

        self._request("GET", f"/compute?size={COMPUTE_SIZE}", "/compute", check)

    def upstream(self) -> None:
        self._request(
            "GET",
            f"/upstream?ms={UPSTREAM_MS}",
            "/upstream",
            lambda d: _expect(d == {"waited_ms": UPSTREAM_MS}, f"{d}"),
        )
