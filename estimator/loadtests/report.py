"""Only GET /report (an HTML page of ~50 rows rendered by the framework's template engine
from a database query, escaping included): the template-rendering path.

    locust -f loadtests/report.py --headless -u 4 -r 4 -t 30s --host http://127.0.0.1:8000
"""

from _shop import ShopUser
from locust import task


class ReportUser(ShopUser):
    @task
    def render(self) -> None:
        self.report()
