"""ASGI entry point: `uvicorn fastapi_app.main:app`, run from sample_apps/."""

from fastapi_app import create_app

app = create_app()
