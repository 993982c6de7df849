"""Regressions found by attacking the C-kept timeout and the fast paths
(issue 12): cases where csock.Socket differed from socket.socket, each
checked against both modules."""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any

import pytest
from _support import MODS

import csock
from csock import _socket as csock_socket

LONG = 10.0


@pytest.mark.parametrize("mod", MODS)
def test_dup_under_a_default_timeout_keeps_a_blocking_socket_blocking(mod: Any) -> None:
    """dup() of a blocking socket while a default timeout is set: the new
    socket's __init__ makes the shared file description non-blocking, and
    socket.dup's settimeout(None) makes it blocking again. A blocking socket
    left on a non-blocking descriptor raised BlockingIOError from recv()."""
    old = mod.getdefaulttimeout()
    mod.setdefaulttimeout(LONG)
    try:
        a, b = mod.socketpair()
        a.settimeout(None)
        c = a.dup()
    finally:
        mod.setdefaulttimeout(old)
    with a, b, c:
        assert a.gettimeout() is None and c.gettimeout() is None
        assert a.getblocking() and c.getblocking()
        timer = threading.Timer(0.1, b.send, (b"zy",))
        timer.start()
        try:
            assert a.recv(1) == b"z"
            assert c.recv(1) == b"y"
        finally:
            timer.join()


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("method", ["recv", "recv_into", "recvfrom", "recv_big", "send"])
@pytest.mark.parametrize("timeout", [1e-9, 1e-7])
def test_tiny_timeout_on_a_ready_socket_does_not_time_out(mod: ModuleType, method: str,
                                                          timeout: float) -> None:
    """CPython polls once with the whole timeout (at least 1 ms) before it
    looks at the clock: a socket that is ready never times out. csock checked
    the deadline first, and a timeout shorter than the time to get to poll()
    raised TimeoutError with the data there."""
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_DGRAM)
    with a, b:
        a.settimeout(timeout)
        for _ in range(200):
            if method == "send":
                assert a.send(b"x") == 1
                b.recv(1)
                continue
            b.send(b"hello")
            if method == "recv":
                assert a.recv(16) == b"hello"
            elif method == "recv_big":  # the general path
                assert a.recv(65536) == b"hello"
            elif method == "recv_into":
                buf = bytearray(16)
                assert a.recv_into(buf) == 5
            else:
                assert a.recvfrom(16)[0] == b"hello"


def test_recvfrom_address_cache_survives_an_exception_in_the_decode(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A signal handler's exception (KeyboardInterrupt...) can come while
    recvfrom decodes a new sender, after C has recorded that sender in the
    spare buffer. That buffer went back to the pool with the previous
    sender's address cached, and every later datagram from the new sender
    was reported as coming from the old one."""
    rx = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    one = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    two = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    with rx, one, two:
        rx.bind(("127.0.0.1", 0))
        one.bind(("127.0.0.1", 0))
        two.bind(("127.0.0.1", 0))
        rx.settimeout(LONG)
        dest = rx.getsockname()
        one.sendto(b"1", dest)
        assert rx.recvfrom(16) == (b"1", one.getsockname())

        real = csock_socket._address.from_filled
        calls = [0]

        def interrupted(*args: Any) -> Any:
            calls[0] += 1
            if calls[0] == 1:
                raise KeyboardInterrupt  # as a handler's exception would
            return real(*args)

        monkeypatch.setattr(csock_socket._address, "from_filled", interrupted)
        two.sendto(b"2", dest)
        with pytest.raises(KeyboardInterrupt):
            rx.recvfrom(16)
        monkeypatch.undo()
        for _ in range(3):
            two.sendto(b"2", dest)
            assert rx.recvfrom(16) == (b"2", two.getsockname())


class _Longer(bytes):
    """A bytes whose buffer (3.12's __buffer__) is one byte longer."""

    def __buffer__(self, flags: int) -> memoryview:
        return memoryview(b"L" * (len(self) + 1))


class _Shorter(bytes):
    """A bytes whose buffer is one byte shorter."""

    def __buffer__(self, flags: int) -> memoryview:
        return memoryview(b"S" * (len(self) - 1))


@pytest.mark.skipif(sys.version_info < (3, 12), reason="__buffer__ is 3.12's (PEP 688)")
def test_sendmmsg_bytes_subclasses_whose_buffers_add_up() -> None:
    """The packed path measured each item with bytes.__len__ but copied what
    join() takes, the buffer protocol's bytes: when the buffers' lengths
    differ from the bytes' but add up to the same total, the datagram
    boundaries were wrong (b"LL", b"LSS" for b"LLL", b"SS")."""
    items = [_Longer(b"ab"), _Shorter(b"cde")]
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        assert a.sendmmsg(items) == 2
        assert [b.recv(64) for _ in items] == [memoryview(i).tobytes() for i in items]


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("method", ["recv", "recv_into", "recvfrom", "recv_big"])
def test_a_deadline_passed_during_a_signal_handler_times_out(mod: ModuleType,
                                                              method: str) -> None:
    """A timed call cut by a signal whose handler makes data ready but runs
    past the deadline: CPython does not call again (the time is up), it
    raises TimeoutError and the data stays queued. The runtime's first poll
    (made even past the deadline) must not turn this into a receive."""
    import signal
    import time

    a, b = mod.socketpair()

    def handler(signum: int, frame: object) -> None:
        b.send(b"x")
        time.sleep(0.4)

    old = signal.signal(signal.SIGALRM, handler)
    calls = {"recv": lambda: a.recv(1), "recv_into": lambda: a.recv_into(bytearray(4)),
             "recvfrom": lambda: a.recvfrom(1), "recv_big": lambda: a.recv(100_000)}
    try:
        with a, b:
            a.settimeout(0.3)
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            with pytest.raises(TimeoutError):
                calls[method]()
            a.settimeout(LONG)
            assert a.recv(1) == b"x"  # still queued
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
