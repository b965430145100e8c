"""What of a run may be stored: its environments redacted (estimator.redact), the secret
values cut out of its messages. The store, the runs kept aside and `show --json` only ever
hold what `redacted()` returns."""

from __future__ import annotations

from estimator.measure import RunResult
from estimator.redact import redact_env, scrub, secret_values


def redacted(result: RunResult) -> RunResult:
    app = result.cell.app
    public = app.public_env
    secrets = secret_values(app.env, public)
    if result.launch is not None:
        secrets += secret_values(result.launch.env, public)
    secrets = sorted(set(secrets), key=len, reverse=True)
    cell = result.cell.model_copy(
        update={"app": app.model_copy(update={"env": redact_env(app.env, public)})}
    )
    update: dict[str, object] = {
        "cell": cell,
        "variant_env": redact_env(result.variant_env),
        "failure": None if result.failure is None else scrub(result.failure, secrets),
        "log_tail": [scrub(line, secrets) for line in result.log_tail],
        "warnings": [scrub(w, secrets) for w in result.warnings],
    }
    if result.launch is not None:
        update["launch"] = result.launch.model_copy(
            update={"env": redact_env(result.launch.env, public)}
        )
    return result.model_copy(update=update)
