"""The C types the translation is driven by: a small model, filled from csock's
compiled cffi declarations (system types and functions) and from the
program's own declarations (pycparser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CType:
    """kind: int, float, void, ptr, array, struct, func. ``name`` is the C
    spelling cffi takes (``"unsigned short"``, ``"struct sockaddr_in"``)."""

    kind: str
    name: str = ""
    size: int = 0
    signed: bool = True
    to: CType | None = None  # ptr/array item, func result
    length: int | None = None  # array length (None: unknown)
    params: tuple[CType, ...] = field(default=(), compare=False)
    variadic: bool = False

    @property
    def is_int(self) -> bool:
        return self.kind == "int"

    @property
    def is_char(self) -> bool:
        return self.kind == "int" and self.name in ("char", "signed char", "unsigned char")

    @property
    def is_pointerish(self) -> bool:
        return self.kind in ("ptr", "array")

    @property
    def unsigned(self) -> bool:
        return self.kind == "int" and not self.signed

    @property
    def bits(self) -> int:
        return self.size * 8

    def spelling(self, inner: str = "") -> str:
        """The declaration text cffi reads (``char *[]`` and the like)."""
        if self.kind == "ptr":
            assert self.to is not None
            if self.to.kind in ("array", "func"):
                return self.to.spelling(f"(*{inner})")
            return self.to.spelling(f"*{inner}")
        if self.kind == "array":
            assert self.to is not None
            n = "" if self.length is None else str(self.length)
            return self.to.spelling(f"{inner}[{n}]")
        if self.kind == "func":
            assert self.to is not None
            args = ", ".join(p.spelling() for p in self.params) or "void"
            return self.to.spelling(f"{inner}({args})")
        return f"{self.name} {inner}".strip() if inner else self.name


def integer(name: str, size: int, signed: bool) -> CType:
    return CType("int", name, size, signed)


INT = integer("int", 4, True)
UINT = integer("unsigned int", 4, False)
LONG = integer("long", 8, True)
ULONG = integer("unsigned long", 8, False)
LLONG = integer("long long", 8, True)
ULLONG = integer("unsigned long long", 8, False)
CHAR = integer("char", 1, True)
SIZE_T = integer("size_t", 8, False)
DOUBLE = CType("float", "double", 8)
VOID = CType("void", "void")
# C's va_list: in a port, the tuple of a function's variable arguments
VA_LIST = CType("va_list", "va_list")


def ptr(to: CType) -> CType:
    return CType("ptr", size=8, to=to)


def array(of: CType, length: int | None) -> CType:
    return CType("array", size=of.size * (length or 0), to=of, length=length)


BASIC: dict[str, CType] = {}
for _names, _size in [(("char", "signed char", "unsigned char"), 1),
                      (("short", "unsigned short"), 2),
                      (("int", "unsigned int"), 4),
                      (("long", "unsigned long", "long long", "unsigned long long"), 8)]:
    for _n in _names:
        BASIC[_n] = integer(_n, _size, not _n.startswith("unsigned"))
BASIC["_Bool"] = integer("_Bool", 1, False)
BASIC["float"] = CType("float", "float", 4)
BASIC["double"] = DOUBLE
BASIC["long double"] = CType("float", "long double", 16)
BASIC["void"] = VOID
# Types the system headers declare that csock's cffi declarations do not.
EXTRA_INTS = {
    "size_t": (8, False), "ssize_t": (8, True), "ptrdiff_t": (8, True),
    "intptr_t": (8, True), "uintptr_t": (8, False),
    "int8_t": (1, True), "uint8_t": (1, False), "int16_t": (2, True), "uint16_t": (2, False),
    "int32_t": (4, True), "uint32_t": (4, False), "int64_t": (8, True), "uint64_t": (8, False),
    "sig_atomic_t": (4, True), "bool": (1, False),
}


def from_cffi(ffi: Any, ct: Any) -> CType:
    """A cffi ctype as a CType (system structs stay opaque names: cffi knows them)."""
    kind = ct.kind
    if kind == "primitive":
        name = ct.cname
        if name in BASIC:
            return BASIC[name]
        size = ffi.sizeof(ct)
        if name in ("float", "double"):
            return CType("float", name, size)
        try:
            signed = int(ffi.cast(ct, -1)) < 0
        except (TypeError, OverflowError):  # char-like
            signed = True
        return integer(name, size, signed)
    if kind == "enum":
        return integer(ct.cname, ffi.sizeof(ct), True)
    if kind == "pointer":
        return ptr(from_cffi(ffi, ct.item))
    if kind == "array":
        return array(from_cffi(ffi, ct.item), ct.length)
    if kind in ("struct", "union"):
        try:
            size = ffi.sizeof(ct)
        except Exception:  # noqa: BLE001  # an opaque struct
            size = 0
        return CType("struct", ct.cname, size)
    if kind == "function":
        return CType("func", to=from_cffi(ffi, ct.result),
                     params=tuple(from_cffi(ffi, a) for a in ct.args), variadic=ct.ellipsis)
    return VOID
