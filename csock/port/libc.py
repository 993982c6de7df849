"""The C library calls a translated port makes that csock.c does not provide
(yet): stdio on Python's own streams, exit, signal, malloc and a few string
functions, each with C's behaviour, under C's names. ``python -m csock port``
imports it only when the program uses one of these names."""

from __future__ import annotations

import os
import re
import signal as _signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

import csock.c as _c
from csock._csock import ffi

_NAMES = [
    "SIGINT", "SIGTERM", "SIGPIPE", "SIGCHLD", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2",
    "SIG_DFL", "SIG_IGN", "SIG_ERR", "EXIT_SUCCESS", "EXIT_FAILURE", "EOF",
    "UCHAR_MAX", "USHRT_MAX", "UINT_MAX", "ULONG_MAX", "SIZE_MAX",
    "stdin", "stdout", "stderr", "printf", "fprintf", "snprintf", "sprintf", "puts", "fputs",
    "putchar", "fputc", "fwrite", "fflush", "fgets", "getline", "getchar", "exit", "_exit",
    "malloc", "calloc", "free", "signal", "atoi", "atol", "strcmp", "strncmp", "strcpy",
    "strncpy", "isdigit", "isspace", "isalpha", "ch", "tochar", "to_signed", "cdiv", "cmod",
]
# What csock.c provides itself comes from there (its C stdio, when it has it), not from here.
__all__ = [n for n in _NAMES if n not in _c.__all__]

SIGINT, SIGTERM, SIGPIPE, SIGCHLD = (int(_signal.SIGINT), int(_signal.SIGTERM),
                                     int(_signal.SIGPIPE), int(_signal.SIGCHLD))
SIGALRM, SIGHUP, SIGUSR1, SIGUSR2 = (int(_signal.SIGALRM), int(_signal.SIGHUP),
                                     int(_signal.SIGUSR1), int(_signal.SIGUSR2))
SIG_DFL: Any = _signal.SIG_DFL
SIG_IGN: Any = _signal.SIG_IGN
SIG_ERR = -1
EXIT_SUCCESS, EXIT_FAILURE, EOF = 0, 1, -1
UCHAR_MAX, USHRT_MAX, UINT_MAX = 0xFF, 0xFFFF, 0xFFFFFFFF
ULONG_MAX = SIZE_MAX = 0xFFFFFFFFFFFFFFFF


class FILE:
    """A C stream on one of Python's: stdout buffered, stderr unbuffered, as in C."""

    def __init__(self, name: str, unbuffered: bool) -> None:
        self.name = name
        self.unbuffered = unbuffered

    @property
    def raw(self) -> BinaryIO:
        stream = getattr(sys, self.name)
        return stream.buffer  # type: ignore[no-any-return]

    def write(self, data: bytes) -> None:
        if self.unbuffered:
            getattr(sys, self.name).flush()
        self.raw.write(data)
        if self.unbuffered:
            self.raw.flush()


stdin = FILE("stdin", False)
stdout = FILE("stdout", False)
stderr = FILE("stderr", True)

_CONVERSION = re.compile(
    rb"%(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
    rb"(?P<len>hh|h|ll|l|j|z|t|L|q)?(?P<conv>[diouxXeEfFgGcsp%])")
_BITS = {b"hh": 8, b"h": 16, b"": 32, b"l": 64, b"ll": 64, b"j": 64, b"z": 64, b"t": 64,
         b"q": 64}


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return os.fsencode(value)
    if value == ffi.NULL:
        return b"(null)"
    return ffi.string(value)  # type: ignore[no-any-return]


def _format(fmt: Any, args: tuple[Any, ...]) -> bytes:
    """C's printf formatting (glibc's output for the conversions C programs use)."""
    spec = _bytes(fmt)
    values = list(args)
    out: list[bytes] = []
    pos = 0
    for m in _CONVERSION.finditer(spec):
        out.append(spec[pos:m.start()])
        pos = m.end()
        conv = m.group("conv")
        if conv == b"%":
            out.append(b"%")
            continue
        width, prec = m.group("width") or b"", m.group("prec")
        if width == b"*":
            width = b"%d" % int(values.pop(0))
        if prec == b"*":
            prec = b"%d" % int(values.pop(0))
        head = b"%" + m.group("flags") + width + (b"." + prec if prec is not None else b"")
        value = values.pop(0)
        bits = _BITS.get(m.group("len") or b"", 32)
        if conv in b"di":
            number = int(value) & ((1 << bits) - 1)
            number -= (number >> (bits - 1)) << bits
            out.append((head + b"d") % number)
        elif conv in b"ouxX":
            out.append((head + conv) % (int(value) & ((1 << bits) - 1)))
        elif conv == b"c":
            code = value[0] if isinstance(value, bytes) else int(value) & 0xFF
            out.append((head + b"c") % code)
        elif conv == b"s":
            out.append((head + b"s") % _bytes(value))
        elif conv == b"p":
            address = int(ffi.cast("uintptr_t", value))
            out.append((head + b"s") % (b"0x%x" % address if address else b"(nil)"))
        else:
            out.append((head + conv) % float(value))
    out.append(spec[pos:])
    return b"".join(out)


def printf(fmt: Any, *args: Any) -> int:
    data = _format(fmt, args)
    stdout.write(data)
    return len(data)


def fprintf(stream: FILE, fmt: Any, *args: Any) -> int:
    data = _format(fmt, args)
    stream.write(data)
    return len(data)


def snprintf(buf: Any, size: int, fmt: Any, *args: Any) -> int:
    data = _format(fmt, args)
    if size > 0:
        part = data[:size - 1]
        ffi.memmove(buf, part + b"\0", len(part) + 1)
    return len(data)


def sprintf(buf: Any, fmt: Any, *args: Any) -> int:
    data = _format(fmt, args)
    ffi.memmove(buf, data + b"\0", len(data) + 1)
    return len(data)


def fputs(s: Any, stream: FILE) -> int:
    stream.write(_bytes(s))
    return 1


def puts(s: Any) -> int:
    stdout.write(_bytes(s) + b"\n")
    return 1


def fputc(c: int, stream: FILE) -> int:
    stream.write(bytes([c & 0xFF]))
    return c & 0xFF


def putchar(c: int) -> int:
    return fputc(c, stdout)


def fwrite(ptr: Any, size: int, nmemb: int, stream: FILE) -> int:
    stream.write(bytes(ffi.buffer(ptr, size * nmemb)) if not isinstance(ptr, bytes)
                 else ptr[:size * nmemb])
    return nmemb


def fflush(stream: FILE | None) -> int:
    for s in (stream,) if stream is not None else (stdout, stderr):
        getattr(sys, s.name).flush()
    return 0


def getchar() -> int:
    data = stdin.raw.read(1)
    return data[0] if data else EOF


def fgets(buf: Any, size: int, stream: FILE) -> Any:
    line = stream.raw.readline(max(size - 1, 0))
    if not line:
        return ffi.NULL
    ffi.memmove(buf, line + b"\0", len(line) + 1)
    return buf


# malloc'd memory stays alive until free(), by address
_HEAP: dict[int, Any] = {}


def _address(p: Any) -> int:
    return int(ffi.cast("uintptr_t", p))


def malloc(size: int) -> Any:
    block = ffi.new("char[]", max(size, 1))
    _HEAP[_address(block)] = block
    return ffi.cast("void *", block)


def calloc(nmemb: int, size: int) -> Any:
    return malloc(nmemb * size)


def free(p: Any) -> None:
    _HEAP.pop(_address(p), None)


def getline(lineptr: Any, n: Any, stream: FILE) -> int:
    line = stream.raw.readline()
    if not line:
        return -1
    if lineptr[0] == ffi.NULL or n[0] < len(line) + 1:
        free(lineptr[0])
        lineptr[0] = ffi.cast("char *", malloc(len(line) + 1))
        n[0] = len(line) + 1
    ffi.memmove(lineptr[0], line + b"\0", len(line) + 1)
    return len(line)


def exit(status: int) -> None:  # noqa: A001
    sys.stdout.flush()
    raise SystemExit(status & 0xFF)


def _exit(status: int) -> None:
    os._exit(status & 0xFF)


_HANDLERS: dict[int, Callable[[int], None]] = {}


def signal(signum: int, handler: Any) -> Any:
    """C's signal(): handler is a function of the signal number, SIG_IGN or SIG_DFL."""
    if callable(handler):
        def call(number: int, _frame: object) -> None:
            handler(number)
        action: Any = call
    else:
        action = handler
    previous = _signal.signal(signum, action)
    old = _HANDLERS.pop(signum, None)
    if callable(handler):
        _HANDLERS[signum] = handler
    if previous in (_signal.SIG_IGN, _signal.SIG_DFL):
        return previous
    return old if old is not None else SIG_DFL


def atoi(s: Any) -> int:
    m = re.match(rb"\s*([-+]?\d+)", _bytes(s))
    return int(m.group(1)) if m else 0


atol = atoi


def strcmp(a: Any, b: Any) -> int:
    x, y = _bytes(a), _bytes(b)
    return (x > y) - (x < y)


def strncmp(a: Any, b: Any, n: int) -> int:
    return strcmp(_bytes(a)[:n], _bytes(b)[:n])


def strcpy(dest: Any, src: Any) -> Any:
    data = _bytes(src)
    ffi.memmove(dest, data + b"\0", len(data) + 1)
    return dest


def strncpy(dest: Any, src: Any, n: int) -> Any:
    data = _bytes(src)[:n]
    ffi.memmove(dest, data + b"\0" * (n - len(data)), n)
    return dest


def isdigit(c: int) -> int:
    return int(48 <= c <= 57)


def isspace(c: int) -> int:
    return int(c in (9, 10, 11, 12, 13, 32))


def isalpha(c: int) -> int:
    return int(97 <= (c | 32) <= 122)


# C's semantics where Python's differ


def ch(value: Any) -> int:
    """A plain char read from memory (cffi gives one byte) as C's signed char value."""
    code = value[0] if isinstance(value, bytes) else int(value)
    return code - 256 if code > 127 else code


def tochar(value: int) -> bytes:
    """An int stored into a plain char in memory: its low byte, as C converts."""
    return bytes([value & 0xFF])


def to_signed(value: int, bits: int) -> int:
    """An integer converted to a signed type of this many bits (wraps, as gcc does)."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def cdiv(a: int, b: int) -> int:
    """C's integer division: the quotient truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def cmod(a: int, b: int) -> int:
    """C's remainder: the sign of the dividend."""
    return a - cdiv(a, b) * b
