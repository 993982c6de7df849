"""Classic network programs in the styles of Stevens (UNP), Beej and Kerrisk (TLPI),
in tests/port_network, translated by ``python -m csock port`` and run unedited
against their C originals: each server with each of its clients in the four
pairings (C-C, C-port, port-C, port-port), on 127.0.0.1 and ::1, with free
ports (the servers bind port 0 and print the kernel's choice on stderr), or on
an AF_UNIX path in a temporary directory. Every pairing must print what the
C-C pairing prints."""

from __future__ import annotations

import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from _support import ipv6_loopback_available

from csock.port import port

HERE = Path(__file__).resolve().parent / "port_network"
PROGRAMS = sorted(p.stem for p in HERE.glob("*.c"))
TIMEOUT = 20
READY = re.compile(rb"port (\d+)\n")
CTIME = re.compile(rb"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r\n")
LANGS = ("c", "port")
PAIRS = [(s, k) for s in LANGS for k in LANGS]


@pytest.fixture(scope="module")
def progs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """name -> {"c": argv of the compiled C, "port": argv of the tool's port}."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH")
    out = tmp_path_factory.mktemp("port-network")
    made = {}
    for name in PROGRAMS:
        src = HERE / f"{name}.c"
        subprocess.run([cc, "-Wall", "-Wextra", "-Werror", "-o", str(out / name), str(src)],
                       check=True, timeout=120)
        result = port(src.read_text(), str(src))
        assert result.errors == []
        (out / f"{name}.py").write_text(result.python)
        made[name] = {"c": [str(out / name)], "port": [sys.executable, str(out / f"{name}.py")]}
    return made


@dataclass
class Scenario:
    server: str
    server_args: list[str]  # {host}: the address
    client: str
    client_args: list[str]  # {host}, {port}
    stdin: bytes = b""


def big_input() -> bytes:
    rnd = random.Random(5)
    lines = [bytes(rnd.choice(b"abcdefghij \xc3\xb1\xff\x01XYZ") for _ in range(rnd.randrange(100)))
             for _ in range(2000)]
    return b"\n".join(lines) + b"no newline at the end"


CHAT = (b"/nick ana\n/who\nhola a todos\n/me waves\n/x\n/nick\n/nickname bob\n"
        + b"x" * 300 + b"\nlast, no newline")
# chatsrv's log: of the line too long, the first 255 bytes are dropped; a last
# line without its newline is never said
CHAT_LOG = (b"guest1 joined\nguest1 is now ana\nana: hola a todos\nana is now bob\n"
            b"bob: " + b"x" * 45 + b"\nbob left\n")

SCENARIOS = {
    "daytime": Scenario("daytimesrv", ["0", "1"], "daytimecli", ["127.0.0.1", "{port}"]),
    "echo-fork-select": Scenario("echoforksrv", ["0", "1"], "echoselcli",
                                 ["127.0.0.1", "{port}"],
                                 b"hello\n\nworld \xc3\xb1\nno newline"),
    "echo-fork-select-big": Scenario("echoforksrv", ["0", "1"], "echoselcli",
                                     ["127.0.0.1", "{port}"], big_input()),
    "udp-echo": Scenario("udpechosrv", ["{host}", "0", "3"], "udpechocli",
                         ["{host}", "{port}", "uno", "dos dos", "tres"]),
    "udp-dg-cli": Scenario("udpechosrv", ["127.0.0.1", "0", "4"], "dgcli",
                           ["127.0.0.1", "{port}"], b"one\ntwo two\n\nthree"),
    "udp-dg-alarm": Scenario("udpechosrv", ["127.0.0.1", "0", "2"], "dgalarm",
                             ["127.0.0.1", "{port}"], b"one\ntwo"),
    "lines-sendall": Scenario("linesrv", ["{host}", "0", "1"], "sendallcli",
                              ["{host}", "{port}"], big_input()),
    "lines-nbconnect": Scenario("linesrv", ["127.0.0.1", "0", "1"], "nbconnect",
                                ["127.0.0.1", "{port}", "hola, mundo"]),
    "lines-msgcli": Scenario("linesrv", ["127.0.0.1", "0", "1"], "msgcli",
                             ["127.0.0.1", "{port}", "extra, extra"]),
    # getopt(), length-prefixed frames (MSG_PEEK, MSG_WAITALL, memmove)
    "frames": Scenario("framesrv", ["-v", "-b", "4096", "-p", "0", "-n", "1"], "framecli",
                       ["-c", "700", "-p", "{port}"], big_input()),
    "frames-localhost": Scenario("framesrv", ["-n", "1", "-p", "0"], "framecli",
                                 ["-h", "localhost", "-p", "{port}", "-c", "0x10"],
                                 b"gethostbyname"),
    # select() over AF_UNIX, a client table, strtok() commands
    "chat": Scenario("chatsrv", ["{sock}", "1"], "chatcli", ["{sock}"], CHAT),
    "chat-quit": Scenario("chatsrv", ["{sock}", "1"], "chatcli", ["{sock}"],
                          b"/who\n/quit\nnot read\n"),
}
FAMILY = {"udp-echo", "lines-sendall"}  # run on ::1 as well
HOSTS = ["127.0.0.1"] + (["::1"] if ipv6_loopback_available() else [])
CASES = [pytest.param(w, h, s, k, id=f"{w}-{h}-{s}-{k}")
         for w in SCENARIOS for h in (HOSTS if w in FAMILY else ["127.0.0.1"])
         for s, k in PAIRS]


def run_pair(progs: dict[str, dict[str, list[str]]], s: Scenario, host: str, srv: str,
             cli: str) -> tuple[tuple[int, bytes, bytes], tuple[int, bytes, bytes]]:
    """(client's (status, stdout, stderr), server's (status, stdout, stderr))."""
    with tempfile.TemporaryDirectory() as sockdir:
        fill = {"host": host, "sock": str(Path(sockdir) / "chat.sock")}
        return _run_pair(progs, s, fill, srv, cli)


def _run_pair(progs: dict[str, dict[str, list[str]]], s: Scenario, fill: dict[str, str],
              srv: str, cli: str) -> tuple[tuple[int, bytes, bytes], tuple[int, bytes, bytes]]:
    with tempfile.TemporaryFile() as out:
        server = subprocess.Popen(progs[s.server][srv] + [a.format(**fill) for a in s.server_args],
                                  stdout=out, stderr=subprocess.PIPE)
        try:
            assert server.stderr is not None
            first = server.stderr.readline()
            ready = READY.search(first)
            assert ready, first
            fill["port"] = ready.group(1).decode()
            client = subprocess.run(progs[s.client][cli] + [a.format(**fill)
                                                            for a in s.client_args],
                                    input=s.stdin, capture_output=True, timeout=TIMEOUT)
            _, err = server.communicate(timeout=TIMEOUT)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        out.seek(0)
        shown = CTIME.sub(b"<ctime>", client.stdout)
        if fill["port"] != "0":  # "port 0": an AF_UNIX server
            shown = shown.replace(b":" + fill["port"].encode(), b":<port>")
        return ((client.returncode, shown, client.stderr),
                (server.returncode, out.read(), err))


@pytest.mark.parametrize(("which", "host", "srv", "cli"), CASES)
def test_port_talks_to_its_c_original(progs, which: str, host: str, srv: str,
                                      cli: str) -> None:
    s = SCENARIOS[which]
    expected = run_pair(progs, s, host, "c", "c")
    got = run_pair(progs, s, host, srv, cli)
    assert got == expected
    assert expected[0][0] == 0 and expected[1][0] == 0
    assert expected[0][1]  # the client printed something


def test_daytime_line(progs) -> None:
    client, _server = run_pair(progs, SCENARIOS["daytime"], "127.0.0.1", "port", "port")
    assert client == (0, b"<ctime>", b"")


def test_scenarios_show_what_they_carry(progs) -> None:
    """What the pairings compare is the programs' real work, not two empty outputs."""
    client, server = run_pair(progs, SCENARIOS["lines-sendall"], "127.0.0.1", "port", "port")
    data = big_input()
    assert f"client: sent {len(data)} bytes".encode() in client[1]
    assert server[1].count(b"\nline ") == data.count(b"\n") + 1  # the last has no newline
    client, server = run_pair(progs, SCENARIOS["echo-fork-select-big"], "127.0.0.1", "port",
                              "c")
    assert client[1] == big_input()
    assert server[1] == b"child terminated\n"


@pytest.mark.parametrize("lang", LANGS)
def test_udp_timeouts(progs, lang: str) -> None:
    """A server that never answers: SO_RCVTIMEO's EAGAIN, and SIGALRM's EINTR (the
    handler installed without SA_RESTART)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        p = str(silent.getsockname()[1])
        rcv = subprocess.run(progs["udpechocli"][lang] + ["127.0.0.1", p, "hola"],
                             capture_output=True, timeout=TIMEOUT)
        alarm = subprocess.run(progs["dgalarm"][lang] + ["127.0.0.1", p], input=b"a\nb\n",
                               capture_output=True, timeout=TIMEOUT)
    assert (rcv.returncode, rcv.stdout, rcv.stderr) == (3, b"", b"timeout\n")
    assert (alarm.returncode, alarm.stdout, alarm.stderr) == \
        (0, b"2 timeout(s)\n", b"socket timeout\nsocket timeout\n")


@pytest.mark.parametrize("lang", LANGS)
def test_refused_and_bad_arguments(progs, lang: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        p = str(s.getsockname()[1])  # bound, not listening: refused
        cases = [("nbconnect", ["127.0.0.1", p, "x"], 2, b"connect: Connection refused\n"),
                 ("msgcli", ["127.0.0.1", p], 1,
                  f"connect error to port {p}: Connection refused\n".encode()),
                 ("msgcli", ["127.0.0.1", "12x"], 1, b"bad port: 12x\n"),
                 ("nbconnect", ["127.1", p, "x"], 1, b"bad address 127.1\n"),
                 ("daytimecli", ["1.2.3", p], 1, b"inet_pton error for 1.2.3\n"),
                 ("daytimecli", [], 1, b"usage: daytimecli <IPaddress> <port>\n")]
        for name, args, status, err in cases:
            r = subprocess.run(progs[name][lang] + args, capture_output=True, timeout=TIMEOUT)
            assert (r.returncode, r.stdout, r.stderr) == (status, b"", err), name


def test_sockpair(progs) -> None:
    data = big_input()
    runs = [subprocess.run(progs["sockpair"][lang], input=data, capture_output=True,
                           timeout=TIMEOUT) for lang in LANGS]
    assert runs[0].stdout == runs[1].stdout
    assert runs[1].stdout.startswith(data.upper()[:50])
    assert runs[1].stdout.endswith(b"child exited with status 0 after %d bytes\n" % len(data))
    assert [r.returncode for r in runs] == [0, 0] and runs[1].stderr == b""


def test_frames_and_chat_show_what_they_carry(progs) -> None:
    data = big_input()
    client, server = run_pair(progs, SCENARIOS["frames"], "127.0.0.1", "port", "port")
    frames = -(-len(data) // 700)
    assert client[1].endswith(b"sent %d frames, %d bytes; %d replies\n"
                              % (frames, len(data), frames))
    assert server[1].startswith(b"rcvbuf at least asked (optlen 4)\nframe 1: 700 bytes, sum ")
    assert server[1].count(b"\nframe ") == frames
    client, server = run_pair(progs, SCENARIOS["frames-localhost"], "127.0.0.1", "port", "c")
    assert client[1] == b"reply 1: ok 13 %d\nsent 1 frames, 13 bytes; 1 replies\n" % (
        int(server[1].split()[-1]))
    client, server = run_pair(progs, SCENARIOS["chat"], "127.0.0.1", "port", "port")
    assert client[1].startswith(b"you are ana\nhere: ana (you)\n* ana waves\n"
                                b"unknown command /x\nunknown command /nick\nyou are bob\n")
    assert server[1] == CHAT_LOG
    client, server = run_pair(progs, SCENARIOS["chat-quit"], "127.0.0.1", "c", "port")
    assert client[1] == b"here: guest1 (you)\nbye\n-- sent 20, got 23, sum %d\n" % (
        int(client[1].split()[-1]))


@pytest.mark.parametrize("lang", LANGS)
def test_frame_client_options_and_addresses(progs, lang: str) -> None:
    """getopt()'s own message (argv[0] is the program's path in both), the usage
    message, strtoul()'s end pointer, inet_addr()'s INADDR_NONE."""
    argv0 = progs["framecli"][lang][-1].encode()
    cases = [(["-p", "1", "-z"], 2, b"PROG: invalid option -- 'z'\n"
              b"usage: framecli [-c chunk] [-h host] -p port\n"),
             (["-p"], 2, b"PROG: option requires an argument -- 'p'\n"
              b"usage: framecli [-c chunk] [-h host] -p port\n"),
             (["-p", "9", "extra"], 2, b"usage: framecli [-c chunk] [-h host] -p port\n"),
             (["-p", "9", "-c", "12k"], 2, b"bad chunk size: 12k\n"),
             (["-p", "9", "-c", "0"], 2, b"bad chunk size: 0\n"),
             (["-p", "9", "-h", "1.2.3.256"], 1, b"bad address: 1.2.3.256\n"),
             (["-p", "9", "-h", "255.255.255.255"], 1, b"bad address: 255.255.255.255\n")]
    for args, status, err in cases:
        r = subprocess.run(progs["framecli"][lang] + args, capture_output=True,
                           timeout=TIMEOUT)
        assert (r.returncode, r.stdout, r.stderr.replace(argv0, b"PROG")) == \
            (status, b"", err), args
