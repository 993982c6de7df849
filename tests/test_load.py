"""Load and leaks, small: the leak loop (fd count unchanged, RSS bounded) and
csock echo servers (selectors, and a thread per client) for 50 clients x 64 KiB
in another process, every byte checked. ``pytest -m stress`` runs the full
sizes (bench/stress.py prints them as a table).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "bench"))

import reliability  # noqa: E402


def test_leak_loop_small() -> None:
    r = reliability.leak_loop(iterations=2_000, warmup=500, time_limit=40)
    assert r["iterations"] >= 500, r
    assert r["fds_after"] == r["fds_before"], r
    if "libasan" not in os.environ.get("LD_PRELOAD", ""):  # ASAN quarantines freed memory
        assert r["rss_after_kib"] - r["rss_before_kib"] < 8 * 1024, r  # loose in CI


@pytest.mark.parametrize("server", ["selectors", "threads"])
def test_echo_server_small(server: str) -> None:
    run: Any = reliability.echo_selectors if server == "selectors" else reliability.echo_threads
    r = run(50, 64 * 1024, time_limit=40)
    assert r["errors"] == [], r
    assert r["held"] == 50, r
    assert r["bytes_verified"] == 50 * 64 * 1024, r
    assert r["bytes_echoed"] == 50 * 64 * 1024, r
    assert r["fds_after"] == r["fds_before"], r


@pytest.mark.stress
@pytest.mark.timeout(900)
def test_leak_loop_full() -> None:
    r = reliability.leak_loop(iterations=100_000, warmup=10_000, time_limit=600)
    assert r["iterations"] == 100_000, r
    assert r["fds_after"] == r["fds_before"], r
    assert r["rss_after_kib"] - r["rss_before_kib"] <= 2 * 1024, r


@pytest.mark.stress
@pytest.mark.timeout(900)
@pytest.mark.parametrize("server,clients", [("selectors", 1000), ("threads", 200)])
def test_echo_server_full(server: str, clients: int) -> None:
    run: Any = reliability.echo_selectors if server == "selectors" else reliability.echo_threads
    r = run(clients, 1 << 20, time_limit=600)
    assert r["errors"] == [], r
    assert r["held"] == clients, r
    assert r["bytes_verified"] == clients << 20, r
    assert r["fds_after"] == r["fds_before"], r
