"""Struct layouts you can check: sizes, offsets, holes, as the compiler decided.

Every number here comes from the compiled extension (cffi API mode compiles
each declaration against the system headers, and every struct ends in
``...;``), never from a table typed in Python. :mod:`csock._layout_probe`
cross-checks them with a C program built by the system compiler.

    >>> from csock import layout
    >>> layout.layout("sockaddr_in").size
    16
    >>> [f.name for f in layout.layout("struct sockaddr_in").fields]
    ['sin_family', 'sin_port', 'sin_addr', 'sin_zero']
    >>> layout.compare("sockaddr_in6", "sockaddr").a_fits_in_b
    False

A layout is a list of *spans* that tile the struct from byte 0 to its size:

``field``
    a member the binding declares;
``hole``
    a gap before a declared member that its alignment alone explains
    (compiler padding, what pahole calls a hole);
``padding``
    tail padding that the struct's alignment alone explains;
``opaque``
    bytes the binding does not declare: glibc-private members such as
    ``__ss_padding`` in sockaddr_storage, or all of ``fd_set``. They may
    include padding; csock cannot tell which.
"""

from __future__ import annotations

import ctypes
import functools
import re
import sys as _sys
import textwrap as _textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from csock._csock import ffi
from csock._i18n import _
from csock._i18n import _ as _tr

__all__ = [
    "CACHELINE",
    "Comparison",
    "Field",
    "Segment",
    "Span",
    "StructLayout",
    "UnknownStructError",
    "all_layouts",
    "as_ctypes",
    "compare",
    "dump",
    "layout",
    "names",
]

# pahole's default cacheline size on x86_64 and most other hosts.
CACHELINE = 64

# Display order for the sockets API's structs; any other struct the binding
# declares follows, sorted. Names only: every number comes from the compiler.
_ORDER = [
    "sockaddr",
    "sockaddr_in",
    "in_addr",
    "sockaddr_in6",
    "in6_addr",
    "sockaddr_un",
    "sockaddr_storage",
    "hostent",
    "servent",
    "addrinfo",
    "linger",
    "timeval",
    "pollfd",
    "fd_set",
    "msghdr",
    "iovec",
    "cmsghdr",
]

SpanKind = Literal["field", "hole", "padding", "opaque"]


class UnknownStructError(LookupError):
    """The binding declares no struct (or struct typedef) by that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown struct"


@dataclass(frozen=True)
class Field:
    """One declared member.

    ``offset`` counts from the start of the outermost struct being described,
    also for the members of a nested struct (``fields``), so
    ``layout("sockaddr_in").field("sin_addr.s_addr").offset`` is 4.
    """

    name: str
    path: str
    offset: int
    size: int
    align: int
    type: str
    kind: str
    length: int | None = None
    fields: tuple[Field, ...] = ()

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def declarator(self) -> tuple[str, str]:
        """(base type, name with array suffix): ``("char", "sa_data[14]")``."""
        m = re.fullmatch(r"(.*?)\s*((?:\[\d*\])+)", self.type)
        if m and "(" not in self.type:
            return m.group(1), self.name + m.group(2)
        return self.type, self.name

    def walk(self) -> Iterator[Field]:
        """This field, then its nested members, depth first."""
        yield self
        for sub in self.fields:
            yield from sub.walk()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "offset": self.offset,
            "size": self.size,
            "type": self.type,
            "align": self.align,
        }
        if self.length is not None:
            d["length"] = self.length
        if self.fields:
            d["fields"] = [f.to_dict() for f in self.fields]
        return d


@dataclass(frozen=True)
class Span:
    """A byte range of a struct: a declared field, a hole, padding or opaque."""

    offset: int
    size: int
    kind: SpanKind
    name: str = ""

    @property
    def end(self) -> int:
        return self.offset + self.size

    @property
    def label(self) -> str:
        if self.kind == "field":
            return self.name
        return f"<{self.kind} {self.size}>"


@dataclass(frozen=True)
class StructLayout:
    """A struct's size, alignment, declared fields and the spans tiling it."""

    name: str
    cname: str
    size: int
    align: int
    fields: tuple[Field, ...]
    spans: tuple[Span, ...] = field(repr=False)

    @property
    def is_typedef(self) -> bool:
        return not self.cname.startswith(("struct ", "union "))

    @property
    def holes(self) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if s.kind == "hole")

    @property
    def padding(self) -> int:
        return sum(s.size for s in self.spans if s.kind == "padding")

    @property
    def opaque(self) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if s.kind == "opaque")

    @property
    def cachelines(self) -> int:
        return max(1, -(-self.size // CACHELINE))

    @property
    def packed(self) -> bool:
        """Packed by the compiler (``__attribute__((packed))``): the struct is less
        aligned than a member of it (struct epoll_event on x86-64)."""
        return any(self.align < f.align for f in self.fields)

    def walk(self) -> Iterator[Field]:
        """Every declared field, nested members included, depth first."""
        for f in self.fields:
            yield from f.walk()

    def field(self, path: str) -> Field:
        """A field by dotted path (``"sin6_addr.s6_addr"``)."""
        for f in self.walk():
            if f.path == path:
                return f
        raise KeyError(f"{self.cname} declares no field {path!r}")

    def span_at(self, offset: int) -> Span | None:
        for s in self.spans:
            if s.offset <= offset < s.end:
                return s
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cname": self.cname,
            "size": self.size,
            "align": self.align,
            "fields": [f.to_dict() for f in self.fields],
            "spans": [
                {"offset": s.offset, "size": s.size, "kind": s.kind, "name": s.name}
                for s in self.spans
            ],
        }


# --------------------------------------------------------------------------
# Names


def _struct_tags() -> list[str]:
    return list(ffi.list_types()[1])


def _opaque(name: str) -> bool:
    try:
        ffi.sizeof(name)
    except ffi.error:
        return True
    return False


def _struct_typedefs() -> list[str]:
    out = []
    for name in ffi.list_types()[0]:
        # csockrt_*: csock's own runtime types, not the binding's C structs.
        if ffi.typeof(name).kind in ("struct", "union") and not name.startswith("csockrt_"):
            if _opaque(name):
                continue  # FILE: no fields to lay out (and cffi asserts if asked)
            out.append(name)
    return out


# <signal.h>'s types are not the sockets API this module lays out, and glibc
# declares some of their members as union members behind macros (sa_handler
# and sa_sigaction share bytes): a field-by-field layout cannot tile them.
# Nor a union's own members (epoll_data: ptr, fd, u32 and u64 share 8 bytes);
# struct epoll_event lays it out as its one member, data.
_NOT_LISTED = frozenset({"sigaction", "siginfo_t", "sigset_t", "epoll_data", "epoll_data_t"})


def names() -> list[str]:
    """Bare names of every struct the binding declares, in display order."""
    known = set(_struct_tags()) | set(_struct_typedefs()) | {
        u for u in ffi.list_types()[2]
    }
    known -= _NOT_LISTED
    ordered = [n for n in _ORDER if n in known]
    return ordered + sorted(known - set(ordered))


def _cname(name: str) -> str:
    """The C spelling of a bare or C-spelled struct name."""
    n = " ".join(name.split())
    tags, unions, typedefs = set(_struct_tags()), set(ffi.list_types()[2]), set(_struct_typedefs())
    for kw, pool in (("struct", tags), ("union", unions)):
        if n.startswith(kw + " "):
            tag = n[len(kw) + 1:]
            if tag in pool:
                return f"{kw} {tag}"
            if tag in typedefs:
                raise UnknownStructError(
                    _tr("{tag} is a typedef, not a struct tag: write {typedef!r}, "
                        "not {name!r}").format(tag=tag, typedef=tag, name=n)
                )
            raise UnknownStructError(_unknown_message(n))
    if n in tags:
        return f"struct {n}"
    if n in unions:
        return f"union {n}"
    if n in typedefs:
        return n
    raise UnknownStructError(_unknown_message(n))


def _unknown_message(n: str) -> str:
    return _tr("unknown struct {name!r}; csock declares: {names}").format(
        name=n, names=", ".join(names()))


# --------------------------------------------------------------------------
# Layouts


def _align_up(n: int, a: int) -> int:
    return -(-n // a) * a if a > 1 else n


def _field(name: str, path: str, base: int, cfield: Any) -> Field:
    t = cfield.type
    offset = base + cfield.offset
    length: int | None = None
    if t.kind == "array":
        length = t.length
        size = ffi.sizeof(t) if length is not None else 0
    else:
        size = ffi.sizeof(t)
    subs: tuple[Field, ...] = ()
    if t.kind in ("struct", "union") and t.fields:
        subs = tuple(_field(n, f"{path}.{n}", offset, cf) for n, cf in t.fields)
    return Field(
        name=name,
        path=path,
        offset=offset,
        size=size,
        align=ffi.alignof(t),
        type=t.cname,
        kind=t.kind,
        length=length,
        fields=subs,
    )


def _spans(size: int, align: int, fields: tuple[Field, ...]) -> tuple[Span, ...]:
    spans: list[Span] = []
    cursor = 0
    for f in sorted(fields, key=lambda f: f.offset):
        if f.offset > cursor:
            kind: SpanKind = "hole" if _align_up(cursor, f.align) == f.offset else "opaque"
            spans.append(Span(cursor, f.offset - cursor, kind))
        spans.append(Span(f.offset, f.size, "field", f.name))
        cursor = max(cursor, f.end)
    if size > cursor:
        kind = "padding" if fields and _align_up(cursor, align) == size else "opaque"
        spans.append(Span(cursor, size - cursor, kind))
    return tuple(spans)


def layout(name: str) -> StructLayout:
    """The layout of one struct: ``"sockaddr_in"``, ``"struct sockaddr_in"``, ``"fd_set"``.

    Raises :class:`UnknownStructError` for a name the binding does not declare.
    """
    return _cached_layout(name)  # cached; the signature stays typed


@functools.cache
def _cached_layout(name: str) -> StructLayout:
    cname = _cname(name)
    return layout_of_type(ffi.typeof(cname), cname)


def layout_of_type(t: Any, cname: str) -> StructLayout:
    """The layout of a struct or union cffi type (one c.cdef() declared, too)."""
    fields = tuple(_field(n, n, 0, cf) for n, cf in (t.fields or []))
    size, align = ffi.sizeof(t), ffi.alignof(t)
    bare = cname.split(" ", 1)[1] if " " in cname else cname
    return StructLayout(bare, cname, size, align, fields, _spans(size, align, fields))


def all_layouts() -> list[StructLayout]:
    """Every struct the binding declares, in display order."""
    return [layout(n) for n in names()]


# --------------------------------------------------------------------------
# Comparing two structs


@dataclass(frozen=True)
class Segment:
    """A byte range over which neither struct changes span."""

    offset: int
    size: int
    a: Span | None
    b: Span | None

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass(frozen=True)
class Comparison:
    """Two layouts side by side: what a cast between them touches."""

    a: StructLayout
    b: StructLayout
    segments: tuple[Segment, ...]
    shared: tuple[tuple[Field, Field], ...]
    overlaps: tuple[tuple[Field, Field], ...]

    @property
    def a_fits_in_b(self) -> bool:
        """An ``a`` copied into a ``b``-sized buffer is not truncated."""
        return self.a.size <= self.b.size

    @property
    def b_fits_in_a(self) -> bool:
        return self.b.size <= self.a.size

    def _cast(self, obj: StructLayout, view: StructLayout) -> str:
        """Viewing an ``obj`` object through a ``view *`` pointer."""
        where = _("({view} *)&x, x a {obj}").format(view=view.cname, obj=obj.cname)
        problems = []
        if view.size > obj.size:
            problems.append(_("reads {n} bytes past the end of x (sizeof {view} > {obj})").format(
                n=view.size - obj.size, view=view.size, obj=obj.size))
        if view.align > obj.align:
            problems.append(_("x may be misaligned for it (alignof {view} > {obj})").format(
                view=view.align, obj=obj.align))
        if problems:
            return _("{where}: NOT safe: {problems}").format(where=where,
                                                            problems="; ".join(problems))
        return _("{where}: in bounds ({view} <= {obj} bytes), alignment ok").format(
            where=where, view=view.size, obj=obj.size)

    def _truncation(self, big: StructLayout, small: StructLayout) -> str:
        lost = []
        for f in big.fields:
            if f.end > small.size:
                if f.offset >= small.size:
                    lost.append(_("{name} (bytes {lo}..{hi})").format(
                        name=f.name, lo=f.offset, hi=f.end))
                else:
                    kept = small.size - f.offset
                    lost.append(_("{name} (bytes {lo}..{hi}, only {kept} of {size} kept)")
                                .format(name=f.name, lo=f.offset, hi=f.end, kept=kept,
                                        size=f.size))
        for s in big.opaque:
            if s.end > small.size:
                lost.append(_("undeclared bytes {lo}..{hi}").format(
                    lo=max(s.offset, small.size), hi=s.end))
        return _(
            "{big} ({bsize} bytes) does not fit in {small} ({ssize} bytes): passing a "
            "{bcname} with length sizeof({scname}) truncates it to {ssize} bytes, cutting "
            "off {lost}").format(big=big.name, bsize=big.size, small=small.name,
                                 ssize=small.size, bcname=big.cname, scname=small.cname,
                                 lost=", ".join(lost) if lost else _("nothing declared"))

    def verdict(self) -> list[str]:
        """Plain conclusions, one per line (in the interface's language)."""
        a, b = self.a, self.b
        lines = []
        if a.size == b.size:
            lines.append(_("{a} and {b} are both {size} bytes.").format(
                a=a.name, b=b.name, size=a.size))
        else:
            big, small = (a, b) if a.size > b.size else (b, a)
            lines.append(self._truncation(big, small) + ".")
            lines.append(_("{small} ({ssize} bytes) fits in {big} ({bsize} bytes).").format(
                small=small.name, ssize=small.size, big=big.name, bsize=big.size))
        if self.shared:
            pairs = ", ".join(
                _("{a} = {b} (offset {offset}, {size} bytes)").format(
                    a=fa.name, b=fb.name, offset=fa.offset, size=fa.size)
                for fa, fb in self.shared
            )
            lines.append(_("Same offset and size in both: {pairs}.").format(pairs=pairs))
        else:
            lines.append(_("No field has the same offset and size in both."))
        lines.append(self._cast(a, b) + ".")
        lines.append(self._cast(b, a) + ".")
        return lines


def compare(a: str | StructLayout, b: str | StructLayout) -> Comparison:
    """Lay two structs side by side: which bytes of each overlap which.

    ``compare("sockaddr_in6", "sockaddr").a_fits_in_b`` is False: a
    sockaddr_in6 is 28 bytes, and passing it with ``sizeof(struct sockaddr)``
    truncates it to 16.
    """
    la = a if isinstance(a, StructLayout) else layout(a)
    lb = b if isinstance(b, StructLayout) else layout(b)
    cuts = sorted({0, la.size, lb.size} | {s.offset for s in la.spans + lb.spans})
    segments = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        segments.append(Segment(lo, hi - lo, la.span_at(lo), lb.span_at(lo)))
    shared = []
    overlaps = []
    for fa in la.fields:
        for fb in lb.fields:
            if fa.offset < fb.end and fb.offset < fa.end:
                overlaps.append((fa, fb))
                if fa.offset == fb.offset and fa.size == fb.size:
                    shared.append((fa, fb))
    return Comparison(la, lb, tuple(segments), tuple(shared), tuple(overlaps))


# --------------------------------------------------------------------------
# ctypes


_CTYPES_PRIMITIVES: dict[str, Any] = {
    "char": ctypes.c_char,
    "signed char": ctypes.c_byte,
    "unsigned char": ctypes.c_ubyte,
    "short": ctypes.c_short,
    "unsigned short": ctypes.c_ushort,
    "int": ctypes.c_int,
    "unsigned int": ctypes.c_uint,
    "long": ctypes.c_long,
    "unsigned long": ctypes.c_ulong,
    "long long": ctypes.c_longlong,
    "unsigned long long": ctypes.c_ulonglong,
    "float": ctypes.c_float,
    "double": ctypes.c_double,
    "long double": ctypes.c_longdouble,
    "_Bool": ctypes.c_bool,
    "int8_t": ctypes.c_int8,
    "uint8_t": ctypes.c_uint8,
    "int16_t": ctypes.c_int16,
    "uint16_t": ctypes.c_uint16,
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "ssize_t": ctypes.c_ssize_t,
    "intptr_t": ctypes.c_ssize_t,
    "uintptr_t": ctypes.c_size_t,
}

# ctypes types by alignment, to give a Structure the compiler's alignment
# with a zero-length array (Python < 3.13 has no _align_).
_BY_ALIGN: dict[int, Any] = {}
for _t in (ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64,
           ctypes.c_longdouble):
    _BY_ALIGN.setdefault(ctypes.alignment(_t), _t)


def _ctype_of(ctype: Any) -> Any:
    kind = ctype.kind
    if kind == "primitive":
        ct = _CTYPES_PRIMITIVES.get(ctype.cname)
        if ct is not None and ctypes.sizeof(ct) == ffi.sizeof(ctype):
            return ct
        return ctypes.c_ubyte * ffi.sizeof(ctype)
    if kind == "pointer":
        return ctypes.c_char_p if ctype.item.cname == "char" else ctypes.c_void_p
    if kind == "array":
        return _ctype_of(ctype.item) * (ctype.length or 0)
    if kind == "struct":
        return as_ctypes(ctype.cname)
    return ctypes.c_ubyte * ffi.sizeof(ctype)


def as_ctypes(name: str) -> type[ctypes.Structure]:
    """A ``ctypes.Structure`` with the compiler's layout of ``name``.

    Declared fields keep their names and ctypes equivalents (pointers become
    ``c_void_p``, or ``c_char_p`` for ``char *``); holes, tail padding and
    opaque spans become ``c_ubyte`` arrays named ``_hole_N``, ``_padding_N``
    and ``_opaque_N`` (N the offset), so size and offsets match.
    """
    return _cached_as_ctypes(name)  # cached; the signature stays typed


@functools.cache
def _cached_as_ctypes(name: str) -> type[ctypes.Structure]:
    lay = layout(name)
    t = ffi.typeof(lay.cname)
    cfields = dict(t.fields or [])
    fields: list[tuple[str, Any]] = []
    max_align = 1
    for span in lay.spans:
        if span.kind == "field":
            ct = _ctype_of(cfields[span.name].type)
        else:
            ct = ctypes.c_ubyte * span.size
        max_align = max(max_align, ctypes.alignment(ct))
        fields.append((span.name or f"_{span.kind}_{span.offset}", ct))
    if max_align < lay.align and lay.align in _BY_ALIGN:
        fields.insert(0, ("_align_", _BY_ALIGN[lay.align] * 0))
    namespace: dict[str, Any] = {"_fields_": fields}
    if lay.packed:
        namespace["_pack_"] = 1  # as __attribute__((packed)): no padding, alignment 1
    cls = type(lay.name, (ctypes.Structure,), namespace)
    if ctypes.sizeof(cls) != lay.size:  # pragma: no cover - would be a csock bug
        raise AssertionError(
            f"ctypes lays {lay.cname} out in {ctypes.sizeof(cls)} bytes, "
            f"the compiler in {lay.size}"
        )
    return cls


# --------------------------------------------------------------------------
# A struct's bytes, explained


# Teaching output fits a projector's 80 columns (the strace line apart: it is
# strace's own notation, on one line).
WIDTH = 80


def dump(ptr: Any, length: int | None = None) -> str:
    """A struct's bytes in hex, each span's offsets, and what its bytes mean.

    *ptr* is a pointer to a struct (or the struct itself); *length* the byte
    length a call would be given for it (addrlen), where that matters (an
    abstract AF_UNIX name). Holes, tail padding and bytes the binding does not
    declare are marked. Numbers in network byte order say how they would be
    stored in this host's order. A NULL pointer is a ValueError.
    """
    from csock import _show

    ctype = ffi.typeof(ptr)
    if ctype.kind == "struct":
        ptr = ffi.addressof(ptr)
        ctype = ffi.typeof(ptr)
    if ctype.kind != "pointer" or ctype.item.kind not in ("struct", "union"):
        raise TypeError(f"dump() takes a pointer to a struct csock declares, not {ctype.cname}")
    if ptr == ffi.NULL:  # reading its bytes would crash the interpreter
        raise ValueError(f"dump() of a NULL {ctype.cname}: there are no bytes to show")
    lay = layout(ctype.item.cname)
    data = bytes(ffi.buffer(ptr, lay.size))
    cfields = dict(ctype.item.fields or [])
    order = "little" if _sys.byteorder == "little" else "big"
    lines = [_("{cname}: {size} bytes, alignment {align}").format(
        cname=lay.cname, size=lay.size, align=lay.align)]
    lines += _textwrap.wrap(
        _("this host is little-endian: numbers in host byte order are stored least "
          "significant byte first; htons()/htonl() swap them into network order (most "
          "significant byte first)") if order == "little" else
        _("this host is big-endian: numbers in host byte order are stored most "
          "significant byte first, as in network order: htons()/htonl() change nothing"),
        WIDTH)
    lines.append("")
    for off in range(0, lay.size, 16):
        lines.append(f"{off:4d}: " + " ".join(f"{b:02x}" for b in data[off:off + 16]))
    rows = []
    for span in lay.spans:
        chunk = data[span.offset:span.end]
        where = f"{span.offset}-{span.end - 1}" if span.size > 1 else f"{span.offset}"
        if span.kind == "field":
            value = _show.explain_field(span.name, cfields[span.name].type, chunk, length)
        else:
            value = _show.span_note(span.kind, chunk)
        rows.append((span.label, where, chunk, value))
    # Each member on one line (name, byte offsets, hex), what it means below it,
    # indented and wrapped: the whole explanation fits 80 columns.
    head = (_("field"), _("bytes"), _("hex"))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(2)]
    indent = " " * (widths[0] + 2)
    room = WIDTH - widths[0] - widths[1] - 4
    lines.append("")
    lines.append(f"{head[0].ljust(widths[0])}  {head[1].ljust(widths[1])}  {head[2]}")
    for r in rows:
        chunk = r[2]
        limit = 16 if len(chunk) <= 16 else (room - len(f" ... ({len(chunk)} bytes)") + 1) // 3
        hexed = _show.hexbytes(chunk, max(1, min(16, limit)))
        lines.append(f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {hexed}")
        lines += _textwrap.wrap(r[3], WIDTH, initial_indent=indent, subsequent_indent=indent,
                                break_long_words=False, break_on_hyphens=False)
    lines.append("")
    lines.append("strace: " + _show.show(ptr, length))
    return "\n".join(lines)
