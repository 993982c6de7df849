"""python -m csock netstat, demo --states and --step, and show() of struct tcp_info:
states as the kernel reports them (NETLINK_SOCK_DIAG), on loopback only."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from _support import ipv6_loopback_available

import csock.c as c
from csock.cli import netstat

TIMEOUT = 60
CSOCK = [sys.executable, "-m", "csock"]


def _sock_diag_available() -> bool:
    fd = c.socket(c.AF_NETLINK, c.SOCK_RAW, c.NETLINK_SOCK_DIAG)
    if fd < 0:
        return False
    c.close(fd)
    return True


pytestmark = pytest.mark.skipif(not _sock_diag_available(),
                                reason="no NETLINK_SOCK_DIAG socket here (kernel or sandbox)")

# A learner's server, written with csock's Pythonic layer: TCP on 127.0.0.1 and
# (when it can) ::1, UDP, and an AF_UNIX listener; it prints its ports and waits
# for its stdin to close.
SERVER = """\
import sys
import csock

tcp = csock.Socket(csock.AF_INET, csock.SOCK_STREAM)
tcp.bind(("127.0.0.1", 0))
tcp.listen(2)
udp = csock.Socket(csock.AF_INET, csock.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
unix = csock.Socket(csock.AF_UNIX, csock.SOCK_STREAM)
unix.bind(sys.argv[1])
unix.listen(1)
six = 0
if sys.argv[2] == "1":
    v6 = csock.Socket(csock.AF_INET6, csock.SOCK_STREAM)
    v6.bind(("::1", 0))
    v6.listen(1)
    six = v6.getsockname()[1]
print(tcp.getsockname()[1], udp.getsockname()[1], six, flush=True)
sys.stdin.read()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, int, int, str]]:
    """(pid, tcp port, udp port, ipv6 port or 0, unix path) of servidor_prueba.py."""
    folder = tmp_path_factory.mktemp("ns")
    script = folder / "servidor_prueba.py"
    script.write_text(SERVER)
    path = str(folder / "s.sock")
    v6 = "1" if ipv6_loopback_available() else "0"
    proc = subprocess.Popen([sys.executable, str(script), path, v6], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        tcp, udp, six = (int(x) for x in proc.stdout.readline().split())
        yield proc.pid, tcp, udp, six, path
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=TIMEOUT)
        proc.stdout.close()  # type: ignore[union-attr]


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CSOCK, *args], input=stdin, capture_output=True, text=True,
                          timeout=TIMEOUT)


def test_netstat_finds_the_server_with_pid_script_and_listen(server) -> None:
    pid, tcp, _udp, _six, _path = server
    out = run("netstat", "--port", str(tcp))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:3] == ["Proto", "Recv-Q", "Send-Q"]
    # Only the listener: an earlier test's closing connection may hold the
    # same number as its ephemeral port (seen: CLOSE_WAIT on the port).
    listening = [line for line in lines[1:] if " LISTEN " in line]
    assert len(listening) == 1, out.stdout
    assert re.fullmatch(rf"tcp +0 +2 +127\.0\.0\.1:{tcp} +0\.0\.0\.0:\* +LISTEN +"
                        rf"{pid}/servidor_prueba\.py", listening[0]), listening[0]


def test_netstat_filters(server) -> None:
    pid, tcp, udp, six, path = server
    rows = netstat.sockets()
    mine = netstat.select(rows, pid=pid)
    assert mine and all(r.pid == pid for r in mine)
    assert {r.proto for r in mine} >= {"tcp", "udp", "unix"}
    # Every row on that port number, and among them the server's UDP socket
    # (another test's TCP connection may hold the same number: seen in a run).
    on_port = netstat.select(rows, port=udp)
    assert all(udp in (r.local_port, r.foreign_port) for r in on_port)
    assert [r for r in on_port if r.proto == "udp"] == [r for r in mine if r.proto == "udp"]
    # --listening keeps the listeners and the unconnected UDP socket, drops the rest
    with socket.create_connection(("127.0.0.1", tcp)) as conn:
        port = conn.getsockname()[1]
        # This connection's two ends (an older connection of the suite may
        # still be in TIME_WAIT with the same ephemeral port at one end).
        both = [r for r in netstat.select(netstat.sockets(unix=False), port=port)
                if {r.local_port, r.foreign_port} == {port, tcp}]
        assert [r.state for r in both] == ["ESTABLISHED", "ESTABLISHED"]
        assert netstat.select(both, listening=True) == []
        listening = netstat.select(netstat.sockets(unix=False), port=tcp, listening=True)
        assert [(r.state, r.pid) for r in listening] == [("LISTEN", pid)]
    out = run("netstat", "--pid", str(pid), "--listening", "--no-unix")
    assert out.returncode == 0, out.stderr
    body = out.stdout.splitlines()[1:]
    assert {line.split()[0] for line in body} == ({"tcp", "udp", "tcp6"} if six
                                                  else {"tcp", "udp"})
    assert all(line.endswith(f"{pid}/servidor_prueba.py") for line in body)
    # a port nobody uses: the header alone
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        unused = free.getsockname()[1]
    assert run("netstat", "--port", str(unused)).stdout.count("\n") == 1
    assert run("netstat", "--port", "65536").returncode == 2


def test_netstat_ipv6_and_unix_rows(server) -> None:
    pid, _tcp, _udp, six, path = server
    mine = netstat.select(netstat.sockets(), pid=pid)
    unix = [r for r in mine if r.proto == "unix"]
    assert [(r.local, r.state, r.kind) for r in unix] == [(path, "LISTENING", "STREAM")]
    if not six:
        pytest.skip("no IPv6 loopback here")
    v6 = [r for r in mine if r.proto == "tcp6"]
    assert [(r.local, r.foreign, r.state) for r in v6] == [(f"::1:{six}", ":::*", "LISTEN")]


def test_netstat_sees_both_ends_of_a_unix_connection(sockdir: str) -> None:
    path = os.path.join(sockdir, "u")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen(1)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)
            conn, _ = listener.accept()
            with conn:
                client.send(b"hola")
                rows = {r.inode: r for r in netstat.unix_rows()}
                got = rows[os.fstat(conn.fileno()).st_ino]
                assert (got.state, got.local, got.recv_q) == ("CONNECTED", path, 4)
                peer = rows[os.fstat(client.fileno()).st_ino]
                assert (peer.state, peer.foreign) == ("CONNECTED", path)


def test_python_module_is_named_by_its_module() -> None:
    proc = subprocess.Popen([*CSOCK, "server", "0"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        m = re.search(rb"puerto (\d+)", proc.stderr.readline())
        assert m, "the server did not announce its port"
        rows = netstat.select(netstat.sockets(unix=False), port=int(m.group(1)))
        assert [(r.state, r.pid, r.program) for r in rows] == [("LISTEN", proc.pid, "csock")]
    finally:
        proc.terminate()
        proc.wait(timeout=TIMEOUT)
        proc.stderr.close()  # type: ignore[union-attr]


# ------------------------------------------------------------------ the demo

def test_demo_states_shows_listen_backlog_established_and_closing(
        capsys: pytest.CaptureFixture[str]) -> None:
    from csock.cli.main import main

    assert main(["demo", "--states"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    listen = next(i for i, line in enumerate(lines) if "server listen(" in line)
    assert re.fullmatch(r"  kernel server fd \d+ +127\.0\.0\.1:\d+ +0\.0\.0\.0:\* +LISTEN",
                        lines[listen + 1]), lines[listen + 1]
    connect = next(i for i, line in enumerate(lines) if "client connect(" in line)
    after_connect = lines[connect + 1:connect + 6]
    assert any("connection(s) in the backlog, waiting for accept()" in x
               for x in after_connect), after_connect
    assert any(re.search(r"server \(no fd\) .* ESTABLISHED$", x) for x in after_connect)
    assert any(re.search(r"client fd \d+ .* ESTABLISHED$", x) for x in after_connect)
    closed = next(i for i, line in enumerate(lines) if "client close(" in line)
    after_close = " ".join(lines[closed + 1:closed + 5])
    assert re.search(r"FIN_WAIT[12]|TIME_WAIT", after_close), after_close
    assert "CLOSE_WAIT" in after_close
    assert "TIME_WAIT" in out
    assert "demo OK" in out
    # without --states: no kernel line
    assert main(["demo"]) == 0
    assert "  kernel " not in capsys.readouterr().out


def test_demo_step_reads_enter_and_goes_on_at_end_of_input() -> None:
    # Two Enters for four pauses: then end of input, and the demo carries on.
    out = run("demo", "--step", stdin="\n\n")
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("(press Enter for the next step)") == 3
    assert "demo OK" in out.stdout
    closed = subprocess.run([*CSOCK, "demo", "--step"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert closed.returncode == 0 and closed.stderr.count("press Enter") == 1


# ------------------------------------------------------------------ struct tcp_info

def test_show_decodes_tcp_info() -> None:
    listener = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    client = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
    try:
        addr = c.new("struct sockaddr_in *")
        addr.sin_family = c.AF_INET
        addr.sin_addr.s_addr = c.htonl(0x7F000001)
        size = c.new("socklen_t *", c.sizeof("struct sockaddr_in"))
        sa = c.cast("struct sockaddr *", addr)
        assert c.bind(listener, sa, size[0]) == 0 and c.listen(listener, 1) == 0
        assert c.getsockname(listener, sa, size) == 0
        assert c.connect(client, sa, size[0]) == 0
        info = c.new("struct tcp_info *")
        n = c.new("socklen_t *", c.sizeof("struct tcp_info"))
        assert c.getsockopt(client, c.IPPROTO_TCP, c.TCP_INFO, info, n) == 0
        text = c.show(info)
        assert text.startswith("{tcpi_state=TCP_ESTABLISHED, tcpi_ca_state=0, ")
        assert re.search(r"tcpi_options=[A-Z_|]*TCPI_OPT_SACK", text)
        assert f"tcpi_rtt={info.tcpi_rtt}, " in text and "tcpi_total_retrans=0}" in text
        assert c.getsockopt(listener, c.IPPROTO_TCP, c.TCP_INFO, info, n) == 0
        assert c.show(info).startswith("{tcpi_state=TCP_LISTEN, ")
        info.tcpi_state = 99
        assert c.show(info).startswith("{tcpi_state=0x63 /* TCP_??? */, ")
    finally:
        c.close(client)
        c.close(listener)

