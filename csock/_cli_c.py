"""C calls for the command line tool: error checking, addresses, a C-notation trace.

Everything here is built on the raw C namespace ``csock.c``. A C failure
(a -1 return) becomes :class:`CError`, an ``OSError(errno, strerror)`` that
also says what was being attempted; :func:`check` is the one place that turns
a return value into that exception, reading ``c.errno`` right after the call.

:class:`Calls` wraps the handful of calls the tool makes; given a log
function it also writes each call as C, strace-style::

    socket(AF_INET, SOCK_STREAM, 0) = 3
    connect(3, {sin_family=AF_INET, ...}, 16) = -1 ECONNREFUSED (Connection refused)
"""

from __future__ import annotations

import errno as _errno
from collections.abc import Callable
from typing import Any

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


def errname(err: int) -> str:
    """ECONNREFUSED for errno 111."""
    return _errno.errorcode.get(err, f"E{err}")


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            ord("\\"): "\\\\", ord('"'): '\\"'}


def c_string(data: bytes, limit: int = 40) -> str:
    """A C string literal for data, cut after limit bytes like strace ("..."...)."""
    out = []
    shown = data[:limit]
    for i, byte in enumerate(shown):
        if byte in _ESCAPES:
            out.append(_ESCAPES[byte])
        elif 32 <= byte < 127:
            out.append(chr(byte))
        elif shown[i + 1:i + 2].isdigit():  # "\0017", not "\017" then "7"
            out.append(f"\\{byte:03o}")
        else:
            out.append(f"\\{byte:o}")
    return '"' + "".join(out) + '"' + ("..." if len(data) > limit else "")


def _flags(value: int) -> str:
    names = [name for name in ("MSG_DONTWAIT", "MSG_NOSIGNAL", "MSG_WAITALL")
             if value & int(getattr(c, name))]
    return "|".join(names) if names else str(value)


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


def show_sockaddr(addr: CData) -> str:
    """The struct in strace's C notation."""
    return (f"{{sin_family=AF_INET, sin_port=htons({port_of(addr)}), "
            f'sin_addr=inet_addr("{ip_of(addr)}")}}')


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


# ---------------------------------------------------------------- the calls

class Calls:
    """The C calls the tool makes, each checked, and traced if log is given."""

    def __init__(self, log: Callable[[str], None] | None = None) -> None:
        self.log = log
        self.muted = 0  # > 0: calls are not traced (long transfer loops)

    def _done(self, ret: int, what: str, text: Callable[[], str]) -> int:
        try:
            return check(ret, what)
        except CError as exc:
            if self.log is not None:  # failures are always shown
                self.log(f"{text()} = -1 {errname(exc.errno or 0)}"
                         f" ({exc.strerror})")
            raise
        finally:
            if ret != -1 and self.log is not None and not self.muted:
                self.log(f"{text()} = {ret}")

    def note(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def socket(self) -> int:
        ret = int(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
        return self._done(ret, "cannot create socket",
                          lambda: "socket(AF_INET, SOCK_STREAM, 0)")

    def reuseaddr(self, fd: int) -> None:
        yes: CData = c.new("int *", 1)
        ret = int(c.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, yes, c.sizeof("int")))
        self._done(ret, "cannot set SO_REUSEADDR",
                   lambda: f"setsockopt({fd}, SOL_SOCKET, SO_REUSEADDR, [1], 4)")

    def bind(self, fd: int, addr: CData) -> None:
        size = c.sizeof(addr[0])
        what = f"cannot bind {ip_of(addr)}:{port_of(addr)}"  # before the call: errno
        ret = int(c.bind(fd, c.cast("struct sockaddr *", addr), size))
        self._done(ret, what,
                   lambda: f"bind({fd}, {show_sockaddr(addr)}, {size})")

    def listen(self, fd: int, backlog: int) -> None:
        ret = int(c.listen(fd, backlog))
        self._done(ret, "cannot listen", lambda: f"listen({fd}, {backlog})")

    def getsockname(self, fd: int) -> CData:
        addr: CData = c.new("struct sockaddr_in *")
        size: CData = c.new("socklen_t *", c.sizeof(addr[0]))
        ret = int(c.getsockname(fd, c.cast("struct sockaddr *", addr), size))
        self._done(ret, "getsockname",
                   lambda: f"getsockname({fd}, {show_sockaddr(addr)}, [{size[0]}])")
        return addr

    def accept(self, fd: int) -> tuple[int, CData]:
        addr: CData = c.new("struct sockaddr_in *")
        size: CData = c.new("socklen_t *", c.sizeof(addr[0]))
        ret = int(c.accept(fd, c.cast("struct sockaddr *", addr), size))
        self._done(ret, "accept failed",
                   lambda: f"accept({fd}, {show_sockaddr(addr)}, [{size[0]}])")
        return ret, addr

    def connect(self, fd: int, addr: CData) -> None:
        size = c.sizeof(addr[0])
        what = f"cannot connect to {ip_of(addr)}:{port_of(addr)}"
        ret = int(c.connect(fd, c.cast("struct sockaddr *", addr), size))
        self._done(ret, what,
                   lambda: f"connect({fd}, {show_sockaddr(addr)}, {size})")

    def send(self, fd: int, buf: CData, n: int, flags: int = 0) -> int:
        ret = int(c.send(fd, buf, n, flags))
        return self._done(ret, "send failed", lambda: (
            f"send({fd}, {c_string(bytes(c.buffer(buf, n)))}, {n}, {_flags(flags)})"))

    def send_all(self, fd: int, buf: CData, n: int, flags: int = 0) -> None:
        """send() until all n bytes are gone: send may take fewer than asked."""
        sent = 0
        while sent < n:
            sent += self.send(fd, buf + sent, n - sent, flags)

    def send_bytes(self, fd: int, data: bytes) -> None:
        buf: CData = c.new("char[]", data)  # kept alive across every send
        self.send_all(fd, buf, len(data))

    def recv(self, fd: int, buf: CData, n: int, flags: int = 0) -> int:
        ret = int(c.recv(fd, buf, n, flags))

        def text() -> str:
            shown = c_string(bytes(c.buffer(buf, ret))) if ret > 0 else "buf"
            return f"recv({fd}, {shown}, {n}, {_flags(flags)})"
        return self._done(ret, "recv failed", text)

    def close(self, fd: int) -> None:
        ret = int(c.close(fd))
        self._done(ret, "close failed", lambda: f"close({fd})")

    def poll(self, fd: int, events: int, timeout_ms: int) -> int:
        """poll() one descriptor; a timeout is an error (so nothing can hang)."""
        pfd: CData = c.new("struct pollfd *")
        pfd.fd = fd
        pfd.events = events
        ret = int(c.poll(pfd, 1, timeout_ms))
        shown = "POLLIN" if events == c.POLLIN else "POLLOUT"
        self._done(ret, "poll failed",
                   lambda: f"poll([{{fd={fd}, events={shown}}}], 1, {timeout_ms})")
        if ret == 0:
            raise CliError(f"timed out after {timeout_ms / 1000:g} s waiting on fd {fd}")
        return int(pfd.revents)

    def open(self, path: str, flags: int, mode: int = 0) -> int:
        names = [n for n in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC") if flags & getattr(c, n)]
        shown = "|".join(names) or "O_RDONLY"
        if flags & c.O_CREAT:
            shown += f", 0{mode:o}"
        ret = int(c.open(path.encode(), flags, mode))
        return self._done(ret, f"cannot open {path}",
                          lambda: f"open({c_string(path.encode(), 60)}, {shown})")

    def read(self, fd: int, buf: CData, n: int) -> int:
        ret = int(c.read(fd, buf, n))
        return self._done(ret, "read failed", lambda: f"read({fd}, buf, {n})")

    def write_all(self, fd: int, buf: CData, n: int) -> None:
        done = 0
        while done < n:
            left = n - done
            ret = int(c.write(fd, buf + done, left))
            call = f"write({fd}, buf, {left})"
            done += self._done(ret, "write failed", call.__str__)
