"""Only GET /compute (pure-Python CPU work): the interpreter-sensitive endpoint.

locust -f loadtests/compute.py --headless -u 4 -r 4 -t 30s --host http://127.0.0.1:8000
"""

from _shop import ShopUser
from locust import task


class ComputeUser(ShopUser):
    @task
    def crunch(self) -> None:
        self.compute()
