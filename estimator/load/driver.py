"""One load-generator process: locust in library mode, driven over stdin/stdout.

Run as `python -m estimator.load.driver --locustfile F --host H` (by `LoadGenerator`, with
the project's interpreter, pinned to one generator CPU). It loads the locustfile with
locust's own loader, builds an `Environment` and a `LocalRunner`, fires `events.init` as
`locust` itself does, then serves phase commands (see `estimator.load.protocol`) until
`quit` or end of input. Users persist across phases; between phases they are paused
(blocked in their `wait_time`), so the server is idle while the parent decides what next.

Every user class gets our `wait_time` (the process-wide slot schedule of
`estimator.load.pacing`; a locustfile's own `wait_time` is replaced, since think time would
fight the rate control) and an `on_start` that, after the locustfile's own, waits for the
phase to open and for a slot, so users spawned for a phase don't all fire at once. At a
phase's end the gate closes and the driver waits for the requests still in flight (the
*drain*), so the server is idle when the parent reads its CPU; those late completions are
counted apart. A phase's `seed` seeds the `random` module (locust's task choice) and the
arrival gaps, so every configuration gets the same request sequence in its window. Latency
comes from locust's `request` event (float ms, unrounded) into `PhaseRecorder`.

Importing this module imports locust, which monkey-patches the process with gevent: never
import it from estimator itself, only run it as a program. (`estimator.load`'s own imports —
threading, subprocess, psutil, pydantic — run before the patching; gevent handles that, and
no MonkeyPatchWarning is raised: nothing imported ssl first.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

import gevent
import gevent.event
import locust  # monkey-patches this process with gevent (see the module docstring)
from gevent.fileobject import FileObjectPosix
from locust import FastHttpUser, HttpUser
from locust.env import Environment
from locust.log import setup_logging
from locust.runners import LocalRunner
from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_WAITING
from locust.util.load_locustfile import load_locustfile
from pydantic import ValidationError

from estimator.load.pacing import Pacer
from estimator.load.protocol import (
    DriverError,
    DriverPhase,
    DriverReady,
    PhaseCommand,
    QuitCommand,
)
from estimator.load.recorder import PhaseRecorder

EXIT_ERROR = 3
SPAWN_RATE_MIN = 1000.0
SPAWN_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 10.0
DRAIN_POLL_S = 0.002
logger = logging.getLogger("estimator.load.driver")


class FatalError(Exception):
    """Ends the driver with an error event."""


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _describe_load_error(path: Path, exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"locustfile {path}: line {exc.lineno}: SyntaxError: {exc.msg}; fix the locustfile"
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename) == path:
            where = f": line {frame.lineno}"
            break
    return f"locustfile {path}{where}: {type(exc).__name__}: {exc}; fix the locustfile"


def _close_after_each_request(cls: type[locust.User]) -> None:
    """A new connection per request: every request says `Connection: close`, so the server
    closes the connection after its response and the next request opens another (what a load
    balancer that keeps no connections to its targets does). FastHttpUser takes it as a class
    default header; an HttpUser's session gets it at its start (`Driver._install`)."""
    if issubclass(cls, FastHttpUser):
        cls.default_headers = {**(cls.default_headers or {}), "Connection": "close"}
    elif not issubclass(cls, HttpUser):
        raise FatalError(
            f"user class {cls.__name__} is neither an HttpUser nor a FastHttpUser: its "
            "connections can't be made per request; set [load] keep_alive = true or derive it "
            "from locust.HttpUser or locust.FastHttpUser"
        )


class Driver:
    """Locust environment plus our pacing, gating and recording."""

    def __init__(self, locustfile: Path, host: str, *, keep_alive: bool = True) -> None:
        self.keep_alive = keep_alive
        self.gate = gevent.event.Event()  # set: users may send; clear: paused
        self.pacer = Pacer()
        self.recorder: PhaseRecorder | None = None
        self.requests_seen = 0
        self.tasks_done = 0
        self.in_flight = 0
        user_classes = self._load(locustfile)
        for cls in user_classes:
            self._install(cls)
        self._tasks = {cls: list(cls.tasks) for cls in user_classes}
        self.env = Environment(
            user_classes=user_classes,
            host=host,
            events=locust.events,
            locustfile=locustfile.name,
        )
        self.env.events.request.add_listener(self._on_request)  # type: ignore[no-untyped-call]
        self.runner: LocalRunner = self.env.create_local_runner()
        self.env.events.init.fire(  # type: ignore[no-untyped-call]
            environment=self.env, runner=self.runner, web_ui=None
        )
        if locust.log.unhandled_greenlet_exception:
            raise FatalError(
                f"locustfile {locustfile}: an 'init' event listener failed (see the driver log); "
                "fix the locustfile"
            )
        self.user_class_names = [c.__name__ for c in user_classes]

    @staticmethod
    def _load(path: Path) -> list[type[locust.User]]:
        try:
            classes, shapes = load_locustfile(str(path))
        except (Exception, SystemExit) as exc:
            raise FatalError(_describe_load_error(path, exc)) from exc
        if not classes:
            raise FatalError(
                f"locustfile {path} defines no User class; add one deriving from "
                "locust.HttpUser or locust.FastHttpUser"
            )
        if shapes:
            logger.warning("ignoring LoadTestShape classes: estimator controls the load shape")
        return [classes[name] for name in sorted(classes)]

    def _install(self, cls: type[locust.User]) -> None:
        """Our wait_time on the class; users spawned while paused wait after on_start."""
        driver = self

        def wait_time(user: locust.User) -> float:
            driver.tasks_done += 1
            driver.in_flight = max(0, driver.in_flight - 1)  # its task is over
            driver.next_slot()
            return 0.0

        cls.wait_time = wait_time
        if not self.keep_alive:
            _close_after_each_request(cls)
        original = cls.on_start
        if getattr(original, "_estimator_gated", False):
            return

        def on_start(user: locust.User) -> None:
            if not driver.keep_alive and isinstance(user, HttpUser):
                user.client.headers["Connection"] = "close"  # a requests.Session
            original(user)
            user._state = LOCUST_STATE_WAITING  # killable while it waits, like in wait_time
            driver.next_slot()
            user._state = LOCUST_STATE_RUNNING

        on_start._estimator_gated = True  # type: ignore[attr-defined]
        cls.on_start = on_start  # type: ignore[method-assign,assignment]

    def next_slot(self) -> None:
        """Block the calling user until the phase is open and its next slot has come (the
        pacing sleep happens here, so a user whose slot falls after the window's end parks
        instead of sending); then it counts as in flight until its task ends."""
        while True:
            if not self.gate.is_set():
                self.gate.wait()
            wait = self.pacer.next_wait(time.monotonic(), self.requests_per_task())
            if wait > 0:
                gevent.sleep(wait)
            if self.gate.is_set():
                self.in_flight += 1
                return

    def requests_per_task(self) -> float:
        """Requests a task sends on average (a task may send several): slots are paced in
        requests, not tasks."""
        if self.tasks_done < 20:
            return 1.0
        return max(self.requests_seen / self.tasks_done, 0.01)

    def _on_request(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        exception: BaseException | None = None,
        response: Any = None,
        **_: Any,
    ) -> None:
        self.requests_seen += 1
        recorder = self.recorder
        if recorder is not None:
            status = getattr(response, "status_code", None)
            recorder.record(
                time.monotonic(),
                request_type,
                name,
                response_time or 0.0,
                exception,
                status=status if isinstance(status, int) else None,
            )

    def _set_users(self, users: int) -> None:
        if users == self.runner.user_count:
            return
        if users == 0:
            self.runner.stop()
            return
        self.runner.start(users, spawn_rate=max(SPAWN_RATE_MIN, 10.0 * users))
        spawning = self.runner.spawning_greenlet
        if spawning is not None:
            spawning.join(timeout=SPAWN_TIMEOUT_S)
        if self.runner.user_count != users:
            raise FatalError(
                f"could only start {self.runner.user_count} of {users} users in "
                f"{SPAWN_TIMEOUT_S:.0f} s; lower the users of the phase"
            )

    def run_phase(self, cmd: PhaseCommand) -> DriverPhase:
        self.gate.clear()
        for cls, tasks in self._tasks.items():  # even: each task once, as likely as any other
            cls.tasks = list(dict.fromkeys(tasks)) if cmd.even_tasks else tasks
        start = time.monotonic() + (cmd.start_at - time.time())
        self._set_users(cmd.users)
        if cmd.seed is not None:
            random.seed(cmd.seed)  # locust picks tasks with the module's generator
        self.pacer.configure(
            cmd.rate, start, arrivals=cmd.arrivals, seed=cmd.seed, end=start + cmd.duration
        )
        recorder = PhaseRecorder(cmd.name, start=start, duration=cmd.duration, users=cmd.users)
        self.recorder = recorder
        gevent.sleep(max(0.0, start - time.monotonic()))
        lag = time.monotonic() - start
        cpu0 = _cpu_s()
        self.gate.set()
        gevent.sleep(max(0.0, recorder.end - time.monotonic()))
        self.gate.clear()
        cpu = _cpu_s() - cpu0
        drain_s = self._drain()
        self.recorder = None
        with contextlib.suppress(Exception):
            self.runner.stats.reset_all()
        offered = self.pacer.offered if cmd.rate is not None else None
        return recorder.finish(cpu_s=cpu, start_lag_s=lag, drain_s=drain_s, offered=offered)

    def _drain(self) -> float:
        """Wait (at most DRAIN_TIMEOUT_S) until no user has a request in flight: the server is
        idle again when the parent reads its CPU. Returns the time it took."""
        began = time.monotonic()
        while self.in_flight > 0 and time.monotonic() - began < DRAIN_TIMEOUT_S:
            gevent.sleep(DRAIN_POLL_S)
        if self.in_flight > 0:
            logger.warning("%d request(s) still in flight after the drain", self.in_flight)
            self.in_flight = 0  # stuck ones: don't make every later drain wait for them
        return time.monotonic() - began

    def quit(self) -> None:
        self.runner.quit()  # paused users are killed where they wait (gevent wait is killable)


def _send(channel: IO[str], message: DriverReady | DriverPhase | DriverError) -> None:
    channel.write(message.model_dump_json() + "\n")
    channel.flush()


def _serve(driver: Driver, commands: Any, channel: IO[str]) -> None:
    while True:
        line = commands.readline()
        if not line:
            return  # the parent went away
        try:
            data = json.loads(line)
            if data.get("cmd") == "quit":
                QuitCommand.model_validate(data)
                return
            cmd = PhaseCommand.model_validate(data)
        except (ValueError, ValidationError, AttributeError) as exc:
            raise FatalError(f"bad command from the parent: {line[:200]!r}: {exc}") from exc
        _send(channel, driver.run_phase(cmd))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m estimator.load.driver")
    parser.add_argument("--locustfile", type=Path, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument(
        "--connection-close",
        action="store_true",
        help="a new connection per request (every request says `Connection: close`)",
    )
    args = parser.parse_args(argv)
    # The protocol gets a private copy of stdout; fd 1 then joins stderr (the log file).
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    setup_logging("INFO")  # type: ignore[no-untyped-call]
    commands = FileObjectPosix(0, "rb", close=False)
    driver: Driver | None = None
    try:
        driver = Driver(args.locustfile.resolve(), args.host, keep_alive=not args.connection_close)
        _send(
            channel,
            DriverReady(
                pid=os.getpid(),
                user_classes=driver.user_class_names,
                locust_version=locust.__version__,
            ),
        )
        _serve(driver, commands, channel)
    except FatalError as exc:
        logger.error("%s", exc)
        _send(channel, DriverError(message=str(exc)))
        return EXIT_ERROR
    except Exception as exc:
        logger.exception("driver failed")
        _send(channel, DriverError(message=f"load driver failed: {type(exc).__name__}: {exc}"))
        return EXIT_ERROR
    finally:
        if driver is not None:
            with contextlib.suppress(Exception):
                driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
