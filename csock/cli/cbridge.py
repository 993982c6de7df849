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

Timeouts: a call given ``timeout_ms`` waits in poll() first (the socket is
non-blocking then), and :class:`CliTimeout` says so when nothing happened.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO, Any

import csock.c as c
from csock.cli.i18n import N_, _

# cffi objects (struct pointers, arrays): the stubs cannot type their fields.
CData = Any

BLOCK = 1024  # the tutorial's buffer size

# The status of a program stopped by Ctrl-C, as the shell reports it.
EXIT_INTERRUPTED = 130


class CError(OSError):
    """A C call returned -1: ``OSError(errno, strerror)`` plus what was attempted."""

    def __init__(self, err: int, what: str) -> None:
        super().__init__(err, strerror(err))
        self.what = what

    def __str__(self) -> str:
        return f"{self.what}: {self.strerror}"


class CliError(Exception):
    """A failure that is not an errno (bad host, timeout, checksum mismatch)."""

    status = 1


class CliTimeout(CliError):
    """poll() saw nothing happen for the whole --timeout."""


class Interrupted(CliError):
    """Ctrl-C in the middle of something that must be reported (exit 130)."""

    status = EXIT_INTERRUPTED


def strerror(err: int) -> str:
    """C's strerror(err), as str."""
    return bytes_text(c.string(c.strerror(err)))


def bytes_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def shown(path: str) -> str:
    """A file name as text any stream can print: undecodable bytes as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check(ret: int, what: str) -> int:
    """Return ``ret``; if the C call returned -1, raise CError(errno, what).

    Call it on the return value straight away: ``c.errno`` is the errno of the
    most recent C call made by this thread.
    """
    if ret == -1:
        err = int(c.errno)
        raise CError(err, what)
    return ret


def is_interrupt(exc: BaseException) -> bool:
    """Ctrl-C: KeyboardInterrupt, or the EINTR of the call it broke (Python
    raises KeyboardInterrupt right after)."""
    return isinstance(exc, KeyboardInterrupt) or (
        isinstance(exc, CError) and exc.errno == c.EINTR)


def despite_interrupts(step: Callable[[], None]) -> None:
    """Run step to its end even if a Ctrl-C that was already on its way lands
    in it; step must be safe to run again."""
    while True:
        try:
            step()
            return
        except KeyboardInterrupt:
            continue


# ---------------------------------------------------------------- addresses

HOST_HINT = N_("use a numeric IPv4 address (127.0.0.1), an IPv6 literal (::1) or localhost")


@dataclass(frozen=True)
class Host:
    """A numeric address the CLI may use: family, inet_pton text, IPv6 scope."""

    family: int
    ip: str
    scope: int = 0


def _pton(family: int, text: str) -> bool:
    buf: CData = c.new("unsigned char[16]")
    return int(c.inet_pton(family, text.encode("ascii"), buf)) == 1


def _scope_id(text: str, host: str) -> int:
    """An IPv6 zone: an interface index or a local interface's name (no lookup)."""
    if text.isascii() and text.isdigit():
        if len(text) > 10 or int(text) > 0xFFFFFFFF:
            raise CliError(_("bad host {host!r}: scope {scope} is not an interface index "
                             "(0 to 4294967295)").format(host=host, scope=text))
        return int(text)
    index = int(c.if_nametoindex(text.encode("ascii"))) if text else 0
    if index == 0:
        raise CliError(_("bad host {host!r}: no interface {name!r} on this machine").format(
            host=host, name=text))
    return index


def parse_host(host: str) -> Host:
    """The address of host, which must be a canonical dotted-quad IPv4 address,
    an IPv6 literal (``::1``, ``[::1]``, ``fe80::1%lo``) or ``localhost``.

    No name server is ever asked: ``localhost`` is 127.0.0.1 by definition
    here. Short or odd numeric IPv4 forms (``1.2.3``, ``127.1``, ``0x7f.0.0.1``,
    ``010.0.0.1``) are refused, naming the address inet_aton would make of
    them: a typo must not send packets to a stranger.
    """
    if host.lower() == "localhost":
        return Host(c.AF_INET, "127.0.0.1")
    if not host or not host.isascii() or not host.isprintable():
        raise CliError(_("bad host {host!r}: {hint}").format(host=host, hint=_(HOST_HINT)))
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if ":" in text:
        ip, percent, zone = text.partition("%")
        if not _pton(c.AF_INET6, ip):
            raise CliError(_("bad host {host!r}: not an IPv6 literal; {hint}").format(
                host=host, hint=_(HOST_HINT)))
        return Host(c.AF_INET6, ip, _scope_id(zone, host) if percent else 0)
    if _pton(c.AF_INET, text):
        return Host(c.AF_INET, text)
    aton: CData = c.new("struct in_addr *")
    if int(c.inet_aton(text.encode("ascii"), aton)) == 1:
        meant = bytes_text(c.string(c.inet_ntoa(aton[0])))
        raise CliError(_("bad host {host!r}: not a canonical IPv4 address (inet_aton would "
                         "read it as {meant}); write four decimal numbers 0-255 without "
                         "leading zeros, or use localhost").format(host=host, meant=meant))
    raise CliError(_("bad host {host!r}: not a numeric address, and names are never "
                     "looked up; {hint}").format(host=host, hint=_(HOST_HINT)))


def resolve_ipv4(host: str) -> str:
    """The IPv4 address of host (canonical dotted quad or ``localhost``)."""
    found = parse_host(host)
    if found.family != c.AF_INET:
        raise CliError(_("bad host {host!r}: an IPv4 address is needed here").format(
            host=host))
    return found.ip


def sockaddr_in(ip: str, port: int) -> CData:
    """A struct sockaddr_in for a numeric IPv4 address, as the tutorial fills it."""
    addr: CData = c.new("struct sockaddr_in *")  # zeroed, like memset(&addr, 0, ...)
    addr.sin_family = c.AF_INET
    addr.sin_port = c.htons(port)
    if c.inet_pton(c.AF_INET, ip.encode("ascii"), c.addressof(addr.sin_addr)) != 1:
        raise CliError(_("bad IPv4 address {ip!r}").format(ip=ip))
    return addr


def sockaddr_in6(ip: str, port: int, scope: int = 0) -> CData:
    """A struct sockaddr_in6 for an IPv6 literal."""
    addr: CData = c.new("struct sockaddr_in6 *")
    addr.sin6_family = c.AF_INET6
    addr.sin6_port = c.htons(port)
    addr.sin6_scope_id = scope
    if c.inet_pton(c.AF_INET6, ip.encode("ascii"), c.addressof(addr.sin6_addr)) != 1:
        raise CliError(_("bad IPv6 address {ip!r}").format(ip=ip))
    return addr


def sockaddr_for(host: Host, port: int) -> CData:
    if host.family == c.AF_INET6:
        return sockaddr_in6(host.ip, port, host.scope)
    return sockaddr_in(host.ip, port)


def _family(addr: CData) -> int:
    return int(c.cast("struct sockaddr *", addr).sa_family)


def ip_of(addr: CData) -> str:
    """inet_ntop of a struct sockaddr_in's or sockaddr_in6's address."""
    if _family(addr) == c.AF_INET6:
        sin6: CData = c.cast("struct sockaddr_in6 *", addr)
        family, src, size = c.AF_INET6, c.addressof(sin6.sin6_addr), int(c.INET6_ADDRSTRLEN)
    else:
        sin: CData = c.cast("struct sockaddr_in *", addr)
        family, src, size = c.AF_INET, c.addressof(sin.sin_addr), int(c.INET_ADDRSTRLEN)
    text: CData = c.new("char[]", size)
    if c.inet_ntop(family, src, text, size) == c.NULL:
        check(-1, "inet_ntop")
    return bytes_text(c.string(text))


def port_of(addr: CData) -> int:
    if _family(addr) == c.AF_INET6:
        return int(c.ntohs(c.cast("struct sockaddr_in6 *", addr).sin6_port))
    return int(c.ntohs(c.cast("struct sockaddr_in *", addr).sin_port))


def endpoint(addr: CData) -> str:
    """``127.0.0.1:10000`` or ``[::1]:10000``."""
    ip = ip_of(addr)
    return f"[{ip}]:{port_of(addr)}" if ":" in ip else f"{ip}:{port_of(addr)}"


# ---------------------------------------------------------------- tracing

def traced(enabled: bool, file: IO[str] | None = None,
           hints: bool = False) -> AbstractContextManager[None]:
    """csock.c's call trace for the block (to file, default stderr), if enabled
    (or if *hints*: the trace plus a hint under a failed or suspicious call)."""
    if enabled or hints:
        return c.tracing(file=file, hints=hints)
    return contextlib.nullcontext()


# ---------------------------------------------------------------- the calls

def socket(family: int | None = None) -> int:
    fam = c.AF_INET if family is None else family
    return check(int(c.socket(fam, c.SOCK_STREAM, 0)), _("cannot create socket"))


def reuseaddr(fd: int) -> None:
    yes: CData = c.new("int *", 1)
    ret = int(c.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, yes, c.sizeof("int")))
    check(ret, _("cannot set SO_REUSEADDR"))


def bind(fd: int, addr: CData) -> None:
    what = _("cannot bind {address}").format(address=endpoint(addr))  # before the call: errno
    check(int(c.bind(fd, c.cast("struct sockaddr *", addr), c.sizeof(addr[0]))), what)


def listen(fd: int, backlog: int) -> None:
    check(int(c.listen(fd, backlog)), _("cannot listen"))


def _sockname(call: Callable[[int, CData, CData], int], fd: int, what: str,
              family: int | None) -> tuple[int, CData]:
    kind = "struct sockaddr_in6 *" if family == c.AF_INET6 else "struct sockaddr_in *"
    addr: CData = c.new(kind)
    size: CData = c.new("socklen_t *", c.sizeof(addr[0]))
    ret = check(int(call(fd, c.cast("struct sockaddr *", addr), size)), what)
    return ret, addr


def getsockname(fd: int, family: int | None = None) -> CData:
    return _sockname(c.getsockname, fd, "getsockname", family)[1]


def accept(fd: int, family: int | None = None) -> tuple[int, CData]:
    return _sockname(c.accept, fd, _("accept failed"), family)


def set_nonblocking(fd: int) -> None:
    """O_NONBLOCK, so that only poll() waits (and it has a timeout)."""
    flags = check(int(c.fcntl(fd, c.F_GETFL)), _("fcntl F_GETFL"))
    check(int(c.fcntl(fd, c.F_SETFL, flags | c.O_NONBLOCK)), _("fcntl F_SETFL"))


def wait_for(fd: int, events: int, timeout_ms: int, doing: str) -> None:
    """poll() fd until one of events (or an error) is there; CliTimeout if none
    came in timeout_ms."""
    pfd: CData = c.new("struct pollfd *")
    pfd.fd = fd
    pfd.events = events
    if check(int(c.poll(pfd, 1, timeout_ms)), _("poll failed")) == 0:
        raise CliTimeout(_("timed out after {secs:g} s {doing} (--timeout)").format(
            secs=timeout_ms / 1000, doing=doing))


def connect(fd: int, addr: CData, timeout_ms: int | None = None) -> None:
    """connect(); with timeout_ms, non-blocking: poll() for POLLOUT, then SO_ERROR."""
    what = _("cannot connect to {address}").format(address=endpoint(addr))
    size = c.sizeof(addr[0])
    if timeout_ms is None:
        check(int(c.connect(fd, c.cast("struct sockaddr *", addr), size)), what)
        return
    set_nonblocking(fd)
    if int(c.connect(fd, c.cast("struct sockaddr *", addr), size)) == 0:
        return
    err = int(c.errno)
    if err != c.EINPROGRESS:
        raise CError(err, what)
    wait_for(fd, c.POLLOUT, timeout_ms,
             _("connecting to {address}").format(address=endpoint(addr)))
    value: CData = c.new("int *")
    length: CData = c.new("socklen_t *", c.sizeof("int"))
    check(int(c.getsockopt(fd, c.SOL_SOCKET, c.SO_ERROR, value, length)), _("getsockopt"))
    if value[0]:
        raise CError(int(value[0]), what)


def _again(err: int) -> bool:
    return err in (c.EAGAIN, c.EWOULDBLOCK)


def send(fd: int, buf: CData, n: int, flags: int = 0, timeout_ms: int | None = None) -> int:
    while True:
        if timeout_ms is not None:
            wait_for(fd, c.POLLOUT, timeout_ms, _("waiting for the peer to take more data"))
        ret = int(c.send(fd, buf, n, flags))
        if ret == -1:
            err = int(c.errno)
            if timeout_ms is not None and _again(err):
                continue
            raise CError(err, _("send failed"))
        return ret


def send_all(fd: int, buf: CData, n: int, flags: int = 0,
             timeout_ms: int | None = None) -> None:
    """send() until all n bytes are gone: send may take fewer than asked."""
    sent = 0
    while sent < n:
        sent += send(fd, buf + sent, n - sent, flags, timeout_ms)


def send_bytes(fd: int, data: bytes, timeout_ms: int | None = None) -> None:
    buf: CData = c.new("char[]", data)  # kept alive across every send
    send_all(fd, buf, len(data), 0, timeout_ms)


def recv(fd: int, buf: CData, n: int, flags: int = 0, timeout_ms: int | None = None) -> int:
    while True:
        if timeout_ms is not None:
            wait_for(fd, c.POLLIN, timeout_ms, _("waiting for data"))
        ret = int(c.recv(fd, buf, n, flags))
        if ret == -1:
            err = int(c.errno)
            if timeout_ms is not None and _again(err):
                continue
            raise CError(err, _("recv failed"))
        return ret


def close(fd: int) -> None:
    check(int(c.close(fd)), _("close failed"))


def close_quietly(fd: int) -> None:
    """close() after a failure, whose error is the news: unchecked."""
    if fd >= 0:
        c.close(fd)


def reset(fd: int) -> None:
    """Close with SO_LINGER {1, 0}: the peer gets a reset (RST), not an end of
    stream (FIN) it could take for a complete transfer. Unchecked: this runs
    after a failure, whose error is the news."""
    off: CData = c.new("struct linger *")
    off.l_onoff = 1
    off.l_linger = 0
    c.setsockopt(fd, c.SOL_SOCKET, c.SO_LINGER, off, c.sizeof("struct linger"))
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
    if check(int(c.poll(pfd, 1, timeout_ms)), _("poll failed")) == 0:
        raise CliError(_("timed out after {secs:g} s waiting on fd {fd}").format(
            secs=timeout_ms / 1000, fd=fd))
    return int(pfd.revents)


def open_file(path: str, flags: int, mode: int = 0) -> int:
    # os.fsencode: a name that is not UTF-8 reaches open() as the bytes it was
    return check(int(c.open(os.fsencode(path), flags, mode)),
                 _("cannot open {path}").format(path=shown(path)))


def read(fd: int, buf: CData, n: int, what: str | None = None) -> int:
    return check(int(c.read(fd, buf, n)), _("read failed") if what is None else what)


def write_all(fd: int, buf: CData, n: int) -> None:
    done = 0
    while done < n:
        done += check(int(c.write(fd, buf + done, n - done)), _("write failed"))
