"""Bad input never crashes: every public function and Socket method of csock,
fuzzed with Hypothesis, raises the exception class ``socket`` raises for the
same input (or succeeds as ``socket`` does). IPv6 hosts with a scope
("::1%1", "fe80::1%lo", "::1%99999999999"...) go to every address-taking call
(bind, connect, connect_ex, sendto, sendmsg, create_connection, create_server,
getaddrinfo, getnameinfo, gethostbyname) on AF_INET, AF_INET6 and AF_UNIX
sockets, compared exactly (results, and the errno of every OSError).
sendmmsg and recvmmsg, which ``socket`` lacks, must end in a result or an
ordinary exception.

Profiles (conftest.py): ``ci`` (default, CI_EXAMPLES examples per test,
derandomized: the same examples every run, no example database) and
``stress`` (``CSOCK_HYPOTHESIS_PROFILE=stress``: STRESS_EXAMPLES per test,
new ones every run, over 10,000 in all). ``pytest -m stress tests/test_fuzz.py``
runs the stress profile in a child process, so that a crash of the interpreter
shows as a failed test with the child's exit status instead of killing pytest.
``CSOCK_FUZZ_COUNTS=path`` makes the file write how many examples each test
tried (bench/stress.py reads it).

No name lookups. Hosts are drawn from fixed lists of numeric addresses (IPv6
literals with any scope text: getaddrinfo reads a scope as an interface number
or name, never looks it up), "localhost" (AF_INET: /etc/hosts has it) and
strings that fail before any lookup (a NUL, a label IDNA refuses), or are not
strings at all; hosts getaddrinfo would look up get AI_NUMERICHOST, and
getnameinfo always NI_NUMERICHOST. On top of that the guard of
tests/_support.py (fixture no_lookups) is on for every test: csock's calls to
C's getaddrinfo and getnameinfo, from every csock module (so from
``_address._resolve`` as from ``getaddrinfo``), and socket's resolving
functions and address-taking methods are checked before they run, and one
that would ask a resolver raises LookupAttempted, which fails the test.
Connections and datagrams go only to 127.0.0.1 and ::1, on ports of this
process (own_ports) or port 0.
"""

from __future__ import annotations

import array
import ast
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
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from _support import (
    LOCALHOST_FAMILIES,
    PROFILE,
    Index,
    LookupAttempted,
    gethostbyname_ex_safe,
    ipv6_loopback_available,
    resolved_without_lookup,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csock
import csock.c as c
from csock import _address
from csock._csock import ffi, lib

CI_EXAMPLES = 120
STRESS_EXAMPLES = 1_200
EXAMPLES = STRESS_EXAMPLES if PROFILE == "stress" else CI_EXAMPLES
# The profile (conftest.py) gives determinism: derandomized and no database in
# "ci", random in "stress". Only the count and the health checks differ here.
FUZZ = settings(settings.get_profile(PROFILE), max_examples=EXAMPLES,
                suppress_health_check=list(HealthCheck))
pytestmark = [pytest.mark.usefixtures("no_lookups")]
if PROFILE == "stress":
    pytestmark.append(pytest.mark.timeout(0))

COUNTS: collections.Counter[str] = collections.Counter()


@pytest.fixture(autouse=True, scope="module")
def _write_counts() -> Iterator[None]:
    yield
    path = os.environ.get("CSOCK_FUZZ_COUNTS")
    if path:
        with open(path, "w") as f:
            json.dump(dict(COUNTS), f)


# ============================================================ the lookup guard
# The guard (tests/_support.py, fixture no_lookups in conftest.py) is on for
# every test of this file.
def test_guard_catches_a_lookup() -> None:
    """Every path by which csock or socket hands a host to a resolver is guarded."""
    name = "name.invalid"
    out = ffi.new("struct in6_addr *")
    attempts: list[Callable[[], Any]] = [
        lambda: _address._resolve(name.encode(), lib.AF_INET6, out),
        lambda: _address._resolve(b"%1", lib.AF_INET6, out),  # not a scoped literal
        lambda: _address._resolve(b"127.0.0.1%1", lib.AF_INET, out),
        lambda: c.getaddrinfo(name.encode(), ffi.NULL, ffi.NULL, ffi.new("struct addrinfo **")),
    ]
    for mod in (csock, socket):
        attempts += [
            lambda m=mod: m.getaddrinfo(name, 80),
            lambda m=mod: m.getaddrinfo("", 80),
            lambda m=mod: m.getaddrinfo("%1", None, m.AF_INET6),
            lambda m=mod: m.getnameinfo(("127.0.0.1", 80), 0),  # a reverse lookup
            lambda m=mod: m.gethostbyname(name),
            lambda m=mod: m.gethostbyname_ex(name),
            lambda m=mod: m.gethostbyaddr("127.0.0.1"),
            lambda m=mod: m.create_connection((name, 9), timeout=1),
            lambda m=mod: m.create_server((name, 0)),
            lambda m=mod: m.create_server(("%lo", 0), family=m.AF_INET6),
        ]
        for family, kind in [(mod.AF_INET, mod.SOCK_DGRAM), (mod.AF_INET6, mod.SOCK_DGRAM),
                             (mod.AF_INET6, mod.SOCK_STREAM)]:
            host = "%1" if family == mod.AF_INET6 else name
            for method, args in [("bind", ((host, 0),)), ("connect", ((host, 9),)),
                                 ("connect_ex", ((host, 9),)),
                                 ("sendto", (b"x", (host, 9))),
                                 ("sendto", (b"x", 0, (host, 9))),
                                 ("sendmsg", ([b"x"], [], 0, (host, 9)))]:
                attempts.append(lambda m=mod, f=family, k=kind, meth=method, a=args:
                                _on_socket(m, f, k, meth, a))
    for attempt in attempts:
        with pytest.raises(LookupAttempted):
            attempt()
    if socket.AF_INET in LOCALHOST_FAMILIES:
        assert csock.getaddrinfo("localhost", 80, csock.AF_INET)
    assert csock.getaddrinfo("127.1", 80)  # numeric: allowed
    for mod in (csock, socket):  # a scope is a number or an interface, never a name to look up
        assert mod.getaddrinfo("::1%1", 80, mod.AF_INET6)[0][4][3] == 1
        with pytest.raises(mod.gaierror):
            mod.getaddrinfo("::1%no-such-if", 80, mod.AF_INET6)


def test_guard_covers_every_resolver_call_in_csock() -> None:
    """csock reaches C's getaddrinfo/getnameinfo only by the names the guard replaces.

    That is ``lib.<function>`` with the module's own ``lib`` (never an alias or
    a function imported from it), or csock.c's exported copy (``c.<function>``).
    """
    calls = 0
    for path in sorted(Path(csock.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("csock._csock",
                                                                     "csock._csock.lib"):
                for alias in node.names:
                    assert node.module == "csock._csock" and alias.asname is None, \
                        (path.name, ast.unparse(node))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("getaddrinfo", "getnameinfo"):
                owner = node.func.value
                assert isinstance(owner, ast.Name) and owner.id in ("lib", "c"), \
                    (path.name, node.lineno, ast.unparse(node.func))
                calls += 1
    assert calls >= 4  # _address._resolve, getaddrinfo, getnameinfo, gethostbyaddr


def _on_socket(mod: ModuleType, family: int, kind: int, method: str,
               args: tuple[Any, ...]) -> Any:
    with mod.socket(family, kind) as s:
        s.settimeout(1)
        return getattr(s, method)(*args)


def test_ci_profile_is_deterministic() -> None:
    """CI's fuzzing tries the same examples every run, with no database to replay."""
    if PROFILE != "ci":
        pytest.skip("the stress profile is random on purpose")
    assert settings.default.derandomize and settings.default.database is None
    assert FUZZ.derandomize and FUZZ.database is None
    seen: list[list[int]] = [[], []]
    for drawn in seen:
        _recorder(drawn)()
    assert seen[0] == seen[1] and len(set(seen[0])) > 10


def _recorder(drawn: list[int]) -> Callable[[], None]:
    """A fuzzed function that records what it is given (the same each time under "ci")."""
    @FUZZ
    @given(x=st.integers())
    def draw(x: int) -> None:
        drawn.append(x)

    return draw


@pytest.mark.skipif(os.environ.get("CSOCK_PRIVATE_NETNS") != "1",
                    reason="only under .ci/run, which sets CSOCK_PRIVATE_NETNS=1 there")
def test_private_network_namespace() -> None:
    """.ci/run says the tests run in a namespace holding only lo: they do."""
    assert [name for _, name in socket.if_nameindex()] == ["lo"]


# ================================================================= comparison
def outcome(func: Callable[..., Any], *args: Any, strict: bool = False) -> tuple[str, Any]:
    """("ok", a comparable form of the result) or ("raise", the exception's class).

    ``strict``: the whole result, and the errno of every OSError (a gaierror's
    EAI_* code too).
    """
    try:
        result = func(*args)
    except Exception as exc:  # (LookupAttempted is not an Exception: it fails the test)
        name = type(exc).__name__
        if isinstance(exc, OSError) and exc.errno is not None and (
                strict or type(exc) is OSError):  # a bare OSError: say which
            name += f"[{exc.errno}]"
        return ("raise", name)
    return ("ok", exact(result) if strict else comparable(result))


def comparable(value: Any) -> Any:
    if isinstance(value, (bytes, str, bool, int, float, type(None))):
        return value
    if isinstance(value, (tuple, list)):
        return type(value).__name__, len(value)
    return type(value).__name__


def exact(value: Any) -> Any:
    """value with enums as plain ints (csock's and socket's IntEnums differ in class)."""
    if isinstance(value, bool) or value is None or isinstance(value, (bytes, str, float)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [exact(v) for v in value]
    return type(value).__name__


def same(func_name: str, make: Callable[[ModuleType], Callable[..., Any]], *args: Any,
         detail: Any = None, strict: bool = False) -> None:
    """csock's and socket's outcomes for ``make(mod)(*args)`` are the same."""
    COUNTS[func_name] += 1
    ours = outcome(make(csock), *args, strict=strict)
    theirs = outcome(make(socket), *args, strict=strict)
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
    if ex and isinstance(host, (str, bytes, bytearray)) and not gethostbyname_ex_safe(host):
        return  # socket's gethostbyname_ex would look it up (gethostbyname_r)
    name = "gethostbyname_ex" if ex else "gethostbyname"
    same(name, lambda m: getattr(m, name), host)


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
def test_socket_methods(own_ports: dict[str, int], state: str, method: str,
                        data: st.DataObject) -> None:
    args = data.draw(METHOD_ARGS[method], label="args")
    if method in ("bind", "connect_ex") and state in ("unix",):
        return  # AF_UNIX paths: tests/test_socket_properties.py fuzzes those in a tmp dir
    if method == "bind" and args and isinstance(args[0], tuple) and len(args[0]) == 2 \
            and isinstance(args[0][1], int) and not isinstance(args[0][1], bool) \
            and args[0][1] != 0 and 0 < args[0][1] < 65536:
        args = ((args[0][0], 0),)  # never bind a fixed port another test may hold
    if method in ("connect_ex", "sendto") and args:
        # Reach no one else's port: a real port number becomes our held one.
        args = (*args[:-1], to_own_port(args[-1], own_ports["held"]))

    def make(mod: ModuleType) -> Callable[[], Any]:
        def run() -> Any:
            with socket_in(mod, state) as s:
                return call_method(s, method, args)
        return run

    same(f"Socket.{method}", make, detail=(state, args))


def to_own_port(address: Any, port: int) -> Any:
    """``address`` with a port of 1-65535 (as C int conversion reads it) made ``port``."""
    if not isinstance(address, tuple) or len(address) != 2:
        return address
    value = address[1].value if isinstance(address[1], Index) else address[1]
    if isinstance(value, int) and 0 < value < 65536:  # (True is port 1)
        return (address[0], Index(port) if isinstance(address[1], Index) else port)
    return address


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


# ======================================== IPv6 scopes, every address-taking call
# CPython hands a host with "%scope" to getaddrinfo (inet_pton knows no scopes),
# as csock's _address._resolve does once inet_pton refuses it. Every host below
# but RESOLVER_ONLY is decided by getaddrinfo without a resolver (an IPv6
# literal with any scope text, a numeric IPv4 form, "", "<broadcast>"): see
# _support.resolved_without_lookup. Connections and datagrams go only to
# 127.0.0.1 or ::1, on a port of our own (held: bound, not listening, so TCP
# is refused; or listening) or port 0: DESTINATIONS are loopback or fail.
# The link-local and other hosts of BIND_ONLY are only bound or converted.
DESTINATIONS = [
    "::1%1", "::1%lo", "::1%0", "::1%4294967295", "::1%4294967296", "::1%99999999999",
    "::1%", "::1%%1", "::1%1%1", "::1%-1", "::1% 1", "::1%1 ", "::1%0x1", "::1%no-such-if",
    "::1%" + "9" * 40, "0:0:0:0:0:0:0:1%1", "::ffff:127.0.0.1%1", "::ffff:127.0.0.1%lo",
    "::ffff:127.0.0.1", "::1", "::", "127.0.0.1", "127.1", "0x7f.1", "0.0.0.0", "",
    "::1%1\0evil.invalid",
]
BIND_ONLY = ["fe80::1%1", "fe80::1%lo", "fe80::1", "fe80::1%0", "fe80::1%4294967295",
             "fe80::1%99999999999", "fe80::1%", "fe80::1%no-such-if", "ff02::1%1",
             "::%1", "<broadcast>", "255.255.255.255"]
# Only with AI_NUMERICHOST (getaddrinfo) or where socket adds it (getnameinfo):
# anywhere else both modules would ask a resolver about them.
RESOLVER_ONLY = ["%1", "%lo", "%", "127.0.0.1%1", "[::1]", "[::1%1]", "localhost%1",
                 "::1%\u00e9", "fe80::1%\u00e9", "1%1", "::1%1.x"]


class OwnPort:
    """A port of the own_ports fixture, named in the strategies (drawn before it exists)."""

    def __init__(self, name: str, form: str = "int") -> None:
        self.name, self.form = name, form

    def __repr__(self) -> str:
        return f"OwnPort({self.name!r}, {self.form!r})"

    def value(self, ports: dict[str, int]) -> Any:
        number = ports[self.name]
        return {"int": number, "text": str(number), "index": Index(number)}[self.form]


HELD, LISTENING = OwnPort("held"), OwnPort("listening")
SOCKADDR_PORTS = [HELD, LISTENING, 0, OwnPort("held", "index"), -1, 65536, 2**31, 2**64,
                  None, "80", b"80", 1.5, False]  # (not True: that is port 1, not ours)
# getaddrinfo reads a port as a service: text and other numbers are ports too.
# Those that could name someone else's port (-1 is 65535 to some libcs) are left out.
SERVICE_PORTS = [HELD, LISTENING, OwnPort("held", "text"), OwnPort("listening", "text"),
                 OwnPort("held", "index"), 0, None, "nope", b"nope", "", 2**64, 1.5, True]
FLOWINFOS = [0, 1, 0xFFFFF, 0x100000, -1, 2**32, 2**32 + 1, 2**64, Index(1), True, "0", None]
SCOPE_IDS = [0, 1, 2, 2**32 - 1, 2**32, 2**32 + 1, -1, 99999999999, 2**64, Index(1), True,
             "1", None, 1.0]


def with_ports(value: Any, ports: dict[str, int]) -> Any:
    if isinstance(value, OwnPort):
        return value.value(ports)
    if isinstance(value, tuple):
        return tuple(with_ports(v, ports) for v in value)
    return value


def host_forms(hosts: list[str]) -> st.SearchStrategy[Any]:
    """A host as str, bytes or bytearray (what CPython's idna_converter takes)."""
    texts = st.sampled_from(hosts)
    ascii_texts = st.sampled_from([h for h in hosts if h.isascii()])
    return st.one_of(texts, texts, ascii_texts.map(str.encode),
                     ascii_texts.map(lambda h: bytearray(h.encode())))


def scoped_addresses(hosts: list[str], ports: list[Any],
                     good_ports: tuple[Any, ...] = (HELD, LISTENING, 0)) -> st.SearchStrategy[Any]:
    """Address tuples with these hosts: mostly well formed, so that the host is
    converted and used, and every wrong shape and value too."""
    host = host_forms(hosts)
    good_port, port = st.sampled_from(good_ports), st.sampled_from(ports)
    flowinfo = st.one_of(st.just(0), st.sampled_from(FLOWINFOS))
    scope_id = st.one_of(st.sampled_from([0, 1]), st.sampled_from(SCOPE_IDS))
    shapes: dict[str, st.SearchStrategy[Any]] = {
        "pair": st.tuples(host, good_port),
        "quad": st.tuples(host, good_port, st.just(0), scope_id),
        "any pair": st.tuples(host, port), "triple": st.tuples(host, port, flowinfo),
        "any quad": st.tuples(host, port, flowinfo, scope_id),
        "five": st.tuples(host, good_port, flowinfo, scope_id, st.just(0)),
        "one": st.tuples(host),
        "bare": host,  # not a tuple (AF_UNIX: a path in a temporary directory)
    }
    # sampled_from is uniform: the well-formed shapes are listed more often.
    return st.sampled_from(["pair"] * 6 + ["quad"] * 6 + sorted(shapes)).flatmap(
        shapes.__getitem__)


@pytest.fixture(scope="module")
def own_ports() -> Iterator[dict[str, int]]:
    """Ports of this process on 127.0.0.1 and ::1, TCP and UDP.

    "held": bound, not listening (a TCP connect is refused); "listening": TCP
    listens (drain() accepts and closes what connected). Datagrams to either
    land in a socket of ours.
    """
    families = [(socket.AF_INET, "127.0.0.1")]
    if _has_ipv6():
        families.append((socket.AF_INET6, "::1"))
    held: list[socket.socket] = []
    ports: dict[str, int] = {}
    for name in ("held", "listening"):
        for _ in range(100):  # a port free on both addresses, TCP and UDP
            group: list[socket.socket] = []
            try:
                port = 0
                for family, host in families:
                    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                        s = socket.socket(family, kind)
                        group.append(s)
                        s.bind((host, port))
                        port = s.getsockname()[1]
                break
            except OSError:
                for s in group:
                    s.close()
        else:
            pytest.fail("no port free on 127.0.0.1 and ::1")
        for s in group:
            if name == "listening" and s.type == socket.SOCK_STREAM:
                s.listen(128)
            s.setblocking(False)
        held += group
        ports[name] = port
    LISTENERS[:] = [s for s in held if s.type == socket.SOCK_STREAM
                    and s.getsockname()[1] == ports["listening"]]
    try:
        yield ports
    finally:
        LISTENERS.clear()
        for s in held:
            s.close()


LISTENERS: list[socket.socket] = []


def drain() -> None:
    """Accept and close every connection waiting on the listening port."""
    for listener in LISTENERS:
        while True:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                break
            conn.close()


def _has_ipv6() -> bool:
    return ipv6_loopback_available()


def shape(address: Any, ports: dict[str, int], directory: str) -> Any:
    """An address a call returned, without what differs between two runs."""
    if isinstance(address, tuple) and len(address) >= 2 and isinstance(address[1], int):
        names = {number: name for name, number in ports.items()}
        return (address[0], names.get(address[1], "another port"), *address[2:])
    if isinstance(address, str) and directory:
        return address.replace(directory, "<dir>")
    if isinstance(address, bytes) and directory:
        return address.replace(os.fsencode(directory), b"<dir>")
    return address


SOCKET_KINDS = [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_DGRAM),
                (socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_UNIX, socket.SOCK_DGRAM)]
ADDRESS_METHODS = ["bind", "connect", "connect_ex", "sendto", "sendto+flags", "sendmsg"]


@pytest.mark.parametrize("method", ADDRESS_METHODS)
@FUZZ
@given(where=st.sampled_from(SOCKET_KINDS), data=st.data())
def test_scoped_addresses(own_ports: dict[str, int], where: tuple[int, int], method: str,
                          data: st.DataObject) -> None:
    family, kind = where
    hosts = DESTINATIONS + BIND_ONLY if method == "bind" else DESTINATIONS
    address = with_ports(data.draw(scoped_addresses(hosts, SOCKADDR_PORTS), label="address"),
                         own_ports)
    with tempfile.TemporaryDirectory(prefix="cs", dir="/tmp") as d:
        if family == socket.AF_UNIX and isinstance(address, (str, bytes, bytearray)):
            # A host string as an AF_UNIX path: inside the temporary directory.
            address = os.path.join(d, address) if isinstance(address, str) \
                else os.path.join(os.fsencode(d), bytes(address))

        def make(mod: ModuleType) -> Callable[[], Any]:
            def run() -> Any:
                try:
                    with mod.socket(family, kind) as s:
                        s.settimeout(5)  # loopback answers at once; never hang
                        return call(s)
                finally:
                    drain()
                    for entry in os.listdir(d):
                        os.unlink(os.path.join(d, entry))
            return run

        def call(s: Any) -> Any:
            if method == "bind":
                s.bind(address)
                return shape(s.getsockname(), own_ports, d)
            if method == "connect":
                s.connect(address)
                return shape(s.getpeername(), own_ports, d)
            if method == "connect_ex":
                return s.connect_ex(address)
            if method == "sendto":
                return s.sendto(b"x", address)
            if method == "sendto+flags":
                return s.sendto(b"x", 0, address)
            return s.sendmsg([b"x"], [], 0, address)

        same(f"scoped.{method}", make, detail=(family, kind, address), strict=True)


@FUZZ
@given(data=st.data(), all_errors=st.booleans(),
       source=st.one_of(st.none(), st.tuples(host_forms(DESTINATIONS + BIND_ONLY),
                                             st.sampled_from([0, HELD]))))
def test_scoped_create_connection(own_ports: dict[str, int], data: st.DataObject,
                                  all_errors: bool, source: Any) -> None:
    # getaddrinfo looks "" up: not a host here. None is "the loopback addresses".
    hosts = [h for h in DESTINATIONS if h] + (
        ["localhost"] if socket.AF_UNSPEC in LOCALHOST_FAMILIES else [])
    pair = st.tuples(st.one_of(host_forms(hosts), st.none()), st.sampled_from(SERVICE_PORTS))
    address = data.draw(st.sampled_from([pair] * 3 + [scoped_addresses(hosts, SERVICE_PORTS)])
                        .flatmap(lambda strategy: strategy), label="address")
    address, source = with_ports(address, own_ports), with_ports(source, own_ports)

    def make(mod: ModuleType) -> Callable[[], Any]:
        def run() -> Any:
            try:
                with mod.create_connection(address, 5, source, all_errors=all_errors) as s:
                    return s.family, shape(s.getpeername(), own_ports, "")
            finally:
                drain()
        return run

    same("scoped.create_connection", make, detail=(address, source, all_errors), strict=True)


@FUZZ
@given(data=st.data(), family=st.sampled_from([socket.AF_INET, socket.AF_INET6]),
       backlog=st.sampled_from([None, 0, 5, -1]), reuse_port=st.booleans(),
       dualstack=st.booleans())
def test_scoped_create_server(own_ports: dict[str, int], data: st.DataObject, family: int,
                              backlog: int | None, reuse_port: bool, dualstack: bool) -> None:
    address = with_ports(data.draw(scoped_addresses(
        DESTINATIONS + BIND_ONLY, [0, HELD, -1, 65536, None, "80"]), label="address"),
        own_ports)

    def make(mod: ModuleType) -> Callable[[], Any]:
        def run() -> Any:
            with mod.create_server(address, family=family, backlog=backlog,
                                   reuse_port=reuse_port, dualstack_ipv6=dualstack) as s:
                return s.family, shape(s.getsockname(), own_ports, "")
        return run

    same("scoped.create_server", make, detail=(address, family, backlog, dualstack),
         strict=True)


GAI_FLAGS = [0, socket.AI_PASSIVE, socket.AI_CANONNAME, socket.AI_V4MAPPED,
             socket.AI_V4MAPPED | socket.AI_ALL, socket.AI_ADDRCONFIG, socket.AI_NUMERICSERV]


@FUZZ
@given(host=host_forms(DESTINATIONS + BIND_ONLY + RESOLVER_ONLY),
       port=st.sampled_from(SERVICE_PORTS + [80, "80", -1, 65535, 65536]),
       family=st.sampled_from([0, socket.AF_INET, socket.AF_INET6, socket.AF_UNIX]),
       kind=st.sampled_from([0, socket.SOCK_STREAM, socket.SOCK_DGRAM]),
       flags=st.sampled_from(GAI_FLAGS), numeric=st.booleans())
def test_scoped_getaddrinfo(own_ports: dict[str, int], host: Any, port: Any, family: int,
                            kind: int, flags: int, numeric: bool) -> None:
    try:  # socket and csock: every str through IDNA (a failure ends the call)
        name = host.encode("idna") if isinstance(host, str) else bytes(host)
    except UnicodeError:
        name = b"127.0.0.1"
    if numeric or not resolved_without_lookup(name, family):
        flags |= socket.AI_NUMERICHOST  # else a lookup, in both modules
    port = with_ports(port, own_ports)
    same("scoped.getaddrinfo", lambda m: m.getaddrinfo, host, port, family, kind, 0, flags,
         strict=True)


@FUZZ
@given(address=scoped_addresses(DESTINATIONS + BIND_ONLY + RESOLVER_ONLY,
                                [0, 80, 65535, 65536, -1, 2**31, None, "80", Index(80)],
                                (0, 80, 65535)),
       flags=st.sampled_from([0, socket.NI_NUMERICSERV, socket.NI_DGRAM, socket.NI_NAMEREQD,
                              socket.NI_NOFQDN]))
def test_scoped_getnameinfo(address: Any, flags: int) -> None:
    # NI_NUMERICHOST: socket's getnameinfo parses the host with AI_NUMERICHOST
    # itself; the flag keeps the reverse lookup of the result away.
    same("scoped.getnameinfo", lambda m: m.getnameinfo, address,
         flags | socket.NI_NUMERICHOST, strict=True)


@FUZZ
@given(host=host_forms(DESTINATIONS + BIND_ONLY))
def test_scoped_gethostbyname(host: Any) -> None:
    same("scoped.gethostbyname", lambda m: m.gethostbyname, host, strict=True)


# A difference the fuzz found (fixed in csock/_address.py): CPython's setipaddr
# takes "255.255.255.255" as it takes "<broadcast>", so for an AF_INET6 socket
# both are OSError("address family mismatched"); csock used to hand it to
# getaddrinfo (gaierror EAI_ADDRFAMILY).


@pytest.mark.parametrize("call", ["bind", "connect", "sendto", "create_server"])
@pytest.mark.parametrize("host", ["255.255.255.255", b"255.255.255.255"], ids=["str", "bytes"])
def test_broadcast_text_on_inet6(call: str, host: Any) -> None:
    def make(mod: ModuleType) -> Callable[[], Any]:
        def run() -> Any:
            if call == "create_server":
                with mod.create_server((host, 0), family=mod.AF_INET6):
                    return "server"
            with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as s:
                if call == "sendto":
                    return s.sendto(b"x", (host, 9))
                return getattr(s, call)((host, 9 if call == "connect" else 0))
        return run

    same("broadcast on AF_INET6", make, strict=True)


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
