"""The classic socket programs (examples/classic): C and Python ports interoperate.

Every C program is compiled once per module with ``-Wall -Wextra -Werror``.
Each server is run with each of its clients in the four pairings (C-C, C-Py,
Py-C, Py-Py): TCP and UDP on 127.0.0.1 and ::1 (the ::1 cases skip when the
loopback has no IPv6), AF_UNIX on paths in a temporary directory. Servers run
on port 0 and print the kernel's choice on stderr; every program ends by
itself (servers after a given number of clients).

Traces: each port runs with ``CSOCK_TRACE=1`` and each C program under
``strace -ff -e trace=SET -o FILE`` in the same scenario, with the other
programs in C; the two traces must then be equal line for line after one
normalisation, the same for both sides:

* lines are split by process (strace -ff writes one file per pid; csock's
  trace puts ``[pid N]`` before a forked child's lines) and laid end to end:
  the first process, then its children in the order they were forked;
* descriptors are renamed fd0, fd1... by first appearance (inside select and
  poll sets and SCM_RIGHTS data too); non-zero ports, pointers and
  ``child_tidptr`` are masked;
* a call that a signal interrupted is dropped (strace shows ``= ?
  ERESTARTSYS`` where the kernel restarts it, csock's trace ``= -1 EINTR``
  where csock.c restarts it for SA_RESTART; when the signal comes is timing),
  and so are ``---``/``+++`` lines, writes to fds 1 and 2, and everything
  before the program's first ``socket()`` (or its ``openat()`` of the file it
  sends);
* in ``rt_sigaction`` the handler's address, ``sa_restorer`` and the
  ``SA_RESTORER``/``SA_ONSTACK`` flags (details of the signal frame that
  Python's own handler sets up) are dropped.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
from _support import LOCALHOST_FAMILIES, ipv6_loopback_available

import csock.c as csock_c

ROOT = Path(__file__).resolve().parent.parent
CLASSIC = ROOT / "examples" / "classic"
PROGRAMS = ("showip", "streamserver", "streamclient", "forkserver", "selectserver",
            "pollserver", "chatclient", "listener", "talker", "unixserver", "unixclient",
            "unixdgramserver", "unixdgramclient", "recvfd", "sendfd", "seqserver",
            "seqclient")
LANGS = ("c", "py")
PAIRS = [(srv, cli) for srv in LANGS for cli in LANGS]
PAIR_IDS = [f"{srv}-{cli}" for srv, cli in PAIRS]
TIMEOUT = 20  # seconds for any single step

IPV6 = ipv6_loopback_available()
HOSTS = [pytest.param("127.0.0.1", id="ipv4"),
         pytest.param("::1", id="ipv6",
                      marks=pytest.mark.skipif(not IPV6, reason="no IPv6 on the loopback"))]

READY_PORT = re.compile(rb"waiting for (?:connections|datagrams) on port (\d+)\n")
READY_PATH = re.compile(rb"waiting on (.+)\n")


# --------------------------------------------------------------------------
# Set-up: the C programs, the commands


@pytest.fixture(scope="module")
def binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every classic C program, compiled once into a temporary directory."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH: cannot build the classic programs")
    out = tmp_path_factory.mktemp("classic-bin")
    built = {name: out / name for name in PROGRAMS}
    # Two compilers at a time: the machines that run this have two cores.
    for batch in (PROGRAMS[i:i + 2] for i in range(0, len(PROGRAMS), 2)):
        jobs = {name: subprocess.Popen(
            [cc, "-Wall", "-Wextra", "-Werror", "-O2", "-o", str(built[name]),
             str(CLASSIC / f"{name}.c")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for name in batch}
        for name, job in jobs.items():
            _, err = job.communicate(timeout=120)
            assert job.returncode == 0, f"{name}.c does not build cleanly:\n{err.decode()}"
    return built


@pytest.fixture
def sockdir() -> Iterator[Path]:
    """A short temporary directory for AF_UNIX paths (sun_path holds 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="classic-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def plain_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CSOCK_TRACE", None)
    env.pop("CSOCK_TRACE_STRSIZE", None)
    return env


@dataclass
class Cmd:
    """How to start one program: argv prefix and environment."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=plain_env)

    def __call__(self, *args: str) -> tuple[list[str], dict[str, str]]:
        return [*self.argv, *args], self.env


@pytest.fixture
def prog(request: pytest.FixtureRequest) -> Callable[[str, str], Cmd]:
    """prog(lang, name) -> the command that runs a classic program, untraced."""

    def command(lang: str, name: str) -> Cmd:
        if lang == "c":
            return Cmd([str(request.getfixturevalue("binaries")[name])])
        return Cmd([sys.executable, str(CLASSIC / f"{name}.py")])

    return command


# --------------------------------------------------------------------------
# Running programs: deadlines everywhere


def read_until(proc: subprocess.Popen[bytes], pipe: IO[bytes] | None, pattern: bytes,
               seen: bytearray) -> re.Match[bytes]:
    """Read a child's pipe into seen until pattern matches in it (raw reads, a deadline)."""
    assert pipe is not None
    fd = pipe.fileno()
    regex = re.compile(pattern)
    deadline = time.monotonic() + TIMEOUT
    while (match := regex.search(seen)) is None:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no {pattern!r} after {TIMEOUT} s; so far: {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                proc.wait(timeout=TIMEOUT)
                pytest.fail(f"child exited ({proc.returncode}) before {pattern!r}: "
                            f"{bytes(seen)!r}")
            seen += chunk
    return match


@dataclass
class Child:
    """A running program and what it has printed so far."""

    proc: subprocess.Popen[bytes]
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)

    def wait_out(self, pattern: bytes) -> re.Match[bytes]:
        return read_until(self.proc, self.proc.stdout, pattern, self.out)

    def wait_err(self, pattern: bytes) -> re.Match[bytes]:
        return read_until(self.proc, self.proc.stderr, pattern, self.err)

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_stdin(self) -> None:
        """End of input for the child (communicate() must not see a closed pipe)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
            self.proc.stdin = None

    def finish(self) -> tuple[int, bytes, bytes]:
        """Wait for the end; (status, all stdout, all stderr)."""
        self.close_stdin()
        out, err = self.proc.communicate(timeout=TIMEOUT)
        self.out += out
        self.err += err
        return self.proc.returncode, bytes(self.out), bytes(self.err)


@contextmanager
def started(cmd: tuple[list[str], dict[str, str]], stdin: bool = False) -> Iterator[Child]:
    """A child with piped stdout/stderr (and stdin); killed if still running at the end."""
    argv, env = cmd
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
    try:
        yield Child(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def run(cmd: tuple[list[str], dict[str, str]]) -> subprocess.CompletedProcess[bytes]:
    argv, env = cmd
    return subprocess.run(argv, env=env, capture_output=True, timeout=TIMEOUT)


def ok(result: subprocess.CompletedProcess[bytes]) -> subprocess.CompletedProcess[bytes]:
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result


# Each scenario runs one server with its clients, checks what they print, and
# returns every program's stderr by role (the traces of the traced one). The
# client under test runs first; a second client, where there is one, is the C
# program ("other"): it exercises the server's loop without another Python start.
Roles = dict[str, bytes]


def scenario_stream(server: Cmd, client: Cmd, other: Cmd, host: str, **_: object) -> Roles:
    with started(server(host, "0", "2")) as srv:
        port = srv.wait_err(READY_PORT.pattern).group(1).decode()
        first = ok(run(client(host, port, "hola mundo")))
        second = ok(run(other(host, port, "x" * 255)))  # all that fits the client's buffer
        status, out, err = srv.finish()
    assert status == 0, err
    assert first.stdout == (f"streamclient: connecting to {host}\n"
                            "streamclient: received 'hola mundo'\n").encode()
    assert second.stdout.endswith(b"streamclient: received '" + b"x" * 255 + b"'\n")
    assert out == f"streamserver: got connection from {host}\n".encode() * 2
    return {"server": err, "client": first.stderr}


def scenario_fork(server: Cmd, client: Cmd, other: Cmd, host: str, **_: object) -> Roles:
    with started(server(host, "0", "2")) as srv:
        port = srv.wait_err(READY_PORT.pattern).group(1).decode()
        first = ok(run(client(host, port, "Hola, mundo")))
        second = ok(run(other(host, port, "abc\tdef\n")))
        status, out, err = srv.finish()
    assert status == 0, err
    assert first.stdout.endswith(b"streamclient: received 'HOLA, MUNDO'\n")
    assert second.stdout.endswith(b"streamclient: received 'ABC\tDEF\n'\n")
    assert out == f"forkserver: got connection from {host}\n".encode() * 2
    return {"server": err, "client": first.stderr}


def scenario_chat(server: Cmd, client: Cmd, other: Cmd, host: str, name: str,
                  **_: object) -> Roles:
    """Two chat clients; every step waits for its effect, so select()/poll() see one event."""
    new = rb"new connection from " + re.escape(host.encode()) + rb" on socket (\d+)\n"
    with started(server(host, "0", "2")) as srv:
        port = srv.wait_err(READY_PORT.pattern).group(1).decode()
        with started(client(host, port), stdin=True) as b:
            srv.wait_out(new)
            with started(other(host, port), stdin=True) as a:
                srv.wait_out(new + rb"(?s:.*)" + new)
                a.send(b"hello from A\n")
                b.wait_out(rb"hello from A\n")
                b.send(b"hi A\n")
                a.wait_out(rb"hi A\n")
                a.close_stdin()
                srv.wait_out(rb"hung up\n")
                a_status, a_out, a_err = a.finish()
            b_status, b_out, b_err = b.finish()
        status, out, err = srv.finish()
    assert (a_status, a_out) == (0, b"hi A\n"), a_err
    assert (b_status, b_out) == (0, b"hello from A\n"), b_err
    assert status == 0, err
    lines = out.decode().splitlines()
    assert [re.sub(r"socket \d+", "socket N", x) for x in lines] == [
        f"{name}: new connection from {host} on socket N",
        f"{name}: new connection from {host} on socket N",
        f"{name}: socket N hung up",
        f"{name}: socket N hung up"]
    sockets = [x.split()[-1] for x in lines[:2]]
    assert lines[2].split()[2] == sockets[1] and lines[3].split()[2] == sockets[0]
    return {"server": err, "client": b_err}  # b: the first client started


def scenario_udp(server: Cmd, client: Cmd, other: Cmd, host: str, **_: object) -> Roles:
    with started(server(host, "0", "2")) as srv:
        port = srv.wait_err(READY_PORT.pattern).group(1).decode()
        first = ok(run(client(host, port, "hola")))
        second = ok(run(other(host, port, "y" * 120)))  # cut at MAXBUFLEN - 1
        status, out, err = srv.finish()
    assert status == 0, err
    assert first.stdout == f"talker: sent 4 bytes to {host}\n".encode()
    assert second.stdout == f"talker: sent 120 bytes to {host}\n".encode()
    assert out == (f"listener: got packet from {host}\n"
                   "listener: packet is 4 bytes long\n"
                   'listener: packet contains "hola"\n'
                   f"listener: got packet from {host}\n"
                   "listener: packet is 99 bytes long\n"
                   f'listener: packet contains "{"y" * 99}"\n').encode()
    return {"server": err, "client": first.stderr}


def scenario_unix(server: Cmd, client: Cmd, other: Cmd, sockdir: Path, **_: object) -> Roles:
    path = str(sockdir / "echo.sock")
    with started(server(path, "1")) as srv:
        srv.wait_err(READY_PATH.pattern)
        result = ok(run(client(path, "uno", "dos tres", "z" * 99)))
        status, out, err = srv.finish()
    assert status == 0, err
    assert result.stdout == b"echo> uno\necho> dos tres\necho> " + b"z" * 99 + b"\n"
    assert out == b"unixserver: connected\n"
    assert not os.path.exists(path)
    return {"server": err, "client": result.stderr}


def scenario_unix_dgram(server: Cmd, client: Cmd, other: Cmd, sockdir: Path,
                        **_: object) -> Roles:
    path = str(sockdir / "dgram.sock")
    mine = [str(sockdir / "c1.sock"), str(sockdir / "c2.sock")]
    with started(server(path, "2")) as srv:
        srv.wait_err(READY_PATH.pattern)
        first = ok(run(client(path, mine[0], "hola")))
        second = ok(run(other(path, mine[1], "adios, servidor")))
        status, out, err = srv.finish()
    assert status == 0, err
    assert (first.stdout, second.stdout) == (b"echo> hola\n", b"echo> adios, servidor\n")
    assert out == (f"unixdgramserver: 4 bytes from {mine[0]}\n"
                   f"unixdgramserver: 15 bytes from {mine[1]}\n").encode()
    assert not any(os.path.exists(p) for p in [path, *mine])
    return {"server": err, "client": first.stderr}


FILE_DATA = bytes(range(256)) * 5 + b"the end\n"  # 1288 bytes: three read()s of 512


def scenario_fd(server: Cmd, client: Cmd, other: Cmd, sockdir: Path, **_: object) -> Roles:
    path = str(sockdir / "fd.sock")
    source = sockdir / "secret.bin"
    source.write_bytes(FILE_DATA)
    with started(server(path)) as srv:
        srv.wait_err(READY_PATH.pattern)
        result = ok(run(client(path, str(source))))
        status, out, err = srv.finish()
    assert status == 0, err
    assert result.stdout == b""
    assert out == FILE_DATA
    return {"server": err, "client": result.stderr}


def scenario_seq(server: Cmd, client: Cmd, other: Cmd, host: str, **_: object) -> Roles:
    with started(server(host, "0", "2")) as srv:
        port = srv.wait_err(READY_PORT.pattern).group(1).decode()
        first = ok(run(client(host, port, "alice", "3")))
        second = ok(run(other(host, port, "b" * 40, "5")))  # the name is cut to 31 bytes
        status, out, err = srv.finish()
    assert status == 0, err
    assert first.stdout == b"seqclient: alice got 1 to 3\n"
    assert second.stdout == b"seqclient: " + b"b" * 31 + b" got 4 to 8\n"
    assert out == (b"seqserver: alice wants 3, gets 1 to 3\n"
                   b"seqserver: " + b"b" * 31 + b" wants 5, gets 4 to 8\n")
    return {"server": err, "client": first.stderr}


@dataclass(frozen=True)
class Scenario:
    run: Callable[..., Roles]
    server: str
    client: str
    unix: bool = False


SCENARIOS = {
    "stream": Scenario(scenario_stream, "streamserver", "streamclient"),
    "fork": Scenario(scenario_fork, "forkserver", "streamclient"),
    "select": Scenario(scenario_chat, "selectserver", "chatclient"),
    "poll": Scenario(scenario_chat, "pollserver", "chatclient"),
    "udp": Scenario(scenario_udp, "listener", "talker"),
    "seq": Scenario(scenario_seq, "seqserver", "seqclient"),
    "unix": Scenario(scenario_unix, "unixserver", "unixclient", unix=True),
    "unix_dgram": Scenario(scenario_unix_dgram, "unixdgramserver", "unixdgramclient", unix=True),
    "fd": Scenario(scenario_fd, "recvfd", "sendfd", unix=True),
}
INET = [name for name, s in SCENARIOS.items() if not s.unix]
UNIX = [name for name, s in SCENARIOS.items() if s.unix]


# What a port needs from csock.c beyond the sockets API.
REQUIRES = {"seqserver": "cdef", "seqclient": "cdef", "recvfd": "cdef", "sendfd": "cdef",
            "forkserver": "sigaction"}


def needs_port(*names: str) -> None:
    """Skip when a Python port is not there yet, or csock.c lacks what it needs."""
    missing = [n for n in names if not (CLASSIC / f"{n}.py").exists()]
    if missing:
        pytest.skip(f"not ported yet: {', '.join(missing)}")
    lacking = [n for n in names if n in REQUIRES and not hasattr(csock_c, REQUIRES[n])]
    if lacking:
        pytest.skip(", ".join(f"{n}.py needs csock.c.{REQUIRES[n]}" for n in lacking))


def cmd_for(prog: Callable[[str, str], Cmd], lang: str, name: str) -> Cmd:
    if lang == "py":
        needs_port(name)
    return prog(lang, name)


# --------------------------------------------------------------------------
# Every pairing


@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("which", INET)
def test_inet_pairing_ipv4(prog, which: str, srv: str, cli: str) -> None:
    s = SCENARIOS[which]
    s.run(cmd_for(prog, srv, s.server), cmd_for(prog, cli, s.client), prog("c", s.client),
          host="127.0.0.1", name=s.server)


@pytest.mark.skipif(not IPV6, reason="no IPv6 on the loopback")
@pytest.mark.parametrize(("srv", "cli"), [("c", "c"), ("c", "py"), ("py", "c")],
                         ids=["c-c", "c-py", "py-c"])
@pytest.mark.parametrize("which", INET)
def test_inet_pairing_ipv6(prog, which: str, srv: str, cli: str) -> None:
    """IPv6: C-C and the two mixed pairings (each port both ways); IPv4 runs all four."""
    s = SCENARIOS[which]
    s.run(cmd_for(prog, srv, s.server), cmd_for(prog, cli, s.client), prog("c", s.client),
          host="::1", name=s.server)


@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("which", UNIX)
def test_unix_pairing(prog, sockdir: Path, which: str, srv: str, cli: str) -> None:
    s = SCENARIOS[which]
    s.run(cmd_for(prog, srv, s.server), cmd_for(prog, cli, s.client), prog("c", s.client),
          sockdir=sockdir)


@pytest.mark.parametrize("which", list(SCENARIOS))
def test_ports_give_no_hint(prog, sockdir: Path, which: str) -> None:
    """Both ports of each scenario under CSOCK_TRACE=hints: a hint would be a
    mistake in our own examples (tests/test_hints.py does the tutorial's)."""
    s = SCENARIOS[which]

    def hinted(name: str) -> Cmd:
        return Cmd(cmd_for(prog, "py", name).argv, {**plain_env(), "CSOCK_TRACE": "hints"})

    roles = s.run(hinted(s.server), hinted(s.client), prog("c", s.client), host="127.0.0.1",
                  sockdir=sockdir, name=s.server)
    text = b"".join(roles.values())
    assert re.search(rb"^(socket|accept4?|recvfrom|sendto)\(", text, re.M), text  # traced
    assert b"hint:" not in text and b"pista:" not in text, text


SHOWIP_HOSTS = ["127.0.0.1", "::ffff:127.0.0.1"]
if 0 in LOCALHOST_FAMILIES:  # AF_UNSPEC "localhost" answered from /etc/hosts alone
    SHOWIP_HOSTS.append("localhost")


@pytest.mark.parametrize("lang", LANGS)
def test_showip(prog, lang: str) -> None:
    for host in SHOWIP_HOSTS:
        result = ok(run(cmd_for(prog, lang, "showip")(host)))
        lines = result.stdout.decode().splitlines()
        assert lines[0] == f"IP addresses for {host}:"
        if host == "localhost":
            assert "  IPv4: 127.0.0.1" in lines[1:]
        elif host == "127.0.0.1":
            assert lines[1:] == ["  IPv4: 127.0.0.1"]
        else:
            assert lines[1:] == [f"  IPv6: {host}"]
        if lang == "py":  # the same answer as the C program's
            assert result.stdout == ok(run(prog("c", "showip")(host))).stdout


@pytest.mark.parametrize("name", ["showip", "streamserver", "chatclient", "unixclient",
                                  "seqclient", "sendfd"])
def test_usage(prog, name: str) -> None:
    """No arguments: both languages print the same usage line and fail the same way
    (a sample: each check starts a Python)."""
    needs_port(name)
    results = [run(prog(lang, name)()) for lang in LANGS]
    for result in results:
        assert result.returncode == 1 and result.stdout == b""
        assert re.fullmatch(rb"usage: %s [A-Z. ]+\n" % name.encode(), result.stderr), result.stderr
    assert results[0].stderr == results[1].stderr


# --------------------------------------------------------------------------
# Traces: CSOCK_TRACE of each port against strace -ff of its C program


TRACE_SET = ("socket,bind,listen,accept,accept4,connect,sendto,recvfrom,sendmsg,recvmsg,"
             "setsockopt,getsockname,shutdown,close,read,write,openat,unlink,pselect6,poll")
CALL = re.compile(r"^([a-z_0-9]+)\((.*)\) +=( .*)$")
NO_FD_ARG = {"socket", "openat", "unlink", "pselect6", "poll", "clone", "rt_sigaction",
             "wait4"}
FD_RESULT = {"socket", "accept", "accept4", "openat"}
PID_PREFIX = re.compile(r"^\[pid +(\d+)\] ")


@pytest.fixture(scope="module")
def strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.skip("strace is not installed (CI's .ci/run installs it)")
    probe = subprocess.run([path, "-o", os.devnull, "true"], capture_output=True,
                           timeout=TIMEOUT)
    if probe.returncode != 0:
        pytest.skip("ptrace is not permitted here (strace -o /dev/null true failed: "
                    f"{probe.stderr.decode(errors='replace').strip()})")
    return path


class FdNames:
    """Descriptors renamed fd0, fd1... in order of first appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, fd: str) -> str:
        if not fd.isdigit():
            return fd
        return self.names.setdefault(fd, f"fd{len(self.names)}")


def by_process(per_pid: dict[int, list[str]], first: int) -> list[str]:
    """The first process's lines, then its children's, in the order they were forked."""
    order = [first]
    for pid in order:
        for line in per_pid.get(pid, []):
            m = re.match(r"^clone\(.*\) += (\d+)$", line)
            if m and int(m.group(1)) in per_pid:
                order.append(int(m.group(1)))
    # Other processes (a client the scenario ran again) are not this run.
    return [line for pid in order for line in per_pid.get(pid, [])]


def csock_lines(stderr: bytes) -> list[str]:
    """A port's CSOCK_TRACE lines, split by process (``[pid N]`` marks a child)."""
    per_pid: dict[int, list[str]] = {}
    main = -1
    for raw in stderr.decode("utf-8", "replace").splitlines():
        m = PID_PREFIX.match(raw)
        pid = int(m.group(1)) if m else main
        per_pid.setdefault(pid, []).append(raw[m.end():] if m else raw)
    return by_process(per_pid, main)


def strace_lines(base: Path) -> list[str]:
    """strace -ff -o BASE's files (BASE.PID), split by process as they are."""
    per_pid = {int(p.name.rsplit(".", 1)[1]): p.read_text().splitlines()
               for p in base.parent.glob(base.name + ".*")}
    assert per_pid, f"strace wrote no {base}.PID file"
    return by_process(per_pid, min(per_pid))


def normalise(lines: list[str], start: re.Pattern[str]) -> list[str]:
    """The comparable part of a trace: see the module's docstring."""
    syscalls = set(TRACE_SET.split(",")) | {"clone", "rt_sigaction"}
    out = []
    fds = FdNames()
    started_ = False
    for text in lines:
        if text.startswith(("+++", "---")) or not text:
            continue
        m = CALL.match(text)
        if m is None:
            continue
        name, args, result = m.groups()
        if name not in syscalls or result.startswith((" ? ERESTART", " -1 EINTR ")):
            continue
        if not started_:
            if not start.match(text):
                continue
            started_ = True
        first, sep, rest = args.partition(", ")
        if name == "write" and first in ("1", "2"):
            continue
        if name not in NO_FD_ARG:
            first = fds(first)
        args = first + sep + rest
        if name == "pselect6":
            args = re.sub(r"\[([\d ]+)\]",
                          lambda mm: "[" + " ".join(fds(x) for x in mm.group(1).split()) + "]",
                          args)
            result = re.sub(r"\[([\d ]+)\]",
                            lambda mm: "[" + " ".join(fds(x) for x in mm.group(1).split()) + "]",
                            result)
        if name == "poll":
            args = re.sub(r"fd=(\d+)", lambda mm: "fd=" + fds(mm.group(1)), args)
            result = re.sub(r"fd=(\d+)", lambda mm: "fd=" + fds(mm.group(1)), result)
        if name in ("sendmsg", "recvmsg"):
            args = re.sub(r"cmsg_data=\[(\d+)\]", lambda mm: f"cmsg_data=[{fds(mm.group(1))}]",
                          args)
        if name == "rt_sigaction":
            args = re.sub(r"sa_handler=0x[0-9a-f]+", "sa_handler=HANDLER", args)
            args = re.sub(r", sa_restorer=0x[0-9a-f]+", "", args)
            args = re.sub(r"SA_RESTORER\|?|\|?SA_ONSTACK", "", args)
        args = re.sub(r"child_tidptr=0x[0-9a-f]+", "child_tidptr=ADDR", args)
        args = re.sub(r"htons\([1-9]\d*\)", "htons(PORT)", args)
        args = re.sub(r"\b0x[0-9a-f]{9,}\b", "ADDR", args)
        rm = re.match(r" (\d+)(.*)$", result)
        if rm and name in FD_RESULT:
            result = f" {fds(rm.group(1))}{rm.group(2)}"
        if name == "clone" and rm:
            result = " PID"
        out.append(f"{name}({args}) ={result}")
    return out


def assert_same(c_lines: list[str], py_lines: list[str]) -> None:
    if c_lines != py_lines:
        width = max((len(x) for x in c_lines), default=10)
        rows = [f"{'C (strace)':<{width}} | Python (CSOCK_TRACE)"]
        for i in range(max(len(c_lines), len(py_lines))):
            a = c_lines[i] if i < len(c_lines) else ""
            b = py_lines[i] if i < len(py_lines) else ""
            rows.append(f"{a:<{width}} {'|' if a == b else '≠'} {b}")
        pytest.fail("traces differ:\n" + "\n".join(rows))
    assert c_lines, "empty traces"


# A line each comparison must contain (so that a vacuous pass is impossible):
# its start, and a piece of the rest.
SEEN = {
    ("stream", "server"): ("sendto(", '"hola mundo", 10, 0, NULL, 0) = 10'),
    ("stream", "client"): ("shutdown(", "SHUT_WR) = 0"),
    ("fork", "server"): ("rt_sigaction(SIGCHLD, ", "sa_flags=SA_RESTART}, NULL, 8) = 0"),
    ("select", "server"): ("pselect6(", "= 1 (in ["),
    ("select", "client"): ("read(", '"hi A\\n", 256) = 5'),
    ("poll", "server"): ("poll([{fd=fd0, events=POLLIN}", "revents=POLLIN}])"),
    ("udp", "server"): ("recvfrom(", '"hola", 99, 0, {sa_family=AF_INET'),
    ("udp", "client"): ("sendto(", '"hola", 4, 0, {sa_family=AF_INET'),
    ("seq", "server"): ("recvfrom(", '"\\0\\0\\0\\3alice\\0'),
    ("seq", "client"): ("sendto(", '"\\0\\0\\0\\3alice\\0'),
    ("unix", "server"): ("unlink(", ") = 0"),
    ("unix", "client"): ("connect(", "{sa_family=AF_UNIX, sun_path="),
    ("unix_dgram", "server"): ("recvfrom(", '"hola", 100, 0, {sa_family=AF_UNIX'),
    ("unix_dgram", "client"): ("bind(", "{sa_family=AF_UNIX, sun_path="),
    ("fd", "server"): ("recvmsg(", "cmsg_type=SCM_RIGHTS, cmsg_data=["),
    ("fd", "client"): ("sendmsg(", "cmsg_type=SCM_RIGHTS, cmsg_data=[fd0]"),
}

TRACED = [(which, role) for which in SCENARIOS for role in ("server", "client")
          if not (which == "fork" and role == "client")  # streamclient: done in "stream"
          and not (which == "poll" and role == "client")]  # chatclient: done in "select"


@pytest.mark.parametrize(("which", "role"), TRACED, ids=[f"{w}-{r}" for w, r in TRACED])
def test_trace_matches_strace(prog, strace: str, sockdir: Path, tmp_path: Path, which: str,
                              role: str) -> None:
    """One program as a port under CSOCK_TRACE=1 and as C under strace: the same calls."""
    s = SCENARIOS[which]
    name = s.server if role == "server" else s.client
    needs_port(name)
    traces = {}
    for lang in LANGS:
        cmds = {"server": prog("c", s.server), "client": prog("c", s.client)}
        base = tmp_path / f"{name}-{lang}"
        if lang == "c":
            cmds[role] = Cmd([strace, "-ff", "-e", f"trace={TRACE_SET},clone,rt_sigaction",
                              "-o", str(base), *cmds[role].argv])
        else:
            cmds[role] = Cmd(prog("py", name).argv, {**plain_env(), "CSOCK_TRACE": "1"})
        errs = s.run(cmds["server"], cmds["client"], prog("c", s.client), host="127.0.0.1",
                     sockdir=sockdir, name=s.server)
        lines = strace_lines(base) if lang == "c" else csock_lines(errs[role])
        start = re.compile(r"^(socket\(|openat\(AT_FDCWD, \"" + re.escape(str(sockdir)) + ")")
        traces[lang] = normalise(lines, start)
    assert_same(traces["c"], traces["py"])
    start, piece = SEEN[which, role]
    assert any(x.startswith(start) and piece in x for x in traces["py"]), (start, piece)
    if which == "fork":  # the children's lines are there, after the parent's
        assert sum(x.startswith("clone(") for x in traces["py"]) == 2
        assert any(x.startswith("sendto(") and '"HOLA, MUNDO"' in x for x in traces["py"])
