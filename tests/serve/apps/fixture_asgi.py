"""A stdlib-only ASGI app for the launcher's tests (runs on any Python >= 3.8 and PyPy)."""

import json
import os


def _cpus() -> "list[int]":
    """This process's CPUs (PyPy 3.9 has no os.sched_getaffinity: ask the kernel)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("Cpus_allowed_list:"):
                out: list[int] = []
                for part in line.split(":", 1)[1].strip().split(","):
                    lo, _, hi = part.partition("-")
                    out += range(int(lo), int(hi or lo) + 1)
                return out
    return []


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    path = scope["path"]
    body: dict[str, object]
    if path == "/healthz":
        status, body = 200, {"ok": True}
    elif path == "/pid":
        status, body = 200, {"pid": os.getpid(), "cpus": _cpus()}
    else:
        status, body = 404, {"error": "not found"}
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(data))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


def create_app():  # type: ignore[no-untyped-def]
    """The same app through a factory (uvicorn --factory, gunicorn 'module:create_app()')."""
    return app
