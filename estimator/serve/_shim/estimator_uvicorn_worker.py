"""gunicorn worker class for ASGI apps: uvicorn-worker's UvicornWorker with uvicorn's access
log off, as the launcher turns it off for every other server kind.

Imported by gunicorn inside the measured environment (any Python >= 3.8, PyPy included), not
by estimator: keep it dependency-free and 3.8-compatible.
"""

from __future__ import annotations

from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker as _UvicornWorker  # type: ignore[import-untyped,import-not-found,unused-ignore]


class UvicornWorker(_UvicornWorker):  # type: ignore[misc,unused-ignore]
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {**_UvicornWorker.CONFIG_KWARGS, "access_log": False}
