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
phase to open and for a slot, so users spawned for a phase don't all fire at once. Latency
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


class Driver:
    """Locust environment plus our pacing, gating and recording."""

    def __init__(self, locustfile: Path, host: str) -> None:
        self.gate = gevent.event.Event()  # set: users may send; clear: paused
        self.pacer = Pacer()
        self.recorder: PhaseRecorder | None = None
        self.requests_seen = 0
        self.tasks_done = 0
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
            if not driver.gate.is_set():
                driver.gate.wait()
            return driver.pacer.next_wait(time.monotonic(), driver.requests_per_task())

        cls.wait_time = wait_time
        original = cls.on_start
        if getattr(original, "_estimator_gated", False):
            return

        def on_start(user: locust.User) -> None:
            original(user)
            user._state = LOCUST_STATE_WAITING  # killable while it waits, like in wait_time
            if not driver.gate.is_set():
                driver.gate.wait()
            gevent.sleep(driver.pacer.next_wait(time.monotonic(), driver.requests_per_task()))
            user._state = LOCUST_STATE_RUNNING

        on_start._estimator_gated = True  # type: ignore[attr-defined]
        cls.on_start = on_start  # type: ignore[method-assign,assignment]

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
        self.pacer.configure(cmd.rate, start)
        recorder = PhaseRecorder(cmd.name, start=start, duration=cmd.duration, users=cmd.users)
        self.recorder = recorder
        gevent.sleep(max(0.0, start - time.monotonic()))
        lag = time.monotonic() - start
        cpu0 = _cpu_s()
        self.gate.set()
        gevent.sleep(max(0.0, recorder.end - time.monotonic()))
        self.gate.clear()
        cpu = _cpu_s() - cpu0
        self.recorder = None
        with contextlib.suppress(Exception):
            self.runner.stats.reset_all()
        return recorder.finish(cpu_s=cpu, start_lag_s=lag)

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
    args = parser.parse_args(argv)
    # The protocol gets a private copy of stdout; fd 1 then joins stderr (the log file).
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    setup_logging("INFO")  # type: ignore[no-untyped-call]
    commands = FileObjectPosix(0, "rb", close=False)
    driver: Driver | None = None
    try:
        driver = Driver(args.locustfile.resolve(), args.host)
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
