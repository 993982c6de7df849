"""C calls for the command line tool: error checking, addresses, tracing.

Everything here is built on the raw C namespace ``csock.c``. A C failure
(a -1 return) becomes :class:`CError`, an ``OSError(errno, strerror)`` that
also says what was being attempted; :func:`check` is the one place that turns
a return value into that exception, reading ``c.errno`` right after the call.

The functions at the end are the handful of calls the tool makes, each
checked. They print nothing themselves: ``--trace`` and the demo's transcript
are csock.c's own call trace (:func:`traced`, ``csock.c.tracing``), so every
line is in the notation of ``CSOCK_TRACE`` and of strace::

    socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3
    sendto(3, "Bienvenido al Eagle14!\\n", 23, 0, NULL, 0) = 23
    connect(4, {sa_family=AF_INET, ...}, 16) = -1 ECONNREFUSED (Connection refused)
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO, Any

import csock.c as c

# cffi objects (struct pointers, arrays): the stubs cannot type their fields.
CData = Any

BLOCK = 1024  # the tutorial's buffer size


class CError(OSError):
    """A C call returned -1: ``OSError(errno, strerror)`` plus what was attempted."""

    def __init__(self, err: int, what: str) -> None:
        super().__init__(err, strerror(err))
        self.what = what

    def __str__(self) -> str:
        return f"{self.what}: {self.strerror}"


class CliError(Exception):
    """A failure that is not an errno (bad host, timeout, checksum mismatch)."""


def strerror(err: int) -> str:
    """C's strerror(err), as str."""
    return bytes_text(c.string(c.strerror(err)))


def bytes_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def check(ret: int, what: str) -> int:
    """Return ``ret``; if the C call returned -1, raise CError(errno, what).

    Call it on the return value straight away: ``c.errno`` is the errno of the
    most recent C call made by this thread.
    """
    if ret == -1:
        err = int(c.errno)
        raise CError(err, what)
    return ret


# ---------------------------------------------------------------- addresses

def sockaddr_in(ip: str, port: int) -> CData:
    """A struct sockaddr_in for a numeric IPv4 address, as the tutorial fills it."""
    addr: CData = c.new("struct sockaddr_in *")  # zeroed, like memset(&addr, 0, ...)
    addr.sin_family = c.AF_INET
    addr.sin_port = c.htons(port)
    if c.inet_pton(c.AF_INET, ip.encode("ascii"), c.addressof(addr.sin_addr)) != 1:
        raise CliError(f"bad IPv4 address {ip!r}")
    return addr


def ip_of(addr: CData) -> str:
    """inet_ntop of a struct sockaddr_in's address."""
    text: CData = c.new("char[]", int(c.INET_ADDRSTRLEN))
    ret = c.inet_ntop(c.AF_INET, c.addressof(addr.sin_addr), text, c.INET_ADDRSTRLEN)
    if ret == c.NULL:
        check(-1, "inet_ntop")
    return bytes_text(c.string(text))


def port_of(addr: CData) -> int:
    return int(c.ntohs(addr.sin_port))


def resolve_ipv4(host: str) -> str:
    """The IPv4 address of host, which must be numeric or ``localhost``.

    Uses getaddrinfo(AF_INET); anything but ``localhost`` is looked up with
    AI_NUMERICHOST, so no name server is ever asked.
    """
    if not host or not host.isascii() or not host.isprintable():
        raise CliError(f"bad host {host!r}: use a numeric IPv4 address or localhost")
    hints: CData = c.new("struct addrinfo *")
    hints.ai_family = c.AF_INET
    hints.ai_socktype = c.SOCK_STREAM
    if host.lower() != "localhost":
        hints.ai_flags = c.AI_NUMERICHOST
    res: CData = c.new("struct addrinfo **")
    node = host.encode("ascii")
    rc = int(c.getaddrinfo(node, c.NULL, hints, res))
    if rc == c.EAI_SYSTEM:
        check(-1, f"getaddrinfo {host}")
    if rc != 0:
        reason = bytes_text(c.string(c.gai_strerror(rc)))
        raise CliError(f"bad host {host!r}: {reason} (use a numeric IPv4 address or localhost)")
    try:
        found: CData = c.cast("struct sockaddr_in *", res[0].ai_addr)
        return ip_of(found)
    finally:
        c.freeaddrinfo(res[0])


# ---------------------------------------------------------------- tracing

def traced(enabled: bool, file: IO[str] | None = None) -> AbstractContextManager[None]:
    """csock.c's call trace for the block (to file, default stderr), if enabled."""
    return c.tracing(file=file) if enabled else contextlib.nullcontext()


# ---------------------------------------------------------------- the calls

def socket() -> int:
    return check(int(c.socket(c.AF_INET, c.SOCK_STREAM, 0)), "cannot create socket")


def reuseaddr(fd: int) -> None:
    yes: CData = c.new("int *", 1)
    ret = int(c.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, yes, c.sizeof("int")))
    check(ret, "cannot set SO_REUSEADDR")


def bind(fd: int, addr: CData) -> None:
    what = f"cannot bind {ip_of(addr)}:{port_of(addr)}"  # before the call: errno
    check(int(c.bind(fd, c.cast("struct sockaddr *", addr), c.sizeof(addr[0]))), what)


def listen(fd: int, backlog: int) -> None:
    check(int(c.listen(fd, backlog)), "cannot listen")


def _sockname(call: Callable[[int, CData, CData], int], fd: int,
              what: str) -> tuple[int, CData]:
    addr: CData = c.new("struct sockaddr_in *")
    size: CData = c.new("socklen_t *", c.sizeof(addr[0]))
    ret = check(int(call(fd, c.cast("struct sockaddr *", addr), size)), what)
    return ret, addr


def getsockname(fd: int) -> CData:
    return _sockname(c.getsockname, fd, "getsockname")[1]


def accept(fd: int) -> tuple[int, CData]:
    return _sockname(c.accept, fd, "accept failed")


def connect(fd: int, addr: CData) -> None:
    what = f"cannot connect to {ip_of(addr)}:{port_of(addr)}"
    check(int(c.connect(fd, c.cast("struct sockaddr *", addr), c.sizeof(addr[0]))), what)


def send(fd: int, buf: CData, n: int, flags: int = 0) -> int:
    return check(int(c.send(fd, buf, n, flags)), "send failed")


def send_all(fd: int, buf: CData, n: int, flags: int = 0) -> None:
    """send() until all n bytes are gone: send may take fewer than asked."""
    sent = 0
    while sent < n:
        sent += send(fd, buf + sent, n - sent, flags)


def send_bytes(fd: int, data: bytes) -> None:
    buf: CData = c.new("char[]", data)  # kept alive across every send
    send_all(fd, buf, len(data))


def recv(fd: int, buf: CData, n: int, flags: int = 0) -> int:
    return check(int(c.recv(fd, buf, n, flags)), "recv failed")


def close(fd: int) -> None:
    check(int(c.close(fd)), "close failed")


def close_quietly(fd: int) -> None:
    """close() after a failure, whose error is the news: unchecked."""
    if fd >= 0:
        c.close(fd)


@contextlib.contextmanager
def closed_on_error(fd: int) -> Iterator[int]:
    """The block sets fd up; if it fails, fd is closed (quietly) before the error goes on."""
    try:
        yield fd
    except BaseException:
        close_quietly(fd)
        raise


def poll(fd: int, events: int, timeout_ms: int) -> int:
    """poll() one descriptor; a timeout is an error (so nothing can hang)."""
    pfd: CData = c.new("struct pollfd *")
    pfd.fd = fd
    pfd.events = events
    if check(int(c.poll(pfd, 1, timeout_ms)), "poll failed") == 0:
        raise CliError(f"timed out after {timeout_ms / 1000:g} s waiting on fd {fd}")
    return int(pfd.revents)


def open_file(path: str, flags: int, mode: int = 0) -> int:
    return check(int(c.open(path.encode(), flags, mode)), f"cannot open {path}")


def read(fd: int, buf: CData, n: int, what: str = "read failed") -> int:
    return check(int(c.read(fd, buf, n)), what)


def write_all(fd: int, buf: CData, n: int) -> None:
    done = 0
    while done < n:
        done += check(int(c.write(fd, buf + done, n - done)), "write failed")
