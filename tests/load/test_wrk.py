"""The benchmarks' reference load generator (benchmarks/_common.py `wrk`, Debian's wrk from
setup) measures a server and its rate is read back."""

from __future__ import annotations

import pytest

from benchmarks._common import wrk
from tests.promised import require_wrk


@pytest.mark.integration
def test_wrk_measures_a_tiny_server(tiny_server: str) -> None:
    require_wrk()
    assert wrk(tiny_server + "/", 1, connections=2) > 0
