"""csock.c.show: every struct the binding declares, in strace's notation, from known bytes."""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys

import pytest

import csock.c as c
from csock import layout
from csock._csock import ffi, lib

LITTLE = sys.byteorder == "little"


def from_bytes(ctype: str, data: bytes) -> object:
    """A new struct of *ctype* holding *data* (zero-padded to its size)."""
    p = ffi.new(f"{ctype} *")
    size = ffi.sizeof(ctype)
    assert len(data) <= size
    ffi.memmove(p, data.ljust(size, b"\0"), size)
    return p


def family(af: int) -> bytes:
    return struct.pack("=H", af)


def test_sockaddr_in_from_bytes() -> None:
    # sin_family (host order), port 10000 = 0x2710 (network order), 127.0.0.1
    p = from_bytes("struct sockaddr_in", family(lib.AF_INET) + b"\x27\x10\x7f\x00\x00\x01")
    assert c.show(p) == ('{sin_family=AF_INET, sin_port=htons(10000), '
                         'sin_addr=inet_addr("127.0.0.1")}')
    assert c.show(p[0]) == c.show(p)  # a struct value as well as a pointer
    # seen as a generic struct sockaddr: strace's spelling in system call arguments
    assert c.show(c.cast("struct sockaddr *", p)) == (
        '{sa_family=AF_INET, sin_port=htons(10000), sin_addr=inet_addr("127.0.0.1")}')


def test_sockaddr_in_built_with_the_c_api() -> None:
    servidor = c.new("struct sockaddr_in *")
    servidor.sin_family = lib.AF_INET
    servidor.sin_port = c.htons(10000)
    servidor.sin_addr.s_addr = c.inet_addr(b"127.0.0.1")
    assert bytes(ffi.buffer(servidor))[:8] == family(lib.AF_INET) + b"\x27\x10\x7f\0\0\1"
    assert c.show(servidor) == ('{sin_family=AF_INET, sin_port=htons(10000), '
                                'sin_addr=inet_addr("127.0.0.1")}')


def test_sockaddr_in6() -> None:
    data = (family(lib.AF_INET6) + b"\x27\x10" + b"\0\0\0\0" + socket.inet_pton(
        socket.AF_INET6, "::1") + b"\0\0\0\0")
    p = from_bytes("struct sockaddr_in6", data)
    assert c.show(p) == ('{sin6_family=AF_INET6, sin6_port=htons(10000), '
                         'sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), '
                         'sin6_scope_id=0}')
    # flowinfo in network order; a link-local address with scope 1 names its interface
    data = (family(lib.AF_INET6) + b"\0\x50" + b"\0\0\0\x05" + socket.inet_pton(
        socket.AF_INET6, "fe80::1") + struct.pack("=I", 1))
    text = c.show(from_bytes("struct sockaddr_in6", data))
    assert "sin6_port=htons(80), sin6_flowinfo=htonl(5)" in text
    assert 'inet_pton(AF_INET6, "fe80::1", &sin6_addr)' in text
    name = socket.if_indextoname(1)
    assert text.endswith(f'sin6_scope_id=if_nametoindex("{name}")}}')


def test_sockaddr_un_path_and_abstract() -> None:
    p = from_bytes("struct sockaddr_un", family(lib.AF_UNIX) + b"/tmp/x.sock\0")
    assert c.show(p) == '{sun_family=AF_UNIX, sun_path="/tmp/x.sock"}'
    p = from_bytes("struct sockaddr_un", family(lib.AF_UNIX) + b"\0name\x01")
    assert c.show(p) == '{sun_family=AF_UNIX, sun_path=@"name\\1"}'
    # with a length (as bind's addrlen), the trailing NULs count, as in strace
    assert c.show(p, 2 + 1 + 5 + 2) == '{sun_family=AF_UNIX, sun_path=@"name\\1\\0\\0"}'


def test_sockaddr_storage_by_family() -> None:
    p = from_bytes("struct sockaddr_storage", family(lib.AF_INET) + b"\0\x50\xc0\0\x02\x01")
    assert c.show(p) == '{ss_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("192.0.2.1")}'
    p = from_bytes("struct sockaddr_storage", family(lib.AF_UNIX) + b"/s\0")
    assert c.show(p) == '{ss_family=AF_UNIX, sun_path="/s"}'


def test_in_addr_and_in6_addr() -> None:
    assert c.show(from_bytes("struct in_addr", b"\xc6\x33\x64\x02")) == \
        '{s_addr=inet_addr("198.51.100.2")}'
    raw6 = socket.inet_pton(socket.AF_INET6, "2001:db8::7")
    assert c.show(from_bytes("struct in6_addr", raw6)) == \
        '{s6_addr=inet_pton(AF_INET6, "2001:db8::7")}'


def test_linger_timeval_pollfd() -> None:
    assert c.show(from_bytes("struct linger", struct.pack("=ii", 1, 5))) == \
        "{l_onoff=1, l_linger=5}"
    tv = c.new("struct timeval *", (1, 500000))
    assert c.show(tv) == "{tv_sec=1, tv_usec=500000}"
    pf = from_bytes("struct pollfd", struct.pack("=ihh", 3, lib.POLLIN | lib.POLLPRI,
                                                 lib.POLLHUP))
    assert c.show(pf) == "{fd=3, events=POLLIN|POLLPRI, revents=POLLHUP}"
    arr = c.new("struct pollfd[2]", [(3, lib.POLLIN, 0), (4, lib.POLLOUT, lib.POLLOUT)])
    assert c.show(arr) == ("[{fd=3, events=POLLIN, revents=0}, "
                           "{fd=4, events=POLLOUT, revents=POLLOUT}]")


def test_fd_set_is_the_set_of_fds() -> None:
    fds = c.new("fd_set *")
    assert c.show(fds) == "[]"
    for fd in (3, 4, 64, 1023):
        c.FD_SET(fd, fds)
    assert c.show(fds) == "[3 4 64 1023]"
    # known bytes: bit 0 of the first long is fd 0, bit 1 is fd 1 ...
    word = ffi.sizeof("long")
    data = (0b1010).to_bytes(word, sys.byteorder) + (1).to_bytes(word, sys.byteorder)
    assert c.show(from_bytes("fd_set", data)) == f"[1 3 {word * 8}]"


def test_iovec_msghdr_cmsghdr() -> None:
    data = c.new("char[]", b"hola\0\x01mundo")
    iov = c.new("struct iovec *")
    iov.iov_base = data
    iov.iov_len = 11
    assert c.show(iov) == '{iov_base="hola\\0\\1mundo", iov_len=11}'
    assert c.show(iov, strsize=4) == '{iov_base="hola"..., iov_len=11}'

    control = c.new("char[]", c.CMSG_SPACE(ffi.sizeof("int")))
    msg = c.new("struct msghdr *")
    msg.msg_iov = iov
    msg.msg_iovlen = 1
    msg.msg_control = control
    msg.msg_controllen = len(control)
    cm = c.CMSG_FIRSTHDR(msg)
    cm.cmsg_level = lib.SOL_SOCKET
    cm.cmsg_type = lib.SCM_RIGHTS
    cm.cmsg_len = c.CMSG_LEN(ffi.sizeof("int"))
    ffi.cast("int *", c.CMSG_DATA(cm))[0] = 7
    clen = c.CMSG_LEN(ffi.sizeof("int"))
    assert c.show(cm) == (f"{{cmsg_len={clen}, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
                          "cmsg_data=[7]}")
    assert c.show(msg) == (
        '{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hola\\0\\1mundo", iov_len=11}], '
        f"msg_iovlen=1, msg_control=[{{cmsg_len={clen}, cmsg_level=SOL_SOCKET, "
        f"cmsg_type=SCM_RIGHTS, cmsg_data=[7]}}], msg_controllen={len(control)}, "
        "msg_flags=0}")
    name = c.new("struct sockaddr_in *")
    name.sin_family = lib.AF_INET
    name.sin_port = c.htons(53)
    msg.msg_name = name
    msg.msg_namelen = ffi.sizeof(name[0])
    msg.msg_controllen = 0
    msg.msg_flags = lib.MSG_TRUNC
    assert c.show(msg).startswith(
        '{msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("0.0.0.0")}, '
        "msg_namelen=16, msg_iov=")
    assert c.show(msg).endswith("msg_iovlen=1, msg_controllen=0, msg_flags=MSG_TRUNC}")


def test_hostent() -> None:
    he = c.gethostbyname(b"127.0.0.1")  # numeric: no lookup
    assert c.show(he) == ('{h_name="127.0.0.1", h_aliases=[], h_addrtype=AF_INET, '
                          'h_length=4, h_addr_list=[inet_addr("127.0.0.1")]}')
    assert c.show(ffi.cast("struct hostent *", 0)) == "NULL"


def test_servent_built_from_known_values() -> None:
    name, proto, alias = c.new("char[]", b"http"), c.new("char[]", b"tcp"), c.new(
        "char[]", b"www")
    aliases = c.new("char *[2]", [alias, ffi.NULL])
    s = c.new("struct servent *")
    s.s_name, s.s_aliases, s.s_proto = name, aliases, proto
    s.s_port = c.htons(80)  # network order in an int, as getservbyname returns it
    assert c.show(s) == '{s_name="http", s_aliases=["www"], s_port=htons(80), s_proto="tcp"}'


def test_addrinfo_chain() -> None:
    hints = c.new("struct addrinfo *")
    hints.ai_flags = lib.AI_NUMERICHOST | lib.AI_NUMERICSERV
    hints.ai_socktype = lib.SOCK_STREAM
    res = c.new("struct addrinfo **")
    assert c.getaddrinfo(b"127.0.0.1", b"10000", hints, res) == 0
    try:
        assert c.show(res[0]) == (
            "[{ai_flags=AI_NUMERICHOST|AI_NUMERICSERV, ai_family=AF_INET, "
            "ai_socktype=SOCK_STREAM, ai_protocol=IPPROTO_TCP, ai_addrlen=16, "
            'ai_addr={sa_family=AF_INET, sin_port=htons(10000), '
            'sin_addr=inet_addr("127.0.0.1")}, ai_canonname=NULL}]')
    finally:
        c.freeaddrinfo(res[0])
    # a two-element chain from known structs
    a, b = c.new("struct addrinfo *"), c.new("struct addrinfo *")
    a.ai_family, b.ai_family = lib.AF_INET6, lib.AF_UNIX
    a.ai_next = b
    assert c.show(a) == (
        "[{ai_flags=0, ai_family=AF_INET6, ai_socktype=0, ai_protocol=IPPROTO_IP, "
        "ai_addrlen=0, ai_addr=NULL, ai_canonname=NULL}, "
        "{ai_flags=0, ai_family=AF_UNIX, ai_socktype=0, ai_protocol=0, ai_addrlen=0, "
        "ai_addr=NULL, ai_canonname=NULL}]")


def test_show_rejects_what_is_not_a_struct() -> None:
    with pytest.raises(TypeError):
        c.show(c.new("int *"))


def test_show_is_exported() -> None:
    assert "show" in c.__all__
    ns: dict[str, object] = {}
    exec("from csock.c import *", ns)  # noqa: S102
    assert ns["show"] is c.show


# --------------------------------------------------------------------------
# csock.layout.dump and python -m csock explain


def rows(text: str) -> dict[str, list[str]]:
    """The table of a dump, by first column: [bytes, hex, value]; the value is
    on the indented lines under each member's line, wrapped to 80 columns."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for ln in text.splitlines():
        parts = re.split(r"  +", ln, maxsplit=2)
        if len(parts) == 3 and parts[0] and re.fullmatch(r"\d+(-\d+)?", parts[1]):
            current = out[parts[0]] = [parts[1], parts[2], ""]
        elif current is not None and ln.startswith(" ") and ln.strip():
            current[2] = (current[2] + " " + ln.strip()).strip()
        else:
            current = None
    return out


def test_dump_sockaddr_in_known_bytes() -> None:
    p = from_bytes("struct sockaddr_in", family(lib.AF_INET) + b"\x27\x10\x7f\x00\x00\x01")
    text = layout.dump(p)
    fam = " ".join(f"{b:02x}" for b in family(lib.AF_INET))
    assert f"   0: {fam} 27 10 7f 00 00 01 00 00 00 00 00 00 00 00" in text
    r = rows(text)
    assert r["sin_family"] == ["0-1", fam, f"AF_INET ({lib.AF_INET}): host byte order"]
    assert r["sin_port"][:2] == ["2-3", "27 10"]
    assert r["sin_port"][2].startswith("htons(10000): network byte order, 10000 = 0x2710")
    assert r["sin_addr"][:2] == ["4-7", "7f 00 00 01"]
    assert r["sin_addr"][2].startswith('inet_addr("127.0.0.1"): network byte order')
    assert r["sin_zero"] == ["8-15", "00 00 00 00 00 00 00 00", "unused: must be zero (it is)"]
    if LITTLE:
        assert "in host order 10000 would be stored 10 27" in r["sin_port"][2]
        assert "this host is little-endian" in text
    assert text.endswith('strace: {sin_family=AF_INET, sin_port=htons(10000), '
                         'sin_addr=inet_addr("127.0.0.1")}')


def test_dump_marks_holes_and_opaque_bytes() -> None:
    lay = layout.layout("addrinfo")
    holes = lay.holes
    assert holes, "addrinfo has a hole before ai_addr on LP64"
    r = rows(layout.dump(c.new("struct addrinfo *")))
    hole = holes[0]
    assert r[hole.label][0] == f"{hole.offset}-{hole.end - 1}"
    assert r[hole.label][2].startswith("hole: padding the compiler put")
    storage = rows(layout.dump(c.new("struct sockaddr_storage *")))
    opaque = [k for k in storage if k.startswith("<opaque")]
    assert opaque and storage[opaque[0]][2].startswith("opaque: bytes the binding does not")


def run_explain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "csock", "explain", *args],
                          capture_output=True, text=True, timeout=30)


def test_explain_command_ipv4_ipv6_unix() -> None:
    out = run_explain("sockaddr_in", "127.0.0.1:10000")
    assert out.returncode == 0, out.stderr
    assert rows(out.stdout)["sin_port"][:2] == ["2-3", "27 10"]
    assert "addrlen for bind()/connect(): 16" in out.stdout

    out = run_explain("sockaddr_in6", "[::1]:10000")
    assert out.returncode == 0, out.stderr
    r = rows(out.stdout)
    assert r["sin6_addr"][:2] == ["8-23", "00 " * 15 + "01"]
    assert ('strace: {sin6_family=AF_INET6, sin6_port=htons(10000), sin6_flowinfo=htonl(0), '
            'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}') in out.stdout

    out = run_explain("sockaddr_un", "/tmp/x.sock")
    assert out.returncode == 0, out.stderr
    assert rows(out.stdout)["sun_path"][0] == "2-109"
    assert 'path "/tmp/x.sock", then a NUL; 96 bytes unused' in out.stdout

    out = run_explain("sockaddr_un", "@name")
    assert out.returncode == 0, out.stderr
    assert rows(out.stdout)["sun_path"][1].startswith("00 6e 61 6d 65 00")
    assert 'strace: {sun_family=AF_UNIX, sun_path=@"name"}' in out.stdout
    assert "addrlen for bind()/connect(): 7" in out.stdout


def test_explain_command_errors_and_help() -> None:
    out = run_explain("sockaddr_in", "1.2.3:80")
    assert out.returncode == 2  # a usage error, as sizes --struct nosuch
    assert out.stderr == "csock explain: '1.2.3' in '1.2.3:80' is not a numeric IPv4 address\n"
    out = run_explain("sockaddr_in", "127.0.0.1:70000")
    assert out.returncode == 2 and "must be 0 to 65535" in out.stderr
    out = run_explain("nosuch")
    assert out.returncode == 2 and "unknown struct 'nosuch'" in out.stderr
    out = run_explain("--help")
    assert out.returncode == 0
    assert "python -m csock explain sockaddr_un @name" in out.stdout
    assert "ADDRESS by STRUCT" in out.stdout
