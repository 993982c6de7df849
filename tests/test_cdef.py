"""c.cdef(): a port's own structs, unions, typedefs and #defines, laid out by
the C compiler and sharing csock's types (csock/_usercdef.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import csock.c as c
from csock import _layout_probe, _usercdef

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler (cc)")

# One text for the layout checks: csock's types inside, constant expressions
# in array sizes, a bitfield, a packed struct, an anonymous member union.
DECLS = textwrap.dedent("""\
    #define NAMELEN 32          /* a comment */
    #define GREETING "hola // not a comment"
    #define RATIO 0.25
    #define TWICE(x) ((x) * 2)
    #define MAXREQ (TWICE(NAMELEN) + 1)
    struct request {
        uint32_t seqNum;
        char name[NAMELEN];
        struct sockaddr_in to;
        char spare[MAXREQ];
    };
    typedef struct request request_t;
    union ctl {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    };
    struct flags { unsigned int a : 3, b : 5; uint16_t port; };
    struct __attribute__((packed)) wire { uint8_t kind; uint32_t len; };
    struct tagged {
        int kind;
        union { int i; double d; } u;
        struct in6_addr addrs[2];
    };
    """)

MEASURED = {
    "struct request": ["seqNum", "name", "to", "to.sin_port", "spare"],
    "request_t": ["spare"],
    "union ctl": ["buf", "align"],
    "struct flags": ["port"],
    "struct wire": ["kind", "len"],
    "struct tagged": ["kind", "u", "u.d", "addrs"],
}


@pytest.fixture(scope="module")
def declared() -> dict[str, object]:
    return c.cdef(DECLS)


@pytest.fixture(scope="module")
def compiler_says(tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """sizeof and offsetof of MEASURED, from a C program (one compilation)."""
    tmp = tmp_path_factory.mktemp("probe")
    lines = ["#define _GNU_SOURCE 1", _layout_probe.includes(), "#include <stddef.h>",
             "#include <stdio.h>", DECLS, "int main(void) {"]
    for cname, fields in MEASURED.items():
        lines.append(f'printf("{cname}\\t%zu\\n", sizeof({cname}));')
        for f in fields:
            lines.append(f'printf("{cname}.{f}\\t%zu\\n", offsetof({cname}, {f}));')
    lines += ["return 0; }"]
    (tmp / "probe.c").write_text("\n".join(lines))
    subprocess.run(["cc", "-o", str(tmp / "probe"), str(tmp / "probe.c")], check=True)
    out = subprocess.run([str(tmp / "probe")], capture_output=True, text=True, check=True)
    return {k: int(v) for k, v in (line.split("\t") for line in out.stdout.splitlines())}


def test_layout_is_the_compilers(declared: dict[str, object],
                                 compiler_says: dict[str, int]) -> None:
    ours = {}
    for cname, fields in MEASURED.items():
        ours[cname] = c.sizeof(cname)
        for f in fields:
            ours[f"{cname}.{f}"] = c.offsetof(cname, *f.split("."))
    assert ours == compiler_says
    assert c.sizeof("struct wire") == 5  # packed: no padding, as the compiler says


def test_constants(declared: dict[str, object]) -> None:
    assert declared == {"NAMELEN": 32, "GREETING": b"hola // not a comment",
                        "RATIO": 0.25, "MAXREQ": 65}
    assert c.NAMELEN == 32 and c.MAXREQ == 65 and c.GREETING == b"hola // not a comment"
    assert c.sizeof("struct request") >= 32 + 65


def test_user_struct_member_is_csocks_sockaddr_in(declared: dict[str, object]) -> None:
    req = c.new("struct request *")
    req.to.sin_family = c.AF_INET
    req.to.sin_port = 0
    req.to.sin_addr.s_addr = c.htonl(c.INADDR_LOOPBACK)
    fd = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    try:
        assert c.bind(fd, c.cast("struct sockaddr *", c.addressof(req, "to")),
                      c.sizeof("struct sockaddr_in")) == 0
        got = c.new("struct request *")
        length = c.new("socklen_t *", c.sizeof("struct sockaddr_in"))
        assert c.getsockname(fd, c.cast("struct sockaddr *", c.addressof(got, "to")),
                             length) == 0
        assert got.to.sin_port != 0 and got.to.sin_addr.s_addr == req.to.sin_addr.s_addr
    finally:
        c.close(fd)
    # a typedef of the struct is the same type
    alias = c.new("request_t *")
    assert _usercdef.ffi.typeof(alias[0]) is _usercdef.ffi.typeof("struct request")


def test_scm_rights_union_round_trip() -> None:
    """The classic control buffer, written as C writes it, passes a descriptor."""
    sv = c.new("int[2]")
    assert c.socketpair(c.AF_UNIX, c.SOCK_STREAM, 0, sv) == 0
    r, w = os.pipe()
    try:
        ctl_t = "union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; }"
        u = c.new(ctl_t + " *")
        assert c.sizeof(ctl_t) == c.CMSG_SPACE(c.sizeof("int"))
        data = c.new("char[]", b"x")
        iov = c.new("struct iovec *", {"iov_base": data, "iov_len": 1})
        msg = c.new("struct msghdr *")
        msg.msg_iov = iov
        msg.msg_iovlen = 1
        msg.msg_control = u.buf
        msg.msg_controllen = c.sizeof(u.buf)
        cmsg = c.CMSG_FIRSTHDR(msg)
        cmsg.cmsg_level = c.SOL_SOCKET
        cmsg.cmsg_type = c.SCM_RIGHTS
        cmsg.cmsg_len = c.CMSG_LEN(c.sizeof("int"))
        c.cast("int *", c.CMSG_DATA(cmsg))[0] = w
        assert c.sendmsg(sv[0], msg, 0) == 1

        u2 = c.new(ctl_t + " *")
        back = c.new("char[1]")
        iov2 = c.new("struct iovec *", {"iov_base": back, "iov_len": 1})
        msg2 = c.new("struct msghdr *")
        msg2.msg_iov = iov2
        msg2.msg_iovlen = 1
        msg2.msg_control = u2.buf
        msg2.msg_controllen = c.sizeof(u2.buf)
        assert c.recvmsg(sv[1], msg2, 0) == 1
        got = c.CMSG_FIRSTHDR(msg2)
        assert got.cmsg_type == c.SCM_RIGHTS
        passed = c.cast("int *", c.CMSG_DATA(got))[0]
        assert passed not in (w, -1)
        os.write(passed, b"through the passed descriptor")
        os.close(passed)
        assert os.read(r, 100) == b"through the passed descriptor"
    finally:
        for fd in (r, w, sv[0], sv[1]):
            os.close(fd)


def test_later_cdef_uses_earlier_types(declared: dict[str, object]) -> None:
    c.cdef("struct queue { struct request *head; request_t items[2]; int n; };")
    q = c.new("struct queue *")
    req = c.new("struct request *", {"seqNum": 7})
    q.head = req  # the same struct request type in both modules
    q.items[1] = req[0]
    assert q.head.seqNum == 7 and q.items[1].seqNum == 7
    assert c.offsetof("struct queue", "n") == 8 + 2 * c.sizeof("struct request")


def test_star_import_sees_new_types() -> None:
    namespace: dict[str, object] = {}
    exec("from csock.c import *", namespace)
    c.cdef("struct star_only { int a; char b[3]; };")
    exec("p = new('struct star_only *'); n = sizeof(p[0])", namespace)
    assert namespace["n"] == c.sizeof("struct star_only") == 8


def test_second_process_uses_the_cache(cdef_cache: str) -> None:
    text = "struct cached_once { int a; long b; };"
    script = textwrap.dedent(f"""
        import sys
        from csock import _usercdef
        if sys.argv[1] == "again":
            def no(*a, **k):
                raise SystemExit("rebuilt")
            _usercdef._build = no
        _usercdef.cdef({text!r})
        print(_usercdef.sizeof("struct cached_once"))
        """)
    env = {**os.environ, "CSOCK_CDEF_CACHE": cdef_cache}
    for arg in ("first", "again"):
        out = subprocess.run([sys.executable, "-c", script, arg], capture_output=True,
                             text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "16"
    assert not [p for p in Path(cdef_cache).iterdir() if p.name.startswith(".build-")]


@pytest.mark.parametrize(("text", "says"), [
    ("struct bad { int a };", "cffi cannot read"),
    ("struct bad2 { char x[NO_SUCH_CONSTANT]; };", "cdef:1"),
    ("struct bad3 {\n  int a;\n  undeclared_t b;\n};", "cdef:3:3: error: unknown type name"),
    ("int not_a_type(int x);", "functions or variables"),
    ("#if 1\nstruct bad4 { int a; };\n#endif", "#define and #include"),
    ("#define NOT_A_CONSTANT struct request\nstruct bad5 { int a; };", "#define"),
])
def test_bad_declarations_say_why(text: str, says: str) -> None:
    with pytest.raises(c.CdefError, match=says.replace("#", "\\#")):
        c.cdef(text)


def test_compile_errors_name_the_users_line() -> None:
    with pytest.raises(c.CdefError) as info:
        c.cdef("struct fine { int a; };\n\nstruct bad6 { char x[1 / 0 + NOPE]; };")
    assert "cdef:3:" in str(info.value)


def test_no_compiler_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC", "/nonexistent/cc")
    with pytest.raises(c.CdefError, match="C compiler.*build-essential"):
        c.cdef("struct needs_a_compiler { int a; };")


def test_split_keeps_lines_and_rewrites_sizes() -> None:
    text, consts = _usercdef.split("#define A (1+2)\nstruct s {\n char b[A * 2];\n int c[4];\n};")
    assert text.splitlines() == ["#define A ...", "struct s {", " char b[...];", " int c[4];",
                                 " ...; };"]
    assert consts == [("A", "int")]


def test_sizes_check_cdef_explains_and_checks_own_types(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from csock.cli import sizes as _sizes_cmd

    header = tmp_path / "mine.h"
    header.write_text(DECLS)
    # A process of its own: this one has declared DECLS already (C: a redefinition).
    run = subprocess.run([sys.executable, "-m", "csock", "sizes", "--check-cdef", str(header)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "struct request {" in out and "} request_t;" not in out  # a second name only
    assert "\tstruct sockaddr_in         to;                   /*    36    16 */" in out
    assert "union ctl {" in out and "struct wire {" in out
    assert "all agree (bitfields not measured: struct flags.a, struct flags.b)." in out
    assert out.rstrip().endswith("mine.h: every size and offset agrees with the compiler.")
    bad = tmp_path / "bad.h"
    bad.write_text("struct oops { char x[NOPE]; };\n")
    assert _sizes_cmd.main(["--check-cdef", str(bad)]) == 2
    assert "cdef:1:" in capsys.readouterr().err


def test_probe_disagreement_is_reported(monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    """The check can fail: a layout that is not the compiler's is caught."""
    from csock.cli import sizes as _sizes_cmd
    from csock.layout import layout_of_type

    def off_by_four(t: object, cname: str) -> object:
        lay = layout_of_type(t, cname)
        import dataclasses
        return dataclasses.replace(lay, size=lay.size + 4)

    monkeypatch.setattr(_sizes_cmd, "layout_of_type", off_by_four)
    header = tmp_path / "one.h"
    header.write_text("struct one_more { int a; char b; };\n")
    assert _sizes_cmd.main(["--check-cdef", str(header)]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH struct one_more: size: csock says 12, the compiler says 8" in out
