from locust import HttpUser, task


class RequestsVisitor(HttpUser):
    @task
    def home(self) -> None:
        self.client.get("/")
