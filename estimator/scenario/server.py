"""A server config: the server kind, its concurrency and its connection settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from estimator._model import InputModel as Model
from estimator.scenario.checks import no_control

Interface = Literal["wsgi", "asgi"]
ServerKind = Literal["gunicorn-sync", "gunicorn-gthread", "gunicorn-uvicorn", "uvicorn"]

SERVER_INTERFACE: dict[str, Interface] = {
    "gunicorn-sync": "wsgi",
    "gunicorn-gthread": "wsgi",
    "gunicorn-uvicorn": "asgi",
    "uvicorn": "asgi",
}


class ServerConfig(Model):
    """How the app is served: server kind and its concurrency."""

    kind: ServerKind
    workers: int = Field(1, ge=1, le=256)
    threads: int | None = Field(
        None, ge=1, le=1024, description="threads per worker (gunicorn-gthread only)"
    )
    preload: bool = Field(False, description="gunicorn --preload (import the app in the master)")
    reuse_port: bool = Field(
        False,
        description="gunicorn --reuse-port: each worker listens on its own socket and the "
        "kernel spreads new connections over them (SO_REUSEPORT); without it the workers share "
        "one socket and the first to wake takes the connection. gunicorn kinds only: uvicorn "
        "has no such option (its workers share the supervisor's socket)",
    )
    keep_alive_s: int | None = Field(
        None,
        ge=0,
        le=3600,
        description="seconds an idle kept-alive connection stays open (gunicorn --keep-alive, "
        "uvicorn --timeout-keep-alive); 0 closes every connection after its response. None: "
        "the launcher's default (5 s). Not for gunicorn-sync, whose workers close every "
        "connection anyway",
    )
    extra_args: list[str] = Field(
        default_factory=list,
        description="more server options, checked against the server's known options "
        "(estimator.serve.options); the bind address, workers, daemon mode and the like "
        "stay the launcher's",
    )

    apps: list[str] | None = Field(
        None,
        description="only these apps run under this config (default: every app with its "
        "interface), e.g. FastAPI only under uvicorn workers, as it is deployed",
    )

    @field_validator("extra_args")
    @classmethod
    def _extra(cls, v: list[str]) -> list[str]:
        for arg in v:
            no_control(arg, f"extra_args item {arg!r}")
        return v

    @model_validator(mode="after")
    def _combination(self) -> ServerConfig:
        if self.threads is not None and self.kind != "gunicorn-gthread":
            raise ValueError(
                f"threads = {self.threads} only applies to kind 'gunicorn-gthread', "
                f"not '{self.kind}'; remove threads or change the kind"
            )
        if self.preload and self.kind == "uvicorn":
            raise ValueError("preload applies to gunicorn kinds only; remove it for 'uvicorn'")
        if self.reuse_port and self.kind == "uvicorn":
            raise ValueError(
                "reuse_port: uvicorn has no --reuse-port (its workers share the supervisor's "
                "socket); serve the app with kind 'gunicorn-uvicorn' to set it, or remove it"
            )
        if self.keep_alive_s is not None and self.kind == "gunicorn-sync":
            raise ValueError(
                "keep_alive_s: gunicorn's sync workers close every connection after its "
                "response (no keep-alive to set); use kind 'gunicorn-gthread' or remove it"
            )
        return self

    @property
    def interface(self) -> Interface:
        return SERVER_INTERFACE[self.kind]

    @property
    def threads_per_worker(self) -> int:
        if self.kind == "gunicorn-gthread":
            return self.threads if self.threads is not None else 4
        return 1

    @property
    def is_async(self) -> bool:
        return self.interface == "asgi"

    @property
    def slots(self) -> int | None:
        """Concurrent requests the config can hold; None for async (bounded by CPU)."""
        if self.is_async:
            return None
        return self.workers * self.threads_per_worker

    @property
    def label(self) -> str:
        """Stable, human-readable key: 'gunicorn-sync w2', 'gunicorn-gthread w2x4',
        'gunicorn-gthread w9x1 reuse-port keep-alive 0s'."""
        return self._label(settings=True)

    @property
    def base_label(self) -> str:
        """The label without the connection settings (`reuse_port`, `keep_alive_s`): configs
        with the same base label differ only in them, and are compared on them."""
        return self._label(settings=False)

    def _label(self, *, settings: bool) -> str:
        conc = f"w{self.workers}"
        if self.kind == "gunicorn-gthread":
            conc += f"x{self.threads_per_worker}"
        extra = " preload" if self.preload else ""
        if settings:
            extra += " reuse-port" if self.reuse_port else ""
            extra += f" keep-alive {self.keep_alive_s}s" if self.keep_alive_s is not None else ""
        extra += " " + " ".join(self.extra_args) if self.extra_args else ""
        return f"{self.kind} {conc}{extra}"

    @property
    def connection_settings(self) -> list[str]:
        """The connection settings as the server's own options ('--reuse-port',
        '--keep-alive 0'); empty: the launcher's defaults."""
        out = ["--reuse-port"] if self.reuse_port else []
        if self.keep_alive_s is not None:
            out.append(f"{self.keep_alive_flag} {self.keep_alive_s}")
        return out

    @property
    def keep_alive_flag(self) -> str:
        """The server's option for `keep_alive_s`."""
        return "--timeout-keep-alive" if self.kind == "uvicorn" else "--keep-alive"
