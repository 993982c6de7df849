"""sendmsg/recvmsg, descriptor passing and the module functions csock added to
match ``socket``: CMSG_LEN/CMSG_SPACE, send_fds/recv_fds, close, dup,
has_ipv6, getprotobyname, if_nameindex/if_nametoindex/if_indextoname,
gethostbyaddr and getfqdn.

As in test_socket.py, most tests run the same body with ``mod = socket`` and
``mod = csock``. Traffic stays on 127.0.0.1 and AF_UNIX sockets (socketpairs,
paths in a temporary directory); every blocking step has a timeout. The only
names resolved are 127.0.0.1, localhost and this host's name, and only when
/etc/nsswitch.conf asks /etc/hosts first and /etc/hosts has them: no DNS.
Every descriptor received is closed (conftest fails a test that leaks one).
"""

from __future__ import annotations

import array
import contextlib
import errno
import os
import socket
import tempfile
import threading
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import csock

LONG = 10.0  # seconds: a bound for steps that should take far less
SHORT = 0.05  # seconds: a timeout that is meant to expire



@contextlib.contextmanager
def pair(mod: ModuleType, kind: int | None = None) -> Iterator[tuple[Any, Any]]:
    """An AF_UNIX socketpair of ``mod`` (SOCK_STREAM by default), with timeouts."""
    a, b = mod.socketpair(mod.AF_UNIX, kind if kind is not None else mod.SOCK_STREAM)
    with a, b:
        a.settimeout(LONG)
        b.settimeout(LONG)
        yield a, b


@contextlib.contextmanager
def pipe() -> Iterator[tuple[int, int]]:
    """(read end, write end) of a pipe, closed afterwards."""
    r, w = os.pipe()
    try:
        yield r, w
    finally:
        os.close(r)
        os.close(w)


def fds_of(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    """The descriptors in the SCM_RIGHTS messages of ``ancdata``."""
    fds = array.array("i")
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    return list(fds)


def close_all(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


def same_file(fd1: int, fd2: int) -> bool:
    s1, s2 = os.fstat(fd1), os.fstat(fd2)
    return (s1.st_dev, s1.st_ino) == (s2.st_dev, s2.st_ino)


def assert_pipe_works(received_w: int, r: int) -> None:
    """A byte written to the received write end comes out of the original read end."""
    os.write(received_w, b"!")
    assert os.read(r, 1) == b"!"


# --------------------------------------------------------------------------
# sendmsg / recvmsg / recvmsg_into: data


@pytest.mark.parametrize("kind", ["tcp4", "unix_stream"])
def test_gather_and_scatter(mod: ModuleType, kind: str) -> None:
    with contextlib.ExitStack() as stack:
        if kind == "tcp4":
            listener = stack.enter_context(mod.socket(mod.AF_INET, mod.SOCK_STREAM))
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            listener.settimeout(LONG)
            a = stack.enter_context(mod.create_connection(listener.getsockname(), LONG))
            b = stack.enter_context(listener.accept()[0])
            b.settimeout(LONG)
        else:
            a, b = stack.enter_context(pair(mod))
        # gather: several buffers, of several kinds, one of them empty
        parts = [b"ab", bytearray(b"cd"), memoryview(b"xefx")[1:3], b"", array.array("b", [103])]
        assert a.sendmsg(parts) == 7
        assert a.sendmsg(iter([b"hi", b"jk"])) == 4  # any iterable
        got = b""
        while len(got) < 11:
            data, ancdata, flags, address = b.recvmsg(11 - len(got))
            assert (ancdata, flags, address) == ([], 0, None)
            got += data
        assert got == b"abcdefghijk"
        # scatter: filled in order, each to its full length (10 bytes on
        # loopback arrive in one piece)
        a.sendmsg([b"0123456789"])
        first, second, rest = bytearray(3), bytearray(4), bytearray(10)
        count, ancdata, flags, address = b.recvmsg_into([first, second,
                                                         memoryview(rest)[2:8]])
        assert (count, ancdata, flags, address) == (10, [], 0, None)
        assert (first, second) == (b"012", b"3456")
        assert bytes(rest) == bytes(2) + b"789" + bytes(5)


def test_recvmsg_zero_and_peek(mod: ModuleType) -> None:
    with pair(mod) as (a, b):
        a.sendmsg([b"abc"])
        # as socket: recvmsg(0) calls recvmsg(2) anyway; a stream keeps the data
        assert b.recvmsg(0) == (b"", [], 0, None)
        assert b.recvmsg(10, 0, mod.MSG_PEEK)[0] == b"abc"
        assert b.recvmsg(10)[0] == b"abc"
        assert a.sendmsg([]) == 0  # no buffers: an empty message


def test_recvmsg_truncated_datagram(mod: ModuleType) -> None:
    with pair(mod, mod.SOCK_DGRAM) as (a, b):
        a.sendmsg([b"hello", b" world"])
        data, ancdata, flags, address = b.recvmsg(5)
        assert data == b"hello"
        assert flags & mod.MSG_TRUNC
        a.sendmsg([b"hello"])
        buf = bytearray(3)
        n, ancdata, flags, address = b.recvmsg_into([buf])
        assert (n, bytes(buf)) == (3, b"hel")
        assert flags & mod.MSG_TRUNC


@pytest.mark.parametrize("kind", ["udp4", "unix_dgram"])
def test_datagram_address(mod: ModuleType, kind: str, sockdir: str) -> None:
    family = mod.AF_INET if kind == "udp4" else mod.AF_UNIX

    def where(name: str) -> Any:
        return ("127.0.0.1", 0) if kind == "udp4" else os.path.join(sockdir, name)

    with mod.socket(family, mod.SOCK_DGRAM) as sender, \
            mod.socket(family, mod.SOCK_DGRAM) as receiver:
        receiver.settimeout(LONG)
        sender.bind(where("sender"))
        receiver.bind(where("receiver"))
        # unconnected: the address goes with the message
        assert sender.sendmsg([b"to ", b"you"], [], 0, receiver.getsockname()) == 6
        data, ancdata, flags, address = receiver.recvmsg(100)
        assert (data, ancdata, flags) == (b"to you", [], 0)
        assert address == sender.getsockname()
        sender.sendmsg([b"again"], (), 0, receiver.getsockname())
        buf = bytearray(10)
        n, ancdata, flags, address = receiver.recvmsg_into([buf])
        assert (n, bytes(buf[:n]), address) == (5, b"again", sender.getsockname())
        # without an address and not connected: the kernel refuses
        expected = errno.EDESTADDRREQ if kind == "udp4" else errno.ENOTCONN
        with pytest.raises(OSError) as info:
            sender.sendmsg([b"x"])
        assert info.value.errno == expected


def test_unix_dgram_unbound_sender_address(mod: ModuleType, sockdir: str) -> None:
    path = os.path.join(sockdir, "r")
    with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as sender, \
            mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as receiver:
        receiver.settimeout(LONG)
        receiver.bind(path)
        sender.sendmsg([b"x"], [], 0, path)
        data, _, _, address = receiver.recvmsg(10)
        assert data == b"x"
        assert address == socket_reference_unbound_address()


def socket_reference_unbound_address() -> Any:
    """What Python's socket reports as the address of an unbound AF_UNIX sender."""
    with tempfile.TemporaryDirectory(prefix="cs", dir="/tmp") as d:
        path = os.path.join(d, "r")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s, \
                socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as r:
            r.settimeout(LONG)
            r.bind(path)
            s.sendto(b"x", path)
            return r.recvfrom(10)[1]


# --------------------------------------------------------------------------
# descriptor passing (SCM_RIGHTS)


def test_scm_rights_both_directions(mod: ModuleType) -> None:
    with pair(mod) as (a, b), pipe() as (r, w):
        for sender, receiver in ((a, b), (b, a)):
            rights = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [r, w]))]
            assert sender.sendmsg([b"fds"], rights) == 3
            data, ancdata, flags, address = receiver.recvmsg(10, mod.CMSG_SPACE(2 * 4))
            assert (data, flags, address) == (b"fds", 0, None)
            assert [(level, kind, len(d)) for level, kind, d in ancdata] == [
                (mod.SOL_SOCKET, mod.SCM_RIGHTS, 8)]
            fds = fds_of(ancdata)
            try:
                assert len(fds) == 2 and not {r, w} & set(fds)
                assert same_file(fds[0], r) and same_file(fds[1], w)
                assert_pipe_works(fds[1], r)
            finally:
                close_all(fds)


def test_scm_rights_with_recvmsg_into(mod: ModuleType) -> None:
    with pair(mod) as (a, b), pipe() as (r, w):
        a.sendmsg([b"ab", b"c"], [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [w]))])
        first, second = bytearray(1), bytearray(5)
        n, ancdata, flags, address = b.recvmsg_into([first, second], mod.CMSG_SPACE(4))
        fds = fds_of(ancdata)
        try:
            assert (n, bytes(first), bytes(second[:2]), flags) == (3, b"a", b"bc", 0)
            assert len(fds) == 1
            assert_pipe_works(fds[0], r)
        finally:
            close_all(fds)


@pytest.mark.parametrize("direction", ["csock_to_socket", "socket_to_csock"])
def test_scm_rights_between_csock_and_socket(direction: str) -> None:
    # One end of a csock socketpair is handed to Python's socket, by detach()
    # for one end and by fileno() (a dup'ed descriptor) for the other.
    c1, c2 = csock.socketpair()
    with c1, c2, pipe() as (r, w):
        py = socket.socket(fileno=c2.detach())
        with py:
            py.settimeout(LONG)
            c1.settimeout(LONG)
            if direction == "csock_to_socket":
                sender, receiver, recv_mod = c1, py, socket
                sender.sendmsg([b"c>s"], [(csock.SOL_SOCKET, csock.SCM_RIGHTS,
                                           array.array("i", [w]))])
            else:
                sender, receiver, recv_mod = py, c1, csock
                sender.sendmsg([b"s>c"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                           array.array("i", [w]))])
            data, ancdata, flags, address = receiver.recvmsg(10, recv_mod.CMSG_SPACE(4))
            fds = fds_of(ancdata)
            try:
                assert data in (b"c>s", b"s>c") and (flags, address) == (0, None)
                assert len(fds) == 1
                assert_pipe_works(fds[0], r)
            finally:
                close_all(fds)
        # the other way round: socket's own socketpair, one end used by csock
        s1, s2 = socket.socketpair()
        with s1, s2:
            c = csock.socket(fileno=os.dup(s2.fileno()))
            with c:
                c.settimeout(LONG)
                s1.settimeout(LONG)
                csock.send_fds(c, [b"x"], [r])
                msg, fds, flags, address = socket.recv_fds(s1, 10, 1)
                try:
                    assert (msg, len(fds), flags) == (b"x", 1, 0)
                    assert same_file(fds[0], r)
                finally:
                    close_all(fds)
                socket.send_fds(s1, [b"y"], [w])
                msg, fds, flags, address = csock.recv_fds(c, 10, 1)
                try:
                    assert (msg, len(fds), flags) == (b"y", 1, 0)
                    assert_pipe_works(fds[0], r)
                finally:
                    close_all(fds)


def test_send_fds_recv_fds(mod: ModuleType) -> None:
    with pair(mod) as (a, b), pipe() as (r, w):
        assert mod.send_fds(a, [b"two ", b"fds"], [r, w]) == 7
        msg, fds, flags, address = mod.recv_fds(b, 100, 2)
        try:
            assert (msg, flags, address) == (b"two fds", 0, None)
            assert len(fds) == 2
            assert same_file(fds[0], r) and same_file(fds[1], w)
            assert_pipe_works(fds[1], r)
        finally:
            close_all(fds)
        # no descriptors: an empty SCM_RIGHTS message, nothing received
        mod.send_fds(a, [b"none"], [])
        msg, fds, flags, address = mod.recv_fds(b, 100, 1)
        assert (msg, fds) == (b"none", [])


def test_send_fds_passes_flags_and_address(sockdir: str) -> None:
    # csock differs on purpose: Python 3.11's socket.send_fds drops its flags
    # and address arguments; csock's passes them to sendmsg as documented.
    path = os.path.join(sockdir, "r")
    with csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM) as sender, \
            csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM) as receiver, pipe() as (r, w):
        receiver.settimeout(LONG)
        receiver.bind(path)
        assert csock.send_fds(sender, [b"addressed"], [w], 0, path) == 9
        msg, fds, flags, address = csock.recv_fds(receiver, 100, 1, csock.MSG_CMSG_CLOEXEC)
        try:
            assert (msg, len(fds)) == (b"addressed", 1)
            assert not os.get_inheritable(fds[0])  # the flags reached recvmsg
            assert_pipe_works(fds[0], r)
        finally:
            close_all(fds)


def test_received_fds_are_inheritable_as_in_socket(mod: ModuleType) -> None:
    # As socket: recvmsg does not add MSG_CMSG_CLOEXEC on its own.
    with pair(mod) as (a, b), pipe() as (r, w):
        mod.send_fds(a, [b"x"], [w])
        _, fds, _, _ = mod.recv_fds(b, 10, 1)
        try:
            assert os.get_inheritable(fds[0])
        finally:
            close_all(fds)


def test_truncated_ancillary_data_sets_ctrunc(mod: ModuleType) -> None:
    with pair(mod) as (a, b), pipe() as (r, w), warnings.catch_warnings():
        warnings.simplefilter("error")  # the kernel truncates cleanly: no warning
        rights = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [r, w]))]
        # room for one descriptor of two: the other is closed by the kernel
        a.sendmsg([b"1"], rights)
        data, ancdata, flags, _ = b.recvmsg(10, mod.CMSG_LEN(4))
        fds = fds_of(ancdata)
        try:
            assert data == b"1"
            assert flags & mod.MSG_CTRUNC
            assert len(fds) == 1 and same_file(fds[0], r)
        finally:
            close_all(fds)
        # no room at all, or less than a header
        for ancbufsize in (0, 1, mod.CMSG_LEN(0) - 1):
            a.sendmsg([b"2"], rights)
            data, ancdata, flags, _ = b.recvmsg(10, ancbufsize)
            assert (data, ancdata) == (b"2", [])
            assert flags & mod.MSG_CTRUNC
        # recv_fds asking for fewer than were sent
        a.sendmsg([b"3"], rights)
        msg, fds, flags, _ = mod.recv_fds(b, 10, 1)
        try:
            assert msg == b"3" and len(fds) == 1 and flags & mod.MSG_CTRUNC
        finally:
            close_all(fds)


def test_several_control_messages(mod: ModuleType) -> None:
    # SCM_CREDENTIALS (SO_PASSCRED) and SCM_RIGHTS in one message; two
    # SCM_RIGHTS items sent together arrive as one.
    with pair(mod) as (a, b), pipe() as (r, w):
        b.setsockopt(mod.SOL_SOCKET, mod.SO_PASSCRED, 1)
        rights = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [r])),
                  (mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [w]))]
        assert a.sendmsg([b"creds"], rights) == 5
        data, ancdata, flags, _ = b.recvmsg(10, mod.CMSG_SPACE(12) + mod.CMSG_SPACE(8))
        fds = fds_of(ancdata)
        try:
            assert (data, flags) == (b"creds", 0)
            kinds = [(level, kind) for level, kind, _ in ancdata]
            assert sorted(kinds) == [(mod.SOL_SOCKET, mod.SCM_RIGHTS),
                                     (mod.SOL_SOCKET, mod.SCM_CREDENTIALS)]
            creds = next(d for _, kind, d in ancdata if kind == mod.SCM_CREDENTIALS)
            pid, uid, gid = array.array("i", creds)
            assert (pid, uid, gid) == (os.getpid(), os.getuid(), os.getgid())
            assert len(fds) == 2 and same_file(fds[0], r) and same_file(fds[1], w)
        finally:
            close_all(fds)


def test_ancillary_data_of_any_buffer_kind(mod: ModuleType) -> None:
    with pair(mod) as (a, b), pipe() as (r, w):
        raw = array.array("i", [w]).tobytes()
        for data in (raw, bytearray(raw), memoryview(raw)):
            a.sendmsg([b"x"], ((mod.SOL_SOCKET, mod.SCM_RIGHTS, data),))
            _, ancdata, _, _ = b.recvmsg(10, mod.CMSG_SPACE(4))
            fds = fds_of(ancdata)
            try:
                assert len(fds) == 1
            finally:
                close_all(fds)


# --------------------------------------------------------------------------
# timeouts, blocking, errors


def test_recvmsg_timeout_and_nonblocking(mod: ModuleType) -> None:
    with pair(mod) as (a, b):
        b.settimeout(SHORT)
        with pytest.raises(TimeoutError, match="timed out"):
            b.recvmsg(10)
        with pytest.raises(TimeoutError, match="timed out"):
            b.recvmsg_into([bytearray(10)])
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recvmsg(10)
        a.sendmsg([b"late"])
        b.settimeout(LONG)
        assert b.recvmsg(10)[0] == b"late"


def test_recvmsg_waits_for_data_under_timeout(mod: ModuleType) -> None:
    with pair(mod) as (a, b):
        timer = threading.Timer(0.1, lambda: a.sendmsg([b"later"]))
        timer.start()
        try:
            assert b.recvmsg(10)[0] == b"later"
        finally:
            timer.join(LONG)


def test_sendmsg_full_buffer(mod: ModuleType) -> None:
    with pair(mod) as (a, b):
        a.setblocking(False)
        chunk = b"x" * 65536
        with pytest.raises(BlockingIOError):
            for _ in range(10_000):
                a.sendmsg([chunk])
        a.settimeout(SHORT)
        with pytest.raises(TimeoutError, match="timed out"):
            for _ in range(10_000):
                a.sendmsg([chunk])


def test_sendmsg_broken_pipe(mod: ModuleType) -> None:
    # csock passes MSG_NOSIGNAL: EPIPE, never a SIGPIPE (socket ignores SIGPIPE).
    with pair(mod) as (a, b):
        b.close()
        with pytest.raises(BrokenPipeError):
            a.sendmsg([b"x"])


def test_closed_socket(mod: ModuleType) -> None:
    with pair(mod) as (a, _b):
        a.close()
        for call in (lambda: a.sendmsg([b"x"]), lambda: a.recvmsg(1),
                     lambda: a.recvmsg_into([bytearray(1)])):
            with pytest.raises(OSError) as info:
                call()
            assert info.value.errno == errno.EBADF
        # arguments are checked first, as in socket
        with pytest.raises(ValueError):
            a.recvmsg(-1)
        with pytest.raises(TypeError):
            a.sendmsg(1)


@pytest.mark.parametrize(("args", "exc", "match"), [
    ((1,), TypeError, "sendmsg\\(\\) argument 1 must be an iterable"),
    (([1],), TypeError, "bytes-like object is required, not 'int'"),
    ((["x"],), TypeError, "bytes-like object is required, not 'str'"),
    (([b"x"], 1), TypeError, "sendmsg\\(\\) argument 2 must be an iterable"),
    (([b"x"], [1]), TypeError, "must be 3-item sequence, not int"),
    (([b"x"], [(1, 2)]), TypeError, "must be sequence of length 3, not 2"),
    (([b"x"], [(1, 2, "s")]), TypeError, "bytes-like object is required, not 'str'"),
    (([b"x"], [(1.0, 2, b"")]), TypeError, "cannot be interpreted as an integer"),
    (([b"x"], [(2**31, 2, b"")]), OverflowError, "greater than maximum"),
    (([b"x"], [], "f"), TypeError, "cannot be interpreted as an integer"),
    (([b"x"], [], 2**40), OverflowError, "greater than maximum"),
    (([b"x"], [], -2**40), OverflowError, "less than minimum"),
    (([b"x"], [], 0, 5), TypeError, "bytes-like object is required, not 'int'"),
])
def test_sendmsg_bad_arguments(mod: ModuleType, args: tuple[Any, ...], exc: type[Exception],
                               match: str) -> None:
    with pair(mod) as (a, b):
        with pytest.raises(exc, match=match):
            a.sendmsg(*args)
        b.setblocking(False)
        with pytest.raises(BlockingIOError):  # nothing was sent
            b.recv(1)


@pytest.mark.parametrize(("method", "args", "exc", "match"), [
    ("recvmsg", (-1,), ValueError, "negative buffer size in recvmsg\\(\\)"),
    ("recvmsg", (1.0,), TypeError, "cannot be interpreted as an integer"),
    ("recvmsg", (2**63,), OverflowError, "C ssize_t"),
    ("recvmsg", (10, -1), ValueError, "invalid ancillary data buffer length"),
    ("recvmsg", (10, 2**31), ValueError, "invalid ancillary data buffer length"),
    ("recvmsg", (10, 0, "x"), TypeError, "cannot be interpreted as an integer"),
    ("recvmsg", (10, 0, 2**31), OverflowError, "greater than maximum"),
    ("recvmsg_into", (1,), TypeError, "recvmsg_into\\(\\) argument 1 must be an iterable"),
    ("recvmsg_into", ([b"x"],), TypeError, "single-segment read-write buffers"),
    ("recvmsg_into", (["x"],), TypeError, "single-segment read-write buffers"),
    ("recvmsg_into", ([bytearray(1)], -1), ValueError, "invalid ancillary data buffer"),
    ("recvmsg_into", ([bytearray(1)], 1.5), TypeError, "cannot be interpreted as an integer"),
])
def test_recvmsg_bad_arguments(mod: ModuleType, method: str, args: tuple[Any, ...],
                               exc: type[Exception], match: str) -> None:
    with pair(mod) as (a, b):
        a.sendmsg([b"kept"])
        with pytest.raises(exc, match=match):
            getattr(b, method)(*args)
        assert b.recv(10) == b"kept"  # nothing was received


def test_positional_only(mod: ModuleType) -> None:
    with pair(mod) as (a, b):
        with pytest.raises(TypeError):
            a.sendmsg([b"x"], flags=0)
        with pytest.raises(TypeError):
            b.recvmsg(10, ancbufsize=0)
        with pytest.raises(TypeError):
            b.recvmsg_into([bytearray(1)], flags=0)


# --------------------------------------------------------------------------
# CMSG_LEN, CMSG_SPACE


def test_cmsg_len_space_values() -> None:
    for n in (*range(0, 40), 100, 4096, 2**20):
        assert csock.CMSG_LEN(n) == socket.CMSG_LEN(n)
        assert csock.CMSG_SPACE(n) == socket.CMSG_SPACE(n)
    assert csock.CMSG_LEN(True) == socket.CMSG_LEN(True)


def test_cmsg_len_space_limits(mod: ModuleType) -> None:
    # as socket: the results stay within a C int (SOCKLEN_T_LIMIT)
    top_len = 0x7FFFFFFF - mod.CMSG_LEN(0)
    assert mod.CMSG_LEN(top_len) == 0x7FFFFFFF
    top_space = 0x7FFFFFFF - mod.CMSG_SPACE(1)
    assert mod.CMSG_SPACE(top_space) <= 0x7FFFFFFF
    for func, bad in ((mod.CMSG_LEN, top_len + 1), (mod.CMSG_SPACE, top_space + 1)):
        for value in (-1, bad, 2**40):
            with pytest.raises(OverflowError, match="argument out of range"):
                func(value)
        with pytest.raises(OverflowError):
            func(2**63)
        with pytest.raises(TypeError):
            func(1.0)
        with pytest.raises(TypeError):
            func("1")


# --------------------------------------------------------------------------
# close, dup, has_ipv6, getprotobyname


def test_close_and_dup(mod: ModuleType) -> None:
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
        fd = mod.dup(s.fileno())
        assert fd != s.fileno()
        assert not os.get_inheritable(fd)
        assert same_file(fd, s.fileno())
        mod.close(fd)
        with pytest.raises(OSError) as info:
            os.fstat(fd)
        assert info.value.errno == errno.EBADF
    for func in (mod.close, mod.dup):
        with pytest.raises(OSError) as info:
            func(-1)
        assert info.value.errno == errno.EBADF
        for bad in ("3", 1.5, None):
            with pytest.raises(TypeError):
                func(bad)
        with pytest.raises(OverflowError):
            func(2**64)


def test_close_and_dup_out_of_int_range() -> None:
    # csock differs on purpose: CPython truncates a C long to a C int, so
    # socket.dup(2**32) duplicates descriptor 0; csock says EBADF.
    for func in (csock.close, csock.dup):
        for value in (2**32, 2**32 + 1, -2**32):
            with pytest.raises(OSError) as info:
                func(value)
            assert info.value.errno == errno.EBADF


def test_has_ipv6() -> None:
    assert csock.has_ipv6 is True
    assert csock.has_ipv6 == socket.has_ipv6


def test_getprotobyname(mod: ModuleType) -> None:
    for name in ("tcp", "udp", "icmp"):
        try:
            expected = socket.getprotobyname(name)
        except OSError:
            continue  # not in this machine's protocols database
        assert mod.getprotobyname(name) == expected
    assert mod.getprotobyname("tcp") == mod.IPPROTO_TCP
    with pytest.raises(OSError, match="protocol not found"):
        mod.getprotobyname("no-such-protocol")
    with pytest.raises(TypeError):
        mod.getprotobyname(b"tcp")
    with pytest.raises(TypeError):
        mod.getprotobyname(6)
    with pytest.raises(ValueError, match="embedded null character"):
        mod.getprotobyname("tcp\0")


def test_getprotobyname_threads() -> None:
    # the static struct protoent is read under csock's lock
    results: list[int] = []
    errors: list[BaseException] = []

    def work(name: str, expected: int) -> None:
        try:
            for _ in range(200):
                results.append(csock.getprotobyname(name) == expected)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name, socket.getprotobyname(name)))
               for name in ("tcp", "udp") * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(LONG)
    assert not errors
    assert len(results) == 1600 and all(results)


# --------------------------------------------------------------------------
# network interfaces


def test_if_nameindex_same_as_socket() -> None:
    assert csock.if_nameindex() == socket.if_nameindex()


def test_if_name_and_index(mod: ModuleType) -> None:
    pairs = mod.if_nameindex()
    assert all(isinstance(i, int) and isinstance(n, str) for i, n in pairs)
    names = dict((n, i) for i, n in pairs)
    assert "lo" in names
    index = mod.if_nametoindex("lo")
    assert index == names["lo"] and index > 0
    assert mod.if_nametoindex(b"lo") == index
    assert mod.if_indextoname(index) == "lo"
    for i, n in pairs:
        assert mod.if_nametoindex(n) == i
        assert mod.if_indextoname(i) == n


def test_if_name_and_index_errors(mod: ModuleType) -> None:
    with pytest.raises(OSError, match="no interface with this name"):
        mod.if_nametoindex("nosuchif0")
    with pytest.raises(TypeError):
        mod.if_nametoindex(1)
    with pytest.raises(TypeError):
        mod.if_nametoindex(bytearray(b"lo"))
    with pytest.raises(ValueError):
        mod.if_nametoindex("l\0o")
    with pytest.raises(OSError) as info:
        mod.if_indextoname(0)
    assert info.value.errno == errno.ENXIO
    with pytest.raises(OverflowError):
        mod.if_indextoname(-1)
    with pytest.raises(OverflowError):
        mod.if_indextoname(2**64)
    for bad in ("1", 1.0, None):
        with pytest.raises(TypeError):
            mod.if_indextoname(bad)


def test_if_indextoname_beyond_unsigned_int() -> None:
    # csock follows CPython 3.13 on every version: OverflowError ("index is too
    # large"); 3.11's and 3.12.1's socket truncate the number to a C unsigned
    # int and look that up.
    with pytest.raises(OverflowError, match="index is too large"):
        csock.if_indextoname(2**32 + 1)


# --------------------------------------------------------------------------
# gethostbyaddr, getfqdn: only what /etc/hosts answers


def _hosts_from_files_first() -> bool:
    try:
        with open("/etc/nsswitch.conf") as f:
            for line in f:
                fields = line.split("#", 1)[0].split()
                if fields and fields[0] == "hosts:":
                    return len(fields) > 1 and fields[1] == "files"
    except OSError:
        return False
    return False  # no hosts line: glibc's default asks DNS first


def _etc_hosts_names(address: str) -> list[str]:
    """The names /etc/hosts gives ``address``, in order."""
    names: list[str] = []
    try:
        with open("/etc/hosts") as f:
            for line in f:
                fields = line.split("#", 1)[0].split()
                if fields and fields[0] == address:
                    names.extend(fields[1:])
    except OSError:
        pass
    return names


def _etc_hosts_addresses(name: str) -> list[str]:
    """The addresses /etc/hosts gives ``name``."""
    out: list[str] = []
    try:
        with open("/etc/hosts") as f:
            for line in f:
                fields = line.split("#", 1)[0].split()
                if len(fields) > 1 and name in fields[1:]:
                    out.append(fields[0])
    except OSError:
        pass
    return out


def _local_by_files(name: str) -> bool:
    """Whether ``name`` resolves, and its addresses back to names, from /etc/hosts."""
    if not _hosts_from_files_first():
        return False
    addresses = _etc_hosts_addresses(name)
    return bool(addresses) and all(_etc_hosts_names(a) for a in addresses)


needs_localhost_in_files = pytest.mark.skipif(
    not (_local_by_files("localhost") and _etc_hosts_names("127.0.0.1")),
    reason="127.0.0.1 and localhost are not answered by /etc/hosts first (would need DNS)",
)


@needs_localhost_in_files
def test_gethostbyaddr_loopback() -> None:
    expected = socket.gethostbyaddr("127.0.0.1")
    got = csock.gethostbyaddr("127.0.0.1")
    # csock's gethostbyaddr gives no aliases (getnameinfo has none)
    assert (got[0], got[2]) == (expected[0], expected[2])
    assert got[1] == []
    assert got[0] == _etc_hosts_names("127.0.0.1")[0]
    assert csock.gethostbyaddr(b"127.0.0.1") == got
    assert csock.gethostbyaddr(bytearray(b"127.0.0.1")) == got
    by_name = csock.gethostbyaddr("localhost")
    assert by_name[0] == socket.gethostbyaddr("localhost")[0]


def test_gethostbyaddr_bad_arguments(mod: ModuleType) -> None:
    for bad in (None, 1, ["127.0.0.1"]):
        with pytest.raises(TypeError, match="gethostbyaddr\\(\\) argument 1 must be str"):
            mod.gethostbyaddr(bad)


@needs_localhost_in_files
def test_getfqdn_localhost(mod: ModuleType) -> None:
    for name in ("localhost", "127.0.0.1", "  localhost\n"):
        assert mod.getfqdn(name) == socket.getfqdn(name)


@pytest.mark.skipif(not _local_by_files(socket.gethostname()),
                    reason="this host's name is not answered by /etc/hosts first")
def test_getfqdn_this_host(mod: ModuleType) -> None:
    assert mod.getfqdn() == socket.getfqdn()
    assert mod.getfqdn("") == mod.getfqdn("0.0.0.0") == socket.getfqdn("")


# --------------------------------------------------------------------------
# the names


NEW_NAMES = ["CMSG_LEN", "CMSG_SPACE", "send_fds", "recv_fds", "close", "dup", "has_ipv6",
             "getprotobyname", "if_nameindex", "if_nametoindex", "if_indextoname",
             "gethostbyaddr", "getfqdn"]


@pytest.mark.parametrize("name", NEW_NAMES)
def test_new_names_exported(name: str) -> None:
    assert name in csock.__all__
    assert name in socket.__all__
    assert hasattr(csock, name)


def test_socket_all_covered() -> None:
    # Every lower-case name of socket.__all__ is in csock's, but sethostname:
    # it needs privileges and would change this machine's name.
    missing = {n for n in socket.__all__ if not n[:2].isupper()} - set(csock.__all__)
    assert missing == {"sethostname"}


def test_methods_exist() -> None:
    for name in ("sendmsg", "recvmsg", "recvmsg_into"):
        assert callable(getattr(csock.Socket, name))
