"""Hints (CSOCK_TRACE=hints, tracing(hints=True), --hints): one line under a
failed or suspicious csock.c call, in English or Spanish; type mistakes
explained where the exception is reported; none on the project's examples."""

from __future__ import annotations

import io
import os
import re
import select
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import csock.c as c
from csock import _hints

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 20


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    _hints.set_language(None)
    yield
    _hints.set_language(None)
    _hints._open.clear()  # what these tests opened is closed: nothing to report at exit


def sockaddr(ip: bytes = b"127.0.0.1", port: int = 0, swap: bool = True) -> c.CData:
    a = c.new("struct sockaddr_in *")
    a.sin_family = c.AF_INET
    a.sin_port = c.htons(port) if swap else port
    a.sin_addr.s_addr = c.inet_addr(ip)
    return a


def traced(body, lang: str | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """The trace lines (hints included) of body(), run under tracing(hints=True)."""
    _hints.set_language(lang)
    out = io.StringIO()
    with c.tracing(file=out, hints=True):
        body()
    return out.getvalue().splitlines()


def hints(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.startswith("  ")]


@pytest.fixture
def fd() -> Iterator[int]:
    s = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    assert s >= 0
    yield s
    c.close(s)


def listener() -> socket.socket:
    """A listening socket on a free port that does not look byte-swapped."""
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        if not _hints.port_looks_swapped(s.getsockname()[1]):
            s.listen(1)
            return s
        s.close()


def test_eaddrinuse_names_the_owner(fd: int) -> None:
    with listener() as holder:
        port = holder.getsockname()[1]
        addr = sockaddr(port=port)
        lines = traced(lambda: c.bind(fd, c.cast("struct sockaddr *", addr), 16))
    assert "EADDRINUSE" in lines[0]
    assert hints(lines) == [f"hint: port {port} is held by pid {os.getpid()} "
                            f"({_owner_name()})"]


def _owner_name() -> str:
    from csock._owners import program_name

    return program_name(os.getpid())


def test_econnrefused(fd: int) -> None:
    with socket.socket() as bound:  # bound, never listening: refuses
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        addr = sockaddr(port=port)
        lines = traced(lambda: c.connect(fd, c.cast("struct sockaddr *", addr), 16))
    assert hints(lines) == [f"hint: no server on 127.0.0.1:{port}: is it "
                            "running, on that port?"]


def test_pointer_sized_length_and_unswapped_port(fd: int) -> None:
    addr = sockaddr(port=10000, swap=False)  # htons forgotten: 10000 shows as 4135
    lines = traced(lambda: c.bind(fd, c.cast("struct sockaddr *", addr), c.sizeof(addr)))
    assert lines[0].endswith(", 8) = -1 EINVAL (Invalid argument)")
    assert hints(lines) == [
        "hint: 8 is sizeof a pointer: sizeof(servidor[0]), not sizeof(servidor)",
        "hint: port 4135 is 10000 byte-swapped: htons(10000) forgotten?"]


def test_unswapped_port_on_a_full_length_bind(fd: int) -> None:
    addr = sockaddr(port=10001, swap=False)
    lines = traced(lambda: c.bind(fd, c.cast("struct sockaddr *", addr), 16))
    assert "htons(4391)" in lines[0]
    assert "hint: port 4391 is 10001 byte-swapped: htons(10001) forgotten?" in hints(lines)


def test_refused_port_whose_swap_listens(fd: int) -> None:
    with listener() as server:
        port = server.getsockname()[1]
        if _hints._swap16(port) == port:
            pytest.skip("a port the same both ways")
        addr = sockaddr(port=port, swap=False)  # the listener's port, htons forgotten
        shown = c.ntohs(addr.sin_port)
        lines = traced(lambda: c.connect(fd, c.cast("struct sockaddr *", addr), 16))
    assert "ECONNREFUSED" in lines[0]
    assert hints(lines)[1] == f"hint: port {shown} is {port} byte-swapped: htons({port}) forgotten?"


def test_unswapped_address(fd: int) -> None:
    addr = sockaddr()
    addr.sin_addr.s_addr = 0x7F000001  # in host order: the bytes 1.0.0.127
    lines = traced(lambda: c.bind(fd, c.cast("struct sockaddr *", addr), 16))
    assert 'inet_addr("1.0.0.127")' in lines[0]  # not ours: EADDRNOTAVAIL, nothing sent
    assert hints(lines) == ["hint: 1.0.0.127 is 127.0.0.1 byte-swapped: htonl() forgotten?"]


def test_sin_zero_not_zero(fd: int) -> None:
    addr = sockaddr()
    addr.sin_zero = b"basura!!"
    lines = traced(lambda: c.bind(fd, c.cast("struct sockaddr *", addr), 16))
    assert lines[0].endswith("= 0")
    assert hints(lines) == ["hint: sin_zero is not zero: zero the whole struct first "
                            "(new() does)"]


def test_accept_with_addrlen_zero(fd: int) -> None:
    addr = sockaddr()
    assert c.bind(fd, c.cast("struct sockaddr *", addr), 16) == 0
    assert c.listen(fd, 1) == 0
    length = c.new("socklen_t *", 16)
    assert c.getsockname(fd, c.cast("struct sockaddr *", addr), length) == 0
    with socket.create_connection(("127.0.0.1", c.ntohs(addr.sin_port)), timeout=5):
        peer = c.new("struct sockaddr_in *")
        zero = c.new("socklen_t *")  # *addrlen 0: nothing is stored
        got: list[int] = []
        lines = traced(lambda: got.append(c.accept(fd, c.cast("struct sockaddr *", peer), zero)))
        c.close(got[0])
    assert got[0] >= 0
    assert hints(lines) == ["hint: *addrlen was 0: set it to sizeof the struct before accept()"]


def test_recv_into_bytes_is_refused(fd: int) -> None:
    data = b"inmutable"
    with pytest.raises(TypeError, match=re.escape(
            'recv() writes there; bytes can\'t change: use new("char[]", n)')):
        traced(lambda: c.recv(fd, data, len(data), 0))
    assert data == b"inmutable"


def test_eacces_below_1024() -> None:
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            if int(f.read()) == 0:
                pytest.skip("every port is unprivileged here (ip_unprivileged_port_start 0)")
    except OSError:
        pass
    # As an ordinary user (a child dropping root, if we are root).
    code = textwrap.dedent("""
        import os, io
        import csock.c as c, csock._trace, csock._hints  # before the files are out of reach
        if os.geteuid() == 0:
            os.setgroups([]); os.setgid(65534); os.setuid(65534)
        out = io.StringIO()
        a = c.new("struct sockaddr_in *")
        a.sin_family = c.AF_INET; a.sin_port = c.htons(80)
        a.sin_addr.s_addr = c.inet_addr(b"127.0.0.1")
        with c.tracing(file=out, hints=True):
            fd = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
            c.bind(fd, c.cast("struct sockaddr *", a), 16)
            c.close(fd)
        print(out.getvalue(), end="")
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=TIMEOUT, cwd="/")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "EACCES" in lines[1]
    assert hints(lines) == ["hint: ports below 1024 need root: pick one from 1024 up (10000)"]


def test_spanish_hints(fd: int) -> None:
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        addr = sockaddr(port=port)
        lines = traced(lambda: c.connect(fd, c.cast("struct sockaddr *", addr), 16), lang="es")
    assert hints(lines) == [f"pista: nadie escucha en 127.0.0.1:{port}: ¿hay "
                            "servidor, en ese puerto?"]


def test_language_as_gettext_picks_it() -> None:
    assert _hints.language({"LANG": "es_ES.UTF-8"}) == "es"
    assert _hints.language({"LANGUAGE": "en:es", "LANG": "es_ES.UTF-8"}) == "en"
    assert _hints.language({"LC_ALL": "es_MX.UTF-8", "LANG": "C"}) == "es"
    assert _hints.language({}) == "en"


@pytest.mark.parametrize("lang", [0, 1])
def test_every_hint_fits_80_columns(lang: int) -> None:
    fields = {"port": 65535, "swapped": 65535, "addr": "255.255.255.255:65535",
              "n": 8, "call": "getsockname", "fds": "3, 4, 5", "name": "sockaddr_in",
              "want": "struct sockaddr *", "owners": "pid 12345 (servidor.py)"}
    for key, texts in _hints.HINTS.items():
        line = "  pista: " + texts[lang].format(**fields)
        assert len(line) <= 80, (key, line)
        assert texts[lang].format(**fields) != texts[1 - lang].format(**fields), key


def test_hints_leave_the_trace_lines_as_they_are() -> None:
    def calls() -> None:
        fd = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
        a = sockaddr(port=10000, swap=False)
        c.bind(fd, c.cast("struct sockaddr *", a), 8)
        c.close(fd)

    plain = io.StringIO()
    with c.tracing(file=plain):
        calls()
    hinted = traced(calls)
    assert len(hints(hinted)) == 2
    assert [h for h in hinted if not h.startswith("  ")] == plain.getvalue().splitlines()


def test_hints_off_calls_are_the_raw_functions() -> None:
    assert c.htons is c.lib.htons and c.send is c.lib.send and c.recv is c.lib.recv
    with c.tracing(file=io.StringIO(), hints=True):
        assert c.send is not c.lib.send
    assert c.send is c.lib.send


def test_tracing_covers_star_imported_names() -> None:
    out = io.StringIO()
    module = {"__name__": "puerto", "out": out}
    exec(compile(textwrap.dedent("""
        import csock.c as c
        from csock.c import *
        with c.tracing(file=out):
            fd = socket(AF_INET, SOCK_STREAM, 0)
            close(fd)
        untraced = socket is c.lib.socket
    """), "puerto.py", "exec"), module)
    assert out.getvalue().splitlines() == [
        "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = " + str(module["fd"]),
        f"close({module['fd']})".ljust(40) + "= 0"]
    assert module["untraced"] is True


# ----------------------------------------------------------------- processes


def run_py(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items()
            if k not in ("CSOCK_TRACE", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=TIMEOUT, env=full)


@pytest.mark.parametrize(("lang", "expected"), [
    ("C", "  hint: descriptors still open at exit: {fds} (close() them)"),
    ("es_ES.UTF-8", "  pista: descriptores abiertos al salir: {fds} (ciérrelos con close())"),
])
def test_descriptors_open_at_exit(lang: str, expected: str) -> None:
    result = run_py("""
        from csock.c import *
        a = socket(AF_INET, SOCK_STREAM, 0)
        b = socket(AF_INET, SOCK_DGRAM, 0)
        closed = socket(AF_INET, SOCK_DGRAM, 0)
        close(closed)
        print(a, b)
    """, {"CSOCK_TRACE": "hints", "LANG": lang})
    assert result.returncode == 0, result.stderr
    a, b = result.stdout.split()
    assert result.stderr.splitlines()[-1] == expected.format(fds=f"{a}, {b}")


def test_type_mistakes_explained_where_reported() -> None:
    # Without CSOCK_TRACE: the excepthooks add the hint, no call pays for it.
    result = run_py("""
        import threading
        import csock, csock.c as c
        from csock.c import *
        def str_for_char():
            inet_addr("127.0.0.1")
        def int_for_pointer():
            fd = socket(AF_INET, SOCK_STREAM, 0)
            bind(fd, 0, 16)
        def no_struct():
            new("sockaddr_in *")
        def socket_for_fd():
            s = csock.socket()
            try:
                send(s, b"x", 1, 0)
            finally:
                s.close()
        def wrong_pointer():
            a = new("struct sockaddr_in *")
            connect(0, a, 16)
        for f in (str_for_char, int_for_pointer, no_struct, socket_for_fd):
            t = threading.Thread(target=f)
            t.start(); t.join()
        wrong_pointer()
    """)
    notes = [line for line in result.stderr.splitlines() if line.startswith("hint: ")]
    assert notes == [
        'hint: C wants bytes, not str: write b"..." (or text.encode())',
        "hint: C wants a pointer, not an int: pass what new() gave (servidor), or NULL",
        'hint: write "struct sockaddr_in": C\'s struct names include the word struct',
        "hint: a csock.Socket is not an fd: pass sock.fileno()",
        'hint: C wants a struct sockaddr * here: write cast("struct sockaddr *", ...)',
    ]


def test_unrelated_errors_get_no_hint() -> None:
    result = run_py("""
        import csock.c
        raise TypeError("an integer is required")
    """)
    assert "TypeError" in result.stderr and "hint" not in result.stderr


# ----------------------------------------------------------------- CLI


def csock_cmd(*args: str, env: dict[str, str] | None = None) -> list[str]:
    return [sys.executable, "-m", "csock", *args]


def test_cli_client_hints() -> None:
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        result = subprocess.run(csock_cmd("client", "127.0.0.1", str(port), "--hints"),
                                capture_output=True, text=True, timeout=TIMEOUT,
                                stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert (f"  hint: no server on 127.0.0.1:{port}: is it running, on that "
            "port?") in result.stderr.splitlines()


def test_cli_server_hints_name_the_owner() -> None:
    with listener() as holder:
        port = holder.getsockname()[1]
        result = subprocess.run(csock_cmd("server", str(port), "--hints"), capture_output=True,
                                text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert (f"  hint: port {port} is held by pid {os.getpid()} ({_owner_name()})"
            in result.stderr.splitlines())


def test_cli_demo_hints_none() -> None:
    result = subprocess.run(csock_cmd("demo", "--hints"), capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "sendto(" in result.stdout
    assert "hint:" not in result.stdout + result.stderr


# ----------------------------------------------------------------- examples

TUTORIAL = ROOT / "examples" / "tutorial"
CLASSIC = ROOT / "examples" / "classic"
READY = re.compile(r"Escuchando en el puerto (\d+)")


def _wait_ready(proc: subprocess.Popen[str]) -> tuple[int, list[str]]:
    """The port the server announced, and the stderr lines before it."""
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while True:
        m = READY.search(seen.decode(errors="replace"))
        if m:
            return int(m.group(1)), seen.decode(errors="replace").splitlines()
        left = deadline - time.monotonic()
        assert left > 0, seen
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            assert chunk, seen
            seen += chunk


def test_examples_give_no_hint(tmp_path: Path) -> None:
    env = dict(os.environ, CSOCK_TRACE="hints")
    env.pop("LANG", None)
    traces: list[str] = []

    def pair(server: list[str], client: list[str], stdin: str = "") -> None:
        with subprocess.Popen([sys.executable, *server], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              text=True) as srv:
            try:
                port, before = _wait_ready(srv)
                cli = subprocess.run([sys.executable, client[0], "127.0.0.1", str(port),
                                      *client[1:]], input=stdin, capture_output=True,
                                     text=True, timeout=TIMEOUT, env=env)
                assert cli.returncode == 0, cli.stderr
                out, err = srv.communicate(timeout=TIMEOUT)
            finally:
                if srv.poll() is None:
                    srv.kill()
        assert srv.returncode == 0, err
        traces.extend([*before, *err.splitlines(), *cli.stderr.splitlines()])

    source = tmp_path / "origen.txt"
    source.write_text("hola\n" * 500)
    pair([str(TUTORIAL / "servidor.py"), "0", "1"], [str(TUTORIAL / "cliente.py")],
         "hola servidor\n")
    pair([str(TUTORIAL / "transfer_servidor.py"), str(source), "0"],
         [str(TUTORIAL / "transfer_cliente.py"), str(tmp_path / "copia.txt")])
    sizes = subprocess.run([sys.executable, str(TUTORIAL / "estructurastam.py")],
                           capture_output=True, text=True, timeout=TIMEOUT, env=env)
    assert sizes.returncode == 0
    traces += sizes.stderr.splitlines()
    # examples/classic: tests/test_classic.py::test_ports_give_no_hint runs each
    # scenario's ports under CSOCK_TRACE=hints.
    assert any(line.startswith("accept(") for line in traces)
    assert [line for line in traces if "hint:" in line] == []


def test_sendto_a_port_whose_swap_is_round_gives_no_hint() -> None:
    """A kernel-chosen port (a recvfrom's sender, an ephemeral port) may swap to
    a round number: 4135 is 10000 swapped. Only bind's typed ports are judged
    (CI saw a random port trip this on the classic UDP talker)."""
    s = c.socket(c.AF_INET, c.SOCK_DGRAM, 0)
    try:
        addr = sockaddr(port=4135)  # swapped, 10000: round
        assert _hints.port_looks_swapped(4135)
        lines = traced(lambda: c.sendto(s, b"x", 1, 0, c.cast("struct sockaddr *", addr), 16))
    finally:
        c.close(s)
    assert lines[0].startswith("sendto(")
    assert hints(lines) == []
