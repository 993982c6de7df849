"""csock.c, the raw C namespace, against the real kernel.

Only loopback (127.0.0.1, ::1) and AF_UNIX sockets in temporary directories are
used; the only name looked up is ``localhost``. Every blocking step is preceded
by a poll with a timeout, or the descriptor is non-blocking.

Python's own ``socket``, ``os``, ``errno``, ``fcntl`` and ``select`` modules are
the independent reference for constants and, where they can talk to the same
descriptor, for behaviour.
"""

from __future__ import annotations

import errno
import fcntl as py_fcntl
import locale as py_locale
import os
import select as py_select
import shutil
import signal as py_signal
import socket
import stat as py_stat
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csock.c as c
from csock import _constants, _libc
from csock._csock import ffi, lib
from csock.c import (
    AF_INET,
    INADDR_ANY,
    NULL,
    SOCK_STREAM,
    accept,
    bind,
    bzero,
    cast,
    close,
    connect,
    htons,
    inet_addr,
    listen,
    new,
    ntohs,
    recv,
    send,
    sizeof,
    string,
)
from csock.c import socket as c_socket

TIMEOUT = 5.0  # seconds for any single wait

# --------------------------------------------------------------------------
# helpers


class Fds:
    """Descriptors a test opened; whatever is left is closed at teardown."""

    def __init__(self) -> None:
        self.fds: list[int] = []

    def add(self, fd: int) -> int:
        assert fd >= 0, f"expected a descriptor, got {fd}: {os.strerror(c.errno)}"
        self.fds.append(fd)
        return fd

    def close(self, fd: int) -> None:
        self.fds.remove(fd)
        assert c.close(fd) == 0

    def close_all(self) -> None:
        for fd in reversed(self.fds):
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds.clear()


@pytest.fixture
def fds() -> Iterator[Fds]:
    tracker = Fds()
    try:
        yield tracker
    finally:
        tracker.close_all()


@pytest.fixture
def short_dir() -> Iterator[str]:
    """A temp dir with a short path (sun_path holds only 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cs", dir="/tmp")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def assert_fails(rc: Any, expected_errno: int) -> None:
    """rc is C's failure value (-1 or NULL) and c.errno is expected_errno."""
    got = c.errno  # read first: nothing may run a C call before this
    if isinstance(rc, int):
        assert rc == -1, f"expected -1, got {rc}"
    else:
        assert rc == NULL, f"expected NULL, got {rc}"
    assert got == expected_errno, (
        f"errno {errno.errorcode.get(got, got)}, expected {errno.errorcode[expected_errno]}"
    )


def sockaddr_in(addr: bytes = b"127.0.0.1", port: int = 0) -> Any:
    sa = new("struct sockaddr_in *")
    sa.sin_family = c.AF_INET
    sa.sin_port = c.htons(port)
    sa.sin_addr.s_addr = c.inet_addr(addr)
    return sa


def sockaddr_in6(addr: bytes = b"::1", port: int = 0) -> Any:
    sa = new("struct sockaddr_in6 *")
    sa.sin6_family = c.AF_INET6
    sa.sin6_port = c.htons(port)
    assert c.inet_pton(c.AF_INET6, addr, sa.sin6_addr.s6_addr) == 1
    return sa


def sockaddr_un(path: str) -> Any:
    sa = new("struct sockaddr_un *")
    sa.sun_family = c.AF_UNIX
    sa.sun_path = path.encode()
    return sa


def as_sa(p: Any) -> Any:
    return cast("struct sockaddr *", p)


def local_port(fd: int) -> int:
    sa = new("struct sockaddr_in *")
    n = new("socklen_t *", sizeof(sa[0]))
    assert c.getsockname(fd, as_sa(sa), n) == 0
    return int(c.ntohs(sa.sin_port))


def wait_readable(fd: int, timeout: float = TIMEOUT) -> None:
    poller = py_select.poll()
    poller.register(fd, py_select.POLLIN)
    assert poller.poll(int(timeout * 1000)), f"fd {fd} not readable within {timeout}s"


def tcp_listener(fds: Fds, flags: int = 0) -> tuple[int, int]:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM | flags, 0))
    sa = sockaddr_in()
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    assert c.listen(fd, 8) == 0
    return fd, local_port(fd)


def tcp_connect(fds: Fds, port: int) -> int:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in(port=port)
    assert c.connect(fd, as_sa(sa), sizeof(sa[0])) == 0
    return fd


def tcp_pair(fds: Fds) -> tuple[int, int, int]:
    """(listener, client, accepted server side), all csock descriptors."""
    listener, port = tcp_listener(fds)
    client = tcp_connect(fds, port)
    wait_readable(listener)
    server = fds.add(c.accept(listener, NULL, NULL))
    return listener, client, server


def unix_pair(fds: Fds, kind: int = c.SOCK_STREAM) -> tuple[int, int]:
    sv = new("int[2]")
    assert c.socketpair(c.AF_UNIX, kind, 0, sv) == 0
    return fds.add(sv[0]), fds.add(sv[1])


def send_all(fd: int, data: bytes) -> None:
    assert c.send(fd, data, len(data), c.MSG_NOSIGNAL) == len(data)


def recv_some(fd: int, size: int = 4096, flags: int = 0) -> bytes:
    wait_readable(fd)
    buf = new("char[]", size)
    n = c.recv(fd, buf, size, flags)
    assert n >= 0, os.strerror(c.errno)
    return bytes(c.buffer(buf, n))


def getint_opt(fd: int, level: int, name: int) -> int:
    val = new("int *")
    n = new("socklen_t *", sizeof("int"))
    assert c.getsockopt(fd, level, name, val, n) == 0
    assert n[0] == sizeof("int")
    return int(val[0])


def setint_opt(fd: int, level: int, name: int, value: int) -> int:
    val = new("int *", value)
    return int(c.setsockopt(fd, level, name, val, sizeof("int")))


# --------------------------------------------------------------------------
# the namespace itself

FUNCTIONS = """
socket bind listen accept accept4 connect send recv sendto recvfrom sendmsg recvmsg
sendmmsg recvmmsg
close shutdown read write open setsockopt getsockopt getsockname getpeername
socketpair gethostbyname gethostbyaddr gethostname getservbyname getservbyport
getaddrinfo freeaddrinfo gai_strerror getnameinfo inet_addr inet_aton inet_ntoa
inet_pton inet_ntop htons ntohs htonl ntohl fcntl select FD_ZERO FD_SET FD_ISSET
FD_CLR poll sendfile memset bzero strerror perror herror hstrerror h_addr
CMSG_FIRSTHDR CMSG_NXTHDR CMSG_DATA CMSG_SPACE CMSG_LEN dup pipe getpid
getprotobyname if_nametoindex if_indextoname if_nameindex if_freenameindex
""".split()

# The compiled module's names that csock.c exports: all but csock's own
# runtime for the Pythonic layer (csock/_cdefs/csock_runtime.py).
C_LIB_NAMES = [n for n in dir(lib) if not n.lower().startswith("csockrt_")]
# The optional constants this system's headers define (build_ffi.py, OPTIONAL):
# csock.c names too, made from lib's CSOCKRT_HAS_/CSOCKRT_VAL_ pairs.
OPTIONAL_NAMES = sorted(_constants.optional_constants())


def test_runtime_names_are_not_exported() -> None:
    runtime = [n for n in dir(lib) if n.lower().startswith("csockrt_")]
    assert "csockrt_recv" in runtime and "CSOCKRT_EXPIRED" in runtime
    assert not any(hasattr(c, n) for n in runtime)
    assert not set(runtime) & set(c.__all__)


HELPERS = {
    "new",
    "cast",
    "sizeof",
    "offsetof",
    "addressof",
    "string",
    "buffer",
    "from_buffer",
    "NULL",
    "ffi",
    "lib",
    "show",
    "cdef",
    "sighandler",
    "signal",
    "sigaction",
    "explain",
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_is_exported(name: str) -> None:
    assert name in c.__all__
    assert callable(getattr(c, name))


def test_every_lib_name_is_reachable_without_prefix() -> None:
    special = {"csock_open": "open", "csock_fcntl": "fcntl", "csock_h_errno": "h_errno",
               "csock_set_h_errno": "h_errno"}
    for name in C_LIB_NAMES:
        public = special.get(name, name.removeprefix("csock_"))
        assert hasattr(c, public), public
        if public in ("kill", "raise_"):  # Python: a handler runs before they return
            assert getattr(c, public).__module__ == "csock._signals"
            continue
        starred = public not in c.NOT_STARRED  # time: by name only
        if public in _libc.LIVE_GLOBALS:  # getopt's variables: c.optind, read live
            assert public not in c.__all__
            assert getattr(c, public) == getattr(lib, name)
        elif public in _libc.WRAPPERS:  # printf, the ctype functions, fork, exit
            assert (public in c.__all__) == starred
            assert getattr(c, public) is _libc.WRAPPERS[public]
        elif name not in special:
            assert (public in c.__all__) == starred
            assert getattr(c, public) is getattr(lib, name) or getattr(c, public) == getattr(
                lib, name
            )
        if name.startswith("csock_"):
            assert not hasattr(c, name), f"{name} should be exported only as {public}"


def test_all_is_lib_plus_helpers() -> None:
    public = ({n.removeprefix("csock_") for n in C_LIB_NAMES} - {"h_errno", "set_h_errno"}
              - _libc.LIVE_GLOBALS | set(OPTIONAL_NAMES))
    assert set(c.__all__) == (public | HELPERS) - c.NOT_STARRED
    assert c.NOT_STARRED <= public  # each one a real csock.c name


def test_star_import_keeps_python_time_module() -> None:
    # `import time` before the star import is common: C's time(2) must not hide it.
    ns: dict[str, Any] = {}
    exec("import time\nfrom csock.c import *", ns)  # noqa: S102
    assert ns["time"] is sys.modules["time"]
    assert "time" in c.NOT_STARRED and "ctime" in ns
    exec("from csock.c import time", ns)  # noqa: S102  (explicitly, C's)
    assert ns["time"] is c.time
    now = c.new("time_t *")
    assert c.time(now) == now[0] and abs(now[0] - sys.modules["time"].time()) < 5


def test_star_import_exports_open_but_not_errno() -> None:
    ns: dict[str, Any] = {}
    exec("from csock.c import *", ns)  # noqa: S102
    assert "errno" not in ns
    assert "h_errno" not in ns
    assert ns["open"] is c.open
    assert ns["fcntl"] is c.fcntl
    assert ns["socket"] is lib.socket
    assert ns["FD_SET"] is lib.csock_FD_SET
    assert ns["AF_INET"] == socket.AF_INET
    # but the module attribute exists and is listed by dir()
    assert "errno" in dir(c) and "h_errno" in dir(c)


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError):
        c.no_such_name  # noqa: B018


# --------------------------------------------------------------------------
# constants


EXPLICIT = {  # names Python's modules lack; values from the Linux/glibc headers
    "AT_FDCWD": -100,
    "FD_SETSIZE": 1024,
    "HOST_NOT_FOUND": 1,
    "TRY_AGAIN": 2,
    "NO_RECOVERY": 3,
    "NO_DATA": 4,
    "NO_ADDRESS": 4,
    "INET_ADDRSTRLEN": 16,
    "INET6_ADDRSTRLEN": 46,
    "STDIN_FILENO": 0,
    "STDOUT_FILENO": 1,
    "STDERR_FILENO": 2,
    "AF_LOCAL": socket.AF_UNIX,
    "IF_NAMESIZE": 16,
    "MSG_WAITFORONE": 0x10000,
    "BUFSIZ": 8192,
    "EOF": -1,
    "_IOFBF": 0,
    "_IOLBF": 1,
    "_IONBF": 2,
    "EXIT_SUCCESS": 0,
    "EXIT_FAILURE": 1,
    "PATH_MAX": 4096,
    "S_IFMT": 0o170000,
    # <signal.h>'s sa_flags (asm-generic, as x86-64 and arm64)
    "SA_NOCLDSTOP": 1,
    "SA_NOCLDWAIT": 2,
    "SA_SIGINFO": 4,
    "SA_ONSTACK": 0x08000000,
    "SA_RESTART": 0x10000000,
    "SA_NODEFER": 0x40000000,
    "SA_RESETHAND": 0x80000000,
    # <linux/netlink.h>, <linux/sock_diag.h>, <linux/unix_diag.h>
    "NETLINK_SOCK_DIAG": 4, "NLM_F_REQUEST": 1, "NLM_F_DUMP": 0x300, "NLMSG_ERROR": 2,
    "NLMSG_DONE": 3, "NLMSG_ALIGNTO": 4, "SOCK_DIAG_BY_FAMILY": 20,
    "UDIAG_SHOW_NAME": 1, "UDIAG_SHOW_PEER": 4, "UDIAG_SHOW_RQLEN": 0x10,
    "UNIX_DIAG_NAME": 0, "UNIX_DIAG_PEER": 2, "UNIX_DIAG_RQLEN": 4,
    # <netinet/tcp.h>: tcpi_options bits and the kernel's TCP states
    "TCPI_OPT_TIMESTAMPS": 1, "TCPI_OPT_SACK": 2, "TCPI_OPT_WSCALE": 4, "TCPI_OPT_ECN": 8,
    "TCP_ESTABLISHED": 1, "TCP_SYN_SENT": 2, "TCP_SYN_RECV": 3, "TCP_FIN_WAIT1": 4,
    "TCP_FIN_WAIT2": 5, "TCP_TIME_WAIT": 6, "TCP_CLOSE": 7, "TCP_CLOSE_WAIT": 8,
    "TCP_LAST_ACK": 9, "TCP_LISTEN": 10, "TCP_CLOSING": 11,
    # <sys/epoll.h> (the select module has the EPOLL* events but these)
    "EPOLL_CTL_ADD": 1, "EPOLL_CTL_DEL": 2, "EPOLL_CTL_MOD": 3, "EPOLLWAKEUP": 1 << 29,
    # Python 3.12/3.13's socket has these (values from it); 3.11's does not
    "ETHERTYPE_ARP": 0x806, "ETHERTYPE_IP": 0x800, "ETHERTYPE_IPV6": 0x86dd,
    "ETHERTYPE_VLAN": 0x8100, "ETH_P_ALL": 0x3, "IP_ADD_SOURCE_MEMBERSHIP": 39,
    "IP_BLOCK_SOURCE": 38, "IP_DROP_SOURCE_MEMBERSHIP": 40, "IP_PKTINFO": 8,
    "IP_UNBLOCK_SOURCE": 37, "NI_IDN": 32, "SO_BINDTOIFINDEX": 62, "TCP_CC_INFO": 26,
    "TCP_FASTOPEN_CONNECT": 30, "TCP_FASTOPEN_KEY": 33, "TCP_FASTOPEN_NO_COOKIE": 34,
    "TCP_INQ": 36, "TCP_MD5SIG": 14, "TCP_MD5SIG_EXT": 32, "TCP_QUEUE_SEQ": 21,
    "TCP_REPAIR": 19, "TCP_REPAIR_OPTIONS": 22, "TCP_REPAIR_QUEUE": 20,
    "TCP_REPAIR_WINDOW": 29, "TCP_SAVED_SYN": 28, "TCP_SAVE_SYN": 27, "TCP_THIN_DUPACK":
    17, "TCP_THIN_LINEAR_TIMEOUTS": 16, "TCP_TIMESTAMP": 24, "TCP_TX_DELAY": 37,
    "TCP_ULP": 31, "TCP_ZEROCOPY_RECEIVE": 35,
}


def reference_value(name: str) -> int | None:
    if name.startswith("E") and not name.startswith(("EAI_", "EPOLL")) and name not in EXPLICIT:
        value = getattr(errno, name, None)
        return value if isinstance(value, int) else None
    renamed = {cname: name for name, cname in _constants.RENAMED.items()}
    if name in renamed:  # <linux/can/bcm.h>'s TX_SETUP is socket's CAN_BCM_TX_SETUP
        return int(getattr(socket, renamed[name]))
    for module in (socket, os, py_fcntl, py_select, py_stat, py_signal, py_locale):
        value = getattr(module, name, None)
        if isinstance(value, int):
            return int(value)
    if name.startswith("PF_"):  # glibc: #define PF_X AF_X; Python has the AF_ names
        value = getattr(socket, "AF_" + name[3:], None)
        if value is not None:
            return int(value)
        return EXPLICIT.get("AF_" + name[3:])
    return EXPLICIT.get(name)


INT_CONSTANTS = sorted([n for n in C_LIB_NAMES if isinstance(getattr(lib, n), int)
                        and n not in _libc.LIVE_GLOBALS]  # getopt's variables
                       + OPTIONAL_NAMES)


def test_getopt_variables_are_live_not_copied() -> None:
    ns: dict[str, Any] = {}
    exec("from csock.c import *", ns)  # noqa: S102
    assert not _libc.LIVE_GLOBALS & set(ns)
    saved = c.optind
    try:
        c.optind = 7
        assert lib.optind == 7 and c.optind == 7
    finally:
        c.optind = saved


def test_optional_constants_are_the_headers() -> None:
    # Each optional name is exported with the compiler's value exactly when
    # the headers define it; the CSOCKRT_ pairs behind it are not csock.c names.
    assert "IPPROTO_MPTCP" in OPTIONAL_NAMES or not lib.CSOCKRT_HAS_IPPROTO_MPTCP
    for name in dir(lib):
        if name.startswith("CSOCKRT_HAS_"):
            cname = name.removeprefix("CSOCKRT_HAS_")
            assert hasattr(c, cname) == bool(getattr(lib, name)) == (cname in c.__all__)
            if hasattr(c, cname):
                assert getattr(c, cname) == getattr(lib, "CSOCKRT_VAL_" + cname)
            assert not hasattr(c, name) and name not in c.__all__


@pytest.mark.parametrize("name", INT_CONSTANTS)
def test_constant_matches_python(name: str) -> None:
    expected = reference_value(name)
    assert expected is not None, f"no reference value for {name}"
    assert getattr(c, name) == expected


@pytest.mark.parametrize(
    "prefix",
    [
        "AF_",
        "PF_",
        "SOCK_",
        "IPPROTO_",
        "INADDR_",
        "SO_",
        "MSG_",
        "SHUT_",
        "O_",
        "F_",
        "EAI_",
        "AI_",
        "NI_",
        "POLL",
        "TCP_",
        "IP_",
        "E",
    ],
)
def test_constant_groups_present(prefix: str) -> None:
    assert any(n.startswith(prefix) for n in INT_CONSTANTS)


@pytest.mark.parametrize(
    "name",
    "INADDR_ANY INADDR_LOOPBACK INADDR_NONE INADDR_BROADCAST SOL_SOCKET TCP_NODELAY "
    "SOMAXCONN F_GETFL F_SETFL F_GETFD F_SETFD FD_CLOEXEC SCM_RIGHTS SHUT_RD SHUT_WR "
    "SHUT_RDWR EBADF ECONNREFUSED EADDRINUSE EINVAL EAGAIN EWOULDBLOCK ENOTCONN ENOENT "
    "EAFNOSUPPORT ENOTSOCK EPIPE EISCONN".split(),
)
def test_named_constant_present(name: str) -> None:
    assert name in INT_CONSTANTS


def test_inaddr_values() -> None:
    assert c.INADDR_ANY == 0
    assert c.INADDR_LOOPBACK == 0x7F000001
    assert c.INADDR_NONE == c.INADDR_BROADCAST == 0xFFFFFFFF


def test_in6addr_globals() -> None:
    assert bytes(c.in6addr_any.s6_addr) == bytes(16)
    assert bytes(c.in6addr_loopback.s6_addr) == socket.inet_pton(socket.AF_INET6, "::1")


# --------------------------------------------------------------------------
# structs: allocation, fields, sizes

_P = struct.calcsize("P")
STRUCTS: dict[str, tuple[int, list[str]]] = {
    # sizes: the C layout written as a struct-module format (native alignment;
    # a trailing "0P" pads to pointer alignment), or the fixed Linux size.
    "struct sockaddr": (16, ["sa_family", "sa_data"]),
    "struct sockaddr_in": (16, ["sin_family", "sin_port", "sin_addr", "sin_zero"]),
    "struct in_addr": (4, ["s_addr"]),
    "struct sockaddr_in6": (
        28,
        ["sin6_family", "sin6_port", "sin6_flowinfo", "sin6_addr", "sin6_scope_id"],
    ),
    "struct in6_addr": (16, ["s6_addr"]),
    "struct sockaddr_un": (110, ["sun_family", "sun_path"]),
    "struct sockaddr_storage": (128, ["ss_family"]),
    "struct hostent": (
        struct.calcsize("PPiiP"),
        ["h_name", "h_aliases", "h_addrtype", "h_length", "h_addr_list"],
    ),
    "struct servent": (struct.calcsize("PPiP"), ["s_name", "s_aliases", "s_port", "s_proto"]),
    "struct addrinfo": (
        struct.calcsize("iiiiIPPP"),
        [
            "ai_flags",
            "ai_family",
            "ai_socktype",
            "ai_protocol",
            "ai_addrlen",
            "ai_addr",
            "ai_canonname",
            "ai_next",
        ],
    ),
    "struct linger": (8, ["l_onoff", "l_linger"]),
    "struct timeval": (struct.calcsize("ll"), ["tv_sec", "tv_usec"]),
    "struct pollfd": (8, ["fd", "events", "revents"]),
    "fd_set": (1024 // 8, []),
    "struct msghdr": (
        struct.calcsize("PIPNPNi0P"),
        [
            "msg_name",
            "msg_namelen",
            "msg_iov",
            "msg_iovlen",
            "msg_control",
            "msg_controllen",
            "msg_flags",
        ],
    ),
    "struct iovec": (struct.calcsize("PN"), ["iov_base", "iov_len"]),
    "struct cmsghdr": (struct.calcsize("Nii"), ["cmsg_len", "cmsg_level", "cmsg_type"]),
    "struct mmsghdr": (struct.calcsize("PIPNPNi0PI0P"), ["msg_hdr", "msg_len"]),
    "struct timespec": (struct.calcsize("ll"), ["tv_sec", "tv_nsec"]),
}


@pytest.mark.parametrize("ctype", sorted(STRUCTS))
def test_struct_new_fields_and_size(ctype: str) -> None:
    size, fields = STRUCTS[ctype]
    p = new(ctype + " *")
    assert sizeof(ctype) == sizeof(p[0]) == size
    assert bytes(c.buffer(p)) == bytes(size)  # new() zero-fills
    if fields:
        assert [name for name, _ in ffi.typeof(ctype).fields] == fields
        for name in fields:
            getattr(p, name)  # readable through the pointer, like C's p->name


@pytest.mark.parametrize(
    "ctype, field, offset, length",
    [
        ("struct sockaddr", "sa_data", 2, 14),
        ("struct sockaddr_in", "sin_port", 2, None),
        ("struct sockaddr_in", "sin_addr", 4, None),
        ("struct sockaddr_in", "sin_zero", 8, 8),
        ("struct sockaddr_in6", "sin6_flowinfo", 4, None),
        ("struct sockaddr_in6", "sin6_addr", 8, None),
        ("struct sockaddr_in6", "sin6_scope_id", 24, None),
        ("struct sockaddr_un", "sun_path", 2, 108),
        ("struct in6_addr", "s6_addr", 0, 16),
        ("struct msghdr", "msg_namelen", _P, None),
        ("struct msghdr", "msg_iov", 2 * _P, None),
        ("struct pollfd", "revents", 6, None),
        ("struct cmsghdr", "cmsg_type", struct.calcsize("Ni"), None),
    ],
)
def test_struct_layout(ctype: str, field: str, offset: int, length: int | None) -> None:
    assert c.offsetof(ctype, field) == offset
    if length is not None:
        assert len(getattr(new(ctype + " *"), field)) == length


def test_sockaddr_storage_holds_every_address() -> None:
    for other in ("struct sockaddr_in", "struct sockaddr_in6", "struct sockaddr_un"):
        assert sizeof("struct sockaddr_storage") >= sizeof(other)
    assert ffi.alignof("struct sockaddr_storage") >= ffi.alignof("struct sockaddr_in6")


def test_getsockname_fills_sockaddr_in(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in()
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    out = new("struct sockaddr_in *")
    n = new("socklen_t *", sizeof("struct sockaddr_storage"))
    assert c.getsockname(fd, as_sa(out), n) == 0
    assert n[0] == 16 == sizeof("struct sockaddr_in")
    assert out.sin_family == c.AF_INET
    assert out.sin_addr.s_addr == c.htonl(c.INADDR_LOOPBACK)
    assert c.ntohs(out.sin_port) > 0


def test_getsockname_fills_sockaddr_in6(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET6, c.SOCK_STREAM, 0))
    sa = sockaddr_in6()
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    out = new("struct sockaddr_storage *")
    n = new("socklen_t *", sizeof(out[0]))
    assert c.getsockname(fd, as_sa(out), n) == 0
    assert n[0] == 28 == sizeof("struct sockaddr_in6")
    assert out.ss_family == c.AF_INET6
    six = cast("struct sockaddr_in6 *", out)
    assert bytes(six.sin6_addr.s6_addr) == bytes(c.in6addr_loopback.s6_addr)
    assert c.ntohs(six.sin6_port) > 0
    assert six.sin6_flowinfo == 0 and six.sin6_scope_id == 0


def test_getsockname_fills_sockaddr_un(fds: Fds, short_dir: str) -> None:
    path = os.path.join(short_dir, "s")
    fd = fds.add(c.socket(c.AF_UNIX, c.SOCK_STREAM, 0))
    sa = sockaddr_un(path)
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    out = new("struct sockaddr_un *")
    n = new("socklen_t *", sizeof(out[0]))
    assert c.getsockname(fd, as_sa(out), n) == 0
    assert n[0] == c.offsetof("struct sockaddr_un", "sun_path") + len(path) + 1
    assert out.sun_family == c.AF_UNIX
    assert c.string(out.sun_path) == path.encode()


# --------------------------------------------------------------------------
# errno


def test_errno_is_live(tmp_path: Any) -> None:
    assert_fails(c.close(-1), errno.EBADF)
    assert_fails(c.open(str(tmp_path / "missing").encode(), c.O_RDONLY), errno.ENOENT)
    assert c.errno == errno.ENOENT  # reading it again changes nothing


def test_errno_is_per_thread(tmp_path: Any) -> None:
    assert_fails(c.open(str(tmp_path / "missing").encode(), c.O_RDONLY), errno.ENOENT)
    seen: list[tuple[int, int]] = []
    ready = threading.Event()

    def other() -> None:
        seen.append((c.close(-1), c.errno))
        ready.set()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(TIMEOUT)
    assert ready.is_set()
    assert seen == [(-1, errno.EBADF)]
    assert c.errno == errno.ENOENT  # this thread's value is untouched


def test_errno_is_passed_to_the_next_call(capfd: pytest.CaptureFixture[str]) -> None:
    assert c.close(-1) == -1
    c.perror(b"csock")
    assert capfd.readouterr().err == f"csock: {os.strerror(errno.EBADF)}\n"


def _fail_with(err: int, fds: Fds, tmp_path: Any) -> None:
    """Make the last C call of this thread fail with err."""
    if err == errno.ENOENT:
        assert c.open(str(tmp_path / "missing").encode(), c.O_RDONLY) == -1
    elif err == errno.EAGAIN:
        r, w = (fds.add(fd) for fd in os.pipe())
        os.set_blocking(r, False)
        assert c.read(r, new("char[1]"), 1) == -1
    else:
        bound = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
        sa = sockaddr_in()
        assert c.bind(bound, as_sa(sa), sizeof(sa[0])) == 0
        target = sockaddr_in(port=local_port(bound))
        fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
        assert c.connect(fd, as_sa(target), sizeof(target[0])) == -1


@pytest.mark.parametrize("err", [errno.ENOENT, errno.ECONNREFUSED, errno.EAGAIN])
def test_perror(fds: Fds, tmp_path: Any, capfd: pytest.CaptureFixture[str], err: int) -> None:
    _fail_with(err, fds, tmp_path)
    c.perror(b"where")
    assert capfd.readouterr().err == f"where: {os.strerror(err)}\n"


def test_strerror() -> None:
    for err in (errno.EBADF, errno.ECONNREFUSED, errno.EADDRINUSE, errno.ENOENT):
        assert c.string(c.strerror(err)).decode() == os.strerror(err)


def test_herror_and_hstrerror(capfd: pytest.CaptureFixture[str]) -> None:
    assert c.string(c.hstrerror(c.HOST_NOT_FOUND)) == b"Unknown host"
    assert c.string(c.hstrerror(c.TRY_AGAIN)) != c.string(c.hstrerror(c.NO_RECOVERY))
    current = c.h_errno
    assert isinstance(current, int)
    c.herror(b"lookup")
    assert capfd.readouterr().err == f"lookup: {c.string(c.hstrerror(current)).decode()}\n"


# --------------------------------------------------------------------------
# EBADF / ENOTSOCK on every descriptor-taking call


def _op_table() -> dict[str, Callable[[int], Any]]:
    def bind(fd: int) -> Any:
        sa = sockaddr_in()
        return c.bind(fd, as_sa(sa), sizeof(sa[0]))

    def connect(fd: int) -> Any:
        sa = sockaddr_in(port=9)
        return c.connect(fd, as_sa(sa), sizeof(sa[0]))

    def sendto(fd: int) -> Any:
        sa = sockaddr_in(port=9)
        return c.sendto(fd, b"x", 1, c.MSG_NOSIGNAL, as_sa(sa), sizeof(sa[0]))

    def recvfrom(fd: int) -> Any:
        sa = new("struct sockaddr_in *")
        n = new("socklen_t *", sizeof(sa[0]))
        return c.recvfrom(fd, new("char[8]"), 8, c.MSG_DONTWAIT, as_sa(sa), n)

    def msg(fd: int, send: bool) -> Any:
        buf = new("char[8]")
        iov = new("struct iovec *")
        iov.iov_base = buf
        iov.iov_len = 8
        m = new("struct msghdr *")
        m.msg_iov = iov
        m.msg_iovlen = 1
        if send:
            return c.sendmsg(fd, m, c.MSG_NOSIGNAL)
        return c.recvmsg(fd, m, c.MSG_DONTWAIT)

    def mmsg(fd: int, send: bool) -> Any:
        buf = new("char[8]")
        iov = new("struct iovec *")
        iov.iov_base = buf
        iov.iov_len = 8
        vec = new("struct mmsghdr[1]")
        vec[0].msg_hdr.msg_iov = iov
        vec[0].msg_hdr.msg_iovlen = 1
        if send:
            return c.sendmmsg(fd, vec, 1, c.MSG_NOSIGNAL)
        return c.recvmmsg(fd, vec, 1, c.MSG_DONTWAIT, NULL)

    def sockopt(fd: int, get: bool) -> Any:
        val = new("int *", 1)
        if get:
            return c.getsockopt(fd, c.SOL_SOCKET, c.SO_TYPE, val, new("socklen_t *", 4))
        return c.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, val, 4)

    def name(fd: int, peer: bool) -> Any:
        sa = new("struct sockaddr_storage *")
        n = new("socklen_t *", sizeof(sa[0]))
        return (c.getpeername if peer else c.getsockname)(fd, as_sa(sa), n)

    return {
        "bind": bind,
        "listen": lambda fd: c.listen(fd, 1),
        "accept": lambda fd: c.accept(fd, NULL, NULL),
        "accept4": lambda fd: c.accept4(fd, NULL, NULL, c.SOCK_NONBLOCK),
        "connect": connect,
        "send": lambda fd: c.send(fd, b"x", 1, c.MSG_NOSIGNAL),
        "recv": lambda fd: c.recv(fd, new("char[8]"), 8, c.MSG_DONTWAIT),
        "sendto": sendto,
        "recvfrom": recvfrom,
        "sendmsg": lambda fd: msg(fd, True),
        "recvmsg": lambda fd: msg(fd, False),
        "sendmmsg": lambda fd: mmsg(fd, True),
        "recvmmsg": lambda fd: mmsg(fd, False),
        "shutdown": lambda fd: c.shutdown(fd, c.SHUT_RDWR),
        "setsockopt": lambda fd: sockopt(fd, False),
        "getsockopt": lambda fd: sockopt(fd, True),
        "getsockname": lambda fd: name(fd, False),
        "getpeername": lambda fd: name(fd, True),
    }


SOCKET_OPS = _op_table()
FD_OPS: dict[str, Callable[[int], Any]] = {
    "close": c.close,
    "read": lambda fd: c.read(fd, new("char[8]"), 8),
    "write": lambda fd: c.write(fd, b"x", 1),
    "fcntl": lambda fd: c.fcntl(fd, c.F_GETFL),
    "sendfile-out": lambda fd: c.sendfile(fd, 0, NULL, 1),
    "dup": c.dup,
}


def _select_one(fd: int) -> Any:
    rset = new("fd_set *")
    c.FD_ZERO(rset)
    c.FD_SET(fd, rset)
    tv = new("struct timeval *")
    return c.select(fd + 1, rset, NULL, NULL, tv)


@pytest.mark.parametrize("op", sorted(SOCKET_OPS) + sorted(FD_OPS))
def test_ebadf_on_minus_one(op: str) -> None:
    func = SOCKET_OPS.get(op) or FD_OPS[op]
    assert_fails(func(-1), errno.EBADF)


@pytest.mark.parametrize("op", sorted(SOCKET_OPS) + sorted(FD_OPS) + ["select"])
def test_ebadf_on_closed_fd(op: str) -> None:
    func = SOCKET_OPS.get(op) or FD_OPS.get(op) or _select_one
    fd = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    assert fd >= 0
    assert c.close(fd) == 0
    assert_fails(func(fd), errno.EBADF)


@pytest.mark.parametrize("op", sorted(SOCKET_OPS))
def test_enotsock_on_a_file(op: str, fds: Fds, tmp_path: Any) -> None:
    fd = fds.add(c.open(str(tmp_path / "f").encode(), c.O_RDWR | c.O_CREAT, 0o600))
    assert_fails(SOCKET_OPS[op](fd), errno.ENOTSOCK)


def test_close_twice(fds: Fds) -> None:
    fd = c.socket(c.AF_INET, c.SOCK_DGRAM, 0)
    assert fd >= 0
    assert c.close(fd) == 0
    assert_fails(c.close(fd), errno.EBADF)


# --------------------------------------------------------------------------
# socket, bind, listen, accept, connect


@pytest.mark.parametrize(
    "domain, kind, proto",
    [
        (c.AF_INET, c.SOCK_STREAM, 0),
        (c.AF_INET, c.SOCK_STREAM, c.IPPROTO_TCP),
        (c.AF_INET, c.SOCK_DGRAM, 0),
        (c.AF_INET, c.SOCK_DGRAM, c.IPPROTO_UDP),
        (c.AF_INET6, c.SOCK_STREAM, 0),
        (c.AF_INET6, c.SOCK_DGRAM, 0),
        (c.AF_UNIX, c.SOCK_STREAM, 0),
        (c.AF_UNIX, c.SOCK_DGRAM, 0),
        (c.AF_UNIX, c.SOCK_SEQPACKET, 0),
        (c.PF_INET, c.SOCK_STREAM, 0),
    ],
)
def test_socket_kinds(fds: Fds, domain: int, kind: int, proto: int) -> None:
    fd = fds.add(c.socket(domain, kind, proto))
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_TYPE) == kind
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_DOMAIN) == domain
    assert os.get_blocking(fd)
    assert os.get_inheritable(fd)  # C's socket() does not set close-on-exec


def test_socket_flags(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM | c.SOCK_NONBLOCK | c.SOCK_CLOEXEC, 0))
    assert not os.get_blocking(fd)
    assert not os.get_inheritable(fd)
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_TYPE) == c.SOCK_STREAM


@pytest.mark.parametrize(
    "domain, kind, proto, err",
    [
        (12345, c.SOCK_STREAM, 0, errno.EAFNOSUPPORT),
        (c.AF_INET, 12345, 0, errno.EINVAL),
        (c.AF_INET, c.SOCK_STREAM, c.IPPROTO_UDP, errno.EPROTONOSUPPORT),
    ],
)
def test_socket_fails(domain: int, kind: int, proto: int, err: int) -> None:
    assert_fails(c.socket(domain, kind, proto), err)


def test_bind_eaddrinuse(fds: Fds) -> None:
    _, port = tcp_listener(fds)
    other = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in(port=port)
    assert_fails(c.bind(other, as_sa(sa), sizeof(sa[0])), errno.EADDRINUSE)


def test_bind_eaddrinuse_unix(fds: Fds, short_dir: str) -> None:
    sa = sockaddr_un(os.path.join(short_dir, "s"))
    first = fds.add(c.socket(c.AF_UNIX, c.SOCK_STREAM, 0))
    assert c.bind(first, as_sa(sa), sizeof(sa[0])) == 0
    second = fds.add(c.socket(c.AF_UNIX, c.SOCK_STREAM, 0))
    assert_fails(c.bind(second, as_sa(sa), sizeof(sa[0])), errno.EADDRINUSE)


def test_bind_twice_einval(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in()
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    assert_fails(c.bind(fd, as_sa(sa), sizeof(sa[0])), errno.EINVAL)


def test_bind_short_addrlen_einval(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in()
    assert_fails(c.bind(fd, as_sa(sa), 4), errno.EINVAL)


def test_bind_with_reuseaddr_after_close(fds: Fds) -> None:
    listener, port = tcp_listener(fds)
    fds.close(listener)
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert setint_opt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, 1) == 0
    sa = sockaddr_in(port=port)
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    assert local_port(fd) == port


def test_listen_sets_acceptconn(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_ACCEPTCONN) == 0
    assert c.listen(fd, c.SOMAXCONN) == 0  # an unbound socket gets an ephemeral port
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_ACCEPTCONN) == 1
    assert local_port(fd) > 0


def test_listen_on_udp_eopnotsupp(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    assert_fails(c.listen(fd, 1), errno.EOPNOTSUPP)


def test_listen_on_connected_einval(fds: Fds) -> None:
    _, client, _ = tcp_pair(fds)
    assert_fails(c.listen(client, 1), errno.EINVAL)


def test_accept_fills_peer_address(fds: Fds) -> None:
    listener, port = tcp_listener(fds)
    client = tcp_connect(fds, port)
    wait_readable(listener)
    peer = new("struct sockaddr_storage *")
    n = new("socklen_t *", sizeof(peer[0]))
    server = fds.add(c.accept(listener, as_sa(peer), n))
    assert n[0] == sizeof("struct sockaddr_in")
    assert peer.ss_family == c.AF_INET
    sin = cast("struct sockaddr_in *", peer)
    assert c.ntohs(sin.sin_port) == local_port(client)
    assert c.ntohl(sin.sin_addr.s_addr) == c.INADDR_LOOPBACK
    assert local_port(server) == port


def test_accept4_flags(fds: Fds) -> None:
    listener, port = tcp_listener(fds)
    tcp_connect(fds, port)
    wait_readable(listener)
    server = fds.add(c.accept4(listener, NULL, NULL, c.SOCK_NONBLOCK | c.SOCK_CLOEXEC))
    assert not os.get_blocking(server)
    assert not os.get_inheritable(server)
    assert c.fcntl(server, c.F_GETFL) & c.O_NONBLOCK
    assert c.fcntl(server, c.F_GETFD) & c.FD_CLOEXEC


def test_accept4_bad_flags_einval(fds: Fds) -> None:
    listener, _ = tcp_listener(fds)
    assert_fails(c.accept4(listener, NULL, NULL, 0x7FFF0000), errno.EINVAL)


def test_accept_not_listening_einval(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert_fails(c.accept(fd, NULL, NULL), errno.EINVAL)


def test_accept_nonblocking_eagain(fds: Fds) -> None:
    listener, _ = tcp_listener(fds, c.SOCK_NONBLOCK)
    assert_fails(c.accept(listener, NULL, NULL), errno.EAGAIN)
    assert errno.EAGAIN == c.EWOULDBLOCK


def test_connect_econnrefused(fds: Fds) -> None:
    bound = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in()
    assert c.bind(bound, as_sa(sa), sizeof(sa[0])) == 0  # bound, not listening
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    target = sockaddr_in(port=local_port(bound))
    assert_fails(c.connect(fd, as_sa(target), sizeof(target[0])), errno.ECONNREFUSED)


def test_connect_eisconn(fds: Fds) -> None:
    listener, port = tcp_listener(fds)
    client = tcp_connect(fds, port)
    sa = sockaddr_in(port=port)
    assert_fails(c.connect(client, as_sa(sa), sizeof(sa[0])), errno.EISCONN)


def test_connect_wrong_family_eafnosupport(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in(port=9)
    sa.sin_family = c.AF_INET6
    assert_fails(c.connect(fd, as_sa(sa), sizeof(sa[0])), errno.EAFNOSUPPORT)


def test_connect_unix_missing_path_enoent(fds: Fds, short_dir: str) -> None:
    fd = fds.add(c.socket(c.AF_UNIX, c.SOCK_STREAM, 0))
    sa = sockaddr_un(os.path.join(short_dir, "nobody"))
    assert_fails(c.connect(fd, as_sa(sa), sizeof(sa[0])), errno.ENOENT)


def test_unix_stream_server(fds: Fds, short_dir: str) -> None:
    path = os.path.join(short_dir, "srv")
    sa = sockaddr_un(path)
    listener = fds.add(c.socket(c.AF_UNIX, c.SOCK_STREAM, 0))
    assert c.bind(listener, as_sa(sa), sizeof(sa[0])) == 0
    assert c.listen(listener, 1) == 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as py:
        py.settimeout(TIMEOUT)
        py.connect(path)
        wait_readable(listener)
        server = fds.add(c.accept(listener, NULL, NULL))
        py.sendall(b"over unix")
        assert recv_some(server) == b"over unix"
        send_all(server, b"back")
        assert py.recv(16) == b"back"


# --------------------------------------------------------------------------
# data transfer


def test_send_recv_tcp(fds: Fds) -> None:
    _, client, server = tcp_pair(fds)
    send_all(client, b"hello")
    wait_readable(server)
    assert recv_some(server, 16, c.MSG_PEEK) == b"hello"
    assert recv_some(server, 16) == b"hello"
    send_all(server, b"world")
    assert recv_some(client) == b"world"


def test_recv_nonblocking_eagain(fds: Fds) -> None:
    _, client, server = tcp_pair(fds)
    assert_fails(c.recv(server, new("char[8]"), 8, c.MSG_DONTWAIT), errno.EAGAIN)
    assert c.fcntl(server, c.F_SETFL, c.fcntl(server, c.F_GETFL) | c.O_NONBLOCK) == 0
    assert_fails(c.recv(server, new("char[8]"), 8, 0), errno.EAGAIN)


def test_recv_returns_zero_after_peer_shutdown(fds: Fds) -> None:
    _, client, server = tcp_pair(fds)
    assert c.shutdown(client, c.SHUT_WR) == 0
    wait_readable(server)
    assert c.recv(server, new("char[8]"), 8, 0) == 0
    assert_fails(c.send(client, b"x", 1, c.MSG_NOSIGNAL), errno.EPIPE)


def test_recv_unconnected_enotconn(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert_fails(c.recv(fd, new("char[8]"), 8, c.MSG_DONTWAIT), errno.ENOTCONN)


def test_send_unconnected_fails(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    rc = c.send(fd, b"x", 1, c.MSG_NOSIGNAL)
    got = c.errno
    assert rc == -1
    assert got in (errno.ENOTCONN, errno.EPIPE)  # Linux: EPIPE; POSIX: ENOTCONN


def test_getpeername(fds: Fds) -> None:
    listener, client, server = tcp_pair(fds)
    peer = new("struct sockaddr_in *")
    n = new("socklen_t *", sizeof(peer[0]))
    assert c.getpeername(client, as_sa(peer), n) == 0
    assert n[0] == 16
    assert c.ntohs(peer.sin_port) == local_port(listener)
    assert c.getpeername(server, as_sa(peer), n) == 0
    assert c.ntohs(peer.sin_port) == local_port(client)


def test_getpeername_unconnected_enotconn(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = new("struct sockaddr_in *")
    assert_fails(c.getpeername(fd, as_sa(sa), new("socklen_t *", 16)), errno.ENOTCONN)


def test_shutdown_unconnected_enotconn(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert_fails(c.shutdown(fd, c.SHUT_RDWR), errno.ENOTCONN)


@pytest.mark.parametrize("how", [-1, 3, 99])
def test_shutdown_bad_how_einval(fds: Fds, how: int) -> None:
    _, client, _ = tcp_pair(fds)
    assert_fails(c.shutdown(client, how), errno.EINVAL)


def test_sendto_recvfrom_udp(fds: Fds) -> None:
    a = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    b = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    for fd in (a, b):
        sa = sockaddr_in()
        assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    dest = sockaddr_in(port=local_port(b))
    assert c.sendto(a, b"datagram", 8, 0, as_sa(dest), sizeof(dest[0])) == 8
    wait_readable(b)
    src = new("struct sockaddr_in *")
    n = new("socklen_t *", sizeof(src[0]))
    buf = new("char[]", 64)
    assert c.recvfrom(b, buf, 64, 0, as_sa(src), n) == 8
    assert c.buffer(buf, 8)[:] == b"datagram"
    assert n[0] == 16
    assert src.sin_family == c.AF_INET
    assert c.ntohs(src.sin_port) == local_port(a)
    assert c.string(c.inet_ntoa(src.sin_addr)) == b"127.0.0.1"
    assert_fails(c.recvfrom(b, buf, 64, c.MSG_DONTWAIT, NULL, NULL), errno.EAGAIN)


def test_recvfrom_truncates_and_reports_length(fds: Fds) -> None:
    a, b = unix_pair(fds, c.SOCK_DGRAM)
    assert c.send(a, b"0123456789", 10, 0) == 10
    wait_readable(b)
    buf = new("char[4]")
    assert c.recvfrom(b, buf, 4, c.MSG_TRUNC, NULL, NULL) == 10
    assert c.buffer(buf)[:] == b"0123"


def test_sendto_emsgsize(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    dest = sockaddr_in(port=9)
    big = new("char[]", 70000)
    assert_fails(c.sendto(fd, big, 70000, 0, as_sa(dest), sizeof(dest[0])), errno.EMSGSIZE)


def test_udp_with_python_peer(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    sa = sockaddr_in()
    assert c.bind(fd, as_sa(sa), sizeof(sa[0])) == 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as py:
        py.settimeout(TIMEOUT)
        py.bind(("127.0.0.1", 0))
        py.sendto(b"from python", ("127.0.0.1", local_port(fd)))
        wait_readable(fd)
        src = new("struct sockaddr_in *")
        n = new("socklen_t *", sizeof(src[0]))
        buf = new("char[64]")
        got = c.recvfrom(fd, buf, 64, 0, as_sa(src), n)
        assert c.buffer(buf, got)[:] == b"from python"
        assert c.ntohs(src.sin_port) == py.getsockname()[1]
        assert c.sendto(fd, b"from c", 6, 0, as_sa(src), n[0]) == 6
        data, addr = py.recvfrom(64)
        assert data == b"from c" and addr == ("127.0.0.1", local_port(fd))


def test_sendmsg_recvmsg_scatter_gather(fds: Fds) -> None:
    a, b = unix_pair(fds)
    parts = [new("char[]", b"abc"), new("char[]", b"defgh")]
    iov = new("struct iovec[2]")
    iov[0].iov_base, iov[0].iov_len = parts[0], 3
    iov[1].iov_base, iov[1].iov_len = parts[1], 5
    msg = new("struct msghdr *")
    msg.msg_iov = iov
    msg.msg_iovlen = 2
    assert c.sendmsg(a, msg, 0) == 8
    wait_readable(b)
    out = [new("char[4]"), new("char[16]")]
    riov = new("struct iovec[2]")
    riov[0].iov_base, riov[0].iov_len = out[0], 4
    riov[1].iov_base, riov[1].iov_len = out[1], 16
    rmsg = new("struct msghdr *")
    rmsg.msg_iov = riov
    rmsg.msg_iovlen = 2
    assert c.recvmsg(b, rmsg, 0) == 8
    assert c.buffer(out[0])[:] + c.buffer(out[1], 4)[:] == b"abcdefgh"
    assert rmsg.msg_flags == 0


def test_sendmsg_with_msg_name_udp(fds: Fds) -> None:
    a = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    b = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    bsa = sockaddr_in()
    assert c.bind(b, as_sa(bsa), sizeof(bsa[0])) == 0
    dest = sockaddr_in(port=local_port(b))
    data = new("char[]", b"named")
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = data, 5
    msg = new("struct msghdr *")
    msg.msg_name, msg.msg_namelen = dest, sizeof(dest[0])
    msg.msg_iov, msg.msg_iovlen = iov, 1
    assert c.sendmsg(a, msg, 0) == 5
    wait_readable(b)
    src = new("struct sockaddr_in *")
    rbuf = new("char[16]")
    riov = new("struct iovec *")
    riov.iov_base, riov.iov_len = rbuf, 16
    rmsg = new("struct msghdr *")
    rmsg.msg_name, rmsg.msg_namelen = src, sizeof(src[0])
    rmsg.msg_iov, rmsg.msg_iovlen = riov, 1
    assert c.recvmsg(b, rmsg, 0) == 5
    assert c.buffer(rbuf, 5)[:] == b"named"
    assert rmsg.msg_namelen == 16
    assert c.ntohs(src.sin_port) == local_port(a)


def test_sendmmsg_recvmmsg_batch_over_udp(fds: Fds) -> None:
    """Three datagrams out in one call, in in one: lengths, MSG_TRUNC, senders."""
    a = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    b = fds.add(c.socket(c.AF_INET, c.SOCK_DGRAM, 0))
    bsa = sockaddr_in()
    assert c.bind(b, as_sa(bsa), sizeof(bsa[0])) == 0
    dest = sockaddr_in(port=local_port(b))
    payloads = [b"uno", b"", b"tres tres"]
    data = [new("char[]", p or b"\0") for p in payloads]
    iov = new("struct iovec[3]")
    vec = new("struct mmsghdr[3]")
    for i, p in enumerate(payloads):
        iov[i].iov_base, iov[i].iov_len = data[i], len(p)
        vec[i].msg_hdr.msg_iov, vec[i].msg_hdr.msg_iovlen = iov + i, 1
        vec[i].msg_hdr.msg_name, vec[i].msg_hdr.msg_namelen = dest, sizeof(dest[0])
    assert c.sendmmsg(a, vec, 3, 0) == 3
    assert [vec[i].msg_len for i in range(3)] == [3, 0, 9]  # the kernel's count per datagram
    wait_readable(b)
    bufs = new("char[4][4]")
    srcs = new("struct sockaddr_in[4]")
    riov = new("struct iovec[4]")
    rvec = new("struct mmsghdr[4]")
    for i in range(4):
        riov[i].iov_base, riov[i].iov_len = bufs[i], 4
        rvec[i].msg_hdr.msg_iov, rvec[i].msg_hdr.msg_iovlen = riov + i, 1
        rvec[i].msg_hdr.msg_name, rvec[i].msg_hdr.msg_namelen = srcs + i, sizeof(srcs[i])
    # MSG_WAITFORONE: the three queued come back, the fourth is not waited for.
    assert c.recvmmsg(b, rvec, 4, c.MSG_WAITFORONE, NULL) == 3
    assert [c.buffer(bufs[i], rvec[i].msg_len)[:] for i in range(3)] == [b"uno", b"", b"tres"]
    assert [rvec[i].msg_hdr.msg_flags & c.MSG_TRUNC for i in range(3)] == [0, 0, c.MSG_TRUNC]
    assert all(c.ntohs(srcs[i].sin_port) == local_port(a) for i in range(3))
    assert c.recvmmsg(b, rvec, 4, c.MSG_DONTWAIT, NULL) == -1 and c.errno == errno.EAGAIN


def test_recvmmsg_timespec_is_written_back(fds: Fds) -> None:
    """The timeout argument is C's struct timespec: the kernel leaves the time left in it."""
    a, b = unix_pair(fds, c.SOCK_DGRAM)
    send_all(a, b"x")
    buf = new("char[4]")
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = buf, 4
    vec = new("struct mmsghdr[2]")
    vec[0].msg_hdr.msg_iov, vec[0].msg_hdr.msg_iovlen = iov, 1
    vec[1].msg_hdr.msg_iov, vec[1].msg_hdr.msg_iovlen = iov, 1
    ts = new("struct timespec *", (5, 0))
    assert c.recvmmsg(b, vec, 2, c.MSG_WAITFORONE, ts) == 1
    assert 0 < ts.tv_sec * 1_000_000_000 + ts.tv_nsec <= 5_000_000_000
    assert c.buffer(buf, vec[0].msg_len)[:] == b"x"


# --------------------------------------------------------------------------
# ancillary data: SCM_RIGHTS


@pytest.mark.parametrize("n", [0, 1, 4, 8, 12, 16, 100])
def test_cmsg_space_and_len_match_python(n: int) -> None:
    assert c.CMSG_LEN(n) == socket.CMSG_LEN(n)
    assert c.CMSG_SPACE(n) == socket.CMSG_SPACE(n)
    assert c.CMSG_LEN(n) == sizeof("struct cmsghdr") + n


def _send_fds(sock: int, payload: bytes, fds_to_send: list[int]) -> int:
    data = new("char[]", payload)
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = data, len(payload)
    space = c.CMSG_SPACE(sizeof("int") * len(fds_to_send))
    control = new("char[]", space)
    msg = new("struct msghdr *")
    msg.msg_iov, msg.msg_iovlen = iov, 1
    msg.msg_control, msg.msg_controllen = control, space
    cmsg = c.CMSG_FIRSTHDR(msg)
    assert cmsg != NULL
    cmsg.cmsg_level = c.SOL_SOCKET
    cmsg.cmsg_type = c.SCM_RIGHTS
    cmsg.cmsg_len = c.CMSG_LEN(sizeof("int") * len(fds_to_send))
    ints = cast("int *", c.CMSG_DATA(cmsg))
    for i, fd in enumerate(fds_to_send):
        ints[i] = fd
    assert c.CMSG_NXTHDR(msg, cmsg) == NULL
    return int(c.sendmsg(sock, msg, 0))


def _recv_fds(sock: int, max_fds: int) -> tuple[bytes, list[int], int]:
    """(data, received fds, msg_flags); reads every control message."""
    wait_readable(sock)
    data = new("char[64]")
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = data, 64
    space = c.CMSG_SPACE(sizeof("int") * max_fds)
    control = new("char[]", space)
    msg = new("struct msghdr *")
    msg.msg_iov, msg.msg_iovlen = iov, 1
    msg.msg_control, msg.msg_controllen = control, space
    n = c.recvmsg(sock, msg, 0)
    assert n >= 0, os.strerror(c.errno)
    got: list[int] = []
    cmsg = c.CMSG_FIRSTHDR(msg)
    while cmsg != NULL:
        assert cmsg.cmsg_level == c.SOL_SOCKET
        assert cmsg.cmsg_type == c.SCM_RIGHTS
        count = (cmsg.cmsg_len - c.CMSG_LEN(0)) // sizeof("int")
        ints = cast("int *", c.CMSG_DATA(cmsg))
        got += [ints[i] for i in range(count)]
        cmsg = c.CMSG_NXTHDR(msg, cmsg)
    return bytes(c.buffer(data, n)), got, int(msg.msg_flags)


def test_scm_rights_between_csock_ends(fds: Fds) -> None:
    a, b = unix_pair(fds)
    r, w = os.pipe()
    fds.fds += [r, w]
    os.write(w, b"through the pipe")
    assert _send_fds(a, b"fd", [r]) == 2
    data, got, flags = _recv_fds(b, 1)
    for fd in got:
        fds.add(fd)
    assert data == b"fd"
    assert flags & c.MSG_CTRUNC == 0
    assert len(got) == 1 and got[0] not in (r, w)
    assert os.fstat(got[0]).st_ino == os.fstat(r).st_ino
    assert os.read(got[0], 64) == b"through the pipe"


def test_scm_rights_several_fds(fds: Fds) -> None:
    a, b = unix_pair(fds)
    r, w = os.pipe()
    fds.fds += [r, w]
    assert _send_fds(a, b"x", [r, w, r]) == 1
    data, got, _ = _recv_fds(b, 3)
    for fd in got:
        fds.add(fd)
    assert data == b"x" and len(got) == 3
    assert [os.fstat(fd).st_ino for fd in got] == [os.fstat(fd).st_ino for fd in (r, w, r)]


def test_scm_rights_to_python_recv_fds(fds: Fds) -> None:
    py_a, py_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with py_a, py_b:
        py_b.settimeout(TIMEOUT)
        r, w = os.pipe()
        fds.fds += [r, w]
        assert _send_fds(py_a.fileno(), b"to python", [w]) == 9
        data, received, flags, _ = socket.recv_fds(py_b, 64, 4)
        for fd in received:
            fds.add(fd)
        assert data == b"to python" and flags == 0
        assert len(received) == 1
        os.write(received[0], b"ok")
        assert os.read(r, 8) == b"ok"


def test_scm_rights_from_python_send_fds(fds: Fds) -> None:
    py_a, py_b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with py_a, py_b:
        r, w = os.pipe()
        fds.fds += [r, w]
        assert socket.send_fds(py_a, [b"from python"], [r, w]) == 11
        data, got, flags = _recv_fds(py_b.fileno(), 2)
        for fd in got:
            fds.add(fd)
        assert data == b"from python" and flags & c.MSG_CTRUNC == 0
        assert [os.fstat(fd).st_ino for fd in got] == [os.fstat(r).st_ino, os.fstat(w).st_ino]


def test_scm_rights_truncated_control_sets_ctrunc(fds: Fds) -> None:
    a, b = unix_pair(fds)
    r, w = os.pipe()
    fds.fds += [r, w]
    assert _send_fds(a, b"t", [r, w]) == 1
    wait_readable(b)
    data = new("char[8]")
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = data, 8
    msg = new("struct msghdr *")
    msg.msg_iov, msg.msg_iovlen = iov, 1  # no control buffer at all
    assert c.recvmsg(b, msg, 0) == 1
    assert msg.msg_flags & c.MSG_CTRUNC
    assert c.CMSG_FIRSTHDR(msg) == NULL


# --------------------------------------------------------------------------
# socket options


def test_setsockopt_int_options_seen_by_python(fds: Fds) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as py:
        fd = py.fileno()
        for level, name in [
            (c.SOL_SOCKET, c.SO_REUSEADDR),
            (c.SOL_SOCKET, c.SO_KEEPALIVE),
            (c.IPPROTO_TCP, c.TCP_NODELAY),
        ]:
            assert py.getsockopt(level, name) == 0
            assert setint_opt(fd, level, name, 1) == 0
            assert py.getsockopt(level, name) != 0
            assert getint_opt(fd, level, name) != 0
            py.setsockopt(level, name, 0)
            assert getint_opt(fd, level, name) == 0


def test_getsockopt_matches_python(fds: Fds) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as py:
        fd = py.fileno()
        for name in (c.SO_TYPE, c.SO_RCVBUF, c.SO_SNDBUF, c.SO_PROTOCOL, c.SO_DOMAIN):
            assert getint_opt(fd, c.SOL_SOCKET, name) == py.getsockopt(socket.SOL_SOCKET, name)


def test_so_linger_struct(fds: Fds) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as py:
        lg = new("struct linger *", {"l_onoff": 1, "l_linger": 7})
        assert c.setsockopt(py.fileno(), c.SOL_SOCKET, c.SO_LINGER, lg, sizeof(lg[0])) == 0
        raw = py.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
        assert struct.unpack("ii", raw) == (1, 7)
        out = new("struct linger *")
        n = new("socklen_t *", sizeof(out[0]))
        assert c.getsockopt(py.fileno(), c.SOL_SOCKET, c.SO_LINGER, out, n) == 0
        assert n[0] == 8 and out.l_onoff == 1 and out.l_linger == 7


def test_so_rcvtimeo_timeval(fds: Fds) -> None:
    _, client, server = tcp_pair(fds)
    tv = new("struct timeval *", {"tv_sec": 0, "tv_usec": 100_000})
    assert c.setsockopt(server, c.SOL_SOCKET, c.SO_RCVTIMEO, tv, sizeof(tv[0])) == 0
    out = new("struct timeval *")
    n = new("socklen_t *", sizeof(out[0]))
    assert c.getsockopt(server, c.SOL_SOCKET, c.SO_RCVTIMEO, out, n) == 0
    assert n[0] == sizeof("struct timeval")
    assert (out.tv_sec, out.tv_usec) == (0, 100_000)
    # a blocking recv now times out with EAGAIN instead of hanging
    assert_fails(c.recv(server, new("char[4]"), 4, 0), errno.EAGAIN)


def test_so_error_after_refused_nonblocking_connect(fds: Fds) -> None:
    bound = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    sa = sockaddr_in()
    assert c.bind(bound, as_sa(sa), sizeof(sa[0])) == 0
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM | c.SOCK_NONBLOCK, 0))
    target = sockaddr_in(port=local_port(bound))
    rc = c.connect(fd, as_sa(target), sizeof(target[0]))
    err = c.errno
    assert rc == -1 and err in (errno.EINPROGRESS, errno.ECONNREFUSED)
    if err == errno.EINPROGRESS:
        pfd = new("struct pollfd *", {"fd": fd, "events": c.POLLOUT})
        assert c.poll(pfd, 1, int(TIMEOUT * 1000)) == 1
        assert getint_opt(fd, c.SOL_SOCKET, c.SO_ERROR) == errno.ECONNREFUSED
    assert getint_opt(fd, c.SOL_SOCKET, c.SO_ERROR) == 0  # reading SO_ERROR clears it


def test_getsockopt_unknown_option_enoprotoopt(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    val = new("int *")
    assert_fails(
        c.getsockopt(fd, c.SOL_SOCKET, 12345, val, new("socklen_t *", 4)), errno.ENOPROTOOPT
    )


def test_setsockopt_short_optlen_einval(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert_fails(c.setsockopt(fd, c.SOL_SOCKET, c.SO_REUSEADDR, new("char *"), 1), errno.EINVAL)


# --------------------------------------------------------------------------
# socketpair, read, write, open, fcntl, sendfile


def test_socketpair_and_read_write(fds: Fds) -> None:
    a, b = unix_pair(fds)
    assert c.write(a, b"ping", 4) == 4
    wait_readable(b)
    buf = new("char[16]")
    assert c.read(b, buf, 16) == 4
    assert c.buffer(buf, 4)[:] == b"ping"
    assert c.write(b, b"pong", 4) == 4
    wait_readable(a)
    assert c.read(a, buf, 16) == 4 and c.buffer(buf, 4)[:] == b"pong"
    fds.close(b)
    wait_readable(a)
    assert c.read(a, buf, 16) == 0  # EOF


def test_socketpair_inet_eopnotsupp() -> None:
    assert_fails(c.socketpair(c.AF_INET, c.SOCK_STREAM, 0, new("int[2]")), errno.EOPNOTSUPP)


def test_pipe_read_write_errors(fds: Fds) -> None:
    pair = new("int[2]")
    assert c.pipe(pair) == 0
    r, w = fds.add(pair[0]), fds.add(pair[1])
    assert_fails(c.write(r, b"x", 1), errno.EBADF)  # read end is not writable
    assert c.fcntl(r, c.F_SETFL, c.O_NONBLOCK) == 0
    assert_fails(c.read(r, new("char[1]"), 1), errno.EAGAIN)
    assert c.write(w, b"y", 1) == 1
    out = new("char[1]")
    assert c.read(r, out, 1) == 1 and out[0] == b"y"


def test_open_create_write_read(fds: Fds, tmp_path: Any) -> None:
    path = str(tmp_path / "file").encode()
    fd = fds.add(c.open(path, c.O_WRONLY | c.O_CREAT | c.O_EXCL, 0o600))
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert c.write(fd, b"contents", 8) == 8
    fds.close(fd)
    assert_fails(c.open(path, c.O_WRONLY | c.O_CREAT | c.O_EXCL, 0o600), errno.EEXIST)
    fd = fds.add(c.open(path, c.O_RDONLY))  # mode defaults to 0
    buf = new("char[32]")
    assert c.read(fd, buf, 32) == 8 and c.buffer(buf, 8)[:] == b"contents"
    assert_fails(c.write(fd, b"x", 1), errno.EBADF)
    fds.close(fd)
    fd = fds.add(c.open(path, c.O_WRONLY | c.O_APPEND | c.O_CLOEXEC))
    assert not os.get_inheritable(fd)
    assert c.write(fd, b"+", 1) == 1
    fds.close(fd)
    fd = fds.add(c.open(path, c.O_RDWR | c.O_TRUNC))
    fds.close(fd)
    assert os.path.getsize(path) == 0


@pytest.mark.parametrize(
    "name, flags, err",
    [
        ("missing", "O_RDONLY", errno.ENOENT),
        ("missing/child", "O_RDONLY", errno.ENOENT),
        (".", "O_WRONLY", errno.EISDIR),
    ],
)
def test_open_fails(tmp_path: Any, name: str, flags: str, err: int) -> None:
    assert_fails(c.open(str(tmp_path / name).encode(), getattr(c, flags)), err)


def test_fcntl_flags_agree_with_os(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    flags = c.fcntl(fd, c.F_GETFL)
    assert flags & c.O_NONBLOCK == 0 and flags & c.O_RDWR
    assert c.fcntl(fd, c.F_SETFL, flags | c.O_NONBLOCK) == 0
    assert not os.get_blocking(fd)
    os.set_blocking(fd, True)
    assert c.fcntl(fd, c.F_GETFL) & c.O_NONBLOCK == 0
    assert c.fcntl(fd, c.F_GETFD) & c.FD_CLOEXEC == 0
    assert c.fcntl(fd, c.F_SETFD, c.FD_CLOEXEC) == 0
    assert not os.get_inheritable(fd)
    assert c.fcntl(fd, c.F_GETFD) == c.FD_CLOEXEC


def test_fcntl_dupfd(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    dup = fds.add(c.fcntl(fd, c.F_DUPFD, 200))
    assert dup >= 200
    assert getint_opt(dup, c.SOL_SOCKET, c.SO_TYPE) == c.SOCK_STREAM
    dup2 = fds.add(c.fcntl(fd, c.F_DUPFD_CLOEXEC, 0))
    assert not os.get_inheritable(dup2)
    dup3 = fds.add(c.dup(fd))
    assert os.get_inheritable(dup3)


def test_fcntl_bad_cmd_einval(fds: Fds) -> None:
    fd = fds.add(c.socket(c.AF_INET, c.SOCK_STREAM, 0))
    assert_fails(c.fcntl(fd, 99999), errno.EINVAL)


def test_sendfile(fds: Fds, tmp_path: Any) -> None:
    path = tmp_path / "payload"
    path.write_bytes(b"0123456789")
    src = fds.add(c.open(str(path).encode(), c.O_RDONLY))
    a, b = unix_pair(fds)
    offset = new("off_t *", 2)
    assert c.sendfile(a, src, offset, 5) == 5
    assert offset[0] == 7
    assert recv_some(b) == b"23456"
    assert c.sendfile(a, src, NULL, 4) == 4  # NULL: from (and advancing) the file offset
    assert recv_some(b) == b"0123"
    assert os.lseek(src, 0, os.SEEK_CUR) == 4
    assert_fails(c.sendfile(a, -1, NULL, 1), errno.EBADF)


# --------------------------------------------------------------------------
# select and poll


def test_select_and_fd_macros(fds: Fds) -> None:
    a, b = unix_pair(fds)
    rset = new("fd_set *")
    c.FD_ZERO(rset)
    assert bytes(c.buffer(rset)) == bytes(sizeof("fd_set"))
    c.FD_SET(b, rset)
    assert c.FD_ISSET(b, rset) == 1 and c.FD_ISSET(a, rset) == 0
    tv = new("struct timeval *", {"tv_sec": 0, "tv_usec": 0})
    assert c.select(b + 1, rset, NULL, NULL, tv) == 0  # nothing to read yet
    assert c.FD_ISSET(b, rset) == 0  # select cleared it
    send_all(a, b"!")
    c.FD_ZERO(rset)
    c.FD_SET(b, rset)
    wset = new("fd_set *")
    c.FD_ZERO(wset)
    c.FD_SET(a, wset)
    tv = new("struct timeval *", {"tv_sec": int(TIMEOUT), "tv_usec": 0})
    assert c.select(max(a, b) + 1, rset, wset, NULL, tv) == 2
    assert c.FD_ISSET(b, rset) == 1 and c.FD_ISSET(a, wset) == 1
    c.FD_CLR(b, rset)
    assert c.FD_ISSET(b, rset) == 0


@pytest.mark.parametrize("fd", [-1, -1000, 1024, 5000, 2**31 - 1])
def test_fd_macros_ignore_out_of_range(fd: int) -> None:
    fdset = new("fd_set *")
    c.FD_ZERO(fdset)
    c.FD_SET(fd, fdset)
    assert bytes(c.buffer(fdset)) == bytes(sizeof("fd_set"))
    assert c.FD_ISSET(fd, fdset) == 0
    c.FD_CLR(fd, fdset)
    c.FD_SET(0, fdset)
    c.FD_SET(c.FD_SETSIZE - 1, fdset)
    assert c.FD_ISSET(c.FD_SETSIZE - 1, fdset) == 1


def test_select_timeout_and_errors() -> None:
    tv = new("struct timeval *", {"tv_sec": 0, "tv_usec": 10_000})
    assert c.select(0, NULL, NULL, NULL, tv) == 0
    assert_fails(c.select(-1, NULL, NULL, NULL, tv), errno.EINVAL)
    bad = new("struct timeval *", {"tv_sec": -1, "tv_usec": 0})
    assert_fails(c.select(0, NULL, NULL, NULL, bad), errno.EINVAL)


def test_poll(fds: Fds) -> None:
    a, b = unix_pair(fds)
    pfds = new("struct pollfd[2]")
    pfds[0].fd, pfds[0].events = a, c.POLLOUT
    pfds[1].fd, pfds[1].events = b, c.POLLIN
    assert c.poll(pfds, 2, 0) == 1
    assert pfds[0].revents == c.POLLOUT and pfds[1].revents == 0
    send_all(a, b"data")
    assert c.poll(pfds, 2, int(TIMEOUT * 1000)) == 2
    assert pfds[1].revents & c.POLLIN
    pfds[0].fd = -1  # ignored, revents 0
    assert c.poll(pfds, 2, 0) == 1 and pfds[0].revents == 0


def test_poll_closed_fd_pollnval() -> None:
    fd = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    assert fd >= 0 and c.close(fd) == 0
    pfd = new("struct pollfd *", {"fd": fd, "events": c.POLLIN})
    assert c.poll(pfd, 1, 0) == 1
    assert pfd.revents == c.POLLNVAL


def test_poll_too_many_fds_einval() -> None:
    pfd = new("struct pollfd *")
    assert_fails(c.poll(pfd, 1 << 30, 0), errno.EINVAL)


# --------------------------------------------------------------------------
# byte order and address conversion


@pytest.mark.parametrize("value", [0, 1, 0x1234, 0x7F00, 0xFFFF, 80, 8080])
def test_htons_ntohs(value: int) -> None:
    assert c.htons(value) == socket.htons(value)
    assert c.ntohs(value) == socket.ntohs(value)
    assert c.ntohs(c.htons(value)) == value
    assert struct.pack("=H", c.htons(value)) == struct.pack("!H", value)


@pytest.mark.parametrize("value", [0, 1, 0x7F000001, 0x12345678, 0xFFFFFFFF])
def test_htonl_ntohl(value: int) -> None:
    assert c.htonl(value) == socket.htonl(value)
    assert c.ntohl(value) == socket.ntohl(value)
    assert c.ntohl(c.htonl(value)) == value
    assert struct.pack("=I", c.htonl(value)) == struct.pack("!I", value)


@pytest.mark.parametrize("text", ["127.0.0.1", "0.0.0.0", "192.0.2.3", "255.255.255.254"])
def test_inet_addr_aton_ntoa(text: str) -> None:
    packed = socket.inet_aton(text)
    assert struct.pack("=I", c.inet_addr(text.encode())) == packed
    addr = new("struct in_addr *")
    assert c.inet_aton(text.encode(), addr) == 1
    assert bytes(c.buffer(addr)) == packed
    assert c.string(c.inet_ntoa(addr[0])) == text.encode()


def test_inet_addr_failures() -> None:
    assert c.inet_addr(b"not an address") == c.INADDR_NONE
    assert c.inet_addr(b"1.2.3.256") == c.INADDR_NONE
    addr = new("struct in_addr *")
    assert c.inet_aton(b"not an address", addr) == 0
    assert c.inet_aton(b"127.1", addr) == 1  # the classic short forms are accepted
    assert c.string(c.inet_ntoa(addr[0])) == b"127.0.0.1"


@pytest.mark.parametrize(
    "family, text",
    [
        (socket.AF_INET, "127.0.0.1"),
        (socket.AF_INET, "198.51.100.20"),
        (socket.AF_INET6, "::1"),
        (socket.AF_INET6, "::"),
        (socket.AF_INET6, "fe80::1:2:3:4"),
        (socket.AF_INET6, "::ffff:127.0.0.1"),
        (socket.AF_INET6, "2001:db8::ff00:42:8329"),
    ],
)
def test_inet_pton_ntop(family: int, text: str) -> None:
    size = 16 if family == socket.AF_INET6 else 4
    dst = new("unsigned char[]", size)
    assert c.inet_pton(family, text.encode(), dst) == 1
    packed = socket.inet_pton(family, text)
    assert bytes(dst) == packed
    buf = new("char[]", c.INET6_ADDRSTRLEN)
    out = c.inet_ntop(family, dst, buf, c.INET6_ADDRSTRLEN)
    assert out == cast("char *", buf)
    assert c.string(out).decode() == socket.inet_ntop(family, packed)


def test_inet_pton_failures() -> None:
    dst = new("unsigned char[16]")
    assert c.inet_pton(c.AF_INET, b"300.1.1.1", dst) == 0  # 0: not an address, errno unset
    assert c.inet_pton(c.AF_INET6, b"1:::2", dst) == 0
    assert_fails(c.inet_pton(12345, b"127.0.0.1", dst), errno.EAFNOSUPPORT)


def test_inet_ntop_failures() -> None:
    src = new("unsigned char[16]")
    buf = new("char[64]")
    assert_fails(c.inet_ntop(12345, src, buf, 64), errno.EAFNOSUPPORT)
    assert_fails(c.inet_ntop(c.AF_INET6, src, buf, 2), errno.ENOSPC)
    assert_fails(c.inet_ntop(c.AF_INET, src, buf, 7), errno.ENOSPC)


# --------------------------------------------------------------------------
# names: gethostname, gethostbyname, getservby*, getaddrinfo, getnameinfo


def test_gethostname() -> None:
    buf = new("char[256]")
    assert c.gethostname(buf, 256) == 0
    assert c.string(buf).decode() == socket.gethostname()


def test_gethostname_short_buffer_enametoolong() -> None:
    name = socket.gethostname().encode()
    buf = new("char[]", len(name))  # no room for the terminating NUL
    assert_fails(c.gethostname(buf, len(name)), errno.ENAMETOOLONG)


@pytest.mark.parametrize("name", [b"localhost", b"127.0.0.1"])
def test_gethostbyname(name: bytes) -> None:
    h = c.gethostbyname(name)
    assert h != NULL
    assert h.h_addrtype == c.AF_INET and h.h_length == 4
    assert c.h_addr(h) == h.h_addr_list[0]
    addr = cast("struct in_addr *", c.h_addr(h))
    expected = socket.gethostbyname(name.decode())
    assert c.string(c.inet_ntoa(addr[0])).decode() == expected
    assert c.string(h.h_name)
    if name == b"127.0.0.1":
        assert c.string(h.h_name) == b"127.0.0.1"
        assert h.h_addr_list[1] == NULL


def test_getservbyname_and_port() -> None:
    s = c.getservbyname(b"http", b"tcp")
    if s == NULL:
        pytest.skip("no http entry in the services database")
    assert c.string(s.s_name) == b"http"
    assert c.string(s.s_proto) == b"tcp"
    assert c.ntohs(s.s_port) == socket.getservbyname("http", "tcp") == 80
    s = c.getservbyport(c.htons(80), b"tcp")
    assert s != NULL
    assert c.string(s.s_name).decode() == socket.getservbyport(80, "tcp")


def test_getservbyname_unknown_is_null() -> None:
    assert c.getservbyname(b"csock-no-such-service", b"tcp") == NULL
    assert c.getservbyport(c.htons(1), b"csock-no-such-proto") == NULL


def _addrinfo(node: bytes | None, service: bytes | None, **hints: int) -> tuple[int, Any]:
    h = new("struct addrinfo *", hints)
    res = new("struct addrinfo **")
    rc = c.getaddrinfo(node if node is not None else NULL, service or NULL, h, res)
    return rc, res


def _walk(res: Any) -> list[tuple[int, int, int, bytes, int]]:
    out = []
    ai = res[0]
    while ai != NULL:
        host = new("char[]", c.NI_MAXHOST)
        serv = new("char[]", c.NI_MAXSERV)
        flags = c.NI_NUMERICHOST | c.NI_NUMERICSERV
        assert (
            c.getnameinfo(ai.ai_addr, ai.ai_addrlen, host, c.NI_MAXHOST, serv, c.NI_MAXSERV, flags)
            == 0
        )
        out.append(
            (ai.ai_family, ai.ai_socktype, ai.ai_protocol, c.string(host), int(c.string(serv)))
        )
        expected_len = {c.AF_INET: 16, c.AF_INET6: 28}[ai.ai_family]
        assert ai.ai_addrlen == expected_len
        assert ai.ai_addr.sa_family == ai.ai_family
        ai = ai.ai_next
    return out


def test_getaddrinfo_numeric() -> None:
    rc, res = _addrinfo(
        b"127.0.0.1",
        b"8080",
        ai_family=c.AF_INET,
        ai_socktype=c.SOCK_STREAM,
        ai_flags=c.AI_NUMERICHOST | c.AI_NUMERICSERV,
    )
    assert rc == 0
    try:
        assert _walk(res) == [(c.AF_INET, c.SOCK_STREAM, c.IPPROTO_TCP, b"127.0.0.1", 8080)]
        sin = cast("struct sockaddr_in *", res[0].ai_addr)
        assert c.ntohs(sin.sin_port) == 8080
        assert c.ntohl(sin.sin_addr.s_addr) == c.INADDR_LOOPBACK
    finally:
        c.freeaddrinfo(res[0])


@pytest.mark.parametrize(
    "node, family",
    [(b"localhost", c.AF_UNSPEC), (b"::1", c.AF_INET6), (b"127.0.0.1", c.AF_UNSPEC)],
)
def test_getaddrinfo_matches_python(node: bytes, family: int) -> None:
    rc, res = _addrinfo(node, b"80", ai_family=family, ai_socktype=c.SOCK_STREAM)
    assert rc == 0, c.string(c.gai_strerror(rc))
    try:
        got = _walk(res)
    finally:
        c.freeaddrinfo(res[0])
    expected = [
        (int(fam), int(kind), proto, str(sa[0]).encode(), sa[1])
        for fam, kind, proto, _, sa in socket.getaddrinfo(
            node.decode(), 80, family, socket.SOCK_STREAM
        )
    ]
    assert got == expected


def test_getaddrinfo_passive_null_node() -> None:
    rc, res = _addrinfo(
        None, b"0", ai_family=c.AF_INET, ai_socktype=c.SOCK_DGRAM, ai_flags=c.AI_PASSIVE
    )
    assert rc == 0
    try:
        assert _walk(res) == [(c.AF_INET, c.SOCK_DGRAM, c.IPPROTO_UDP, b"0.0.0.0", 0)]
    finally:
        c.freeaddrinfo(res[0])


@pytest.mark.parametrize(
    "node, service, hints, err",
    [
        (b"not-numeric.invalid", b"80", {"ai_flags": socket.AI_NUMERICHOST}, "EAI_NONAME"),
        (b"1.2.3.4.5", None, {"ai_flags": socket.AI_NUMERICHOST}, "EAI_NONAME"),
        (b"127.0.0.1", b"http", {"ai_flags": socket.AI_NUMERICSERV}, "EAI_NONAME"),
        (None, None, {}, "EAI_NONAME"),
        (b"127.0.0.1", None, {"ai_family": 12345}, "EAI_FAMILY"),
        (b"127.0.0.1", None, {"ai_socktype": 12345}, "EAI_SOCKTYPE"),
        (b"127.0.0.1", None, {"ai_flags": 0x7FFF0000}, "EAI_BADFLAGS"),
        (None, b"80", {"ai_flags": socket.AI_CANONNAME}, "EAI_BADFLAGS"),
    ],
)
def test_getaddrinfo_failures(
    node: bytes | None, service: bytes | None, hints: dict[str, int], err: str
) -> None:
    rc, res = _addrinfo(node, service, **hints)
    assert rc == getattr(c, err) == getattr(socket, err)
    assert res[0] == NULL  # nothing to free


@pytest.mark.parametrize("err", ["EAI_NONAME", "EAI_FAMILY", "EAI_SERVICE", "EAI_SOCKTYPE"])
def test_gai_strerror_matches_python(err: str) -> None:
    text = c.string(c.gai_strerror(getattr(c, err))).decode()
    # Python's gaierror carries gai_strerror's text
    if err == "EAI_NONAME":
        with pytest.raises(socket.gaierror) as info:
            socket.getaddrinfo("not-numeric.invalid", 80, flags=socket.AI_NUMERICHOST)
        assert info.value.errno == socket.EAI_NONAME
        assert info.value.strerror == text
    assert text and text != c.string(c.gai_strerror(c.EAI_AGAIN)).decode()


@pytest.mark.parametrize(
    "make, host, port",
    [
        (lambda: sockaddr_in(b"127.0.0.1", 8080), b"127.0.0.1", b"8080"),
        (lambda: sockaddr_in(b"203.0.113.40", 1), b"203.0.113.40", b"1"),
        (lambda: sockaddr_in6(b"::1", 443), b"::1", b"443"),
    ],
)
def test_getnameinfo_numeric(make: Callable[[], Any], host: bytes, port: bytes) -> None:
    sa = make()
    hbuf = new("char[]", c.NI_MAXHOST)
    sbuf = new("char[]", c.NI_MAXSERV)
    flags = c.NI_NUMERICHOST | c.NI_NUMERICSERV
    rc = c.getnameinfo(as_sa(sa), sizeof(sa[0]), hbuf, c.NI_MAXHOST, sbuf, c.NI_MAXSERV, flags)
    assert rc == 0
    assert (c.string(hbuf), c.string(sbuf)) == (host, port)


def test_getnameinfo_failures() -> None:
    flags = c.NI_NUMERICHOST | c.NI_NUMERICSERV
    hbuf = new("char[]", c.NI_MAXHOST)
    sbuf = new("char[]", c.NI_MAXSERV)
    bad = sockaddr_in()
    bad.sin_family = 12345
    assert c.getnameinfo(as_sa(bad), 16, hbuf, 64, sbuf, 32, flags) == c.EAI_FAMILY
    good = sockaddr_in(b"127.0.0.1", 80)
    assert c.getnameinfo(as_sa(good), 4, hbuf, 64, sbuf, 32, flags) == c.EAI_FAMILY
    assert c.getnameinfo(as_sa(good), 16, hbuf, 4, sbuf, 32, flags) == c.EAI_OVERFLOW


# --------------------------------------------------------------------------
# memory helpers


def test_memset_and_bzero() -> None:
    buf = new("char[8]")
    assert c.memset(buf, ord("A"), 8) == buf
    assert c.buffer(buf)[:] == b"AAAAAAAA"
    c.bzero(buf + 2, 4)
    assert c.buffer(buf)[:] == b"AA\0\0\0\0AA"
    sa = sockaddr_in(port=80)
    c.memset(sa, 0, sizeof(sa[0]))
    assert bytes(c.buffer(sa)) == bytes(16)


# --------------------------------------------------------------------------
# the porting idiom, against Python's stdlib socket module


def test_port_idiom_server_with_python_client() -> None:
    # struct sockaddr_in servidor; ... as in the tutorial
    servidor = new("struct sockaddr_in *")
    fd = c_socket(AF_INET, SOCK_STREAM, 0)
    assert fd != -1
    conn = -1
    try:
        servidor.sin_family = AF_INET
        servidor.sin_port = htons(0)
        servidor.sin_addr.s_addr = inet_addr(b"127.0.0.1")
        bzero(servidor.sin_zero, 8)
        assert bind(fd, cast("struct sockaddr *", servidor), sizeof("struct sockaddr")) == 0
        assert listen(fd, 5) == 0
        port = local_port(fd)
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as py:
            cliente = new("struct sockaddr_in *")
            sin_size = new("socklen_t *", sizeof("struct sockaddr_in"))
            wait_readable(fd)
            conn = accept(fd, cast("struct sockaddr *", cliente), sin_size)
            assert conn != -1
            assert ntohs(cliente.sin_port) == py.getsockname()[1]
            assert string(c.inet_ntoa(cliente.sin_addr)) == b"127.0.0.1"
            assert send(conn, b"Bienvenido a mi servidor.\n", 26, 0) == 26
            got = b""
            while len(got) < 26:
                chunk = py.recv(64)
                assert chunk
                got += chunk
            assert got == b"Bienvenido a mi servidor.\n"
            py.sendall(b"gracias")
            buf = new("char[]", 100)
            wait_readable(conn)
            numbytes = recv(conn, buf, 99, 0)
            assert numbytes == 7
            buf[numbytes] = b"\0"
            assert string(buf) == b"gracias"
    finally:
        if conn != -1:
            assert close(conn) == 0
        assert close(fd) == 0


def test_port_idiom_client_with_python_server() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.settimeout(TIMEOUT)
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        server = new("struct sockaddr_in *")
        server.sin_family = AF_INET
        server.sin_port = htons(port)
        server.sin_addr.s_addr = inet_addr(b"127.0.0.1")
        bzero(server.sin_zero, 8)
        fd = c_socket(AF_INET, SOCK_STREAM, 0)
        assert fd != -1
        try:
            assert connect(fd, cast("struct sockaddr *", server), sizeof("struct sockaddr")) == 0
            conn, addr = srv.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                assert addr[1] == local_port(fd)
                conn.sendall(b"hola")
                buf = new("char[]", 100)
                wait_readable(fd)
                assert recv(fd, buf, 100, 0) == 4
                assert c.buffer(buf, 4)[:] == b"hola"
                assert send(fd, b"adios", 5, 0) == 5
                assert conn.recv(16) == b"adios"
                assert c.shutdown(fd, c.SHUT_WR) == 0
                assert conn.recv(16) == b""
        finally:
            assert close(fd) == 0
    assert INADDR_ANY == 0


# --------------------------------------------------------------------------
# credentials (struct ucred is not declared: read it as int[3] pid, uid, gid)


def test_getpid() -> None:
    assert c.getpid() == os.getpid()


def test_so_peercred(fds: Fds) -> None:
    a, _ = unix_pair(fds)
    cred = new("int[3]")
    n = new("socklen_t *", sizeof(cred))
    assert c.getsockopt(a, c.SOL_SOCKET, c.SO_PEERCRED, cred, n) == 0
    assert n[0] == 12
    assert list(cred) == [os.getpid(), os.getuid(), os.getgid()]


def test_scm_credentials_with_rights_uses_nxthdr(fds: Fds) -> None:
    a, b = unix_pair(fds)
    assert setint_opt(b, c.SOL_SOCKET, c.SO_PASSCRED, 1) == 0
    r, w = os.pipe()
    fds.fds += [r, w]
    assert _send_fds(a, b"c", [r]) == 1
    wait_readable(b)
    data = new("char[8]")
    iov = new("struct iovec *")
    iov.iov_base, iov.iov_len = data, 8
    space = c.CMSG_SPACE(12) + c.CMSG_SPACE(sizeof("int"))
    control = new("char[]", space)
    msg = new("struct msghdr *")
    msg.msg_iov, msg.msg_iovlen = iov, 1
    msg.msg_control, msg.msg_controllen = control, space
    assert c.recvmsg(b, msg, 0) == 1
    seen = {}
    cmsg = c.CMSG_FIRSTHDR(msg)
    while cmsg != NULL:
        assert cmsg.cmsg_level == c.SOL_SOCKET
        ints = cast("int *", c.CMSG_DATA(cmsg))
        count = (cmsg.cmsg_len - c.CMSG_LEN(0)) // sizeof("int")
        seen[cmsg.cmsg_type] = [ints[i] for i in range(count)]
        cmsg = c.CMSG_NXTHDR(msg, cmsg)
    for fd in seen.get(c.SCM_RIGHTS, []):
        fds.add(fd)
    assert sorted(seen) == sorted([c.SCM_RIGHTS, c.SCM_CREDENTIALS])
    assert seen[c.SCM_CREDENTIALS] == [os.getpid(), os.getuid(), os.getgid()]
    assert os.fstat(seen[c.SCM_RIGHTS][0]).st_ino == os.fstat(r).st_ino


# --------------------------------------------------------------------------
# properties, with Python's conversions as the reference


@given(st.binary(min_size=16, max_size=16))
def test_inet_ntop_pton_ipv6_property(packed: bytes) -> None:
    src = new("unsigned char[16]", packed)
    buf = new("char[]", c.INET6_ADDRSTRLEN)
    assert c.inet_ntop(c.AF_INET6, src, buf, c.INET6_ADDRSTRLEN) != NULL
    text = c.string(buf)
    assert text.decode() == socket.inet_ntop(socket.AF_INET6, packed)
    back = new("unsigned char[16]")
    assert c.inet_pton(c.AF_INET6, text, back) == 1
    assert bytes(back) == packed


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_conversions_property(value: int) -> None:
    packed = struct.pack("!I", value)
    addr = new("struct in_addr *")
    addr.s_addr = c.htonl(value)
    assert bytes(c.buffer(addr)) == packed
    text = c.string(c.inet_ntoa(addr[0]))
    assert text.decode() == socket.inet_ntoa(packed)
    assert c.inet_addr(text) == addr.s_addr
    assert c.ntohl(c.inet_addr(text)) == value
    assert c.ntohs(c.htons(value & 0xFFFF)) == value & 0xFFFF
