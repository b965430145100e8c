from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task
    def home(self) -> None:
        self.client.get("/")
