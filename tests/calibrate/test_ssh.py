"""`estimator calibrate --ssh` against a real sshd that the test starts on loopback, with its
own config, host key, port and authorized keys in a temporary directory. The "remote" Python
is this machine's provisioned environment for the variant (given with --remote-python)."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from estimator import procs
from estimator.calibrate import load_book
from estimator.calibrate.local import requirements
from estimator.interpreters import discover, plan_variants, provision
from tests.calibrate.helpers import cli
from tests.calibrate.test_cli import QUICK
from tests.promised import missing_promised, skip_unpromised

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
PRIVSEP = Path("/run/sshd")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[list[str]]:
    """A running sshd; yields the `estimator calibrate` options that reach it."""
    if not Path(SSHD).is_file() or shutil.which("ssh-keygen") is None:
        missing_promised(f"the OpenSSH server ({SSHD}, Debian's openssh-server)")
    if not PRIVSEP.is_dir():
        try:
            PRIVSEP.mkdir(mode=0o755, parents=True)
        except OSError as exc:
            skip_unpromised(f"sshd needs its privilege-separation directory {PRIVSEP}: {exc}")
    _keygen(tmp_path / "host_key")
    _keygen(tmp_path / "client_key")
    auth = tmp_path / "authorized_keys"
    shutil.copy(tmp_path / "client_key.pub", auth)
    auth.chmod(0o600)
    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp_path / 'host_key'}\n"
        f"AuthorizedKeysFile {auth}\nPidFile {tmp_path / 'sshd.pid'}\n"
        f"AllowUsers {getpass.getuser()}\nPermitRootLogin prohibit-password\n"
        "PubkeyAuthentication yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "Subsystem sftp internal-sftp\n"
    )
    log = tmp_path / "sshd.log"
    with (
        log.open("wb") as log_fh,
        procs.running([SSHD, "-D", "-e", "-f", str(config)], stderr=log_fh) as proc,
    ):
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    skip_unpromised(f"sshd could not start here: {log.read_text()[-500:]}")
                time.sleep(0.1)
        yield [
            "--ssh",
            f"{getpass.getuser()}@127.0.0.1",
            "--ssh-port",
            str(port),
            "--ssh-identity",
            str(tmp_path / "client_key"),
            "--ssh-option",
            "StrictHostKeyChecking=no",
            "--ssh-option",
            f"UserKnownHostsFile={os.devnull}",
            "--ssh-option",
            "LogLevel=ERROR",
        ]


@pytest.mark.integration
@pytest.mark.timeout(900)
def test_calibrate_over_ssh_brings_the_scores_back(
    sshd: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (rv,) = plan_variants(["cpython-3.11"], discover()).resolved
    python = provision(rv, requirements()).python
    out_file = tmp_path / "c7g.json"
    code, out, err = cli(
        capsys,
        "calibrate",
        *sshd,
        "--remote-python",
        f"cpython-3.11={python}",
        "--variants",
        "cpython-3.11",
        "--family",
        "c7g",
        "--json",
        "-o",
        str(out_file),
        *QUICK,
    )
    assert code == 0, err
    (s,) = json.loads(out)
    assert s["variant"] == "cpython-3.11"
    assert s["machine"] == sshd[1]
    assert s["score"] > 0
    assert s["n"] >= 3
    assert s["executable"] == str(python)
    assert s["host"]["cpu_model"]
    assert json.loads(out_file.read_text()) == [s]
    targets = [e for e in load_book().entries if e.role == "target"]
    assert [(e.family, e.source) for e in targets] == [("c7g", f"ssh {sshd[1]}")]
    leftovers = list(Path("/tmp").glob("estimator-calibrate.*"))
    assert not [p for p in leftovers if p.stat().st_mtime > time.time() - 600], leftovers


def test_an_unreachable_host_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()  # nothing listens there
    code, _, err = cli(
        capsys,
        "calibrate",
        "--ssh",
        "nobody@127.0.0.1",
        "--ssh-port",
        str(port),
        "--ssh-option",
        "ConnectTimeout=5",
        "--variants",
        "cpython-3.11",
    )
    assert code == 2
    assert err.startswith("estimator: error: ssh nobody@127.0.0.1:")
    assert len(err.strip().splitlines()) == 1
