"""The locust versions estimator declares (pyproject: a lower bound, and an upper one because
the load driver touches locust internals) are the ones it works with: the installed locust is
inside them, and the driver runs real phases on the lowest one allowed (in a venv of its own,
estimator's source on its path through a .pth file, as an editable install does)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import estimator
from estimator import procs
from estimator.load import PhaseSpec, load_generator
from tests.promised import require_uv
from tests.serve.sample_envs import environment

HERE = Path(__file__).resolve().parent
_SPEC = re.compile(r"^\s*(>=|<=|==|<|>|~=|!=)\s*([\d.]+)\s*$")

# Run by each locust under test (never imported here: locust monkey-patches with gevent).
# Every internal estimator/load/driver.py relies on, beyond locust's documented library API.
PROBE = r"""
import json, os, sys, tempfile
problems = []
import locust, locust.log
from locust.env import Environment
try:
    from locust.user.task import LOCUST_STATE_RUNNING, LOCUST_STATE_WAITING
except ImportError as exc:
    problems.append(f"locust.user.task: {exc}")
from locust.util.load_locustfile import load_locustfile
for name in ("unhandled_greenlet_exception", "setup_logging"):
    if not hasattr(locust.log, name):
        problems.append(f"locust.log.{name} is gone")
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "lf.py")
    with open(path, "w") as f:
        f.write("from locust import HttpUser, task\n"
                "class V(HttpUser):\n    @task\n    def t(self):\n        pass\n")
    loaded = load_locustfile(path)
if not (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], dict)):
    problems.append("load_locustfile no longer returns (user classes by name, shape classes)")
else:
    env = Environment(user_classes=list(loaded[0].values()), host="http://127.0.0.1:9",
                      events=locust.events, locustfile="lf.py")
    runner = env.create_local_runner()
    env.events.init.fire(environment=env, runner=runner, web_ui=None)
    for name in ("spawning_greenlet", "user_count", "stats"):
        if not hasattr(runner, name):
            problems.append(f"LocalRunner.{name} is gone")
    if not hasattr(runner.stats, "reset_all"):
        problems.append("RequestStats.reset_all is gone")
    runner.quit()
print(json.dumps({"version": locust.__version__, "problems": problems}))
"""


def _version(text: str) -> tuple[int, ...]:
    """'2.36' and '2.36.0' alike: (2, 36)."""
    parts = [int(x) for x in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def declared_bounds() -> dict[str, str]:
    """The locust requirement of the installed estimator: {'>=': '2.36', '<': '3'}."""
    (req,) = [r for r in metadata.requires("estimator") or [] if re.match(r"locust\b", r)]
    out = {}
    for part in req[len("locust") :].split(";")[0].split(","):
        m = _SPEC.match(part)
        assert m, f"unexpected locust specifier {part!r} in {req!r}"
        out[m.group(1)] = m.group(2)
    return out


def test_the_requirement_has_both_bounds() -> None:
    bounds = declared_bounds()
    assert set(bounds) == {">=", "<"}, bounds


def test_installed_locust_is_inside_the_bounds() -> None:
    bounds = declared_bounds()
    installed = _version(metadata.version("locust"))
    assert _version(bounds[">="]) <= installed < _version(bounds["<"]), (
        f"locust {metadata.version('locust')} is outside {bounds}"
    )


def _probe(python: Path | str) -> dict[str, object]:
    argv = [python, "-c", PROBE]
    with procs.running(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    result: dict[str, object] = json.loads(out.decode().strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def lowest_locust() -> Path:
    """A venv with the lowest locust the bounds allow (cached across runs by content), the
    pydantic and psutil estimator runs with, and estimator's own source on its path."""
    lowest = declared_bounds()[">="]
    base = Path(sys.executable).resolve()
    packages = [
        f"locust=={lowest}",
        f"pydantic=={metadata.version('pydantic')}",
        f"psutil=={metadata.version('psutil')}",
    ]
    version = (sys.version_info.major, sys.version_info.minor)
    python = environment(require_uv(), base, version, "cpython", "locust-lowest", [], packages)
    (site,) = python.parent.parent.glob("lib/python*/site-packages")
    (site / "estimator_source.pth").write_text(str(Path(estimator.__file__).parent.parent) + "\n")
    return python


@pytest.mark.integration
def test_the_internals_the_driver_touches_exist_in_the_installed_locust() -> None:
    got = _probe(sys.executable)
    assert got == {"version": metadata.version("locust"), "problems": []}


@pytest.mark.integration
def test_the_internals_exist_in_the_lowest_locust(lowest_locust: Path) -> None:
    got = _probe(lowest_locust)
    assert _version(str(got["version"])) == _version(declared_bounds()[">="])
    assert got["problems"] == []


@pytest.mark.integration
def test_the_driver_runs_phases_on_the_lowest_locust(
    lowest_locust: Path, tiny_server: str, tmp_path: Path
) -> None:
    with load_generator(
        HERE / "locustfiles" / "mixed.py",
        tiny_server,
        cpus=[0],
        run_dir=tmp_path / "run",
        python=lowest_locust,
    ) as gen:
        assert gen.user_classes == ["Visitor"]
        closed = gen.run_phase(PhaseSpec(name="warmup-1", kind="warmup", duration_s=1.5))
        assert closed.requests > 20
        assert 0 < closed.failures < closed.requests  # '/fail' is 1 task in 10
        fixed = gen.run_phase(PhaseSpec(name="steady-1", kind="steady", duration_s=2, rate=50))
        assert fixed.target_rate == 50
        assert fixed.requests > 0
    log = (tmp_path / "run" / "locust-0.log").read_text()
    assert log  # the driver ran and logged (locust's own noise goes there)
