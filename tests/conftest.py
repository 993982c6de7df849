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


def open_fds() -> dict[int, str]:
    """The descriptors this process has open now, each with what it refers to
    (its /proc/self/fd link: a path, `socket:[inode]`, `pipe:[inode]`...).

    An entry is kept only if os.readlink succeeds on it: listdir's own
    descriptor, listed but closed by the time the listing is read, is left
    out. That matters most for `before`: the first descriptor a test opens
    takes the lowest free number, the one listdir's had, and a `before` that
    kept that number never reported a test's first leaked descriptor (a test
    keeping one socket in a module global passed).
    """
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass  # closed since the listing: listdir's own, or another thread's
    return fds


def fds_opened_since(before: dict[int, str]) -> dict[int, str]:
    """The descriptors open now that were not open (to the same file or socket) in `before`.

    A number is compared with what it refers to: a test's garbage collected
    during the next test frees its number, and a socket leaked there may take it.
    """
    return {fd: target for fd, target in open_fds().items() if before.get(fd) != target}


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
    leaked = fds_opened_since(before)
    for _ in range(20):  # threads of the test may still be closing theirs
        if not leaked:
            return
        gc.collect()
        leaked = fds_opened_since(before)
        if not leaked:
            return
        time.sleep(0.05)
    pytest.fail(f"file descriptors leaked by this test: {leaked}")


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
