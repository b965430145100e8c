# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task
    def boom(self) -> None:
        self.client.get("/boom")
