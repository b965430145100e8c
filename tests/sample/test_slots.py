"""Requests in flight per worker: the mean of capped readings, sockets classified once, and a
real sampler counting this process's accepted loopback connections."""

from __future__ import annotations

import os
import socket
import time

import pytest

from estimator.sample.slots import Classifier, SlotSampler, SlotTick, slot_use
from estimator.sample.sockdiag import CONNECTED, open_diag


def test_busy_slots_are_the_mean_of_readings_capped_at_the_threads() -> None:
    ticks = [SlotTick(0.0, {1: 5, 2: 0}), SlotTick(0.1, {1: 1, 2: 2}), SlotTick(0.2, {1: 0})]
    use = slot_use(ticks, threads=2)
    assert use is not None
    assert use.ticks == 3
    # worker 1: min(5,2) + 1 + 0 = 3 over 3 readings; worker 2: 0 + 2 (+ absent: 0)
    assert use.per_worker == {1: pytest.approx(1.0), 2: pytest.approx(2 / 3)}
    assert use.total == pytest.approx(5 / 3)
    assert slot_use([], threads=2) is None


class FakeDiag:
    """Sockets 10-19 are connections on the port; counts the dumps."""

    def __init__(self) -> None:
        self.dumps = 0

    def listening_families(self, port: int) -> list[int]:
        return [socket.AF_INET]

    def inodes(self, port: int, states: object, families: object) -> set[int]:
        self.dumps += 1
        return set(range(10, 20))


def test_each_socket_is_classified_once() -> None:
    diag = FakeDiag()
    c = Classifier(8080, diag)  # type: ignore[arg-type]
    # 3 is the worker's own socketpair end, 10 and 11 connections
    assert c.connections({1: {3, 10}, 2: {11}}) == {1: 1, 2: 1}
    assert diag.dumps == 1
    assert c.connections({1: {3, 10}, 2: {11}}) == {1: 1, 2: 1}
    assert diag.dumps == 1  # nothing new: no dump
    assert c.connections({1: {3}, 2: {12, 13}}) == {1: 0, 2: 2}
    assert diag.dumps == 2
    assert c.conn == {12, 13}  # forgets what is no longer held
    assert c.other == {3}


def test_sock_diag_lists_the_server_ends_on_the_port(listener: socket.socket) -> None:
    diag = open_diag()
    assert diag is not None, "netlink sock_diag is part of the Linux kernels this runs on"
    port = listener.getsockname()[1]
    with diag:
        assert diag.listening_families(port) == [socket.AF_INET]
        client = socket.create_connection(("127.0.0.1", port))
        server_end, _ = listener.accept()
        try:
            found = diag.inodes(port, CONNECTED, [socket.AF_INET])
            assert found == {os.fstat(server_end.fileno()).st_ino}
        finally:
            client.close()
            server_end.close()


def test_the_sampler_reads_the_connections_a_process_holds(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    slots = SlotSampler(port, lambda: [os.getpid()], interval_s=0.01)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    accepted = [listener.accept()[0] for _ in range(2)]  # one still in the backlog: not held
    try:
        t0 = time.time()
        slots.start()
        time.sleep(0.2)
        slots.stop()
        use = slot_use(slots.ticks(t0, time.time()), threads=4)
        assert slots.failed is None
        assert use is not None
        assert use.ticks >= 5
        assert use.per_worker == {os.getpid(): pytest.approx(2.0)}
        one = slot_use(slots.ticks(t0, time.time()), threads=1)
        assert one is not None
        assert one.per_worker == {os.getpid(): pytest.approx(1.0)}
    finally:
        slots.close()
        for s in [*clients, *accepted]:
            s.close()
