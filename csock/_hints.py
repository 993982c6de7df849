"""Hints: one short line under a failed or suspicious csock.c call.

``CSOCK_TRACE=hints`` (the trace of ``CSOCK_TRACE=1``, plus hints), or
``tracing(hints=True)``, or ``--hints`` on ``python -m csock demo``, ``server``
and ``client``. The trace wrapper asks :func:`after_call` about each call it
has printed; nothing here runs when hints are off (the wrappers do not exist
when tracing is off, and the raw cffi functions are called directly).

A beginner's type mistakes (a str for ``char *``, an int for a pointer, a
type name without ``struct``, a csock.Socket where an fd goes) are explained
where the exception is reported: :func:`install_excepthook` chains
``sys.excepthook`` and ``threading.excepthook`` (installed when csock.c is
imported), and looks at the exception only when one reaches the top.

Every hint is in :data:`HINTS`, in English and Spanish; the language is
chosen as gettext chooses it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), or set
by :func:`set_language` (``--lang``).
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from csock import _show as S
from csock._csock import ffi, lib

__all__ = ["HINTS", "after_call", "before_call", "hint_line", "install_excepthook",
           "language", "set_language", "text", "type_hint"]

# key -> (English, Spanish). Placeholders are str.format fields.
HINTS: dict[str, tuple[str, str]] = {
    "eacces_port": (
        "ports below 1024 need root: pick one from 1024 up (10000)",
        "los puertos bajo 1024 requieren root: elija uno desde 1024 (10000)"),
    "eaddrinuse_owner": (
        "port {port} is held by {owners}",
        "el puerto {port} lo tiene {owners}"),
    "eaddrinuse": (
        "port {port} in use: another program, or TIME_WAIT (set SO_REUSEADDR)",
        "puerto {port} en uso: otro programa, o TIME_WAIT (use SO_REUSEADDR)"),
    "econnrefused": (
        "no server on {addr}: is it running, on that port?",
        "nadie escucha en {addr}: ¿hay servidor, en ese puerto?"),
    "pointer_len": (
        "{n} is sizeof a pointer: sizeof(servidor[0]), not sizeof(servidor)",
        "{n} es el tamaño de un puntero: sizeof(servidor[0]), no sizeof(servidor)"),
    "port_swapped": (
        "port {port} is {swapped} byte-swapped: htons({swapped}) forgotten?",
        "el puerto {port} es {swapped} al revés: ¿falta htons({swapped})?"),
    "addr_swapped": (
        "{addr} is {swapped} byte-swapped: htonl() forgotten?",
        "{addr} es {swapped} al revés: ¿falta htonl()?"),
    "sin_zero": (
        "sin_zero is not zero: zero the whole struct first (new() does)",
        "sin_zero no es cero: ponga a cero toda la estructura (new() lo hace)"),
    "addrlen_zero": (
        "*addrlen was 0: set it to sizeof the struct before {call}()",
        "*addrlen valía 0: dele el tamaño del struct antes de {call}()"),
    "bytes_out": (
        "{call}() writes there; bytes can't change: use new(\"char[]\", n)",
        "{call}() escribe ahí, y un bytes no cambia: use new(\"char[]\", n)"),
    "open_at_exit": (
        "descriptors still open at exit: {fds} (close() them)",
        "descriptores abiertos al salir: {fds} (ciérrelos con close())"),
    "type_str": (
        "C wants bytes, not str: write b\"...\" (or text.encode())",
        "C espera bytes, no str: escriba b\"...\" (o texto.encode())"),
    "type_int_pointer": (
        "C wants a pointer, not an int: pass what new() gave (servidor), or NULL",
        "C espera un puntero, no un int: pase lo que dio new() (servidor) o NULL"),
    "type_struct": (
        "write \"struct {name}\": C's struct names include the word struct",
        "escriba \"struct {name}\": en C el nombre lleva la palabra struct"),
    "type_socket": (
        "a csock.Socket is not an fd: pass sock.fileno()",
        "un csock.Socket no es un descriptor: pase sock.fileno()"),
    "type_cast": (
        "C wants a {want} here: write cast(\"{want}\", ...)",
        "C espera {want} aquí: escriba cast(\"{want}\", ...)"),
}

_PREFIX = {"en": "hint: ", "es": "pista: "}

_language: str | None = None


def set_language(lang: str | None) -> None:
    """'en' or 'es' for every hint from now on; None: from the environment."""
    global _language
    _language = lang


def language(environ: dict[str, str] | None = None) -> str:
    """'es' or 'en', as gettext picks: LANGUAGE, LC_ALL, LC_MESSAGES, LANG."""
    if _language is not None and environ is None:
        return _language
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            first = value.split(":")[0]
            return "es" if first.lower().startswith("es") else "en"
    return "en"


def text(key: str, **fields: Any) -> str:
    """The hint *key* in the interface's language, with its fields filled in."""
    en, es = HINTS[key]
    return (es if language() == "es" else en).format(**fields)


def hint_line(key: str, **fields: Any) -> str:
    """One line of the trace: ``  hint: ...`` (``  pista: ...`` in Spanish)."""
    return "  " + _PREFIX[language()] + text(key, **fields)


# --------------------------------------------------------------------------
# Calls


# Where each call's address and its length are (bind, connect, sendto).
_ADDRESS_ARGS = {"bind": (1, 2), "connect": (1, 2), "sendto": (4, 5)}
# Where each call's (address, *addrlen) output pair is.
_ADDRLEN_ARGS = {"accept": (1, 2), "accept4": (1, 2), "getsockname": (1, 2),
                 "getpeername": (1, 2), "recvfrom": (4, 5)}
# Which argument C writes into.
_OUT_BUFFERS = {"recv": 1, "recvfrom": 1, "read": 1, "getsockopt": 3}
# Calls that return a new descriptor, and those that return two in an array.
_OPENERS = {"socket", "accept", "accept4", "dup", "open"}
_PAIRS = {"socketpair": 3, "pipe": 0}


def _swap16(n: int) -> int:
    return ((n & 0xFF) << 8) | (n >> 8)


def _round(n: int) -> bool:
    """A port a person would pick: 10000, 10001, 8000, 80..."""
    return n != 0 and (n < 1024 or n % 100 == 0 or (n >= 1000 and n % 1000 < 10))


def port_looks_swapped(port: int) -> bool:
    """10000 written without htons() shows as 4135: the swap is round, the port not."""
    swapped = _swap16(port)
    return swapped != port and _round(swapped) and not _round(port)


def _listening(port: int) -> bool:
    """Does a TCP socket of this machine listen on *port* (/proc/net/tcp*)?"""
    from csock._owners import _read

    for table in ("tcp", "tcp6"):
        for row in _read(f"/proc/net/{table}").decode(errors="replace").splitlines()[1:]:
            cols = row.split()
            if len(cols) > 3 and cols[3] == "0A" and cols[1].endswith(f":{port:04X}"):
                return True
    return False


def _private(octets: tuple[int, ...]) -> bool:
    a, b = octets[0], octets[1]
    return a in (10, 127) or (a, b) == (192, 168) or (a == 172 and 16 <= b <= 31)


def addr_looks_swapped(octets: tuple[int, ...]) -> bool:
    """1.0.0.127 is 127.0.0.1 with its bytes reversed."""
    rev = octets[::-1]
    return rev != octets and _private(rev) and not _private(octets) and octets[0] != 0


def _addr_hints(name: str, call: Any) -> list[str]:
    ai, li = _ADDRESS_ARGS[name]
    addr, n = call.args[ai], int(call.args[li])
    out: list[str] = []
    if S.is_null(addr) or n < 2:
        return out
    family = int(ffi.cast("struct sockaddr *", addr).sa_family)
    if family not in (lib.AF_INET, lib.AF_INET6):
        return out
    if n == ffi.sizeof("void *"):
        out.append(hint_line("pointer_len", n=n))
    if n < 4:
        return out
    sin = ffi.cast("struct sockaddr_in *", addr)
    port = int(lib.ntohs(sin.sin_port))
    err = call.err if call.failed else 0
    if name == "bind" and err == lib.EACCES and 0 < port < 1024:
        out.append(hint_line("eacces_port"))
    if name == "bind" and err == lib.EADDRINUSE:
        out.append(_in_use(port))
    where = _endpoint(family, addr, port, n)
    if name == "connect" and err == lib.ECONNREFUSED:
        out.append(hint_line("econnrefused", addr=where))
    if name == "connect" and err == lib.EINPROGRESS:  # refused later: SO_ERROR says
        with _lock:
            _connecting[int(call.args[0])] = (where, port)
    if name == "connect":
        # A refused port whose swap is a listening one: that server was meant.
        if err == lib.ECONNREFUSED and _swap16(port) != port and _listening(_swap16(port)):
            out.append(hint_line("port_swapped", port=port, swapped=_swap16(port)))
    elif name == "bind" and port_looks_swapped(port):
        # bind only: a port people type. sendto's often come from the kernel
        # (a recvfrom's sender, an ephemeral port), whose swap can be round.
        out.append(hint_line("port_swapped", port=port, swapped=_swap16(port)))
    if family == lib.AF_INET and n >= 8:
        octets = tuple(S.read_mem(ffi.addressof(sin, "sin_addr"), 4))
        if addr_looks_swapped(octets):
            out.append(hint_line("addr_swapped", addr=".".join(map(str, octets)),
                                 swapped=".".join(map(str, octets[::-1]))))
        if n >= ffi.sizeof("struct sockaddr_in") and any(S.read_mem(sin.sin_zero, 8)):
            out.append(hint_line("sin_zero"))
    return out


def _endpoint(family: int, addr: Any, port: int, n: int) -> str:
    if family == lib.AF_INET and n >= 8:
        ip = ".".join(map(str, S.read_mem(ffi.addressof(
            ffi.cast("struct sockaddr_in *", addr), "sin_addr"), 4)))
        return f"{ip}:{port}"
    if family == lib.AF_INET6 and n >= 24:
        import ipaddress

        raw = bytes(S.read_mem(ffi.addressof(
            ffi.cast("struct sockaddr_in6 *", addr), "sin6_addr"), 16))
        return f"[{ipaddress.IPv6Address(raw)}]:{port}"
    return f"port {port}"


def _in_use(port: int) -> str:
    from csock._owners import port_owners

    try:
        owners = port_owners(port)
    except OSError:
        owners = []
    if owners:
        return hint_line("eaddrinuse_owner", port=port,
                         owners=", ".join(f"pid {pid} ({prog})" for pid, prog in owners))
    return hint_line("eaddrinuse", port=port)


def before_call(name: str, args: tuple[Any, ...]) -> None:
    """Refuse a bytes object where C writes (recv into b"..."): TypeError."""
    i = _OUT_BUFFERS.get(name)
    if i is not None and i < len(args) and isinstance(args[i], bytes):
        raise TypeError(text("bytes_out", call=name))


def after_call(name: str, call: Any) -> list[str]:
    """The hint lines for one traced call (none, mostly)."""
    out: list[str] = []
    if name in _ADDRESS_ARGS:
        out += _addr_hints(name, call)
    elif name in _ADDRLEN_ARGS and call.pre == 0:
        out.append(hint_line("addrlen_zero", call=name))
    elif name == "getsockopt" and not call.failed:
        out += _so_error(call)
    if not call.failed:
        _track(name, call)
    return out


def _so_error(call: Any) -> list[str]:
    """A non-blocking connect refused: its ECONNREFUSED comes by SO_ERROR."""
    fd, level, optname, val = (call.args[0], call.args[1], call.args[2], call.args[3])
    if int(level) != lib.SOL_SOCKET or int(optname) != lib.SO_ERROR or S.is_null(val):
        return []
    with _lock:
        pending = _connecting.pop(int(fd), None)
    if pending is None or int(ffi.cast("int *", val)[0]) != lib.ECONNREFUSED:
        return []
    where, port = pending
    out = [hint_line("econnrefused", addr=where)]
    if _swap16(port) != port and _listening(_swap16(port)):
        out.append(hint_line("port_swapped", port=port, swapped=_swap16(port)))
    return out


# --------------------------------------------------------------------------
# Descriptors still open at exit

_open: dict[int, int] = {}  # fd -> inode when opened
_connecting: dict[int, tuple[str, int]] = {}  # fd -> (address, port) of a connect in progress
_emit: Callable[[str], None] | None = None
_lock = threading.Lock()


def _inode(fd: int) -> int:
    try:
        return os.fstat(fd).st_ino
    except OSError:
        return -1


def _track(name: str, call: Any) -> None:
    fds: list[int] = []
    if name in _OPENERS:
        fds = [int(call.ret)]
    elif name in _PAIRS:
        arr = call.args[_PAIRS[name]]
        fds = [int(arr[0]), int(arr[1])]
    elif name == "close":
        with _lock:
            _open.pop(int(call.args[0]), None)
            _connecting.pop(int(call.args[0]), None)
        return
    else:
        return
    with _lock:
        for fd in fds:
            _open[fd] = _inode(fd)


def watch_descriptors(emit: Callable[[str], None]) -> None:
    """At exit, report descriptors opened through traced calls and never closed."""
    global _emit
    if _emit is None:
        atexit.register(_report_open)
    _emit = emit


def still_open() -> list[int]:
    """Tracked descriptors still open (the same file they were at open)."""
    with _lock:
        return sorted(fd for fd, ino in _open.items() if ino != -1 and _inode(fd) == ino)


def _report_open() -> None:
    fds = still_open()
    if fds and _emit is not None:
        try:
            _emit(hint_line("open_at_exit", fds=", ".join(map(str, fds))))
        except (OSError, ValueError):  # stderr already closed
            pass


# --------------------------------------------------------------------------
# Type mistakes, explained where the exception is reported

_UNDEFINED = re.compile(r"undefined type name\n(?P<name>[A-Za-z_]\w*)")
_CTYPE = re.compile(r"initializer for ctype '(?P<want>[^']+)' must be "
                    r"(?:a bytes or list or tuple|a cdata pointer|a pointer to same type)"
                    r", not (?P<got>.+)$")


def _is_socket(value: Any) -> bool:
    try:
        from csock._socket import Socket
    except ImportError:  # pragma: no cover
        return False
    import socket as pysocket

    return isinstance(value, (Socket, pysocket.socket))


def type_hint(exc: BaseException) -> str | None:
    """What to write instead, for a beginner's type mistake in a csock.c call."""
    message = str(exc)
    m = _UNDEFINED.match(message)
    if m and not isinstance(exc, TypeError):
        name = m.group("name")
        try:
            ffi.typeof(f"struct {name}")
        except (ffi.error, TypeError):
            return None
        return text("type_struct", name=name)
    if not isinstance(exc, TypeError):
        return None
    m = _CTYPE.match(message)
    if m:
        got = m.group("got")
        if got == "str":
            return text("type_str")
        if got == "int":
            return text("type_int_pointer")
        if got.startswith("cdata '"):
            return text("type_cast", want=m.group("want"))
        return None
    if message == "an integer is required" and _socket_in_frame(exc):
        return text("type_socket")
    return None


def _socket_in_frame(exc: BaseException) -> bool:
    """Was a socket object at hand where the call failed (the innermost frame)?"""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return any(_is_socket(v) for v in tb.tb_frame.f_locals.values())


def add_hint(exc: BaseException) -> None:
    """Add the type hint to *exc* as a note (once)."""
    hint = type_hint(exc)
    if hint is None:
        return
    note = _PREFIX[language()] + hint
    if note not in getattr(exc, "__notes__", ()):
        exc.add_note(note)


_installed = False


def install_excepthook() -> None:
    """Chain sys.excepthook and threading.excepthook to add type hints as notes."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = sys.excepthook

    def excepthook(typ: type[BaseException], value: BaseException, tb: Any) -> None:
        try:
            add_hint(value)
        except Exception:  # a hint must never hide the error
            pass
        previous(typ, value, tb)

    sys.excepthook = excepthook
    previous_thread = threading.excepthook

    def thread_excepthook(args: Any) -> None:
        try:
            if args.exc_value is not None:
                add_hint(args.exc_value)
        except Exception:
            pass
        previous_thread(args)

    threading.excepthook = thread_excepthook
