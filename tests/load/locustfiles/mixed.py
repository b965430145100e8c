from locust import FastHttpUser, task


class Visitor(FastHttpUser):
    @task(9)
    def home(self) -> None:
        self.client.get("/")

    @task(1)
    def broken(self) -> None:
        self.client.get("/fail")
