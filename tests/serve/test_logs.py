from __future__ import annotations

from pathlib import Path

from estimator.serve.logs import cause, tail


def test_tail_reads_only_the_end(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {i}\n" for i in range(100_000)))
    assert tail(log, 3) == ["line 99997", "line 99998", "line 99999"]
    assert tail(tmp_path / "missing.log") == []
    assert tail(log, 0) == []


GUNICORN_BOOT_FAILURE = """\
[2026-11-27 14:27:33 +0000] [19858] [ERROR] Exception in worker process
Traceback (most recent call last):
  File "x.py", line 1, in <module>
ModuleNotFoundError: No module named 'nope'
[2026-11-27 14:27:33 +0000] [19855] [ERROR] Worker (pid:19858) exited with code 3.
gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>
[2026-11-27 14:27:33 +0000] [19855] [ERROR] Shutting down: Master
[2026-11-27 14:27:33 +0000] [19855] [ERROR] Reason: Worker failed to boot.
""".splitlines()


def test_cause_prefers_the_exception_line() -> None:
    assert cause(GUNICORN_BOOT_FAILURE) == "ModuleNotFoundError: No module named 'nope'"


def test_cause_prefers_a_specific_error_over_the_servers_summary() -> None:
    lines = [
        "[INFO] Booting worker with pid: 1",
        "Failed to find attribute 'nothing' in 'fixture_wsgi'.",
        "[ERROR] Worker (pid:1) exited with code 4.",
        "[ERROR] Reason: App failed to load.",
    ]
    assert cause(lines) == "Failed to find attribute 'nothing' in 'fixture_wsgi'."
    assert cause(lines[2:]) == "[ERROR] Reason: App failed to load."


def test_cause_uvicorn_and_nothing() -> None:
    lines = ['ERROR:    Error loading ASGI app. Could not import module "nope".']
    assert cause(lines) == lines[0]
    assert cause(["[INFO] Booting worker with pid: 1", ""]) is None


def test_failure_finds_the_app_error_above_a_long_server_traceback(tmp_path: Path) -> None:
    from estimator.serve.running import failure

    log = tmp_path / "server.log"
    server_tb = [f'  File "gunicorn/arbiter.py", line {i}, in reap_workers' for i in range(80)]
    halt = "gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"
    lines = ["[INFO] Booting worker", "ValueError: the app's own problem", "Traceback:"]
    log.write_text("\n".join([*lines, *server_tb, halt]))
    exc = failure("server x exited (exit code 3)", log)
    assert (
        str(exc) == f"server x exited (exit code 3): ValueError: the app's own problem; log: {log}"
    )
    assert len(exc.log_tail) == 40
