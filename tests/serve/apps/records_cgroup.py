"""Records, at import time, the cgroups of the process importing it: with --preload that is
the master, right after it started. Proves the server was inside its cgroup before any app
code ran."""

import json


def _read() -> str:
    with open("/proc/self/cgroup") as fh:
        return fh.read()


AT_IMPORT = _read()


def app(environ, start_response):  # type: ignore[no-untyped-def]
    data = json.dumps({"at_import": AT_IMPORT}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]
