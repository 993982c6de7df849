"""csock.c's signal() and sigaction(): a Python function as the handler.

A C-level handler cannot run Python safely, so handlers go through Python's
signal module: the kernel runs CPython's own C handler, and the Python
function runs in the main thread soon after, between bytecodes. For that to
happen while a csock.c call blocks, the call must be interrupted: the kernel
never sees SA_RESTART. C's SA_RESTART (which glibc's signal() sets) is then
given by csock.c itself: once a handler with SA_RESTART is installed, the
functions signal(7) lists as restarted (accept, connect, recv*, send*, read,
write, open, wait*) are replaced by versions that, on -1 with EINTR, run the
pending handlers and, if every handler that ran asked for SA_RESTART, call
again, as the kernel would have; otherwise they return -1 with errno EINTR,
as C's would. select() and poll() are never restarted, as in C. Until a
SA_RESTART handler is installed, nothing is wrapped: no cost.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from csock._csock import ffi, lib

# signal(7): interrupted by a handler with SA_RESTART, these restart (sockets:
# unless SO_RCVTIMEO/SO_SNDTIMEO is set). select, poll, sleep never do.
RESTARTED = ("accept", "accept4", "connect", "recv", "recvfrom", "recvmsg", "recvmmsg",
             "send", "sendto", "sendmsg", "read", "readv", "write", "writev", "open",
             "wait", "waitpid", "waitid")
_RECEIVING = {"accept", "accept4", "recv", "recvfrom", "recvmsg", "recvmmsg", "read", "readv"}
_SENDING = {"connect", "send", "sendto", "sendmsg", "write", "writev"}


@dataclass
class _Action:
    handler: Any  # what the program gave: SIG_DFL/SIG_IGN, a sighandler cdata, a callable
    flags: int
    mask: bytes


_lock = threading.RLock()
_actions: dict[int, _Action] = {}
_by_address: dict[int, Callable[..., Any]] = {}  # sighandler cdata -> the Python function
_callbacks: dict[int, Any] = {}  # Python function id -> its sighandler cdata (kept alive)
_seq = 0  # handlers run so far
_last_no_restart = 0  # _seq of the last one without SA_RESTART
_armed = False
_namespace: MutableMapping[str, Any] = {}
_raw: dict[str, Any] = {}


def bind(namespace: MutableMapping[str, Any], raw: dict[str, Any]) -> None:
    """csock.c's globals and its table of untraced functions."""
    global _namespace, _raw
    _namespace, _raw = namespace, raw


def _check_signals() -> None:
    """Run the Python handlers now (an exception from one propagates)."""
    import ctypes

    ctypes.pythonapi.PyErr_CheckSignals()


# --------------------------------------------------------------------------
# Handlers


def sighandler(fn: Callable[..., Any]) -> Any:
    """A Python function as a C handler pointer: ``void (*)(int)``, or
    ``void (*)(int, siginfo_t *, void *)`` for a function of three parameters
    (SA_SIGINFO). Use it as a decorator; the result goes into ``sa_handler``.
    """
    if isinstance(fn, ffi.CData):
        return fn
    with _lock:
        known = _callbacks.get(id(fn))
        if known is not None:
            return known
        try:
            three = len(inspect.signature(fn).parameters) == 3
        except (TypeError, ValueError):
            three = False
        ctype = "void(*)(int, siginfo_t *, void *)" if three else "void(*)(int)"
        cb = ffi.callback(ctype, fn)
        _callbacks[id(fn)] = cb
        _by_address[int(ffi.cast("uintptr_t", cb))] = fn
        return cb


def _python_function(handler: Any) -> Any:
    """SIG_DFL/SIG_IGN as Python's, a handler pointer as its function; None if
    the pointer is not one sighandler() made."""
    import signal as pysignal

    if not isinstance(handler, ffi.CData):
        return handler if callable(handler) else None
    address = int(ffi.cast("uintptr_t", handler))
    if address == int(ffi.cast("uintptr_t", lib.SIG_DFL)):
        return pysignal.SIG_DFL
    if address == int(ffi.cast("uintptr_t", lib.SIG_IGN)):
        return pysignal.SIG_IGN
    return _by_address.get(address)


def _runner(signum: int, fn: Callable[..., Any], flags: int) -> Callable[[int, Any], None]:
    restart = bool(flags & lib.SA_RESTART)

    def run(sig: int, frame: Any) -> None:
        global _seq, _last_no_restart
        err = ffi.errno  # a C handler is expected to keep errno; so does this one
        with _lock:
            _seq += 1
            if not restart:
                _last_no_restart = _seq
            if flags & lib.SA_RESETHAND:
                _install(signum, lib.SIG_DFL, 0, b"")
        try:
            if flags & lib.SA_SIGINFO:
                info = ffi.new("siginfo_t *")
                info.si_signo = sig
                fn(sig, info, ffi.NULL)
            else:
                fn(sig)
        finally:
            ffi.errno = err

    return run


def _install(signum: int, handler: Any, flags: int, mask: bytes) -> int:
    """Install through Python's signal module; 0, or -1 with errno set."""
    import signal as pysignal

    fn = _python_function(handler)
    if fn is None:
        ffi.errno = lib.EINVAL  # a C function csock did not make: not installable here
        return -1
    target = fn if fn in (pysignal.SIG_DFL, pysignal.SIG_IGN) else _runner(signum, fn, flags)
    try:
        pysignal.signal(signum, target)
    except (OSError, ValueError) as e:
        if isinstance(e, ValueError) and "main thread" in str(e):
            raise  # Python's rule, not C's: say it
        ffi.errno = lib.EINVAL
        return -1
    # What Python's signal module does not set, the kernel gets here: the mask
    # and the flags that are not SA_RESTART (never at kernel level: see above)
    # nor SA_SIGINFO (Python's C handler takes one argument).
    extra = flags & (lib.SA_NOCLDSTOP | lib.SA_NOCLDWAIT | lib.SA_NODEFER | lib.SA_ONSTACK)
    if extra or (mask and any(mask)):
        cur = ffi.new("struct sigaction *")
        lib.csockrt_sigaction(signum, ffi.NULL, cur)
        cur.sa_flags |= extra
        if mask:
            ffi.memmove(ffi.addressof(cur, "sa_mask"), mask, len(mask))
        lib.csockrt_sigaction(signum, cur, ffi.NULL)
    _actions[signum] = _Action(handler, flags, mask)
    if flags & lib.SA_RESTART and fn not in (pysignal.SIG_DFL, pysignal.SIG_IGN):
        _arm()
    return 0


def _current(signum: int) -> _Action:
    """The action in force, as a program would have set it."""
    import signal as pysignal

    known = _actions.get(signum)
    if known is not None:
        return known
    py = pysignal.getsignal(signum)
    if py == pysignal.SIG_IGN:
        return _Action(lib.SIG_IGN, 0, b"")
    if callable(py):
        return _Action(py, 0, b"")
    return _Action(lib.SIG_DFL, 0, b"")


def action(signum: int) -> tuple[Any, bytes, int]:
    """(handler, sa_mask bytes, sa_flags) in force for signum, for the tracer."""
    a = _current(signum)
    return a.handler, a.mask, a.flags


def _valid(signum: int) -> bool:
    return isinstance(signum, int) and 0 < signum < lib.NSIG


def signal(signum: int, handler: Any) -> Any:
    """signal(2) as glibc's: BSD semantics (SA_RESTART; the handler stays).

    *handler*: SIG_DFL, SIG_IGN, a Python function or a sighandler() pointer.
    Returns the previous handler, or SIG_ERR with errno set.
    """
    with _lock:
        if not _valid(signum):
            ffi.errno = lib.EINVAL
            return lib.SIG_ERR
        previous = _current(signum).handler
        # glibc's signal(): SA_RESTART, and the signal blocked in its handler.
        mask = ffi.new("sigset_t *")
        lib.sigemptyset(mask)
        lib.sigaddset(mask, signum)
        if _install(signum, handler, lib.SA_RESTART, bytes(ffi.buffer(mask))) == -1:
            return lib.SIG_ERR
        return previous


def sigaction(signum: int, act: Any, oldact: Any) -> int:
    """sigaction(2): 0, or -1 with errno set. ``act.sa_handler`` (or
    ``sa_sigaction`` with SA_SIGINFO) is SIG_DFL, SIG_IGN or a sighandler()."""
    with _lock:
        if not _valid(signum):
            ffi.errno = lib.EINVAL
            return -1
        if oldact != ffi.NULL and oldact is not None:
            cur = _current(signum)
            handler = cur.handler
            if not isinstance(handler, ffi.CData):
                handler = sighandler(handler)
            oldact.sa_flags = cur.flags
            if cur.flags & lib.SA_SIGINFO:
                oldact.sa_sigaction = ffi.cast("void(*)(int, siginfo_t *, void *)", handler)
            else:
                oldact.sa_handler = ffi.cast("void(*)(int)", handler)
            lib.sigemptyset(ffi.addressof(oldact, "sa_mask"))
            if cur.mask:
                ffi.memmove(ffi.addressof(oldact, "sa_mask"), cur.mask, len(cur.mask))
        if act == ffi.NULL or act is None:
            return 0
        if signum in (lib.SIGKILL, lib.SIGSTOP):
            ffi.errno = lib.EINVAL
            return -1
        flags = int(act.sa_flags)
        handler = act.sa_sigaction if flags & lib.SA_SIGINFO else act.sa_handler
        mask = bytes(ffi.buffer(ffi.addressof(act, "sa_mask")))
        return _install(signum, handler, flags, mask)


def kill(pid: int, sig: int) -> int:
    """kill(2); a handler of this process's runs before it returns, as in C."""
    r = lib.kill(pid, sig)
    err = ffi.errno
    _check_signals()
    ffi.errno = err
    return int(r)


def raise_(sig: int) -> int:
    """raise(3) (``raise`` is a Python keyword): the handler has run when it returns."""
    r = lib.csock_raise_(sig)
    err = ffi.errno
    _check_signals()
    ffi.errno = err
    return int(r)


# --------------------------------------------------------------------------
# SA_RESTART


def _timeout_set(fd: int, name: str) -> bool:
    """A socket with SO_RCVTIMEO/SO_SNDTIMEO: signal(7) says EINTR, restart or not."""
    if name in _RECEIVING:
        opt = lib.SO_RCVTIMEO
    elif name in _SENDING:
        opt = lib.SO_SNDTIMEO
    else:
        return False
    tv = ffi.new("struct timeval *")
    size = ffi.new("socklen_t *", ffi.sizeof("struct timeval"))
    if lib.getsockopt(fd, lib.SOL_SOCKET, opt, tv, size) == -1:
        return False  # not a socket
    return bool(tv.tv_sec or tv.tv_usec)


def _restart(name: str, args: tuple[Any, ...], seq: int) -> bool:
    """After -1/EINTR: run the handlers; True if the call is to be made again."""
    _check_signals()
    if threading.current_thread() is threading.main_thread():
        if _seq == seq or _last_no_restart > seq:
            return False  # no csock handler ran, or one without SA_RESTART did
    elif not all(a.flags & lib.SA_RESTART for a in _actions.values()
                 if callable(_python_function(a.handler))):
        return False  # handlers run in the main thread: go by what is installed
    if name not in ("open", "wait", "waitpid", "waitid") and args and isinstance(args[0], int):
        return not _timeout_set(args[0], name)
    return True


def _connect_again(fd: int) -> int:
    """What the kernel's restarted connect() does: wait for the connection
    the first call started, and report how it went."""
    pfd = ffi.new("struct pollfd *", {"fd": fd, "events": lib.POLLOUT})
    while True:
        seq = _seq
        n = lib.poll(pfd, 1, -1)
        if n == -1:
            if ffi.errno == lib.EINTR and _restart("connect", (fd,), seq):
                continue
            return -1
        err = ffi.new("int *")
        size = ffi.new("socklen_t *", ffi.sizeof("int"))
        if lib.getsockopt(fd, lib.SOL_SOCKET, lib.SO_ERROR, err, size) == -1:
            return -1
        if err[0]:
            ffi.errno = err[0]
            return -1
        return 0


def _restarting(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def call(*args: Any) -> Any:
        while True:
            seq = _seq
            r = func(*args)
            if not (isinstance(r, int) and r == -1) or ffi.errno != lib.EINTR:
                return r
            if not _restart(name, args, seq):
                ffi.errno = lib.EINTR
                return r
            if name == "connect":
                return _connect_again(args[0])

    call.__csock_restarting__ = func  # type: ignore[attr-defined]
    return call


def _arm() -> None:
    """Put the restarting versions in csock.c and wherever its functions were
    copied (``from csock.c import *``): modules whose global is csock.c's own
    function object."""
    global _armed
    if _armed or not _namespace:
        return
    _armed = True
    swaps: dict[int, tuple[Any, Any]] = {}
    for name in RESTARTED:
        cur = _namespace.get(name)
        if cur is None:
            continue
        new = _restarting(name, cur)
        swaps[id(cur)] = (cur, new)
        _namespace[name] = new
        if _raw.get(name) is cur:
            _raw[name] = new
        raw = _raw.get(name)
        if raw is not None and raw is not cur:  # tracing: the untraced one too
            swaps[id(raw)] = (raw, _restarting(name, raw))
            _raw[name] = swaps[id(raw)][1]
    for module in list(sys.modules.values()):
        try:
            d = getattr(module, "__dict__", None)
        except Exception:  # a lazy module object that cannot be looked at
            continue
        if not isinstance(d, dict) or d is _namespace:
            continue
        for key, value in list(d.items()):
            hit = swaps.get(id(value))
            if hit is not None and hit[0] is value:
                d[key] = hit[1]


__all__ = ["RESTARTED", "action", "bind", "kill", "raise_", "sigaction", "sighandler", "signal"]
