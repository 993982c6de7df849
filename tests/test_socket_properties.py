"""Properties of csock's Pythonic layer, checked with Hypothesis.

* Any bytes, sent in any chunking, arrive intact (sendall/send, recv,
  recv_into, makefile) over a socketpair.
* Any datagrams, sent and received in batches of any sizes (sendmmsg,
  recvmmsg), arrive intact and in order over a datagram socketpair.
* Any address of the wrong shape or type raises the same exception class
  from csock as from socket, for bind and connect, and never crashes.

Examples per test: 50 by default (the ``ci`` profile of conftest.py: the same
examples every run); ``CSOCK_HYPOTHESIS_PROFILE=stress`` runs 10000, new ones
each time.

No generated value can cause a name lookup: the host position only ever
holds numeric addresses, "localhost" (AF_INET only: /etc/hosts has it),
strings that fail before any lookup (a NUL, text IDNA cannot encode), or
values that are not strings; the ``no_lookups`` guard (conftest.py) fails a
test whose csock or socket call would still ask a resolver. AF_UNIX paths
come from a fixed list inside a temporary directory, so nothing is created
elsewhere. Datagram sockets are used for connect: connecting one sends nothing.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from _support import MODS, PROFILE, Index, ipv6_loopback_available
from hypothesis import given
from hypothesis import strategies as st

import csock

# The profiles are registered in conftest.py; the guard makes a lookup fail.
pytestmark = [pytest.mark.usefixtures("no_lookups")]
if PROFILE == "stress":
    # 10000 examples take longer than the 60 s per-test limit: lift it.
    pytestmark.append(pytest.mark.timeout(0))

LONG = 10.0


def _ipv6_available() -> bool:
    return ipv6_loopback_available()


HAS_IPV6 = _ipv6_available()


# ==================================================================== data paths
payloads = st.binary(max_size=200_000)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` split at the (sorted, de-duplicated) positions in ``cuts``."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for p in points + [len(data)]:
        pieces.append(data[start:p])
        start = p
    return pieces


@contextlib.contextmanager
def pair(mod: ModuleType) -> Iterator[tuple[Any, Any]]:
    a, b = mod.socketpair()
    with a, b:
        a.settimeout(LONG)
        b.settimeout(LONG)
        yield a, b


@contextlib.contextmanager
def sending(pieces: list[bytes], send: Any, done: Any = None) -> Iterator[None]:
    """Send ``pieces`` from a thread (so a large payload cannot deadlock)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for piece in pieces:
                send(piece)
            if done is not None:
                done()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    try:
        yield
    finally:
        t.join(LONG)
        assert not t.is_alive()
    if errors:
        raise errors[0]


@pytest.mark.parametrize("mod", MODS)
@given(data=payloads, cuts=st.lists(st.integers(min_value=0), max_size=20),
       sizes=st.lists(st.integers(min_value=1, max_value=70_000), min_size=1, max_size=10))
def test_sendall_recv_intact(mod: ModuleType, data: bytes, cuts: list[int],
                             sizes: list[int]) -> None:
    with pair(mod) as (a, b):
        received = bytearray()
        with sending(chunked(data, cuts), a.sendall, lambda: a.shutdown(mod.SHUT_WR)):
            i = 0
            while True:
                piece = b.recv(sizes[i % len(sizes)])
                i += 1
                if not piece:
                    break
                assert len(piece) <= sizes[(i - 1) % len(sizes)]
                received += piece
        assert bytes(received) == data


@pytest.mark.parametrize("mod", MODS)
@given(data=payloads, cuts=st.lists(st.integers(min_value=0), max_size=20),
       sizes=st.lists(st.integers(min_value=1, max_value=70_000), min_size=1, max_size=10),
       kinds=st.sampled_from(["bytearray", "memoryview", "nbytes"]))
def test_send_recv_into_intact(mod: ModuleType, data: bytes, cuts: list[int],
                               sizes: list[int], kinds: str) -> None:
    def send_all(piece: bytes) -> None:
        view = memoryview(bytearray(piece))
        while view:
            view = view[a.send(view):]

    with pair(mod) as (a, b):
        received = bytearray()
        with sending(chunked(data, cuts), send_all, lambda: a.shutdown(mod.SHUT_WR)):
            i = 0
            while True:
                size = sizes[i % len(sizes)]
                i += 1
                if kinds == "bytearray":
                    buf = bytearray(size)
                    n = b.recv_into(buf)
                elif kinds == "memoryview":
                    buf = bytearray(size + 7)
                    n = b.recv_into(memoryview(buf)[7:])
                    buf = buf[7:]
                else:
                    buf = bytearray(size + 100)
                    n = b.recv_into(buf, size)
                    assert buf[size:] == bytes(100)  # nothing past nbytes written
                if not n:
                    break
                assert 0 < n <= size
                received += buf[:n]
        assert bytes(received) == data


@pytest.mark.parametrize("mod", MODS)
@given(data=payloads, cuts=st.lists(st.integers(min_value=0), max_size=20),
       buffering=st.sampled_from([None, 0, 1, 17, 8192]),
       reads=st.lists(st.integers(min_value=-1, max_value=70_000), min_size=1, max_size=8))
def test_makefile_intact(mod: ModuleType, data: bytes, cuts: list[int],
                         buffering: int | None, reads: list[int]) -> None:
    with pair(mod) as (a, b):
        w = a.makefile("wb", buffering=buffering)
        r = b.makefile("rb")

        def finish() -> None:
            w.flush()
            w.close()
            a.shutdown(mod.SHUT_WR)

        def write(piece: bytes) -> None:
            view = memoryview(piece)
            while view:  # an unbuffered (raw) file may write only part
                n = w.write(view)
                view = view[n:]

        received = bytearray()
        with r, sending(chunked(data, cuts), write, finish):
            i = 0
            while True:
                size = reads[i % len(reads)]
                i += 1
                piece = r.read(size) if size != 0 else r.readline()
                if not piece:
                    if size == 0 or size == -1:
                        piece = r.read()
                        received += piece
                    break
                received += piece
        assert bytes(received) == data


@pytest.mark.parametrize("mod", MODS)
@given(lines=st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                                     blacklist_characters="\r\n"),
                              max_size=50), max_size=30))
def test_makefile_text_lines(mod: ModuleType, lines: list[str]) -> None:
    with pair(mod) as (a, b):
        with a.makefile("w", encoding="utf-8", newline="\n") as w, \
                b.makefile("r", encoding="utf-8", newline="\n") as r:
            with sending([line + "\n" for line in lines], w.write, w.flush):
                got = [r.readline() for _ in lines]
        assert got == [line + "\n" for line in lines]


# ============================================================ datagram batches
_BYTES_LIKE = [bytes, bytearray, memoryview]


@given(datagrams=st.lists(st.binary(max_size=3000), max_size=60),
       kinds=st.lists(st.sampled_from(_BYTES_LIKE), min_size=1, max_size=5),
       batches=st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=10),
       counts=st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=10),
       bufsize=st.integers(min_value=0, max_value=3500))
def test_sendmmsg_recvmmsg_intact_in_order(datagrams: list[bytes], kinds: list[type],
                                           batches: list[int], counts: list[int],
                                           bufsize: int) -> None:
    """Any datagrams, sent in any batches and received in any batches over a
    socketpair: the same datagrams in the same order, each cut to bufsize with
    MSG_TRUNC exactly when it was longer."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        a.settimeout(LONG)
        b.settimeout(LONG)
        items = [kinds[i % len(kinds)](d) for i, d in enumerate(datagrams)]
        groups, start = [], 0
        while start < len(items):
            size = batches[len(groups) % len(batches)]
            groups.append(items[start:start + size])
            start += size

        def send_batch(group: list[Any]) -> None:
            while group:  # a full buffer sends part of a batch: the rest follows
                sent = a.sendmmsg(group)
                assert 1 <= sent <= len(group)
                group = group[sent:]

        received: list[tuple[bytes, Any, int]] = []
        with sending(groups, send_batch):
            i = 0
            while len(received) < len(datagrams):
                count = counts[i % len(counts)]
                i += 1
                batch = b.recvmmsg(count, bufsize)
                assert 1 <= len(batch) <= count
                received += batch
        assert received == [(d[:bufsize], None, csock.MSG_TRUNC if len(d) > bufsize else 0)
                            for d in datagrams]


# ===================================================================== addresses
# Host strings that never reach a name lookup (see the module docstring).
# Scoped IPv6 hosts ("::1%1") go through getaddrinfo, which reads the scope as
# an interface number or name, never a name to look up.
INET4_HOSTS = ["127.0.0.1", "127.1", "0.0.0.0", "", "localhost", "<broadcast>",
               "255.255.255.255", "::1", "::", "127.0.0.1\0", "\0", "\udcff", "é..",
               "\u2603" * 70, "::1%1", "::ffff:127.0.0.1%1"]
INET6_HOSTS = ["::1", "::", "", "0:0:0:0:0:0:0:1", "127.0.0.1", "127.1", "<broadcast>",
               "::1\0", "\udcff", "é..", "::1%1", "::1%lo", "::1%", "::1%99999999999",
               "::ffff:127.0.0.1%1"]

not_text = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True), st.binary(max_size=4).filter(lambda b: b"\0" in b or not b),
    st.builds(Index, st.integers(min_value=-2**40, max_value=2**40)),
    st.just(object()), st.lists(st.integers(), max_size=2),
    st.tuples(st.integers(), st.integers()),
)


def hosts(family: int) -> st.SearchStrategy[Any]:
    fixed = INET4_HOSTS if family == socket.AF_INET else INET6_HOSTS
    texts = st.sampled_from(fixed)
    as_bytes = st.sampled_from([h.encode() for h in fixed if h.isascii()])
    as_bytearray = as_bytes.map(bytearray)
    return st.one_of(texts, texts, as_bytes, as_bytearray, not_text)


# Ports are 0 or out of range, so that nothing binds a fixed port another test
# (or the other module's turn) could need.
ports = st.one_of(
    st.just(0), st.integers(max_value=-1), st.integers(min_value=65536),
    st.just(False), st.builds(Index, st.sampled_from([0, -1, 70000])),
    st.text(max_size=3), st.floats(), st.none(), st.binary(max_size=2),
)
any_atom = st.one_of(not_text, st.text(max_size=3), ports)


def inet_addresses(family: int) -> st.SearchStrategy[Any]:
    host = hosts(family)
    ints = st.one_of(st.integers(min_value=-2**70, max_value=2**70), st.just(0),
                     st.builds(Index, st.integers(min_value=-2**33, max_value=2**33)),
                     any_atom)
    return st.one_of(
        st.tuples(host, ports),
        st.tuples(host, ports, ints),
        st.tuples(host, ports, ints, ints),
        st.tuples(host, ports, ints, ints, any_atom),
        st.tuples(),
        st.tuples(host),
        st.tuples(host, st.tuples(host, ports)),
        st.lists(any_atom, max_size=3),
        not_text, st.text(max_size=5),
        st.tuples(host, ports).map(list),
    )


def outcome(mod: ModuleType, family: int, method: str, address: Any) -> str:
    """The exception class name ``method(address)`` raised, or "ok"."""
    with mod.socket(family, mod.SOCK_DGRAM) as s:
        try:
            result = getattr(s, method)(address)
        except Exception as exc:  # noqa: BLE001 - the class is the result
            return type(exc).__name__
        if method == "connect_ex" and result:
            return f"errno {result}"
        return "ok"


FAMILIES = [pytest.param(socket.AF_INET, id="inet"),
            pytest.param(socket.AF_INET6, id="inet6",
                         marks=pytest.mark.skipif(not HAS_IPV6, reason="no ::1 here"))]


@pytest.mark.parametrize("method", ["bind", "connect", "connect_ex"])
@pytest.mark.parametrize("family", FAMILIES)
@given(data=st.data())
def test_inet_address_same_exception_as_socket(family: int, method: str,
                                               data: st.DataObject) -> None:
    address = data.draw(inet_addresses(family))
    theirs = outcome(socket, family, method, address)
    ours = outcome(csock, family, method, address)
    assert ours == theirs, (address, theirs, ours)


@contextlib.contextmanager
def unix_paths() -> Iterator[list[Any]]:
    with tempfile.TemporaryDirectory(prefix="cs", dir="/tmp") as d:
        path = os.path.join(d, "s")
        yield [
            path, os.fsencode(path), bytearray(os.fsencode(path)),
            memoryview(os.fsencode(path)), os.path.join(d, "missing", "x"),
            path + "\0tail", os.path.join(d, "x" * 200), "/" + "y" * 107, "/" + "y" * 108,
            b"\0csock-prop-%d" % os.getpid(), b"\0" + b"z" * 107, b"\0" + b"z" * 108, "",
            b"", os.fsencode(path) + b"\xff",
        ]


@pytest.mark.parametrize("method", ["bind", "connect", "connect_ex"])
@given(choice=st.one_of(st.integers(min_value=0, max_value=14).map(lambda i: ("path", i)),
                        any_atom.filter(lambda v: not isinstance(v, (str, bytes)))
                        .map(lambda v: ("value", v)),
                        st.tuples(st.integers(0, 14), ports).map(lambda t: ("tuple", t))))
def test_unix_address_same_exception_as_socket(method: str, choice: tuple[str, Any]) -> None:
    with unix_paths() as paths:
        how, value = choice
        if how == "path":
            address = paths[value]
        elif how == "tuple":
            address = (paths[value[0]], value[1])
        else:
            address = value
        theirs = outcome(socket, socket.AF_UNIX, method, address)
        _cleanup(paths)
        ours = outcome(csock, socket.AF_UNIX, method, address)
        _cleanup(paths)
        assert ours == theirs, (address, theirs, ours)


def _cleanup(paths: list[Any]) -> None:
    for p in paths:
        if isinstance(p, str) and p.startswith("/tmp/cs"):
            with contextlib.suppress(OSError):
                os.unlink(p.split("\0")[0])
        elif isinstance(p, bytes) and p.startswith(b"/tmp/cs"):
            with contextlib.suppress(OSError):
                os.unlink(p)


@given(address=st.one_of(inet_addresses(socket.AF_INET), inet_addresses(socket.AF_INET6)),
       flags=st.sampled_from([socket.NI_NUMERICHOST | socket.NI_NUMERICSERV,
                              socket.NI_NUMERICHOST | socket.NI_NUMERICSERV
                              | socket.NI_DGRAM]))
def test_getnameinfo_same_exception_as_socket(address: Any, flags: int) -> None:
    def run(mod: ModuleType) -> Any:
        try:
            return mod.getnameinfo(address, flags)
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__

    assert run(csock) == run(socket), address
