"""Values and structs in strace's notation: one decoder for ``show`` and the trace.

``show(ptr)`` returns any struct csock declares the way strace prints it in a
system call's arguments (a str whose repr is the text itself)::

    >>> show(servidor)
    {sin_family=AF_INET, sin_port=htons(10000), sin_addr=inet_addr("127.0.0.1")}

The same functions render csock.c's call trace (:mod:`csock._trace`), so a
sockaddr looks the same in both. Two spellings differ on purpose: in a system
call's arguments strace decodes every address as a generic ``struct
sockaddr`` and names its first member ``sa_family``; ``show`` of a typed
struct names it as the struct does (``sin_family``, ``sin6_family``,
``sun_family``, ``ss_family``).

strace's rules reproduced here (strace 6.x, ``src/util.c`` string_quote and
printstr_ex, ``src/sockaddr.c``, ``src/net.c``, ``src/msghdr.c``):

* strings are quoted with ``\\"`` ``\\\\`` ``\\f`` ``\\n`` ``\\r`` ``\\t``
  ``\\v`` escaped, other non-printable bytes in octal with leading zeros
  dropped unless the next byte is an octal digit (``\\1``, but ``\\0015``);
* a buffer longer than *strsize* (strace's ``-s``, 32 by default) is cut at
  strsize bytes and ``...`` follows the closing quote;
* flags are ``A|B`` in strace's table order, unknown bits as ``|0x...``, an
  unknown value as ``0x7 /* SHUT_??? */``.

Everything here reads memory through cffi only (``ffi.buffer``, field
access); it never calls a C function, so ``errno`` is left alone.
"""

from __future__ import annotations

import errno as _errno
import os
import platform
import socket as _pysocket
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from csock._csock import ffi, lib
from csock._i18n import _ as _tr

__all__ = ["Text", "explain", "show"]


class Text(str):
    """What ``show`` and ``explain`` return: a str whose repr is the text itself.

    So ``>>> show(p)`` at the REPL prints the struct as it reads, not a quoted
    string with ``\\n`` escapes, while ``print(show(p))``, ``show(p) == "..."``
    and every str method work as on any str.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

DEFAULT_STRSIZE = 32

# --------------------------------------------------------------------------
# Strings


def _oct(c: int, force3: bool) -> str:
    if force3:
        return f"{c >> 6}{(c >> 3) & 7}{c & 7}"
    return format(c, "o")


_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r",
            0x09: "\\t", 0x0B: "\\v"}


def quote_bytes(data: bytes, *, hex_all: bool = False) -> str:
    """strace's string_quote of all of *data*, with the quotes."""
    if hex_all:
        return '"' + "".join(f"\\x{c:02x}" for c in data) + '"'
    out = ['"']
    n = len(data)
    for i, c in enumerate(data):
        esc = _ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif 0x20 <= c <= 0x7E:
            out.append(chr(c))
        else:
            nxt = data[i + 1] if i + 1 < n else -1
            out.append("\\" + _oct(c, 0x30 <= nxt <= 0x37))
    out.append('"')
    return "".join(out)


def quote(data: bytes, length: int | None = None, strsize: int = DEFAULT_STRSIZE) -> str:
    """A buffer of *length* bytes (default ``len(data)``), as strace's printstrn.

    *data* needs to hold only the first ``min(length, strsize)`` bytes: longer
    buffers are cut there and followed by ``...``.
    """
    if length is None:
        length = len(data)
    size = min(length, strsize, len(data))
    text = quote_bytes(bytes(data[:size]))
    if length > strsize:
        text += "..."
    return text


def quote_cstring(data: bytes, limit: int | None = None) -> str:
    """A NUL-terminated string (a path: strace does not cut those at -s)."""
    end = data.find(b"\0")
    if end < 0:
        end = len(data)
    text = quote_bytes(bytes(data[:end]))
    if limit is not None and end >= limit and data.find(b"\0") < 0:
        text += "..."
    return text


# --------------------------------------------------------------------------
# Symbolic constants


def _table(*names: str, extra: Iterable[tuple[str, int]] = ()) -> list[tuple[str, int]]:
    """(name, value) pairs, values from the compiled binding, in this order."""
    out = [(n, int(getattr(lib, n))) for n in names if hasattr(lib, n)]
    out.extend(extra)
    return out


def xval(value: int, table: Sequence[tuple[str, int]], unknown: str) -> str:
    """One symbolic value, or ``0x7 /* SHUT_??? */``."""
    for name, v in table:
        if v == value:
            return name
    return f"{value:#x} /* {unknown} */"


def flags(value: int, table: Sequence[tuple[str, int]], unknown: str) -> str:
    """strace's printflags: known bits by name in table order, the rest in hex."""
    if value == 0:
        return "0"
    names = []
    rest = value & 0xFFFFFFFFFFFFFFFF if value < 0 else value
    for name, v in table:
        if v and rest & v == v:
            names.append(name)
            rest &= ~v
    if not names:
        return f"{value:#x} /* {unknown} */"
    if rest:
        names.append(f"{rest:#x}")
    return "|".join(names)


ADDRESS_FAMILIES = _table("AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK",
                          "AF_PACKET")
TCP_STATES = _table("TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1",
                    "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT",
                    "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING")
TCPI_OPTIONS = _table("TCPI_OPT_TIMESTAMPS", "TCPI_OPT_SACK", "TCPI_OPT_WSCALE",
                      "TCPI_OPT_ECN")
SOCK_TYPES = _table("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET",
                    extra=[("SOCK_DCCP", 6), ("SOCK_PACKET", 10)])
SOCK_TYPE_FLAGS = _table("SOCK_CLOEXEC", "SOCK_NONBLOCK")
INET_PROTOCOLS = _table("IPPROTO_IP", "IPPROTO_ICMP", "IPPROTO_TCP", "IPPROTO_UDP",
                        "IPPROTO_IPV6", "IPPROTO_ICMPV6", "IPPROTO_RAW")
MSG_FLAGS = [
    ("MSG_OOB", 0x1), ("MSG_PEEK", 0x2), ("MSG_DONTROUTE", 0x4), ("MSG_CTRUNC", 0x8),
    ("MSG_PROBE", 0x10), ("MSG_TRUNC", 0x20), ("MSG_DONTWAIT", 0x40), ("MSG_EOR", 0x80),
    ("MSG_WAITALL", 0x100), ("MSG_FIN", 0x200), ("MSG_SYN", 0x400), ("MSG_CONFIRM", 0x800),
    ("MSG_RST", 0x1000), ("MSG_ERRQUEUE", 0x2000), ("MSG_NOSIGNAL", 0x4000),
    ("MSG_MORE", 0x8000), ("MSG_WAITFORONE", 0x10000), ("MSG_SENDPAGE_NOTLAST", 0x20000),
    ("MSG_BATCH", 0x40000), ("MSG_NO_SHARED_FRAGS", 0x80000),
    ("MSG_SOCK_DEVMEM", 0x2000000), ("MSG_ZEROCOPY", 0x4000000),
    ("MSG_FASTOPEN", 0x20000000), ("MSG_CMSG_CLOEXEC", 0x40000000),
    ("MSG_CMSG_COMPAT", 0x80000000),
]
SHUT_HOW = _table("SHUT_RD", "SHUT_WR", "SHUT_RDWR")
SOCKET_LEVELS = [("SOL_IP", 0), ("SOL_SOCKET", int(lib.SOL_SOCKET)), ("SOL_TCP", 6),
                 ("SOL_UDP", 17), ("SOL_IPV6", 41), ("SOL_ICMPV6", 58), ("SOL_RAW", 255)]
_SO_NAMES = ["SO_DEBUG", "SO_REUSEADDR", "SO_TYPE", "SO_ERROR", "SO_DONTROUTE",
             "SO_BROADCAST", "SO_SNDBUF", "SO_RCVBUF", "SO_KEEPALIVE", "SO_OOBINLINE",
             "SO_LINGER", "SO_REUSEPORT", "SO_PASSCRED", "SO_PEERCRED", "SO_RCVLOWAT",
             "SO_SNDLOWAT", "SO_RCVTIMEO", "SO_SNDTIMEO", "SO_ACCEPTCONN", "SO_DOMAIN",
             "SO_PROTOCOL"]
# strace 6 names the time_t-sized timeouts of 64-bit hosts by their kernel names.
_SO_RENAMED = {"SO_RCVTIMEO": "SO_RCVTIMEO_OLD", "SO_SNDTIMEO": "SO_SNDTIMEO_OLD"}
SOCKET_OPTIONS = [(_SO_RENAMED.get(n, n), v) for n, v in _table(*_SO_NAMES)]
IP_OPTIONS = _table("IP_TOS", "IP_TTL", "IP_MULTICAST_TTL", "IP_MULTICAST_LOOP")
IPV6_OPTIONS = _table("IPV6_UNICAST_HOPS", "IPV6_V6ONLY")
TCP_OPTIONS = _table("TCP_NODELAY", "TCP_MAXSEG", "TCP_CORK", "TCP_KEEPIDLE",
                     "TCP_KEEPINTVL", "TCP_KEEPCNT")
SCM_TYPES = _table("SCM_RIGHTS", "SCM_CREDENTIALS")
POLL_FLAGS = [
    ("POLLIN", 0x1), ("POLLPRI", 0x2), ("POLLOUT", 0x4), ("POLLERR", 0x8), ("POLLHUP", 0x10),
    ("POLLNVAL", 0x20), ("POLLRDNORM", 0x40), ("POLLRDBAND", 0x80), ("POLLWRNORM", 0x100),
    ("POLLWRBAND", 0x200), ("POLLMSG", 0x400), ("POLLREMOVE", 0x1000),
    ("POLLRDHUP", 0x2000),
]
# strace's order (its epollevents table), values from the binding.
EPOLL_FLAGS = _table("EPOLLIN", "EPOLLPRI", "EPOLLOUT", "EPOLLRDNORM", "EPOLLRDBAND",
                     "EPOLLWRNORM", "EPOLLWRBAND", "EPOLLMSG", "EPOLLERR", "EPOLLHUP",
                     "EPOLLRDHUP", "EPOLLEXCLUSIVE", "EPOLLWAKEUP", "EPOLLONESHOT", "EPOLLET")
EPOLL_CTL_OPS = _table("EPOLL_CTL_ADD", "EPOLL_CTL_DEL", "EPOLL_CTL_MOD")
EPOLL_CREATE_FLAGS = _table("EPOLL_CLOEXEC")
AI_FLAGS = _table("AI_PASSIVE", "AI_CANONNAME", "AI_NUMERICHOST", "AI_V4MAPPED", "AI_ALL",
                  "AI_ADDRCONFIG", "AI_NUMERICSERV")

# open(2) flags, strace's order (src/xlat/open_mode_flags.in). Values the
# binding lacks are the kernel's, which differ between architectures.
if platform.machine() in ("aarch64", "arm64", "armv7l", "armv8l"):
    _ARCH_O = {"O_DIRECTORY": 0o40000, "O_NOFOLLOW": 0o100000, "O_DIRECT": 0o200000,
               "O_LARGEFILE": 0o400000}
else:
    _ARCH_O = {"O_DIRECT": 0o40000, "O_LARGEFILE": 0o100000, "O_DIRECTORY": 0o200000,
               "O_NOFOLLOW": 0o400000}
_O_ACCMODE = 3
OPEN_ACCESS = _table("O_RDONLY", "O_WRONLY", "O_RDWR")
OPEN_FLAGS = [
    ("O_CREAT", int(lib.O_CREAT)), ("O_EXCL", int(lib.O_EXCL)), ("O_NOCTTY", 0o400),
    ("O_TRUNC", int(lib.O_TRUNC)), ("O_APPEND", int(lib.O_APPEND)),
    ("O_NONBLOCK", int(lib.O_NONBLOCK)), ("O_SYNC", 0o4010000), ("__O_SYNC", 0o4000000),
    ("O_DSYNC", 0o10000), ("O_DIRECT", _ARCH_O["O_DIRECT"]),
    ("O_LARGEFILE", _ARCH_O["O_LARGEFILE"]), ("O_NOFOLLOW", _ARCH_O["O_NOFOLLOW"]),
    ("O_NOATIME", 0o1000000), ("O_CLOEXEC", int(lib.O_CLOEXEC)), ("O_PATH", 0o10000000),
    ("O_TMPFILE", 0o20000000 | _ARCH_O["O_DIRECTORY"]), ("__O_TMPFILE", 0o20000000),
    ("O_DIRECTORY", _ARCH_O["O_DIRECTORY"]), ("FASYNC", 0o20000),
]
O_TMPFILE = 0o20000000
FCNTL_CMDS = _table("F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL", "F_DUPFD_CLOEXEC")
FD_FLAGS = _table("FD_CLOEXEC")

# Linux's names for error numbers, as strace prints them (errno.errorcode
# picks other aliases for a few).
_ERRNO_NAMES = dict(_errno.errorcode)
for _name in ("EAGAIN", "EDEADLK", "EOPNOTSUPP"):
    if hasattr(_errno, _name):
        _ERRNO_NAMES[getattr(_errno, _name)] = _name


def errno_name(err: int) -> str:
    return _ERRNO_NAMES.get(err, f"E???({err})")


def error_result(err: int) -> str:
    """``-1 ECONNREFUSED (Connection refused)``."""
    return f"-1 {errno_name(err)} ({os.strerror(err)})"


def open_flags(value: int) -> str:
    """``O_WRONLY|O_CREAT|O_TRUNC``, as strace's tprint_open_modes."""
    acc = xval(value & _O_ACCMODE, OPEN_ACCESS, "O_???")
    rest = value & ~_O_ACCMODE
    if not rest:
        return acc
    return acc + "|" + flags(rest, OPEN_FLAGS, "O_???").split(" /* ")[0]


def umode(mode: int) -> str:
    """strace's ``%#03o``: 0644, 000."""
    text = "0" + format(mode, "o") if mode else "0"
    return text.rjust(3, "0")


def sock_type(value: int) -> str:
    base = value & 0xF
    for name, v in SOCK_TYPES:
        if v == base:
            extra = value & ~0xF
            return name if not extra else name + "|" + flags(extra, SOCK_TYPE_FLAGS, "SOCK_???")
    return flags(value, SOCK_TYPE_FLAGS, "SOCK_???")


def sockopt_names(level: int) -> tuple[Sequence[tuple[str, int]], str] | None:
    if level == lib.SOL_SOCKET:
        return SOCKET_OPTIONS, "SO_???"
    if level == 0:
        return IP_OPTIONS, "IP_???"
    if level == 41:
        return IPV6_OPTIONS, "IPV6_???"
    if level == 6:
        return TCP_OPTIONS, "TCP_???"
    return None


# --------------------------------------------------------------------------
# Memory


def address(ptr: Any) -> str:
    """A pointer as strace prints one it does not decode: NULL or 0x7ffc..."""
    if ptr is None:
        return "NULL"
    if isinstance(ptr, int):
        return f"{ptr:#x}" if ptr else "NULL"
    if isinstance(ptr, (bytes, bytearray, memoryview)):
        # A Python buffer passed for a pointer: its address, as cffi passes it.
        with ffi.from_buffer(ptr) as view:
            return f"{int(ffi.cast('uintptr_t', view)):#x}"
    value = int(ffi.cast("uintptr_t", ptr))
    return f"{value:#x}" if value else "NULL"


def is_null(ptr: Any) -> bool:
    if ptr is None:
        return True
    if isinstance(ptr, (bytes, bytearray, memoryview)):
        return False
    if isinstance(ptr, int):
        return ptr == 0
    return bool(ptr == ffi.NULL)


def read_path(ptr: Any) -> bytes:
    """A NUL-terminated string argument (bytes, or a char * cdata)."""
    if isinstance(ptr, (bytes, bytearray)):
        return bytes(ptr)
    return bytes(ffi.string(ffi.cast("char *", ptr)))


def read_mem(ptr: Any, n: int) -> bytes:
    """Up to *n* bytes at *ptr* (cdata pointer or array, or a Python buffer)."""
    if n <= 0:
        return b""
    if isinstance(ptr, (bytes, bytearray, memoryview)):
        return bytes(memoryview(ptr).cast("B")[:n])
    return bytes(ffi.buffer(ffi.cast("char *", ptr), n))


# --------------------------------------------------------------------------
# Addresses


_LITTLE = sys.byteorder == "little"
_OFF_FAMILY = ffi.offsetof("struct sockaddr", "sa_family")
_SZ_FAMILY = ffi.sizeof(ffi.typeof("struct sockaddr").fields[0][1].type)
_SIN_PORT = ffi.offsetof("struct sockaddr_in", "sin_port")
_SIN_ADDR = ffi.offsetof("struct sockaddr_in", "sin_addr")
_SIN_SIZE = ffi.sizeof("struct sockaddr_in")
_SIN6_PORT = ffi.offsetof("struct sockaddr_in6", "sin6_port")
_SIN6_FLOW = ffi.offsetof("struct sockaddr_in6", "sin6_flowinfo")
_SIN6_ADDR = ffi.offsetof("struct sockaddr_in6", "sin6_addr")
_SIN6_SCOPE = ffi.offsetof("struct sockaddr_in6", "sin6_scope_id")
_SUN_PATH = ffi.offsetof("struct sockaddr_un", "sun_path")
_SUN_SIZE = ffi.sizeof("struct sockaddr_un")
_STORAGE_SIZE = ffi.sizeof("struct sockaddr_storage")


def _native_u(data: bytes, off: int, size: int) -> int:
    return int.from_bytes(data[off:off + size], "little" if _LITTLE else "big")




def in_addr(data: bytes) -> str:
    """``inet_addr("127.0.0.1")`` for the 4 bytes of a struct in_addr."""
    return f'inet_addr("{_pysocket.inet_ntop(_pysocket.AF_INET, bytes(data[:4]))}")'


def in6_addr(data: bytes, var: str | None) -> str:
    """``inet_pton(AF_INET6, "::1", &sin6_addr)`` for a struct in6_addr."""
    text = _pysocket.inet_ntop(_pysocket.AF_INET6, bytes(data[:16]))
    return f'inet_pton(AF_INET6, "{text}"' + (f", &{var})" if var else ")")


def _ifindex(index: int) -> str:
    try:
        return f'if_nametoindex("{_pysocket.if_indextoname(index)}")'
    except OSError:
        return str(index)


def sockaddr_fields(data: bytes, addrlen: int, prefix: str | None = None) -> list[str]:
    """The members of a socket address after its family, as strace prints them.

    *prefix* None names the family member ``sa_family`` (strace's system call
    arguments); ``"sin"`` etc. name it after a typed struct.
    """
    fam = _native_u(data, _OFF_FAMILY, _SZ_FAMILY)
    famname = xval(fam, ADDRESS_FAMILIES, "AF_???")
    family_field = "sa_family"
    if prefix is not None:
        family_field = prefix
    out = [f"{family_field}={famname}"]
    if addrlen <= _SZ_FAMILY:
        return out
    if fam == lib.AF_INET and addrlen >= _SIN_SIZE:
        port = int.from_bytes(data[_SIN_PORT:_SIN_PORT + 2], "big")
        out.append(f"sin_port=htons({port})")
        out.append("sin_addr=" + in_addr(data[_SIN_ADDR:_SIN_ADDR + 4]))
    elif fam == lib.AF_INET6 and addrlen >= _SIN6_SCOPE:
        port = int.from_bytes(data[_SIN6_PORT:_SIN6_PORT + 2], "big")
        flow = int.from_bytes(data[_SIN6_FLOW:_SIN6_FLOW + 4], "big")
        raw = data[_SIN6_ADDR:_SIN6_ADDR + 16]
        out.append(f"sin6_port=htons({port})")
        out.append(f"sin6_flowinfo=htonl({flow})")
        out.append(in6_addr(raw, "sin6_addr"))
        if addrlen > _SIN6_SCOPE:
            scope = _native_u(data, _SIN6_SCOPE, 4)
            linklocal = raw[0] == 0xFE and (raw[1] & 0xC0) == 0x80
            mc_linklocal = raw[0] == 0xFF and (raw[1] & 0x0F) == 0x2
            value = _ifindex(scope) if (linklocal or mc_linklocal) else str(scope)
            out.append(f"sin6_scope_id={value}")
    elif fam == lib.AF_UNIX and addrlen >= _SZ_FAMILY + 1:
        un_len = min(addrlen, _SUN_SIZE)
        path = data[_SUN_PATH:un_len]
        if path[:1] != b"\0":
            out.append("sun_path=" + quote_cstring(path))
        else:
            out.append('sun_path=@' + quote_bytes(bytes(path[1:])))
    else:
        out.append("sa_data=" + quote_bytes(bytes(data[_SZ_FAMILY:addrlen])))
    return out


def sockaddr(data: bytes, addrlen: int) -> str:
    """A socket address argument, exactly as strace decodes one."""
    return "{" + ", ".join(sockaddr_fields(data, addrlen)) + "}"


def sockaddr_arg(ptr: Any, addrlen: int) -> str:
    """strace's decode_sockaddr: NULL or an address for short lengths."""
    if addrlen < 2 or is_null(ptr):
        return address(ptr)
    n = min(addrlen, _STORAGE_SIZE)
    return sockaddr(read_mem(ptr, n), n)


# --------------------------------------------------------------------------
# Structs


def fd_set_list(ptr: Any, nfds: int | None = None) -> list[int]:
    """The descriptors in an fd_set (below *nfds* if given)."""
    data = read_mem(ptr, ffi.sizeof("fd_set"))
    limit = len(data) * 8 if nfds is None else min(nfds, len(data) * 8)
    word = ffi.sizeof("long")
    fds = []
    for fd in range(limit):
        w, bit = divmod(fd, word * 8)
        value = _native_u(data, w * word, word)
        if value >> bit & 1:
            fds.append(fd)
    return fds


def fd_set_text(fds: Sequence[int]) -> str:
    return "[" + " ".join(str(fd) for fd in fds) + "]"


def timeval(ptr: Any) -> str:
    return f"{{tv_sec={int(ptr.tv_sec)}, tv_usec={int(ptr.tv_usec)}}}"


def linger(ptr: Any) -> str:
    return f"{{l_onoff={int(ptr.l_onoff)}, l_linger={int(ptr.l_linger)}}}"


def pollfd(ptr: Any, events: bool = True, revents: bool = True) -> str:
    parts = [f"fd={int(ptr.fd)}"]
    if events:
        parts.append("events=" + flags(int(ptr.events) & 0xFFFF, POLL_FLAGS, "POLL???"))
    if revents:
        parts.append("revents=" + flags(int(ptr.revents) & 0xFFFF, POLL_FLAGS, "POLL???"))
    return "{" + ", ".join(parts) + "}"


def epoll_event(ev: Any) -> str:
    """``{events=EPOLLIN|EPOLLET, data={u32=3, u64=3}}``, as strace prints one."""
    u64 = int(ev.data.u64)
    return (f"{{events={flags(int(ev.events), EPOLL_FLAGS, 'EPOLL???')}, "
            f"data={{u32={u64 & 0xFFFFFFFF}, u64={u64}}}}}")


def iovec_list(iov: Any, count: int, data_size: int | None, strsize: int) -> str:
    """``[{iov_base="hola", iov_len=4}]``; *data_size* caps the bytes shown."""
    items = []
    left = data_size
    for i in range(count):
        base, length = iov[i].iov_base, int(iov[i].iov_len)
        shown = length if left is None else min(length, left)
        if left is not None:
            left -= shown
        if is_null(base):
            text = "NULL"
        else:
            text = quote(read_mem(base, min(shown, strsize)), shown, strsize)
        items.append(f"{{iov_base={text}, iov_len={length}}}")
    return "[" + ", ".join(items) + "]"


def _cmsg_data(level: int, ctype: int, data: bytes) -> str:
    if level == lib.SOL_SOCKET and ctype == lib.SCM_RIGHTS:
        fds = [int.from_bytes(data[i:i + 4], "little" if _LITTLE else "big", signed=True)
               for i in range(0, len(data) - len(data) % 4, 4)]
        return "cmsg_type=SCM_RIGHTS, cmsg_data=[" + ", ".join(map(str, fds)) + "]"
    if level == lib.SOL_SOCKET and ctype == lib.SCM_CREDENTIALS and len(data) >= 12:
        pid, uid, gid = (_native_u(data, i, 4) for i in (0, 4, 8))
        return f"cmsg_type=SCM_CREDENTIALS, cmsg_data={{pid={pid}, uid={uid}, gid={gid}}}"
    typ = xval(ctype, SCM_TYPES, "SCM_???") if level == lib.SOL_SOCKET else f"{ctype:#x}"
    return f"cmsg_type={typ}, cmsg_data={quote_bytes(data)}"


def cmsg_list(control: Any, controllen: int) -> str:
    """The control messages of a msghdr, as strace's decode_msg_control."""
    hdr = ffi.sizeof("struct cmsghdr")
    align = ffi.sizeof("size_t")
    buf = read_mem(control, controllen)
    items = []
    off = 0
    while off + hdr <= len(buf):
        c = ffi.cast("struct cmsghdr *", ffi.from_buffer(buf[off:off + hdr]))
        clen, level, ctype = int(c.cmsg_len), int(c.cmsg_level), int(c.cmsg_type)
        body = buf[off + hdr:off + min(clen, len(buf) - off)]
        items.append(f"{{cmsg_len={clen}, cmsg_level={xval(level, SOCKET_LEVELS, 'SOL_???')}, "
                     + _cmsg_data(level, ctype, body) + "}")
        if clen < hdr:
            break
        off += -(-clen // align) * align
    if off < len(buf) and items:
        items.append("...")
    return "[" + ", ".join(items) + "]"


def msghdr(msg: Any, data_size: int | None, strsize: int,
           user_namelen: int | None = None) -> str:
    """A struct msghdr, as strace's print_struct_msghdr."""
    namelen = int(msg.msg_namelen)
    shown_namelen = namelen if user_namelen is None else min(namelen, user_namelen)
    parts = ["msg_name=" + sockaddr_arg(msg.msg_name, shown_namelen)]
    if user_namelen is not None and user_namelen != namelen:
        parts.append(f"msg_namelen={user_namelen} => {namelen}")
    else:
        parts.append(f"msg_namelen={namelen}")
    iovlen = int(msg.msg_iovlen)
    if is_null(msg.msg_iov):
        parts.append("msg_iov=NULL")
    else:
        parts.append("msg_iov=" + iovec_list(msg.msg_iov, iovlen, data_size, strsize))
    parts.append(f"msg_iovlen={iovlen}")
    controllen = int(msg.msg_controllen)
    if controllen:
        if is_null(msg.msg_control):
            parts.append("msg_control=NULL")
        else:
            parts.append("msg_control=" + cmsg_list(msg.msg_control, controllen))
    parts.append(f"msg_controllen={controllen}")
    parts.append("msg_flags=" + flags(int(msg.msg_flags), MSG_FLAGS, "MSG_???"))
    return "{" + ", ".join(parts) + "}"


def cstring(ptr: Any) -> str:
    if is_null(ptr):
        return "NULL"
    return quote_bytes(ffi.string(ffi.cast("char *", ptr)))


def _string_list(ptr: Any) -> str:
    if is_null(ptr):
        return "NULL"
    items = []
    i = 0
    while not is_null(ptr[i]):
        items.append(cstring(ptr[i]))
        i += 1
    return "[" + ", ".join(items) + "]"


def hostent(h: Any) -> str:
    addrtype, length = int(h.h_addrtype), int(h.h_length)
    addrs = []
    if not is_null(h.h_addr_list):
        i = 0
        while not is_null(h.h_addr_list[i]):
            raw = read_mem(h.h_addr_list[i], length)
            if addrtype == lib.AF_INET and length == 4:
                addrs.append(in_addr(raw))
            elif addrtype == lib.AF_INET6 and length == 16:
                addrs.append(in6_addr(raw, None))
            else:
                addrs.append(quote_bytes(raw, hex_all=True))
            i += 1
    return (f"{{h_name={cstring(h.h_name)}, h_aliases={_string_list(h.h_aliases)}, "
            f"h_addrtype={xval(addrtype, ADDRESS_FAMILIES, 'AF_???')}, h_length={length}, "
            f"h_addr_list=[{', '.join(addrs)}]}}")


def servent(s: Any) -> str:
    port = int(s.s_port) & 0xFFFF
    port = int.from_bytes(port.to_bytes(2, "little" if _LITTLE else "big"), "big")
    return (f"{{s_name={cstring(s.s_name)}, s_aliases={_string_list(s.s_aliases)}, "
            f"s_port=htons({port}), s_proto={cstring(s.s_proto)}}}")


def _protocol(family: int, proto: int) -> str:
    if family in (lib.AF_INET, lib.AF_INET6, lib.AF_UNSPEC):
        return xval(proto, INET_PROTOCOLS, "IPPROTO_???")
    return str(proto)


def addrinfo(ai: Any, chain: bool = True) -> str:
    """One addrinfo, or with *chain* the whole ai_next list as ``[{...}, ...]``."""
    items = []
    node = ai
    seen = 0
    while not is_null(node) and seen < 1024:
        family, alen = int(node.ai_family), int(node.ai_addrlen)
        fields = [
            "ai_flags=" + flags(int(node.ai_flags), AI_FLAGS, "AI_???"),
            "ai_family=" + xval(family, ADDRESS_FAMILIES, "AF_???"),
            "ai_socktype=" + (sock_type(int(node.ai_socktype)) if node.ai_socktype else "0"),
            "ai_protocol=" + _protocol(family, int(node.ai_protocol)),
            f"ai_addrlen={alen}",
            "ai_addr=" + sockaddr_arg(node.ai_addr, alen),
            "ai_canonname=" + cstring(node.ai_canonname),
        ]
        if not chain:
            fields.append("ai_next=" + address(node.ai_next))
            return "{" + ", ".join(fields) + "}"
        items.append("{" + ", ".join(fields) + "}")
        node = node.ai_next
        seen += 1
    return "[" + ", ".join(items) + "]"


def _typed_sockaddr(ptr: Any, size: int, name: str, addrlen: int | None) -> str:
    data = read_mem(ptr, size)
    n = size if addrlen is None else min(addrlen, size)
    fam = _native_u(data, _OFF_FAMILY, _SZ_FAMILY)
    if addrlen is None and fam == lib.AF_UNIX:
        # No length given: an abstract name ends at its last non-NUL byte.
        path = data[_SUN_PATH:]
        if path[:1] == b"\0":
            n = _SUN_PATH + 1 + len(path[1:].rstrip(b"\0"))
    prefix = {"sockaddr_in": "sin_family", "sockaddr_in6": "sin6_family",
              "sockaddr_un": "sun_family", "sockaddr_storage": "ss_family",
              "sockaddr": "sa_family"}[name]
    return "{" + ", ".join(sockaddr_fields(data, n, prefix)) + "}"


def _struct_name(ctype: Any) -> str:
    cname: str = ctype.cname
    return cname.split(" ", 1)[1] if cname.startswith(("struct ", "union ")) else cname


def show(obj: Any, length: int | None = None, strsize: int = DEFAULT_STRSIZE) -> Text:
    """A struct (pointer, struct value or array of structs) in strace's notation.

    *length* is the byte length for socket addresses (like addrlen: what
    strace knows from a call's arguments); without it the whole struct is
    decoded, and an abstract AF_UNIX name ends at its last non-NUL byte.
    *strsize* cuts buffers (msghdr, iovec) as strace's ``-s``. Returns the
    text (a :class:`Text`: the REPL shows it as it reads); prints nothing.
    """
    return Text(_show(obj, length, strsize))


def explain(ptr: Any, length: int | None = None) -> Text:
    """A struct's bytes, explained: hex, each member's offsets and meaning.

    *ptr* is a pointer to any struct csock declares (or the struct itself),
    a learner's own included; *length* the addrlen a call would be given,
    where it matters (an abstract AF_UNIX name). Holes, tail padding and bytes
    the binding does not declare are marked; numbers in network byte order
    say how they would be stored in host order. The same text as
    ``python -m csock explain``; fits 80 columns but for the last line, the
    struct as strace prints it. A NULL pointer is a ValueError. Returns the
    text (a :class:`Text`); prints nothing.
    """
    from csock import layout

    return Text(layout.dump(ptr, length))


def _show(obj: Any, length: int | None = None, strsize: int = DEFAULT_STRSIZE) -> str:
    ctype = ffi.typeof(obj)
    if ctype.kind == "array":
        count = ctype.length if ctype.length is not None else len(obj)
        return "[" + ", ".join(show(obj + i, length, strsize) if ctype.item.kind == "struct"
                               else str(obj[i]) for i in range(count)) + "]"
    if ctype.kind == "struct":
        obj = ffi.addressof(obj)
        ctype = ffi.typeof(obj)
    if ctype.kind != "pointer" or ctype.item.kind not in ("struct", "union"):
        raise TypeError(f"show() takes a pointer to a struct csock declares, not {ctype.cname}")
    if obj == ffi.NULL:
        return "NULL"
    name = _struct_name(ctype.item)
    size = ffi.sizeof(ctype.item)
    if name in ("sockaddr_in", "sockaddr_in6", "sockaddr_un", "sockaddr_storage", "sockaddr"):
        return _typed_sockaddr(obj, size, name, length)
    if name == "in_addr":
        return "{s_addr=" + in_addr(read_mem(obj, 4)) + "}"
    if name == "in6_addr":
        return "{s6_addr=" + in6_addr(read_mem(obj, 16), None) + "}"
    if name == "linger":
        return linger(obj)
    if name == "timeval":
        return timeval(obj)
    if name == "pollfd":
        return pollfd(obj)
    if name == "fd_set":
        return fd_set_text(fd_set_list(obj))
    if name == "iovec":
        return iovec_list(obj, 1, None, strsize)[1:-1]
    if name == "msghdr":
        return msghdr(obj, None, strsize)
    if name == "cmsghdr":
        clen = int(obj.cmsg_len)
        return cmsg_list(obj, max(clen, ffi.sizeof("struct cmsghdr")))[1:-1]
    if name == "hostent":
        return hostent(obj)
    if name == "servent":
        return servent(obj)
    if name == "addrinfo":
        return addrinfo(obj)
    if name == "tcp_info":
        return tcp_info(obj)
    if name == "epoll_event":
        return epoll_event(obj)
    return _generic(obj, ctype.item)


def tcp_info(info: Any) -> str:
    """getsockopt(TCP_INFO)'s struct: the state and option bits by name, the rest
    as numbers (times in microseconds: tcpi_rto, tcpi_rtt, tcpi_rttvar...)."""
    named = {"tcpi_state": xval(int(info.tcpi_state), TCP_STATES, "TCP_???"),
             "tcpi_options": flags(int(info.tcpi_options), TCPI_OPTIONS, "TCPI_OPT_???")}
    parts = [f"{fname}={named.get(fname, int(getattr(info, fname)))}"
             for fname, _f in ffi.typeof(info).item.fields or []]
    return "{" + ", ".join(parts) + "}"


def _generic(obj: Any, ctype: Any) -> str:
    """Any other struct: its declared members, numbers and nested structs."""
    parts = []
    for fname, cfield in ctype.fields or []:
        value = getattr(obj, fname)
        kind = cfield.type.kind
        if kind in ("struct", "union"):
            parts.append(f"{fname}={show(ffi.addressof(obj, fname))}")
        elif kind == "pointer":
            parts.append(f"{fname}={address(value)}")
        elif kind == "array":
            raw = read_mem(ffi.addressof(obj, fname), ffi.sizeof(cfield.type))
            parts.append(f"{fname}={quote_bytes(raw)}")
        else:
            parts.append(f"{fname}={int(value)}")
    return "{" + ", ".join(parts) + "}"


# --------------------------------------------------------------------------
# One field's bytes, explained (csock.layout.dump, python -m csock explain)


def hexbytes(data: bytes, limit: int = 16) -> str:
    """``27 10``; longer spans are cut after *limit* bytes."""
    text = " ".join(f"{b:02x}" for b in data[:limit])
    if len(data) > limit:
        text += f" ... ({len(data)} bytes)"
    return text


def _host_order_note(value: int, size: int) -> str:
    if not _LITTLE:
        return _tr("; this host is big-endian, so hton{s} changed nothing").format(
            s="s" if size == 2 else "l")
    stored = value.to_bytes(size, "little")
    return _tr("; in host order {value} would be stored {hex}").format(
        value=value, hex=hexbytes(stored))


def explain_field(name: str, ctype: Any, data: bytes, addrlen: int | None = None) -> str:
    """What the bytes of one struct member mean, in words and strace's notation."""
    size = len(data)
    if name.endswith("_family") and size == _SZ_FAMILY:
        v = _native_u(data, 0, size)
        return _tr("{family} ({v}): host byte order").format(
            family=xval(v, ADDRESS_FAMILIES, 'AF_???'), v=v)
    if name in ("sin_port", "sin6_port") and size == 2:
        p = int.from_bytes(data, "big")
        return (_tr("htons({p}): network byte order, {p} = {hex}").format(p=p, hex=f"{p:#06x}")
                + _host_order_note(p, 2))
    if name in ("sin_addr", "s_addr") and size == 4:
        v = int.from_bytes(data, "big")
        return (_tr("{addr}: network byte order, {hex}").format(addr=in_addr(data),
                                                                hex=f"{v:#010x}")
                + _host_order_note(v, 4))
    if name in ("sin6_addr", "s6_addr") and size == 16:
        return in6_addr(data, None) + _tr(": 16 bytes, network byte order")
    if name == "sin6_flowinfo" and size == 4:
        v = int.from_bytes(data, "big")
        return _tr("htonl({v}): network byte order").format(v=v) + _host_order_note(v, 4)
    if name == "sin6_scope_id":
        return _tr("{v}: interface index, host byte order").format(v=_native_u(data, 0, size))
    if name == "sin_zero":
        return (_tr("unused: must be zero (it is)") if not any(data)
                else _tr("unused: must be zero (it is NOT)"))
    if name == "sun_path":
        if data[:1] == b"\0" and any(data):
            n = len(data[1:].rstrip(b"\0")) if addrlen is None else addrlen - _SUN_PATH - 1
            return _tr("abstract name @{name}: a NUL first byte, then the name (its length "
                       "comes from addrlen)").format(name=quote_bytes(bytes(data[1:1 + n])))
        end = data.find(b"\0")
        end = len(data) if end < 0 else end
        return _tr("path {path}, then a NUL; {n} bytes unused").format(
            path=quote_bytes(bytes(data[:end])), n=max(0, len(data) - end - 1))
    kind = ctype.kind
    if kind == "primitive" and ctype.cname not in ("char", "float", "double"):
        signed = ffi.cast(ctype, -1) < 0
        v = int.from_bytes(data, "little" if _LITTLE else "big", signed=bool(signed))
        return _tr("{v}: host byte order").format(v=v)
    if kind == "pointer":
        v = _native_u(data, 0, size)
        return _tr("pointer {hex}").format(hex=f"{v:#x}") if v else "NULL"
    if kind == "array" and ctype.item.cname == "char":
        return quote_bytes(bytes(data))
    return _tr("{n} bytes").format(n=size)


def span_note(kind: str, data: bytes) -> str:
    zero = _tr(" (zero)") if not any(data) else _tr(" (not zero)")
    if kind == "hole":
        return _tr("hole: padding the compiler put before the next member, for its "
                   "alignment") + zero
    if kind == "padding":
        return _tr("tail padding: rounds the size up to the struct's alignment") + zero
    return _tr("opaque: bytes the binding does not declare (libc-private members or "
               "padding)") + zero
