"""``python -m csock sizes``: struct layouts, as the compiler laid them out.

    python -m csock sizes                      estructurastam's line, then every struct
    python -m csock sizes --lang en            the text in English (the first line
                                               stays estructurastam.c's, in Spanish)
    python -m csock sizes --struct msghdr      one struct, in pahole's notation
    python -m csock sizes --compare sockaddr_in6 sockaddr
    python -m csock sizes --json               JSON only, on stdout
    python -m csock sizes --check              cross-check with a C program (cc)
    python -m csock sizes --check-ctypes mod:Class[=struct_name]
    python -m csock sizes --check-cdef FILE.h  your own C declarations (c.cdef's)

Exit status: 0 all good, 1 a check found a disagreement, 2 a usage error
(unknown struct, unreadable file, no compiler).
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import importlib.util
import json
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import cffi

from csock import _layout_probe
from csock._csock import ffi
from csock.cli.i18n import _, ngettext
from csock.layout import (
    CACHELINE,
    Comparison,
    Field,
    Span,
    StructLayout,
    UnknownStructError,
    all_layouts,
    compare,
    layout,
    layout_of_type,
    names,
)

# Kept for callers of the first version of this module.
STRUCTS = [layout(n).cname for n in names()]

_HEADER = {
    "es": "Sockaddr: {} bytes y Sockaddr_in: {} bytes",
    "en": "Sockaddr: {} bytes and Sockaddr_in: {} bytes",
}


class UsageError(Exception):
    """A bad argument: reported on stderr, exit status 2."""


def estructurastam_line(lang: str = "es") -> str:
    """The line the tutorial's estructurastam.c prints, sizes from sizeof.

    ``sizes`` prints it in Spanish in every interface language: it is the C
    program's own output. lang="en" is kept for callers of this function."""
    return _HEADER[lang].format(ffi.sizeof("struct sockaddr"), ffi.sizeof("struct sockaddr_in"))


# --------------------------------------------------------------------------
# pahole's notation


def _member_line(type_: str, name: str, offset: int, size: int, indent: str = "\t") -> str:
    decl = f"{type_:<26} {name};"
    decl = decl.ljust(49) if len(decl) < 49 else decl + " "
    return f"{indent}{decl}/* {offset:5d} {size:5d} */"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _tail_padding(f: Field) -> int:
    """The tail padding of a member that is itself a struct (pahole notes it)."""
    if f.kind != "struct" or not f.type.startswith("struct "):
        return 0
    try:
        return layout(f.type.split(" ", 1)[1]).padding
    except UnknownStructError:
        return 0


def render_pahole(lay: StructLayout) -> str:
    """``lay`` as pahole prints a struct: ``/* offset size */``, holes, totals.

    Bytes csock does not declare are shown as
    ``/* XXX N bytes opaque: not declared by csock */``; types are spelled as
    cffi resolved them (``uint16_t`` for ``sa_family_t``).
    """
    lines = [f"{lay.cname} {{" if not lay.is_typedef else "typedef struct {"]
    cacheline = 0
    paddings: list[int] = []  # of the members that are structs
    for span in lay.spans:
        if span.kind == "field":
            f = next(f for f in lay.fields if f.name == span.name)
            line_no = f.offset // CACHELINE
            if line_no > cacheline:
                cacheline = line_no
                boundary = line_no * CACHELINE
                ago = f.offset - boundary
                was = f" was {ago} bytes ago" if ago else ""
                lines.append(
                    f"\t/* --- cacheline {line_no} boundary ({boundary} bytes){was} --- */"
                )
            base, name = f.declarator
            lines.append(_member_line(base, name, f.offset, f.size))
            if pad := _tail_padding(f):
                paddings.append(pad)
                lines += ["", f"\t/* XXX last struct has {_plural(pad, 'byte')} of padding */",
                          ""]
        elif span.kind == "hole":
            lines += ["", f"\t/* XXX {_plural(span.size, 'byte')} hole, try to pack */", ""]
        elif span.kind == "opaque":
            lines += ["", f"\t/* XXX {_plural(span.size, 'byte')} opaque: "
                          "not declared by csock */", ""]
    holes = lay.holes
    members = sum(f.size for f in lay.fields)
    opaque = sum(s.size for s in lay.opaque)
    lines.append("")
    lines.append(f"\t/* size: {lay.size}, cachelines: {lay.cachelines}, "
                 f"members: {len(lay.fields)} */")
    if holes:
        lines.append(f"\t/* sum members: {members}, holes: {len(holes)}, "
                     f"sum holes: {sum(h.size for h in holes)} */")
    if opaque:
        lines.append(f"\t/* opaque: {opaque} (bytes csock does not declare) */")
    if lay.padding:
        lines.append(f"\t/* padding: {lay.padding} */")
    if paddings:
        lines.append(f"\t/* paddings: {len(paddings)}, sum paddings: {sum(paddings)} */")
    if lay.size % CACHELINE:
        lines.append(f"\t/* last cacheline: {lay.size % CACHELINE} bytes */")
    packed = " __attribute__((__packed__))" if lay.packed else ""  # as pahole marks one
    lines.append(f"}}{packed};" if not lay.is_typedef else f"}}{packed} {lay.cname};")
    out: list[str] = []
    for line in lines:  # no two blank lines in a row, as pahole
        if line == "" and out and (out[-1] == "" or out[-1].endswith("{")):
            continue
        out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------
# Side by side


def _span_label(lay: StructLayout, span: Span | None, offset: int) -> str:
    if span is None:
        return _("(past the end)") if offset >= lay.size else ""
    if span.kind == "field":
        f = next(f for f in lay.fields if f.name == span.name)
        return f.declarator[1]
    if span.kind == "opaque":
        return _("(opaque: not declared)")
    return _("(hole)") if span.kind == "hole" else _("(padding)") if span.kind == "padding" \
        else f"({span.kind})"


def render_compare(cmp: Comparison) -> str:
    a, b = cmp.a, cmp.b
    head = _("{cname} ({size}, align {align})")
    rows = [(_("bytes"), head.format(cname=a.cname, size=a.size, align=a.align),
             head.format(cname=b.cname, size=b.size, align=b.align), "")]
    for seg in cmp.segments:
        la = _span_label(a, seg.a, seg.offset)
        lb = _span_label(b, seg.b, seg.offset)
        note = ""
        if seg.a is not None and seg.b is not None and seg.a.kind == seg.b.kind == "field":
            same = (seg.a.offset, seg.a.size) == (seg.b.offset, seg.b.size)
            note = _("same offset and size") if same else _("overlap")
        elif (seg.a is None) != (seg.b is None):
            note = _("only in {name}").format(name=a.name if seg.a is not None else b.name)
        rows.append((f"{seg.offset}..{seg.end}", la, lb, note))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{r[0]:>{w0}}  {r[1]:<{w1}}  {r[2]:<{w2}}  {r[3]}".rstrip() for r in rows]
    lines.insert(1, "-" * (w0 + w1 + w2 + 4))
    lines.append("")
    lines += cmp.verdict()
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Checking someone else's layout (ctypes or C declarations)


@dataclass(frozen=True)
class Measured:
    """A field as the user's declaration lays it out."""

    path: str
    offset: int
    size: int | None  # None: a bitfield or a flexible array member
    bits: tuple[int, int] | None = None  # a bitfield: (first bit from the struct's start, width)


def _compare(m: Measured, sf: Field) -> str | None:
    """None if m is sf (same bytes, or a bitfield covering exactly sf's bits);
    otherwise what differs."""
    says = _("the compiler says offset {offset}, size {size} ({type})").format(
        offset=sf.offset, size=sf.size, type=sf.type)
    if m.bits is not None:
        start, width = m.bits
        if sys.byteorder == "little" and (start, width) == (8 * sf.offset, 8 * sf.size):
            return None
        return _("WRONG: a bitfield of {width} bits at bit {start}; {says}").format(
            width=width, start=start, says=says)
    if m.size is None:  # flexible array member: only another one at the same offset
        if sf.kind == "array" and sf.length is None and sf.offset == m.offset:
            return None
        return _("WRONG: a flexible array member; {says}").format(says=says)
    if (sf.offset, sf.size) == (m.offset, m.size):
        return None
    if m.offset != sf.offset and m.size != sf.size:
        return _("WRONG offset and size: {says}").format(says=says)
    if m.offset != sf.offset:
        return _("WRONG offset: {says}").format(says=says)
    return _("WRONG size: {says}").format(says=says)


def _check_against(
    title: str, lay: StructLayout, theirs: Sequence[Measured], total: int, who: str
) -> tuple[list[str], int, int]:
    """Report lines, the number of disagreements and of members not compared
    (1 if no member at all was compared, agreeing or not).

    A verdict of "matches" needs every member compared and equal, no member
    of the compiler's struct missing, and the same total size.
    """
    system = {f.path: f for f in lay.walk()}
    lines = [_("{title} against {cname} (the compiler's layout, {size} bytes):").format(
        title=title, cname=lay.cname, size=lay.size)]
    bad = unchecked = compared = 0
    missing, total_size = _("missing"), _("total size")
    width = max([len(m.path) for m in theirs] + [len(total_size)]) + 2
    for m in theirs:
        sf = system.get(m.path)
        if m.bits is not None:
            mine = _("bits {first}-{last}").format(first=m.bits[0], last=m.bits[0] + m.bits[1] - 1)
        elif m.size is None:
            mine = _("offset {offset}, no size").format(offset=m.offset)
        else:
            mine = _("offset {offset}, size {size}").format(offset=m.offset, size=m.size)
        if sf is None:
            unchecked += 1
            lines.append(f"  {m.path:<{width}}{mine:<22}"
                         + _("NOT COMPARED: not a member csock declares"))
            continue
        problem = _compare(m, sf)
        compared += 1  # compared, whatever the verdict: only "no member compared" is counted
        if problem is None:
            lines.append(f"  {m.path:<{width}}{mine:<22}" + _("ok"))
        else:
            bad += 1
            lines.append(f"  {m.path:<{width}}{mine:<22}{problem}")
    seen = {m.path for m in theirs}
    for f in lay.fields:
        if f.path not in seen:
            bad += 1
            lines.append(f"  {f.path:<{width}}{missing:<22}"
                         + _("WRONG: {cname} has it at offset {offset}, size {size}").format(
                             cname=lay.cname, offset=f.offset, size=f.size))
    if total == lay.size:
        lines.append(f"  {total_size:<{width}}{total:<22}" + _("ok"))
    else:
        bad += 1
        lines.append(f"  {total_size:<{width}}{total:<22}"
                     + _("WRONG: the compiler says {size}").format(size=lay.size))
    if bad:
        lines.append(ngettext("{n} disagreement: {who} does not match {cname}.",
                              "{n} disagreements: {who} does not match {cname}.", bad).format(
                                  n=bad, who=who, cname=lay.cname))
    elif unchecked:
        lines.append(ngettext("{who} is not shown to match {cname}: {n} member not compared.",
                              "{who} is not shown to match {cname}: {n} members not compared.",
                              unchecked).format(who=who, cname=lay.cname, n=unchecked))
    elif not compared:
        lines.append(_("{who} is not shown to match {cname}: no member compared.").format(
            who=who, cname=lay.cname))
    else:
        lines.append(_("{who} matches {cname}.").format(who=who, cname=lay.cname))
    return lines, bad, unchecked + (0 if compared else 1)


def struct_name_for_class(cls_name: str) -> str:
    """The struct a ctypes class describes, from its name.

    ``SockaddrIn`` -> ``sockaddr_in``, ``In6Addr`` -> ``in6_addr``,
    ``AddrInfo`` -> ``addrinfo``.
    """
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls_name).lower()
    known = names()
    for cand in (snake, cls_name, cls_name.lower()):
        if cand in known:
            return cand
    squashed = {n.replace("_", ""): n for n in known}
    if snake.replace("_", "") in squashed:
        return squashed[snake.replace("_", "")]
    raise UsageError(
        _("cannot tell which struct class {cls} describes (tried {snake}); "
          "write MODULE:{cls}=STRUCT with one of: {known}").format(
              cls=cls_name, snake=repr(snake), known=", ".join(known))
    )


def _load_class(spec: str) -> tuple[type, str, str]:
    """``module:Class[=struct]`` -> (class, struct name, where it came from)."""
    target, _eq, struct = spec.partition("=")
    modname, sep, clsname = target.rpartition(":")
    if not sep or not modname or not clsname:
        raise UsageError(_("--check-ctypes wants MODULE:CLASS[=STRUCT], got {spec}").format(
            spec=repr(spec)))
    try:
        if modname.endswith(".py") or os.sep in modname:
            mspec = importlib.util.spec_from_file_location(
                "_csock_user_" + re.sub(r"\W", "_", modname), modname)
            if mspec is None or mspec.loader is None:
                reason = (_("no such file") if not os.path.exists(modname)
                          else _("not a Python source file (.py)"))
                raise UsageError(_("cannot load {module}: {reason}").format(
                    module=modname, reason=reason))
            module = importlib.util.module_from_spec(mspec)
            mspec.loader.exec_module(module)
        else:
            if os.getcwd() not in sys.path and "" not in sys.path:
                sys.path.insert(0, os.getcwd())
            module = importlib.import_module(modname)
    except UsageError:
        raise
    except Exception as e:  # the user's module: any failure is a usage error
        raise UsageError(_("cannot import {module}: {error}").format(
            module=modname, error=f"{type(e).__name__}: {e}")) from e
    cls = getattr(module, clsname, None)
    if not isinstance(cls, type) or not issubclass(cls, ctypes.Structure | ctypes.Union):
        raise UsageError(_("{module}:{cls} is not a ctypes.Structure").format(
            module=modname, cls=clsname))
    if "_fields_" not in vars(cls) and not any("_fields_" in vars(b) for b in cls.__mro__[1:-1]):
        raise UsageError(_("{module}:{cls} has no _fields_: nothing to check").format(
            module=modname, cls=clsname))
    return cls, (struct or struct_name_for_class(clsname)), f"{clsname} ({modname})"


def _bit_offset(cf: Any) -> int:
    """A ctypes bitfield's first bit within its storage unit."""
    if hasattr(cf, "bit_offset"):  # Python 3.13+
        return int(cf.bit_offset)
    return int(cf.size) & 0xFFFF  # before: CField.size packs (width << 16) | offset


def _ctypes_fields(cls: Any, base: int = 0, prefix: str = "") -> Iterator[Measured]:
    for entry in getattr(cls, "_fields_", ()):
        name, ftype = entry[0], entry[1]
        cf = getattr(cls, name)
        path = prefix + name
        if len(entry) > 2:  # a bitfield: entry[2] is its width
            start = 8 * (base + cf.offset) + _bit_offset(cf)
            yield Measured(path, base + cf.offset, None, (start, int(entry[2])))
            continue
        yield Measured(path, base + cf.offset, cf.size)
        if isinstance(ftype, type) and issubclass(ftype, ctypes.Structure):
            yield from _ctypes_fields(ftype, base + cf.offset, path + ".")


def check_ctypes(spec: str) -> tuple[list[str], int]:
    """Check a hand-written ctypes Structure against the compiler's layout."""
    cls, struct, who = _load_class(spec)
    lay = layout(struct)
    lines, bad, unchecked = _check_against(f"ctypes {who}", lay, list(_ctypes_fields(cls)),
                                           ctypes.sizeof(cls), cls.__name__)
    return lines, bad + unchecked


_USER = "_user_"
_BSD_TYPES = """
typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef uint8_t u_int8_t;
typedef uint16_t u_int16_t;
typedef uint32_t u_int32_t;
typedef uint64_t u_int64_t;
"""


def _typedef_names(text: str) -> set[str]:
    """Names the text typedefs: the last identifier of each ``typedef ...;``.

    One pass over the statements (split at ';'), with no regex that could
    scan on from every ``typedef`` (the quadratic search a header of
    ``typedef`` lines missing their ';' used to trigger).
    """
    found = set()
    for statement in text.split(";")[:-1]:  # the last piece has no ';' after it
        if "typedef" not in statement or not _TYPEDEF.search(statement):
            continue
        tail = statement.rstrip()
        start = len(tail)
        while start and (tail[start - 1].isalnum() or tail[start - 1] == "_"):
            start -= 1
        if start < len(tail):
            found.add(tail[start:])
    return found


_TYPEDEF = re.compile(r"\btypedef\b")


def _prelude(text: str) -> str:
    """Typedefs for the user's declarations: csock's (as the compiler resolved
    them: sa_family_t, in_port_t, socklen_t...) and the BSD u_* names, except
    those the file typedefs itself."""
    candidates = [(n, ffi.typeof(n).cname) for n in ffi.list_types()[0]
                  if ffi.typeof(n).kind == "primitive"]
    candidates += [(m.group(2), m.group(1)) for m in
                   re.finditer(r"typedef (.+) (\w+);", _BSD_TYPES)]
    own = _typedef_names(text)
    return "\n".join(f"typedef {cname} {name};" for name, cname in candidates
                      if name not in own)


def _user_fields(uffi: cffi.FFI, ctype: Any, base: int = 0,
                 prefix: str = "") -> Iterator[Measured]:
    for name, cf in ctype.fields or []:
        t = cf.type
        path = prefix + name
        if cf.bitsize != -1:
            start = 8 * (base + cf.offset) + cf.bitshift
            yield Measured(path, base + cf.offset, None, (start, cf.bitsize))
            continue
        if t.kind == "array" and t.length is None:
            yield Measured(path, base + cf.offset, None)
            continue
        yield Measured(path, base + cf.offset, uffi.sizeof(t))
        if t.kind in ("struct", "union"):
            yield from _user_fields(uffi, t, base + cf.offset, path + ".")


def _first_bodies(text: str) -> dict[str, int]:
    """Where each tag's body (``struct TAG {``) first appears, in one pass."""
    first: dict[str, int] = {}
    for m in _BODY.finditer(text):
        first.setdefault(m.group(1), m.start())
    return first


# Possessive (++, *+): no backtracking, so a long run of letters costs one pass.
_BODY = re.compile(r"\b(?:struct|union)\s++(\w++)\s*+\{")

# A header larger than this is not a header of socket structs.
MAX_CDEF_BYTES = 16 * 1024 * 1024


def _read_header(path: str) -> str:
    """The text of the regular file path; a UsageError for anything else.

    O_NONBLOCK: opening a FIFO must not wait for a writer (it is then refused).
    Not UTF-8? Latin-1, which maps every byte: cffi reads only ASCII anyway.
    """
    where = _shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise UsageError(_("cannot read {path}: {error}").format(
            path=where, error=e.strerror)) from e
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(_("cannot read {path}: not a regular file").format(path=where))
        if info.st_size > MAX_CDEF_BYTES:
            raise UsageError(_("cannot read {path}: over {limit} bytes").format(
                path=where, limit=MAX_CDEF_BYTES))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_CDEF_BYTES + 1)
    except OSError as e:
        raise UsageError(_("cannot read {path}: {error}").format(
            path=where, error=e.strerror)) from e
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_COMMENT_START = re.compile(r"/[*/]")


def _without_comments(text: str) -> str:
    """text with each comment replaced by a space and the newlines it spanned.

    One pass with str.find: cffi's own comment regex rescans to the end of the
    text from every unterminated ``/*`` (quadratic on a hostile header).
    """
    out: list[str] = []
    i = 0
    while (m := _COMMENT_START.search(text, i)) is not None:
        j = m.start()
        out.append(text[i:j])
        if text[j + 1] == "*":
            end = text.find("*/", j + 2)
            if end == -1:
                line = text.count("\n", 0, j) + 1
                raise UsageError(_("unterminated /* comment on line {line}").format(line=line))
            end += 2
        else:  # // to the end of the line, and of each line a backslash continues
            end = text.find("\n", j)
            while end != -1 and text[end - 1] == "\\":
                end = text.find("\n", end + 1)
            if end == -1:
                end = len(text)
        out.append(" " + "\n" * text.count("\n", j, end))
        i = end
    out.append(text[i:])
    return "".join(out)


# cffi's "int ..." regex backtracks over every run of these words: quadratic
# on a long run, which no declaration has ("unsigned long long int" is 4).
_TYPE_RUN = 8
_TYPE_WORD_RUN = re.compile(
    rf"(?:\b(?:int|long|short|signed|unsigned|char)\b\s*+){{{_TYPE_RUN}}}")


def _cdef_source(text: str) -> str:
    """The user's header as cffi should see it, prepared in linear time.

    Comments go (above), and so do preprocessor lines: cffi's cdef knows no
    preprocessor beyond #define, and #include & co. mean nothing to it. Runs
    of blank lines become one ``#line N``: cffi's #define regex scans on
    through blank lines from the start of each one (quadratic), and #line
    keeps its messages' line numbers the file's.
    """
    code = _without_comments(text)
    if (run := _TYPE_WORD_RUN.search(code)) is not None:
        where = code.count("\n", 0, run.start()) + 1
        raise UsageError(_("line {line}: {n} integer type words in a row: "
                           "not a C declaration").format(line=where, n=_TYPE_RUN))
    lines = code.split("\n")
    out: list[str] = []
    blank = 0
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            blank += 1
            continue
        if blank:
            out.append(f"#line {number}")
            blank = 0
        out.append(line)
    return "\n".join(out)


def _shown(path: str) -> str:
    """A file name as text any stream can print: undecodable bytes as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _one_line(text: str, limit: int = 300) -> str:
    """A message on one line, cut at limit characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def check_cdef(path: str) -> tuple[list[str], int]:
    """Lay out a file of C struct declarations with cffi's rules, check each
    struct against the system's struct of the same tag."""
    text = _read_header(path)
    where = _shown(path)
    body = _cdef_source(text)
    if not set(_first_bodies(body)) & set(names()):
        return check_own(text, where)
    renamed = re.sub(r"\b(struct|union)\s+([A-Za-z_]\w*)", rf"\1 {_USER}\2", body)
    uffi = cffi.FFI()
    try:
        uffi.cdef(_prelude(body))
        uffi.cdef(renamed)
        tags = [t for t in uffi.list_types()[1] if t.startswith(_USER)]
        first = _first_bodies(renamed)
        tags.sort(key=lambda t: first.get(t, len(renamed)))
        for tag in tags:
            uffi.sizeof(f"struct {tag}")
    except Exception as e:  # cffi raises CDefError, FFIError, TypeError...
        raise UsageError(_("{file}: cffi cannot lay these declarations out: {error}").format(
            file=where, error=_one_line(str(e)))) from e
    known = set(names())
    out: list[str] = []
    bad = unchecked = checked = 0
    for tag in tags:
        real = tag[len(_USER):]
        if real not in known:
            out.append(_("struct {name}: not a struct csock knows; not checked.").format(name=real))
            out.append("")
            continue
        ut = uffi.typeof(f"struct {tag}")
        lines, n, u = _check_against(
            _("Your struct {name} ({file})").format(name=real, file=where), layout(real),
            list(_user_fields(uffi, ut)), uffi.sizeof(f"struct {tag}"),
            _("your struct {name}").format(name=real),
        )
        out += lines + [""]
        bad += n
        unchecked += u
        checked += 1
    if not checked:
        raise UsageError(_("{file} declares no struct csock knows ({known})").format(
            file=where, known=", ".join(sorted(known))))
    if bad and unchecked:
        out.append(ngettext("{n} disagreement", "{n} disagreements", bad).format(n=bad) + " "
                   + ngettext("and {n} member not compared in {file}.",
                              "and {n} members not compared in {file}.", unchecked).format(
                                  n=unchecked, file=where))
    elif bad:
        out.append(ngettext("{n} disagreement in {file}.", "{n} disagreements in {file}.",
                            bad).format(n=bad, file=where))
    elif unchecked:
        out.append(ngettext("{file}: no disagreement, but {n} member not compared: "
                            "not shown to match.",
                            "{file}: no disagreement, but {n} members not compared: "
                            "not shown to match.", unchecked).format(file=where, n=unchecked))
    else:
        out.append(_("{file}: every field agrees with the compiler.").format(file=where))
    return out, bad + unchecked


def _bitfields(t: Any, prefix: str = "") -> Iterator[str]:
    for name, cf in t.fields or []:
        if cf.bitsize != -1:
            yield prefix + name
        elif cf.type.kind in ("struct", "union"):
            yield from _bitfields(cf.type, f"{prefix}{name}.")


def check_own(text: str, where: str) -> tuple[list[str], int]:
    """A file of the program's own types: declared as c.cdef() declares them
    (compiled by the C compiler), shown in pahole's notation, and every size,
    alignment and offset compared with a C program that includes the file."""
    from csock import _usercdef

    # Only what this text declares (this process may have declared more before).
    base_typedefs, base_structs, base_unions = (set(x) for x in _usercdef.ffi.list_types())
    try:
        _usercdef.cdef(text)
    except _usercdef.CdefError as e:
        raise UsageError(_("{file}: c.cdef() cannot declare this: {error}").format(
            file=where, error=e)) from e
    uffi = _usercdef.ffi
    typedefs, structs, unions = uffi.list_types()
    cnames = [f"struct {n}" for n in structs if n not in base_structs]
    cnames += [f"union {n}" for n in unions if n not in base_unions]
    cnames += [n for n in typedefs if n not in base_typedefs
               and uffi.typeof(n).kind in ("struct", "union")
               and uffi.typeof(n).cname == n]  # an anonymous body: not a second name
    if not cnames:
        raise UsageError(_("{file} declares no struct or union").format(file=where))
    cnames.sort(key=lambda n: (text.find(n.split(" ")[-1]), n))
    layouts = [layout_of_type(uffi.typeof(n), n) for n in cnames]
    skip = frozenset(f"{n}.{p}" for n in cnames for p in _bitfields(uffi.typeof(n)))
    out = [_("Your types in {file}, as c.cdef() lays them out (the C compiler's layout):").format(
        file=where)]
    for lay in layouts:
        shown = render_pahole(lay)
        if uffi.typeof(lay.cname).kind == "union":  # pahole's typedef line says struct
            shown = shown.replace("typedef struct {", "typedef union {", 1)
        out += ["", shown]
    try:
        result = _layout_probe.check(layouts, declarations=text, skip=skip)
    except _layout_probe.ProbeError as e:
        raise UsageError(str(e)) from e
    out.append("")
    out += [_("MISMATCH {what}").format(what=m) for m in result.mismatches]
    nbad = len(result.mismatches)
    verdict = _("all agree") if result.ok else _("{n} disagree").format(n=nbad)
    out.append(ngettext("Compiler probe: {checked} sizes, alignments and offsets of {n} type "
                        "checked: {verdict}",
                        "Compiler probe: {checked} sizes, alignments and offsets of {n} types "
                        "checked: {verdict}", len(layouts)).format(
                            checked=result.checked, n=len(layouts), verdict=verdict)
               + (_(" (bitfields not measured: {names}).").format(names=", ".join(sorted(skip)))
                  if skip else "."))
    out.append(_("{file}: every size and offset agrees with the compiler.").format(file=where)
               if result.ok else ngettext("{file}: {n} disagreement.",
                                          "{file}: {n} disagreements.", nbad).format(
                                              file=where, n=nbad))
    return out, len(result.mismatches)


# --------------------------------------------------------------------------
# The command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the sizes subcommand."""
    # --lang (the interface's language) is csock's global option: see main.add_lang.
    parser.add_argument("--struct", metavar="NAME",
                        help=_("show one struct (bare name: sockaddr_in, fd_set)"))
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help=_("two structs side by side: what a cast between them touches"))
    parser.add_argument("--json", action="store_true",
                        help=_("JSON only on stdout: a list of structs with their fields"))
    parser.add_argument("--check", action="store_true",
                        help=_("compile a C probe (cc) and compare every size, alignment and "
                               "offset; exit 1 on any mismatch"))
    parser.add_argument("--check-ctypes", metavar="MODULE:CLASS[=STRUCT]",
                        help=_("check a hand-written ctypes.Structure (MODULE may be a .py "
                               "path)"))
    parser.add_argument("--check-cdef", metavar="FILE",
                        help=_("check C struct declarations: copies of the system's (real "
                               "tags, e.g. struct sockaddr_in), or your own types as c.cdef() "
                               "declares them"))


def _run(args: argparse.Namespace) -> int:
    if args.check_cdef is not None:
        lines, bad = check_cdef(args.check_cdef)
        print("\n".join(lines))
        return 1 if bad else 0
    if args.check_ctypes is not None:
        lines, bad = check_ctypes(args.check_ctypes)
        print("\n".join(lines))
        return 1 if bad else 0
    if args.check:
        layouts = [layout(args.struct)] if args.struct else all_layouts()
        try:
            result = _layout_probe.check(layouts)
        except _layout_probe.ProbeError as e:
            raise UsageError(str(e)) from e
        for m in result.mismatches:
            print(_("MISMATCH {what}").format(what=m))
        bad = len(result.mismatches)
        verdict = _("all agree") if result.ok else ngettext(
            "{n} disagrees", "{n} disagree", bad).format(n=bad)
        print(ngettext("Compiler probe: {checked} sizes, alignments and offsets of {n} struct "
                       "checked: {verdict}.",
                       "Compiler probe: {checked} sizes, alignments and offsets of {n} structs "
                       "checked: {verdict}.", len(layouts)).format(
                           checked=result.checked, n=len(layouts), verdict=verdict))
        return 0 if result.ok else 1
    if args.compare:
        print(render_compare(compare(args.compare[0], args.compare[1])))
        return 0
    layouts = [layout(args.struct)] if args.struct else all_layouts()
    if args.json:
        print(json.dumps([lay.to_dict() for lay in layouts], indent=2))
        return 0
    print(estructurastam_line("es"))  # estructurastam.c's own output, in every language
    for lay in layouts:
        print()
        print(render_pahole(lay))
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except (UnknownStructError, UsageError) as e:
        print(_("csock sizes: error: {message}").format(message=_one_line(str(e), 2000)),
              file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone entry point (``python -m csock.cli.sizes``)."""
    parser = argparse.ArgumentParser(prog="python -m csock sizes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from csock.cli import i18n
    from csock.cli.main import add_lang

    args = sys.argv[1:] if argv is None else list(argv)
    i18n.use(i18n.lang_from_argv(args))
    add_arguments(parser)
    add_lang(parser, None)
    return run(parser.parse_args(args))


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "STRUCTS",
    "add_arguments",
    "check_cdef",
    "check_ctypes",
    "check_own",
    "estructurastam_line",
    "main",
    "render_compare",
    "render_pahole",
    "run",
    "struct_name_for_class",
]
