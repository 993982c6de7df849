"""csock.Socket.sendmmsg and recvmmsg against the kernel: batches of datagrams.

``socket`` has no such methods, so nothing here is mirrored; where a batch
call has a one-datagram counterpart (send, sendto, recvfrom) the results are
compared with it. Traffic stays on 127.0.0.1, ::1 and AF_UNIX sockets;
every blocking step has a timeout or a thread joined with one.
"""

from __future__ import annotations

import array
import contextlib
import errno
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from _support import Index, ipv6_loopback_available

import csock
from csock._csock import lib

LONG = 10.0  # seconds: a bound for steps that should take far less
SHORT = 0.05  # seconds: a timeout that is meant to expire


def _ipv6_available() -> bool:
    return ipv6_loopback_available()


@contextlib.contextmanager
def dgram_pair() -> Iterator[tuple[csock.Socket, csock.Socket]]:
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        a.settimeout(LONG)
        b.settimeout(LONG)
        yield a, b


@contextlib.contextmanager
def udp_pair(family: int = csock.AF_INET) -> Iterator[tuple[csock.Socket, csock.Socket]]:
    """(sender, receiver), both bound to the loopback address."""
    host = "::1" if family == csock.AF_INET6 else "127.0.0.1"
    with csock.socket(family, csock.SOCK_DGRAM) as s, \
            csock.socket(family, csock.SOCK_DGRAM) as r:
        s.bind((host, 0))
        r.bind((host, 0))
        s.settimeout(LONG)
        r.settimeout(LONG)
        yield s, r


@contextlib.contextmanager
def thread(target: Callable[[], Any]) -> Iterator[dict[str, Any]]:
    """Run ``target`` in a thread; its result or exception lands in the dict."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield out
    finally:
        t.join(LONG)
        assert not t.is_alive(), "helper thread did not finish"
    if "error" in out:
        raise out["error"]


def wait_for_call(sock: csock.Socket) -> None:
    """Until a call of another thread is running on ``sock`` (in the kernel, or about to be)."""
    deadline = time.monotonic() + LONG
    while lib.csockrt_fd_calls(sock._ref) == 0:
        assert time.monotonic() < deadline, "the call never started"
        time.sleep(0.001)


def fill(sock: csock.Socket, size: int = 4096) -> int:
    """Send datagrams of ``size`` bytes until the socket's buffer is full; how many."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    sent = 0
    try:
        while True:
            sock.send(b"f" * size)
            sent += 1
    except BlockingIOError:
        return sent
    finally:
        sock.settimeout(timeout)


# ------------------------------------------------------------------ the data
def test_batch_of_bytes_like_objects_over_socketpair() -> None:
    with dgram_pair() as (a, b):
        datagrams = [b"uno", bytearray(b"dos"), memoryview(b"tres"), array.array("i", [7]), b""]
        assert a.sendmmsg(datagrams) == 5
        assert b.recvmmsg(10, 64) == [(b"uno", None, 0), (b"dos", None, 0), (b"tres", None, 0),
                                      (array.array("i", [7]).tobytes(), None, 0),
                                      (b"", None, 0)]


def test_recvmmsg_reports_truncation_per_datagram() -> None:
    with dgram_pair() as (a, b):
        assert a.sendmmsg([b"corto", b"x" * 100, b"justo"]) == 3
        assert b.recvmmsg(3, 5) == [(b"corto", None, 0), (b"xxxxx", None, csock.MSG_TRUNC),
                                    (b"justo", None, 0)]


def test_recvmmsg_takes_only_count_datagrams() -> None:
    with dgram_pair() as (a, b):
        assert a.sendmmsg([b"1", b"2", b"3"]) == 3
        assert [d for d, _, _ in b.recvmmsg(2, 8)] == [b"1", b"2"]
        assert b.recv(8) == b"3"


def test_recvmmsg_count_zero_makes_no_call() -> None:
    with dgram_pair() as (a, b):
        a.send(b"kept")
        assert b.recvmmsg(0, 100) == []
        assert b.recv(100) == b"kept"  # not consumed
    assert b.recvmmsg(0, 100) == []  # closed: no call, as recv(0)


def test_recvmmsg_count_beyond_the_kernel_limit() -> None:
    """A count past UIO_MAXIOV takes what the kernel can give, and allocates no more."""
    with dgram_pair() as (a, b):
        a.send(b"uno")
        assert b.recvmmsg(2**40, 16) == [(b"uno", None, 0)]


def test_sendmmsg_sends_at_most_uio_maxiov_per_call() -> None:
    with udp_pair() as (s, r):
        # UDP on loopback never blocks the sender: the receiver drops what
        # its buffer cannot hold.
        assert s.sendmmsg([(b"x", r.getsockname())] * 1500) == 1024


def test_sendmmsg_to_addresses_and_recvmmsg_gives_senders() -> None:
    with udp_pair() as (s, r):
        dest = r.getsockname()
        assert s.sendmmsg([(b"a", dest), (bytearray(b"bb"), dest)]) == 2
        assert r.recvmmsg(4, 16) == [(b"a", s.getsockname(), 0), (b"bb", s.getsockname(), 0)]


@pytest.mark.skipif(not _ipv6_available(), reason="::1 is not available here")
def test_sendmmsg_recvmmsg_ipv6() -> None:
    with udp_pair(csock.AF_INET6) as (s, r):
        assert s.sendmmsg([(b"seis", r.getsockname()[:2])]) == 1
        (data, address, flags), = r.recvmmsg(2, 16)
        assert (data, flags) == (b"seis", 0)
        assert address == s.getsockname()
        assert len(address) == 4


def test_recvmmsg_addresses_equal_recvfrom(sockdir: str) -> None:
    """A named AF_UNIX sender is its path; an unnamed one is None, as recvfrom says."""
    path, named_path = os.path.join(sockdir, "r"), os.path.join(sockdir, "s")
    with csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM) as r, \
            csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM) as named, \
            csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM) as unnamed:
        r.bind(path)
        r.settimeout(LONG)
        named.bind(named_path)
        for sender in (named, unnamed):
            assert sender.sendmmsg([(b"1", path), (b"2", path)]) == 2
            (_, first, _), = r.recvmmsg(1, 8)
            _, second = r.recvfrom(8)
            assert first == second == (named_path if sender is named else None)


def test_sendmmsg_mixes_pairs_and_plain_datagrams_on_a_connected_socket() -> None:
    with udp_pair() as (s, r):
        s.connect(r.getsockname())
        assert s.sendmmsg([b"plain", (b"pair", r.getsockname())]) == 2
        assert [d for d, _, _ in r.recvmmsg(2, 16)] == [b"plain", b"pair"]


def test_sendmmsg_empty_batch() -> None:
    with dgram_pair() as (a, _b):
        assert a.sendmmsg([]) == 0
        assert a.sendmmsg(iter([])) == 0


def test_sendmmsg_accepts_any_iterable() -> None:
    with dgram_pair() as (a, b):
        assert a.sendmmsg(bytes([i]) for i in range(3)) == 3
        assert [d for d, _, _ in b.recvmmsg(3, 4)] == [b"\0", b"\1", b"\2"]


def test_recvmmsg_on_a_stream_socket_gives_chunks() -> None:
    a, b = csock.socketpair()
    with a, b:
        b.settimeout(LONG)
        a.sendall(b"flujo")
        data, address, flags = b.recvmmsg(4, 3)[0]
        assert (data, address, flags) == (b"flu", None, 0)


# ------------------------------------------------------------ blocking model
def test_blocking_recvmmsg_returns_once_one_datagram_is_there() -> None:
    """MSG_WAITFORONE: one datagram is enough; without it the call would wait for 8."""
    with dgram_pair() as (a, b):
        b.settimeout(None)
        with thread(lambda: b.recvmmsg(8, 16)) as out:
            wait_for_call(b)
            a.send(b"uno")
        assert out["result"] == [(b"uno", None, 0)]


def test_blocking_recvmmsg_takes_what_is_queued() -> None:
    with dgram_pair() as (a, b):
        b.settimeout(None)
        a.sendmmsg([b"1", b"2"])
        with thread(lambda: b.recvmmsg(8, 16)) as out:
            pass
        assert [d for d, _, _ in out["result"]] == [b"1", b"2"]


def test_recvmmsg_timeout_and_non_blocking() -> None:
    with dgram_pair() as (_a, b):
        b.settimeout(SHORT)
        with pytest.raises(TimeoutError):
            b.recvmmsg(4, 16)
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recvmmsg(4, 16)


def test_recvmmsg_timed_waits_for_the_first_datagram() -> None:
    with dgram_pair() as (a, b):
        with thread(lambda: b.recvmmsg(8, 16)) as out:
            wait_for_call(b)
            a.send(b"tarde")
        assert out["result"] == [(b"tarde", None, 0)]


@pytest.mark.parametrize("timeout", [0.0, LONG])
def test_sendmmsg_partial_batch_is_reported_and_delivered(timeout: float) -> None:
    """A full buffer stops the batch: the count says how many went, and exactly
    those arrive; the next call, with nothing sent, raises as send() would."""
    with dgram_pair() as (a, b):
        datagrams = [bytes([i % 256]) * 4096 for i in range(1024)]
        a.settimeout(timeout)  # (a blocking call would wait for room)
        sent = a.sendmmsg(datagrams)
        assert 0 < sent < len(datagrams)
        a.settimeout(SHORT if timeout else 0.0)
        with pytest.raises(TimeoutError if timeout else BlockingIOError):
            a.sendmmsg(datagrams[sent:])
        b.setblocking(False)
        got: list[bytes] = []
        with contextlib.suppress(BlockingIOError):
            while True:
                got += [d for d, _, _ in b.recvmmsg(100, 8192)]
        assert got == datagrams[:sent]


def test_blocking_sendmmsg_waits_for_room() -> None:
    with dgram_pair() as (a, b):
        queued = fill(a)
        a.settimeout(None)
        with thread(lambda: a.sendmmsg([b"despues"])) as out:
            wait_for_call(a)
            b.setblocking(False)
            for _ in range(queued):
                b.recv(8192)
        assert out["result"] == 1
        b.settimeout(LONG)
        assert b.recv(100) == b"despues"


@contextlib.contextmanager
def alarm_every(interval: float, handler: Callable[[int, Any], None]) -> Iterator[None]:
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, interval, interval)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("timeout", [None, LONG])
def test_signal_during_recvmmsg_is_retried(timeout: float | None) -> None:
    hits: list[int] = []
    with dgram_pair() as (a, b):
        b.settimeout(timeout)

        def later() -> None:
            time.sleep(0.5)
            a.send(b"tras las senales")

        with thread(later), alarm_every(0.05, lambda signum, frame: hits.append(signum)):
            assert b.recvmmsg(4, 64) == [(b"tras las senales", None, 0)]
        assert len(hits) >= 2  # the signals did arrive during the call


class Interrupt(Exception):
    pass


@pytest.mark.parametrize("timeout", [None, LONG])
@pytest.mark.parametrize("call", ["sendmmsg", "recvmmsg"])
def test_signal_handler_exception_propagates(timeout: float | None, call: str) -> None:
    def handler(signum: int, frame: Any) -> None:
        raise Interrupt

    with dgram_pair() as (a, b):
        if call == "sendmmsg":
            fill(a)  # so the batch's first datagram waits: nothing sent yet
        a.settimeout(timeout)
        b.settimeout(timeout)
        calls = {"sendmmsg": lambda: a.sendmmsg([b"x"]), "recvmmsg": lambda: b.recvmmsg(4, 16)}
        with alarm_every(0.2, handler), pytest.raises(Interrupt):
            calls[call]()


def test_errors_raise_oserror() -> None:
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as s:
        with pytest.raises(OSError) as info:
            s.sendmmsg([b"no destination"])
        assert info.value.errno == errno.EDESTADDRREQ
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a:
        b.close()
        with pytest.raises(OSError) as info:
            a.sendmmsg([b"x"])
        assert info.value.errno == errno.ECONNREFUSED
        with pytest.raises(OSError) as info:
            b.recvmmsg(1, 1)
        assert info.value.errno == errno.EBADF


# ----------------------------------------------------------------- arguments
@pytest.mark.parametrize("args, exc", [
    ((-1, 10), ValueError),
    ((1, -1), ValueError),
    ((1.0, 10), TypeError),
    ((1, "10"), TypeError),
    ((None, 10), TypeError),
    ((2**63, 1), OverflowError),
    ((1, 2**63), OverflowError),
    ((1, 10, 2**31), OverflowError),
    ((1, 10, 1.5), TypeError),
    ((1024, 1 << 20), ValueError),  # 1 GiB of buffers
    ((2**40, 1 << 19), ValueError),  # capped at 1024 datagrams: still 512 MiB
])
def test_recvmmsg_arguments_checked_before_the_descriptor(args: tuple[Any, ...],
                                                          exc: type[Exception]) -> None:
    sock = csock.socket(csock.AF_UNIX, csock.SOCK_DGRAM)
    sock.close()  # a checked argument raises its error, not EBADF
    with pytest.raises(exc):
        sock.recvmmsg(*args)


def test_recvmmsg_takes_index_objects_and_keywords() -> None:
    with dgram_pair() as (a, b):
        a.send(b"indice")
        assert b.recvmmsg(count=Index(2), bufsize=Index(3), flags=Index(0)) == [
            (b"ind", None, csock.MSG_TRUNC)]


def test_recvmmsg_largest_batch_below_the_cap() -> None:
    with dgram_pair() as (a, b):
        a.send(b"z")
        assert b.recvmmsg(1024, 1 << 18) == [(b"z", None, 0)]  # 256 MiB: allowed


@pytest.mark.parametrize("datagrams, exc", [
    (b"abc", TypeError),
    ("abc", TypeError),
    (bytearray(b"abc"), TypeError),
    (5, TypeError),
    (None, TypeError),
    ([b"ok", 5], TypeError),
    ([b"ok", "text"], TypeError),
    ([(b"ok",)], TypeError),
    ([(b"ok", "/x", 1)], TypeError),
    ([("text", "/x")], TypeError),
    ([(b"ok", 5)], TypeError),
])
def test_sendmmsg_bad_datagrams(datagrams: Any, exc: type[Exception]) -> None:
    with dgram_pair() as (a, b):
        with pytest.raises(exc):
            a.sendmmsg(datagrams)
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recv(10)  # nothing was sent, not even the good items


@pytest.mark.parametrize("flags, exc", [("0", TypeError), (2**31, OverflowError),
                                        (1.0, TypeError)])
def test_sendmmsg_bad_flags(flags: Any, exc: type[Exception]) -> None:
    with dgram_pair() as (a, _b), pytest.raises(exc):
        a.sendmmsg([b"x"], flags)


def test_sendmmsg_bad_address_raises_as_sendto_and_sends_nothing() -> None:
    with udp_pair() as (s, r):
        good = r.getsockname()
        for bad in [("127.0.0.1", 70000), ("127.0.0.1",), "127.0.0.1", ("127.0.0.1", "80")]:
            with pytest.raises(Exception) as batch:
                s.sendmmsg([(b"ok", good), (b"bad", bad)])
            with pytest.raises(Exception) as single:
                s.sendto(b"bad", bad)
            assert type(batch.value) is type(single.value)
            assert str(batch.value) == str(single.value).replace("sendto", "sendmmsg")
        r.setblocking(False)
        with pytest.raises(BlockingIOError):
            r.recv(10)
