"""The hot paths of recv, recv_into, recvfrom and send (issue 12).

Each of them has a fast path (exact ints and bytes, the range checks made in
C; recvfrom's a spare buffer) in front of the general path that parses
arguments as CPython does. These tests pin down that every argument the
general path takes gives socket's outcome through the fast path too, that
closed sockets, signals and deadlines behave as before, and that the spare
buffers and the decoded-address cache never mix up two calls' data.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from _support import MODS, fill_send_buffer

import csock

LONG = 10.0


class Index:
    """An int-like object: the general path must take it, as socket does."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


class IntOnly:
    """Has __int__ but no __index__: CPython refuses it; cffi would call it."""

    calls = 0

    def __int__(self) -> int:
        IntOnly.calls += 1
        return 1


SIZES: list[Any] = [1, 5, 4096, 4097, 70000, 0, -1, 2**31, 2**63 - 1, 2**63, 2**64, -2**63 - 1,
                    True, Index(3), 1.0, None, "3", Decimal(1), IntOnly()]
FLAGS: list[Any] = [0, socket.MSG_PEEK, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63, True,
                    Index(0), 0.0, None, Decimal(0), IntOnly()]


def outcome(call: Any) -> Any:
    """What a call gives: its value, or its exception's type and text."""
    try:
        return ("ok", call())
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome
        return (type(exc).__name__, str(exc))


@pytest.fixture
def pairs() -> Iterator[dict[str, tuple[Any, Any]]]:
    """A datagram socketpair of each module, 6 bytes waiting on each."""
    made = {"socket": socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM),
            "csock": csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)}
    yield made
    for a, b in made.values():
        a.close()
        b.close()


def _refill(pairs: dict[str, tuple[Any, Any]]) -> None:
    for a, b in pairs.values():
        b.setblocking(False)
        while True:
            try:
                b.recv(65536)
            except BlockingIOError:
                break
        b.setblocking(True)
        a.send(b"abcdef")


@pytest.mark.parametrize("size", SIZES, ids=repr)
@pytest.mark.parametrize("method", ["recv", "recvfrom"])
def test_receive_sizes_and_flags_as_socket(pairs: dict[str, tuple[Any, Any]], method: str,
                                           size: Any) -> None:
    for flags in FLAGS:
        _refill(pairs)
        got = {name: outcome(lambda b=b, flags=flags: getattr(b, method)(size, flags))
               for name, (_, b) in pairs.items()}
        if got["socket"][0] == "ok" and method == "recvfrom":
            got = {k: ("ok", v[1][0]) for k, v in got.items()}  # addresses: None both
        assert got["csock"] == got["socket"], (size, flags)


@pytest.mark.parametrize("nbytes", [0, 1, 6, 16, 17, -1, 2**63, Index(2), True, 1.0],
                         ids=repr)
def test_recv_into_counts_and_flags_as_socket(pairs: dict[str, tuple[Any, Any]],
                                              nbytes: Any) -> None:
    for flags in FLAGS:
        for make in (lambda: bytearray(16), lambda: bytearray(0),
                     lambda: memoryview(bytearray(16))):
            _refill(pairs)
            got = {}
            for name, (_, b) in pairs.items():
                buf = make()
                result = outcome(lambda b=b, buf=buf, flags=flags: b.recv_into(buf, nbytes,
                                                                                flags))
                got[name] = (result, bytes(buf))
            assert got["csock"] == got["socket"], (nbytes, flags)


@pytest.mark.parametrize("data", [b"", b"x", b"y" * 5000, bytearray(b"ab"),
                                  memoryview(b"abcd")[1:3], "text", None, 7], ids=repr)
@pytest.mark.parametrize("method", ["send", "sendall"])
def test_send_data_and_flags_as_socket(pairs: dict[str, tuple[Any, Any]], data: Any,
                                       method: str) -> None:
    for flags in FLAGS:
        if flags == socket.MSG_PEEK:
            continue  # not a sending flag: the kernel's answer is not the point here
        got = {}
        for name, (a, b) in pairs.items():
            result = outcome(lambda a=a, flags=flags: getattr(a, method)(data, flags))
            if result[0] == "ok":
                result = (result, b.recv(65536))
            got[name] = result
        assert got["csock"] == got["socket"], (data, flags)


@pytest.mark.parametrize("mod", MODS)
@pytest.mark.parametrize("call", ["recv", "recv_into", "recvfrom", "send", "sendall",
                                  "sendall-empty"])
def test_fast_path_on_closed_socket(mod: ModuleType, call: str) -> None:
    a, b = mod.socketpair()
    a.close()
    with b:
        args = {"recv": (1,), "recv_into": (bytearray(1),), "recvfrom": (1,),
                "send": (b"x",), "sendall": (b"x",), "sendall-empty": (b"",)}[call]
        call = call.removesuffix("-empty")
        with pytest.raises(OSError) as info:
            getattr(a, call)(*args)
        assert info.value.errno == 9  # EBADF, before any argument reaches the kernel


def test_large_sizes_are_received_whole() -> None:
    a, b = csock.socketpair()
    with a, b:
        payload = bytes(range(256)) * 64  # 16 KiB: past recv's 4 KiB C stack buffer
        a.sendall(payload)
        got = b""
        while len(got) < len(payload):
            got += b.recv(10000)
        assert got == payload


def test_msg_trunc_fast_path_never_reads_past_the_buffer() -> None:
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        a.send(b"0123456789")
        data = b.recv(4, csock.MSG_TRUNC)
        # The datagram's full length, as socket; csock zero-fills past the data.
        assert data == b"0123" + bytes(6)
        a.send(b"abcdefgh")
        data, address = b.recvfrom(3, csock.MSG_TRUNC)
        assert data == b"abc" + bytes(5) and address is None


@pytest.mark.parametrize("mod", MODS)
def test_signals_do_not_reset_the_deadline(mod: ModuleType) -> None:
    """EINTR goes round with the same deadline: a stream of signals cannot keep
    a timed recv waiting forever (each retry is not given the whole timeout)."""
    hits: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: hits.append(1))
    signal.setitimer(signal.ITIMER_REAL, 0.03, 0.03)
    a, b = mod.socketpair()
    try:
        with a, b:
            b.settimeout(0.4)
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                b.recv(1)
            # A deadline restarted at each of the ~13 signals would never pass.
            assert time.monotonic() - start < 0.4 * 5
            assert len(hits) >= 3
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)


def _blocked_call(method: str, tmp_path: Any) -> tuple[Any, Any, list[Any]]:
    """A fast-path call that waits (nothing to receive, or no room to send),
    its socket, and the sockets to close."""
    if method == "sendto":
        rx = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
        rx.bind(str(tmp_path / "rx"))
        tx = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
        path = str(tmp_path / "rx")
        # Connected too: poll() then waits for room in the peer's queue (for
        # an unconnected sender it says writable at once, and the call spins).
        tx.connect(path)
        try:  # a full receive queue: sendto waits
            tx.setblocking(False)
            while True:
                tx.sendto(b"x" * 1024, path)
        except BlockingIOError:
            pass
        return (lambda: tx.sendto(b"x" * 1024, path)), tx, [rx, tx]
    a, b = csock.socketpair()
    if method == "send":
        fill_send_buffer(a)
        return (lambda: a.send(b"x")), a, [a, b]
    if method == "recv_into":
        return (lambda: a.recv_into(bytearray(8))), a, [a, b]
    return (lambda: getattr(a, method)(1)), a, [a, b]


@pytest.mark.parametrize("method", ["recv", "recv_into", "recvfrom", "send", "sendto"])
def test_every_fast_path_keeps_its_deadline_through_signals(method: str, tmp_path: Any) -> None:
    """A timed call interrupted by signals again and again still times out on
    time: the deadline C computed comes back with EINTR and the call goes on
    with it (a deadline restarted at each of the ~13 signals would never pass)."""
    call, sock, close = _blocked_call(method, tmp_path)
    hits: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: hits.append(1))
    try:
        sock.settimeout(0.4)
        signal.setitimer(signal.ITIMER_REAL, 0.03, 0.03)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            call()
        assert time.monotonic() - start < 0.4 * 5
        assert len(hits) >= 3
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)
        for s in close:
            s.close()


def _made_with(how: str) -> tuple[Any, Any, list[Any]]:
    """(module's socket whose recv(1) is looked at, its peer, to close) made ``how``."""
    old_default = csock.getdefaulttimeout()
    try:
        if how == "default-timeout":
            csock.setdefaulttimeout(0.2)
        if how == "nonblock-type":
            a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_STREAM | csock.SOCK_NONBLOCK)
        elif how == "accepted":
            lst = csock.socket()
            lst.bind(("127.0.0.1", 0))
            lst.listen()
            lst.settimeout(0.2)  # not inherited by what accept() returns
            b = csock.create_connection(lst.getsockname())
            a, _ = lst.accept()
            lst.close()
        else:
            a, b = csock.socketpair()
    finally:
        csock.setdefaulttimeout(old_default)
    if how == "timeout":
        a.settimeout(0.2)
    elif how == "timeout-then-none":
        a.settimeout(0.2)
        a.settimeout(None)
    elif how == "setblocking-false":
        a.setblocking(False)
    elif how == "setblocking-false-then-true":
        a.setblocking(False)
        a.setblocking(True)
    elif how == "dup":
        a.settimeout(0.2)
        c = a.dup()
        return c, b, [a, b, c]
    return a, b, [a, b]


@pytest.mark.parametrize("how", ["plain", "timeout", "timeout-then-none", "setblocking-false",
                                 "setblocking-false-then-true", "nonblock-type", "dup",
                                 "default-timeout", "accepted"])
def test_fast_paths_follow_every_change_of_timeout(how: str) -> None:
    """The fast paths read the timeout C keeps: every way Python's changes
    must reach it. recv(1) with nothing to read: a blocking socket waits for
    data sent later, a non-blocking one raises BlockingIOError at once, one
    with a timeout raises TimeoutError after it."""
    a, b, close = _made_with(how)
    try:
        timeout = a.gettimeout()
        expected = {"timeout": 0.2, "dup": 0.2, "default-timeout": 0.2,
                    "setblocking-false": 0.0, "nonblock-type": 0.0}.get(how)
        assert timeout == expected
        if timeout is None:
            timer = threading.Timer(0.2, b.send, (b"z",))
            timer.start()
            start = time.monotonic()
            assert a.recv(1) == b"z"
            assert time.monotonic() - start >= 0.15
            timer.join()
        elif timeout == 0.0:
            with pytest.raises(BlockingIOError):
                a.recv(1)
        else:
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                a.recv(1)
            assert time.monotonic() - start >= 0.19
    finally:
        for s in close:
            s.close()


def test_concurrent_receivers_never_share_a_spare_buffer() -> None:
    """Four threads receive on one datagram socket: every datagram arrives once,
    whole (a spare buffer shared by two calls would mix them up)."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    count = 4000
    got: list[bytes] = []
    lock = threading.Lock()

    def receive(method: str) -> None:
        while True:
            if method == "recvfrom":
                data, _ = b.recvfrom(64)
            else:
                data = b.recv(64)
            if data == b"end":
                return
            with lock:
                got.append(data)

    threads = [threading.Thread(target=receive, args=(m,), daemon=True)
               for m in ("recv", "recv", "recvfrom", "recvfrom")]
    with a, b:
        b.settimeout(LONG)
        for t in threads:
            t.start()
        sent = [(b"%06d" % i) * 8 for i in range(count)]
        for d in sent:
            a.send(d)
        for _ in threads:
            a.send(b"end")
        for t in threads:
            t.join(LONG)
        assert sorted(got) == sorted(sent)


def test_recvfrom_tells_senders_apart() -> None:
    """The decoded-address cache is keyed by the sender's bytes."""
    rx = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    senders = [csock.socket(csock.AF_INET, csock.SOCK_DGRAM) for _ in range(3)]
    with rx:
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(LONG)
        try:
            for s in senders:
                s.bind(("127.0.0.1", 0))
            for i in range(30):
                s = senders[i % 3]
                s.sendto(b"%d" % i, rx.getsockname())
                data, address = rx.recvfrom(16)
                assert data == b"%d" % i
                assert address == s.getsockname()
        finally:
            for s in senders:
                s.close()


def test_recvmmsg_batch_tells_senders_apart() -> None:
    """A sender equal to the previous datagram's is decoded once (C compares the
    bytes); a batch from interleaved senders still gives each its own."""
    rx = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    senders = [csock.socket(csock.AF_INET, csock.SOCK_DGRAM) for _ in range(3)]
    with rx:
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(LONG)
        try:
            order = [0, 0, 1, 1, 1, 2, 0, 2, 2, 1]
            for s in senders:
                s.bind(("127.0.0.1", 0))
            for i, k in enumerate(order):
                senders[k].sendto(b"%d" % i, rx.getsockname())
            got: list[tuple[bytes, Any, int]] = []
            while len(got) < len(order):
                got += rx.recvmmsg(len(order) - len(got), 8)
            assert [d for d, _, _ in got] == [b"%d" % i for i in range(len(order))]
            assert [a for _, a, _ in got] == [senders[k].getsockname() for k in order]
        finally:
            for s in senders:
                s.close()


class OtherBuffer(bytes):
    """A bytes whose buffer (3.12's __buffer__) is other, longer bytes."""

    def __buffer__(self, flags: int) -> memoryview:
        return memoryview(b"the buffer, not the bytes")


class SameSizeBuffer(bytes):
    """A bytes whose buffer has its length but other bytes."""

    def __buffer__(self, flags: int) -> memoryview:
        return memoryview(b"Z" * len(self))


@pytest.mark.parametrize("items", [
    [b"a", b"bb", b"", b"ccc"],             # all bytes: packed end to end, lengths passed
    [b"abc"] * 5,                           # one size: packed, no array of lengths
    [b"a", bytearray(b"bb"), memoryview(b"xyz")[1:]],  # mixed: each pinned
    [b"ab", OtherBuffer(b"cd"), b"ef"],     # bytes subclasses: what the buffer protocol gives
    [SameSizeBuffer(b"cd"), b"ef"],
])
def test_sendmmsg_paths_send_what_they_are_given(items: list[Any]) -> None:
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        assert a.sendmmsg(items) == len(items)
        got = [b.recv(64) for _ in items]
        # What socket's send() pins of each (bytes() of a bytes subclass
        # would copy the bytes, not the buffer).
        assert got == [memoryview(i).tobytes() for i in items]


def test_sendmmsg_packed_limit_falls_back_to_pinning() -> None:
    """Past the packing limit the datagrams are pinned one by one, not copied."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        a.setsockopt(csock.SOL_SOCKET, csock.SO_SNDBUF, 4 << 20)
        b.setsockopt(csock.SOL_SOCKET, csock.SO_RCVBUF, 4 << 20)
        items = [bytes([i]) * 60000 for i in range(20)]  # 1.2 MB in all
        a.settimeout(LONG)
        sent = a.sendmmsg(items)
        assert sent >= 1
        for i in range(sent):
            assert b.recv(65536) == items[i]


@pytest.mark.parametrize("timeout", [None, LONG])
def test_sendall_goes_on_after_a_short_first_send(timeout: float | None) -> None:
    """The first send of sendall's hot path takes part of the data: the rest
    follows, in order, under the same deadline."""
    a, b = csock.socketpair()
    with a, b:
        a.settimeout(timeout)
        a.setsockopt(csock.SOL_SOCKET, csock.SO_SNDBUF, 4096)
        payload = bytes(range(256)) * 4096  # 1 MiB: far more than one send takes
        got = bytearray()

        def drain() -> None:
            while len(got) < len(payload):
                piece = b.recv(65536)
                if not piece:
                    return
                got.extend(piece)

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        a.sendall(payload)
        t.join(LONG)
        assert bytes(got) == payload


def test_sendall_times_out_as_a_whole() -> None:
    a, b = csock.socketpair()
    with a, b:
        a.settimeout(0.3)
        with pytest.raises(TimeoutError):
            a.sendall(b"z" * (64 << 20))  # nobody reads: the buffers fill


def test_sendto_reuses_only_constant_addresses(tmp_path: Any) -> None:
    """sendto's hot path reuses the last address's encoding for the same
    object, and only for values that always encode the same way."""
    from csock import _address

    assert _address.is_constant(csock.AF_UNIX, "/tmp/x")
    assert _address.is_constant(csock.AF_UNIX, b"/tmp/x")
    assert not _address.is_constant(csock.AF_UNIX, bytearray(b"/tmp/x"))  # mutable
    assert not _address.is_constant(csock.AF_INET, ("localhost", 1))  # resolved each time
    assert not _address.is_constant(csock.AF_INET, ("127.0.0.1", Index(1)))

    receivers = []
    for name in ("a", "b"):
        r = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
        r.bind(str(tmp_path / name))
        r.settimeout(LONG)
        receivers.append(r)
    tx = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
    with tx, receivers[0], receivers[1]:
        paths = [str(tmp_path / "a"), str(tmp_path / "b")]
        for i in range(6):
            k = i % 2 if i < 4 else 0
            target = paths[k] if i != 5 else "".join(paths[0])  # an equal, new object
            assert tx.sendto(b"%d" % i, target) == 1
            assert receivers[k].recv(8) == b"%d" % i


def test_sendto_inet_same_object_and_new_object() -> None:
    rx = [csock.socket(csock.AF_INET, csock.SOCK_DGRAM) for _ in range(2)]
    tx = csock.socket(csock.AF_INET, csock.SOCK_DGRAM)
    with tx, rx[0], rx[1]:
        for r in rx:
            r.bind(("127.0.0.1", 0))
            r.settimeout(LONG)
        addresses = [r.getsockname() for r in rx]
        for i in range(8):
            k = (i // 2) % 2
            target = addresses[k] if i % 3 else tuple(list(addresses[k]))
            tx.sendto(b"%d" % i, target)
            assert rx[k].recvfrom(8)[0] == b"%d" % i


def test_recvfrom_unnamed_then_named_senders(tmp_path: Any) -> None:
    """The sender kept between calls starts as 'no address' (None): an unnamed
    AF_UNIX sender gives None, a named one its path, then None again."""
    rx = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
    named = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
    unnamed = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
    with rx, named, unnamed:
        rx.bind(str(tmp_path / "rx"))
        named.bind(str(tmp_path / "tx"))
        rx.settimeout(LONG)
        for sock, expected in [(unnamed, None), (named, str(tmp_path / "tx")),
                               (named, str(tmp_path / "tx")), (unnamed, None)]:
            sock.sendto(b"x", str(tmp_path / "rx"))
            assert rx.recvfrom(4) == (b"x", expected)


def test_int_only_objects_are_never_converted() -> None:
    """An object with __int__ and no __index__ is refused as socket refuses it,
    and its __int__ never runs (cffi's conversion would call it)."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    before = IntOnly.calls
    with a, b:
        for call in (lambda: b.recv(IntOnly()), lambda: b.recv(1, IntOnly()),
                     lambda: b.recvfrom(IntOnly()), lambda: b.recv_into(bytearray(4), IntOnly()),
                     lambda: a.send(b"x", IntOnly()), lambda: a.sendall(b"x", IntOnly())):
            with pytest.raises(TypeError):
                call()
    assert IntOnly.calls == before
