"""What a translated port needs beyond csock.c: C's integer rules (a plain char
read from memory as a signed value, an int stored into one, conversion to a
signed type, division and remainder truncated toward zero), string literals
with C's lifetime where a pointer holds them, and the limits of
<stdint.h>/<limits.h> that csock.c does not name. Every C library call (stdio,
exit, fork, signals, malloc, strings) is csock.c's own. ``python -m csock
port`` imports this module only when the program uses one of these names."""

from __future__ import annotations

from typing import Any

import csock.c as _c

_NAMES = ["UCHAR_MAX", "USHRT_MAX", "UINT_MAX", "ULONG_MAX", "SIZE_MAX",
          "ch", "tochar", "to_signed", "cdiv", "cmod", "literal"]
# What csock.c provides itself (should it gain these limits) comes from there.
__all__ = [n for n in _NAMES if n not in _c.__all__]

UCHAR_MAX, USHRT_MAX, UINT_MAX = 0xFF, 0xFFFF, 0xFFFFFFFF
ULONG_MAX = SIZE_MAX = 0xFFFFFFFFFFFFFFFF


_LITERALS: dict[bytes, Any] = {}


def literal(text: bytes) -> Any:
    """A string literal stored in a pointer (``{"a", "b"}`` for a ``char *[]``): a
    char[] that lives as long as the program, as C's literals do (static storage)."""
    found = _LITERALS.get(text)
    if found is None:
        found = _LITERALS[text] = _c.new("char[]", text)
    return found


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
