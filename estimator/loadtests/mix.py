"""A realistic mix of every endpoint of the sample apps, read-heavy.

Per 100 requests: 30 product pages, 30 product lookups, 2 lookups of missing products
(expected 404s), 8 order lookups, 8 new orders (writes), 5 HTML reports, 7 CPU-bound
/compute, 8 /upstream waits of 50 ms, 2 health checks.

    locust -f loadtests/mix.py --headless -u 10 -r 10 -t 30s --host http://127.0.0.1:8000
"""

from _shop import ShopUser
from locust import task


class MixUser(ShopUser):
    @task(30)
    def browse(self) -> None:
        self.list_products()

    @task(30)
    def view_product(self) -> None:
        self.product()

    @task(2)
    def view_missing_product(self) -> None:
        self.missing_product()

    @task(8)
    def view_order(self) -> None:
        self.order()

    @task(8)
    def buy(self) -> None:
        self.place_order()

    @task(5)
    def view_report(self) -> None:
        self.report()

    @task(7)
    def crunch(self) -> None:
        self.compute()

    @task(8)
    def wait_upstream(self) -> None:
        self.upstream()

    @task(2)
    def probe(self) -> None:
        self.healthz()
