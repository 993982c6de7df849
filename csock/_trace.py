"""csock.c's call trace, line for line as strace prints the system calls.

Each csock.c function that makes one system call has a row in :data:`TABLE`:
the system call's name (glibc's ``send`` is the ``sendto`` system call, ``open``
is ``openat``, ``select`` is ``pselect6``, ``pipe`` is ``pipe2``,
``gethostname`` is ``uname``), what must be read before the call (lengths
and sets the kernel overwrites), and how the arguments and result print. A
traced wrapper calls the C function, then writes one line::

    sendto(4, "Bienvenido al Eagle14!\\n", 23, MSG_NOSIGNAL, NULL, 0) = 23

Buffers the kernel fills (read, recv, recvfrom, recvmsg) print after the call
with the returned length, as strace prints them; buffers cut at *strsize*
bytes (strace's ``-s``) end in ``...``. Struct and address decoding is
:mod:`csock._show`'s, shared with ``csock.c.show``.

With ``all`` the library functions that make no system call of their own
(htons, inet_addr, gethostbyname, ...) print too, in the same notation:
``htons(10000) = 4135``.

The wrappers exist only while tracing is on: csock.c's module globals are
the raw cffi functions otherwise, so tracing off costs nothing. errno is
saved after the traced call and restored after the line is written, so
``c.errno`` reads the traced call's errno.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from csock import _show as S
from csock._csock import ffi, lib

__all__ = ["TABLE", "Config", "config_from_env", "install", "swapped", "wrap"]

ACOLUMN = 40  # strace -a: the column of " = "


@dataclass
class Config:
    """Where and how much to print. ``file`` None: sys.stderr at each line."""

    file: IO[str] | None = None
    all: bool = False
    strsize: int = S.DEFAULT_STRSIZE
    pid: int = field(default_factory=os.getpid)
    hints: bool = False  # CSOCK_TRACE=hints: a line under a failed or suspicious call

    def emit(self, line: str) -> None:
        # A forked child's lines start with "[pid N] ", as strace -f marks them.
        if (pid := os.getpid()) != self.pid:
            line = "\n".join(f"[pid {pid}] {part}" for part in line.split("\n"))
        out = self.file if self.file is not None else sys.stderr
        out.write(line + "\n")
        out.flush()


def config_from_env(environ: MutableMapping[str, str] | None = None) -> Config | None:
    """CSOCK_TRACE=1 (system calls), =all, or =hints (=1 plus hints, csock/_hints.py);
    CSOCK_TRACE_STRSIZE=N. None: off."""
    env = os.environ if environ is None else environ
    mode = env.get("CSOCK_TRACE", "").strip().lower()
    if mode in ("", "0", "no", "off", "false"):
        return None
    strsize = S.DEFAULT_STRSIZE
    text = env.get("CSOCK_TRACE_STRSIZE", "").strip()
    if text:
        try:
            strsize = max(0, int(text, 10))
        except ValueError:
            pass
    return Config(file=None, all=mode == "all", strsize=strsize, hints=mode == "hints")


def line(call: str, result: str) -> str:
    """``name(args)`` padded to strace's column, then ``= result``."""
    return (call + " ").ljust(ACOLUMN) + "= " + result


# --------------------------------------------------------------------------
# One call


@dataclass
class Call:
    args: tuple[Any, ...]
    ret: Any
    err: int
    pre: Any
    strsize: int

    @property
    def failed(self) -> bool:
        return isinstance(self.ret, int) and self.ret == -1

    def result(self) -> str:
        return S.error_result(self.err) if self.failed else str(int(self.ret))


Args = Callable[[Call], str]
Result = Callable[[Call], str]
Pre = Callable[[tuple[Any, ...]], Any]
SizedPre = Callable[[tuple[Any, ...], int], Any]


@dataclass(frozen=True)
class Syscall:
    """How strace prints the system call behind one csock.c function.

    ``pre`` reads what the call will overwrite; ``sized_pre`` does the same
    given strsize too, to read no more array items than the line prints.
    ``args`` returning None prints no line (fork's child, an empty printf);
    ``noreturn`` calls (exit) print before the call, with ``= ?``.
    """

    name: str
    args: Callable[[Call], str | None]
    pre: Pre | None = None
    result: Result | None = None
    sized_pre: SizedPre | None = None
    noreturn: bool = False


def _i(x: Any) -> str:
    return str(int(x))


def _buf_in(c: Call, ptr: Any, count: int) -> str:
    """A buffer the call reads: *count* bytes, cut at strsize."""
    if S.is_null(ptr):
        return "NULL"
    return S.quote(S.read_mem(ptr, min(count, c.strsize)), count, c.strsize)


def _buf_out(c: Call, ptr: Any, count: int) -> str:
    """A buffer the call filled: the returned length of it, or its address."""
    if c.failed:
        return S.address(ptr)
    n = min(int(c.ret), count)
    return S.quote(S.read_mem(ptr, min(n, c.strsize)), n, c.strsize)


def _socklen_pre(addr: Any, lenp: Any) -> int | None:
    if S.is_null(addr) or S.is_null(lenp):
        return None
    return int(lenp[0])


def _sockname(c: Call, addr: Any, lenp: Any) -> str:
    """strace's decode_sockname: ``{...}, [16]`` or ``[28 => 16]``."""
    ulen = c.pre
    if ulen is None:
        return f"{S.address(addr)}, {S.address(lenp)}"
    if c.failed:
        return f"{S.address(addr)}, [{ulen}]"
    rlen = int(lenp[0])
    text = S.sockaddr_arg(addr, min(ulen, rlen))
    return f"{text}, [{ulen} => {rlen}]" if ulen != rlen else f"{text}, [{rlen}]"


def _socket(c: Call) -> str:
    domain, typ, proto = (int(a) for a in c.args)
    fam = S.xval(domain, S.ADDRESS_FAMILIES, "AF_???")
    if domain in (lib.AF_INET, lib.AF_INET6):
        p = S.xval(proto, S.INET_PROTOCOLS, "IPPROTO_???")
    else:
        p = str(proto)
    return f"{fam}, {S.sock_type(typ)}, {p}"


def _socketpair(c: Call) -> str:
    domain, typ, proto, sv = c.args
    fam = S.xval(int(domain), S.ADDRESS_FAMILIES, "AF_???")
    return f"{fam}, {S.sock_type(int(typ))}, {int(proto)}, [{int(sv[0])}, {int(sv[1])}]"


def _msg_flags(x: Any) -> str:
    return S.flags(int(x), S.MSG_FLAGS, "MSG_???")


def _sockopt_head(fd: Any, level: Any, name: Any) -> str:
    lvl, nm = int(level), int(name)
    names = S.sockopt_names(lvl)
    opt = S.xval(nm, names[0], names[1]) if names else str(nm)
    return f"{int(fd)}, {S.xval(lvl, S.SOCKET_LEVELS, 'SOL_??')}, {opt}"


def _setsockopt(c: Call) -> str:
    fd, level, name, val, vlen = c.args
    n = int(vlen)
    if S.is_null(val):
        text = "NULL"
    elif int(level) == lib.SOL_SOCKET and int(name) == lib.SO_LINGER:
        text = (S.linger(ffi.cast("struct linger *", val)) if n >= ffi.sizeof("struct linger")
                else S.address(val))
    elif n == ffi.sizeof("int"):
        text = f"[{int(ffi.cast('int *', val)[0])}]"
    else:
        text = _buf_in(c, val, n)
    return f"{_sockopt_head(fd, level, name)}, {text}, {n}"


def _getsockopt(c: Call) -> str:
    fd, level, name, val, lenp = c.args
    head = _sockopt_head(fd, level, name)
    ulen = c.pre
    if ulen is None:
        return f"{head}, {S.address(val)}, {S.address(lenp)}"
    if c.failed:
        return f"{head}, {S.address(val)}, [{ulen}]"
    rlen = int(lenp[0])
    lvl, nm = int(level), int(name)
    if ulen <= 0 or rlen <= 0 or S.is_null(val):
        text = S.address(val)
    elif lvl == lib.SOL_SOCKET and nm == lib.SO_LINGER:
        text = S.linger(ffi.cast("struct linger *", val))
    elif lvl == lib.SOL_SOCKET and nm == lib.SO_PEERCRED and rlen >= 12:
        p = ffi.cast("int *", val)
        text = f"{{pid={int(p[0])}, uid={int(p[1])}, gid={int(p[2])}}}"
    elif lvl == lib.SOL_SOCKET and nm == lib.SO_ERROR:
        if rlen >= 4:
            err = int(ffi.cast("int *", val)[0])
            text = f"[{S.errno_name(err) if err else 0}]"
        else:
            text = S.quote_bytes(S.read_mem(val, rlen), hex_all=True)
    elif rlen == ffi.sizeof("int"):
        text = f"[{int(ffi.cast('int *', val)[0])}]"
    else:
        text = _buf_in(c, val, rlen)
    lens = f"[{ulen} => {rlen}]" if ulen != rlen else f"[{rlen}]"
    return f"{head}, {text}, {lens}"


def _poll_args(c: Call) -> str:
    fds, nfds, timeout = c.args
    items = [S.pollfd(fds[i], events=True, revents=False) for i in range(int(nfds))]
    return f"[{', '.join(items)}], {int(nfds)}, {int(timeout)}"


def _poll_result(c: Call) -> str:
    if c.failed:
        return c.result()
    if c.ret == 0:
        return "0 (Timeout)"
    fds, nfds = c.args[0], int(c.args[1])
    ready = [S.pollfd(fds[i], events=False, revents=True)
             for i in range(nfds) if int(fds[i].revents)]
    return f"{int(c.ret)} ([{', '.join(ready)}])"


def _epoll_ctl_args(c: Call) -> str:
    epfd, op, fd, event = c.args
    text = "NULL" if S.is_null(event) else S.epoll_event(event[0])
    return (f"{_i(epfd)}, {S.xval(int(op), S.EPOLL_CTL_OPS, 'EPOLL_CTL_???')}, {_i(fd)}, "
            f"{text}")


def _epoll_wait_args(c: Call) -> str:
    epfd, events, maxevents, timeout = c.args
    if c.failed:
        shown = S.address(events)
    else:  # the events the kernel filled in
        shown = "[" + ", ".join(S.epoll_event(events[i]) for i in range(int(c.ret))) + "]"
    return f"{_i(epfd)}, {shown}, {_i(maxevents)}, {_i(timeout)}"


def _select_pre(args: tuple[Any, ...]) -> tuple[list[list[int] | None], tuple[int, int] | None]:
    nfds = int(args[0])
    sets = [None if S.is_null(p) else S.fd_set_list(p, nfds) for p in args[1:4]]
    tv = args[4]
    timeout = None if S.is_null(tv) else (int(tv.tv_sec), int(tv.tv_usec))
    return sets, timeout


def _select_args(c: Call) -> str:
    sets, timeout = c.pre
    parts = [str(int(c.args[0]))]
    parts += ["NULL" if s is None else S.fd_set_text(s) for s in sets]
    parts.append("NULL" if timeout is None
                 else f"{{tv_sec={timeout[0]}, tv_nsec={timeout[1] * 1000}}}")
    parts.append("NULL")
    return ", ".join(parts)


def _select_result(c: Call) -> str:
    if c.failed:
        return c.result()
    if c.ret == 0:
        return "0 (Timeout)"
    nfds = int(c.args[0])
    notes = []
    for label, ptr in zip(("in", "out", "except"), c.args[1:4], strict=True):
        if not S.is_null(ptr):
            fds = S.fd_set_list(ptr, nfds)
            if fds:
                notes.append(f"{label} {S.fd_set_text(fds)}")
    tv = c.args[4]
    if not S.is_null(tv):
        notes.append(f"left {{tv_sec={int(tv.tv_sec)}, tv_nsec={int(tv.tv_usec) * 1000}}}")
    return f"{int(c.ret)} ({', '.join(notes)})"


def _sendfile_args(c: Call) -> str:
    out_fd, in_fd, offp, count = c.args
    if S.is_null(offp):
        off = "NULL"
    else:
        off = f"[{c.pre}]"
        if not c.failed and c.ret:
            off += f" => [{int(offp[0])}]"
    return f"{int(out_fd)}, {int(in_fd)}, {off}, {int(count)}"


def _open_args(c: Call) -> str:
    path, flags = c.args[0], int(c.args[1])
    mode = int(c.args[2]) if len(c.args) > 2 else 0
    where = "NULL" if S.is_null(path) else S.quote_cstring(S.read_path(path))
    text = f"AT_FDCWD, {where}, {S.open_flags(flags)}"
    if flags & lib.O_CREAT or flags & S.O_TMPFILE == S.O_TMPFILE:
        text += ", " + S.umode(mode)
    return text


def _fcntl_args(c: Call) -> str:
    fd, cmd = int(c.args[0]), int(c.args[1])
    arg = int(c.args[2]) if len(c.args) > 2 else 0
    name = S.xval(cmd, S.FCNTL_CMDS, "F_???")
    if cmd in (lib.F_GETFD, lib.F_GETFL):
        return f"{fd}, {name}"
    if cmd == lib.F_SETFD:
        return f"{fd}, {name}, {S.flags(arg, S.FD_FLAGS, 'FD_???')}"
    if cmd == lib.F_SETFL:
        return f"{fd}, {name}, {S.open_flags(arg)}"
    return f"{fd}, {name}, {arg}"


def _fcntl_result(c: Call) -> str:
    if c.failed:
        return c.result()
    cmd, ret = int(c.args[1]), int(c.ret)
    if cmd == lib.F_GETFL:
        return f"{ret:#x} (flags {S.open_flags(ret)})" if ret else "0 (flags O_RDONLY)"
    if cmd == lib.F_GETFD and ret:
        return f"{ret:#x} (flags {S.flags(ret, S.FD_FLAGS, 'FD_???')})"
    return str(ret)


def _uname(c: Call) -> str:
    if c.failed:
        return S.address(c.args[0])
    u = os.uname()
    return (f"{{sysname={S.quote_bytes(u.sysname.encode())}, "
            f"nodename={S.quote_bytes(u.nodename.encode())}, ...}}")


def _recvmsg_args(c: Call) -> str:
    fd, msg, fl = c.args
    if S.is_null(msg):
        body = "NULL"
    elif c.failed:
        body = f"{{msg_namelen={c.pre}}}"
    else:
        body = S.msghdr(msg, int(c.ret), c.strsize, user_namelen=c.pre)
    return f"{int(fd)}, {body}, {_msg_flags(fl)}"


def _sendmsg_args(c: Call) -> str:
    fd, msg, fl = c.args
    body = "NULL" if S.is_null(msg) else S.msghdr(msg, None, c.strsize)
    return f"{int(fd)}, {body}, {_msg_flags(fl)}"


# strace prints at most IOV_MAX (1024) items of an mmsghdr vector, and no
# more than strsize of any array; "..." stands for the rest.
_MMSG_PRINT_MAX = 1024


def _mmsg_shown(vlen: int, strsize: int) -> int:
    return min(vlen, strsize, _MMSG_PRINT_MAX)


def _mmsgvec(c: Call, vec: Any, count: int, with_len: int, received: bool) -> str:
    """strace's decode_mmsgvec: ``[{msg_hdr={...}, msg_len=3}, ...]``.

    ``count`` items of the vector, the first ``with_len`` with their msg_len;
    a received item's data is its msg_len bytes, a sent one's all its iovecs.
    """
    if S.is_null(vec):
        return "NULL"
    shown = _mmsg_shown(count, c.strsize)
    namelens = c.pre[0] if received and c.pre is not None else None
    items = []
    for i in range(shown):
        item = vec[i]
        user_namelen = namelens[i] if namelens is not None and i < len(namelens) else None
        size = int(item.msg_len) if received else None
        text = "{msg_hdr=" + S.msghdr(ffi.addressof(item, "msg_hdr"), size, c.strsize,
                                      user_namelen=user_namelen)
        if i < with_len:
            text += f", msg_len={int(item.msg_len)}"
        items.append(text + "}")
    if shown < count:
        items.append("...")
    return "[" + ", ".join(items) + "]"


def _uint(x: Any) -> int:
    return int(x) & 0xFFFFFFFF


def _sendmmsg_args(c: Call) -> str:
    fd, vec, vlen, fl = c.args
    # strace decodes the vector even after a failure, then with no msg_len.
    sent = 0 if c.failed else int(c.ret)
    return (f"{int(fd)}, {_mmsgvec(c, vec, _uint(vlen), sent, False)}, {_uint(vlen)}, "
            f"{_msg_flags(fl)}")


def _timespec(ptr: Any) -> str:
    if S.is_null(ptr):
        return "NULL"
    return f"{{tv_sec={int(ptr.tv_sec)}, tv_nsec={int(ptr.tv_nsec)}}}"


def _recvmmsg_pre(args: tuple[Any, ...], strsize: int) -> tuple[list[int] | None, str]:
    """Each printed item's msg_namelen before the call, and the timeout as given."""
    vec, vlen, timeout = args[1], _uint(args[2]), args[4]
    namelens = None
    if not S.is_null(vec):
        namelens = [int(vec[i].msg_hdr.msg_namelen) for i in range(_mmsg_shown(vlen, strsize))]
    return namelens, _timespec(timeout)


def _recvmmsg_args(c: Call) -> str:
    fd, vec, vlen, fl, timeout = c.args
    if c.failed:
        text = S.address(vec)
    else:
        text = _mmsgvec(c, vec, int(c.ret), int(c.ret), True)
    given = c.pre[1] if c.pre is not None else _timespec(timeout)
    return f"{int(fd)}, {text}, {_uint(vlen)}, {_msg_flags(fl)}, {given}"


def _recvmmsg_result(c: Call) -> str:
    if c.failed:
        return c.result()
    if int(c.ret) == 0:
        return "0 (Timeout)"
    timeout = c.args[4]
    if S.is_null(timeout):
        return str(int(c.ret))
    return f"{int(c.ret)} (left {_timespec(timeout)})"


def _pipe_args(c: Call) -> str:
    p = c.args[0]
    return f"[{int(p[0])}, {int(p[1])}], 0"


# --- <signal.h>: signal() and sigaction() print as the rt_sigaction glibc makes

_SA_FLAGS = ("SA_ONSTACK", "SA_RESTART", "SA_NODEFER", "SA_RESETHAND", "SA_SIGINFO",
             "SA_NOCLDSTOP", "SA_NOCLDWAIT")  # strace's order


def _signame(n: int, prefix: str = "SIG") -> str:
    import signal as pysignal

    if n == 32:
        return prefix + "RTMIN"
    if 32 < n <= 64:
        return f"{prefix}RT_{n - 32}"
    try:
        return prefix + pysignal.Signals(n).name[3:]
    except ValueError:
        return str(n)


def _sigset(mask: bytes) -> str:
    """A sigset_t as strace prints it: [TERM USR1], or ~[...] when most are set."""
    if not mask:
        return "[]"
    bits = int.from_bytes(mask[:8], sys.byteorder)
    members = [n for n in range(1, 65) if bits >> (n - 1) & 1]
    if len(members) > 32:
        return "~[" + " ".join(_signame(n, "") for n in range(1, 65)
                               if n not in members) + "]"
    return "[" + " ".join(_signame(n, "") for n in members) + "]"


def _handler_text(handler: Any) -> str:
    from csock import _signals

    if not isinstance(handler, ffi.CData):
        handler = _signals.sighandler(handler)
    address = int(ffi.cast("uintptr_t", handler))
    return {0: "SIG_DFL", 1: "SIG_IGN"}.get(address, hex(address))


def _sigaction_text(handler: Any, mask: bytes, flags: int) -> str:
    names = [n for n in _SA_FLAGS if flags & getattr(lib, n)]
    text = "|".join(names) or "0"
    if flags < 0:  # SA_RESETHAND in an int: the kernel's long is sign-extended
        text += "|0xffffffff00000000"
    return f"{{sa_handler={_handler_text(handler)}, sa_mask={_sigset(mask)}, sa_flags={text}}}"


def _struct_sigaction(ptr: Any) -> str:
    flags = int(ptr.sa_flags)
    handler = ptr.sa_sigaction if flags & lib.SA_SIGINFO else ptr.sa_handler
    return _sigaction_text(handler, bytes(ffi.buffer(ffi.addressof(ptr, "sa_mask"))), flags)


def _old_action(signum: Any) -> str | None:
    from csock import _signals

    try:
        return _sigaction_text(*_signals.action(int(signum)))
    except Exception:
        return None


def _signal_args(c: Call) -> str:
    signum = int(c.args[0])
    mask = ffi.new("sigset_t *")
    lib.sigemptyset(mask)
    lib.sigaddset(mask, signum)
    new = _sigaction_text(c.args[1], bytes(ffi.buffer(mask)), lib.SA_RESTART)
    old = c.pre if c.pre is not None and not c.failed else "NULL"
    return f"{_signame(signum)}, {new}, {old}, 8"


def _signal_result(c: Call) -> str:
    failed = isinstance(c.ret, ffi.CData) and c.ret == lib.SIG_ERR
    return S.error_result(c.err) if failed else "0"


def _sigaction_args(c: Call) -> str:
    signum, act, oldact = c.args
    new = "NULL" if S.is_null(act) else _struct_sigaction(act)
    if S.is_null(oldact):
        old = "NULL"
    elif c.failed:
        old = S.address(oldact)
    else:
        old = _struct_sigaction(oldact)
    return f"{_signame(int(signum))}, {new}, {old}, 8"


TABLE: dict[str, Syscall] = {
    "socket": Syscall("socket", _socket),
    "socketpair": Syscall("socketpair", _socketpair),
    "bind": Syscall("bind", lambda c: (
        f"{_i(c.args[0])}, {S.sockaddr_arg(c.args[1], int(c.args[2]))}, {_i(c.args[2])}")),
    "connect": Syscall("connect", lambda c: (
        f"{_i(c.args[0])}, {S.sockaddr_arg(c.args[1], int(c.args[2]))}, {_i(c.args[2])}")),
    "listen": Syscall("listen", lambda c: f"{_i(c.args[0])}, {_i(c.args[1])}"),
    "accept": Syscall("accept", lambda c: f"{_i(c.args[0])}, "
                      + _sockname(c, c.args[1], c.args[2]),
                      pre=lambda a: _socklen_pre(a[1], a[2])),
    "accept4": Syscall("accept4", lambda c: f"{_i(c.args[0])}, "
                       + _sockname(c, c.args[1], c.args[2]) + ", "
                       + S.flags(int(c.args[3]), S.SOCK_TYPE_FLAGS, "SOCK_???"),
                       pre=lambda a: _socklen_pre(a[1], a[2])),
    "getsockname": Syscall("getsockname", lambda c: f"{_i(c.args[0])}, "
                           + _sockname(c, c.args[1], c.args[2]),
                           pre=lambda a: _socklen_pre(a[1], a[2])),
    "getpeername": Syscall("getpeername", lambda c: f"{_i(c.args[0])}, "
                           + _sockname(c, c.args[1], c.args[2]),
                           pre=lambda a: _socklen_pre(a[1], a[2])),
    "send": Syscall("sendto", lambda c: (
        f"{_i(c.args[0])}, {_buf_in(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}, "
        f"{_msg_flags(c.args[3])}, NULL, 0")),
    "sendto": Syscall("sendto", lambda c: (
        f"{_i(c.args[0])}, {_buf_in(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}, "
        f"{_msg_flags(c.args[3])}, {S.sockaddr_arg(c.args[4], int(c.args[5]))}, "
        f"{_i(c.args[5])}")),
    "recv": Syscall("recvfrom", lambda c: (
        f"{_i(c.args[0])}, {_buf_out(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}, "
        f"{_msg_flags(c.args[3])}, NULL, NULL")),
    "recvfrom": Syscall("recvfrom", lambda c: (
        f"{_i(c.args[0])}, {_buf_out(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}, "
        f"{_msg_flags(c.args[3])}, " + _sockname(c, c.args[4], c.args[5])),
        pre=lambda a: _socklen_pre(a[4], a[5])),
    "sendmsg": Syscall("sendmsg", _sendmsg_args),
    "recvmsg": Syscall("recvmsg", _recvmsg_args,
                       pre=lambda a: None if S.is_null(a[1]) else int(a[1].msg_namelen)),
    "sendmmsg": Syscall("sendmmsg", _sendmmsg_args),
    "recvmmsg": Syscall("recvmmsg", _recvmmsg_args, result=_recvmmsg_result,
                        sized_pre=_recvmmsg_pre),
    "shutdown": Syscall("shutdown", lambda c: (
        f"{_i(c.args[0])}, {S.xval(int(c.args[1]), S.SHUT_HOW, 'SHUT_???')}")),
    "setsockopt": Syscall("setsockopt", _setsockopt),
    "getsockopt": Syscall("getsockopt", _getsockopt,
                          pre=lambda a: None if S.is_null(a[4]) else int(a[4][0])),
    "close": Syscall("close", lambda c: _i(c.args[0])),
    "dup": Syscall("dup", lambda c: _i(c.args[0])),
    "read": Syscall("read", lambda c: (
        f"{_i(c.args[0])}, {_buf_out(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}")),
    "write": Syscall("write", lambda c: (
        f"{_i(c.args[0])}, {_buf_in(c, c.args[1], int(c.args[2]))}, {_i(c.args[2])}")),
    "pipe": Syscall("pipe2", _pipe_args),
    "getpid": Syscall("getpid", lambda c: ""),
    "gethostname": Syscall("uname", _uname),
    "poll": Syscall("poll", _poll_args, result=_poll_result),
    "epoll_create": Syscall("epoll_create", lambda c: _i(c.args[0])),
    "epoll_create1": Syscall("epoll_create1", lambda c: S.flags(  # an int: 32 bits
        int(c.args[0]) & 0xFFFFFFFF, S.EPOLL_CREATE_FLAGS, "EPOLL_???")),
    "epoll_ctl": Syscall("epoll_ctl", _epoll_ctl_args),
    "epoll_wait": Syscall("epoll_wait", _epoll_wait_args),
    "select": Syscall("pselect6", _select_args, pre=_select_pre, result=_select_result),
    "sendfile": Syscall("sendfile", _sendfile_args,
                        pre=lambda a: None if S.is_null(a[2]) else int(a[2][0])),
    "open": Syscall("openat", _open_args),
    "fcntl": Syscall("fcntl", _fcntl_args, result=_fcntl_result),
    "signal": Syscall("rt_sigaction", _signal_args, pre=lambda a: _old_action(a[0]),
                      result=_signal_result),
    "sigaction": Syscall("rt_sigaction", _sigaction_args),
    "kill": Syscall("kill", lambda c: f"{_i(c.args[0])}, {_signame(int(c.args[1]))}"),
    "raise_": Syscall("tgkill", lambda c: (
        f"{os.getpid()}, {threading.get_native_id()}, {_signame(int(c.args[0]))}")),
}

# files, processes and stdio (unlink, stat, fork, waitpid, exit, printf...).
from csock._trace_libc import rows as _libc_rows  # noqa: E402

TABLE.update(_libc_rows(Syscall))

# The system calls the table can print, by the name strace gives them.
SYSCALLS = frozenset(s.name for s in TABLE.values())


# --------------------------------------------------------------------------
# Library functions (CSOCK_TRACE=all): no system call of their own


# Functions whose pointer arguments are outputs: their args print after the call.
_ARGS_AFTER = {"inet_aton", "FD_ZERO", "FD_SET", "FD_CLR", "time", "gettimeofday"}
# char * results that are not text.
_RESULT_ADDRESS = {"h_addr"}


def _c_value(value: Any, ctype: Any) -> str:
    """A library function's argument or result, by its C type."""
    kind = ctype.kind
    if kind == "void":
        return "<void>"
    if kind == "primitive":
        if isinstance(value, bytes):  # char
            return S.quote_bytes(value)
        return str(value if not isinstance(value, float) else value)
    if kind == "struct":
        return S.show(value)
    if kind == "pointer":
        item = ctype.item
        if isinstance(value, (bytes, bytearray)) and item.cname == "char":
            return S.quote_cstring(bytes(value))
        if S.is_null(value):
            return "NULL"
        if item.cname == "char":
            return S.cstring(value)
        if item.kind == "struct" and not isinstance(value, (bytes, bytearray, memoryview)):
            return S.show(ffi.cast(ctype, value))
        return S.address(value)
    return repr(value)


def _library_line(name: str, func: Any, args: tuple[Any, ...], ret: Any,
                  before: list[str] | None) -> str:
    ftype = ffi.typeof(func)
    if before is None:
        before = [_c_value(a, t) for a, t in zip(args, ftype.args, strict=False)]
    if name in _RESULT_ADDRESS:
        result = S.address(ret)
    else:
        result = _c_value(ret, ftype.result)
    return line(f"{name}({', '.join(before)})", result)


# --------------------------------------------------------------------------
# Wrappers


def wrap(name: str, func: Callable[..., Any], cfg: Config) -> Callable[..., Any] | None:
    """The traced stand-in for csock.c's *name*, or None if it prints nothing."""
    spec = TABLE.get(name)
    if spec is not None:
        return _wrap_syscall(name, spec, func, cfg)
    if cfg.all and callable(func) and _is_cfunction(func):
        return _wrap_library(name, func, cfg)
    return None


def _is_cfunction(func: Any) -> bool:
    try:
        return bool(ffi.typeof(func).kind == "function")
    except TypeError:
        return False


def _wrap_syscall(name: str, spec: Syscall, func: Callable[..., Any],
                  cfg: Config) -> Callable[..., Any]:
    if cfg.hints:
        return _wrap_hinted(name, spec, func, cfg)

    @functools.wraps(func)
    def traced(*args: Any) -> Any:
        try:
            if spec.sized_pre is not None:
                pre = spec.sized_pre(args, cfg.strsize)
            else:
                pre = spec.pre(args) if spec.pre is not None else None
        except Exception:  # never let the trace break the call
            pre = None
        if spec.noreturn:
            cfg.emit(line(f"{spec.name}({spec.args(Call(args, None, 0, pre, cfg.strsize))})",
                          "?"))
        ret = func(*args)
        err = ffi.errno
        text: str | None
        try:
            call = Call(args, ret, err, pre, cfg.strsize)
            shown = spec.args(call)
            if shown is None:
                text = None
            else:
                result = spec.result(call) if spec.result is not None else call.result()
                text = line(f"{spec.name}({shown})", result)
        except Exception as exc:  # pragma: no cover - a decoder bug
            text = line(f"{spec.name}(...)", f"{ret} /* csock trace: {exc!r} */")
        try:
            if text is not None:
                cfg.emit(text)
        finally:
            ffi.errno = err
        return ret

    traced.__wrapped_c__ = func  # type: ignore[attr-defined]
    return traced


def _wrap_hinted(name: str, spec: Syscall, func: Callable[..., Any],
                 cfg: Config) -> Callable[..., Any]:
    """The traced wrapper of CSOCK_TRACE=hints: the same line, then any hints.

    A separate wrapper, so that the plain trace is not touched by hints.
    """
    from csock import _hints

    _hints.watch_descriptors(cfg.emit)

    @functools.wraps(func)
    def traced(*args: Any) -> Any:
        _hints.before_call(name, args)
        try:
            if spec.sized_pre is not None:
                pre = spec.sized_pre(args, cfg.strsize)
            else:
                pre = spec.pre(args) if spec.pre is not None else None
        except Exception:  # never let the trace break the call
            pre = None
        if spec.noreturn:
            cfg.emit(line(f"{spec.name}({spec.args(Call(args, None, 0, pre, cfg.strsize))})",
                          "?"))
        try:
            ret = func(*args)
        except TypeError as exc:  # a beginner's type mistake: say what to write
            _hints.add_hint(exc)
            raise
        err = ffi.errno
        text: str | None
        hints: list[str] = []
        try:
            call = Call(args, ret, err, pre, cfg.strsize)
            shown = spec.args(call)
            if shown is None:
                text = None
            else:
                result = spec.result(call) if spec.result is not None else call.result()
                text = line(f"{spec.name}({shown})", result)
        except Exception as exc:  # pragma: no cover - a decoder bug
            text = line(f"{spec.name}(...)", f"{ret} /* csock trace: {exc!r} */")
        try:
            hints = _hints.after_call(name, Call(args, ret, err, pre, cfg.strsize))
        except Exception:  # pragma: no cover - a hint must never break the call
            hints = []
        try:
            if text is not None:
                cfg.emit(text)
            for hint in hints:
                cfg.emit(hint)
        finally:
            ffi.errno = err
        return ret

    traced.__wrapped_c__ = func  # type: ignore[attr-defined]
    return traced


def _wrap_library(name: str, func: Callable[..., Any], cfg: Config) -> Callable[..., Any]:
    after = name in _ARGS_AFTER

    def traced(*args: Any) -> Any:
        before = None
        if not after:
            try:
                before = [_c_value(a, t) for a, t in zip(args, ffi.typeof(func).args,
                                                         strict=False)]
            except Exception:
                before = ["..."]
        ret = func(*args)
        err = ffi.errno
        try:
            text = _library_line(name, func, args, ret, before)
        except Exception as exc:  # pragma: no cover - a decoder bug
            text = line(f"{name}(...)", f"{ret!r} /* csock trace: {exc!r} */")
        try:
            cfg.emit(text)
        finally:
            ffi.errno = err
        return ret

    traced.__name__ = name
    traced.__doc__ = getattr(func, "__doc__", None)
    traced.__wrapped_c__ = func  # type: ignore[attr-defined]
    return traced


def install(namespace: MutableMapping[str, Any], raw: dict[str, Any], cfg: Config) -> None:
    """Replace every traceable function of *raw* in *namespace* by its wrapper."""
    for name, func in raw.items():
        traced = wrap(name, func, cfg)
        if traced is not None:
            namespace[name] = traced


_swap_lock = threading.Lock()


@contextmanager
def swapped(namespace: MutableMapping[str, Any], raw: dict[str, Any],
            cfg: Config) -> Iterator[None]:
    """Install traced wrappers into *namespace* for the block; restore after."""
    with _swap_lock:
        saved = {name: namespace[name] for name in raw if name in namespace}
        install(namespace, raw, cfg)
    try:
        yield
    finally:
        with _swap_lock:
            namespace.update(saved)
