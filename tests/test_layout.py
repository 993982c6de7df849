"""csock.layout and ``python -m csock sizes``: every number checked against the
compiler (a generated C probe), against pahole (DWARF of an object built with
``cc -g``), against ctypes, and against the tutorial's estructurastam.c."""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from csock import _layout_probe
from csock import layout as L
from csock._csock import ffi
from csock.cli import sizes as _sizes_cmd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "sizes"
TUTORIAL_H = EXAMPLES / "tutorial_sockaddr_in.h"
WRONG_CTYPES = EXAMPLES / "wrong_ctypes.py"
ESTRUCTURASTAM_C = ROOT / "examples" / "tutorial" / "estructurastam.c"

REQUIRED = [
    "sockaddr", "sockaddr_in", "in_addr", "sockaddr_in6", "in6_addr", "sockaddr_un",
    "sockaddr_storage", "hostent", "servent", "addrinfo", "linger", "timeval", "pollfd",
    "msghdr", "iovec", "cmsghdr", "fd_set", "mmsghdr", "timespec",
]
ALL = L.names()

CC = shutil.which(os.environ.get("CC", "cc"))
needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler (cc) on PATH")
TIMEOUT = 120


def sizes(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the sizes subcommand in-process: (exit status, stdout, stderr)."""
    rc = _sizes_cmd.main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def sizes_proc(*argv: str, cwd: Path = ROOT / "examples") -> subprocess.CompletedProcess[str]:
    # Not the root: "python -m csock" there would import the source tree, which
    # holds no compiled module when csock is installed from an sdist or wheel.
    return subprocess.run([sys.executable, "-m", "csock", "sizes", *argv], cwd=cwd,
                          capture_output=True, text=True, timeout=TIMEOUT)


needs_main = pytest.mark.skipif(not (ROOT / "csock" / "__main__.py").exists(),
                                reason="csock/__main__.py not written yet")


# --------------------------------------------------------------------------
# The layout API


def test_every_required_struct_is_known() -> None:
    assert set(REQUIRED) <= set(ALL)
    assert [lay.name for lay in L.all_layouts()] == ALL


def test_bare_and_c_spellings() -> None:
    assert L.layout("sockaddr_in") == L.layout("struct sockaddr_in")
    assert L.layout("  struct   sockaddr_in ").cname == "struct sockaddr_in"
    fd_set = L.layout("fd_set")
    assert fd_set.cname == "fd_set" and fd_set.is_typedef
    with pytest.raises(L.UnknownStructError, match="typedef, not a struct tag"):
        L.layout("struct fd_set")
    with pytest.raises(L.UnknownStructError, match="unknown struct 'nope'"):
        L.layout("nope")


@pytest.mark.parametrize("name", ALL)
def test_values_come_from_cffi(name: str) -> None:
    lay = L.layout(name)
    assert lay.size == ffi.sizeof(lay.cname)
    assert lay.align == ffi.alignof(lay.cname)
    declared = ffi.typeof(lay.cname).fields or []
    assert [f.name for f in lay.fields] == [n for n, _ in declared]
    for f, (_, cf) in zip(lay.fields, declared, strict=True):
        assert f.offset == cf.offset == ffi.offsetof(lay.cname, f.name)
        assert f.size == ffi.sizeof(cf.type)
        assert f.type == cf.type.cname


@pytest.mark.parametrize("name", ALL)
def test_spans_tile_the_struct(name: str) -> None:
    lay = L.layout(name)
    pos = 0
    for span in lay.spans:
        assert span.offset == pos and span.size > 0
        pos = span.end
    assert pos == lay.size
    assert [s.name for s in lay.spans if s.kind == "field"] == [f.name for f in lay.fields]


def test_nested_fields_and_arrays() -> None:
    sin = L.layout("sockaddr_in")
    s_addr = sin.field("sin_addr.s_addr")
    assert s_addr.offset == ffi.offsetof("struct sockaddr_in", "sin_addr")
    assert s_addr.size == ffi.sizeof("in_addr_t")
    zero = sin.field("sin_zero")
    assert zero.kind == "array" and zero.length == zero.size
    assert zero.declarator == ("unsigned char", f"sin_zero[{zero.length}]")
    s6 = L.layout("sockaddr_in6").field("sin6_addr.s6_addr")
    assert s6.offset == ffi.offsetof("struct sockaddr_in6", "sin6_addr") and s6.size == 16


def test_opaque_spans_for_undeclared_bytes() -> None:
    ss = L.layout("sockaddr_storage")
    assert [(s.offset, s.size) for s in ss.opaque] == [(2, ss.size - 2)]
    assert not ss.holes and ss.padding == 0
    fd_set = L.layout("fd_set")
    assert fd_set.fields == ()
    assert [(s.offset, s.size, s.kind) for s in fd_set.spans] == [(0, fd_set.size, "opaque")]


@pytest.mark.skipif(platform.machine() != "x86_64", reason="hole positions are for x86_64")
def test_msghdr_holes_on_x86_64() -> None:
    msg = L.layout("msghdr")
    assert [(h.offset, h.size) for h in msg.holes] == [(12, 4)]
    assert msg.padding == 4
    text = _sizes_cmd.render_pahole(msg)
    assert "\t/* XXX 4 bytes hole, try to pack */" in text
    assert "\t/* sum members: 48, holes: 1, sum holes: 4 */" in text
    assert "\t/* padding: 4 */" in text
    assert "\t/* size: 56, cachelines: 1, members: 7 */" in text
    assert not L.layout("sockaddr_in").holes


def test_compare_sockaddr_in6_does_not_fit_in_sockaddr() -> None:
    cmp = L.compare("sockaddr_in6", "sockaddr")
    assert L.layout("sockaddr_in6").size == 28
    assert not cmp.a_fits_in_b and cmp.b_fits_in_a
    text = "\n".join(cmp.verdict())
    assert "sockaddr_in6 (28 bytes) does not fit in sockaddr (16 bytes)" in text
    assert "truncates it to 16 bytes" in text and "sin6_scope_id" in text
    assert [(a.name, b.name) for a, b in cmp.shared] == [("sin6_family", "sa_family")]
    assert "(struct sockaddr_in6 *)&x, x a struct sockaddr: NOT safe" in text
    last = cmp.segments[-1]
    assert last.a is not None and last.a.name == "sin6_scope_id" and last.b is None


def test_compare_sockaddr_and_sockaddr_in_same_size() -> None:
    cmp = L.compare("sockaddr", "struct sockaddr_in")
    assert cmp.a_fits_in_b and cmp.b_fits_in_a
    assert ("sa_family", "sin_family") in [(a.name, b.name) for a, b in cmp.shared]
    overlapped = {b.name for a, b in cmp.overlaps if a.name == "sa_data"}
    assert overlapped == {"sin_port", "sin_addr", "sin_zero"}


@pytest.mark.parametrize("name", ["sockaddr", "sockaddr_in", "sockaddr_in6", "sockaddr_un"])
def test_sockaddr_storage_holds_every_address(name: str) -> None:
    cmp = L.compare(name, "sockaddr_storage")
    assert cmp.a_fits_in_b
    assert f"(struct {name} *)&x, x a struct sockaddr_storage: in bounds" in "\n".join(
        cmp.verdict())


@pytest.mark.skipif(sys.platform != "linux", reason="sun_path is 108 bytes on Linux")
def test_sockaddr_un_is_110_on_linux() -> None:
    assert L.layout("sockaddr_un").size == 110
    assert not L.compare("sockaddr_un", "sockaddr").a_fits_in_b


# --------------------------------------------------------------------------
# The compiler probe


@pytest.fixture(scope="module")
def compiler_values() -> dict[_layout_probe.Key, int]:
    if CC is None:
        pytest.skip("no C compiler (cc) on PATH")
    return _layout_probe.run(L.all_layouts(), timeout=TIMEOUT)


@needs_cc
@pytest.mark.parametrize("name", ALL)
def test_struct_agrees_with_compiler_probe(
    name: str, compiler_values: dict[_layout_probe.Key, int]
) -> None:
    lay = L.layout(name)
    mine = _layout_probe.expected([lay])
    assert len(mine) == 2 + 3 * len(list(lay.walk()))
    wrong = [f"{k}: csock {v}, compiler {compiler_values.get(k)}"
             for k, v in mine.items() if compiler_values.get(k) != v]
    assert not wrong


@needs_cc
def test_probe_source_generated_from_field_list() -> None:
    src = _layout_probe.source([L.layout("sockaddr_in")])
    assert src.startswith("#define _GNU_SOURCE 1\n")
    for header in ("<sys/socket.h>", "<netinet/in.h>", "<sys/un.h>", "<netdb.h>"):
        assert f"#include {header}" in src
    assert "offsetof(struct sockaddr_in, sin_addr.s_addr)" in src
    assert "_Alignof(struct sockaddr_in)" in src


@needs_cc
def test_probe_mismatch_message_names_struct_field_and_both_values() -> None:
    sin = L.layout("sockaddr_in")
    port = sin.field("sin_port")
    bad = dataclasses.replace(
        sin, size=sin.size + 1,
        fields=tuple(dataclasses.replace(f, offset=f.offset + 2) if f is port else f
                     for f in sin.fields),
    )
    result = _layout_probe.check([bad])
    assert not result.ok
    messages = sorted(str(m) for m in result.mismatches)
    assert messages == sorted([
        f"struct sockaddr_in: size: csock says {sin.size + 1}, "
        f"the compiler says {sin.size}",
        f"struct sockaddr_in, field sin_port: offset: csock says {port.offset + 2}, "
        f"the compiler says {port.offset}",
    ])


@needs_cc
def test_sizes_check_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = sizes(capsys, "--check")
    assert rc == 0
    assert out.strip().endswith("all agree.")
    assert f"of {len(ALL)} structs checked" in out


# --------------------------------------------------------------------------
# pahole


@dataclass
class PaholeStruct:
    name: str
    size: int = -1
    padding: int = 0
    members: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    holes: list[tuple[int, int]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


_MEMBER = re.compile(r"^(\t+)(.*?)\s*(\w+)((?:\[\d*\])*);\s*/\*\s*(\d+)(?::\d+)?\s+(\d+)\s*\*/$")
_CLOSE_INLINE = re.compile(r"^(\t+)\} (\w+)((?:\[\d*\])*);\s*/\*\s*(\d+)\s+(\d+)\s*\*/$")
_OPEN_INLINE = re.compile(r"^(\t+)(?:struct|union)(?: \w+)? \{$")
_HOLE = re.compile(r"^\t/\* XXX (\d+) bytes? hole, try to pack \*/$")


def parse_pahole(text: str) -> dict[str, PaholeStruct]:
    """pahole's default output: members (nested paths dotted), holes, totals."""
    structs: dict[str, PaholeStruct] = {}
    cur: PaholeStruct | None = None
    stack: list[str] = []  # names of inline structs/unions being read (unknown yet)
    pending: list[list[tuple[str, int, int, str]]] = []
    last_end = 0
    for line in text.splitlines():
        if cur is None:
            m = re.match(r"^(?:struct|union) (\w+) \{$", line)
            if m:
                cur = PaholeStruct(m.group(1))
            elif line == "typedef struct {":
                cur = PaholeStruct("")
            continue
        cur.lines.append(line)
        line = line.replace("} __attribute__((__packed__))", "}")  # struct epoll_event
        if line in ("};",) or re.match(r"^\} \w+;$", line):
            if not cur.name:
                cur.name = line[2:-1]
            cur.lines.pop()
            structs[cur.name] = cur
            cur = None
            continue
        if _OPEN_INLINE.match(line):
            stack.append("")
            pending.append([])
            continue
        m = _CLOSE_INLINE.match(line)
        if m:
            name, off, size = m.group(2), int(m.group(4)), int(m.group(5))
            inner = pending.pop()
            stack.pop()
            target = pending[-1] if pending else None
            entries = [(name, off, size, "inline")] + [
                (f"{name}.{p}", o, s, t) for p, o, s, t in inner]
            if target is not None:
                target.extend(entries)
            else:
                for p, o, s, t in entries:
                    cur.members[p] = (o, s, t)
                last_end = off + size
            continue
        m = _MEMBER.match(line)
        if m:
            name, off, size, typ = m.group(3), int(m.group(5)), int(m.group(6)), m.group(2)
            if pending:
                pending[-1].append((name, off, size, typ))
            else:
                cur.members[name] = (off, size, typ)
                last_end = off + size
            continue
        m = _HOLE.match(line)
        if m and not pending:
            cur.holes.append((last_end, int(m.group(1))))
            continue
        m = re.match(r"^\t/\* size: (\d+),", line)
        if m:
            cur.size = int(m.group(1))
        m = re.match(r"^\t/\* padding: (\d+) \*/$", line)
        if m:
            cur.padding = int(m.group(1))
    return structs


# glibc's own names for members csock declares under their POSIX names.
PAHOLE_ALIASES = {("in6_addr", "s6_addr"): "__in6_u.__u6_addr8"}
# Member types pahole spells by their typedef.
PAHOLE_TYPEDEFS = {"epoll_data_t": "epoll_data"}


def pahole_member(structs: dict[str, PaholeStruct], struct: str,
                  path: str) -> tuple[int, int] | None:
    """(offset, size) of a csock field path in pahole's view of ``struct``."""
    ps = structs[struct]
    real = PAHOLE_ALIASES.get((struct, path), path)
    if real in ps.members:
        return ps.members[real][:2]
    head, _, rest = path.partition(".")
    if rest and head in ps.members:
        off, _, typ = ps.members[head]
        m = re.fullmatch(r"(?:struct|union) (\w+)", typ.strip())
        tag = m.group(1) if m else PAHOLE_TYPEDEFS.get(typ.strip())
        if tag in structs:
            inner = pahole_member(structs, tag, rest)
            if inner is not None:
                return inner[0] + off, inner[1]
    return None


@pytest.fixture(scope="module")
def pahole(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PaholeStruct]:
    if shutil.which("pahole") is None:
        pytest.skip("pahole is not installed (apt-get install dwarves)")
    if CC is None:
        pytest.skip("no C compiler (cc) on PATH")
    tmp = tmp_path_factory.mktemp("pahole")
    src = tmp / "every_struct.c"
    lines = [_layout_probe.source([]).split("int main")[0]]
    lines += [f"{lay.cname} csock_var_{i};" for i, lay in enumerate(L.all_layouts())]
    src.write_text("\n".join(lines) + "\n")
    obj = tmp / "every_struct.o"
    subprocess.run([CC, "-g", "-c", str(src), "-o", str(obj)], check=True, timeout=TIMEOUT)
    out = subprocess.run(["pahole", "--anon_include", str(obj)], capture_output=True, text=True,
                         check=True, timeout=TIMEOUT)
    return parse_pahole(out.stdout)


@pytest.mark.parametrize("name", ALL)
def test_struct_agrees_with_pahole(name: str, pahole: dict[str, PaholeStruct]) -> None:
    lay = L.layout(name)
    assert name in pahole, f"pahole shows no {lay.cname}"
    ps = pahole[name]
    assert ps.size == lay.size, "total size"
    for f in lay.walk():
        got = pahole_member(pahole, name, f.path)
        assert got is not None, f"pahole knows no member {f.path} of {lay.cname}"
        assert got == (f.offset, f.size), f"{lay.cname}.{f.path}: csock {(f.offset, f.size)}"
    mine = [(h.offset, h.size) for h in lay.holes]
    assert set(mine) <= set(ps.holes), f"holes: csock {mine}, pahole {ps.holes}"
    for hole in set(ps.holes) - set(mine):  # pahole sees undeclared members; csock cannot
        assert any(s.offset <= hole[0] and hole[0] + hole[1] <= s.end for s in lay.opaque)
    if not lay.opaque:
        assert ps.padding == lay.padding, "tail padding"


def _normalize(line: str) -> str:
    m = _MEMBER.match(line)
    return f"MEMBER {m.group(3)}{m.group(4)} {m.group(5)} {m.group(6)}" if m else line


def test_notation_matches_pahole_line_for_line(pahole: dict[str, PaholeStruct]) -> None:
    """Where csock declares every member pahole shows, the output is pahole's
    except for type spellings (cffi says uint16_t where glibc says sa_family_t).
    Structs with members csock does not declare (in6_addr's union, cmsghdr's
    flexible array, sockaddr_storage, fd_set) are compared by
    test_struct_agrees_with_pahole instead."""
    compared = []
    for lay in L.all_layouts():
        ps = pahole[lay.name]
        if set(ps.members) != {f.name for f in lay.fields}:
            continue
        mine = _sizes_cmd.render_pahole(lay).splitlines()[1:-1]
        assert [_normalize(x) for x in mine] == [_normalize(x) for x in ps.lines], lay.cname
        compared.append(lay.name)
    assert {"sockaddr", "sockaddr_in", "sockaddr_in6", "msghdr", "addrinfo", "servent",
            "hostent", "sockaddr_un", "mmsghdr", "timespec"} <= set(compared)


def test_member_column_layout_is_paholes() -> None:
    assert (_sizes_cmd._member_line("char", "sa_data[14]", 2, 14)
            == "\tchar                       sa_data[14];          /*     2    14 */")
    long = _sizes_cmd._member_line("struct with_a_very_long_tag_name_abc *", "p", 72, 8)
    assert long == "\tstruct with_a_very_long_tag_name_abc * p;        /*    72     8 */"


# --------------------------------------------------------------------------
# ctypes


@pytest.mark.parametrize("name", ALL)
def test_as_ctypes_matches_compiler_layout(name: str) -> None:
    lay = L.layout(name)
    cls = L.as_ctypes(name)
    assert ctypes.sizeof(cls) == lay.size
    assert ctypes.alignment(cls) == lay.align
    for f in lay.fields:
        cf = getattr(cls, f.name)
        assert (cf.offset, cf.size) == (f.offset, f.size), f.name
    assert L.as_ctypes(f"struct {name}" if not lay.is_typedef else name) is not None


def test_as_ctypes_reads_what_cffi_wrote() -> None:
    sin = ffi.new("struct sockaddr_in *")
    sin.sin_family = 2
    sin.sin_port = 0x1234
    sin.sin_addr.s_addr = 0x7F000001
    cls = L.as_ctypes("sockaddr_in")
    view = cls.from_buffer_copy(bytes(ffi.buffer(sin)))
    assert view.sin_family == 2
    assert view.sin_port == 0x1234
    assert view.sin_addr.s_addr == 0x7F000001


@pytest.mark.parametrize(("cls", "struct"), [
    ("SockaddrIn", "sockaddr_in"), ("SockaddrIn6", "sockaddr_in6"), ("InAddr", "in_addr"),
    ("In6Addr", "in6_addr"), ("AddrInfo", "addrinfo"), ("FdSet", "fd_set"),
    ("Msghdr", "msghdr"), ("sockaddr_un", "sockaddr_un"), ("SockaddrStorage", "sockaddr_storage"),
])
def test_struct_name_inferred_from_class_name(cls: str, struct: str) -> None:
    assert _sizes_cmd.struct_name_for_class(cls) == struct


def test_check_ctypes_catches_four_byte_port(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = sizes(capsys, "--check-ctypes", f"{WRONG_CTYPES}:SockaddrIn")
    assert rc == 1, err
    port = next(line for line in out.splitlines() if line.strip().startswith("sin_port"))
    assert "offset 4, size 4" in port and "WRONG" in port
    assert f"compiler says offset 2, size {ffi.sizeof('in_port_t')}" in port
    assert re.search(r"total size\s+20\s+WRONG: the compiler says 16", out)


CORRECT_CTYPES = """
import ctypes

class InAddr(ctypes.Structure):
    _fields_ = [("s_addr", ctypes.c_uint32)]

class SockaddrIn(ctypes.Structure):
    _fields_ = [
        ("sin_family", ctypes.c_ushort),
        ("sin_port", ctypes.c_uint16),
        ("sin_addr", InAddr),
        ("sin_zero", ctypes.c_ubyte * 8),
    ]

class Address(ctypes.Structure):  # no struct has this name: give it with =
    _fields_ = SockaddrIn._fields_
"""


def test_check_ctypes_correct_structure_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_structs.py").write_text(CORRECT_CTYPES)
    monkeypatch.syspath_prepend(str(tmp_path))
    rc, out, err = sizes(capsys, "--check-ctypes", "my_structs:SockaddrIn")
    assert rc == 0, out + err
    assert "SockaddrIn matches struct sockaddr_in." in out
    assert "WRONG" not in out
    rc, out, err = sizes(capsys, "--check-ctypes", "my_structs:Address")
    assert rc == 2 and "cannot tell which struct" in err
    rc, out, err = sizes(capsys, "--check-ctypes", "my_structs:Address=sockaddr_in")
    assert rc == 0, out + err
    rc, out, err = sizes(capsys, "--check-ctypes", f"{tmp_path / 'my_structs.py'}:InAddr")
    assert rc == 0 and "InAddr matches struct in_addr." in out


def test_check_ctypes_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert sizes(capsys, "--check-ctypes", "no_such_module_xyz:Foo")[0] == 2
    assert sizes(capsys, "--check-ctypes", "nocolon")[0] == 2
    rc, _, err = sizes(capsys, "--check-ctypes", f"{WRONG_CTYPES}:SockaddrIn=nope")
    assert rc == 2 and "unknown struct 'nope'" in err


# --------------------------------------------------------------------------
# --check-cdef: the tutorial's unsigned long s_addr


@pytest.mark.skipif(ctypes.sizeof(ctypes.c_ulong) == 4,
                    reason="unsigned long is 4 bytes here: the tutorial's struct is right")
def test_check_cdef_catches_unsigned_long_s_addr(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = sizes(capsys, "--check-cdef", str(TUTORIAL_H))
    assert rc == 1, err
    lines = out.splitlines()
    s_addr = next(line for line in lines if line.strip().startswith("s_addr"))
    assert "size 8" in s_addr and "WRONG size" in s_addr and "size 4" in s_addr
    sin_zero = next(line for line in lines if line.strip().startswith("sin_zero"))
    assert "offset 16" in sin_zero and "WRONG offset" in sin_zero
    assert re.search(r"total size\s+24\s+WRONG: the compiler says 16", out)
    assert "your struct sockaddr matches struct sockaddr." in out


CORRECT_CDEF = """
#include <stdint.h>
/* as <netinet/in.h> has it */
struct in_addr {
    in_addr_t s_addr;
};

struct sockaddr_in {
    sa_family_t sin_family;
    in_port_t sin_port;
    struct in_addr sin_addr;
    unsigned char sin_zero[8];
};

struct sockaddr_in6 {
    unsigned short sin6_family;
    uint16_t sin6_port;
    uint32_t sin6_flowinfo;
    struct in6_addr { uint8_t s6_addr[16]; } sin6_addr;
    uint32_t sin6_scope_id;
};

struct my_own_thing { int x; };
"""


def test_check_cdef_correct_declaration_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "right.h"
    path.write_text(CORRECT_CDEF)
    rc, out, err = sizes(capsys, "--check-cdef", str(path))
    assert rc == 0, out + err
    assert "WRONG" not in out
    assert "every field agrees with the compiler" in out
    assert "struct my_own_thing: not a struct csock knows; not checked." in out
    # in6_addr's s6_addr is really a union member in glibc: it is 16 bytes at 0 too.
    assert "your struct in6_addr matches struct in6_addr." in out


def test_check_cdef_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _, err = sizes(capsys, "--check-cdef", str(tmp_path / "missing.h"))
    assert rc == 2 and "cannot read" in err
    other = tmp_path / "other.h"
    other.write_text("struct point { int x, y; };\n")
    rc, out, err = sizes(capsys, "--check-cdef", str(other))  # your own: c.cdef's check
    assert rc == 0 and "every size and offset agrees with the compiler" in out, err
    broken = tmp_path / "broken.h"
    broken.write_text("struct sockaddr { mystery_t x; };\n")
    rc, _, err = sizes(capsys, "--check-cdef", str(broken))
    assert rc == 2 and "cffi cannot lay these declarations out" in err


# --------------------------------------------------------------------------
# The command: first line, listing, --struct, --compare, --json, errors


@pytest.fixture(scope="module")
def estructurastam_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the tutorial's C program prints (our own tiny copy if it is missing)."""
    gcc = shutil.which("gcc") or CC
    if gcc is None:
        pytest.skip("no C compiler (gcc/cc) on PATH")
    tmp = tmp_path_factory.mktemp("estructurastam")
    src = ESTRUCTURASTAM_C
    if not src.exists():
        src = tmp / "estructurastam.c"
        src.write_text(textwrap.dedent("""\
            #include <stdio.h>
            #include <sys/socket.h>
            #include <netinet/in.h>
            int main(void)
            {
                printf("Sockaddr: %zu bytes y Sockaddr_in: %zu bytes\\n",
                       sizeof(struct sockaddr), sizeof(struct sockaddr_in));
                return 0;
            }
            """))
    exe = tmp / "estructurastam"
    subprocess.run([gcc, "-o", str(exe), str(src)], check=True, timeout=TIMEOUT)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True, timeout=TIMEOUT)
    return out.stdout


def test_first_line_is_estructurastams(
    capsys: pytest.CaptureFixture[str], estructurastam_output: str
) -> None:
    rc, out, _ = sizes(capsys)
    assert rc == 0
    assert out.splitlines()[0] + "\n" == estructurastam_output
    # --lang is the interface's language: the C program's line stays its own.
    for lang in ("en", "es"):
        rc, out, _ = sizes(capsys, "--lang", lang)
        assert rc == 0
        assert out.splitlines()[0] + "\n" == estructurastam_output
    sa, sin = ffi.sizeof("struct sockaddr"), ffi.sizeof("struct sockaddr_in")
    assert out.splitlines()[0] == f"Sockaddr: {sa} bytes y Sockaddr_in: {sin} bytes"


def test_listing_shows_every_struct(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = sizes(capsys)
    assert rc == 0
    for lay in L.all_layouts():
        opener = "typedef struct {" if lay.is_typedef else f"{lay.cname} {{"
        assert f"\n{opener}\n" in out
        assert (f"\t/* size: {lay.size}, cachelines: {lay.cachelines}, "
                f"members: {len(lay.fields)} */") in out
    assert "/* XXX 126 bytes opaque: not declared by csock */" in out
    assert "} fd_set;" in out


def test_struct_option_shows_one(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = sizes(capsys, "--struct", "sockaddr_in")
    assert rc == 0
    lines = out.splitlines()
    assert lines[2] == "struct sockaddr_in {" and lines[-1] == "};"
    assert out.count(" {\n") == 1
    assert re.search(r"\tstruct in_addr +sin_addr; +/\* +4 +4 \*/", out)


def test_compare_option_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = sizes(capsys, "--compare", "sockaddr_in6", "sockaddr")
    assert rc == 0
    assert re.search(r"0\.\.2 +sin6_family +sa_family +same offset and size", out)
    assert re.search(r"24\.\.28 +sin6_scope_id +\(past the end\) +only in sockaddr_in6", out)
    assert "does not fit in sockaddr" in out


def test_json_only_json_and_matches_layout(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = sizes(capsys, "--json")
    assert rc == 0 and err == ""
    data = json.loads(out)
    assert [d["name"] for d in data] == ALL
    for d in data:
        lay = L.layout(d["name"])
        assert (d["size"], d["align"]) == (lay.size, lay.align)
        assert [(f["name"], f["offset"], f["size"], f["type"]) for f in d["fields"]] == [
            (f.name, f.offset, f.size, f.type) for f in lay.fields]
    rc, out, _ = sizes(capsys, "--json", "--struct", "msghdr")
    assert [d["name"] for d in json.loads(out)] == ["msghdr"]


@pytest.mark.parametrize("argv", [
    ("--struct", "nope"), ("--struct", "struct fd_set"), ("--compare", "sockaddr", "nope"),
])
def test_unknown_struct_exits_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    rc, out, err = sizes(capsys, *argv)
    assert rc == 2 and out == ""
    assert err.startswith("csock sizes: error: ")


# --------------------------------------------------------------------------
# Through python -m csock sizes


@needs_main
def test_subprocess_listing_and_json(estructurastam_output: str) -> None:
    proc = sizes_proc()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] + "\n" == estructurastam_output
    proc = sizes_proc("--json")
    assert proc.returncode == 0
    assert [d["name"] for d in json.loads(proc.stdout)] == ALL


@needs_main
def test_subprocess_checks_exit_status() -> None:
    assert sizes_proc("--check-cdef", str(TUTORIAL_H)).returncode == 1
    assert sizes_proc("--check-ctypes", f"{WRONG_CTYPES}:SockaddrIn").returncode == 1
    proc = sizes_proc("--struct", "nope")
    assert proc.returncode == 2 and "unknown struct 'nope'" in proc.stderr
    if CC is not None:
        proc = sizes_proc("--check")
        assert proc.returncode == 0, proc.stdout + proc.stderr


def _iter_examples() -> Iterator[Path]:
    yield TUTORIAL_H
    yield WRONG_CTYPES


@pytest.mark.parametrize("path", list(_iter_examples()), ids=lambda p: p.name)
def test_example_files_exist(path: Path) -> None:
    assert path.is_file()


# --------------------------------------------------------------------------
# Issue 10: verdicts of "matches" only when every member was compared


def _verdict(out: str) -> str:
    return [line for line in out.splitlines() if line and not line.startswith("  ")][-1]


VERDICT_CTYPES = """
import ctypes

class InAddr(ctypes.Structure):
    _fields_ = [("s_addr", ctypes.c_uint32)]

class NoPort(ctypes.Structure):  # sin_port missing, padding in its place
    _fields_ = [("sin_family", ctypes.c_ushort), ("_pad", ctypes.c_ushort),
                ("sin_addr", InAddr), ("sin_zero", ctypes.c_ubyte * 8)]

class NarrowPort(ctypes.Structure):  # a bitfield 8 bits wide where the port is 16
    _fields_ = [("sin_family", ctypes.c_ushort), ("sin_port", ctypes.c_ushort, 8),
                ("sin_addr", InAddr), ("sin_zero", ctypes.c_ubyte * 8)]

class ExactPort(ctypes.Structure):  # 16 bits at byte 2: the same bytes as in_port_t
    _fields_ = [("sin_family", ctypes.c_ushort), ("sin_port", ctypes.c_ushort, 16),
                ("sin_addr", InAddr), ("sin_zero", ctypes.c_ubyte * 8)]

class SockaddrStorage(ctypes.Structure):  # glibc's, right, but csock declares ss_family only
    _fields_ = [("ss_family", ctypes.c_ushort), ("__ss_padding", ctypes.c_char * 118),
                ("__ss_align", ctypes.c_ulong)]

class FdSet(ctypes.Structure):  # csock declares no member of fd_set: none compared
    _fields_ = [("fds_bits", ctypes.c_long * 16)]
"""


@pytest.mark.parametrize(("cls", "status", "verdict", "row"), [
    ("NoPort=sockaddr_in", 1, "1 disagreement: NoPort does not match struct sockaddr_in.",
     r"sin_port +missing +WRONG: struct sockaddr_in has it at offset 2, size 2"),
    ("NarrowPort=sockaddr_in", 1,
     "1 disagreement: NarrowPort does not match struct sockaddr_in.",
     r"sin_port +bits 16-23 +WRONG: a bitfield of 8 bits at bit 16; the compiler says "
     r"offset 2, size 2 \(uint16_t\)"),
    ("ExactPort=sockaddr_in", 0, "ExactPort matches struct sockaddr_in.",
     r"sin_port +bits 16-31 +ok"),
    ("SockaddrStorage", 1, "SockaddrStorage is not shown to match struct sockaddr_storage: "
                           "2 members not compared.",
     r"__ss_padding +offset 2, size 118 +NOT COMPARED: not a member csock declares"),
    ("FdSet", 1, "FdSet is not shown to match fd_set: 1 member not compared.",
     r"fds_bits +offset 0, size 128 +NOT COMPARED: not a member csock declares"),
])
def test_check_ctypes_match_needs_every_member(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cls: str, status: int, verdict: str,
    row: str,
) -> None:
    module = tmp_path / "verdicts.py"
    module.write_text(VERDICT_CTYPES)
    rc, out, err = sizes(capsys, "--check-ctypes", f"{module}:{cls}")
    assert rc == status, out + err
    assert _verdict(out) == verdict
    assert re.search(rf"^  {row}$", out, re.M), out


def test_check_cdef_match_needs_every_member(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header = tmp_path / "bits.h"
    header.write_text(
        "struct sockaddr_in { unsigned short sin_family; unsigned short sin_port : 8;\n"
        "    unsigned short : 8; struct in_addr { unsigned int s_addr; } sin_addr;\n"
        "    unsigned char sin_zero[8]; };\n"
        "struct linger { int l_onoff : 32; int l_linger; };\n"
        "struct sockaddr { unsigned short sa_family; char sa_data[14]; int more[]; };\n")
    rc, out, _ = sizes(capsys, "--check-cdef", str(header))
    assert rc == 1
    assert re.search(r"^  sin_port +bits 16-23 +WRONG: a bitfield of 8 bits at bit 16", out,
                     re.M)
    assert "1 disagreement: your struct sockaddr_in does not match struct sockaddr_in." in out
    assert re.search(r"^  l_onoff +bits 0-31 +ok$", out, re.M)
    assert "your struct linger matches struct linger." in out
    assert re.search(r"^  more +offset 16, no size +NOT COMPARED", out, re.M)
    assert ("your struct sockaddr is not shown to match struct sockaddr: 1 member not "
            "compared.") in out
    assert out.rstrip().endswith(f"1 disagreement and 1 member not compared in {header}.")


def test_check_cdef_a_wrong_member_was_compared(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A struct whose only member disagrees had it compared: the summary does not
    count it as "not compared" (it said "2 disagreements and 1 member not compared")."""
    header = tmp_path / "in_addr.h"
    header.write_text("struct in_addr { unsigned long s_addr; };\n")
    rc, out, _ = sizes(capsys, "--check-cdef", str(header))
    assert rc == 1
    assert re.search(r"^  s_addr +offset 0, size 8 +WRONG size", out, re.M), out
    assert out.rstrip().endswith(f"\n2 disagreements in {header}."), out


# --------------------------------------------------------------------------
# Issue 10: headers that are big, odd or not files


def _header_1mb(unit: str) -> str:
    head = ("struct sockaddr_in { unsigned short sin_family; unsigned short sin_port;\n"
            "    unsigned int sin_addr; unsigned char sin_zero[8]; };\n")
    return head + unit * ((1 << 20) // len(unit))


@pytest.mark.parametrize(("unit", "status", "says"), [
    # each of these took from minutes to hours: a regex rescanning to the end
    ("typedef unsigned int my_type\n", 2, "cannot parse"),  # ';' missing: _prelude
    ("/* a comment */\n", 0, "every field agrees"),  # blank runs: cffi's #define regex
    ("\n", 0, "every field agrees"),
    ("#include <x.h>\n", 0, "every field agrees"),
    ("/* ", 2, "unterminated /* comment on line 3"),  # cffi's comment regex
    ("unsigned ", 2, "line 3: 8 integer type words in a row"),  # cffi's "int ..." regex
])
def test_check_cdef_one_megabyte_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, unit: str, status: int, says: str
) -> None:
    """A 1 MB header answers (pytest-timeout would stop a quadratic scan)."""
    header = tmp_path / "big.h"
    header.write_text(_header_1mb(unit))
    rc, out, err = sizes(capsys, "--check-cdef", str(header))
    assert rc == status, err
    assert says in out + err
    assert err.count("\n") == (1 if status else 0)


def test_check_cdef_error_lines_are_the_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    header = tmp_path / "lines.h"
    header.write_text("#include <netinet/in.h>\n/* one\n   two */\n\n\n"
                      "struct sockaddr { unsigned short sa_family; char sa_data[14]; };\n"
                      "typedef int missing_its_semicolon\n"
                      "typedef int next;\n")
    rc, _, err = sizes(capsys, "--check-cdef", str(header))
    assert rc == 2
    assert "<cdef source string>:7:" in err and err.count("\n") == 1, err


def test_check_cdef_latin1_header(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header = tmp_path / "latin1.h"
    header.write_bytes(b"/* direcci\xf3n IPv4 */\nstruct in_addr { in_addr_t s_addr; };\n")
    rc, out, err = sizes(capsys, "--check-cdef", str(header))
    assert rc == 0, err
    assert "your struct in_addr matches struct in_addr." in out


def test_check_cdef_refuses_what_is_not_a_regular_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo.h"
    os.mkfifo(fifo)  # no writer: opening it for reading would wait forever
    rc, _, err = sizes(capsys, "--check-cdef", str(fifo))
    assert (rc, err) == (2, f"csock sizes: error: cannot read {fifo}: not a regular file\n")
    rc, _, err = sizes(capsys, "--check-cdef", str(tmp_path))
    assert rc == 2 and "not a regular file" in err
    rc, out, err = sizes(capsys, "--check-cdef", "")
    assert rc == 2 and out == "" and "cannot read" in err  # not the listing


def test_check_ctypes_without_fields(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    module = tmp_path / "bare.py"
    module.write_text("import ctypes\n\nclass SockaddrIn(ctypes.Structure):\n    pass\n")
    rc, _, err = sizes(capsys, "--check-ctypes", f"{module}:SockaddrIn")
    assert rc == 2
    assert err == f"csock sizes: error: {module}:SockaddrIn has no _fields_: nothing to check\n"


@pytest.mark.parametrize(("cc", "says"), [
    ("'cc", "cannot split $CC=\"'cc\": No closing quotation"),
    ("/", "cannot run the C compiler /: "),
])
def test_check_bad_cc_is_one_line(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch, cc: str, says: str) -> None:
    monkeypatch.setenv("CC", cc)
    monkeypatch.setattr(shutil, "which", lambda name: name)  # "found": then it must run
    rc, out, err = sizes(capsys, "--check")
    assert rc == 2 and out == ""
    assert err.startswith(f"csock sizes: error: {says}") and err.count("\n") == 1, err


# --------------------------------------------------------------------------
# Issue 10: dump() of a NULL pointer


def test_dump_null_pointer_is_an_error() -> None:
    """In a child: before the fix, this crashed the interpreter (SIGSEGV)."""
    code = ("from csock import layout\n"
            "from csock._csock import ffi\n"
            "try:\n"
            "    layout.dump(ffi.cast('struct sockaddr_in *', 0))\n"
            "except ValueError as e:\n"
            "    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc
    assert proc.stdout == ("dump() of a NULL struct sockaddr_in *: there are no bytes to "
                           "show\n")


# --------------------------------------------------------------------------
# docs/sizes.md and docs/es/tamanos.md: figures recomputed, every command run,
# the Python block run with its commented values checked


SIZES_DOC = ROOT / "docs" / "sizes.md"
SIZES_DOC_ES = ROOT / "docs" / "es" / "tamanos.md"
SIZES_DOCS = [SIZES_DOC, SIZES_DOC_ES]
PROBE_LINE = {
    SIZES_DOC: r"Compiler probe: (\d+) sizes, alignments and offsets of (\d+) structs "
               r"checked: all agree\.",
    SIZES_DOC_ES: r"Sonda del compilador: (\d+) tamaños, alineaciones y desplazamientos de "
                  r"(\d+) estructuras comprobados: todo coincide\.",
}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
x86_64_only = pytest.mark.skipif(platform.machine() != "x86_64",
                                 reason="the guides show x86_64's sizes")


def _rel(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


def _fenced(doc: Path, kind: str) -> list[tuple[int, str]]:
    """(line of the first line of code, code) of each block of that info string."""
    text = doc.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(2)) + 1, m.group(2)) for m in FENCE.finditer(text)
            if m.group(1).strip() == kind]


def _console_steps(doc: Path) -> list[tuple[int, str, str]]:
    """(line, command, the output the guide shows) of every `$ ` line of its console
    blocks."""
    steps = []
    for line, code in _fenced(doc, "console"):
        lines = code.splitlines(keepends=True)
        for i, text in enumerate(lines):
            if text.startswith("$ "):
                end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("$ ")),
                           len(lines))
                steps.append((line + i, text[2:].rstrip("\n"), "".join(lines[i + 1:end])))
    return steps


@pytest.mark.parametrize("doc", SIZES_DOCS, ids=_rel)
def test_sizes_doc_probe_figures(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    m = re.search(PROBE_LINE[doc], text)
    assert m, f"{_rel(doc)} shows sizes --check's line"
    layouts = L.all_layouts()
    checked = len(_layout_probe.expected(layouts))
    assert (int(m.group(1)), int(m.group(2))) == (checked, len(layouts)), (
        f"{_rel(doc)}: {checked} sizes... of {len(layouts)} structs, not {m.group(0)!r}")
    if CC is not None:  # the probe counts what expected() lists
        assert _layout_probe.check(layouts).checked == checked


@pytest.mark.parametrize("doc", SIZES_DOCS, ids=_rel)
def test_sizes_doc_struct_list(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    m = re.search(r"(?:unknown struct 'nope'; csock declares|"
                  r"struct desconocida 'nope'; csock declara): (.*)", text)
    assert m
    assert m.group(1).split(", ") == L.names()


def test_sizes_docs_are_parallel() -> None:
    """The Spanish guide runs the English one's commands (with --lang es where the
    output has text to translate) and the same Python code (comments aside)."""
    english, spanish = ([cmd for _, cmd, _ in _console_steps(d)] for d in SIZES_DOCS)
    assert [c.replace(" --lang es", "") for c in spanish] == english
    assert len(english) >= 12
    code = [[re.sub(r"\s*#.*", "", x) for x in c.splitlines()]
            for d in SIZES_DOCS for _, c in _fenced(d, "python")]
    assert len(code) == 2 and code[0] == code[1]


@x86_64_only
@pytest.mark.parametrize("doc", SIZES_DOCS, ids=_rel)
def test_sizes_doc_console_blocks(doc: Path, tmp_path: Path) -> None:
    """Every command of the guide's console blocks prints what the guide shows, and
    `echo $?` the status it shows. Run from a directory holding examples/ (not the
    root: see sizes_proc) under an English locale: the Spanish guide says --lang es."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["LC_ALL"] = "C.UTF-8"
    status = None
    for line, cmd, shown in _console_steps(doc):
        where = f"{_rel(doc)}:{line}"
        if cmd == "echo $?":
            assert shown == f"{status}\n", f"{where}: the status is {status}"
            continue
        argv = cmd.split()
        assert argv[:4] == ["python", "-m", "csock", "sizes"], where
        if "--check" in argv and CC is None:
            status = None
            continue
        proc = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
        status = proc.returncode
        assert proc.stdout + proc.stderr == shown, (
            f"{where}: `{cmd}` prints\n{proc.stdout}{proc.stderr}")


_COMMENTED_VALUE = re.compile(
    r"#\s*(\(.*?\)|\[.*?\]|-?\d+|True|False|None)(?=$|[\s:;,])")


@x86_64_only
@pytest.mark.parametrize("doc", SIZES_DOCS, ids=_rel)
def test_sizes_doc_python_block(doc: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The guide's Python block runs, and an expression commented with a value
    (`lay.field("msg_iov").offset   # 16`) has that value."""
    import ast

    [(first, code)] = _fenced(doc, "python")
    lines = code.splitlines()
    namespace: dict[str, object] = {}
    checked = 0
    for stmt in ast.parse(code).body:
        where = f"{_rel(doc)}:{first + stmt.lineno - 1}"
        if isinstance(stmt, ast.Expr):
            value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
            m = _COMMENTED_VALUE.search(lines[stmt.lineno - 1])
            if m:
                assert value == ast.literal_eval(m.group(1)), f"{where}: {value!r}"
                checked += 1
        else:
            exec(compile(ast.Module(body=[stmt], type_ignores=[]), where, "exec"), namespace)
    assert checked == 5, f"{_rel(doc)}: 5 values commented, {checked} found"
    assert "sin6_family = sa_family" in capsys.readouterr().out  # cmp.verdict(), printed
