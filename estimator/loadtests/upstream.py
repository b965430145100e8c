"""Only GET /upstream?ms=50 (waits like a slow downstream call): the concurrency-sensitive
endpoint; throughput is bounded by concurrent slots / 50 ms, not by CPU.

    locust -f loadtests/upstream.py --headless -u 50 -r 50 -t 30s --host http://127.0.0.1:8000
"""

from _shop import ShopUser
from locust import task


class UpstreamUser(ShopUser):
    @task
    def wait_upstream(self) -> None:
        self.upstream()
