"""Bad input never crashes: every public function and Socket method of csock,
fuzzed with Hypothesis, raises the exception class ``socket`` raises for the
same input (or succeeds as ``socket`` does). sendmmsg and recvmmsg, which
``socket`` lacks, must end in a result or an ordinary exception.

Profiles: ``ci`` (default, CI_EXAMPLES examples per test, the file in well under
30 s) and ``stress`` (``CSOCK_HYPOTHESIS_PROFILE=stress``: STRESS_EXAMPLES per
test, over 10,000 in all). ``pytest -m stress tests/test_fuzz.py`` runs the
stress profile in a child process, so that a crash of the interpreter shows
as a failed test with the child's exit status instead of killing pytest.
``CSOCK_FUZZ_COUNTS=path`` makes the file write how many examples each test
tried (bench/stress.py reads it).

No name lookups. Hosts are drawn from fixed lists of numeric addresses,
"localhost" (AF_INET: /etc/hosts has it) and strings that fail before any
lookup (a NUL, a label IDNA refuses), or are not strings at all; getaddrinfo
always gets AI_NUMERICHOST and getnameinfo NI_NUMERICHOST. On top of that a
guard wraps csock's own getaddrinfo: a call that could reach a resolver fails
the test before the C function runs (and the stdlib is then not called).
"""

from __future__ import annotations

import array
import collections
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from _support import Index
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csock
from csock import _address, _functions
from csock._csock import ffi, lib

PROFILE = os.environ.get("CSOCK_HYPOTHESIS_PROFILE", "ci")
CI_EXAMPLES = 120
STRESS_EXAMPLES = 1_200
EXAMPLES = STRESS_EXAMPLES if PROFILE == "stress" else CI_EXAMPLES
# Explicit settings on every test: the profile other test files load is global.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
if PROFILE == "stress":
    pytestmark = pytest.mark.timeout(0)

COUNTS: collections.Counter[str] = collections.Counter()


@pytest.fixture(autouse=True, scope="module")
def _write_counts() -> Iterator[None]:
    yield
    path = os.environ.get("CSOCK_FUZZ_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump(dict(COUNTS), f)


# ============================================================ the lookup guard
class LookupAttempted(BaseException):  # noqa: N818 - not an Exception: never swallowed
    """csock was about to ask a resolver about a name."""


SAFE_NAMES = {b"localhost"}


def _numeric(name: bytes, family: int) -> bool:
    hints = ffi.new("struct addrinfo *")
    hints.ai_family = family
    hints.ai_flags = lib.AI_NUMERICHOST
    res = ffi.new("struct addrinfo **")
    if lib.getaddrinfo(name, ffi.NULL, hints, res) != 0:
        return False
    lib.freeaddrinfo(res[0])
    return True


class GuardedLib:
    """csock's lib, with a getaddrinfo that refuses anything but numeric hosts."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def getaddrinfo(self, node: Any, service: Any, hints: Any, res: Any) -> int:
        flags = hints.ai_flags if hints != ffi.NULL else 0
        family = hints.ai_family if hints != ffi.NULL else 0
        if node != ffi.NULL and not flags & lib.AI_NUMERICHOST:
            name = node if isinstance(node, bytes) else ffi.string(node)
            name = name.split(b"\0", 1)[0]  # what C sees
            if name not in SAFE_NAMES and not _numeric(name, family):
                raise LookupAttempted(name)
        return int(self._real.getaddrinfo(node, service, hints, res))


@pytest.fixture(autouse=True)
def no_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    guarded = GuardedLib(lib)
    monkeypatch.setattr(_address, "lib", guarded)
    monkeypatch.setattr(_functions, "lib", guarded)


def test_guard_catches_a_lookup() -> None:
    with pytest.raises(LookupAttempted):
        csock.getaddrinfo("name.invalid", 80)
    with csock.Socket(csock.AF_INET, csock.SOCK_DGRAM) as s, \
            pytest.raises(LookupAttempted):
        s.connect(("host.invalid", 9))
    assert csock.getaddrinfo("127.1", 80)  # numeric: allowed


# ================================================================= comparison
def outcome(func: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    """("ok", a comparable form of the result) or ("raise", the exception's class)."""
    try:
        result = func(*args)
    except (Exception, LookupAttempted) as exc:
        if isinstance(exc, LookupAttempted):
            raise
        name = type(exc).__name__
        if type(exc) is OSError and exc.errno is not None:  # a bare OSError: say which
            name += f"[{exc.errno}]"
        return ("raise", name)
    return ("ok", comparable(result))


def comparable(value: Any) -> Any:
    if isinstance(value, (bytes, str, bool, int, float, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        return type(value).__name__, len(value)
    return type(value).__name__


def same(func_name: str, make: Callable[[ModuleType], Callable[..., Any]], *args: Any,
         detail: Any = None) -> None:
    """csock's and socket's outcomes for ``make(mod)(*args)`` are the same."""
    COUNTS[func_name] += 1
    ours = outcome(make(csock), *args)
    theirs = outcome(make(socket), *args)
    assert ours == theirs, (func_name, args or detail, "csock:", ours, "socket:", theirs)


# ================================================================= strategies
EDGE_INTS = [0, 1, -1, 2, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
             2**32 - 1, 2**32, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64, 10**30, -10**30]
ints = st.one_of(st.sampled_from(EDGE_INTS), st.integers(-2**70, 2**70),
                 st.integers(-5, 70_000))
int_like = st.one_of(ints, ints.map(Index), st.booleans())


def _strided() -> memoryview:
    return memoryview(bytearray(b"abcdefgh"))[::2]


def _two_d() -> memoryview:
    return memoryview(bytearray(6)).cast("B", shape=[2, 3])


BUFFER_MAKERS: list[Callable[[], Any]] = [
    lambda: b"", lambda: b"data", lambda: bytearray(b"xyz"), lambda: bytearray(),
    lambda: memoryview(b"view"), lambda: memoryview(bytearray(b"rw-view"))[1:],
    _strided, _two_d, lambda: memoryview(b"abcd").cast("I"),
    lambda: array.array("i", [1, 2, 3]), lambda: array.array("d"),
    lambda: memoryview(bytearray(4)).toreadonly(), lambda: b"\0" * 3000,
]
buffers = st.sampled_from(BUFFER_MAKERS).map(lambda make: make())

anything = st.one_of(
    st.none(), st.booleans(), ints, st.floats(), st.text(max_size=6), st.binary(max_size=8),
    ints.map(Index), buffers, st.just(object()), st.just(Decimal("1.5")), st.just(1j),
    st.lists(st.integers(), max_size=3), st.tuples(st.integers(), st.integers()),
    st.just(float("inf")), st.just(float("nan")), st.just(-0.0),
)

# Host strings that never reach a resolver (see the module docstring).
LABEL_TOO_LONG = "\u2603" * 70  # IDNA refuses a label of more than 63 characters
HOSTS_V4 = ["127.0.0.1", "127.1", "0.0.0.0", "", "localhost", "<broadcast>",
            "255.255.255.255", "127.0.0.1\0", "\0", "\udcff", "é..", "a..b\u00e9",
            LABEL_TOO_LONG, LABEL_TOO_LONG + ".x", "0x7f.1", "0177.0.0.1",
            "127.0.0.1\0evil.invalid"]
# Only with AI_NUMERICHOST: names that socket and csock would both look up.
HOSTS_NUMERIC_ONLY = ["1.2.3.4.5", "256.1.1.1", "::1", "::", "fe80::1%1", "fe80::1%lo",
                      "::ffff:127.0.0.1", "x" * 300, ("a" * 63 + ".") * 5, "a" * 64, "name.invalid",
                      "\u00e9" * 10, "-", "1:2:3:4:5:6:7:8:9"]


def host_values(hosts: list[str]) -> st.SearchStrategy[Any]:
    texts = st.sampled_from(hosts)
    return st.one_of(texts, texts,
                     texts.filter(str.isascii).map(str.encode),
                     texts.filter(str.isascii).map(lambda h: bytearray(h.encode())),
                     anything.filter(lambda v: not isinstance(v, (str, bytes, bytearray))))


# =========================================================== module functions
@FUZZ
@given(name=st.sampled_from(["htons", "ntohs", "htonl", "ntohl"]), x=st.one_of(int_like,
                                                                                anything))
def test_byte_order(name: str, x: Any) -> None:
    same(name, lambda m: getattr(m, name), x)


@FUZZ
@given(text=st.one_of(st.sampled_from(HOSTS_V4 + HOSTS_NUMERIC_ONLY), st.text(max_size=20),
                      st.binary(max_size=20), anything),
       packed=st.one_of(st.binary(max_size=20), buffers, anything),
       family=st.one_of(st.sampled_from([socket.AF_INET, socket.AF_INET6, socket.AF_UNIX]),
                        int_like, anything),
       which=st.sampled_from(["inet_aton", "inet_ntoa", "inet_pton", "inet_ntop"]))
def test_address_conversions(text: Any, packed: Any, family: Any, which: str) -> None:
    if which == "inet_aton":
        same(which, lambda m: m.inet_aton, text)
    elif which == "inet_ntoa":
        same(which, lambda m: m.inet_ntoa, packed)
    elif which == "inet_pton":
        same(which, lambda m: m.inet_pton, family, text)
    else:
        same(which, lambda m: m.inet_ntop, family, packed)


families = st.one_of(st.sampled_from([0, socket.AF_INET, socket.AF_INET6, socket.AF_UNIX]),
                     int_like, anything)
kinds = st.one_of(st.sampled_from([0, socket.SOCK_STREAM, socket.SOCK_DGRAM,
                                   socket.SOCK_RAW]), int_like, anything)


@FUZZ
@given(host=host_values(HOSTS_V4 + HOSTS_NUMERIC_ONLY),
       port=st.one_of(st.sampled_from([None, 0, 80, "80", "http", b"80", "", "nope",
                                       "80\0", -1, 65536, 2**40, True]), anything),
       family=families, kind=kinds, proto=st.one_of(st.sampled_from([0, 6, 17]), int_like),
       flags=st.one_of(st.sampled_from([0, socket.AI_PASSIVE, socket.AI_CANONNAME,
                                        socket.AI_NUMERICSERV, -1]), int_like, anything),
       nargs=st.integers(2, 6))
def test_getaddrinfo(host: Any, port: Any, family: Any, kind: Any, proto: Any, flags: Any,
                     nargs: int) -> None:
    if isinstance(flags, int) or (isinstance(flags, Index) and -2**31 <= flags.value < 2**31):
        flags = int(flags) | socket.AI_NUMERICHOST  # never a lookup
        nargs = 6
    elif host is not None and nargs == 6:
        # A flags value of the wrong type fails before any lookup in both modules.
        pass
    else:
        nargs = min(nargs, 5)
        if host is not None:
            host = None  # no AI_NUMERICHOST to give: no host either
    args = (host, port, family, kind, proto, flags)[:nargs]
    same("getaddrinfo", lambda m: m.getaddrinfo, *args)


@FUZZ
@given(address=st.one_of(
    st.tuples(host_values(HOSTS_V4 + ["::1", "::"]), st.one_of(int_like, anything)),
    st.tuples(st.sampled_from(["::1", "fe80::1", "127.0.0.1"]), int_like, int_like),
    st.tuples(st.sampled_from(["::1", "fe80::1"]), int_like, int_like, int_like),
    st.lists(anything, max_size=5).map(tuple), anything),
    flags=st.one_of(st.sampled_from([0, socket.NI_NUMERICSERV, socket.NI_DGRAM,
                                     socket.NI_NAMEREQD]), int_like, anything))
def test_getnameinfo(address: Any, flags: Any) -> None:
    if isinstance(flags, int) and -2**31 <= flags < 2**31:
        flags |= socket.NI_NUMERICHOST  # never a reverse lookup
    elif isinstance(address, tuple) and address and isinstance(address[0], str):
        return  # a flags value we cannot make numeric: skip rather than risk a lookup
    same("getnameinfo", lambda m: m.getnameinfo, address, flags)


@FUZZ
@given(host=st.one_of(host_values(HOSTS_V4), st.sampled_from(["a" * 64 + ".b", "a" * 64])),
       ex=st.booleans())
def test_gethostbyname(host: Any, ex: bool) -> None:
    # gethostbyname IDNA-encodes every str, so a label over 63 characters fails
    # before any lookup, ASCII or not. socket's gethostbyname_ex looks "" up.
    if ex and isinstance(host, (str, bytes, bytearray)) and not _ex_safe(host):
        return  # socket's gethostbyname_ex would look it up (gethostbyname_r)
    name = "gethostbyname_ex" if ex else "gethostbyname"
    same(name, lambda m: getattr(m, name), host)


def _ex_safe(host: str | bytes | bytearray) -> bool:
    """Whether socket.gethostbyname_ex(host) fails or answers without a resolver.

    It calls gethostbyname_r, which answers dotted digits itself and asks NSS
    (files, then DNS) about anything else, "" and "0x7f.1" included.
    """
    text = host if isinstance(host, str) else bytes(host).decode("latin-1")
    if text == "localhost" or "\0" in text:
        return True
    try:
        text.encode("idna")
    except UnicodeError:
        return True  # refused before any lookup
    return bool(text) and all(ch.isdigit() or ch == "." for ch in text) and text.isascii()


SERVICES = ["http", "ssh", "domain", "nope", "", "\0", "http\0", "é", "x" * 5000]
PROTOS = ["tcp", "udp", "", "tcp\0", "é", "nope"]


@FUZZ
@given(service=st.one_of(st.sampled_from(SERVICES), anything),
       port=st.one_of(st.sampled_from([22, 53, 80, 0, 65535, 65536, -1]), int_like, anything),
       proto=st.one_of(st.sampled_from(PROTOS), anything),
       nargs=st.integers(1, 2), by_port=st.booleans())
def test_getservby(service: Any, port: Any, proto: Any, nargs: int, by_port: bool) -> None:
    if by_port:
        same("getservbyport", lambda m: m.getservbyport, *((port, proto)[:nargs]))
    else:
        same("getservbyname", lambda m: m.getservbyname, *((service, proto)[:nargs]))


@FUZZ
@given(value=st.one_of(st.sampled_from([None, 0, 0.0, 1.5, -1, -0.5, 1e300]), int_like,
                       anything))
def test_setdefaulttimeout(value: Any) -> None:
    before = (socket.getdefaulttimeout(), csock.getdefaulttimeout())
    try:
        same("setdefaulttimeout", lambda m: m.setdefaulttimeout, value)
        assert comparable(socket.getdefaulttimeout()) == comparable(csock.getdefaulttimeout())
    finally:
        socket.setdefaulttimeout(before[0])
        csock.setdefaulttimeout(before[1])


@FUZZ
@given(family=st.one_of(st.sampled_from([socket.AF_INET, socket.AF_INET6, socket.AF_UNIX,
                                         -1, 0, 255]), int_like, anything),
       kind=st.one_of(st.sampled_from([socket.SOCK_STREAM, socket.SOCK_DGRAM,
                                       socket.SOCK_SEQPACKET, -1, 0,
                                       socket.SOCK_STREAM | socket.SOCK_NONBLOCK]),
                      int_like, anything),
       proto=st.one_of(st.sampled_from([0, 6, 17, -1]), int_like, anything),
       which=st.sampled_from(["socket", "socketpair", "fromfd", "fileno"]),
       fd_kind=st.sampled_from(["own", "closed", "file", "minus", "big", "other"]),
       other=anything)
def test_constructors(family: Any, kind: Any, proto: Any, which: str, fd_kind: str,
                      other: Any) -> None:
    if which in ("socket", "socketpair") and (kind == socket.SOCK_RAW or (
            isinstance(kind, int) and kind & 0xF == socket.SOCK_RAW)):
        return  # raw sockets need privileges the two runs may not share
    with fd_source(fd_kind, other) as fd:
        def make(m: ModuleType) -> Callable[..., Any]:
            def run() -> Any:
                before = open_fds()
                try:
                    return attempt()
                finally:
                    extra = open_fds() - before
                    if m is socket:  # socket.fromfd leaks its dup when socket() fails
                        for leaked in extra:
                            os.close(leaked)
                    else:
                        assert not extra, f"csock leaked {extra}"

            def attempt() -> Any:
                if which == "socket":
                    result = m.socket(family, kind, proto)
                elif which == "socketpair":
                    result = m.socketpair(family, kind, proto)
                elif which == "fromfd":
                    result = m.fromfd(fd, family, kind, proto)
                else:  # adopt a duplicate: the socket owns (and closes) only that
                    dup = os.dup(fd) if isinstance(fd, int) and fd >= 0 and _is_open(fd) \
                        else fd
                    try:
                        result = m.socket(family, kind, proto, dup)
                    except BaseException:
                        if dup is not fd:
                            os.close(dup)
                        raise
                for s in result if isinstance(result, tuple) else (result,):
                    s.close()
                return "pair" if isinstance(result, tuple) else "socket"
            return run
        same(which, make, detail=(family, kind, proto, fd))


def open_fds() -> set[int]:
    return {int(n) for n in os.listdir("/proc/self/fd") if _is_open(int(n))}


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def fd_source(kind: str, other: Any) -> Iterator[Any]:
    """A descriptor number to hand over: one of our own, never anyone else's."""
    if kind == "own":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            yield s.fileno()
    elif kind == "closed":
        s = socket.socket()
        fd = s.fileno()
        s.close()
        yield fd if not _is_open(fd) else -1
    elif kind == "file":
        with tempfile.TemporaryFile() as f:
            yield f.fileno()
    elif kind == "minus":
        yield -1
    elif kind == "big":
        yield 2**31
    else:
        yield other if not isinstance(other, (int, Index)) else -5


# ================================================================ Socket methods
STATES = ["udp", "tcp", "unix", "listening", "fresh", "closed", "detached"]


@contextlib.contextmanager
def socket_in(mod: ModuleType, state: str) -> Iterator[Any]:
    """A non-blocking socket of ``mod`` in ``state``; nothing it does can block."""
    extra: list[Any] = []
    try:
        if state == "udp":
            s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.sendto(b"datagram", s.getsockname())
        elif state in ("tcp", "listening"):
            server = mod.socket()
            extra.append(server)
            server.bind(("127.0.0.1", 0))
            server.listen()
            if state == "listening":
                s = server
                extra.remove(server)
            else:
                s = mod.create_connection(server.getsockname(), timeout=5)
                peer, _ = server.accept()
                extra.append(peer)
                peer.sendall(b"hello from the peer")
        elif state == "unix":
            s, peer = mod.socketpair()
            extra.append(peer)
            peer.sendall(b"hello over unix")
        else:
            s = mod.socket()
        s.settimeout(0.0)
        if state == "closed":
            s.close()
        elif state == "detached":
            os.close(s.detach())
        yield s
    finally:
        for e in extra:
            e.close()
        with contextlib.suppress(Exception, UnboundLocalError):
            s.close()


sizes = st.one_of(st.sampled_from([0, 1, 5, 4096, 4097, 65536, -1, -2**63, 2**31, 2**40,
                                   2**62, 2**63 - 1, 2**63, 2**64]), int_like, anything)
flag_values = st.one_of(st.sampled_from([0, socket.MSG_PEEK, socket.MSG_DONTWAIT,
                                         socket.MSG_OOB, socket.MSG_TRUNC, -1, 2**31]),
                        int_like, anything)
recv_buffers = st.one_of(
    st.sampled_from([lambda: bytearray(16), lambda: bytearray(), lambda: bytearray(3),
                     lambda: memoryview(bytearray(16))[4:],
                     lambda: memoryview(bytearray(16))[::2], _two_d,
                     lambda: array.array("i", [0] * 4), lambda: b"immutable",
                     lambda: memoryview(bytearray(8)).toreadonly(),
                     lambda: memoryview(bytearray(8)).cast("I")]).map(lambda f: f()),
    anything)
inet_addresses = st.one_of(
    st.tuples(st.sampled_from(HOSTS_V4), st.one_of(st.just(0), int_like, anything)),
    st.lists(anything, max_size=3).map(tuple), anything)
options = st.one_of(st.sampled_from([
    (socket.SOL_SOCKET, socket.SO_REUSEADDR), (socket.SOL_SOCKET, socket.SO_RCVBUF),
    (socket.SOL_SOCKET, socket.SO_LINGER), (socket.SOL_SOCKET, socket.SO_TYPE),
    (socket.IPPROTO_TCP, socket.TCP_NODELAY), (socket.SOL_SOCKET, 9999), (-1, -1)]),
    st.tuples(int_like, int_like), st.tuples(anything, anything))
opt_values = st.one_of(st.sampled_from([0, 1, -1, 2**31, b"\0" * 8, b"\1\0\0\0", b""]),
                       int_like, buffers, anything)

METHOD_ARGS: dict[str, st.SearchStrategy[tuple[Any, ...]]] = {
    "recv": st.one_of(st.tuples(sizes), st.tuples(sizes, flag_values), st.tuples()),
    "recvfrom": st.one_of(st.tuples(sizes), st.tuples(sizes, flag_values)),
    "recv_into": st.one_of(st.tuples(recv_buffers), st.tuples(recv_buffers, sizes),
                           st.tuples(recv_buffers, sizes, flag_values)),
    "recvfrom_into": st.one_of(st.tuples(recv_buffers), st.tuples(recv_buffers, sizes),
                               st.tuples(recv_buffers, sizes, flag_values)),
    "send": st.one_of(st.tuples(buffers), st.tuples(buffers, flag_values),
                      st.tuples(anything)),
    "sendall": st.one_of(st.tuples(buffers), st.tuples(buffers, flag_values),
                         st.tuples(anything)),
    "sendto": st.one_of(st.tuples(buffers, inet_addresses),
                        st.tuples(buffers, flag_values, inet_addresses),
                        st.tuples(anything, anything)),
    # (not flatmap with st.just: Hypothesis hashes just() values, and a
    # writable memoryview cannot be hashed)
    "setsockopt": st.one_of(st.tuples(options, opt_values).map(lambda t: (*t[0], t[1])),
                            st.tuples(int_like, int_like, st.none(), sizes)),
    "getsockopt": st.one_of(options, st.tuples(options, sizes).map(lambda t: (*t[0], t[1]))),
    "settimeout": st.tuples(st.one_of(st.sampled_from([None, 0, 0.5, -1, 1e300]), anything)),
    "setblocking": st.tuples(anything),
    "shutdown": st.tuples(st.one_of(st.sampled_from([0, 1, 2, 3, -1]), int_like, anything)),
    "listen": st.one_of(st.tuples(), st.tuples(st.one_of(sizes, st.sampled_from([0, 1, 128]),
                                                         anything))),
    "bind": st.tuples(inet_addresses),
    "connect_ex": st.tuples(inet_addresses),
    "makefile": st.one_of(st.tuples(st.sampled_from(["r", "rb", "w", "wb", "rw", "rwb", "x",
                                                     "", "rt", "a"])),
                          st.tuples(st.sampled_from(["rb", "wb", "r", "w"]),
                                    st.one_of(st.sampled_from([None, 0, -1, 1, 8192]),
                                              anything))),
    "sendfile": st.tuples(st.sampled_from(["file", "text", "bytesio", "none"]),
                          st.one_of(st.sampled_from([0, 3, -1]), int_like, anything),
                          st.one_of(st.sampled_from([None, 1, 0, -1, 5]), int_like,
                                    anything)),
    "set_inheritable": st.tuples(anything),
    "get_inheritable": st.tuples(), "getsockname": st.tuples(), "getpeername": st.tuples(),
    "dup": st.tuples(), "fileno": st.tuples(), "gettimeout": st.tuples(),
    "getblocking": st.tuples(), "detach": st.tuples(), "close": st.tuples(),
}


def call_method(sock: Any, method: str, args: tuple[Any, ...]) -> Any:
    if method == "sendfile":
        kind, offset, count = args
        with tempfile.TemporaryFile() as f:
            f.write(b"file contents " * 10)
            f.seek(0)
            source: Any = {"file": f, "text": io.StringIO("text"),
                           "bytesio": io.BytesIO(b"bytes"), "none": None}[kind]
            return sock.sendfile(source, offset, count)
    if method == "bind" and sock.family != socket.AF_INET:
        return sock.bind(args[0])
    result = getattr(sock, method)(*args)
    if method == "dup":
        result.close()
        return "dup"
    if method == "makefile":
        result.close()
        return "file"
    if method == "detach" and result >= 0:
        os.close(result)
        return "detached"
    if method in ("fileno", "getsockname", "getpeername", "recvfrom", "recvfrom_into"):
        return type(result).__name__  # numbers and addresses differ between the two
    return result


@FUZZ
@given(state=st.sampled_from(STATES), data=st.data(),
       method=st.sampled_from(sorted(METHOD_ARGS)))
def test_socket_methods(state: str, method: str, data: st.DataObject) -> None:
    args = data.draw(METHOD_ARGS[method], label="args")
    if method in ("bind", "connect_ex") and state in ("unix",):
        return  # AF_UNIX paths: tests/test_socket_properties.py fuzzes those in a tmp dir
    if method == "bind" and args and isinstance(args[0], tuple) and len(args[0]) == 2 \
            and isinstance(args[0][1], int) and not isinstance(args[0][1], bool) \
            and args[0][1] != 0 and 0 < args[0][1] < 65536:
        args = ((args[0][0], 0),)  # never bind a fixed port another test may hold

    def make(mod: ModuleType) -> Callable[[], Any]:
        def run() -> Any:
            with socket_in(mod, state) as s:
                return call_method(s, method, args)
        return run

    same(f"Socket.{method}", make, detail=(state, args))


# ============================================================ datagram batches
# sendmmsg and recvmmsg: csock's own (socket has neither), so no comparison:
# any input ends in a result or one of these, never in a crash.
BATCH_ERRORS = (TypeError, ValueError, OverflowError, OSError, BufferError)
DEST = object()  # the receiving socket's address, filled in per state


def _not_a_path(value: Any) -> bool:
    """No str or bytes-like value: an AF_UNIX socket would take it for a path in cwd."""
    if isinstance(value, str):
        return False
    try:
        memoryview(value).release()
    except TypeError:
        return True
    return False


batch_addresses = st.one_of(st.just(DEST), st.tuples(st.just("127.0.0.1"), anything),
                            anything.filter(_not_a_path))
batch_items = st.one_of(buffers, st.tuples(buffers, batch_addresses),
                        st.lists(anything, max_size=3).map(tuple), anything)
BATCH_ARGS: dict[str, st.SearchStrategy[tuple[Any, ...]]] = {
    "sendmmsg": st.one_of(st.tuples(st.lists(batch_items, max_size=5)),
                          st.tuples(st.lists(batch_items, max_size=5), flag_values),
                          st.tuples(anything)),
    "recvmmsg": st.one_of(st.tuples(sizes, sizes), st.tuples(sizes, sizes, flag_values),
                          st.tuples(anything, anything)),
}


@FUZZ
@given(state=st.sampled_from(["unix", "udp", "closed"]), data=st.data(),
       method=st.sampled_from(sorted(BATCH_ARGS)))
def test_batch_methods_never_crash(state: str, method: str, data: st.DataObject) -> None:
    args = data.draw(BATCH_ARGS[method], label="args")
    COUNTS[f"Socket.{method}"] += 1
    family = csock.AF_UNIX if state == "unix" else csock.AF_INET
    if state == "unix":
        a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    else:
        a, b = csock.socket(family, csock.SOCK_DGRAM), csock.socket(family, csock.SOCK_DGRAM)
        b.bind(("127.0.0.1", 0))
    with a, b:
        b.sendto(b"queued", b.getsockname()) if state != "unix" else a.send(b"queued")
        dest = b.getsockname() if state != "unix" else None

        def fill(value: Any) -> Any:  # DEST is the receiver; AF_UNIX pairs have none
            if value is DEST:
                return dest if dest is not None else b"\0csock-fuzz-absent"
            if isinstance(value, tuple):
                return tuple(fill(v) for v in value)
            if isinstance(value, list):
                return [fill(v) for v in value]
            return value

        args = fill(args)
        sock = a if method == "sendmmsg" else b
        sock.settimeout(0.0)
        if state == "closed":
            sock.close()
        with contextlib.suppress(*BATCH_ERRORS):
            result = getattr(sock, method)(*args)
            if method == "sendmmsg":
                assert isinstance(result, int) and 0 <= result
            else:
                assert isinstance(result, list) and all(len(item) == 3 for item in result)


# =================================================================== AF_UNIX
@FUZZ
@given(path=st.one_of(st.sampled_from(["short", "max-1", "max", "max+1", "abstract-max",
                                       "abstract-over", "nul", "empty", "nonutf8"]),
                      st.integers(0, 300)),
       method=st.sampled_from(["bind", "connect", "connect_ex", "sendto"]),
       as_bytes=st.booleans())
def test_unix_path_lengths(path: Any, method: str, as_bytes: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="cf", dir="/tmp") as d:
        base = os.path.join(d, "")
        room = 108 - len(base)
        named = {"short": base + "s", "max-1": base + "m" * (room - 2),
                 "max": base + "m" * (room - 1), "max+1": base + "m" * room,
                 "abstract-max": "\0" + "a" * 107, "abstract-over": "\0" + "a" * 108,
                 "nul": base + "n\0tail", "empty": "", "nonutf8": base + "\udcff"}
        address: Any = named[path] if isinstance(path, str) else base + "p" * path
        if as_bytes:
            address = os.fsencode(address)
        kind = socket.SOCK_DGRAM if method == "sendto" else socket.SOCK_STREAM

        def make(mod: ModuleType) -> Callable[[], Any]:
            def run() -> Any:
                with mod.socket(mod.AF_UNIX, kind) as s:
                    try:
                        if method == "sendto":
                            return s.sendto(b"x", address)
                        return getattr(s, method)(address)
                    finally:
                        for entry in os.listdir(d):
                            os.unlink(os.path.join(d, entry))
            return run

        same(f"AF_UNIX.{method}", make)


# ============================================================ the stress run
@pytest.mark.stress
@pytest.mark.timeout(3600)
def test_stress_profile_in_a_subprocess(tmp_path: Any) -> None:
    """The stress profile in a child: a crash is a failure here, not the end of pytest."""
    counts = tmp_path / "counts.json"
    env = dict(os.environ, CSOCK_HYPOTHESIS_PROFILE="stress", CSOCK_FUZZ_COUNTS=str(counts))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not stress",
         __file__], env=env, capture_output=True, text=True, timeout=3500,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-5000:], proc.stderr[-2000:])
    total = sum(json.loads(counts.read_text()).values())
    assert total >= 10_000, total
