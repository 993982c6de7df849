"""Helpers shared by the tests that run one body against socket and csock."""

from __future__ import annotations

import _socket
import operator
import os
import socket
import sys
from typing import Any

import pytest

import csock
from csock._csock import ffi
from csock._csock import lib as real_lib

# The Hypothesis profile (registered in conftest.py): "ci" or "stress".
PROFILE = os.environ.get("CSOCK_HYPOTHESIS_PROFILE", "ci")

# The two implementations the mirrored tests run against.
MODS = [pytest.param(socket, id="socket"), pytest.param(csock, id="csock")]


class Index:
    """An int through __index__ (as numpy integers are)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"


# ============================================================ the lookup guard
# Fuzz and property tests compare csock with socket on generated hosts. Neither
# may ever ask a resolver (DNS, or NSS beyond /etc/hosts): the guard sits where
# a host string reaches C's getaddrinfo/getnameinfo inside csock (every csock
# module's `lib`), and in front of the stdlib functions and methods whose C code
# resolves names. A call that would look a name up raises LookupAttempted first.
class LookupAttempted(BaseException):  # noqa: N818 - not an Exception: never swallowed
    """A name was about to reach a resolver."""


def _hosts_file_families() -> frozenset[int]:
    """The families /etc/hosts gives "localhost" (AF_UNSPEC when any)."""
    found: set[int] = set()
    try:
        with open("/etc/hosts", encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return frozenset()
    for line in lines:
        fields = line.split("#", 1)[0].split()
        if len(fields) > 1 and "localhost" in (n.lower() for n in fields[1:]):
            found.add(socket.AF_INET6 if ":" in fields[0] else socket.AF_INET)
    if found:
        found.add(socket.AF_UNSPEC)
    return frozenset(found)


# getaddrinfo answers "localhost" from /etc/hosts only for these families;
# for another one it asks DNS (on a machine whose /etc/hosts has no ::1 line,
# AF_INET6 "localhost" is a DNS query).
LOCALHOST_FAMILIES = _hosts_file_families()


def resolved_without_lookup(name: bytes, family: int) -> bool:
    """Whether glibc's getaddrinfo(name, family), without AI_NUMERICHOST, asks no resolver.

    It decides by itself for an unknown family (EAI_FAMILY), a numeric IPv4 form
    (inet_aton's, "127.1" too) and an IPv6 literal with or without "%scope":
    the scope is an interface name or number, found with if_nametoindex or
    strtoul, never DNS ("::1%lo" and "::1%99999999999" are EAI_NONAME without
    a lookup). Anything else ("%1", "", "[::1]", "127.0.0.1%1") goes to NSS.
    """
    name = name.split(b"\0", 1)[0]  # what C sees
    if family not in (socket.AF_UNSPEC, socket.AF_INET, socket.AF_INET6):
        return True
    if name == b"localhost":
        return family in LOCALHOST_FAMILIES
    # _socket: the C functions, not the module attributes the guard replaces.
    try:
        _socket.getaddrinfo(name, None, socket.AF_INET, 0, 0, socket.AI_NUMERICHOST)
        return True
    except OSError:
        pass
    try:
        _socket.inet_pton(socket.AF_INET6, name.split(b"%", 1)[0].decode("latin-1"))
        return True
    except (OSError, ValueError):
        return False


def check_getaddrinfo(name: bytes | None, family: int, flags: int) -> None:
    """Raise LookupAttempted unless getaddrinfo(name, ..., family, flags) asks no resolver."""
    if name is None or flags & socket.AI_NUMERICHOST:
        return
    if not resolved_without_lookup(name, family):
        raise LookupAttempted(name, family)


class GuardedLib:
    """csock's compiled lib, with getaddrinfo and getnameinfo checked before they run."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def getaddrinfo(self, node: Any, service: Any, hints: Any, res: Any) -> int:
        if node is not None and node != ffi.NULL:
            name = node if isinstance(node, bytes) else ffi.string(node)
            has_hints = hints is not None and hints != ffi.NULL
            check_getaddrinfo(name, hints.ai_family if has_hints else 0,
                              hints.ai_flags if has_hints else 0)
        return int(self._real.getaddrinfo(node, service, hints, res))

    def getnameinfo(self, sa: Any, salen: Any, host: Any, hostlen: Any, serv: Any,
                    servlen: Any, flags: int) -> int:
        if host != ffi.NULL and hostlen and not flags & socket.NI_NUMERICHOST:
            raise LookupAttempted("reverse lookup (getnameinfo without NI_NUMERICHOST)")
        return int(self._real.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags))


def guard_csock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every csock module's lib (and csock.c's resolver functions) behind the guard.

    Module globals, not the cffi lib (its functions cannot be replaced): each
    csock module calls lib.getaddrinfo through its own ``lib`` name.
    """
    guarded = GuardedLib(real_lib)
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "csock" or module is None or module is real_lib:
            continue
        if getattr(module, "lib", None) is real_lib:
            monkeypatch.setattr(module, "lib", guarded)
        for func in ("getaddrinfo", "getnameinfo"):  # csock.c exports lib's own
            if getattr(module, func, None) is getattr(real_lib, func):
                monkeypatch.setattr(module, func, getattr(guarded, func))


# ------------------------------------------------- the stdlib side of the guard
def _c_int(value: object) -> int | None:
    """value as CPython's "i" format takes it, or None when it is refused (before any lookup)."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None
    return number if -2**31 <= number < 2**31 else None


def _sockaddr_host(host: object) -> bytes | None:
    """A host item of an address tuple as CPython's idna_converter hands it to C.

    None when the conversion fails (a TypeError before any lookup).
    """
    if isinstance(host, (bytes, bytearray)):
        encoded = bytes(host)
    elif isinstance(host, str):
        try:
            encoded = host.encode("ascii") if host.isascii() else host.encode("idna")
        except UnicodeError:
            return None
    else:
        return None
    return None if b"\0" in encoded else encoded


def check_sockaddr(family: int, address: object) -> None:
    """Raise LookupAttempted if socket's setipaddr would look the address's host up."""
    if family not in (socket.AF_INET, socket.AF_INET6):
        return
    if not isinstance(address, tuple) or not address:
        return
    name = _sockaddr_host(address[0])
    # setipaddr answers "" and "<broadcast>" itself.
    if name is None or name in (b"", b"<broadcast>"):
        return
    if not resolved_without_lookup(name, family):
        raise LookupAttempted(name, family)


_REAL_SOCKET = socket.socket
_REAL_GETADDRINFO = socket.getaddrinfo
_REAL_GETNAMEINFO = socket.getnameinfo
_REAL_GETHOSTBYNAME = socket.gethostbyname
_REAL_GETHOSTBYNAME_EX = socket.gethostbyname_ex


class GuardedSocket(_REAL_SOCKET):
    """socket.socket whose address-taking methods check the host first."""

    def bind(self, address: Any, /) -> None:
        check_sockaddr(self.family, address)
        super().bind(address)

    def connect(self, address: Any, /) -> None:
        check_sockaddr(self.family, address)
        super().connect(address)

    def connect_ex(self, address: Any, /) -> int:
        check_sockaddr(self.family, address)
        return super().connect_ex(address)

    def sendto(self, *args: Any) -> int:
        if len(args) in (2, 3):
            check_sockaddr(self.family, args[-1])
        return super().sendto(*args)  # type: ignore[call-overload,no-any-return]

    def sendmsg(self, *args: Any) -> int:
        if len(args) >= 4:
            check_sockaddr(self.family, args[3])
        return super().sendmsg(*args)


GuardedSocket.__name__ = GuardedSocket.__qualname__ = "socket"  # results compare by name


def _guarded_getaddrinfo(host: Any, port: Any, family: Any = 0, type: Any = 0,  # noqa: A002
                         proto: Any = 0, flags: Any = 0) -> Any:
    ints = [_c_int(v) for v in (family, type, proto, flags)]
    if None not in ints:  # else CPython's argument parsing fails first
        name: bytes | None = None
        if isinstance(host, str):
            try:
                name = host.encode("idna")  # CPython: every str through IDNA
            except UnicodeError:
                name = None
        elif isinstance(host, bytes):
            name = host
        check_getaddrinfo(name, ints[0] or 0, ints[3] or 0)
    return _REAL_GETADDRINFO(host, port, family, type, proto, flags)


def _guarded_getnameinfo(sockaddr: Any, flags: Any, /) -> Any:
    number = _c_int(flags)
    if number is not None and not number & socket.NI_NUMERICHOST \
            and isinstance(sockaddr, tuple) and sockaddr and isinstance(sockaddr[0], str):
        raise LookupAttempted("reverse lookup (getnameinfo without NI_NUMERICHOST)")
    return _REAL_GETNAMEINFO(sockaddr, flags)


def _guarded_gethostbyname(hostname: Any, /) -> Any:
    # CPython's "et" with "idna": every str through IDNA, then setipaddr(AF_INET).
    name: bytes | None = None
    if isinstance(hostname, str):
        try:
            name = hostname.encode("idna")
        except UnicodeError:
            name = None
    elif isinstance(hostname, (bytes, bytearray)):
        name = bytes(hostname)
    if name is not None:
        check_sockaddr(socket.AF_INET, (name, 0))
    return _REAL_GETHOSTBYNAME(hostname)


def gethostbyname_ex_safe(host: object) -> bool:
    """Whether socket.gethostbyname_ex(host) fails or answers without a resolver.

    It calls gethostbyname_r, which answers dotted digits itself and asks NSS
    (files, then DNS) about anything else, "" and "0x7f.1" included.
    """
    if not isinstance(host, (str, bytes, bytearray)):
        return True
    text = host if isinstance(host, str) else bytes(host).decode("latin-1")
    if "\0" in text:
        return True
    if text == "localhost":
        return socket.AF_INET in LOCALHOST_FAMILIES
    try:
        text.encode("idna")
    except UnicodeError:
        return True  # refused before any lookup
    return bool(text) and all(ch.isdigit() or ch == "." for ch in text) and text.isascii()


def _guarded_gethostbyname_ex(hostname: Any, /) -> Any:
    if not gethostbyname_ex_safe(hostname):
        raise LookupAttempted(hostname)
    return _REAL_GETHOSTBYNAME_EX(hostname)


def _refused(*args: Any, **kwargs: Any) -> Any:
    raise LookupAttempted("reverse lookup", args)


def guard_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """socket's resolving functions and its socket class behind the guard.

    socket.py's create_connection, create_server, socketpair, fromfd, accept and
    getfqdn look these names up in the module at call time, so they are covered.
    """
    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    monkeypatch.setattr(socket, "getnameinfo", _guarded_getnameinfo)
    monkeypatch.setattr(socket, "gethostbyname", _guarded_gethostbyname)
    monkeypatch.setattr(socket, "gethostbyname_ex", _guarded_gethostbyname_ex)
    monkeypatch.setattr(socket, "gethostbyaddr", _refused)


def ipv6_loopback_available() -> bool:
    """Whether ::1 can be bound here (IPv6 tests skip otherwise)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


def fill_send_buffer(sock: Any) -> None:
    """Fill a stream socket's send buffer, so that its next blocking send
    waits; the socket is left non-blocking."""
    sock.setblocking(False)
    try:
        while True:
            sock.send(b"f" * 65536)
    except BlockingIOError:
        pass
