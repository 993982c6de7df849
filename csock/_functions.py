"""socket's module functions, on csock.c: name resolution, conversions, helpers.

Name resolution goes through getaddrinfo/getnameinfo, which are thread-safe;
the C functions that return static buffers (gethostbyname, inet_ntoa,
getservbyname, getservbyport) are never called unguarded: getservby* run under
one lock, the others are not used at all.
"""

from __future__ import annotations

import array
import os
import socket as _stdlib_socket
import sys
import threading
from typing import Any

from csock import _address, _validate
from csock._constants import to_family, to_kind
from csock._csock import ffi, lib
from csock._errors import gai_error, gaierror, herror, os_error
from csock._socket import Socket, cmsg_len, cmsg_space, getdefaulttimeout

# The C library's static-buffer functions are serialised on this lock.
_static_buffer_lock = threading.Lock()
_GAI_PORT_ANY_INT = sys.version_info >= (3, 12)  # see _port_arg
# CPython 3.13 converted htons/ntohs and inet_aton to Argument Clinic: an int
# outside C int range is "too large to convert to C int", and inet_aton's
# argument is "argument", no longer "argument 1".
_CLINIC_HTONS = sys.version_info >= (3, 13)
_INET_ATON_ARGUMENT = "argument" if sys.version_info >= (3, 13) else "argument 1"


# The standard library's own sentinel: http.client, urllib, smtplib... pass
# socket's to create_connection, which must then mean "the default timeout".
_GLOBAL_DEFAULT_TIMEOUT: Any = _stdlib_socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


# ----------------------------------------------------------------- byte order
def _unsigned(value: object, bits: int, name: str) -> int:
    if bits == 32:
        # As CPython's htonl: an int only, through PyLong_AsUnsignedLong.
        if not isinstance(value, int):
            raise TypeError(f"expected int, {_validate.type_name(value)} found")
        if value < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        if value > 0xFFFFFFFFFFFFFFFF:
            raise OverflowError("Python int too large to convert to C unsigned long")
        if value > 0xFFFFFFFF:
            raise OverflowError("int larger than 32 bits")
        return int(value)
    # htons/ntohs: a C int first (__index__ objects too), then the 16-bit range.
    x = _validate.clinic_int(value, "x") if _CLINIC_HTONS else _validate.c_int(value, "x")
    if x < 0:
        raise OverflowError(f"{name}: can't convert negative Python int to C {bits}-bit "
                            "unsigned integer")
    if x >> bits:
        raise OverflowError(f"{name}: Python int too large to convert to C {bits}-bit "
                            "unsigned integer")
    return x


def htons(x: int, /) -> int:
    """Host to network byte order, 16 bits."""
    return int(lib.htons(_unsigned(x, 16, "htons")))


def ntohs(x: int, /) -> int:
    """Network to host byte order, 16 bits."""
    return int(lib.ntohs(_unsigned(x, 16, "ntohs")))


def htonl(x: int, /) -> int:
    """Host to network byte order, 32 bits."""
    return int(lib.htonl(_unsigned(x, 32, "htonl")))


def ntohl(x: int, /) -> int:
    """Network to host byte order, 32 bits."""
    return int(lib.ntohl(_unsigned(x, 32, "ntohl")))


# ------------------------------------------------------- address conversions
def _ascii_address(text: object, caller: str, which: str) -> bytes:
    """The address text argument of inet_aton/inet_pton, as CPython's "s"."""
    if not isinstance(text, str):
        kind = "None" if text is None else _validate.type_name(text)
        raise TypeError(f"{caller}() {which} must be str, not {kind}")
    if "\0" in text:
        raise ValueError("embedded null character")
    # As CPython's "s": UTF-8 (a lone surrogate is UnicodeEncodeError); non-ASCII
    # text then fails in C as any other text that is not an address.
    return text.encode("utf-8")


def inet_aton(ip_string: str, /) -> bytes:
    """Dotted IPv4 text (inet_aton's lenient forms too) to 4 packed bytes."""
    raw = _ascii_address(ip_string, "inet_aton", _INET_ATON_ARGUMENT)
    addr = ffi.new("struct in_addr *")
    if lib.inet_aton(raw, addr) == 0:
        raise OSError("illegal IP address string passed to inet_aton")
    return bytes(ffi.buffer(addr))


def inet_ntoa(packed_ip: Any, /) -> str:
    """4 packed bytes to dotted IPv4 text (thread-safe: inet_ntop, not inet_ntoa)."""
    data = _packed(packed_ip)
    if len(data) != 4:
        raise OSError("packed IP wrong length for inet_ntoa")
    return _ntop(lib.AF_INET, data)


def inet_pton(address_family: int, ip_string: str, /) -> bytes:
    """Text address of ``address_family`` to its packed bytes."""
    family = _validate.c_int(address_family, "address_family")
    raw = _ascii_address(ip_string, "inet_pton", "argument 2")
    out = ffi.new("unsigned char[16]")
    result = lib.inet_pton(family, raw, out)
    if result == -1:
        raise os_error(ffi.errno)
    if result == 0:
        raise OSError("illegal IP address string passed to inet_pton")
    return bytes(ffi.buffer(out, 4 if family == lib.AF_INET else 16))


def inet_ntop(address_family: int, packed_ip: Any, /) -> str:
    """Packed bytes of ``address_family`` to text."""
    family = _validate.c_int(address_family, "address_family")
    data = _packed(packed_ip)
    if family == lib.AF_INET:
        if len(data) != 4:
            raise ValueError("invalid length of packed IP address string")
    elif family == lib.AF_INET6:
        if len(data) != 16:
            raise ValueError("invalid length of packed IP address string")
    else:
        raise ValueError(f"unknown address family {family}")
    return _ntop(family, data)


def _packed(value: object) -> bytes:
    """A bytes-like argument as CPython's "y*": C-contiguous (BufferError otherwise)."""
    pointer = _validate.readable_buffer(value)
    if isinstance(pointer, bytes):
        return pointer
    with pointer:  # released here: the caller's object is not held past the copy
        return bytes(ffi.buffer(pointer))


def _ntop(family: int, data: bytes) -> str:
    buf = ffi.new("char[]", lib.INET6_ADDRSTRLEN)
    if lib.inet_ntop(family, data, buf, lib.INET6_ADDRSTRLEN) == ffi.NULL:
        raise os_error(ffi.errno)
    return str(ffi.string(buf).decode("ascii"))


# ----------------------------------------------------------- name resolution
def _host_arg(host: object) -> Any:
    if host is None:
        return ffi.NULL
    if isinstance(host, str):
        # The codec's own error, as socket lets it through: UnicodeError up to
        # 3.12, UnicodeEncodeError from 3.13 (encodings.idna changed).
        encoded = host.encode("idna")
    elif isinstance(host, bytes):
        encoded = host
    else:
        raise TypeError(f"getaddrinfo() argument 1 must be string or None, not "
                        f"{_validate.type_name(host)}")
    # As CPython: a NUL ends the C string there (no error).
    return encoded


def _port_arg(port: object) -> Any:
    if port is None:
        return ffi.NULL
    if type(port) is int:  # as CPython: exactly int (True is not a port)
        # CPython 3.12 (gh-74895) passes any int on as its decimal text, for
        # getaddrinfo(3) to judge; 3.11 took a C long (OverflowError beyond).
        if not _GAI_PORT_ANY_INT and not -0x8000000000000000 <= port <= 0x7FFFFFFFFFFFFFFF:
            raise OverflowError("Python int too large to convert to C long")
        return str(port).encode()
    if isinstance(port, str):
        return port.encode("utf-8")
    if isinstance(port, bytes):
        return port
    raise OSError("Int or String expected")


def getaddrinfo(
    host: str | bytes | None,
    port: str | bytes | int | None,
    family: int = 0,
    type: int = 0,  # noqa: A002
    proto: int = 0,
    flags: int = 0,
) -> list[tuple[int, int, int, str, Any]]:
    """(family, type, proto, canonname, sockaddr) for each address of host:port."""
    # CPython's order: the int arguments ("iiii") first, then host, then port.
    hints = ffi.new("struct addrinfo *")
    hints.ai_family = _validate.c_int(family, "family")
    hints.ai_socktype = _validate.c_int(type, "type")
    hints.ai_protocol = _validate.c_int(proto, "proto")
    hints.ai_flags = _validate.c_int(flags, "flags")
    node = _host_arg(host)
    service = _port_arg(port)
    result = ffi.new("struct addrinfo **")
    code = lib.getaddrinfo(node, service, hints, result)
    if code != 0:
        raise gai_error(code)
    out: list[tuple[int, int, int, str, Any]] = []
    try:
        ai = result[0]
        while ai != ffi.NULL:
            canon = ffi.string(ai.ai_canonname).decode() if ai.ai_canonname != ffi.NULL else ""
            address = _address.from_sockaddr(ai.ai_addr, ai.ai_addrlen)
            out.append((to_family(ai.ai_family), to_kind(ai.ai_socktype), ai.ai_protocol,
                        canon, address))
            ai = ai.ai_next
    finally:
        lib.freeaddrinfo(result[0])
    return out


def getnameinfo(sockaddr: tuple[Any, ...], flags: int, /) -> tuple[str, str]:
    """(host, port) text for a (host, port[, flowinfo, scope_id]) tuple.

    As CPython: the port is a C int handed to getaddrinfo as text (so -1 is a
    gaierror), flowinfo and scope_id are C unsigned ints.
    """
    flags = _validate.c_int(flags, "flags")  # CPython parses "Oi" before the tuple
    if not isinstance(sockaddr, tuple):
        raise TypeError("getnameinfo() argument 1 must be a tuple")
    if not 2 <= len(sockaddr) <= 4:
        raise TypeError("getnameinfo(): illegal sockaddr argument")
    host = sockaddr[0]
    if not isinstance(host, str):
        raise TypeError(f"getnameinfo(): host must be str, not {_validate.type_name(host)}")
    if "\0" in host:
        raise ValueError("embedded null character")
    node = host.encode("utf-8")  # as CPython's "s": UTF-8, not IDNA (no lookup anyway)
    port = _validate.integer(sockaddr[1], "port")
    if not -0x80000000 <= port <= 0x7FFFFFFF:
        raise OverflowError("signed integer is greater than maximum")
    flowinfo = _validate.integer(sockaddr[2], "flowinfo") & 0xFFFFFFFF \
        if len(sockaddr) > 2 else 0
    scope_id = _validate.integer(sockaddr[3], "scope_id") & 0xFFFFFFFF \
        if len(sockaddr) > 3 else 0
    if flowinfo > 0xFFFFF:
        raise OverflowError("getnameinfo(): flowinfo must be 0-1048575.")
    infos = getaddrinfo(node, str(port), 0, lib.SOCK_DGRAM, 0, lib.AI_NUMERICHOST)
    if len(infos) != 1:
        raise OSError("sockaddr resolved to multiple addresses")
    family, address = infos[0][0], infos[0][4]
    if family == lib.AF_INET:
        if len(sockaddr) != 2:
            raise OSError("IPv4 sockaddr must be 2 tuple")
        sa, length = _address.to_sockaddr(family, address, "getnameinfo")
    else:
        sa, length = _address.to_sockaddr(
            family, (address[0], address[1], flowinfo, scope_id), "getnameinfo")
    hostbuf = ffi.new("char[]", lib.NI_MAXHOST)
    servbuf = ffi.new("char[]", lib.NI_MAXSERV)
    code = lib.getnameinfo(ffi.cast("struct sockaddr *", sa), length, hostbuf, lib.NI_MAXHOST,
                           servbuf, lib.NI_MAXSERV, flags)
    if code != 0:
        raise gai_error(code)
    return str(ffi.string(hostbuf).decode()), str(ffi.string(servbuf).decode())


def _hostname(hostname: object, caller: str) -> str | bytes:
    # As CPython's "et" argument: str, bytes or bytearray; None is not "no host".
    if isinstance(hostname, bytearray):
        hostname = bytes(hostname)
    if not isinstance(hostname, (str, bytes)):
        raise TypeError(f"{caller}() argument 1 must be str, bytes or bytearray, not "
                        f"{_validate.type_name(hostname)}")
    if (isinstance(hostname, str) and "\0" in hostname) or (
            isinstance(hostname, bytes) and b"\0" in hostname):
        raise TypeError(f"{caller}() argument 1 must be encoded string without null bytes, "
                        f"not {_validate.type_name(hostname)}")
    return hostname


def gethostbyname(hostname: str, /) -> str:
    """The first IPv4 address of ``hostname`` (through getaddrinfo, thread-safe)."""
    hostname = _hostname(hostname, "gethostbyname")  # type: ignore[assignment]
    # As CPython's setipaddr: "" and "<broadcast>" are addresses, never looked up.
    if hostname in ("", b""):
        return "0.0.0.0"
    if hostname in ("<broadcast>", b"<broadcast>"):
        return "255.255.255.255"
    return str(getaddrinfo(hostname, None, lib.AF_INET)[0][4][0])


def gethostbyname_ex(hostname: str, /) -> tuple[str, list[str], list[str]]:
    """(canonical name, aliases, IPv4 addresses); aliases are not available from getaddrinfo.

    A numeric address is its own name, as gethostbyname_r gives it (no lookup).
    """
    hostname = _hostname(hostname, "gethostbyname_ex")  # type: ignore[assignment]
    try:
        infos = getaddrinfo(hostname, None, lib.AF_INET, lib.SOCK_STREAM, 0,
                            lib.AI_NUMERICHOST)
    except OSError:
        infos = getaddrinfo(hostname, None, lib.AF_INET, lib.SOCK_STREAM, 0, lib.AI_CANONNAME)
    else:
        return os.fsdecode(hostname), [], [str(infos[0][4][0])]
    canonical = infos[0][3] or str(hostname)
    addresses: list[str] = []
    for info in infos:
        if info[4][0] not in addresses:
            addresses.append(info[4][0])
    return canonical, [], addresses


def gethostname() -> str:
    """This machine's host name."""
    buf = ffi.new("char[]", 256)
    if lib.gethostname(buf, 256) == -1:
        raise os_error(ffi.errno)
    return os.fsdecode(ffi.string(buf))


_NO_PROTO: Any = object()


def _proto_arg(proto: object) -> Any:
    if proto is _NO_PROTO:
        return ffi.NULL
    if not isinstance(proto, str):  # None too, as CPython's "|s"
        raise TypeError(f"argument 2 must be str or None, not {_validate.type_name(proto)}")
    return _c_string(proto)


def _c_string(text: str) -> bytes:
    """As CPython's "s": UTF-8, and no NUL inside."""
    if "\0" in text:
        raise ValueError("embedded null character")
    return text.encode()


def getservbyname(servicename: str, protocolname: str = _NO_PROTO, /) -> int:
    """The port number of a service (from /etc/services)."""
    if not isinstance(servicename, str):
        raise TypeError(f"getservbyname() argument 1 must be str, not "
                        f"{_validate.type_name(servicename)}")
    name = _c_string(servicename)
    proto = _proto_arg(protocolname)
    with _static_buffer_lock:
        entry = lib.getservbyname(name, proto)
        if entry == ffi.NULL:
            raise OSError("service/proto not found")
        return int(lib.ntohs(entry.s_port & 0xFFFF))


def getservbyport(port: int, protocolname: str = _NO_PROTO, /) -> str:
    """The service name of a port number (from /etc/services)."""
    port = _validate.c_int(port, "port")  # CPython's "i|s": both parsed, then the range
    proto = _proto_arg(protocolname)
    if not 0 <= port <= 0xFFFF:
        raise OverflowError("getservbyport: port must be 0-65535.")
    with _static_buffer_lock:
        entry = lib.getservbyport(lib.htons(port), proto)
        if entry == ffi.NULL:
            raise OSError("port/proto not found")
        return str(ffi.string(entry.s_name).decode())


# --------------------------------------------------------- descriptors, misc
# As socket.has_ipv6: IPv6 support was compiled in (AF_INET6 is in the binding).
has_ipv6: bool = True


def _fd_number(fd: object) -> int:
    """A descriptor number, as CPython's PyLong_AsSocket_t reads it (a C long).

    A number outside C int range names no descriptor: EBADF, where CPython
    would truncate it to some other, open, descriptor.
    """
    value = _validate.integer(fd, "fd")
    if not -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF:
        raise OverflowError("Python int too large to convert to C long")
    if not -0x80000000 <= value <= 0x7FFFFFFF:
        raise os_error(lib.EBADF)
    return value


def close(fd: int, /) -> None:
    """Close a socket descriptor (ECONNRESET from close() is not an error, as in socket)."""
    if lib.close(_fd_number(fd)) == -1:
        err = ffi.errno
        if err != lib.ECONNRESET:
            raise os_error(err)


def dup(fd: int, /) -> int:
    """A new, non-inheritable (close-on-exec) descriptor for the same socket."""
    new_fd = lib.csock_fcntl(_fd_number(fd), lib.F_DUPFD_CLOEXEC, 0)
    if new_fd == -1:
        raise os_error(ffi.errno)
    return int(new_fd)


def getprotobyname(protocolname: str, /) -> int:
    """The number of a protocol by name (from /etc/protocols): 6 for "tcp"."""
    if not isinstance(protocolname, str):
        raise TypeError(f"getprotobyname() argument 1 must be str, not "
                        f"{_validate.type_name(protocolname)}")
    if "\0" in protocolname:
        raise ValueError("embedded null character")
    name = protocolname.encode()
    with _static_buffer_lock:  # getprotobyname returns a static struct protoent
        entry = lib.getprotobyname(name)
        if entry == ffi.NULL:
            raise OSError("protocol not found")
        return int(entry.p_proto)


# --------------------------------------------------------------- interfaces
def if_nameindex() -> list[tuple[int, str]]:
    """(index, name) of every network interface."""
    array_ = lib.if_nameindex()
    if array_ == ffi.NULL:
        raise os_error(ffi.errno)
    out: list[tuple[int, str]] = []
    try:
        i = 0
        while array_[i].if_index != 0 and i < 0x7FFFFFFF:
            out.append((int(array_[i].if_index), os.fsdecode(ffi.string(array_[i].if_name))))
            i += 1
    finally:
        lib.if_freenameindex(array_)
    return out


def if_nametoindex(if_name: str | bytes, /) -> int:
    """The index of the network interface ``if_name`` (str, bytes or path-like)."""
    name = os.fsencode(if_name)  # as PyUnicode_FSConverter
    if b"\0" in name:
        raise ValueError("embedded null byte")
    index = lib.if_nametoindex(name)
    if index == 0:
        raise OSError("no interface with this name")
    return int(index)


def if_indextoname(if_index: int, /) -> str:
    """The name of the network interface with index ``if_index``."""
    if not isinstance(if_index, int):
        raise TypeError("an integer is required")
    if if_index < 0:
        raise OverflowError("can't convert negative value to unsigned int")
    if if_index > 0xFFFFFFFFFFFFFFFF:
        raise OverflowError("Python int too large to convert to C unsigned long")
    if if_index > 0xFFFFFFFF:
        # As CPython 3.13's socket, on every version: 3.11 and 3.12.1 truncate it
        # to an unsigned int and name some other interface.
        raise OverflowError("index is too large")
    buf = ffi.new("char[]", lib.IF_NAMESIZE + 1)
    if lib.if_indextoname(if_index, buf) == ffi.NULL:
        raise os_error(ffi.errno)
    return os.fsdecode(ffi.string(buf))


# ------------------------------------------------------- reverse resolution
def _ip_sockaddr(name: str | bytes) -> tuple[int, Any]:
    """(family, address) for a name, as CPython's setipaddr(name, AF_UNSPEC) finds it."""
    if name in ("", b""):
        infos = getaddrinfo(None, "0", 0, lib.SOCK_DGRAM, 0, lib.AI_PASSIVE)
        if len(infos) > 1:
            raise OSError("wildcard resolved to multiple address")
    elif name in ("<broadcast>", b"<broadcast>"):
        return lib.AF_INET, ("255.255.255.255", 0)
    else:
        try:
            infos = getaddrinfo(name, None, 0, 0, 0, lib.AI_NUMERICHOST)
        except gaierror:
            infos = getaddrinfo(name, None)
    return infos[0][0], infos[0][4]


def _host_error(code: int) -> OSError:
    """herror for getnameinfo's failures, with the h_errno gethostbyaddr_r would set."""
    h_errno = {lib.EAI_NONAME: lib.HOST_NOT_FOUND, lib.EAI_AGAIN: lib.TRY_AGAIN,
               lib.EAI_FAIL: lib.NO_RECOVERY}.get(code)
    if h_errno is None:
        return gai_error(code)
    return herror(h_errno, ffi.string(lib.hstrerror(h_errno)).decode())


def gethostbyaddr(ip_address: str, /) -> tuple[str, list[str], list[str]]:
    """(host name, aliases, addresses) of an address or host name.

    Through getaddrinfo and getnameinfo (NI_NAMEREQD), which are thread-safe;
    they give no aliases, so the list is always empty. The addresses are the
    one that was looked up, as gethostbyaddr_r gives them.
    """
    name = _hostname(ip_address, "gethostbyaddr")
    family, address = _ip_sockaddr(name)
    sa, length = _address.to_sockaddr(family, address, "gethostbyaddr")
    host = ffi.new("char[]", lib.NI_MAXHOST)
    code = lib.getnameinfo(ffi.cast("struct sockaddr *", sa), length, host, lib.NI_MAXHOST,
                           ffi.NULL, 0, lib.NI_NAMEREQD)
    if code != 0:
        raise _host_error(code)
    return os.fsdecode(ffi.string(host)), [], [str(address[0])]


def getfqdn(name: str = "") -> str:
    """The fully qualified name of ``name`` (this host when empty), as socket.getfqdn.

    The first name with a dot among gethostbyaddr's name and aliases, else its
    name; ``name`` itself when the lookup fails.
    """
    name = name.strip()
    if not name or name in ("0.0.0.0", "::"):
        name = gethostname()
    try:
        hostname, aliases, _addresses = gethostbyaddr(name)
    except OSError:
        return name
    aliases.insert(0, hostname)
    for alias in aliases:
        if "." in alias:
            return alias
    return hostname


# -------------------------------------------------- ancillary data helpers
def CMSG_LEN(length: int, /) -> int:  # socket's name, upper case
    """The cmsg_len of a control message with ``length`` bytes of data (no padding after)."""
    result = cmsg_len(_validate.ssize(length, "length"))
    if result is None:
        raise OverflowError("CMSG_LEN() argument out of range")
    return result


def CMSG_SPACE(length: int, /) -> int:  # socket's name, upper case
    """The buffer space a control message with ``length`` bytes of data takes (padded)."""
    result = cmsg_space(_validate.ssize(length, "length"))
    if result is None:
        raise OverflowError("CMSG_SPACE() argument out of range")
    return result


def send_fds(sock: Socket, buffers: Any, fds: Any, flags: int = 0, address: Any = None,
             /) -> int:
    """Send ``buffers`` and the descriptors ``fds`` (SCM_RIGHTS) over an AF_UNIX socket.

    Unlike socket.send_fds of Python 3.11, ``flags`` and ``address`` are passed on.
    """
    return sock.sendmsg(buffers, [(lib.SOL_SOCKET, lib.SCM_RIGHTS, array.array("i", fds))],
                        flags, address)


def recv_fds(sock: Socket, bufsize: int, maxfds: int,
             flags: int = 0, /) -> tuple[bytes, list[int], int, Any]:
    """(data, descriptors, msg_flags, address): up to ``maxfds`` descriptors (SCM_RIGHTS).

    The descriptors are the caller's to close.
    """
    fds = array.array("i")
    msg, ancdata, msg_flags, address = sock.recvmsg(bufsize, CMSG_LEN(maxfds * fds.itemsize),
                                                    flags)
    for level, kind, data in ancdata:
        if level == lib.SOL_SOCKET and kind == lib.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
    return msg, list(fds), msg_flags, address


# ------------------------------------------------------------ conveniences
def create_connection(
    address: tuple[str | None, int],
    timeout: float | None = _GLOBAL_DEFAULT_TIMEOUT,
    source_address: tuple[str, int] | None = None,
    *,
    all_errors: bool = False,
) -> Socket:
    """Connect to (host, port), trying every address getaddrinfo gives.

    Raises the last error, or with ``all_errors`` an ExceptionGroup of all.
    """
    host, port = address
    exceptions: list[Exception] = []
    for family, type_, proto, _canon, sockaddr in getaddrinfo(host, port, 0,
                                                              lib.SOCK_STREAM):
        sock = None
        try:
            sock = Socket(family, type_, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            exceptions.clear()
            return sock
        except OSError as exc:
            if not all_errors:
                exceptions.clear()
            exceptions.append(exc)
            if sock is not None:
                sock.close()
        except BaseException:
            # A bad timeout or source_address (TypeError...), an interrupt:
            # the socket is closed here, not left to the garbage collector.
            if sock is not None:
                sock.close()
            raise
    if exceptions:
        try:
            if not all_errors:
                raise exceptions[0]
            raise ExceptionGroup("create_connection failed", exceptions)
        finally:
            exceptions.clear()
    raise OSError("getaddrinfo returns an empty list")


def has_dualstack_ipv6() -> bool:
    """Whether an AF_INET6 socket can also accept IPv4 (IPV6_V6ONLY off)."""
    try:
        with Socket(lib.AF_INET6, lib.SOCK_STREAM) as sock:
            sock.setsockopt(lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 0)
            return True
    except OSError:
        return False


def create_server(
    address: tuple[str, int],
    *,
    family: int = lib.AF_INET,
    backlog: int | None = None,
    reuse_port: bool = False,
    dualstack_ipv6: bool = False,
) -> Socket:
    """A listening TCP Socket bound to ``address`` (SO_REUSEADDR set)."""
    if dualstack_ipv6:
        if not has_dualstack_ipv6():
            raise ValueError("dualstack_ipv6 not supported on this platform")
        if family != lib.AF_INET6:
            raise ValueError("dualstack_ipv6 requires AF_INET6 family")
    sock = Socket(family, lib.SOCK_STREAM)
    try:
        sock.setsockopt(lib.SOL_SOCKET, lib.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(lib.SOL_SOCKET, lib.SO_REUSEPORT, 1)
        if family == lib.AF_INET6:
            sock.setsockopt(lib.IPPROTO_IPV6, lib.IPV6_V6ONLY, 0 if dualstack_ipv6 else 1)
        try:
            sock.bind(address)
        except OSError as err:
            raise OSError(err.errno, f"{err.strerror} (while attempting to bind on address "
                                     f"{address!r})") from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except BaseException:
        sock.close()
        raise


__all__ = [
    "htons", "ntohs", "htonl", "ntohl", "inet_aton", "inet_ntoa", "inet_pton", "inet_ntop",
    "getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex", "gethostname",
    "getservbyname", "getservbyport", "create_connection", "create_server",
    "has_dualstack_ipv6", "getdefaulttimeout", "close", "dup", "has_ipv6", "getprotobyname",
    "if_nameindex", "if_nametoindex", "if_indextoname", "gethostbyaddr", "getfqdn", "CMSG_LEN",
    "CMSG_SPACE", "send_fds", "recv_fds",
]
