"""Attacks on the hot paths (recv, send, recv_into and sendall's C
functions, csock/_cdefs/csock_hot.py): a Socket whose csockrt_fd is replaced
(__init__ called again) while a call runs on the old one's key, arguments
whose __class__ lies about their type, and sockets freed or resurrected
around a call. (Written for session 6's key paths, whose packed integer and
recv buffers these attacks broke; the hot paths must hold against them too.)"""

from __future__ import annotations

import errno
import gc
import os
import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from _support import MODS, fill_send_buffer

import csock
from csock import _socket as csock_socket


def _fill(sock: Any) -> None:
    """Fill sock's send buffer, so that its next blocking send() waits."""
    fill_send_buffer(sock)
    sock.setblocking(True)


def _drain(sock: Any) -> None:
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except BlockingIOError:
        pass
    sock.setblocking(True)


@pytest.mark.parametrize("call", ["recv", "recv_into", "send", "sendall"])
def test_init_again_while_a_key_call_runs(call: str) -> None:
    """Socket.__init__ called again replaces the csockrt_fd (and leaks the old
    descriptor, as socket.socket's does); a call running on the old one's key
    keeps it alive: its key is not given back, its buffers are not freed (a
    heap use after free before), until the call has returned."""
    a, b = csock.socketpair()
    target = b if call.startswith("recv") else a
    with a, b:
        a.send(b"w")
        assert b.recv(1) == b"w"  # b's first recv buffer made
        if call.startswith("send"):
            _fill(a)
        old_fd, old_key = target.fileno(), target._hot[0]
        out: list[Any] = []
        run: Callable[[], Any] = {
            "recv": lambda: b.recv(4000),
            "recv_into": lambda: (lambda buf: bytes(buf[:b.recv_into(buf)]))(bytearray(4000)),
            "send": lambda: a.send(b"s" * 3000),
            "sendall": lambda: a.sendall(b"s" * 3000),
        }[call]
        worker = threading.Thread(target=lambda: out.append(run()))
        worker.start()
        try:
            time.sleep(0.2)  # the worker waits in the kernel, on the old key
            target.__init__(csock.AF_UNIX, csock.SOCK_STREAM)  # type: ignore[misc]
            gc.collect()
            assert target._hot[0] != old_key
            assert old_key not in csock_socket._free_keys
            # Sockets made now take the freed memory, if any was freed.
            others = [csock.socketpair() for _ in range(4)]
            for x, y in others:
                x.send(b"J" * 3000)
                assert y.recv(4000) == b"J" * 3000
                x.close()
                y.close()
            if call.startswith("recv"):
                os.write(a.fileno(), b"D" * 3000)
            else:
                _drain(b)
        finally:
            worker.join(10)
            os.close(old_fd)
        assert not worker.is_alive()
        if call.startswith("recv"):
            assert out == [b"D" * 3000]
        else:
            assert out == [3000 if call == "send" else None]
        gc.collect()
        assert old_key in csock_socket._free_keys  # given back once unused


class _LyingInt(int):
    """An int subclass that says it is an int, and whose arithmetic is not."""

    delta = 0

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return int

    def __mul__(self, other: object) -> int:
        return self.delta

    __rmul__ = __mul__


class _LyingBytes(bytes):
    """A bytes subclass that says it is bytes, and longer than it is."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return bytes

    def __len__(self) -> int:
        return 4000


@pytest.mark.parametrize("mod", MODS)
def test_a_size_that_lies_about_its_class_receives_on_its_own_socket(mod: ModuleType) -> None:
    """recv(n) with an int subclass takes its value (CPython never runs its
    arithmetic): not another socket's key, data or buffer."""
    a1, b1 = mod.socketpair()
    a2, b2 = mod.socketpair()
    with a1, b1, a2, b2:
        a2.send(b"x")
        assert b2.recv(1) == b"x"
        a2.send(b"for b2")
        a1.send(b"for b1")
        size = _LyingInt(100)
        if mod is csock:
            size.delta = b2._hot[0] - b1._hot[0]
        assert b1.recv(size) == b"for b1"
        assert b2.recv(100) == b"for b2"


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("call", ["send", "send_flags", "sendall", "sendall_timeout",
                                  "sendmsg"])
def test_data_that_lies_about_its_class_is_sent_as_it_is(mod: ModuleType, call: str) -> None:
    """A bytes subclass whose __len__ lies: its real bytes are sent (CPython
    takes the buffer's length), never memory beyond them."""
    a, b = mod.socketpair()
    with a, b:
        data = _LyingBytes(b"abc")
        if call == "send":
            assert a.send(data) == 3
        elif call == "send_flags":
            assert a.send(data, mod.MSG_DONTWAIT) == 3
        elif call == "sendall":
            a.sendall(data)
        elif call == "sendall_timeout":
            a.settimeout(5.0)
            a.sendall(data)
        else:
            assert a.sendmsg([data]) == 3
        a.shutdown(mod.SHUT_WR)
        got = b""
        while chunk := b.recv(8192):
            got += chunk
        assert got == b"abc"


@pytest.mark.parametrize("mod", MODS)
def test_a_datagram_that_lies_about_its_class_is_sent_as_it_is(mod: ModuleType,
                                                               sockdir: str) -> None:
    path = os.path.join(sockdir, "dgram")
    with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as r, \
            mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
        r.bind(path)
        for _ in range(2):  # the general path, then the same address's hot path
            assert s.sendto(_LyingBytes(b"abc"), path) == 3
            assert r.recv(8192) == b"abc"


class _LyingStr(str):
    """A str subclass that says it is a str, and equal to every string."""

    hash_of = ""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash(self.hash_of)


class _LyingPort(int):
    """An int subclass that says it is an int, and equal to every port."""

    hash_of = 0

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return int

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash(self.hash_of)


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("kind", ["unix", "inet"])
def test_an_address_that_lies_about_its_class_reaches_no_other_callers(
        mod: ModuleType, kind: str, sockdir: str) -> None:
    """sendto() to an address of a lying str subclass: it is not kept as an
    encoded address that another socket's sendto() (an equal address, as
    the liar says) would then take."""
    family = mod.AF_UNIX if kind == "unix" else mod.AF_INET
    with mod.socket(family, mod.SOCK_DGRAM) as rx, mod.socket(family, mod.SOCK_DGRAM) as ry, \
            mod.socket(family, mod.SOCK_DGRAM) as s1, mod.socket(family, mod.SOCK_DGRAM) as s2:
        if kind == "unix":
            rx.bind(os.path.join(sockdir, "x"))
            ry.bind(os.path.join(sockdir, "y"))
        else:
            rx.bind(("127.0.0.1", 0))
            ry.bind(("127.0.0.1", 0))
        x, y = rx.getsockname(), ry.getsockname()
        if kind == "unix":
            liar = _LyingStr(x)
            liar.hash_of = y
            to_x: Any = liar
            hash_y: Any = y
        else:
            host = _LyingStr("127.0.0.1")
            host.hash_of = "127.0.0.1"
            port = _LyingPort(x[1])
            port.hash_of = y[1]
            to_x = (host, port)
            hash_y = y
        s1.sendto(b"to x", to_x)
        s2.sendto(b"to y", hash_y)
        rx.settimeout(5.0)
        ry.settimeout(5.0)
        assert rx.recv(100) == b"to x"
        assert ry.recv(100) == b"to y"


class _Resurrecting(csock.Socket):
    """A Socket whose __del__ keeps it alive (and its descriptor open)."""

    saved: list[Any] = []

    def __del__(self) -> None:
        _Resurrecting.saved.append(self)


def test_a_socket_resurrected_by_its_del_keeps_its_key_and_memory() -> None:
    """The collector runs every finalizer of a cycle before it knows whether
    the cycle lives on: a resurrected Socket's csockrt_fd was freed and its
    key given back (taken by the next socket: the resurrected one received
    on it)."""
    a, b = csock.socketpair()
    x = _Resurrecting(csock.AF_UNIX, csock.SOCK_STREAM, fileno=b.detach())
    b.close()
    with a:
        a.send(b"1")
        assert x.recv(1) == b"1"  # its first buffer made
        x.me = x  # type: ignore[attr-defined]
        key = x._hot[0]
        del x
        gc.collect()
        y = _Resurrecting.saved.pop()
        try:
            assert key not in csock_socket._free_keys
            c, d = csock.socketpair()
            with c, d:
                c.send(b"for d")
                a.send(b"for y")
                assert y.recv(100) == b"for y"
                assert d.recv(100) == b"for d"
        finally:
            del y.me  # type: ignore[attr-defined]
            y.close()
            del y
            gc.collect()
        assert key in csock_socket._free_keys


class _Conn:
    """An object made after its socket, in a reference cycle, whose __del__
    says goodbye on the socket: the collector finalizes it after the socket."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock
        self.me = self

    def __del__(self) -> None:
        key = getattr(self.sock, "_hot", (0,))[0]
        _Conn.freed.append(bool(key) and key in csock_socket._free_keys)
        try:
            self.sock.sendall(b"bye")
        except OSError as e:
            _Conn.seen.append(e.errno)
        self.sock.close()

    seen: list[int | None] = []
    freed: list[bool] = []


@pytest.mark.parametrize("mod", MODS)
def test_a_later_finalizer_uses_a_collected_socket(mod: ModuleType) -> None:
    """The socket's own finalizer closed it first (ResourceWarning): the
    later one's sendall() raises EBADF, as socket's (the csockrt_fd was freed
    under it: a heap use after free)."""
    a, b = mod.socketpair()
    with a:
        _Conn.seen.clear()
        _Conn.freed.clear()
        _Conn(b)
        del b
        with pytest.warns(ResourceWarning):
            gc.collect()
        assert _Conn.seen == [errno.EBADF]
        assert _Conn.freed == [False]  # its key not given back while it is used
        assert a.recv(10) == b""


@pytest.mark.parametrize("other", [None, "cdata", "its fd"])
def test_a_forged_handle_with_a_live_key_acts_on_nothing(other: str | None) -> None:
    """A tuple with a live Socket's key but not that Socket's own cdata: it
    would not keep the csockrt_fd alive, which another thread could free
    during the call (a heap use after free). The hot paths refuse it."""
    from csock import _hot
    from csock._csock import ffi

    a, b = csock.socketpair()
    with a, b:
        key = b._hot[0]
        second: Any = {None: None, "cdata": ffi.new("csockrt_fd[1]"),
                       "its fd": ffi.cast("csockrt_fd *", b._hot[1])}[other]
        forged = (key, second)
        a.send(b"kept")
        badarg = csock_socket._BADARG
        assert _hot.recv(forged, 10, 0) == badarg
        assert _hot.recv_into(forged, bytearray(10), 0, 0) == badarg
        assert _hot.send(forged, b"x", 0) == badarg
        assert _hot.sendall(forged, b"x", 0) == badarg
        assert b.recv(10) == b"kept"
        assert _hot.send(b._hot, b"own", 0) == 3  # the Socket's own tuple works
        assert a.recv(10) == b"own"


def test_a_forged_handle_cannot_outlive_its_socket_in_a_call() -> None:
    """A blocked call on a forged tuple, its Socket closed and freed meanwhile:
    the call must not have found the csockrt_fd (ASAN saw the release write
    into freed memory when the peer's data woke it)."""
    from csock import _hot

    a, b = csock.socketpair()
    with a:
        out: list[Any] = []
        forged = (b._hot[0], None)
        worker = threading.Thread(target=lambda: out.append(_hot.recv(forged, 100, 0)))
        worker.start()
        worker.join(0.2)
        b.close()
        del b
        gc.collect()
        others = [csock.socketpair() for _ in range(8)]  # the freed memory reused
        try:
            a.settimeout(5.0)
            try:
                a.send(b"wake")  # EPIPE once b is really closed
            except OSError:
                pass
            worker.join(10)
        finally:
            for x, y in others:
                x.close()
                y.close()
        assert not worker.is_alive()
        assert out == [csock_socket._BADARG]


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("call", ["recv_into", "send", "sendall"])
def test_a_signal_handler_cannot_resize_the_buffer_of_a_blocked_call(
        mod: ModuleType, call: str) -> None:
    """A signal interrupts a blocking call on a bytearray (EINTR, or a short
    send for sendall): its handler runs while the buffer is still pinned, as
    in CPython, so clearing it fails (BufferError) and the call goes on with
    its data. The hot paths returned to Python first: the handler cleared
    the buffer, then sendall raised OverflowError with most data unsent,
    send sent b"" and recv_into received nothing."""
    import signal

    size = 4 << 20 if call == "sendall" else 100
    data = bytearray(b"x" * size)
    seen: list[str] = []

    def handler(signum: int, frame: Any) -> None:
        try:
            data.clear()
            seen.append("cleared")
        except BufferError:
            seen.append("BufferError")

    a, b = mod.socketpair()
    received = bytearray()

    def peer() -> None:
        time.sleep(0.2)  # the main thread waits in the kernel
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGUSR1)
        time.sleep(0.2)  # its handler has run
        b.settimeout(10.0)
        if call == "recv_into":
            b.sendall(b"data")
            return
        while True:  # until the main thread's shutdown
            try:
                chunk = b.recv(1 << 20)
            except TimeoutError:
                return
            if not chunk:
                return
            received.extend(chunk)

    old = signal.signal(signal.SIGUSR1, handler)
    worker = threading.Thread(target=peer)
    try:
        with a, b:
            if call == "send":
                _fill(a)
            worker.start()
            if call == "recv_into":
                assert a.recv_into(data) == 4
                assert data[:4] == b"data"
            elif call == "send":
                assert a.send(data) == size
            else:
                assert a.sendall(data) is None
            a.shutdown(mod.SHUT_WR)
            worker.join(20)
    finally:
        signal.signal(signal.SIGUSR1, old)
    assert not worker.is_alive()
    assert seen == ["BufferError"]
    if call != "recv_into":
        assert received.endswith(b"x" * size)


def test_a_batch_list_is_never_seen_half_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """recvmmsg's C calls the address decoder (Python code) while it builds
    the batch: a list made first, its later slots still NULL, was found by
    gc.get_objects() there (a gc callback or another thread can do the same)
    and iterating it crashed the interpreter."""
    from csock import _address
    decode = _address.from_raw
    seen: list[list[Any]] = []

    def peeking(raw: bytes) -> Any:
        for obj in gc.get_objects():
            if type(obj) is list and len(obj) == 3:
                seen.append(list(obj))  # reads every slot: NULL was a crash
        return decode(raw)

    monkeypatch.setattr(_address, "from_raw", peeking)
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as rx, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as a, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as b:
        for sock in (rx, a, b):
            sock.bind(("127.0.0.1", 0))
        for sender, data in [(a, b"1"), (b, b"2"), (a, b"3")]:
            sender.sendto(data, rx.getsockname())
        got = rx.recvmmsg(3, 8)
        assert [(d, address) for d, address, _ in got] == [
            (b"1", a.getsockname()), (b"2", b.getsockname()), (b"3", a.getsockname())]
    assert seen  # the decoder ran, and looked
