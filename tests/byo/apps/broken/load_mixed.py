# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task(50)
    def home(self) -> None:
        self.client.get("/")

    @task(1)
    def gone(self) -> None:
        """Rare by weight (2% of requests): the preflight runs it anyway."""
        self.client.get("/nothere")
