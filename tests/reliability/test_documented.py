"""Faults (and inputs) checked by tests outside the parametrized tables: each row names its
test, and `test_each_named_test_exists` fails if one is renamed or removed."""

from __future__ import annotations

import importlib

import pytest

from tests.reliability.cases import DOCUMENTED, FAULT, INPUT, Case, documented


def _one(module: str, function: str, cid: str, what: str, expect: str) -> None:
    documented(FAULT, _AREA, f"{module}::{function}", [Case(cid, what, expect)])


_AREA = "servers and load under faults"
SERVE = "tests.serve.test_serve"
_one(
    SERVE,
    "test_app_that_cannot_load_is_a_one_line_error_and_leaves_nothing",
    "app-import-error",
    "the app fails at import (crash on start)",
    "one line with the app's error, nothing left running",
)
_one(
    SERVE,
    "test_ready_timeout",
    "never-ready",
    "the health path never answers 200",
    "a clear error after the ready timeout, nothing left running",
)
_one(
    SERVE,
    "test_killed_worker_is_replaced_pinned_and_nothing_leaks",
    "worker-killed",
    "a worker is killed during the run",
    "replaced, still pinned, nothing leaks",
)
_one(
    SERVE,
    "test_crashed_master_is_reported_with_its_signal_and_nothing_leaks",
    "master-crashed",
    "the server's master dies (SIGKILL)",
    "reported with its signal, nothing leaks",
)
_one(
    SERVE,
    "test_interrupted_context_stops_everything",
    "ctrl-c-while-serving",
    "Ctrl-C while the server runs",
    "every process of the group stopped",
)
_one(
    SERVE,
    "test_given_port_that_is_taken",
    "port-taken",
    "the port asked for is taken",
    "one line naming the port",
)
_one(
    SERVE,
    "test_port_taken_after_the_check_is_still_a_clear_error",
    "port-taken-race",
    "the port is taken between the check and the start",
    "still a clear error",
)
_one(
    SERVE,
    "test_chosen_port_lost_to_a_race_is_chosen_again",
    "free-port-race",
    "the chosen free port is lost to another process",
    "another port is chosen",
)
_one(
    SERVE,
    "test_uvicorn_worker_dying_while_starting_fails_fast",
    "uvicorn-worker-dies",
    "a uvicorn worker dies while starting",
    "fails fast, not at the timeout",
)
_one(
    "tests.load.test_generator",
    "test_interrupt_mid_phase_leaves_nothing_behind",
    "ctrl-c-mid-phase",
    "Ctrl-C in the middle of a load phase",
    "every load driver stopped",
)
_one(
    "tests.test_sweep",
    "test_interrupt_keeps_finished_cells",
    "ctrl-c-mid-sweep",
    "Ctrl-C in the middle of a sweep",
    "finished cells kept, the batch's unfinished cells stored as interrupted",
)
_one(
    "tests.measure.test_end_to_end",
    "test_an_interrupted_batch_keeps_its_windows_and_leaves_nothing",
    "sigint-real-sweep",
    "SIGINT to a real `estimator run`",
    "the batch's unfinished configurations stored as interrupted with their windows, exit 130, "
    "nothing left running",
)
_one(
    "tests.cli.test_dashboard",
    "test_serves_on_loopback_and_ctrl_c_stops_everything",
    "dashboard-ctrl-c",
    "Ctrl-C on `estimator dashboard`",
    "served on loopback only; everything stopped",
)
_one(
    "tests.cli.test_dashboard",
    "test_a_server_that_dies_is_reported",
    "dashboard-dies",
    "the dashboard's server dies",
    "reported in one line",
)
_one(
    "tests.byo.test_probe",
    "test_a_hanging_import_is_stopped",
    "hanging-import",
    "the app hangs while importing",
    "stopped after the timeout, said so",
)
_one(
    "tests.byo.test_sweep_preflight",
    "test_a_bug_in_the_preflight_is_a_failed_result_not_a_crash",
    "preflight-bug",
    "a bug in the preflight",
    "a failed result for that cell, the sweep goes on",
)
_one(
    "tests.interpreters.test_provision",
    "test_failed_install_names_interpreter_and_package",
    "install-fails",
    "a package fails to install in an environment",
    "the interpreter and the package named; the other variants go on",
)

_AREA = "results store, more faults"
R = "tests.reliability"
_one(
    f"{R}.test_store_faults",
    "test_a_sweep_whose_store_fails_stops_with_one_line_and_keeps_the_cell",
    "sweep-store-locked",
    "the store is locked by another process while a sweep measures",
    "the sweep stops with one line; the measured cell kept aside and saved later",
)
_one(
    f"{R}.test_store_faults",
    "test_a_killed_writer_leaves_whole_runs_only",
    "sigkill-mid-save",
    "SIGKILL while runs are being saved",
    "only whole runs in the store; integrity check passes",
)
_one(
    f"{R}.test_store_faults",
    "test_runs_unreadable_by_this_version_are_left_out_with_a_warning",
    "poisoned-run",
    "a stored run holding null where a number belongs (written before inputs were checked: case 1)",
    "left out with a one-line warning; the estimate uses the others",
)

_AREA = "secrets, with real processes"
_one(
    f"{R}.test_secrets",
    "test_the_locustfile_gets_a_minimal_environment",
    "locustfile-env",
    "`AWS_SECRET_ACCESS_KEY` in estimator's environment while the locustfile loads (case 9)",
    "not visible to the locustfile; `pass_env` names are",
)
_one(
    f"{R}.test_secrets",
    "test_setup_commands_get_a_minimal_environment",
    "setup-env",
    "secrets in estimator's environment while setup commands run (case 9)",
    "not visible; `pass_env` names and the app's env are",
)
_one(
    f"{R}.test_secrets",
    "test_server_json_and_log_hold_no_secret_and_the_run_dir_is_private",
    "server-json-and-log",
    "an app env secret, printed by the app at start",
    "`***` in server.json and server.log; run dir 0700, files 0600",
)


@pytest.mark.parametrize(
    "test",
    sorted({g.test for g in DOCUMENTED}),
)
def test_each_named_test_exists(test: str) -> None:
    module, _, function = test.partition("::")
    assert callable(getattr(importlib.import_module(module), function, None)), test


def _input(module: str, function: str, cid: str, what: str, expect: str) -> None:
    documented(
        INPUT,
        "untrusted text, end to end (run, dashboard)",
        f"{module}::{function}",
        [Case(cid, what, expect)],
    )


_input(
    f"{R}.test_untrusted_text",
    "test_a_failing_app_with_markup_in_its_error_does_not_stop_the_sweep",
    "sweep-markup-failure",
    'an app failing with `RuntimeError("config not found in [/etc/myapp]")` during `estimator run` (case 2: MarkupError, the remaining cells never ran)',
    "the line shows the message; every other cell runs",
)
_input(
    f"{R}.test_untrusted_text",
    "test_dry_run_shows_a_scenario_name_with_markup",
    "dry-run-markup-name",
    'a scenario `name = "[/bold] x [t]"` with `--dry-run` (case 2: crash, `[t]` vanished)',
    "shown as written",
)
_input(
    f"{R}.test_untrusted_text",
    "test_the_dashboard_shows_hostile_text_as_text",
    "dashboard-image-label",
    "a server label with `![t](http://…)`, `<script>` and markup in a shared store, on the dashboard (case 9: the browser fetched the image)",
    "shown as text on every page: no image, link or HTML",
)
documented(
    INPUT,
    "server arguments, at run time",
    f"{R}.test_server_args::test_a_refused_option_stops_run_before_anything_starts",
    [
        Case(
            "run-bin-abbrev",
            '`extra_args = ["--bin=0.0.0.0:18777"]` in a scenario, `estimator run` and `--dry-run` (case 4: listened on 0.0.0.0)',
            "one line before anything starts: it abbreviates --bind",
        )
    ],
)
