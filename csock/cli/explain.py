"""``python -m csock explain``: a socket address built with csock.c, byte by byte.

    python -m csock explain sockaddr_in 127.0.0.1:10000
    python -m csock explain sockaddr_in6 [::1]:10000
    python -m csock explain sockaddr_un /tmp/x.sock
    python -m csock explain sockaddr_un @name        # abstract namespace

The address is filled in as a C program would (memset, htons, inet_pton,
strncpy into sun_path); the output is the struct's bytes in hex, each
member's decimal byte offsets, bytes and meaning (holes and undeclared bytes
marked), the host's byte order, and the struct as strace prints it. Any other
struct csock declares is shown zeroed: ``python -m csock explain addrinfo``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from typing import Any

from csock import _show
from csock import layout as _layout
from csock._csock import ffi, lib
from csock.cli.i18n import N_, _

DESCRIPTION = N_("""\
Fill in a socket address as C does and print its bytes: hex, each member's
decimal byte offsets (first-last), its bytes and what they mean, holes and
bytes the binding does not declare, this host's byte order (and what htons
changed), then the struct as strace prints it.

ADDRESS by STRUCT:
  sockaddr_in    A.B.C.D:PORT          (numeric IPv4, or localhost)
  sockaddr_in6   [IPV6]:PORT           (numeric IPv6, or [localhost])
  sockaddr_un    /path  or  @name      (@: the Linux abstract namespace)
  sockaddr       any ADDRESS above     (the cast: the address seen as sockaddr)
  other structs  no ADDRESS: shown zeroed (addrinfo, linger, msghdr, ...)

--as STRUCT shows the same bytes as two structs side by side, field by field:
what (struct sockaddr *)&servidor does. --no-htons adds what the bytes of the
port (and address) would be without htons()/htonl().""")

EXAMPLES = N_("""\
examples:
  python -m csock explain sockaddr_in 127.0.0.1:10000
  python -m csock explain sockaddr_in6 [::1]:10000
  python -m csock explain sockaddr_un /tmp/x.sock
  python -m csock explain sockaddr_un @name
  python -m csock explain linger
  python -m csock explain sockaddr_in 127.0.0.1:10000 --as sockaddr --no-htons""")


class ExplainError(ValueError):
    """A STRUCT or ADDRESS that cannot be explained (the message says why): a
    usage error, exit status 2, as ``sizes --struct`` gives an unknown struct."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("struct", metavar="STRUCT",
                        help=_("sockaddr_in, sockaddr_in6, sockaddr_un, or any struct csock "
                               "declares (see: python -m csock sizes)"))
    parser.add_argument("address", nargs="?", metavar="ADDRESS",
                        help=_("127.0.0.1:10000, [::1]:10000, /tmp/x.sock or @name"))
    parser.add_argument("--as", dest="view", metavar="STRUCT",
                        help=_("show the same bytes as STRUCT too, side by side (the "
                               "cast (struct sockaddr *)&servidor: --as sockaddr)"))
    parser.add_argument("--no-htons", action="store_true",
                        help=_("with --as: add what the port's and the address's bytes "
                               "would be without htons()/htonl()"))


# ASCII digits only: str.isdigit() takes "¹", which int() refuses.
_DIGITS = re.compile(r"[0-9]{1,10}")


def _port(text: str, where: str) -> int:
    if not _DIGITS.fullmatch(text) or int(text) > 65535:
        raise ExplainError(_("invalid port {text!r} in {where!r}: must be 0 to 65535").format(
            text=text, where=where))
    return int(text)


def _pton(family: int, host: str, where: str) -> bytes:
    if host == "localhost":
        host = "127.0.0.1" if family == lib.AF_INET else "::1"
    buf = ffi.new("unsigned char[16]")
    if lib.inet_pton(family, os.fsencode(host), buf) != 1:
        kind = "IPv4" if family == lib.AF_INET else "IPv6"
        raise ExplainError(_("{host!r} in {where!r} is not a numeric {kind} address").format(
            host=host, where=where, kind=kind))
    return bytes(buf)[:4 if family == lib.AF_INET else 16]


def build(struct: str, address: str | None) -> tuple[Any, int | None]:
    """The struct filled in from ADDRESS, and the addrlen a call would be given."""
    name = struct.removeprefix("struct ").strip()
    if name == "sockaddr_in":
        if address is None or ":" not in address:
            raise ExplainError(_("sockaddr_in needs an ADDRESS like 127.0.0.1:10000"))
        host, _sep, port = address.rpartition(":")
        sin = ffi.new("struct sockaddr_in *")
        lib.memset(sin, 0, ffi.sizeof(sin[0]))
        sin.sin_family = lib.AF_INET
        sin.sin_port = lib.htons(_port(port, address))
        ffi.memmove(ffi.addressof(sin[0], "sin_addr"), _pton(lib.AF_INET, host, address), 4)
        return sin, ffi.sizeof(sin[0])
    if name == "sockaddr_in6":
        if address is None or not address.startswith("[") or "]:" not in address:
            raise ExplainError(_("sockaddr_in6 needs an ADDRESS like [::1]:10000"))
        host, _sep, port = address[1:].rpartition("]:")
        scope = 0
        if "%" in host:
            host, _sep, scope_text = host.partition("%")
            if not _DIGITS.fullmatch(scope_text) or int(scope_text) > 0xFFFFFFFF:
                raise ExplainError(_("scope {scope!r} in {address!r}: give the interface "
                                     "index as a number, 0 to 4294967295").format(
                                         scope=scope_text, address=address))
            scope = int(scope_text)
        sin6 = ffi.new("struct sockaddr_in6 *")
        lib.memset(sin6, 0, ffi.sizeof(sin6[0]))
        sin6.sin6_family = lib.AF_INET6
        sin6.sin6_port = lib.htons(_port(port, address))
        sin6.sin6_scope_id = scope
        ffi.memmove(ffi.addressof(sin6[0], "sin6_addr"), _pton(lib.AF_INET6, host, address),
                    16)
        return sin6, ffi.sizeof(sin6[0])
    if name == "sockaddr_un":
        if not address:
            raise ExplainError(_("sockaddr_un needs an ADDRESS: /path or @name"))
        sun = ffi.new("struct sockaddr_un *")
        lib.memset(sun, 0, ffi.sizeof(sun[0]))
        sun.sun_family = lib.AF_UNIX
        room = len(sun.sun_path)
        base = ffi.offsetof("struct sockaddr_un", "sun_path")
        if address.startswith("@"):
            raw = os.fsencode(address[1:])  # the bytes given, UTF-8 or not
            if len(raw) > room - 1:
                raise ExplainError(_("abstract name of {n} bytes: at most {most}").format(
                    n=len(raw), most=room - 1))
            ffi.memmove(ffi.addressof(sun[0], "sun_path"), b"\0" + raw, 1 + len(raw))
            return sun, base + 1 + len(raw)
        raw = os.fsencode(address)
        if len(raw) > room - 1:
            raise ExplainError(_("path of {n} bytes: sun_path holds at most {most} and a "
                                 "NUL").format(n=len(raw), most=room - 1))
        ffi.memmove(ffi.addressof(sun[0], "sun_path"), raw, len(raw))
        return sun, ffi.sizeof(sun[0])
    try:
        lay = _layout.layout(name)
    except _layout.UnknownStructError as exc:
        raise ExplainError(str(exc)) from None
    if address is not None:
        raise ExplainError(_("{cname} takes no ADDRESS: it is shown zeroed").format(
            cname=lay.cname))
    return ffi.new(f"{lay.cname} *"), None


def explain(struct: str, address: str | None) -> str:
    ptr, length = build(struct, address)
    text = _layout.dump(ptr, length)
    if length is not None:
        text += "\n" + _("addrlen for bind()/connect(): {n}").format(n=length)
    return text


# --------------------------------------------------------------------------
# The cast lesson: one struct's bytes seen as another struct

WIDTH = _layout.WIDTH
_ADDRESS_STRUCT = {"[": "sockaddr_in6", "/": "sockaddr_un", "@": "sockaddr_un"}


def address_struct(address: str) -> str:
    """The struct an ADDRESS fills in: sockaddr_in, sockaddr_in6 or sockaddr_un."""
    return _ADDRESS_STRUCT.get(address[:1], "sockaddr_in")


def _part(lay: _layout.StructLayout, lo: int, hi: int) -> tuple[str, Any, bool]:
    """Bytes lo..hi-1 of a struct: (name, the field's C type or None, whole field?)."""
    span = lay.span_at(lo)
    if span is None:
        return _("(past the end)"), None, False
    if span.kind != "field":
        return span.label, None, True
    ctype = dict(ffi.typeof(lay.cname).fields or [])[span.name].type
    if lo == span.offset and hi == span.end:
        return span.name, ctype, True
    if ctype.kind == "array":
        item = ffi.sizeof(ctype.item)
        first, last = (lo - span.offset) // item, (hi - span.offset - 1) // item
        return f"{span.name}[{first}-{last}]", ctype, False
    return f"{span.name}[{lo - span.offset}-{hi - span.offset - 1}]", ctype, False


def _unswapped(name: str, data: bytes) -> tuple[str, str] | None:
    """A port or IPv4 address without htons()/htonl(): (its bytes, what they read as)."""
    if name in ("sin_port", "sin6_port") and len(data) == 2:
        stored = int.from_bytes(data, "big").to_bytes(2, sys.byteorder)
        return (_show.hexbytes(stored),
                _("port {n}").format(n=int.from_bytes(stored, "big")))
    if name == "sin_addr" and len(data) == 4:
        stored = int.from_bytes(data, "big").to_bytes(4, sys.byteorder)
        return _show.hexbytes(stored), ".".join(str(b) for b in stored)
    return None


def _wrap(text: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def cast_view(struct: str, address: str | None, view: str, no_htons: bool = False) -> str:
    """The bytes of STRUCT (filled in from ADDRESS) seen as VIEW too, field by field."""
    ptr, length = build(struct, address)
    try:
        a = _layout.layout(ffi.typeof(ptr).item.cname)
        b = _layout.layout(view)
    except _layout.UnknownStructError as exc:
        raise ExplainError(str(exc)) from None
    data = bytes(ffi.buffer(ptr, a.size))
    cmp = _layout.compare(a, b)
    head = _("the same {n} bytes as {a} and as {b}").format(n=a.size, a=a.cname, b=b.cname)
    lines = _wrap(head[0].upper() + head[1:] + ":", "")
    lines.append("")
    header = [_("bytes"), _("hex"), a.name, b.name]
    if no_htons:
        header.insert(2, _("no htons"))
    rows = [header]
    notes: list[list[str]] = []
    for seg in cmp.segments:
        lo, hi = seg.offset, seg.end
        chunk = data[lo:hi]
        where = f"{lo}-{hi - 1}" if hi - lo > 1 else str(lo)
        hexed = _show.hexbytes(chunk, 8) if chunk else _("(none)")
        a_name, a_type, a_whole = _part(a, lo, hi)
        b_name, b_type, b_whole = _part(b, lo, hi)
        row = [where, hexed, a_name, b_name]
        raw = _unswapped(a_name, chunk) if no_htons and a_whole else None
        if no_htons:
            row.insert(2, raw[0] if raw else _("same"))
        rows.append(row)
        said = []
        for name, ctype, whole, lay in ((a_name, a_type, a_whole, a),
                                        (b_name, b_type, b_whole, b)):
            if not chunk:
                said.append(_("{name}: past the end of the {size} bytes there are").format(
                    name=name, size=a.size))
            elif ctype is not None and whole:
                said.append(f"{name}: {_show.explain_field(name, ctype, chunk, length)}")
            elif ctype is not None and ctype.kind == "array" and ctype.item.cname == "char":
                said.append(_("{name}: plain bytes of {field}, read as what the family "
                              "says they are").format(name=name, field=name.split("[")[0]))
            elif ctype is not None:
                span = lay.span_at(lo)
                said.append(_("{name}: bytes {lo}-{hi} of {field}").format(
                    name=name, lo=lo - span.offset, hi=hi - 1 - span.offset,
                    field=span.name) if span else name)
            elif lay.span_at(lo) is None:
                said.append(_("{name}: past the end (sizeof {cname} is {size})").format(
                    name=lay.name, cname=lay.cname, size=lay.size))
            else:
                kind = span.kind if (span := lay.span_at(lo)) is not None else "opaque"
                said.append(f"{name}: {_show.span_note(kind, chunk)}")
        if raw:
            said.append(_("without hton{s}(): the bytes would be {hex}, read as {what}").format(
                s="s" if hi - lo == 2 else "l", hex=raw[0], what=raw[1]))
        notes.append([f"{where}:", *said])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    for r in rows:
        lines.append("  ".join(r[i].ljust(widths[i]) for i in range(len(widths)))
                     + "  " + r[-1])
    lines.append("")
    for note in notes:
        lines.append(_("bytes {where}").format(where=note[0]))
        for sentence in note[1:]:
            lines += _wrap(sentence)
    lines.append("")
    for verdict in cmp.verdict():
        lines += _wrap(verdict, "")
    lines += _wrap(_(
        "A cast copies and converts nothing: ({b} *)&x is the address of the same "
        "bytes, read through another struct. bind() and connect() take a struct "
        "sockaddr *, read the family first, and from it know how to read the rest; "
        "the length argument says how many bytes there are.").format(b=b.cname), "")
    if length is not None:
        lines.append(_("addrlen for bind()/connect(): {n}").format(n=length))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the explanation; raise ExplainError for bad input."""
    struct, view = args.struct, args.view
    if struct.removeprefix("struct ").strip() == "sockaddr" and args.address:
        # The tutorial's cast: the address is built as C builds it, then seen as sockaddr.
        struct, view = address_struct(args.address), view or "sockaddr"
    if args.no_htons and view is None:
        raise ExplainError(_("--no-htons goes with --as STRUCT (try --as sockaddr)"))
    if view is not None:
        text = cast_view(struct, args.address, view, args.no_htons)
    else:
        text = explain(struct, args.address)
    print(text, flush=True)
    return 0
