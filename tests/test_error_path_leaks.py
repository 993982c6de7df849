"""No descriptor is left open when a csock call that makes one fails part way.

Each test keeps the exception (and so its traceback, and every frame's locals)
alive while it looks: a descriptor only the garbage collector would close is
open then, and counted. Traffic: 127.0.0.1 only, ports picked by the kernel.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

import csock
from csock import _socket


def fds_now() -> dict[int, str]:
    """The open descriptors, each with what it refers to (listdir's own left out)."""
    fds = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            pass
    return fds


def opened_since(before: dict[int, str]) -> dict[int, str]:
    return {fd: target for fd, target in fds_now().items() if before.get(fd) != target}


class Interrupted(BaseException):
    """Stands for a KeyboardInterrupt raised by a signal handler mid-call."""


def fail_on_call(monkeypatch: pytest.MonkeyPatch, method: str, which: int) -> None:
    """Socket.<method> raises Interrupted on its ``which``-th call (1-based)."""
    real = getattr(_socket.Socket, method)
    calls = 0

    def patched(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == which:
            raise Interrupted
        return real(self, *args)

    monkeypatch.setattr(_socket.Socket, method, patched)


@pytest.fixture
def server() -> Iterator[csock.Socket]:
    with csock.create_server(("127.0.0.1", 0)) as srv:
        yield srv


# ------------------------------------------------------- create_connection
@pytest.mark.parametrize("kwargs, error", [
    ({"timeout": "soon"}, TypeError),
    ({"timeout": -1.0}, ValueError),
    ({"source_address": ("127.0.0.1", "port")}, TypeError),
    ({"source_address": ("127.0.0.1", 0, 0)}, TypeError),
], ids=["timeout-type", "timeout-negative", "source-port-type", "source-3-tuple"])
def test_create_connection_closes_its_socket_on_any_error(
        server: csock.Socket, kwargs: dict[str, Any], error: type[Exception]) -> None:
    port = server.getsockname()[1]
    before = fds_now()
    with pytest.raises(error) as info:
        csock.create_connection(("127.0.0.1", port), **kwargs)
    assert opened_since(before) == {}
    del info


def test_create_connection_closes_its_socket_when_interrupted(
        server: csock.Socket, monkeypatch: pytest.MonkeyPatch) -> None:
    port = server.getsockname()[1]
    fail_on_call(monkeypatch, "connect", 1)
    before = fds_now()
    with pytest.raises(Interrupted) as info:
        csock.create_connection(("127.0.0.1", port), timeout=5)
    assert opened_since(before) == {}
    del info


# ---------------------------------------------------------------- makefile
@pytest.mark.parametrize("args, kwargs, error", [
    (("r", 0), {}, ValueError),  # unbuffered text
    (("r",), {"encoding": "no-such-codec"}, LookupError),
    (("rb", "big"), {}, TypeError),
    (("r",), {"newline": "nl"}, ValueError),
], ids=["unbuffered-text", "encoding", "buffering-type", "newline"])
def test_failed_makefile_does_not_keep_the_socket_open(
        args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]) -> None:
    before = fds_now()
    sock = csock.socket()
    with pytest.raises(error) as info:
        sock.makefile(*args, **kwargs)
    sock.close()  # no file of it is left: this closes the descriptor
    assert sock.fileno() == -1
    assert opened_since(before) == {}
    del info


def test_makefile_still_keeps_the_socket_open_for_its_file() -> None:
    a, b = csock.socketpair()
    with a, b:
        f = a.makefile("rb")
        a.close()
        assert a.fileno() >= 0  # the file still uses it
        b.sendall(b"x")
        assert f.read(1) == b"x"
        f.close()
        assert a.fileno() == -1


# -------------------------------------------------------------- socketpair
@pytest.mark.parametrize("which", [1, 2], ids=["first", "second"])
def test_socketpair_closes_both_descriptors_when_a_socket_fails(
        monkeypatch: pytest.MonkeyPatch, which: int) -> None:
    # Under a default timeout each Socket() sets it: the which-th one fails.
    old = csock.getdefaulttimeout()
    csock.setdefaulttimeout(5.0)
    try:
        fail_on_call(monkeypatch, "settimeout", which)
        before = fds_now()
        with pytest.raises(Interrupted) as info:
            csock.socketpair()
        assert opened_since(before) == {}
        del info
    finally:
        csock.setdefaulttimeout(old)


# ------------------------------------------------------------ accept, dup
def test_accept_closes_the_connection_when_it_fails_after_adopting_it(
        server: csock.Socket, monkeypatch: pytest.MonkeyPatch) -> None:
    server.settimeout(5.0)  # the accepted socket is then made blocking: that fails
    port = server.getsockname()[1]
    with csock.create_connection(("127.0.0.1", port), timeout=5) as client:
        fail_on_call(monkeypatch, "setblocking", 1)
        before = fds_now()
        with pytest.raises(Interrupted) as info:
            server.accept()
        assert opened_since(before) == {}
        del info
        monkeypatch.undo()
        assert client.recv(1) == b""  # the server side is closed: end of file


def test_dup_closes_the_duplicate_when_it_fails_after_adopting_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with csock.socket() as sock:
        sock.settimeout(2.0)
        fail_on_call(monkeypatch, "settimeout", 1)
        before = fds_now()
        with pytest.raises(Interrupted) as info:
            sock.dup()
        assert opened_since(before) == {}
        del info
