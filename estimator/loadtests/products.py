"""Only GET /api/products (a page of 20 products from SQLite, serialized): the database
read and serialization path.

    locust -f loadtests/products.py --headless -u 4 -r 4 -t 30s --host http://127.0.0.1:8000
"""

from _shop import ShopUser
from locust import task


class ProductsUser(ShopUser):
    @task
    def browse(self) -> None:
        self.list_products()
