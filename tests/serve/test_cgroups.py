from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from estimator import procs
from estimator.serve import Placement
from estimator.serve.cgroups import Hierarchy, ServerCgroup, hierarchies
from tests.promised import skip_unpromised

MOUNTINFO = """\
25 30 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu,cpuacct
27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
28 25 0:25 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
29 25 0:26 /docker/abc /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
"""
OWN = """\
9:pids:/docker/abc/inner
4:memory:/process_api/xyz
1:cpu,cpuacct:/
0::/
"""


def test_hierarchies_parse_v1_v2_and_container_roots(tmp_path: Path) -> None:
    found = hierarchies(MOUNTINFO, OWN)
    by_mount = {str(h.mount): h for h in found}
    cpu = by_mount["/sys/fs/cgroup/cpu"]
    assert (cpu.version, cpu.controllers, cpu.own) == (
        1, frozenset({"cpu", "cpuacct"}), Path("/sys/fs/cgroup/cpu")
    )  # fmt: skip
    assert by_mount["/sys/fs/cgroup/memory"].own == Path("/sys/fs/cgroup/memory/process_api/xyz")
    assert by_mount["/sys/fs/cgroup/pids"].own == Path("/sys/fs/cgroup/pids/inner")
    assert by_mount["/sys/fs/cgroup/unified"].version == 2


def v1_tree(root: Path) -> list[Hierarchy]:
    cpu, mem = root / "cpu", root / "memory"
    (mem / "parent").mkdir(parents=True)
    cpu.mkdir()
    return [
        Hierarchy(1, cpu, frozenset({"cpu", "cpuacct"}), cpu),
        Hierarchy(1, mem, frozenset({"memory"}), mem / "parent"),
    ]


def test_v1_limits_are_written_under_our_own_cgroup(tmp_path: Path) -> None:
    found = v1_tree(tmp_path)
    stale = tmp_path / "cpu" / "estimator-999999999-deadbeef"
    stale.mkdir()
    cg = ServerCgroup(name="estimator-test")
    cg.setup(Placement(server_cpus=[1], quota_cpus=0.5, memory_limit_mb=64), found)
    cpu_dir, mem_dir = (
        tmp_path / "cpu" / "estimator-test",
        tmp_path / "memory/parent/estimator-test",
    )
    assert cg.dirs == [cpu_dir, mem_dir]
    assert (cpu_dir / "cpu.cfs_quota_us").read_text() == "50000"
    assert (cpu_dir / "cpu.cfs_period_us").read_text() == "100000"
    assert (mem_dir / "memory.limit_in_bytes").read_text() == str(64 * 1024 * 1024)
    assert (cg.quota_applied, cg.quota_mechanism, cg.quota_us) == (
        True, "cgroup-v1 cfs_quota_us", 50000
    )  # fmt: skip
    assert cg.memory_applied
    assert cg.quota_note == cg.memory_note == ""
    assert not stale.exists(), "an empty cgroup of a dead estimator is cleaned up"


def test_a_quota_no_smaller_than_the_pinned_cpus_is_flagged(tmp_path: Path) -> None:
    cg = ServerCgroup(name="estimator-test")
    cg.setup(Placement(server_cpus=[0, 1], quota_cpus=2.0), v1_tree(tmp_path))
    assert cg.quota_applied
    assert "does not limit the server" in cg.quota_note


def test_nothing_writable_means_not_applied_and_why(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    found = [Hierarchy(1, blocker, frozenset({"cpu"}), blocker)]
    cg = ServerCgroup(name="estimator-test")
    cg.setup(Placement(server_cpus=[1], quota_cpus=0.5, memory_limit_mb=64), found)
    assert not cg.quota_applied
    assert not cg.memory_applied
    assert not cg.needed
    assert cg.quota_note.startswith("CPU quota not applied: cannot create")
    assert cg.memory_note == (
        "memory limit not applied: no cgroup hierarchy here offers the memory controller"
    )


def test_v2_without_the_controller_delegated_says_so(tmp_path: Path) -> None:
    unified = tmp_path / "unified"
    unified.mkdir()
    cg = ServerCgroup(name="estimator-test")
    cg.setup(
        Placement(server_cpus=[1], quota_cpus=0.5),
        [Hierarchy(2, unified, frozenset({"cpu"}), unified)],
    )
    assert not cg.quota_applied
    assert "the cpu controller is not offered under" in cg.quota_note
    assert not (unified / "estimator-test").exists()


def test_no_limits_no_cgroup() -> None:
    cg = ServerCgroup()
    cg.setup(Placement(server_cpus=[0]), [])
    assert not cg.needed
    assert cg.quota_note == cg.memory_note == ""


@pytest.mark.integration
def test_real_cgroup_holds_a_process_and_is_removed() -> None:
    cg = ServerCgroup()
    cg.setup(Placement(server_cpus=[0], quota_cpus=0.5, memory_limit_mb=64))
    if not cg.quota_applied:
        cg.remove()
        skip_unpromised(f"cgroups are not writable here: {cg.quota_note}")
    try:
        with procs.running(["sleep", "30"], stdout=subprocess.DEVNULL) as proc:
            cg.add(proc.pid)
            assert cg.pids() == [proc.pid]
            assert cg.name in Path(f"/proc/{proc.pid}/cgroup").read_text()
    finally:
        dirs = list(cg.dirs)
        assert cg.remove() == []
    assert dirs
    assert not any(d.exists() for d in dirs)
