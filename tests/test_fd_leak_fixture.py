"""The descriptor-leak fixture (conftest.py's no_fd_leak) itself: pytest runs, in
a subprocess, a tiny test file under that fixture, and each of its tests is
reported as it should be. No traffic: the sockets are never connected."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

INNER = '''
import gc
import os
import socket

import pytest

_keep = []


def test_keeps_a_socket():
    # A module global: still open when the test is over. Its number is the
    # lowest free one, the number listdir's own descriptor had in `before`.
    _keep.append(socket.socket())


def test_keeps_a_socketpair():
    _keep.append(socket.socketpair())


def test_keeps_a_pipe():
    _keep.append(os.pipe())


def test_keeps_a_file(tmp_path):
    _keep.append(open(tmp_path / "kept", "w"))


def test_closes_its_socket():
    with socket.socket() as s:
        assert s.fileno() >= 0
    a, b = socket.socketpair()
    a.close()
    b.close()


def test_drops_a_socket_in_a_cycle():
    # Garbage only a collection closes: the fixture collects before it reports.
    holder = {"sock": socket.socket()}
    holder["self"] = holder
    del holder


def test_opens_nothing():
    assert 1 + 1 == 2


@pytest.mark.allow_fd_leak
def test_marked_keeps_a_socket():
    _keep.append(socket.socket())


def test_reuses_a_freed_number():
    # The earlier tests' descriptors freed, a socket kept on one of their
    # numbers is still a new descriptor: it is reported.
    for kept in _keep:
        for f in kept if isinstance(kept, tuple) else (kept,):
            if isinstance(f, int):
                os.close(f)
            else:
                f.close()
    _keep.clear()
    gc.collect()
    _keep.append(socket.socket())
'''

EXPECTED = {
    "test_keeps_a_socket": "ERROR",
    "test_keeps_a_socketpair": "ERROR",
    "test_keeps_a_pipe": "ERROR",
    "test_keeps_a_file": "ERROR",
    "test_closes_its_socket": "PASSED",
    "test_drops_a_socket_in_a_cycle": "PASSED",
    "test_opens_nothing": "PASSED",
    "test_marked_keeps_a_socket": "PASSED",
    "test_reuses_a_freed_number": "ERROR",
}


@pytest.fixture(scope="module")
def inner_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """pytest on INNER, with tests/conftest.py loaded as a plugin (its fixtures)."""
    folder = tmp_path_factory.mktemp("fdleak")
    (folder / "test_inner.py").write_text(textwrap.dedent(INNER), encoding="utf-8")
    (folder / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    allow_fd_leak: kept on purpose\n", encoding="utf-8")
    env = dict(os.environ, COLUMNS="1000")  # the -rA summary lines in full
    env["PYTHONPATH"] = os.pathsep.join(
        [str(TESTS), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider",
         "-rA", "-q", "--timeout", "30", "test_inner.py"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=50)


def _outcomes(output: str) -> dict[str, str]:
    """The -rA summary: test name -> PASSED, ERROR, FAILED..."""
    found: dict[str, str] = {}
    for line in output.splitlines():
        m = re.match(r"(PASSED|FAILED|ERROR|SKIPPED) test_inner\.py::(\w+)", line)
        if m:
            # A test that passes and then errors in teardown is listed twice.
            if found.get(m.group(2)) != "ERROR":
                found[m.group(2)] = m.group(1)
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports_exactly_the_leaks(
        inner_run: subprocess.CompletedProcess[str], name: str) -> None:
    outcomes = _outcomes(inner_run.stdout)
    assert outcomes.get(name) == EXPECTED[name], inner_run.stdout + inner_run.stderr


def test_a_leaked_socket_is_named_in_the_report(
        inner_run: subprocess.CompletedProcess[str]) -> None:
    line = next(line for line in inner_run.stdout.splitlines()
                if line.startswith("ERROR test_inner.py::test_keeps_a_socket "))
    assert "file descriptors leaked by this test" in line
    assert re.search(r"\{\d+: 'socket:\[\d+\]'\}", line), line
