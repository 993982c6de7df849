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
from typing import Any

from csock import layout as _layout
from csock._csock import ffi, lib

DESCRIPTION = """\
Fill in a socket address as C does and print its bytes: hex, each member's
decimal byte offsets (first-last), its bytes and what they mean, holes and
bytes the binding does not declare, this host's byte order (and what htons
changed), then the struct as strace prints it.

ADDRESS by STRUCT:
  sockaddr_in    A.B.C.D:PORT          (numeric IPv4, or localhost)
  sockaddr_in6   [IPV6]:PORT           (numeric IPv6, or [localhost])
  sockaddr_un    /path  or  @name      (@: the Linux abstract namespace)
  other structs  no ADDRESS: shown zeroed (addrinfo, linger, msghdr, ...)"""

EXAMPLES = """\
examples:
  python -m csock explain sockaddr_in 127.0.0.1:10000
  python -m csock explain sockaddr_in6 [::1]:10000
  python -m csock explain sockaddr_un /tmp/x.sock
  python -m csock explain sockaddr_un @name
  python -m csock explain linger"""


class ExplainError(ValueError):
    """A STRUCT or ADDRESS that cannot be explained (the message says why)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("struct", metavar="STRUCT",
                        help="sockaddr_in, sockaddr_in6, sockaddr_un, or any struct csock "
                             "declares (see: python -m csock sizes)")
    parser.add_argument("address", nargs="?", metavar="ADDRESS",
                        help="127.0.0.1:10000, [::1]:10000, /tmp/x.sock or @name")


# ASCII digits only: str.isdigit() takes "¹", which int() refuses.
_DIGITS = re.compile(r"[0-9]{1,10}")


def _port(text: str, where: str) -> int:
    if not _DIGITS.fullmatch(text) or int(text) > 65535:
        raise ExplainError(f"invalid port {text!r} in {where!r}: must be 0 to 65535")
    return int(text)


def _pton(family: int, host: str, where: str) -> bytes:
    if host == "localhost":
        host = "127.0.0.1" if family == lib.AF_INET else "::1"
    buf = ffi.new("unsigned char[16]")
    if lib.inet_pton(family, os.fsencode(host), buf) != 1:
        kind = "IPv4" if family == lib.AF_INET else "IPv6"
        raise ExplainError(f"{host!r} in {where!r} is not a numeric {kind} address")
    return bytes(buf)[:4 if family == lib.AF_INET else 16]


def build(struct: str, address: str | None) -> tuple[Any, int | None]:
    """The struct filled in from ADDRESS, and the addrlen a call would be given."""
    name = struct.removeprefix("struct ").strip()
    if name == "sockaddr_in":
        if address is None or ":" not in address:
            raise ExplainError("sockaddr_in needs an ADDRESS like 127.0.0.1:10000")
        host, _, port = address.rpartition(":")
        sin = ffi.new("struct sockaddr_in *")
        lib.memset(sin, 0, ffi.sizeof(sin[0]))
        sin.sin_family = lib.AF_INET
        sin.sin_port = lib.htons(_port(port, address))
        ffi.memmove(ffi.addressof(sin[0], "sin_addr"), _pton(lib.AF_INET, host, address), 4)
        return sin, ffi.sizeof(sin[0])
    if name == "sockaddr_in6":
        if address is None or not address.startswith("[") or "]:" not in address:
            raise ExplainError("sockaddr_in6 needs an ADDRESS like [::1]:10000")
        host, _, port = address[1:].rpartition("]:")
        scope = 0
        if "%" in host:
            host, _, scope_text = host.partition("%")
            if not _DIGITS.fullmatch(scope_text) or int(scope_text) > 0xFFFFFFFF:
                raise ExplainError(f"scope {scope_text!r} in {address!r}: give the "
                                   "interface index as a number, 0 to 4294967295")
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
            raise ExplainError("sockaddr_un needs an ADDRESS: /path or @name")
        sun = ffi.new("struct sockaddr_un *")
        lib.memset(sun, 0, ffi.sizeof(sun[0]))
        sun.sun_family = lib.AF_UNIX
        room = len(sun.sun_path)
        base = ffi.offsetof("struct sockaddr_un", "sun_path")
        if address.startswith("@"):
            raw = os.fsencode(address[1:])  # the bytes given, UTF-8 or not
            if len(raw) > room - 1:
                raise ExplainError(f"abstract name of {len(raw)} bytes: at most {room - 1}")
            ffi.memmove(ffi.addressof(sun[0], "sun_path"), b"\0" + raw, 1 + len(raw))
            return sun, base + 1 + len(raw)
        raw = os.fsencode(address)
        if len(raw) > room - 1:
            raise ExplainError(f"path of {len(raw)} bytes: sun_path holds at most "
                               f"{room - 1} and a NUL")
        ffi.memmove(ffi.addressof(sun[0], "sun_path"), raw, len(raw))
        return sun, ffi.sizeof(sun[0])
    try:
        lay = _layout.layout(name)
    except _layout.UnknownStructError as exc:
        raise ExplainError(str(exc)) from None
    if address is not None:
        raise ExplainError(f"{lay.cname} takes no ADDRESS: it is shown zeroed")
    return ffi.new(f"{lay.cname} *"), None


def explain(struct: str, address: str | None) -> str:
    ptr, length = build(struct, address)
    text = _layout.dump(ptr, length)
    if length is not None:
        text += f"\naddrlen for bind()/connect(): {length}"
    return text


def run(args: argparse.Namespace) -> int:
    """Print the explanation; raise ExplainError for bad input."""
    print(explain(args.struct, args.address), flush=True)
    return 0
