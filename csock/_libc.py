"""The libc functions of csock.c that need a few lines of Python.

* ``errno`` and ``h_errno`` as assignable, per-thread values: csock.c's
  module class (:class:`CModule`) has them as properties.
* The printf family: C's variadic functions. cffi calls a variadic function
  only with cdata arguments of explicit type, so the format is parsed here
  (once per format string) and each Python argument is cast to the C type
  its conversion expects; glibc's own printf/fprintf/sprintf/snprintf then
  format, so the bytes are glibc's by construction. An argument that does
  not fit its conversion raises TypeError (OverflowError for an integer out
  of the type's range) before anything reaches C.
* C's stdout and Python's ``sys.stdout`` share fd 1: every csock.c function
  that writes to C's ``stdout`` flushes ``sys.stdout`` first and C's
  ``stdout`` after, so output reaches fd 1 in program order whatever the
  buffering (one write per call, as C does on a terminal for whole lines).
  Writes to C's ``stderr`` flush ``sys.stderr`` first. At Python's exit,
  ``fflush(NULL)`` flushes every C stream before Python's own streams close.
* The ctype functions take an int or the 1-byte ``bytes`` that indexing a
  ``char[]`` gives, and return the argument's kind for toupper/tolower.
* fork() is ``os.fork()`` (Python's before/after-fork hooks run; the kernel
  sees the same clone as C's fork); exit() runs Python's atexit handlers and
  flushes Python's streams, then calls C's exit().
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import sys
import types
from collections.abc import Callable
from typing import IO, Any, NoReturn, TypeVar

from csock._csock import ffi, lib

__all__ = ["CModule", "WRAPPERS", "format_bytes"]


# --------------------------------------------------------------------------
# errno and h_errno


# getopt()'s global variables: C's own, read and assigned at each access.
LIVE_GLOBALS = frozenset({"optarg", "optind", "opterr", "optopt"})


def _live_c_int(name: str) -> property:
    """A property for C's global int ``name``: read and assigned in C at each access."""

    def get(_module: types.ModuleType) -> int:
        return int(getattr(lib, name))

    def put(_module: types.ModuleType, value: int) -> None:
        setattr(lib, name, _c_int(value, name))

    return property(get, put, doc=f"C's {name}, live")


class CModule(types.ModuleType):
    """csock.c's module type: ``errno`` and ``h_errno`` read and assign the
    calling thread's C values, as C's lvalues do; getopt()'s ``optarg``,
    ``optind``, ``opterr`` and ``optopt`` are C's global variables, live."""

    @property
    def optarg(self) -> Any:
        return lib.optarg

    @optarg.setter
    def optarg(self, value: Any) -> None:
        lib.optarg = value

    optind = _live_c_int("optind")
    opterr = _live_c_int("opterr")
    optopt = _live_c_int("optopt")

    @property
    def errno(self) -> int:
        return int(ffi.errno)

    @errno.setter
    def errno(self, value: int) -> None:
        ffi.errno = _c_int(value, "errno")

    @property
    def h_errno(self) -> int:
        return int(lib.csock_h_errno())

    @h_errno.setter
    def h_errno(self, value: int) -> None:
        lib.csock_set_h_errno(_c_int(value, "h_errno"))


def _c_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} is a C int: assign an int, not {type(value).__name__}")
    if not -2**31 <= value < 2**31:
        raise OverflowError(f"{what} is a C int: {value} does not fit")
    return value


# --------------------------------------------------------------------------
# The format language

_SPEC = re.compile(
    rb"%(?P<flags>[-+ #0']*)(?P<width>\*|[0-9]+)?(?:\.(?P<prec>\*|[0-9]*))?"
    rb"(?P<len>hh|h|ll|l|L|q|j|z|Z|t)?(?P<conv>[diouxXeEfFgGaAcspnm%])?")

_SIGNED = {None: "int", "hh": "int", "h": "int", "l": "long", "ll": "long long",
           "q": "long long", "j": "intmax_t", "z": "ssize_t", "Z": "ssize_t",
           "t": "ptrdiff_t"}
_UNSIGNED = {None: "unsigned int", "hh": "unsigned int", "h": "unsigned int",
             "l": "unsigned long", "ll": "unsigned long long", "q": "unsigned long long",
             "j": "uintmax_t", "z": "size_t", "Z": "size_t", "t": "ptrdiff_t"}
_FLOAT = {None: "double", "l": "double", "L": "long double"}

Converter = Callable[[Any, int, bytes], Any]


def _where(index: int, spec: bytes) -> str:
    return f"argument {index + 1} (for {spec.decode('latin-1')})"


def _integer(ctype: str) -> Converter:
    bits = ffi.sizeof(ctype) * 8
    low, high = -(1 << (bits - 1)), 1 << bits

    def convert(value: Any, index: int, spec: bytes) -> Any:
        if isinstance(value, bytes) and len(value) == 1:
            number = int.from_bytes(value, "little", signed=_CHAR_SIGNED)  # C's char
        elif isinstance(value, int):
            number = int(value)
        elif isinstance(value, ffi.CData) and ffi.typeof(value).kind == "primitive":
            number = int(value)
        else:
            raise TypeError(f"printf: {_where(index, spec)} must be an int (C {ctype}), "
                            f"not {type(value).__name__}")
        if not low <= number < high:
            raise OverflowError(f"printf: {_where(index, spec)}: {number} does not fit "
                                f"in C {ctype}")
        return ffi.cast(ctype, number)

    return convert


def _floating(ctype: str) -> Converter:
    def convert(value: Any, index: int, spec: bytes) -> Any:
        if isinstance(value, (int, float)) or (
                isinstance(value, ffi.CData) and ffi.typeof(value).kind == "primitive"):
            return ffi.cast(ctype, float(value))
        raise TypeError(f"printf: {_where(index, spec)} must be a float (C {ctype}), "
                        f"not {type(value).__name__}")

    return convert


def _string(value: Any, index: int, spec: bytes) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return ffi.new("char[]", bytes(value))
    if isinstance(value, ffi.CData) and ffi.typeof(value).kind in ("pointer", "array"):
        return ffi.cast("char *", value)
    hint = " (encode it: b'...' or text.encode())" if isinstance(value, str) else ""
    raise TypeError(f"printf: {_where(index, spec)} must be bytes or a char * cdata, "
                    f"not {type(value).__name__}{hint}")


def _pointer(value: Any, index: int, spec: bytes) -> Any:
    if isinstance(value, ffi.CData) and ffi.typeof(value).kind in ("pointer", "array"):
        return ffi.cast("void *", value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 64:
        return ffi.cast("void *", value)
    raise TypeError(f"printf: {_where(index, spec)} must be a pointer cdata, "
                    f"not {type(value).__name__}")


def _char(value: Any, index: int, spec: bytes) -> Any:
    if isinstance(value, bytes) and len(value) == 1:
        return ffi.cast("int", value[0])
    return _INT(value, index, spec)


_INT = _integer("int")
_CHAR_SIGNED = int(ffi.cast("int", ffi.cast("char", -1))) < 0


@functools.lru_cache(maxsize=512)
def parse(fmt: bytes) -> tuple[tuple[Converter, bytes], ...]:
    """The converter of each argument *fmt* takes, in order, with its spec."""
    out: list[tuple[Converter, bytes]] = []
    pos = fmt.find(b"%")
    while pos != -1:
        m = _SPEC.match(fmt, pos)
        assert m is not None  # every group is optional
        spec = m.group(0)
        conv = m.group("conv")
        if conv is None:
            raise ValueError(f"printf: incomplete or unknown conversion {spec!r} at "
                             f"offset {pos} of the format")
        length = m.group("len").decode() if m.group("len") else None
        if m.group("width") == b"*":
            out.append((_INT, spec))
        if m.group("prec") == b"*":
            out.append((_INT, spec))
        c = conv.decode()
        if c in "di":
            out.append((_integer(_SIGNED[length]), spec))
        elif c in "ouxX":
            out.append((_integer(_UNSIGNED[length]), spec))
        elif c in "eEfFgGaA":
            if length not in _FLOAT:
                raise ValueError(f"printf: {spec!r}: no length modifier {length} for {c}")
            out.append((_floating(_FLOAT[length]), spec))
        elif c == "c":
            if length not in (None, "h", "hh"):
                raise ValueError(f"printf: {spec!r}: wide characters are not supported")
            out.append((_char, spec))
        elif c == "s":
            if length is not None:
                raise ValueError(f"printf: {spec!r}: wide strings are not supported")
            out.append((_string, spec))
        elif c == "p":
            out.append((_pointer, spec))
        elif c == "n":
            raise ValueError("printf: %n is not supported (it writes through a pointer)")
        # '%' and 'm' (strerror(errno)) take no argument.
        pos = fmt.find(b"%", m.end())
    return tuple(out)


def _format_of(fmt: Any) -> bytes:
    if isinstance(fmt, bytes):
        return fmt
    if isinstance(fmt, ffi.CData) and ffi.typeof(fmt).kind in ("pointer", "array"):
        if fmt == ffi.NULL:
            raise TypeError("printf: the format is NULL")
        return bytes(ffi.string(fmt))
    hint = " (encode it: b'...')" if isinstance(fmt, str) else ""
    raise TypeError(f"printf: the format must be bytes or a char * cdata, "
                    f"not {type(fmt).__name__}{hint}")


def convert(fmt: Any, args: tuple[Any, ...]) -> list[Any]:
    """*args* cast to the C types *fmt*'s conversions expect."""
    convs = parse(_format_of(fmt))
    if len(args) != len(convs):
        raise TypeError(f"printf: the format takes {len(convs)} argument"
                        f"{'' if len(convs) == 1 else 's'}, {len(args)} given")
    return [conv(a, i, spec) for i, ((conv, spec), a) in enumerate(zip(convs, args,
                                                                        strict=True))]


def format_bytes(fmt: Any, *args: Any) -> bytes:
    """What printf(fmt, *args) writes, by glibc's snprintf."""
    cargs = convert(fmt, args)
    n = lib.snprintf(ffi.NULL, 0, fmt, *cargs)
    if n < 0:
        return b""
    buf = ffi.new("char[]", n + 1)
    lib.snprintf(buf, n + 1, fmt, *cargs)
    return bytes(ffi.buffer(buf, n))


# --------------------------------------------------------------------------
# Sharing fd 1 and fd 2 with Python


def _flush_python(stream: IO[str] | None) -> None:
    if stream is not None:
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken: C's write will say so
            pass


def _before(stream: Any) -> bool:
    """Flush Python's side of *stream*; True when it is C's stdout."""
    if stream == lib.stdout:
        _flush_python(sys.stdout)
        return True
    if stream == lib.stderr:
        _flush_python(sys.stderr)
    return False


def _after(is_stdout: bool, ret: int) -> int:
    if is_stdout:
        err = ffi.errno
        lib.fflush(lib.stdout)
        ffi.errno = err  # the call's errno, not fflush's
    return ret


def printf(format: Any, *args: Any) -> int:  # noqa: A002
    """printf(3): returns the number of bytes written, or a negative value."""
    cargs = convert(format, args)
    _before(lib.stdout)
    return _after(True, lib.printf(format, *cargs))


def fprintf(stream: Any, format: Any, *args: Any) -> int:  # noqa: A002
    """fprintf(3): returns the number of bytes written, or a negative value."""
    cargs = convert(format, args)
    return _after(_before(stream), lib.fprintf(stream, format, *cargs))


def snprintf(str: Any, size: int, format: Any, *args: Any) -> int:  # noqa: A002
    """snprintf(3): the length the whole output would have; writes at most size bytes."""
    return int(lib.snprintf(str, size, format, *convert(format, args)))


def sprintf(str: Any, format: Any, *args: Any) -> int:  # noqa: A002
    """sprintf(3) into the caller's buffer. Into a ``char[]`` of known size, an
    output that does not fit raises OverflowError (C would write past the end)."""
    cargs = convert(format, args)
    if isinstance(str, ffi.CData) and ffi.typeof(str).kind == "array":
        size = len(str)
        n = lib.snprintf(str, size, format, *cargs)
        if n >= size:
            raise OverflowError(f"sprintf: {n + 1} bytes do not fit in char[{size}] "
                                "(C would write past its end); use snprintf")
        return int(n)
    return int(lib.sprintf(str, format, *cargs))


def puts(s: Any) -> int:
    """puts(3): a nonnegative number, or EOF."""
    _before(lib.stdout)
    return _after(True, lib.puts(s))


def putchar(c: Any) -> int:
    """putchar(3): the character written, or EOF. Takes an int or b"x"."""
    value, _ = _char_value(c, "putchar")
    _before(lib.stdout)
    return _after(True, lib.putchar(value))


def fputc(c: Any, stream: Any) -> int:
    """fputc(3): the character written, or EOF. Takes an int or b"x"."""
    value, _ = _char_value(c, "fputc")
    return _after(_before(stream), lib.fputc(value, stream))


def fputs(s: Any, stream: Any) -> int:
    """fputs(3): a nonnegative number, or EOF."""
    return _after(_before(stream), lib.fputs(s, stream))


def fwrite(ptr: Any, size: int, nmemb: int, stream: Any) -> int:
    """fwrite(3): the number of items written."""
    return _after(_before(stream), lib.fwrite(ptr, size, nmemb, stream))


@atexit.register
def _flush_c_streams() -> None:
    # Python's exit: C's buffered streams (fopen'd files, a setvbuf'd stdout)
    # reach their files before Python's own streams close.
    lib.fflush(ffi.NULL)


# --------------------------------------------------------------------------
# ctype

_Char = TypeVar("_Char", int, bytes)


def _char_value(c: Any, name: str) -> tuple[int, bool]:
    if isinstance(c, bytes) and len(c) == 1:
        return c[0], True
    if isinstance(c, int) and not isinstance(c, bool):
        return c, False
    raise TypeError(f"{name}: takes an int or a 1-byte bytes (buf[i] of a char[]), "
                    f"not {type(c).__name__}"
                    + (" of length " + str(len(c)) if isinstance(c, bytes) else ""))


def _in_table(value: int) -> bool:
    # glibc's tables cover EOF and -128..255; C is undefined beyond them.
    return -128 <= value <= 255


def _classify(cfunc: Callable[[int], int], name: str) -> Callable[[int | bytes], int]:
    def classify(c: int | bytes) -> int:
        value, _ = _char_value(c, name)
        return int(cfunc(value)) if _in_table(value) else 0

    classify.__name__ = classify.__qualname__ = name
    classify.__doc__ = (f"{name}(3): nonzero when c is in the class, else 0. Takes an int "
                        "(EOF, or an unsigned char's value) or a 1-byte bytes.")
    return classify


def _case(cfunc: Callable[[int], int], name: str) -> Callable[[_Char], _Char]:
    def case(c: _Char) -> _Char:
        value, was_bytes = _char_value(c, name)
        result = int(cfunc(value)) if _in_table(value) else value
        return bytes([result & 0xFF]) if was_bytes else result  # type: ignore[return-value]

    case.__name__ = case.__qualname__ = name
    case.__doc__ = (f"{name}(3): c converted; an int gives an int, b\"x\" gives 1-byte bytes "
                    "(so buf[i] = toupper(buf[i]) ports as written).")
    return case


# --------------------------------------------------------------------------
# Processes


def fork() -> int:
    """fork(2) as os.fork(): 0 in the child, the child's pid in the parent, or
    -1 with errno set. Python's before/after-fork hooks run."""
    try:
        return os.fork()
    except OSError as exc:
        ffi.errno = exc.errno or 0
        return -1


def exit(status: int) -> NoReturn:  # noqa: A001
    """exit(3): Python's atexit handlers run, Python's sys.stdout and sys.stderr
    are flushed, then C's exit() flushes and closes C's streams and ends the
    process with *status*. No finally blocks, no other thread's code."""
    atexit._run_exitfuncs()
    _flush_python(sys.stdout)
    _flush_python(sys.stderr)
    lib.exit(status)
    raise AssertionError("exit() returned")  # pragma: no cover


WRAPPERS: dict[str, Callable[..., Any]] = {
    "printf": printf, "fprintf": fprintf, "snprintf": snprintf, "sprintf": sprintf,
    "puts": puts, "putchar": putchar, "fputc": fputc, "fputs": fputs, "fwrite": fwrite,
    "fork": fork, "exit": exit,
    "toupper": _case(lib.toupper, "toupper"), "tolower": _case(lib.tolower, "tolower"),
    **{name: _classify(getattr(lib, name), name)
       for name in ("isdigit", "isspace", "isalpha", "isprint")},
}
