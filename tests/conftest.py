"""Shared fixtures: every test is checked for leaked file descriptors; the
Hypothesis profiles; the no-lookup guard (tests/_support.py) as a fixture."""

from __future__ import annotations

import gc
import os
import tempfile
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
from _support import MODS, PROFILE, guard_csock, guard_stdlib
from hypothesis import HealthCheck, settings

# Hypothesis, for every test file. "ci" (the default) is derandomized: each run
# tries the same examples, so a CI result does not depend on luck; and it keeps
# no example database, so failures saved by an earlier run on this machine do
# not change what runs. "stress" (CSOCK_HYPOTHESIS_PROFILE=stress) draws new
# examples every run and keeps the database, to replay what it finds.
settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "stress", max_examples=10_000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(PROFILE)


@pytest.fixture(autouse=True, scope="session")
def subprocesses_import_the_tested_csock() -> Iterator[None]:
    """Tests run `python -m csock ...` and `python -c ...` from the checkout;
    there Python puts the current folder first on sys.path, so a child would
    import the checkout's csock/ (with no compiled extension when csock was
    installed, not built in place: the README's second command on a fresh
    clone) instead of the csock under test. PYTHONSAFEPATH (3.11+) leaves
    that folder out, so children import what this process imported."""
    import csock

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.dirname(os.path.dirname(os.path.abspath(csock.__file__))) == here:
        yield  # csock is the checkout's own (editable): nothing to shadow it
        return
    old = os.environ.get("PYTHONSAFEPATH")
    os.environ["PYTHONSAFEPATH"] = "1"
    yield
    if old is None:
        del os.environ["PYTHONSAFEPATH"]
    else:
        os.environ["PYTHONSAFEPATH"] = old


@pytest.fixture(autouse=True, scope="session")
def cdef_cache() -> Iterator[str]:
    """c.cdef()'s compiled modules go to a folder of this session (subprocesses
    inherit it), never to the user's ~/.cache."""
    with tempfile.TemporaryDirectory(prefix="csock-cdef-") as d:
        old = os.environ.get("CSOCK_CDEF_CACHE")
        os.environ["CSOCK_CDEF_CACHE"] = d
        yield d
        if old is None:
            del os.environ["CSOCK_CDEF_CACHE"]
        else:
            os.environ["CSOCK_CDEF_CACHE"] = old


def open_fds() -> set[int]:
    """The descriptors this process has open now."""
    return {int(name) for name in os.listdir("/proc/self/fd")}


@pytest.fixture(autouse=True)
def no_fd_leak(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that leaves a descriptor open that it did not find open."""
    # No gc.collect() unless a descriptor looks leaked: two full collections a
    # test were a third of the suite's time (an earlier test's garbage still
    # open only makes `before` larger).
    before = open_fds()
    yield
    if request.node.get_closest_marker("allow_fd_leak"):
        return
    leaked = open_fds() - before
    for _ in range(20):  # threads of the test may still be closing theirs
        if not leaked:
            return
        gc.collect()
        leaked = open_fds() - before
        # listdir's own fd is gone by now; ignore fds that are not sockets/files
        leaked = {fd for fd in leaked if os.path.exists(f"/proc/self/fd/{fd}")}
        if not leaked:
            return
        time.sleep(0.05)
    targets = {}
    for fd in leaked:
        try:
            targets[fd] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass
    if targets:
        pytest.fail(f"file descriptors leaked by this test: {targets}")


@pytest.fixture(params=MODS)
def mod(request: pytest.FixtureRequest) -> ModuleType:
    """The module under test: socket (the reference) or csock."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def sockdir() -> Iterator[str]:
    """A temporary folder for AF_UNIX paths (short: sun_path holds 108 bytes)."""
    with tempfile.TemporaryDirectory(prefix="cs", dir="/tmp") as d:
        yield d


@pytest.fixture
def no_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """No name reaches a resolver: a call that would ask one raises LookupAttempted.

    csock is guarded where it hands a host to C's getaddrinfo/getnameinfo,
    socket in front of its resolving functions and address-taking methods.
    """
    guard_csock(monkeypatch)
    guard_stdlib(monkeypatch)
