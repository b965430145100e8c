# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""The inventory project's own load test (a user-written locustfile, as a real project has)."""

from locust import FastHttpUser, task


class Clerk(FastHttpUser):
    @task(3)
    def list_items(self) -> None:
        self.client.get("/items/", name="/items/")

    @task(1)
    def one_item(self) -> None:
        self.client.get("/items/42/", name="/items/{id}/")
