"""Argument checks for the Pythonic layer: the cleaned value, or the exception
(and, where CPython has one, the wording) that ``socket`` raises.

Everything here runs before any C call, so bad input never reaches C.
"""

from __future__ import annotations

import math
import operator
import sys
from typing import Any

from csock._csock import ffi

_from_buffer = ffi.from_buffer
_MAX_TIMEOUT = (2**63 - 1) / 1e9  # seconds in CPython's _PyTime_t (int64 nanoseconds)
_MAX_TIMEOUT_SECONDS = (2**63 - 1) // 10**9  # whole seconds whose nanoseconds fit
# CPython 3.13 made _PyTime_t public as PyTime_t (gh-110850); the overflow
# message names the type.
_INT_TIMEOUT_OVERFLOW = "timestamp too large to convert to C " + (
    "PyTime_t" if sys.version_info >= (3, 13) else "_PyTime_t")


def integer(value: object, name: str) -> int:
    """``value`` as an int, through __index__ as CPython's argument parser does.

    ``name`` says which argument, for the reader: CPython's messages do not.
    """
    if value.__class__ is int:
        return value  # type: ignore[return-value,unused-ignore]
    # PyNumber_Index's own error: the type's full name ('decimal.Decimal'), or
    # what a failing __index__ raised.
    return operator.index(value)  # type: ignore[arg-type]


def c_int(value: object, name: str) -> int:
    """``value`` as a C int, as CPython's "i" format takes it (OverflowError outside)."""
    result = integer(value, name)
    if not -0x8000000000000000 <= result <= 0x7FFFFFFFFFFFFFFF:  # a C long first
        raise OverflowError("Python int too large to convert to C long")
    if result > 0x7FFFFFFF:
        raise OverflowError("signed integer is greater than maximum")
    if result < -0x80000000:
        raise OverflowError("signed integer is less than minimum")
    return result


def clinic_int(value: object, name: str) -> int:
    """``value`` as a C int, as PyLong_AsInt (and Argument Clinic's ``int``) takes it."""
    result = integer(value, name)
    if not -0x80000000 <= result <= 0x7FFFFFFF:
        raise OverflowError("Python int too large to convert to C int")
    return result


def ssize(value: object, name: str) -> int:
    """``value`` as a C ssize_t, as CPython's "n" format takes it."""
    result = integer(value, name)
    if not -0x8000000000000000 <= result <= 0x7FFFFFFFFFFFFFFF:
        raise OverflowError("Python int too large to convert to C ssize_t")
    return result


def timeout(value: object) -> float | None:
    """A timeout: None, or a finite number of seconds >= 0."""
    if value is None:
        return None
    # As CPython's _PyTime_FromSecondsObject: a float, or an int through __index__
    # (so "1" and Decimal("1") are TypeErrors, not one second). CPython keeps
    # timeouts as int64 nanoseconds: beyond that is OverflowError (infinities
    # included), before the sign is looked at.
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("Invalid value NaN (not a number)")
        if not abs(value) < _MAX_TIMEOUT:
            raise OverflowError("timestamp out of range for platform time_t")
        # Whole nanoseconds, rounded away from zero (_PyTime_ROUND_TIMEOUT):
        # 1e-10 is 1e-09, and -1e-10 is negative.
        ns = math.ceil(value * 1e9) if value >= 0 else math.floor(value * 1e9)
    else:
        seconds = integer(value, "timeout")
        if not -_MAX_TIMEOUT_SECONDS <= seconds <= _MAX_TIMEOUT_SECONDS:
            raise OverflowError(_INT_TIMEOUT_OVERFLOW)
        ns = seconds * 1_000_000_000  # an int: exact, as CPython
    if ns < 0:
        raise ValueError("Timeout value out of range")
    return float(ns // 1_000_000_000) if ns % 1_000_000_000 == 0 else float(ns) / 1e9


def fileno(value: object) -> int:
    """A descriptor number handed to Socket(fileno=...) or fromfd()."""
    fd = integer(value, "fileno")
    if not -0x8000000000000000 <= fd <= 0x7FFFFFFFFFFFFFFF:  # CPython reads a C long
        raise OverflowError("Python int too large to convert to C long")
    if fd < 0:
        raise ValueError("negative file descriptor")
    if fd > 0x7FFFFFFF:
        raise OverflowError("file descriptor out of range")
    return fd


_NONE_BOOL: Any = type(None).__bool__  # type: ignore[attr-defined]  # a final type


def type_name(obj: object) -> str:
    """The name CPython's argument errors give obj's type: its tp_name,
    "mmap.mmap" for a C type (``__name__`` is "mmap"), "P" for a class.

    Python shows tp_name nowhere but in C's own messages: a method of
    NoneType called on obj fails with it, after a type check that runs no
    user code (no __class__, no __instancecheck__)."""
    try:
        _NONE_BOOL(obj)
    except TypeError as exc:
        message, head = str(exc), "but received a '"
        at = message.rfind(head)
        if at >= 0 and message.endswith("'"):
            return message[at + len(head):-1]
    return type(obj).__name__


def readable_buffer(data: object) -> Any:
    """bytes as they are; any other bytes-like object as a cffi char[] over its memory.

    len() of the result is its size in bytes.
    """
    # type(), not __class__: a bytes subclass can say it is bytes, and its
    # __len__ is not the length of its memory.
    if type(data) is bytes:
        return data
    if isinstance(data, str) or data is None or isinstance(data, (int, float)):
        raise TypeError(f"a bytes-like object is required, not '{type_name(data)}'")
    try:
        view = memoryview(data)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type_name(data)}'") from None
    with view:
        if not view.c_contiguous:
            raise BufferError("memoryview: underlying buffer is not C-contiguous")
    return _from_buffer("char[]", data)


def writable_buffer(buffer: object, caller: str) -> Any:
    """A cffi char[] over ``buffer``'s memory, pinned: the object cannot be resized
    until it is released (``ffi.release``). len() of the result is its size in bytes.

    As CPython's "w*": taken before any other argument is parsed, so no
    caller's code (an ``__index__``) runs between measuring and pinning.
    """
    # As CPython's converter: any failure to get the buffer (a released
    # memoryview's ValueError too) is this TypeError, naming None as None.
    name = "None" if buffer is None else type_name(buffer)[:50]  # CPython's %.50s
    try:
        view = memoryview(buffer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(
            f"{caller}() argument 1 must be read-write bytes-like object, not {name}"
        ) from None
    with view:
        if view.readonly or not view.c_contiguous:
            raise TypeError(
                f"{caller}() argument 1 must be read-write bytes-like object, not {name}"
            )
    return _from_buffer("char[]", buffer, require_writable=True)


# The largest bytes object CPython can make (PyBytes_FromStringAndSize).
MAX_BYTES = 0x7FFFFFFFFFFFFFFF - 33


def receive_size(bufsize: object, flags: object, caller: str) -> tuple[int, int]:
    """(bytes to receive, flags) for recv() and recvfrom(), as CPython's "n|i".

    Both are parsed before either is checked: a bad flags value is reported
    before a negative or too large size.
    """
    size = ssize(bufsize, "bufsize")
    flags = c_int(flags, "flags")
    if size < 0:
        raise ValueError(f"negative buffersize in {caller}")
    if size > MAX_BYTES:
        raise OverflowError("byte string is too large")
    return size, flags


def receive_count(target: Any, nbytes: object, flags: object, caller: str) -> tuple[int, int]:
    """(bytes to receive, flags) for a receive into the pinned ``target``.

    As CPython's "w*|ni": nbytes and flags are parsed, then nbytes is
    checked against the buffer's size (0 means all of it).
    """
    count = ssize(nbytes, "nbytes")
    flags = c_int(flags, "flags")
    if count < 0:
        raise ValueError(f"negative buffersize in {caller}")
    size = len(target)
    if count == 0:
        count = size
    elif count > size:
        # CPython's wording differs between the two callers.
        if caller == "recvfrom_into":
            raise ValueError("nbytes is greater than the length of the buffer")
        raise ValueError("buffer too small for requested bytes")
    return count, flags
