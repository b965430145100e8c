"""An app that starts but never reports healthy."""


def app(environ, start_response):  # type: ignore[no-untyped-def]
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"warming up"]
