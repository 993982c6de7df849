"""csock.Socket: socket.socket's behaviour, on the raw C binding.

The timeout model is CPython's (Modules/socketmodule.c, sock_call_ex):

* timeout None: the fd is blocking; each call is retried on EINTR (PEP 475).
* timeout 0.0: the fd is non-blocking; EAGAIN is raised as BlockingIOError.
* timeout > 0: the fd is non-blocking; each call is preceded by poll() against
  a monotonic deadline, and retried on EINTR and EAGAIN until it passes, then
  TimeoutError("timed out"). The poll, the call and the EAGAIN retries are one
  C call (csockrt_*, given the deadline); EINTR comes back to Python, but for
  the hot paths that pin a caller's buffer (below).

The descriptor lives in a ``csockrt_fd`` (csock/_cdefs/csock_runtime.py):
every system call goes through one C function that takes a reference on it,
polls when there is a timeout, makes the call and drops the reference, and
returns the result or -errno. close() while a call runs in another thread
marks the socket closed; the number is released when the last call returns,
so no retry ever acts on a number that was closed and reused.

cffi releases the GIL around every C call, and the hot paths' C (recv,
recv_into, send, sendall and recvmmsg: csock/_cdefs/csock_hot.py) around
each system call, so a blocking call lets other threads run. A signal makes
the call return -EINTR, and the Python handler runs before the retry (an
exception from the handler propagates from the retry loop); recv_into, send,
sendall and recvmmsg's C run the handlers and retry themselves, the
caller's buffer still pinned, as CPython's C does.

Buffers taken from a caller's object (``ffi.from_buffer``, or the buffer
protocol in the hot paths' C) are pinned before any of the caller's code can
run (an ``__index__``), sized from the pin, and released on every path
before the method returns or raises, so the caller can resize its bytearray
in an ``except`` block.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import operator
import os
import signal
import socket as _stdlib_socket
import sys
import warnings
from collections import deque
from collections.abc import Callable
from time import monotonic
from typing import IO, TYPE_CHECKING, Any, Literal, Self, overload
from weakref import ref as _weakref

from csock import _address, _hot, _validate
from csock._constants import to_family, to_kind
from csock._csock import ffi, lib
from csock._errors import os_error, timed_out
from csock._socketio import SocketIO

if TYPE_CHECKING:
    from collections.abc import Iterable

    from typing_extensions import Buffer  # collections.abc.Buffer from 3.12

    from csock._constants import AddressFamily, SocketKind

# Text modes of makefile(), and binary ones (as typeshed's socket.makefile).
_TextMode = Literal["r", "w", "rw", "wr", ""]
_BinaryMode = Literal["b", "rb", "br", "wb", "bw", "rwb", "rbw", "wrb", "wbr", "brw", "bwr"]

_EINTR = lib.EINTR
_EWOULDBLOCK = lib.EWOULDBLOCK
_EINPROGRESS = lib.EINPROGRESS
_EBADF = lib.EBADF
# The runtime's results: -errno, or _EXPIRED when the poll before the call timed out.
_NEG_EINTR = -lib.EINTR
_EXPIRED = lib.CSOCKRT_EXPIRED
_BADARG = lib.CSOCKRT_BADARG
# A fast path's EINTR under a timeout: _INTR_AT - the deadline in nanoseconds.
_INTR_AT = lib.CSOCKRT_INTR_AT
# Added to a recvfrom fast path's count when the sender is new.
_NEW_SENDER = lib.CSOCKRT_NEW_SENDER
# The runtime's send functions OR in MSG_NOSIGNAL: a peer that went away gives
# EPIPE, never a SIGPIPE that would kill the process when SIGPIPE is back at
# its default action.
_TYPE_MASK = ~(lib.SOCK_NONBLOCK | lib.SOCK_CLOEXEC)

_c_recv = lib.csockrt_recv
_c_send = lib.csockrt_send
_c_recvfrom_fast = lib.csockrt_recvfrom_fast
_c_sendto_fast = lib.csockrt_sendto_fast
_c_sendto = lib.csockrt_sendto
_KEY_LIMIT = lib.CSOCKRT_KEY_LIMIT
# The hot paths: C functions on CPython's C API, each taking the Socket's
# (key, csockrt_fd) tuple (see _cdefs/csock_hot.py).
_hot_recv = _hot.recv
_hot_recv_into = _hot.recv_into
_hot_send = _hot.send
_hot_sendall = _hot.sendall
_hot_recvmmsg = _hot.recvmmsg
_buffer = ffi.buffer
_from_buffer = ffi.from_buffer
_release = ffi.release
_unpack = ffi.unpack
# Receive buffers need not be zero-filled: the kernel writes what we read.
_new_uninitialised = ffi.new_allocator(should_clear_after_alloc=False)
_STORAGE_BYTES = ffi.sizeof("struct sockaddr_storage")


def _received(buf: Any, size: int, n: int) -> bytes:
    """The bytes of a recv() into ``size`` bytes at ``buf`` that returned ``n``.

    With MSG_TRUNC a datagram socket returns the datagram's full length, which
    may pass the buffer: as socket, the result has that length, the data in
    its first ``size`` bytes; csock fills the rest with zeros (CPython leaves
    it uninitialised). Nothing past the buffer is ever read.
    """
    if n <= size:
        return _unpack(buf, n)  # type: ignore[no-any-return]
    return _unpack(buf, size) + bytes(n - size)  # type: ignore[no-any-return]


def _check_deadline(deadline: float) -> None:
    """TimeoutError when a deadline (>= 0) has passed: before a call that goes
    on after EINTR or a short send. CPython polls once with the whole timeout
    at the start (the runtime does too: a ready socket never times out), but
    a call that goes on with a deadline already passed times out."""
    if deadline >= 0 and monotonic() > deadline:
        raise timed_out()


def _failed(n: int) -> float | None:
    """What follows a fast path's result ``n`` < 0: None to make the call
    again by the general path (_BADARG, or EINTR with no timeout), the
    deadline to go on with (EINTR under a timeout: PEP 475, the signal
    handlers have run), or the error raised."""
    if n == _BADARG or n == _NEG_EINTR:
        return None
    if n <= _INTR_AT:
        return (_INTR_AT - n) / 1e9
    raise timed_out() if n == _EXPIRED else os_error(-n)


# Keys of freed csockrt_fds, for reuse, and the next never used. Handed out
# and given back under the GIL (list.pop/append and next() are atomic).
_free_keys: list[int] = []
_next_key = itertools.count(1)
# Each keyed csockrt_fd's weak reference (its callback gives the key back)
# -> a pointer to it, for the callback.
_keyed: dict[Any, Any] = {}


def _drop_key(wr: Any, _clear: Any = lib.csockrt_key_clear,
              _give_back: Any = _free_keys.append, _pop: Any = _keyed.pop) -> None:
    """The weak reference callback of a Socket's csockrt_fd, run as it is
    deallocated, before its memory is freed: its key for reuse (bound
    defaults: it may run late in the interpreter's shutdown)."""
    key = _clear(_pop(wr))
    if key:
        _give_back(key)


def _new_from_item() -> list[Any]:
    """A recvfrom() hot-path buffer: [csockrt_from, a buffer over its data,
    the last sender's address, a buffer over its sockaddr]."""
    sender = ffi.new("csockrt_from *")  # zeroed: addrlen 0 matches the address None
    return [sender, _buffer(sender.buf), None, _buffer(sender, _STORAGE_BYTES)]


def _new_fd_ref() -> tuple[Any, int]:
    """A csockrt_fd that owns no descriptor yet (closed and detached), and its
    key (0: none, when 65,535 are in use; its calls take their longer paths)."""
    # An array of one, for its way of dying: the object holds the struct
    # itself, is not tracked by the collector and has no finalizer, so its
    # weak reference's callback runs only when it is deallocated (nothing
    # can use it any more), before its memory is freed. (ffi.gc's object has
    # a finalizer, which the collector runs in every cycle it finds, even
    # one that a __del__ then resurrects: the csockrt_fd was freed, its key
    # given to another socket, under a Socket still in use.)
    ref = ffi.new("csockrt_fd[1]")
    lib.csockrt_fd_init(ref, -1)
    lib.csockrt_fd_detach(ref)
    # First: a key is set only in a csockrt_fd whose callback will clear it.
    _keyed[_weakref(ref, _drop_key)] = ffi.cast("csockrt_fd *", ref)
    try:
        key = _free_keys.pop()
    except IndexError:
        key = next(_next_key)
    # id(ref): the hot paths act on the csockrt_fd only for a tuple holding ref.
    if lib.csockrt_key_set(ref, key, id(ref)) != 0:
        if key < _KEY_LIMIT:
            _free_keys.append(key)  # out of memory, not of keys
        return ref, 0
    return ref, key


_DEFAULT_BACKLOG: Any = object()  # listen() with no argument
_NO_OPTLEN: Any = object()  # setsockopt() with three arguments


def getdefaulttimeout() -> float | None:
    """The timeout given to new sockets (None: blocking).

    One value for the process: socket.getdefaulttimeout()'s, so that
    socket.setdefaulttimeout() reaches csock's sockets too, and back.
    """
    return _stdlib_socket.getdefaulttimeout()


def setdefaulttimeout(timeout: float | None) -> None:
    """Set the timeout given to new sockets, csock's and socket's; None: blocking."""
    _stdlib_socket.setdefaulttimeout(timeout)  # its checks are the running socket's


_MAX_BYTES = _validate.MAX_BYTES
_MAX_SSIZE = 0x7FFFFFFFFFFFFFFF
# CPython 3.12 takes setblocking()'s flag by its truth value (PyObject_IsTrue);
# 3.11 parsed it as a C long, so None, floats and str were TypeErrors.
_SETBLOCKING_TRUTH = sys.version_info >= (3, 12)
# sendto()'s third argument when it was not given (None is an address, and a bad one).
_NO_ADDRESS: Any = object()
# CPython 3.13 sends at most 1 GiB per os.sendfile() when a count is given;
# 3.11 and 3.12 ask for all that is left (OverflowError past a ssize_t).
_SENDFILE_BLOCK_CAPPED = sys.version_info >= (3, 13)


class _GiveUpOnSendfile(Exception):
    """sendfile(2) cannot be used: socket.sendfile falls back to send()."""


@contextlib.contextmanager
def _sigpipe_blocked() -> Any:
    """Block SIGPIPE in this thread for a call that has no MSG_NOSIGNAL (sendfile(2)).

    A SIGPIPE the call raises is taken off the pending set, so a process
    whose SIGPIPE is at its default action gets EPIPE, and is not killed.
    """
    if signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN:
        yield  # Python's default: the kernel discards it anyway
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
    pending_before = signal.SIGPIPE in signal.sigpending()
    try:
        yield
    finally:
        if not pending_before and signal.SIGPIPE in signal.sigpending():
            signal.sigtimedwait({signal.SIGPIPE}, 0)
        if signal.SIGPIPE not in old:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _sockopt_int(fd: int, level: int, name: int) -> int:
    value = ffi.new("int *")
    size = ffi.new("socklen_t *", ffi.sizeof("int"))
    if lib.getsockopt(fd, level, name, value, size) == -1:
        raise os_error(ffi.errno)
    return int(value[0])


# ------------------------------------------------------ sendmsg and recvmsg
# As CPython's socketmodule.c: control buffers are limited to a C int of
# bytes (SOCKLEN_T_LIMIT), and are walked with the CMSG_* macros.
_SOCKLEN_T_LIMIT = 0x7FFFFFFF
_CMSG_LEN_0 = lib.csock_CMSG_LEN(0)
_CMSG_SPACE_1 = lib.csock_CMSG_SPACE(1)
_CMSG_LEN_END = ffi.offsetof("struct cmsghdr", "cmsg_len") + ffi.sizeof("size_t")
_INT_SIZE = ffi.sizeof("int")


def _fast_sequence(value: object, message: str) -> list[Any] | tuple[Any, ...]:
    """As PySequence_Fast: a list or tuple as it is, any other iterable as a list."""
    if isinstance(value, (list, tuple)):
        return value
    try:
        iterator = iter(value)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(message) from None
    return list(iterator)


def cmsg_len(length: int) -> int | None:
    """CMSG_LEN(length), or None when it would pass SOCKLEN_T_LIMIT (get_CMSG_LEN)."""
    if length < 0 or length > _SOCKLEN_T_LIMIT - _CMSG_LEN_0:
        return None
    result = int(lib.csock_CMSG_LEN(length))
    return result if result <= _SOCKLEN_T_LIMIT else None


def cmsg_space(length: int) -> int | None:
    """CMSG_SPACE(length), or None when it would pass SOCKLEN_T_LIMIT (get_CMSG_SPACE)."""
    # CMSG_SPACE(1): the padding before *and* after the data.
    if length < 0 or length > _SOCKLEN_T_LIMIT - _CMSG_SPACE_1:
        return None
    result = int(lib.csock_CMSG_SPACE(length))
    return result if result <= _SOCKLEN_T_LIMIT else None


def _cmsg_offset(msg: Any, pointer: Any) -> int:
    return int(ffi.cast("char *", pointer) - ffi.cast("char *", msg.msg_control))


def _cmsg_min_space(msg: Any, cmsg: Any, space: int) -> bool:
    """Whether ``space`` bytes (at least up to the end of cmsg_len) from cmsg fit."""
    if cmsg == ffi.NULL or msg.msg_control == ffi.NULL:
        return False
    offset = _cmsg_offset(msg, cmsg)
    return 0 <= offset and offset + max(space, _CMSG_LEN_END) <= msg.msg_controllen


def _cmsg_data_space(msg: Any, cmsg: Any) -> int | None:
    """The bytes of the control buffer from CMSG_DATA(cmsg) on; None if outside it."""
    data = lib.csock_CMSG_DATA(cmsg)
    if data == ffi.NULL:
        return None
    offset = _cmsg_offset(msg, data)
    if not 0 <= offset <= msg.msg_controllen:
        return None
    return int(msg.msg_controllen) - offset


def _cmsg_data_len(msg: Any, cmsg: Any) -> tuple[int, int]:
    """(status, data length) as CPython's get_cmsg_data_len.

    Status 0: the data is all in the buffer; 1: cut short, length is what is
    there; -1: the header itself is invalid or outside the buffer.
    """
    if not _cmsg_min_space(msg, cmsg, _CMSG_LEN_0) or cmsg.cmsg_len < _CMSG_LEN_0:
        return -1, 0
    data_len = int(cmsg.cmsg_len) - _CMSG_LEN_0
    space = _cmsg_data_space(msg, cmsg)
    if space is None:
        return -1, 0
    if space >= data_len:
        return 0, data_len
    return 1, space


def _cmsg_headers(msg: Any) -> Any:
    """Each (cmsghdr, status, data length) of a received msghdr, in order."""
    cmsg = lib.csock_CMSG_FIRSTHDR(msg) if msg.msg_controllen > 0 else ffi.NULL
    while cmsg != ffi.NULL:
        status, length = _cmsg_data_len(msg, cmsg)
        yield cmsg, status, length
        if status != 0:
            return
        cmsg = lib.csock_CMSG_NXTHDR(msg, cmsg)


def _ancillary_data(msg: Any) -> list[tuple[int, int, bytes]]:
    """The (level, type, data) of each control message received."""
    out: list[tuple[int, int, bytes]] = []
    for cmsg, status, length in _cmsg_headers(msg):
        if status != 0:
            warnings.warn("received malformed or improperly-truncated ancillary data",
                          RuntimeWarning, stacklevel=4)
            if status < 0:
                break
        data = ffi.cast("char *", lib.csock_CMSG_DATA(cmsg))
        out.append((int(cmsg.cmsg_level), int(cmsg.cmsg_type), _unpack(data, length)))
    return out


def _close_passed_fds(msg: Any) -> None:
    """Close the descriptors of every SCM_RIGHTS message (none may leak on an error)."""
    for cmsg, status, length in _cmsg_headers(msg):
        if status < 0:
            break
        if cmsg.cmsg_level == lib.SOL_SOCKET and cmsg.cmsg_type == lib.SCM_RIGHTS:
            fds = ffi.cast("int *", lib.csock_CMSG_DATA(cmsg))
            for i in range(length // _INT_SIZE):
                lib.close(fds[i])


def _ancillary_item(item: object) -> tuple[int, int, Any]:
    """(level, type, data) of one sendmsg() ancillary item, as CPython's "(iiy*)"."""
    where = "[sendmsg() ancillary data items]()"
    if isinstance(item, dict) or not hasattr(type(item), "__getitem__"):
        raise TypeError(f"{where} argument must be 3-item sequence, "
                        f"not {_validate.type_name(item)}")
    size = len(item)  # type: ignore[arg-type]
    if size != 3:
        raise TypeError(f"{where} argument must be sequence of length 3, not {size}")
    level = _validate.c_int(item[0], "level")  # type: ignore[index]
    kind = _validate.c_int(item[1], "type")  # type: ignore[index]
    return level, kind, _validate.readable_buffer(item[2])  # type: ignore[index]


# ---------------------------------------------------- sendmmsg and recvmmsg
# The kernel takes at most UIO_MAXIOV (1024) datagrams per call and ignores
# the rest (net/socket.c caps vlen): csock builds no more than that.
_UIO_MAXIOV = 1024
# recvmmsg's buffers are allocated before the call, however few datagrams
# come: 256 MiB holds 1024 datagrams of 256 KiB (UDP's largest is 64 KiB).
# A larger count * bufsize is a mistake, refused rather than allocated.
_RECVMMSG_MAX_BYTES = 1 << 28
_STORAGE_SIZE = ffi.sizeof("struct sockaddr_storage")
_WAITFORONE = lib.MSG_WAITFORONE
_mmsg_send_init = lib.csockrt_mmsg_send_init
_sendmmsg_packed = lib.csockrt_sendmmsg_packed
_recvmmsg_batch = lib.csockrt_recvmmsg_batch
# Datagrams of sendmmsg() up to this many bytes in all are copied end to end
# into one buffer (one join, instead of pinning each).
_PACKED_MAX = 1 << 20
_ONLY_BYTES = {bytes}


def _datagram(item: object, family: int, pinned: list[Any]) -> tuple[Any, int]:
    """Pin one sendmmsg() item's data onto ``pinned``; (owning sockaddr or NULL, its length)."""
    address: Any = None
    pair = isinstance(item, tuple)
    if pair:
        size = len(item)  # type: ignore[arg-type]
        if size != 2:
            raise TypeError("sendmmsg() items must be bytes-like objects or (data, address) "
                            f"pairs, not a tuple of length {size}")
        item, address = item  # type: ignore[misc]
    data = _validate.readable_buffer(item)
    pinned.append(_from_buffer(data) if data.__class__ is bytes else data)
    if not pair:
        return ffi.NULL, 0
    # The address after the pin: its code (a port's __index__) cannot resize
    # the data under the call.
    return _address.to_sockaddr(family, address, "sendmmsg")


class Socket:
    """A socket, as ``socket.socket`` is one, owning a descriptor made by csock.c.

    ``Socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)``. With
    ``fileno``, the socket adopts that descriptor and, when family, type or
    proto are not given, reads them from it (SO_DOMAIN, SO_TYPE, SO_PROTOCOL).
    New descriptors are close-on-exec (PEP 446).
    """

    __slots__ = ("_ref", "_hot", "_family", "_type", "_proto", "_timeout", "_io_refs",
                 "_closed", "_spare_from", "_last_to", "__weakref__")

    def __init__(
        self,
        family: int = -1,
        type: int = -1,  # noqa: A002 - the name socket.socket uses
        proto: int = -1,
        fileno: int | None = None,
    ) -> None:
        # First, so __del__ and close() work if __init__ fails: owns nothing yet.
        ref, key = _new_fd_ref()
        self._ref = ref
        # The hot paths' handle, one object read at once: a call holds the
        # csockrt_fd its key names, even if __init__ runs again meanwhile.
        self._hot = (key, ref)
        self._io_refs = 0
        self._closed = False
        # Buffers for recvfrom()s, each with a ffi.buffer over it, whose
        # slice is the cheapest copy to bytes; deque.pop/append are atomic,
        # so concurrent calls never share one. A deque, not a list: a list
        # emptied by pop() and refilled by append() reallocates its array
        # twice a call (~300 ns here).
        self._spare_from: deque[list[Any]] = deque()
        # The last sendto()'s address, its encoding and length, when constant.
        self._last_to: tuple[Any, Any, int, Any] | None = None
        # As CPython's socket.__init__ (Argument Clinic's int): ints (through
        # __index__) within C int range.
        family = _validate.clinic_int(family, "family")
        type = _validate.clinic_int(type, "type")  # noqa: A001
        proto = _validate.clinic_int(proto, "proto")
        if fileno is None:
            family = lib.AF_INET if family == -1 else family
            type = lib.SOCK_STREAM if type == -1 else type  # noqa: A001
            proto = 0 if proto == -1 else proto
            fd = lib.socket(family, type | lib.SOCK_CLOEXEC, proto)
            if fd == -1:
                raise os_error(ffi.errno)
        else:
            fd = _validate.fileno(fileno)
            # As CPython: the descriptor must be an open socket (getsockname).
            storage, length = _address.new_storage()
            if lib.getsockname(fd, ffi.cast("struct sockaddr *", storage), length) == -1:
                err = ffi.errno
                if err in (_EBADF, lib.ENOTSOCK):
                    raise os_error(err)
            if family == -1:
                family = _sockopt_int(fd, lib.SOL_SOCKET, lib.SO_DOMAIN)
            if type == -1:
                type = _sockopt_int(fd, lib.SOL_SOCKET, lib.SO_TYPE)  # noqa: A001
            if proto == -1:
                proto = _sockopt_int(fd, lib.SOL_SOCKET, lib.SO_PROTOCOL)
        lib.csockrt_fd_init(self._ref, fd)
        self._family = family
        self._type = type & _TYPE_MASK
        self._proto = proto
        self._timeout: float | None = None
        if type & lib.SOCK_NONBLOCK:
            self._keep_timeout(0.0)
        elif (default := _stdlib_socket.getdefaulttimeout()) is not None:
            try:
                self.settimeout(default)
            except BaseException:
                # A descriptor we made is closed; one we were given stays the
                # caller's (fromfd and accept close theirs): never closed twice.
                if fileno is None:
                    lib.csockrt_fd_close(self._ref)
                else:
                    lib.csockrt_fd_detach(self._ref)
                raise

    # ----------------------------------------------------------------- identity
    @property
    def family(self) -> AddressFamily:
        """The address family, an AddressFamily member where one exists (an int otherwise)."""
        return to_family(self._family)  # type: ignore[return-value]

    @property
    def type(self) -> SocketKind:
        """The socket type (without SOCK_NONBLOCK/SOCK_CLOEXEC), a SocketKind member."""
        return to_kind(self._type)  # type: ignore[return-value]

    @property
    def proto(self) -> int:
        """The protocol number (0: the family's default for the type)."""
        return self._proto

    @property
    def timeout(self) -> float | None:
        """The timeout in seconds: None for blocking, 0.0 for non-blocking."""
        return self._timeout

    def fileno(self) -> int:
        """The descriptor, for any csock.c function; -1 once closed or detached."""
        return int(lib.csockrt_fd_get(self._ref))

    def __repr__(self) -> str:
        fd = self.fileno()
        closed = fd < 0
        text = (
            f"<csock.Socket{' [closed]' if closed else ''} fd={fd}, "
            f"family={self._family}, type={self._type}, proto={self._proto}"
        )
        if not closed:
            try:
                local = self.getsockname()
                if local:  # an unbound AF_UNIX socket's name is '': no laddr, as socket
                    text += f", laddr={local}"
            except OSError:
                pass
            try:
                remote = self.getpeername()
                if remote:
                    text += f", raddr={remote}"
            except OSError:
                pass
        return text + ">"

    def __getstate__(self) -> None:
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")

    # ------------------------------------------------------------ life and death
    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._closed:
            self.close()

    def close(self) -> None:
        """Close the socket; later calls do nothing. Files from makefile() keep it open.

        A call running in another thread is not woken (as in CPython): it
        ends as the kernel ends it, and the descriptor is released when it
        returns; any retry it would make raises OSError(EBADF).
        """
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def _real_close(self) -> None:
        result = lib.csockrt_fd_close(self._ref)
        # As CPython: ECONNRESET on close still means the fd is gone.
        if result < 0 and -result != lib.ECONNRESET:
            raise os_error(-result)

    def _decref_socketios(self) -> None:
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def detach(self) -> int:
        """Give up the descriptor without closing it; return it (-1 if closed)."""
        self._closed = True
        return int(lib.csockrt_fd_detach(self._ref))

    def __del__(self) -> None:
        try:
            ref = self._ref
        except AttributeError:
            return
        if lib.csockrt_fd_get(ref) >= 0:
            try:
                warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=2, source=self)
            except Exception:
                pass
            lib.csockrt_fd_close(ref)

    def dup(self) -> Self:
        """A new socket of this class on a duplicate (close-on-exec) of the descriptor."""
        new_fd = self._check(lib.csockrt_fcntl(self._ref, lib.F_DUPFD_CLOEXEC, 0))
        try:
            # As socket.dup: self.__class__, so that a subclass's dup is one too.
            sock = self.__class__(self._family, self._type, self._proto, fileno=new_fd)
        except BaseException:
            lib.close(new_fd)  # the duplicate is ours until a Socket owns it
            raise
        try:
            # As socket.dup: the copy has the same timeout, set by settimeout, as
            # it shares O_NONBLOCK: Socket() under a default timeout made the
            # shared descriptor non-blocking, wrong for a blocking socket.
            sock.settimeout(self._timeout)
        except BaseException:
            sock.close()  # no caller will have it: closed now, not by the collector
            raise
        return sock

    @staticmethod
    def _check(result: int) -> int:
        """A runtime call's result, or its -errno raised as OSError."""
        if result < 0:
            raise os_error(-result)
        return result

    def _call(self, op: Callable[..., int], *args: Any, deadline: float | None = None) -> int:
        """``op(ref, *args, deadline)`` under the socket's timeout model.

        The runtime polls until the deadline, makes the call and retries it
        on EAGAIN, in one C call; EINTR comes back here and goes round again
        with the same deadline (PEP 475: a signal handler's exception has
        already propagated). ``deadline``: one a fast path began with (cut
        by EINTR), or None for one from now.
        """
        ref = self._ref
        if deadline is None:
            timeout = self._timeout
            # Blocking (None) or non-blocking (0.0): no poll (deadline -1).
            deadline = monotonic() + timeout if timeout else -1.0
        else:
            _check_deadline(deadline)
        while True:
            result = op(ref, *args, deadline)
            if result >= 0:
                return result
            if result != _NEG_EINTR:
                raise timed_out() if result == _EXPIRED else os_error(-result)
            _check_deadline(deadline)

    # ---------------------------------------------------------------- blocking
    def gettimeout(self) -> float | None:
        """The timeout in seconds: None for blocking, 0.0 for non-blocking."""
        return self._timeout

    def settimeout(self, value: float | None, /) -> None:
        """None: blocking; 0.0: non-blocking; > 0: TimeoutError after that many seconds."""
        timeout = _validate.timeout(value)
        # As CPython: the timeout is kept even when the descriptor's flag
        # cannot be set (a closed or bad descriptor raises, after).
        self._keep_timeout(timeout)
        self._set_nonblocking(timeout is not None)

    def _keep_timeout(self, timeout: float | None) -> None:
        """The timeout, here and in the csockrt_fd (for the hot paths)."""
        self._timeout = timeout
        lib.csockrt_fd_set_timeout(self._ref, -1.0 if timeout is None else timeout)

    def getblocking(self) -> bool:
        """False for a non-blocking socket (timeout 0.0); True otherwise."""
        return self._timeout != 0.0

    def setblocking(self, flag: bool, /) -> None:
        """True: blocking (settimeout(None)); False: non-blocking (settimeout(0.0))."""
        if _SETBLOCKING_TRUTH:
            blocking = bool(flag)  # an exception from __bool__ propagates
        else:
            # As CPython 3.11: the flag is a C long (None and floats are TypeErrors).
            value = _validate.integer(flag, "flag")
            if not -0x8000000000000000 <= value <= 0x7FFFFFFFFFFFFFFF:
                raise OverflowError("Python int too large to convert to C long")
            blocking = value != 0
        self.settimeout(None if blocking else 0.0)

    def _set_nonblocking(self, nonblocking: bool) -> None:
        ref = self._ref
        flags = self._check(lib.csockrt_fcntl(ref, lib.F_GETFL, 0))
        wanted = flags | lib.O_NONBLOCK if nonblocking else flags & ~lib.O_NONBLOCK
        if wanted != flags:
            self._check(lib.csockrt_fcntl(ref, lib.F_SETFL, wanted))

    def get_inheritable(self) -> bool:
        """Whether a child process made by exec() keeps the descriptor (not FD_CLOEXEC)."""
        flags = self._check(lib.csockrt_fcntl(self._ref, lib.F_GETFD, 0))
        return not flags & lib.FD_CLOEXEC

    def set_inheritable(self, inheritable: bool) -> None:
        """Let exec()'d children keep the descriptor (clears FD_CLOEXEC), or not."""
        inheritable = bool(_validate.clinic_int(inheritable, "inheritable"))  # as os's
        ref = self._ref
        flags = self._check(lib.csockrt_fcntl(ref, lib.F_GETFD, 0))
        flags = flags & ~lib.FD_CLOEXEC if inheritable else flags | lib.FD_CLOEXEC
        self._check(lib.csockrt_fcntl(ref, lib.F_SETFD, flags))

    # -------------------------------------------------------------- addresses
    def bind(self, address: Any, /) -> None:
        """Bind to ``address`` (a tuple for AF_INET/AF_INET6, a path for AF_UNIX)."""
        sa, length = _address.to_sockaddr(self._family, address, "bind")
        self._check(lib.csockrt_bind(self._ref, ffi.cast("struct sockaddr *", sa), length))

    def listen(self, backlog: int = _DEFAULT_BACKLOG, /) -> None:
        """Accept connections; backlog defaults to min(SOMAXCONN, 128), as in CPython."""
        # As CPython's "|i": an int within C int range (None is a TypeError),
        # checked before the descriptor.
        if backlog is _DEFAULT_BACKLOG:
            backlog = min(lib.SOMAXCONN, 128)
        backlog = _validate.c_int(backlog, "backlog")
        self._check(lib.csockrt_listen(self._ref, max(0, backlog)))

    def getsockname(self) -> Any:
        """The socket's own address (getsockname(2)), as a Python address."""
        storage, length = _address.new_storage()
        self._check(lib.csockrt_getsockname(
            self._ref, ffi.cast("struct sockaddr *", storage), length))
        return _address.from_storage(storage, length[0])

    def getpeername(self) -> Any:
        """The connected peer's address (getpeername(2)), as a Python address."""
        storage, length = _address.new_storage()
        self._check(lib.csockrt_getpeername(
            self._ref, ffi.cast("struct sockaddr *", storage), length))
        return _address.from_storage(storage, length[0])

    def accept(self) -> tuple[Socket, Any]:
        """Wait for a connection: (new Socket, the peer's address)."""
        storage, length = _address.new_storage()
        sa = ffi.cast("struct sockaddr *", storage)
        new_fd = self._call(lib.csockrt_accept4, sa, length, lib.SOCK_CLOEXEC)
        try:
            sock = Socket(self._family, self._type, self._proto, fileno=new_fd)
        except BaseException:
            lib.close(new_fd)  # the connection is ours until a Socket owns it
            raise
        try:
            # As socket.socket.accept: a timeout on the listener is not inherited
            # when there is no default timeout.
            if _stdlib_socket.getdefaulttimeout() is None and self._timeout:
                sock.setblocking(True)
            return sock, _address.from_storage(storage, length[0])
        except BaseException:
            sock.close()  # no caller will have it: closed now, not by the collector
            raise

    def connect(self, address: Any, /) -> None:
        """Connect to ``address``; raises the errno's OSError or TimeoutError."""
        err = self._connect(address)
        if err:
            if err == -1:
                raise timed_out()
            raise os_error(err)

    def connect_ex(self, address: Any, /) -> int:
        """connect() that returns the errno (0 on success) instead of raising it."""
        err = self._connect(address, "connect_ex")
        return _EWOULDBLOCK if err == -1 else err

    def _connect(self, address: Any, caller: str = "connect") -> int:
        """0, an errno, or -1 for a timeout. Bad addresses raise, naming ``caller``."""
        sa, length = _address.to_sockaddr(self._family, address, caller)
        ref = self._ref
        result = lib.csockrt_connect(ref, ffi.cast("struct sockaddr *", sa), length)
        if result == 0:
            return 0
        err = -result
        timeout = self._timeout
        # A blocking connect interrupted by a signal goes on in the kernel;
        # a non-blocking one is under way: wait for it, then read SO_ERROR.
        if not (err == _EINTR or (err == _EINPROGRESS and timeout != 0.0)):
            return err
        deadline = monotonic() + timeout if timeout else None
        while True:
            # No deadline: wait as long as it takes (CPython's poll(-1)).
            ready = lib.csockrt_wait(ref, lib.POLLOUT, -1.0 if deadline is None else deadline)
            if ready == 0:
                break
            if ready == _EXPIRED:
                return -1
            if ready != _NEG_EINTR:
                return -ready
            if deadline is not None and monotonic() > deadline:
                return -1  # as CPython: after EINTR, a passed deadline is a timeout
        value = ffi.new("int *")
        size = ffi.new("socklen_t *", ffi.sizeof("int"))
        result = lib.csockrt_getsockopt(ref, lib.SOL_SOCKET, lib.SO_ERROR, value, size)
        return -result if result < 0 else int(value[0])

    # ------------------------------------------------------------------- data
    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        """Up to ``bufsize`` bytes; b"" when the peer has closed."""
        # The hot path takes exact ints and checks their ranges in C, with
        # the timeout; anything else (another type or range, EINTR, an
        # error) comes back as an int for _failed, then maybe _recv, which
        # parses as CPython.
        data = _hot_recv(self._hot, bufsize, flags)
        if data.__class__ is bytes:
            return data
        return self._recv(bufsize, flags, _failed(data))  # type: ignore[arg-type]

    def _recv(self, bufsize: Any, flags: Any, deadline: float | None = None) -> bytes:
        """recv()'s general path: any size, arguments parsed as CPython's "n|i"."""
        # Both parsed, then the size checked.
        bufsize, flags = _validate.receive_size(bufsize, flags, "recv")
        if bufsize == 0:
            return b""  # as CPython: no recv() call, so a datagram is not consumed
        # As CPython: the buffer first (MemoryError), then the descriptor.
        buf = _new_uninitialised("char[]", bufsize)
        n = self._call(_c_recv, buf, bufsize, flags, deadline=deadline)
        return _received(buf, bufsize, n)

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Receive into a writable buffer; returns the number of bytes."""
        # The hot path: a bytearray or memoryview pinned in C (no user code
        # runs between the pin and the call), exact ints; else _recv_into.
        n = _hot_recv_into(self._hot, buffer, nbytes, flags)
        if n >= 0:
            return n
        return self._recv_into(buffer, nbytes, flags, _failed(n))

    def _recv_into(self, buffer: Any, nbytes: Any, flags: Any,
                   deadline: float | None = None) -> int:
        """recv_into()'s general path, as CPython's "w*|ni"."""
        # Pinned first: nbytes' or flags' __index__ cannot resize the buffer
        # under the call; its size is the pinned size.
        target = _validate.writable_buffer(buffer, "recv_into")
        try:
            nbytes, flags = _validate.receive_count(target, nbytes, flags, "recv_into")
            if not nbytes:
                return 0  # as CPython: no recv() call for 0 bytes
            return self._call(_c_recv, target, nbytes, flags, deadline=deadline)
        finally:
            _release(target)

    def recvfrom(self, bufsize: int, flags: int = 0, /) -> tuple[bytes, Any]:
        """(data, the sender's address)."""
        # The hot path, as recv's, into a csockrt_from kept by the socket: C
        # says when the sender is the last one's, whose address is reused.
        if bufsize.__class__ is not int or flags.__class__ is not int:
            return self._recvfrom(bufsize, flags)
        spare = self._spare_from
        try:
            item = spare.pop()
        except IndexError:
            item = _new_from_item()
        try:
            n = _c_recvfrom_fast(self._ref, item[0], bufsize, flags)
        except (TypeError, OverflowError):
            n = _BADARG
        if n >= 0:
            if n >= _NEW_SENDER:  # a new sender: decoded (and cached) once
                n -= _NEW_SENDER
                sender = item[0]
                item[2] = _address.from_filled(item[3], sender, sender.sender)
            # Back to the pool only now: an exception before (a signal
            # handler's, during the decode) drops the item, whose C side
            # already holds the new sender and item[2] the old one's address.
            result = item[1][:n], item[2]
            spare.append(item)
            return result
        spare.append(item)
        return self._recvfrom(bufsize, flags, _failed(n))

    def _recvfrom(self, bufsize: Any, flags: Any,
                  deadline: float | None = None) -> tuple[bytes, Any]:
        """recvfrom()'s general path: any size, arguments parsed as CPython's "n|i"."""
        bufsize, flags = _validate.receive_size(bufsize, flags, "recvfrom")
        buf = _new_uninitialised("char[]", bufsize or 1)  # before the fd, as CPython
        storage, length = _address.new_storage()
        n = self._call(lib.csockrt_recvfrom, buf, bufsize, flags,
                       ffi.cast("struct sockaddr *", storage), length, deadline=deadline)
        return _received(buf, bufsize, n), _address.from_storage(storage, length[0])

    def recvfrom_into(self, buffer: Buffer, nbytes: int = 0,
                      flags: int = 0) -> tuple[int, Any]:
        """(number of bytes received into ``buffer``, the sender's address)."""
        target = _validate.writable_buffer(buffer, "recvfrom_into")
        try:
            nbytes, flags = _validate.receive_count(target, nbytes, flags, "recvfrom_into")
            storage, length = _address.new_storage()
            n = self._call(lib.csockrt_recvfrom, target, nbytes, flags,
                           ffi.cast("struct sockaddr *", storage), length)
        finally:
            _release(target)
        return n, _address.from_storage(storage, length[0])

    def send(self, data: Buffer, flags: int = 0, /) -> int:
        """Send some of ``data``; returns how many bytes were sent."""
        # The hot path: bytes, bytearray or memoryview and an exact int, the
        # timeout in C; else _send.
        n = _hot_send(self._hot, data, flags)
        if n >= 0:
            return n
        return self._send(data, flags, _failed(n))

    def _send(self, data: Any, flags: Any, deadline: float | None = None) -> int:
        """send()'s general path, as CPython's "y*|i": the buffer pinned, then flags."""
        pinned = _validate.readable_buffer(data)
        try:
            flags = _validate.c_int(flags, "flags")
            return self._call(_c_send, pinned, len(pinned), flags, deadline=deadline)
        finally:
            if pinned.__class__ is not bytes:
                _release(pinned)

    def sendall(self, data: Buffer, flags: int = 0, /) -> None:
        """Send all of ``data``; the timeout applies to the whole call."""
        # The hot path: every send in C under one deadline taken at the start
        # (as CPython's), the data pinned throughout, so a signal handler run
        # after EINTR or a short send cannot resize it; None when all was
        # sent. CSOCKRT_BADARG (data or flags it does not take): nothing was
        # sent, and the general path parses as CPython.
        n = _hot_sendall(self._hot, data, flags)
        if n is not None:
            _failed(n)  # raises the call's error
            timeout = self._timeout
            self._sendall(data, flags, monotonic() + timeout if timeout else -1.0)

    def _sendall(self, data: Any, flags: Any, deadline: float) -> None:
        """sendall()'s general path, until the deadline (-1.0: none)."""
        pointer = _validate.readable_buffer(data)
        if pointer.__class__ is bytes:
            pointer = _from_buffer(pointer)
        try:
            if flags.__class__ is not int or not -0x80000000 <= flags <= 0x7FFFFFFF:
                flags = _validate.c_int(flags, "flags")
            total = len(pointer)
            ref = self._ref
            sent = 0
            started = False  # after a send, a passed deadline is final
            while True:  # as CPython: send() at least once, so b"" still reports errors
                if started:
                    _check_deadline(deadline)
                started = True
                # Each chunk takes its own reference: a close() in another
                # thread between chunks ends the call with EBADF.
                n = _c_send(ref, pointer + sent, total - sent, flags, deadline)
                if n >= 0:
                    sent += n
                    if sent >= total:
                        return
                elif n != _NEG_EINTR:
                    raise timed_out() if n == _EXPIRED else os_error(-n)
        finally:
            _release(pointer)

    @overload
    def sendto(self, data: Buffer, address: Any, /) -> int: ...
    @overload
    def sendto(self, data: Buffer, flags: int, address: Any, /) -> int: ...

    def sendto(self, data: Buffer, flags_or_address: Any, address: Any = _NO_ADDRESS,
               /) -> int:
        """sendto(data, address) or sendto(data, flags, address)."""
        deadline = None
        if address is _NO_ADDRESS and type(data) is bytes:
            # The hot path: the same address object as the last sendto's. It
            # was an immutable value of exact types (numeric host, or an
            # AF_UNIX path), so its encoding cannot have changed.
            last = self._last_to
            if last is not None and last[0] is flags_or_address:
                n = _c_sendto_fast(self._ref, data, len(data), last[1], last[2])
                if n >= 0:
                    return n
                deadline = _failed(n)  # EINTR: on below
        # As CPython's "y*O" / "y*iO", chosen by the number of arguments (a
        # None third argument is an address): data, then flags, then the address.
        pinned = _validate.readable_buffer(data)
        try:
            if address is _NO_ADDRESS:
                flags, address = 0, flags_or_address
            else:
                flags = _validate.c_int(flags_or_address, "flags")
            sa, length = _address.cached_sockaddr(self._family, address, "sendto")
            pointer = ffi.cast("struct sockaddr *", sa)
            if _address.is_constant(self._family, address):
                self._last_to = (address, pointer, length, sa)  # sa owns the memory
            return self._call(_c_sendto, pinned, len(pinned), flags, pointer, length,
                              deadline=deadline)
        finally:
            if pinned.__class__ is not bytes:
                _release(pinned)

    def sendmsg(self, buffers: Iterable[Buffer],
                ancdata: Iterable[tuple[int, int, Buffer]] = (), flags: int = 0,
                address: Any = None, /) -> int:
        """Send the bytes-like objects of ``buffers`` as one message (gather).

        ``ancdata``: (level, type, data) control messages, e.g. (SOL_SOCKET,
        SCM_RIGHTS, array("i", fds)); ``address`` for an unconnected socket.
        Returns the bytes sent.
        """
        pinned: list[Any] = []  # every buffer taken from the caller, released at the end
        try:
            return self._sendmsg(buffers, ancdata, flags, address, pinned)
        finally:
            for item in pinned:
                _release(item)

    def _sendmsg(self, buffers: Any, ancdata: Any, flags: int, address: Any,
                 pinned: list[Any]) -> int:
        flags = _validate.c_int(flags, "flags")
        msg = ffi.new("struct msghdr *")
        # Every cdata the msghdr points to stays referenced by a local until the
        # call returns: sa, pinned, iov, control.
        sa = None
        if address is not None:
            sa, length = _address.cached_sockaddr(self._family, address, "sendmsg")
            msg.msg_name = sa
            msg.msg_namelen = length
        items = _fast_sequence(buffers, "sendmsg() argument 1 must be an iterable")
        if len(items) > 0x7FFFFFFF:
            raise OSError("sendmsg() argument 1 is too long")
        parts = []
        for item in items:
            data = _validate.readable_buffer(item)
            part = _from_buffer(data) if data.__class__ is bytes else data
            pinned.append(part)
            parts.append(part)
        iov = ffi.new("struct iovec[]", max(len(parts), 1))
        for i, part in enumerate(parts):
            iov[i].iov_base = part
            iov[i].iov_len = len(part)
        msg.msg_iov = iov
        msg.msg_iovlen = len(parts)
        cmsgs = []
        for item in _fast_sequence(ancdata, "sendmsg() argument 2 must be an iterable"):
            cmsgs.append(_ancillary_item(item))
            if cmsgs[-1][2].__class__ is not bytes:
                pinned.append(cmsgs[-1][2])
        controllen = 0
        for _level, _kind, data in cmsgs:
            space = cmsg_space(len(data))
            if space is None:
                raise OSError("ancillary data item too large")
            controllen += space
            if controllen > _SOCKLEN_T_LIMIT:
                raise OSError("too much ancillary data")
        control = None
        if cmsgs:
            # Zero-filled: glibc's CMSG_NXTHDR reads the next (unwritten) cmsg_len.
            control = ffi.new("char[]", controllen)
            msg.msg_control = control
            msg.msg_controllen = controllen
            cmsg = ffi.NULL
            for i, (level, kind, data) in enumerate(cmsgs):
                cmsg = lib.csock_CMSG_FIRSTHDR(msg) if i == 0 else \
                    lib.csock_CMSG_NXTHDR(msg, cmsg)
                if cmsg == ffi.NULL:
                    raise RuntimeError("unexpected NULL result from "
                                       f"{'CMSG_FIRSTHDR' if i == 0 else 'CMSG_NXTHDR'}()")
                msg_len = cmsg_len(len(data))
                if msg_len is None:
                    raise RuntimeError("item size out of range for CMSG_LEN()")
                fits = False
                if _cmsg_min_space(msg, cmsg, msg_len):
                    cmsg.cmsg_len = msg_len
                    space = _cmsg_data_space(msg, cmsg)
                    fits = space is not None and space >= len(data)
                if not fits:
                    raise RuntimeError("ancillary data does not fit in calculated space")
                cmsg.cmsg_level = level
                cmsg.cmsg_type = kind
                ffi.memmove(lib.csock_CMSG_DATA(cmsg), data, len(data))
        sent = self._call(lib.csockrt_sendmsg, msg, flags)
        del sa, parts, iov, control  # referenced until here, past the C call
        return sent

    def recvmsg(self, bufsize: int, ancbufsize: int = 0, flags: int = 0,
                /) -> tuple[bytes, list[tuple[int, int, bytes]], int, Any]:
        """(data, ancdata, msg_flags, address) of one message of up to ``bufsize`` bytes.

        ``ancdata`` lists the (level, type, data) control messages that fit in
        ``ancbufsize`` bytes (see CMSG_SPACE); MSG_CTRUNC in msg_flags when some
        did not. Descriptors received by SCM_RIGHTS are the caller's to close.
        """
        bufsize = _validate.ssize(bufsize, "bufsize")
        ancbufsize = _validate.ssize(ancbufsize, "ancbufsize")
        flags = _validate.c_int(flags, "flags")
        if bufsize < 0:
            raise ValueError("negative buffer size in recvmsg()")
        if bufsize > _MAX_BYTES:  # as CPython's PyBytes_FromStringAndSize, before MemoryError
            raise OverflowError("byte string is too large")
        buf = _new_uninitialised("char[]", max(bufsize, 1))
        iov = ffi.new("struct iovec *")
        iov.iov_base = buf
        iov.iov_len = bufsize
        n, ancdata, msg_flags, address = self._recvmsg(iov, 1, ancbufsize, flags)
        # As socket: the data received; with MSG_TRUNC the kernel's n may pass
        # the buffer, and only what the buffer holds is returned.
        return _unpack(buf, min(n, bufsize)), ancdata, msg_flags, address

    def recvmsg_into(self, buffers: Iterable[Buffer], ancbufsize: int = 0, flags: int = 0,
                     /) -> tuple[int, list[tuple[int, int, bytes]], int, Any]:
        """recvmsg() into the writable buffers of ``buffers``, filled in order (scatter).

        Returns (nbytes, ancdata, msg_flags, address).
        """
        ancbufsize = _validate.ssize(ancbufsize, "ancbufsize")
        flags = _validate.c_int(flags, "flags")
        items = _fast_sequence(buffers, "recvmsg_into() argument 1 must be an iterable")
        if len(items) > 0x7FFFFFFF:
            raise OSError("recvmsg_into() argument 1 is too long")
        targets: list[Any] = []
        try:
            for item in items:
                try:
                    targets.append(_validate.writable_buffer(item, "recvmsg_into"))
                except TypeError:
                    raise TypeError("recvmsg_into() argument 1 must be an iterable of "
                                    "single-segment read-write buffers") from None
            iov = ffi.new("struct iovec[]", max(len(targets), 1))
            for i, target in enumerate(targets):
                iov[i].iov_base = target
                iov[i].iov_len = len(target)
            return self._recvmsg(iov, len(targets), ancbufsize, flags)
        finally:
            for target in targets:
                _release(target)

    def _recvmsg(self, iov: Any, iovlen: int, controllen: int,
                 flags: int) -> tuple[int, list[tuple[int, int, bytes]], int, Any]:
        """recvmsg(2) into ``iov``: (bytes received, ancdata, msg_flags, address)."""
        if not 0 <= controllen <= _SOCKLEN_T_LIMIT:
            raise ValueError("invalid ancillary data buffer length")
        # Zero-filled: glibc's CMSG_NXTHDR reads cmsg_len past the last message.
        control = ffi.new("char[]", controllen) if controllen else ffi.NULL
        storage, length = _address.new_storage()
        namelen = int(length[0])
        msg = ffi.new("struct msghdr *")
        msg.msg_name = storage
        msg.msg_namelen = namelen
        msg.msg_iov = iov
        msg.msg_iovlen = iovlen
        msg.msg_control = control
        msg.msg_controllen = controllen
        n = self._call(lib.csockrt_recvmsg, msg, flags)
        # Lengths from the kernel are trusted only within our buffers.
        msg.msg_controllen = min(int(msg.msg_controllen), controllen)
        try:
            ancdata = _ancillary_data(msg)
            address = _address.from_storage(storage, min(int(msg.msg_namelen), namelen))
        except BaseException:
            _close_passed_fds(msg)
            raise
        del control  # referenced until the control messages are read
        return n, ancdata, int(msg.msg_flags), address

    def sendmmsg(self, datagrams: Iterable[Buffer | tuple[Buffer, Any]],
                 flags: int = 0) -> int:
        """Send several datagrams in one system call (sendmmsg(2)); ``socket`` cannot.

        Each item of ``datagrams`` is a bytes-like object (on a connected
        socket) or a ``(data, address)`` pair. Returns how many datagrams were
        sent, from the first: fewer than given when the socket's buffer filled
        (send the rest with another call) and at most 1024 (the kernel's
        UIO_MAXIOV) per call. The socket's timeout applies as to send().
        """
        flags = _validate.c_int(flags, "flags")
        if isinstance(datagrams, (str, bytes, bytearray, memoryview)):
            raise TypeError("sendmmsg() argument 1 must be an iterable of bytes-like objects "
                            f"or (data, address) pairs, not {_validate.type_name(datagrams)}")
        items = _fast_sequence(datagrams, "sendmmsg() argument 1 must be an iterable")
        items = items[:_UIO_MAXIOV]  # the kernel would ignore the rest
        count = len(items)
        if count and set(map(type, items)) == _ONLY_BYTES:
            # The common case: bytes to the connected peer. Exact bytes only
            # (a subclass's __buffer__, 3.12+, could give join() other bytes
            # than len() measures): no user code can run; one copy end to
            # end, one crossing into C.
            lengths = list(map(len, items))
            if sum(lengths) <= _PACKED_MAX:
                packed = b"".join(items)
                size = lengths[0]
                # All one size (the usual batch): C needs no array of lengths.
                lens = ffi.NULL if lengths.count(size) == count else ffi.new("size_t[]", lengths)
                vec = _new_uninitialised("struct mmsghdr[]", count)  # C fills them
                iov = _new_uninitialised("struct iovec[]", count)
                return self._call(_sendmmsg_packed, vec, iov, count, packed, lens, size, flags)
        pinned: list[Any] = []  # every buffer taken from the caller, released at the end
        try:
            names: list[Any] = []  # owning sockaddrs (or NULL), referenced until the call returns
            namelens: list[int] = []
            for item in items:
                sa, length = _datagram(item, self._family, pinned)
                names.append(sa)
                namelens.append(length)
            count = len(pinned)
            size = max(count, 1)
            bases = ffi.new("void *[]", pinned) if count else ffi.new("void *[]", 1)
            lens = ffi.new("size_t[]", [len(part) for part in pinned] or [0])
            name_ptrs = ffi.new("void *[]", names) if count else ffi.new("void *[]", 1)
            name_lens = ffi.new("socklen_t[]", namelens or [0])
            vec = ffi.new("struct mmsghdr[]", size)
            iov = ffi.new("struct iovec[]", size)
            _mmsg_send_init(vec, iov, count, bases, lens, name_ptrs, name_lens)
            sent = self._call(lib.csockrt_sendmmsg, vec, count, flags)
            del names, vec, iov  # referenced until here, past the C call
            return sent
        finally:
            for part in pinned:
                _release(part)

    def recvmmsg(self, count: int, bufsize: int,
                 flags: int = 0) -> list[tuple[bytes, Any, int]]:
        """Receive up to ``count`` datagrams in one system call (recvmmsg(2)); ``socket`` cannot.

        Returns one ``(data, address, msg_flags)`` per datagram, in order:
        ``data`` is at most ``bufsize`` bytes, and MSG_TRUNC in ``msg_flags``
        says that the datagram was longer; ``address`` is None where the
        kernel gives none (a connected or unnamed peer). A blocking call
        returns as soon as one datagram is there (MSG_WAITFORONE), with the
        others already queued; the socket's timeout applies as to recv().
        At most 1024 (the kernel's UIO_MAXIOV) per call; count 0 returns []
        without a call. ValueError when count * bufsize (the memory the
        buffers take) passes 256 MiB.
        """
        count = _validate.ssize(count, "count")
        bufsize = _validate.ssize(bufsize, "bufsize")
        flags = _validate.c_int(flags, "flags")
        if count < 0:
            raise ValueError("negative count in recvmmsg")
        if bufsize < 0:
            raise ValueError("negative buffersize in recvmmsg")
        if count == 0:
            return []  # as recv(0): no call, so no datagram is consumed
        count = min(count, _UIO_MAXIOV)  # the kernel would fill no more
        total = count * bufsize
        if total > _RECVMMSG_MAX_BYTES:
            raise ValueError(f"recvmmsg() count * bufsize is {total} bytes, more than "
                             f"{_RECVMMSG_MAX_BYTES} (a buffer for every datagram)")
        # The hot path: the batch and its list made in C; an int is an error
        # (or CSOCKRT_BADARG: a socket with no key, the path below). Its C
        # runs the signal handlers on EINTR itself.
        batch = _hot_recvmmsg(self._hot, count, bufsize, flags | _WAITFORONE, _address.from_raw)
        if isinstance(batch, list):  # made by C: exactly a list
            return batch
        _failed(batch)  # raises the call's error; CSOCKRT_BADARG: on below
        buf = _new_uninitialised("char[]", max(total, 1))
        names = _new_uninitialised("struct sockaddr_storage[]", count)
        iov = _new_uninitialised("struct iovec[]", count)
        vec = _new_uninitialised("struct mmsghdr[]", count)
        results = _new_uninitialised("int[]", 3 * count + 1)
        # The vector set up, the call, and the results read in one crossing:
        # where each datagram ends (its length cut by C to our buffer), and
        # -1 for a sender that is the previous datagram's (decoded once).
        n = self._call(_recvmmsg_batch, vec, iov, count, buf, bufsize, names, results,
                       flags | _WAITFORONE)
        # One copy to bytes, whose slices are cheaper than a cffi buffer's.
        data = _unpack(buf, n * bufsize)
        raw_names = _buffer(names, count * _STORAGE_SIZE)
        starts = range(0, n * bufsize, bufsize) if bufsize else [0] * n
        ends = _unpack(results, n)
        out: list[tuple[bytes, Any, int]]
        if n and results[3 * count]:
            # The common batch: one sender, no flags. A comprehension is the
            # fewest bytecodes per datagram.
            address = _address.from_filled_at(raw_names, names, 0, results[count])
            out = [(data[s:e], address, 0) for s, e in zip(starts, ends, strict=True)]
        else:
            namelens = _unpack(results + count, n)
            msg_flags = _unpack(results + 2 * count, n)
            out = []
            address = None
            for i in range(n):
                if namelens[i] >= 0:  # -1: the previous datagram's sender
                    address = _address.from_filled_at(raw_names, names, i, namelens[i])
                out.append((data[starts[i]:ends[i]], address, msg_flags[i]))
        del iov, vec  # referenced until here, past the C call
        return out

    def shutdown(self, how: int, /) -> None:
        """Shut down reading (SHUT_RD), writing (SHUT_WR) or both (SHUT_RDWR)."""
        how = _validate.clinic_int(how, "how")  # CPython's PyLong_AsInt
        self._check(lib.csockrt_shutdown(self._ref, how))

    # ---------------------------------------------------------------- options
    @overload
    def getsockopt(self, level: int, optname: int, /) -> int: ...
    @overload
    def getsockopt(self, level: int, optname: int, buflen: int, /) -> bytes: ...

    def getsockopt(self, level: int, optname: int,
                   buflen: int | None = _NO_OPTLEN, /) -> int | bytes:
        """An int option, or with ``buflen`` the option's raw bytes."""
        # As CPython's "ii|i": every argument parsed before the descriptor is
        # used (an explicit None is a TypeError).
        level = _validate.c_int(level, "level")
        optname = _validate.c_int(optname, "optname")
        if buflen is _NO_OPTLEN:
            buflen = None
        else:
            buflen = _validate.c_int(buflen, "buflen")
            if buflen != 0 and not 0 < buflen <= 1024:  # checked before the fd, as CPython
                raise OSError("getsockopt buflen out of range")
        if buflen is None or buflen == 0:  # as CPython: buflen 0 is the int form
            value = ffi.new("int *")
            size = ffi.new("socklen_t *", _INT_SIZE)
            self._check(lib.csockrt_getsockopt(self._ref, level, optname, value, size))
            return int(value[0])
        buf = ffi.new("char[]", buflen)
        size = ffi.new("socklen_t *", buflen)
        self._check(lib.csockrt_getsockopt(self._ref, level, optname, buf, size))
        # The kernel's length, trusted only within the buffer.
        return _unpack(buf, min(int(size[0]), buflen))  # type: ignore[no-any-return]

    @overload
    def setsockopt(self, level: int, optname: int, value: int | Any, /) -> None: ...
    @overload
    def setsockopt(self, level: int, optname: int, value: None, optlen: int, /) -> None: ...

    def setsockopt(self, level: int, optname: int, value: Any,
                   optlen: int | None = _NO_OPTLEN, /) -> None:
        """setsockopt(level, optname, int or bytes-like) or (level, optname, None, optlen)."""
        # As CPython: every argument is parsed ("iii", "iiO!I" or "iiy*") before
        # the descriptor is used.
        if optlen is not _NO_OPTLEN:
            # Only "iiO!I" takes four arguments: any failure of it ends, as in
            # CPython, in the three-argument form's TypeError.
            try:
                if value is not None:
                    raise TypeError
                level = _validate.c_int(level, "level")
                optname = _validate.c_int(optname, "optname")
                size = _validate.integer(optlen, "optlen") & 0xFFFFFFFF  # "I": masked
            except (TypeError, OverflowError):
                raise TypeError("setsockopt() takes 3 arguments unless value is None, "
                                "then (level, optname, None, optlen)") from None
            self._check(lib.csockrt_setsockopt(self._ref, level, optname, ffi.NULL, size))
            return
        level = _validate.c_int(level, "level")
        optname = _validate.c_int(optname, "optname")
        if value is None:
            raise TypeError("setsockopt() takes 4 arguments when value is None")
        number = None
        if isinstance(value, int) or hasattr(type(value), "__index__"):
            number = operator.index(value)
        if number is not None and -0x80000000 <= number <= 0x7FFFFFFF:
            # CPython tries "i" (a C int) and then a buffer: an int outside C int
            # range ends in "a bytes-like object is required, not 'int'".
            pointer, size = ffi.new("int *", number), _INT_SIZE
            self._check(lib.csockrt_setsockopt(self._ref, level, optname, pointer, size))
            return
        pointer = _validate.readable_buffer(value)
        try:
            self._check(lib.csockrt_setsockopt(self._ref, level, optname, pointer,
                                               len(pointer)))
        finally:
            if pointer.__class__ is not bytes:
                _release(pointer)

    # ------------------------------------------------------------------ files
    @overload
    def makefile(self, mode: _BinaryMode, buffering: Literal[0], *, encoding: str | None = None,
                 errors: str | None = None, newline: str | None = None) -> SocketIO: ...
    @overload
    def makefile(self, mode: Literal["rwb", "rbw", "wrb", "wbr", "brw", "bwr"],
                 buffering: Literal[-1, 1] | None = None, *, encoding: str | None = None,
                 errors: str | None = None, newline: str | None = None) -> io.BufferedRWPair: ...
    @overload
    def makefile(self, mode: Literal["rb", "br"], buffering: Literal[-1, 1] | None = None, *,
                 encoding: str | None = None, errors: str | None = None,
                 newline: str | None = None) -> io.BufferedReader: ...
    @overload
    def makefile(self, mode: Literal["wb", "bw"], buffering: Literal[-1, 1] | None = None, *,
                 encoding: str | None = None, errors: str | None = None,
                 newline: str | None = None) -> io.BufferedWriter: ...
    @overload
    def makefile(self, mode: _BinaryMode, buffering: int, *, encoding: str | None = None,
                 errors: str | None = None, newline: str | None = None) -> io.IOBase: ...
    @overload
    def makefile(self, mode: _TextMode = "r", buffering: int | None = None, *,
                 encoding: str | None = None, errors: str | None = None,
                 newline: str | None = None) -> io.TextIOWrapper: ...

    def makefile(
        self,
        mode: str = "r",
        buffering: int | None = None,
        *,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any] | io.IOBase:
        """A file object on the socket, as socket.socket.makefile returns."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError(f"invalid mode {mode!r} (only r, w, b allowed)")
        writing = "w" in mode
        reading = "r" in mode or not writing
        assert reading or writing
        binary = "b" in mode
        rawmode = ("r" if reading else "") + ("w" if writing else "")
        raw = SocketIO(self, rawmode)
        self._io_refs += 1
        try:
            return self._wrap_raw(raw, mode, reading, writing, binary, buffering, encoding,
                                  errors, newline)
        except BaseException:
            # A bad buffering, encoding...: the raw file no caller will have is
            # closed now, or its reference would keep the descriptor open after
            # close() until the garbage collector found it.
            raw.close()
            raise

    @staticmethod
    def _wrap_raw(raw: SocketIO, mode: str, reading: bool, writing: bool, binary: bool,
                  buffering: int | None, encoding: str | None, errors: str | None,
                  newline: str | None) -> IO[Any] | io.IOBase:
        """makefile()'s file over ``raw``: raw itself, buffered, or text."""
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if not binary:
                raise ValueError("unbuffered streams must be binary")
            return raw
        buffer: Any
        if reading and writing:
            buffer = io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffer = io.BufferedReader(raw, buffering)
        else:
            buffer = io.BufferedWriter(raw, buffering)
        if binary:
            return buffer  # type: ignore[no-any-return]
        encoding = io.text_encoding(encoding, 3)  # an EncodingWarning names makefile's caller
        text = io.TextIOWrapper(buffer, encoding, errors, newline)
        text.mode = mode  # type: ignore[misc]
        return text

    def sendfile(self, file: IO[bytes], offset: int = 0, count: int | None = None) -> int:
        """Send a file: sendfile(2) while it works, send() otherwise.

        Returns the bytes sent; the file position is left after the last byte sent.
        As socket.sendfile, step for step: sendfile(2) is tried on anything
        with a descriptor (an empty one sends nothing), and send() takes over
        when the first sendfile(2) fails.
        """
        try:
            return self._sendfile_zero_copy(file, offset, count)
        except _GiveUpOnSendfile:
            return self._sendfile_use_send(file, offset, count)

    def _check_sendfile_params(self, file: IO[bytes], count: int | None) -> None:
        if "b" not in getattr(file, "mode", "b"):
            raise ValueError("file should be opened in binary mode")
        if not self._type & lib.SOCK_STREAM:  # as socket: a bit test (SEQPACKET passes)
            raise ValueError("only SOCK_STREAM type sockets are supported")
        if count is not None:
            if not isinstance(count, int):
                raise TypeError(f"count must be a positive integer (got {count!r})")
            if count <= 0:
                raise ValueError(f"count must be a positive integer (got {count!r})")

    def _sendfile_zero_copy(self, file: IO[bytes], offset: int, count: int | None) -> int:
        self._check_sendfile_params(file, count)
        try:
            in_fd = file.fileno()
        except (AttributeError, io.UnsupportedOperation) as exc:
            raise _GiveUpOnSendfile from exc
        try:
            size = os.fstat(in_fd).st_size
        except OSError as exc:
            raise _GiveUpOnSendfile from exc
        if not size:
            return 0  # as socket: before the timeout is looked at
        if self._timeout == 0.0:
            raise ValueError("non-blocking sockets are not supported")
        if self.fileno() < 0:  # as socket's selector.register(-1)
            raise ValueError("Invalid file descriptor: -1")
        # The offset as os.sendfile takes it: an off_t (a C long here), or None
        # for the file's own position.
        if offset is None:
            start, position = 0, ffi.NULL
        else:
            start = _validate.integer(offset, "offset")
            if not -0x8000000000000000 <= start <= 0x7FFFFFFFFFFFFFFF:
                raise OverflowError("Python int too large to convert to C long")
            position = ffi.new("off_t *", start)
        blocksize = min(count or size, 2**30)
        total = 0
        try:
            while True:
                if count:
                    want = count - total
                    if _SENDFILE_BLOCK_CAPPED:
                        want = min(want, blocksize)
                    elif want > _MAX_SSIZE:  # os.sendfile's count is a ssize_t
                        raise OverflowError("Python int too large to convert to C ssize_t")
                    if want <= 0:
                        break
                else:
                    want = blocksize
                try:
                    with _sigpipe_blocked():
                        n = self._call(lib.csockrt_sendfile, in_fd, position, want)
                except TimeoutError:
                    raise
                except OSError as exc:
                    if total == 0:  # not a file sendfile(2) reads, a bad offset...
                        raise _GiveUpOnSendfile from exc
                    raise
                if n == 0:
                    break  # end of file
                if position == ffi.NULL:
                    # As socket, whose "offset += sent" fails after the first send.
                    raise TypeError("unsupported operand type(s) for +=: 'NoneType' and 'int'")
                total += n
            return total
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(start + total)

    def _sendfile_use_send(self, file: IO[bytes], offset: int, count: int | None) -> int:
        self._check_sendfile_params(file, count)
        if self._timeout == 0.0:
            raise ValueError("non-blocking sockets are not supported")
        if offset:
            file.seek(offset)
        blocksize = min(count, 8192) if count else 8192
        total = 0
        try:
            while True:
                if count:
                    blocksize = min(count - total, blocksize)
                    if blocksize <= 0:
                        break
                data = memoryview(file.read(blocksize))
                if not data:
                    break  # end of file
                while True:
                    try:
                        sent = self.send(data)
                    except BlockingIOError:
                        continue
                    total += sent
                    if sent < len(data):
                        data = data[sent:]
                    else:
                        break
            return total
        finally:
            if total > 0 and hasattr(file, "seek"):
                file.seek(offset + total)


def socketpair(family: int | None = None, type: int = lib.SOCK_STREAM,  # noqa: A002
               proto: int = 0) -> tuple[Socket, Socket]:
    """Two connected Sockets (AF_UNIX by default)."""
    if family is None:
        family = lib.AF_UNIX
    family = _validate.c_int(family, "family")
    type = _validate.c_int(type, "type")  # noqa: A001
    proto = _validate.c_int(proto, "proto")
    fds = ffi.new("int[2]")
    if lib.socketpair(family, type | lib.SOCK_CLOEXEC, proto, fds) == -1:
        raise os_error(ffi.errno)
    # Each descriptor is ours until a Socket owns it (a Socket that fails to
    # adopt one leaves it to us): none stays open when either Socket() raises.
    try:
        first = Socket(family, type, proto, fileno=fds[0])
    except BaseException:
        lib.close(fds[0])
        lib.close(fds[1])
        raise
    try:
        second = Socket(family, type, proto, fileno=fds[1])
    except BaseException:
        first.close()
        lib.close(fds[1])
        raise
    return first, second


def fromfd(fd: int, family: int, type: int, proto: int = 0) -> Socket:  # noqa: A002
    """A Socket on a close-on-exec duplicate of ``fd`` (the original stays open)."""
    # As CPython's socket.dup: the number is a C long; one outside C int range
    # names no descriptor (EBADF), where CPython would truncate it.
    fd = _validate.integer(fd, "fd")
    if not -0x8000000000000000 <= fd <= 0x7FFFFFFFFFFFFFFF:
        raise OverflowError("Python int too large to convert to C long")
    if not 0 <= fd <= 0x7FFFFFFF:
        raise os_error(_EBADF)
    new_fd = lib.csock_fcntl(fd, lib.F_DUPFD_CLOEXEC, 0)
    if new_fd == -1:
        raise os_error(ffi.errno)
    try:
        return Socket(family, type, proto, fileno=new_fd)
    except BaseException:
        lib.close(new_fd)  # the duplicate is ours until a Socket owns it
        raise

