"""Server options a scenario may add (`extra_args`), checked the way each server parses them.

Only *full* long options on an allow-list pass, each with its value (`--timeout 60` or
`--timeout=60`). Everything else is refused with the reason, before anything starts:

- gunicorn parses with argparse, which accepts any unambiguous prefix: `--bin=0.0.0.0:80` is
  `--bind`, `--daem` is `--daemon`. An abbreviation is never passed: it is resolved against
  every gunicorn option to say what it would have meant;
- options the launcher owns (bind address, workers, worker class, the connection settings
  `reuse_port` and `keep_alive_s` of the server config, daemon mode, reloader,
  config file, working directory, Python path, user/group, TLS, logging destinations and
  remote metrics that would send data off the machine) are refused even when spelled out;
- short options (`-b`, `-D`), bare values, `--` are refused: spell the long option.

The launcher then puts its own options *after* these (`argv.build_argv`), so for options
that are set once the last one wins; the environment variables that servers read as options
(`GUNICORN_CMD_ARGS`, `UVICORN_*`, `GRANIAN_*`) never reach the server (`serve.env`).
"""

from __future__ import annotations

from dataclasses import dataclass

from estimator.errors import ConfigError
from estimator.scenario.checks import SERVER_ENV_PREFIXES

__all__ = ["BY_KIND", "SERVER_ENV_PREFIXES", "check_server_args"]

FLAG, VALUE = "flag", "value"


@dataclass(frozen=True)
class ServerOptions:
    server: str
    allowed: dict[str, str]
    """long option -> FLAG or VALUE"""
    refused: dict[str, str]
    """long option -> why estimator keeps it"""
    prefix_matching: bool
    """argparse-style abbreviations (gunicorn); click (uvicorn, granian) has none"""

    def known(self) -> set[str]:
        return set(self.allowed) | set(self.refused)


_BIND = "the bind address (estimator listens on 127.0.0.1 only)"
_OWNED = "set by the launcher from the server config (workers, threads, kind, preload)"
_DAEMON = "daemon mode (the launcher must own the process to stop it)"
_RELOAD = "the reloader (it restarts workers behind the launcher's back)"
_PATHS = "the working directory and import path (the app's directory and estimator's shim)"
_CONFIG = "a config file or settings that override the launcher's"
_LOGS = "the server log (estimator reads it for crashes and readiness)"
_REMOTE = "sends logs or metrics off this machine"
_TLS = "TLS (the load generator speaks plain HTTP on loopback)"
_USER = "a change of user or group"
_ENV = "environment variables (set them in the app's `env`, where secrets are redacted)"
_EXIT = "makes the server exit at once instead of serving"
_REUSE = (
    "a connection setting: set `reuse_port = true` on the server config (it is then part of "
    "the config's label, and measured beside the config without it)"
)
_KEEP = (
    "a connection setting: set `keep_alive_s` on the server config (it is then part of the "
    "config's label, and measured beside the config without it)"
)

GUNICORN = ServerOptions(
    server="gunicorn",
    allowed={
        "--backlog": VALUE,
        "--timeout": VALUE,
        "--graceful-timeout": VALUE,
        "--max-requests": VALUE,
        "--max-requests-jitter": VALUE,
        "--worker-connections": VALUE,
        "--worker-tmp-dir": VALUE,
        "--limit-request-line": VALUE,
        "--limit-request-fields": VALUE,
        "--limit-request-field_size": VALUE,
        "--no-sendfile": FLAG,
        "--log-level": VALUE,
        "--access-logfile": VALUE,
        "--access-logformat": VALUE,
        "--capture-output": FLAG,
        "--enable-stdio-inheritance": FLAG,
        "--disable-redirect-access-to-syslog": FLAG,
        "--forwarded-allow-ips": VALUE,
        "--forwarder-headers": VALUE,
        "--proxy-allow-from": VALUE,
        "--root-path": VALUE,
        "--name": VALUE,
        "--umask": VALUE,
        "--strip-header-spaces": FLAG,
        "--casefold-http-method": FLAG,
        "--permit-obsolete-folding": FLAG,
        "--permit-unconventional-http-method": FLAG,
        "--permit-unconventional-http-version": FLAG,
        "--header-map": VALUE,
        "--http-parser": VALUE,
        "--http-protocols": VALUE,
        "--http2-initial-window-size": VALUE,
        "--http2-max-concurrent-streams": VALUE,
        "--http2-max-frame-size": VALUE,
        "--http2-max-header-list-size": VALUE,
        "--asgi-loop": VALUE,
        "--asgi-lifespan": VALUE,
        "--asgi-disconnect-grace-period": VALUE,
        "--websocket-max-message-size": VALUE,
        "--enable-backlog-metric": FLAG,
        "--no-control-socket": FLAG,
    },
    refused={
        "--bind": _BIND,
        "--workers": _OWNED,
        "--worker-class": _OWNED,
        "--threads": _OWNED,
        "--preload": _OWNED,
        "--reuse-port": _REUSE,
        "--keep-alive": _KEEP,
        "--daemon": _DAEMON,
        "--pid": _DAEMON,
        "--reload": _RELOAD,
        "--reload-engine": _RELOAD,
        "--reload-extra-file": _RELOAD,
        "--chdir": _PATHS,
        "--pythonpath": _PATHS,
        "--config": _CONFIG,
        "--paste": _CONFIG,
        "--paster": _CONFIG,
        "--paste-global": _CONFIG,
        "--print-config": _EXIT,
        "--check-config": _EXIT,
        "--version": _EXIT,
        "--help": _EXIT,
        "--error-logfile": _LOGS,
        "--log-file": _LOGS,
        "--log-config": _LOGS,
        "--log-config-json": _LOGS,
        "--logger-class": _LOGS,
        "--log-syslog": _REMOTE,
        "--log-syslog-to": _REMOTE,
        "--log-syslog-prefix": _REMOTE,
        "--log-syslog-facility": _REMOTE,
        "--statsd-host": _REMOTE,
        "--statsd-prefix": _REMOTE,
        "--dogstatsd-tags": _REMOTE,
        "--control-socket": _OWNED,
        "--control-socket-mode": _OWNED,
        "--dirty-app": _OWNED,
        "--dirty-workers": _OWNED,
        "--dirty-threads": _OWNED,
        "--dirty-timeout": _OWNED,
        "--dirty-graceful-timeout": _OWNED,
        "--certfile": _TLS,
        "--keyfile": _TLS,
        "--ca-certs": _TLS,
        "--ssl-version": _TLS,
        "--ciphers": _TLS,
        "--cert-reqs": _TLS,
        "--do-handshake-on-connect": _TLS,
        "--suppress-ragged-eofs": _TLS,
        "--http2-cleartext": _TLS,
        "--protocol": "another wire protocol than HTTP (uwsgi, proxy protocol)",
        "--proxy-protocol": "another wire protocol than HTTP (uwsgi, proxy protocol)",
        "--uwsgi-allow-from": "another wire protocol than HTTP (uwsgi, proxy protocol)",
        "--user": _USER,
        "--group": _USER,
        "--initgroups": _USER,
        "--env": _ENV,
        "--spew": "traces every line the server runs (nothing measured would mean anything)",
    },
    prefix_matching=True,
)

UVICORN = ServerOptions(
    server="uvicorn",
    allowed={
        "--loop": VALUE,
        "--http": VALUE,
        "--http2": FLAG,
        "--ws": VALUE,
        "--ws-max-size": VALUE,
        "--ws-max-queue": VALUE,
        "--ws-ping-interval": VALUE,
        "--ws-ping-timeout": VALUE,
        "--ws-per-message-deflate": VALUE,
        "--lifespan": VALUE,
        "--interface": VALUE,
        "--log-level": VALUE,
        "--access-log": FLAG,
        "--no-access-log": FLAG,
        "--use-colors": FLAG,
        "--no-use-colors": FLAG,
        "--proxy-headers": FLAG,
        "--no-proxy-headers": FLAG,
        "--server-header": FLAG,
        "--no-server-header": FLAG,
        "--date-header": FLAG,
        "--no-date-header": FLAG,
        "--forwarded-allow-ips": VALUE,
        "--root-path": VALUE,
        "--limit-concurrency": VALUE,
        "--backlog": VALUE,
        "--limit-max-requests": VALUE,
        "--limit-max-requests-jitter": VALUE,
        "--timeout-graceful-shutdown": VALUE,
        "--timeout-worker-healthcheck": VALUE,
        "--header": VALUE,
        "--h11-max-incomplete-event-size": VALUE,
        "--reset-contextvars": FLAG,
    },
    refused={
        "--host": _BIND,
        "--port": _BIND,
        "--uds": _BIND,
        "--fd": _BIND,
        "--workers": _OWNED,
        "--timeout-keep-alive": _KEEP,
        "--factory": "the app factory flag (write the entry point as 'module:create_app()')",
        "--reload": _RELOAD,
        "--reload-dir": _RELOAD,
        "--reload-include": _RELOAD,
        "--reload-exclude": _RELOAD,
        "--reload-delay": _RELOAD,
        "--app-dir": _PATHS,
        "--env-file": _ENV,
        "--log-config": _LOGS,
        "--ssl-keyfile": _TLS,
        "--ssl-certfile": _TLS,
        "--ssl-keyfile-password": _TLS,
        "--ssl-version": _TLS,
        "--ssl-cert-reqs": _TLS,
        "--ssl-ca-certs": _TLS,
        "--ssl-ciphers": _TLS,
        "--version": _EXIT,
        "--help": _EXIT,
    },
    prefix_matching=False,
)

BY_KIND = {
    "gunicorn-sync": GUNICORN,
    "gunicorn-gthread": GUNICORN,
    "gunicorn-uvicorn": GUNICORN,
    "uvicorn": UVICORN,
}


def _refuse(table: ServerOptions, arg: str, why: str) -> ConfigError:
    return ConfigError(
        f"extra_args: {arg!r} is not passed to {table.server}: {why}; allowed options: "
        f"{', '.join(sorted(table.allowed))}"
    )


def _resolve(table: ServerOptions, name: str) -> str:
    """What the server would read `name` as: itself, or (argparse) the option it abbreviates."""
    known = table.known()
    if name in known or not table.prefix_matching:
        return name
    matches = sorted(k for k in known if k.startswith(name))
    if len(matches) > 1:
        raise _refuse(table, name, f"it abbreviates several options ({', '.join(matches)})")
    if matches:
        full = matches[0]
        why = table.refused.get(full)
        if why is not None:
            raise _refuse(table, name, f"it abbreviates {full}, {why}")
        raise _refuse(table, name, f"it abbreviates {full}: spell it out")
    return name


def check_server_args(kind: str, args: list[str]) -> list[str]:
    """The extra arguments as they will be passed (long options, `--name=value` kept as
    written), or `ConfigError` naming the first one refused and why."""
    table = BY_KIND[kind]
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or arg == "--":
            what = "a short option" if arg.startswith("-") and arg != "--" else "not an option"
            raise _refuse(table, arg, f"{what}; give long options, e.g. --timeout 60")
        name, eq, _ = arg.partition("=")
        full = _resolve(table, name)
        if full in table.refused:
            raise _refuse(table, arg, f"it sets {table.refused[full]}")
        kind_of = table.allowed.get(full)
        if kind_of is None:
            raise _refuse(table, arg, f"not a known {table.server} option")
        if kind_of == FLAG:
            if eq:
                raise _refuse(table, arg, f"{full} takes no value")
            out.append(full)
        elif eq:
            out.append(arg)
        else:
            if i + 1 >= len(args) or (args[i + 1].startswith("-") and not _number(args[i + 1])):
                raise _refuse(table, arg, f"{full} needs a value, e.g. {full} 60")
            out += [full, args[i + 1]]
            i += 1
        i += 1
    return out


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
