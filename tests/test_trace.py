"""csock.c's call trace (CSOCK_TRACE, csock.c.tracing) against the real strace.

The tutorial's C programs run under ``strace -f -e trace=... -o FILE``; their
Python ports run with ``CSOCK_TRACE=1`` and write csock's own trace on stderr
(strace on a Python process would show the interpreter's calls too). Both
traces are normalised (descriptors numbered by first appearance, non-zero
ports, pids, undecoded pointers, the padding before `` = ``, ``+++``/``---`` lines, writes to
fds 1 and 2, everything before the program's first socket() or openat() of
its file) and must then be equal line for line. A small probe program, in C
and in csock.c, covers the system calls the tutorial does not make.

Every test that runs strace skips, saying why, where ptrace is not permitted.
"""

from __future__ import annotations

import io
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import csock.c as c
from csock import _show, _trace
from csock._csock import ffi, lib

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "examples" / "tutorial"
TIMEOUT = 20
READY = re.compile(rb"Escuchando en el puerto (\d+)\n")

BASE_SET = ("socket,bind,listen,accept,connect,sendto,recvfrom,setsockopt,shutdown,close,"
            "getsockname")
FILE_SET = BASE_SET + ",read,write,openat"


# --------------------------------------------------------------------------
# Set-up: strace, a compiler, the C programs


@pytest.fixture(scope="session")
def strace() -> str:
    path = shutil.which("strace")
    if path is None:
        pytest.skip("strace is not installed (CI's .ci/run installs it)")
    try:
        probe = subprocess.run([path, "-o", os.devnull, "true"], capture_output=True,
                               timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"strace cannot run here: {exc}")
    if probe.returncode != 0:
        pytest.skip("ptrace is not permitted here (strace -o /dev/null true failed: "
                    f"{probe.stderr.decode(errors='replace').strip()})")
    return path


@pytest.fixture(scope="session")
def cc() -> str:
    path = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if path is None:
        pytest.skip("no C compiler on PATH")
    return path


@pytest.fixture(scope="session")
def bins(cc: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("trace-bin")
    built = {}
    for name in ("servidor", "cliente", "transfer_servidor", "transfer_cliente"):
        exe = out / name
        subprocess.run([cc, "-O2", "-o", str(exe), str(TUTORIAL / f"{name}.c")],
                       check=True, capture_output=True, timeout=120)
        built[name] = exe
    return built


def py(name: str) -> list[str]:
    return [sys.executable, str(TUTORIAL / f"{name}.py")]


def traced_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CSOCK_TRACE"] = "1"
    env.pop("CSOCK_TRACE_STRSIZE", None)
    return env


def plain_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CSOCK_TRACE", None)
    return env


# --------------------------------------------------------------------------
# Normalising two traces


CALL = re.compile(r"^([a-z_0-9]+)\((.*)\) +=( .*)$")
# Calls whose first argument is not a descriptor.
NO_FD_ARG = {"socket", "socketpair", "pipe2", "openat", "getpid", "uname", "pselect6", "poll",
             "epoll_create", "epoll_create1"}
# Calls whose result is a new descriptor.
FD_RESULT = {"socket", "accept", "accept4", "openat", "dup", "epoll_create", "epoll_create1"}


class FdNames:
    """Descriptors renamed fd0, fd1, ... in order of first appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, fd: str) -> str:
        if not fd.lstrip("-").isdigit() or fd.startswith("-"):
            return fd
        return self.names.setdefault(fd, f"fd{len(self.names)}")


def normalise(lines: list[str], syscalls: set[str], start: re.Pattern[str]) -> list[str]:
    """The comparable part of a trace: see the module's docstring."""
    out = []
    fds = FdNames()
    started = False
    for raw in lines:
        text = re.sub(r"^\d+ +", "", raw.rstrip("\n"))  # strace -f's pid
        if text.startswith(("+++", "---")) or not text:
            continue
        m = CALL.match(text)
        if m is None:
            continue
        name, args, result = m.groups()
        if name not in syscalls:
            continue
        if not started:
            if not start.match(text):
                continue
            started = True
        first, sep, rest = args.partition(", ")
        if name == "write" and first in ("1", "2"):
            continue
        if name not in NO_FD_ARG:
            first = fds(first)
        if name == "epoll_ctl":  # its third argument is a descriptor too
            op, _sep, tail = rest.partition(", ")
            target, _sep, event = tail.partition(", ")
            rest = f"{op}, {fds(target)}, {event}"
        args = first + sep + rest
        if name in ("socketpair", "pipe2"):
            args = re.sub(r"\[(\d+), (\d+)\]",
                          lambda mm: f"[{fds(mm.group(1))}, {fds(mm.group(2))}]", args)
        args = re.sub(r"htons\([1-9]\d*\)", "htons(PORT)", args)
        args = re.sub(r"\b0x[0-9a-f]{9,}\b", "ADDR", args)  # a pointer strace did not decode
        rm = re.match(r" (\d+)(.*)$", result)
        if rm and name in FD_RESULT:
            result = f" {fds(rm.group(1))}{rm.group(2)}"
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


# --------------------------------------------------------------------------
# Running the programs


def read_until_ready(proc: subprocess.Popen[bytes]) -> tuple[int, bytes]:
    """Read the server's stderr until its ready line; return (port, all read)."""
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while True:
        m = READY.search(seen)
        if m:
            return int(m.group(1)), seen
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"server not ready after {TIMEOUT} s; stderr so far: {seen!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1)
            if not chunk:
                proc.wait(timeout=TIMEOUT)
                pytest.fail(f"server exited ({proc.returncode}) before ready: {seen!r}")
            seen += chunk


@contextmanager
def server(argv: list[str], env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], int,
                                                                  list[bytes]]]:
    """A server started and ready; yields (proc, port, [stderr]); stderr whole after."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    err: list[bytes] = []
    try:
        port, head = read_until_ready(proc)
        err.append(head)
        yield proc, port, err
        _, tail = proc.communicate(timeout=TIMEOUT)
        err.append(tail)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=TIMEOUT)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def strace_argv(strace: str, traceset: str, out: Path) -> list[str]:
    return [strace, "-f", "-e", f"trace={traceset}", "-o", str(out)]


def run(argv: list[str], env: dict[str, str],
        stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT, env=env)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result


def stderr_lines(chunks: list[bytes]) -> list[str]:
    return b"".join(chunks).decode("utf-8", "replace").splitlines()


START_SOCKET = re.compile(r"^socket\(")

SERVER_INPUT = (b"hola \x01\xff\t\"\\ \x0012 una l\xc3\xadnea de m\xc3\xa1s de 32 bytes, "
                b"con escapes\n")
CLIENT_INPUT = (b"hola\n" + SERVER_INPUT + b"\x00\x01\x02\x037 binario \x7f\x80\n"
                + b"x" * 40 + b"\n")


def test_servidor_trace_matches_strace(strace: str, bins: dict[str, Path],
                                       tmp_path: Path) -> None:
    """servidor.c under strace and servidor.py under CSOCK_TRACE=1: same calls."""
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        out = tmp_path / f"servidor-{lang}.strace"
        if lang == "c":
            argv = [*strace_argv(strace, BASE_SET, out), str(bins["servidor"]), "0", "1"]
            env = plain_env()
        else:
            argv, env = [*py("servidor"), "0", "1"], traced_env()
        with server(argv, env) as (_proc, port, err):
            run([str(bins["cliente"]), "127.0.0.1", str(port)], plain_env(), SERVER_INPUT)
        lines = out.read_text().splitlines() if lang == "c" else stderr_lines(err)
        traces[lang] = normalise(lines, set(BASE_SET.split(",")), START_SOCKET)
    assert_same(traces["c"], traces["py"])
    # What the comparison saw (so a vacuous pass is impossible):
    assert traces["py"][0] == "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = fd0"
    assert 'sendto(fd1, "Bienvenido al Eagle14!\\n", 23, MSG_NOSIGNAL, NULL, 0) = 23' \
        in traces["py"]
    assert any(x.startswith('recvfrom(fd1, "hola \\1\\377\\t\\"\\\\ \\00012 una l\\303')
               and '"..., 1024, 0, NULL, NULL) = ' in x for x in traces["py"])


def test_cliente_trace_matches_strace(strace: str, bins: dict[str, Path],
                                      tmp_path: Path) -> None:
    """cliente.c under strace and cliente.py under CSOCK_TRACE=1: same calls."""
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        out = tmp_path / f"cliente-{lang}.strace"
        with server([str(bins["servidor"]), "0", "1"], plain_env()) as (_proc, port, _err):
            if lang == "c":
                argv = [*strace_argv(strace, BASE_SET, out), str(bins["cliente"]),
                        "127.0.0.1", str(port)]
                run(argv, plain_env(), CLIENT_INPUT)
                lines = out.read_text().splitlines()
            else:
                result = run([*py("cliente"), "127.0.0.1", str(port)], traced_env(),
                             CLIENT_INPUT)
                lines = result.stderr.decode("utf-8", "replace").splitlines()
        traces[lang] = normalise(lines, set(BASE_SET.split(",")), START_SOCKET)
    assert_same(traces["c"], traces["py"])
    assert sum(x.startswith("sendto(") for x in traces["py"]) == 4
    assert 'sendto(fd0, "\\0\\1\\2\\0037 binario \\177\\200\\n", 17, MSG_NOSIGNAL, NULL, 0) = 17' \
        in traces["py"]
    assert ('sendto(fd0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"..., 41, MSG_NOSIGNAL, NULL, 0) = 41'
            in traces["py"])


def file_bytes(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


def test_transfer_servidor_trace_matches_strace(strace: str, bins: dict[str, Path],
                                                tmp_path: Path) -> None:
    """TransferFile's server: openat, read, sendto, close in the same order."""
    src = tmp_path / "informe.bin"
    src.write_bytes(file_bytes(2600))
    start = re.compile(r'^(socket\(|openat\(AT_FDCWD, "' + re.escape(str(src)) + '")')
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        out = tmp_path / f"tserv-{lang}.strace"
        dest = tmp_path / f"copia-{lang}.bin"
        if lang == "c":
            argv = [*strace_argv(strace, FILE_SET, out), str(bins["transfer_servidor"]),
                    str(src), "0"]
            env = plain_env()
        else:
            argv, env = [*py("transfer_servidor"), str(src), "0"], traced_env()
        with server(argv, env) as (_proc, port, err):
            run([str(bins["transfer_cliente"]), "127.0.0.1", str(port), str(dest)],
                plain_env())
        assert dest.read_bytes() == src.read_bytes()
        lines = out.read_text().splitlines() if lang == "c" else stderr_lines(err)
        traces[lang] = normalise(lines, set(FILE_SET.split(",")), start)
    assert_same(traces["c"], traces["py"])
    assert traces["py"][0] == f'openat(AT_FDCWD, "{src}", O_RDONLY) = fd0'
    assert [x.split(" = ")[-1] for x in traces["py"] if x.startswith("read(")] == \
        ["1024", "1024", "552", "0"]


def test_transfer_cliente_trace_matches_strace(strace: str, bins: dict[str, Path],
                                               tmp_path: Path) -> None:
    """TransferFile's client: connect, openat(O_CREAT, 0644), recvfrom, write."""
    src = tmp_path / "informe.bin"
    src.write_bytes(file_bytes(1000))  # one segment: the same recv() sizes every run
    dest = tmp_path / "copia.bin"
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        out = tmp_path / f"tcli-{lang}.strace"
        dest.unlink(missing_ok=True)
        with server([str(bins["transfer_servidor"]), str(src), "0"], plain_env()) as (
                _proc, port, _err):
            args = ["127.0.0.1", str(port), str(dest)]
            if lang == "c":
                run([*strace_argv(strace, FILE_SET, out), str(bins["transfer_cliente"]),
                     *args], plain_env())
                lines = out.read_text().splitlines()
            else:
                result = run([*py("transfer_cliente"), *args], traced_env())
                lines = result.stderr.decode("utf-8", "replace").splitlines()
        assert dest.read_bytes() == src.read_bytes()
        traces[lang] = normalise(lines, set(FILE_SET.split(",")), START_SOCKET)
    assert_same(traces["c"], traces["py"])
    assert f'openat(AT_FDCWD, "{dest}", O_WRONLY|O_CREAT|O_TRUNC, 0644) = fd1' in traces["py"]
    assert 'write(fd1, "\\0\\1\\2\\3\\4\\5\\6\\7\\10\\t\\n\\v\\f\\r\\16\\17\\20\\21\\22\\23\\24' \
        '\\25\\26\\27\\30\\31\\32\\33\\34\\35\\36\\37"..., 1000) = 1000' in traces["py"]


# --------------------------------------------------------------------------
# A probe of the other system calls, in C and in csock.c, statement for statement

PROBE_C = r"""
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int sv[2], p[2], one = 1, val = 0, got = -1, s6, r6, su, sp, ln, f, o;
    char buf[64], host[256], cbuf[CMSG_SPACE(sizeof(int))], rcbuf[CMSG_SPACE(sizeof(int))];
    socklen_t len;
    struct linger lg = {1, 5};
    struct timeval tv = {1, 500000}, tv0 = {0, 0};
    struct pollfd pf[2];
    fd_set rd;
    struct iovec iov, riov;
    struct msghdr m, rm;
    struct cmsghdr *cm;
    struct sockaddr_in6 a6, from6;
    struct sockaddr_un un;
    off_t off = 0;
    (void)argc;

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "ping\n\0\1", 7);
    pf[0].fd = sv[1]; pf[0].events = POLLIN; pf[0].revents = 0;
    pf[1].fd = sv[0]; pf[1].events = POLLOUT | POLLPRI; pf[1].revents = 0;
    poll(pf, 2, 1000);
    FD_ZERO(&rd); FD_SET(sv[1], &rd);
    select(sv[1] + 1, &rd, NULL, NULL, &tv0);
    read(sv[1], buf, sizeof(buf));
    fcntl(sv[0], F_GETFL);
    fcntl(sv[0], F_SETFL, O_RDWR | O_NONBLOCK);
    fcntl(sv[0], F_GETFL);
    fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    fcntl(sv[0], F_GETFD);
    fcntl(sv[0], F_DUPFD, 20);
    close(20);
    dup(sv[0]);
    pipe(p);
    gethostname(host, sizeof(host));
    setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    len = sizeof(lg);
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &len);
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    len = sizeof(val);
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &val, &len);
    len = sizeof(val);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &val, &len);
    iov.iov_base = "fd\n"; iov.iov_len = 3;
    memset(&m, 0, sizeof(m)); m.msg_iov = &iov; m.msg_iovlen = 1;
    m.msg_control = cbuf; m.msg_controllen = sizeof(cbuf);
    cm = CMSG_FIRSTHDR(&m);
    cm->cmsg_level = SOL_SOCKET; cm->cmsg_type = SCM_RIGHTS; cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
    sendmsg(sv[0], &m, MSG_NOSIGNAL);
    riov.iov_base = buf; riov.iov_len = sizeof(buf);
    memset(&rm, 0, sizeof(rm)); rm.msg_iov = &riov; rm.msg_iovlen = 1;
    rm.msg_control = rcbuf; rm.msg_controllen = sizeof(rcbuf);
    recvmsg(sv[1], &rm, 0);
    memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&rm)), sizeof(int));
    close(got);
    shutdown(sv[0], SHUT_WR);
    recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT);

    r6 = socket(AF_INET6, SOCK_DGRAM, 0);
    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6; a6.sin6_addr = in6addr_loopback; a6.sin6_port = htons(0);
    bind(r6, (struct sockaddr *)&a6, sizeof(a6));
    len = sizeof(struct sockaddr_storage) > sizeof(a6) ? sizeof(a6) : sizeof(a6);
    getsockname(r6, (struct sockaddr *)&a6, &len);
    s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    connect(s6, (struct sockaddr *)&a6, sizeof(a6));
    sendto(s6, "\x00\x01\x7f\x80 datagram", 13, 0, (struct sockaddr *)&a6, sizeof(a6));
    len = sizeof(from6);
    recvfrom(r6, buf, sizeof(buf), 0, (struct sockaddr *)&from6, &len);
    len = sizeof(from6);
    getpeername(s6, (struct sockaddr *)&from6, &len);
    len = sizeof(from6);
    getpeername(r6, (struct sockaddr *)&from6, &len);
    setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));

    su = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    memset(&un, 0, sizeof(un)); un.sun_family = AF_UNIX;
    strcpy(un.sun_path + 1, argv[1]);
    bind(su, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(argv[1]));
    listen(su, 4);
    accept(su, NULL, NULL);
    accept4(su, NULL, NULL, SOCK_CLOEXEC);
    sp = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&un, 0, sizeof(un)); un.sun_family = AF_UNIX;
    strcpy(un.sun_path, argv[2]);
    bind(sp, (struct sockaddr *)&un, sizeof(un));
    ln = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    setsockopt(ln, IPPROTO_TCP, 1, &one, sizeof(one));
    setsockopt(ln, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));

    f = open(argv[3], O_RDONLY | O_CLOEXEC);
    o = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0600);
    sendfile(o, f, &off, 10);
    sendfile(o, f, NULL, 5);
    close(o);
    open(argv[4], O_RDONLY | O_DIRECTORY);
    close(-1);
    close(f); close(ln); close(sp); close(su); close(s6); close(r6);
    close(p[0]); close(p[1]); close(sv[0]); close(sv[1]); close(3 + 6);
    return 0;
}
"""

PROBE_PY = r'''
import sys
from csock.c import *


def main(argv):
    sv = new("int[2]"); p = new("int[2]"); one = new("int *", 1); val = new("int *", 0)
    buf = new("char[64]"); host = new("char[256]")
    cbuf = new("char[]", CMSG_SPACE(sizeof("int")))
    rcbuf = new("char[]", CMSG_SPACE(sizeof("int")))
    ln_ = new("socklen_t *")
    lg = new("struct linger *", (1, 5))
    tv = new("struct timeval *", (1, 500000)); tv0 = new("struct timeval *", (0, 0))
    pf = new("struct pollfd[2]")
    rd = new("fd_set *")
    iov = new("struct iovec *"); riov = new("struct iovec *")
    m = new("struct msghdr *"); rm = new("struct msghdr *")
    a6 = new("struct sockaddr_in6 *"); from6 = new("struct sockaddr_in6 *")
    un = new("struct sockaddr_un *")
    off = new("off_t *", 0)

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)
    write(sv[0], b"ping\n\0\1", 7)
    pf[0].fd = sv[1]; pf[0].events = POLLIN; pf[0].revents = 0
    pf[1].fd = sv[0]; pf[1].events = POLLOUT | POLLPRI; pf[1].revents = 0
    poll(pf, 2, 1000)
    FD_ZERO(rd); FD_SET(sv[1], rd)
    select(sv[1] + 1, rd, NULL, NULL, tv0)
    read(sv[1], buf, sizeof(buf))
    fcntl(sv[0], F_GETFL)
    fcntl(sv[0], F_SETFL, O_RDWR | O_NONBLOCK)
    fcntl(sv[0], F_GETFL)
    fcntl(sv[0], F_SETFD, FD_CLOEXEC)
    fcntl(sv[0], F_GETFD)
    fcntl(sv[0], F_DUPFD, 20)
    close(20)
    dup(sv[0])
    pipe(p)
    gethostname(host, sizeof(host))
    setsockopt(sv[0], SOL_SOCKET, SO_LINGER, lg, sizeof(lg[0]))
    ln_[0] = sizeof(lg[0])
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, lg, ln_)
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv[0]))
    ln_[0] = sizeof("int")
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, val, ln_)
    ln_[0] = sizeof("int")
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, val, ln_)
    data = new("char[]", b"fd\n")
    iov.iov_base = data; iov.iov_len = 3
    memset(m, 0, sizeof(m[0])); m.msg_iov = iov; m.msg_iovlen = 1
    m.msg_control = cbuf; m.msg_controllen = sizeof(cbuf)
    cm = CMSG_FIRSTHDR(m)
    cm.cmsg_level = SOL_SOCKET; cm.cmsg_type = SCM_RIGHTS; cm.cmsg_len = CMSG_LEN(sizeof("int"))
    memcpy(CMSG_DATA(cm), addressof(p, 0), sizeof("int"))
    sendmsg(sv[0], m, MSG_NOSIGNAL)
    riov.iov_base = buf; riov.iov_len = sizeof(buf)
    memset(rm, 0, sizeof(rm[0])); rm.msg_iov = riov; rm.msg_iovlen = 1
    rm.msg_control = rcbuf; rm.msg_controllen = sizeof(rcbuf)
    recvmsg(sv[1], rm, 0)
    got = cast("int *", CMSG_DATA(CMSG_FIRSTHDR(rm)))[0]
    close(got)
    shutdown(sv[0], SHUT_WR)
    recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT)

    r6 = socket(AF_INET6, SOCK_DGRAM, 0)
    memset(a6, 0, sizeof(a6[0]))
    a6.sin6_family = AF_INET6; a6.sin6_addr = in6addr_loopback; a6.sin6_port = htons(0)
    bind(r6, cast("struct sockaddr *", a6), sizeof(a6[0]))
    ln_[0] = sizeof(a6[0])
    getsockname(r6, cast("struct sockaddr *", a6), ln_)
    s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP)
    connect(s6, cast("struct sockaddr *", a6), sizeof(a6[0]))
    sendto(s6, b"\x00\x01\x7f\x80 datagram", 13, 0, cast("struct sockaddr *", a6), sizeof(a6[0]))
    ln_[0] = sizeof(from6[0])
    recvfrom(r6, buf, sizeof(buf), 0, cast("struct sockaddr *", from6), ln_)
    ln_[0] = sizeof(from6[0])
    getpeername(s6, cast("struct sockaddr *", from6), ln_)
    ln_[0] = sizeof(from6[0])
    getpeername(r6, cast("struct sockaddr *", from6), ln_)
    setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, one, sizeof("int"))

    su = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)
    memset(un, 0, sizeof(un[0])); un.sun_family = AF_UNIX
    name = argv[1].encode()
    memcpy(un.sun_path + 1, name, len(name))
    unlen = offsetof("struct sockaddr_un", "sun_path") + 1 + len(name)
    bind(su, cast("struct sockaddr *", un), unlen)
    listen(su, 4)
    accept(su, NULL, NULL)
    accept4(su, NULL, NULL, SOCK_CLOEXEC)
    sp = socket(AF_UNIX, SOCK_STREAM, 0)
    memset(un, 0, sizeof(un[0])); un.sun_family = AF_UNIX
    un.sun_path = argv[2].encode()
    bind(sp, cast("struct sockaddr *", un), sizeof(un[0]))
    ln = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
    setsockopt(ln, IPPROTO_TCP, 1, one, sizeof("int"))
    setsockopt(ln, SOL_SOCKET, SO_REUSEADDR, one, sizeof("int"))

    f = open(argv[3].encode(), O_RDONLY | O_CLOEXEC)
    o = open(argv[4].encode(), O_WRONLY | O_CREAT | O_TRUNC | O_EXCL, 0o600)
    sendfile(o, f, off, 10)
    sendfile(o, f, NULL, 5)
    close(o)
    open(argv[4].encode(), O_RDONLY | 0o200000)  # O_DIRECTORY (x86_64 value)
    close(-1)
    close(f); close(ln); close(sp); close(su); close(s6); close(r6)
    close(p[0]); close(p[1]); close(sv[0]); close(sv[1]); close(3 + 6)
    return 0


sys.exit(main(sys.argv))
'''

PROBE_SET = ("socket,socketpair,bind,listen,accept,accept4,connect,sendto,recvfrom,sendmsg,"
             "recvmsg,setsockopt,getsockopt,getsockname,getpeername,shutdown,close,read,write,"
             "openat,poll,pselect6,fcntl,dup,pipe2,uname,sendfile")


def test_probe_trace_matches_strace(strace: str, cc: str, tmp_path: Path) -> None:
    """Every row of csock._trace.TABLE but getpid and the mmsg pair (tested below),
    against strace on the same C calls."""
    import platform

    if platform.machine() != "x86_64":
        pytest.skip("the probe's O_DIRECTORY value is x86_64's")
    src = tmp_path / "probe.c"
    src.write_text(PROBE_C)
    exe = tmp_path / "probe"
    subprocess.run([cc, "-O0", "-w", "-o", str(exe), str(src)], check=True,
                   capture_output=True, timeout=120)
    script = tmp_path / "probe.py"
    script.write_text(PROBE_PY)
    data = tmp_path / "datos.txt"
    data.write_bytes(b"0123456789abcdefghij\n")
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        out = tmp_path / f"probe-{lang}.strace"
        target = tmp_path / f"salida-{lang}.txt"
        sock = tmp_path / f"s-{lang}.sock"
        args = [f"csock-probe-{os.getpid()}", str(sock), str(data), str(target)]
        if lang == "c":
            run([*strace_argv(strace, PROBE_SET, out), str(exe), *args], plain_env())
            lines = out.read_text().splitlines()
        else:
            lines = run([sys.executable, str(script), *args],
                        traced_env()).stderr.decode().splitlines()
        lines = [x.replace(str(sock), "SOCK").replace(str(target), "TARGET") for x in lines]
        lines = [re.sub(r"cmsg_data=\[\d+\]", "cmsg_data=[FD]", x) for x in lines]
        lines = [re.sub(r"left \{tv_sec=\d+, tv_nsec=\d+\}", "left {...}", x) for x in lines]
        traces[lang] = normalise(lines, set(PROBE_SET.split(",")),
                                 re.compile(r"^socketpair\("))
    assert_same(traces["c"], traces["py"])
    assert len(traces["py"]) > 60
    names = {x.split("(")[0] for x in traces["py"]}
    assert names == set(PROBE_SET.split(","))


# --------------------------------------------------------------------------
# sendmmsg and recvmmsg: a probe of their own, in C and in csock.c

MMSG_PROBE_C = r"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int sv[2], r, s, su, cu, i;
    char b0[8], b1[64], b2[4], b3[40], many[40][2];
    struct iovec io[4], iv[4], mio[40], miv[40];
    struct mmsghdr m[4], rm[4], mm[40], rmm[40];
    struct sockaddr_in a, from[4];
    struct sockaddr_un un, fromun[2];
    struct timespec ts = {5, 0};
    socklen_t len;
    (void)argc;

    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    memset(m, 0, sizeof(m));
    io[0].iov_base = "uno"; io[0].iov_len = 3;
    io[1].iov_base = "\0\1 dos\n"; io[1].iov_len = 7;
    io[2].iov_base = "tres tres tres tres tres tres tres tres"; io[2].iov_len = 39;
    io[3].iov_base = ""; io[3].iov_len = 0;
    for (i = 0; i < 4; i++) {
        m[i].msg_hdr.msg_iov = &io[i]; m[i].msg_hdr.msg_iovlen = 1;
    }
    sendmmsg(sv[0], m, 4, MSG_NOSIGNAL);
    memset(rm, 0, sizeof(rm));
    iv[0].iov_base = b0; iv[0].iov_len = sizeof(b0);
    iv[1].iov_base = b1; iv[1].iov_len = sizeof(b1);
    iv[2].iov_base = b2; iv[2].iov_len = sizeof(b2);
    iv[3].iov_base = b3; iv[3].iov_len = sizeof(b3);
    for (i = 0; i < 4; i++) {
        rm[i].msg_hdr.msg_iov = &iv[i]; rm[i].msg_hdr.msg_iovlen = 1;
        rm[i].msg_hdr.msg_name = &from[i]; rm[i].msg_hdr.msg_namelen = sizeof(from[i]);
    }
    recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, NULL);
    recvmmsg(sv[1], rm, 2, MSG_DONTWAIT, NULL);
    sendmmsg(sv[0], m, 2, 0);
    recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, &ts);
    sendmmsg(-1, m, 2, 0);
    recvmmsg(-1, rm, 2, 0, NULL);
    sendmmsg(sv[0], m, 0, 0);
    recvmmsg(sv[1], rm, 0, 0, NULL);

    memset(mm, 0, sizeof(mm)); memset(rmm, 0, sizeof(rmm));
    for (i = 0; i < 40; i++) {
        mio[i].iov_base = "0123456789" + i % 10; mio[i].iov_len = 1;
        mm[i].msg_hdr.msg_iov = &mio[i]; mm[i].msg_hdr.msg_iovlen = 1;
        miv[i].iov_base = many[i]; miv[i].iov_len = sizeof(many[i]);
        rmm[i].msg_hdr.msg_iov = &miv[i]; rmm[i].msg_hdr.msg_iovlen = 1;
    }
    sendmmsg(sv[0], mm, 40, 0);
    recvmmsg(sv[1], rmm, 40, MSG_WAITFORONE, NULL);

    r = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(r, (struct sockaddr *)&a, sizeof(a));
    len = sizeof(a);
    getsockname(r, (struct sockaddr *)&a, &len);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    for (i = 0; i < 2; i++) {
        m[i].msg_hdr.msg_name = &a; m[i].msg_hdr.msg_namelen = sizeof(a);
    }
    sendmmsg(s, m, 2, 0);
    iv[0].iov_len = 2;
    for (i = 0; i < 4; i++) rm[i].msg_hdr.msg_namelen = sizeof(from[i]);
    recvmmsg(r, rm, 4, MSG_WAITFORONE | MSG_TRUNC, NULL);

    su = socket(AF_UNIX, SOCK_DGRAM, 0);
    memset(&un, 0, sizeof(un)); un.sun_family = AF_UNIX;
    strcpy(un.sun_path, argv[1]);
    bind(su, (struct sockaddr *)&un, sizeof(un));
    cu = socket(AF_UNIX, SOCK_DGRAM, 0);
    bind(cu, (struct sockaddr *)&un, sizeof(sa_family_t));
    m[0].msg_hdr.msg_name = &un; m[0].msg_hdr.msg_namelen = sizeof(un);
    sendmmsg(cu, m, 1, 0);
    for (i = 0; i < 2; i++) {
        rm[i].msg_hdr.msg_name = &fromun[i]; rm[i].msg_hdr.msg_namelen = sizeof(fromun[i]);
    }
    recvmmsg(su, rm, 2, MSG_WAITFORONE, NULL);
    close(cu); close(su); close(s); close(r); close(sv[0]); close(sv[1]);
    return 0;
}
"""

MMSG_PROBE_PY = r'''
import sys
from csock.c import *


def main(argv):
    sv = new("int[2]")
    b0 = new("char[8]"); b1 = new("char[64]"); b2 = new("char[4]"); b3 = new("char[40]")
    many = new("char[40][2]")
    io = new("struct iovec[4]"); iv = new("struct iovec[4]")
    mio = new("struct iovec[40]"); miv = new("struct iovec[40]")
    m = new("struct mmsghdr[4]"); rm = new("struct mmsghdr[4]")
    mm = new("struct mmsghdr[40]"); rmm = new("struct mmsghdr[40]")
    a = new("struct sockaddr_in *"); frm = new("struct sockaddr_in[4]")
    un = new("struct sockaddr_un *"); fromun = new("struct sockaddr_un[2]")
    ts = new("struct timespec *", (5, 0))
    ln = new("socklen_t *")

    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)
    data = [new("char[]", b"uno"), new("char[]", b"\0\1 dos\n"),
            new("char[]", b"tres tres tres tres tres tres tres tres"), new("char[]", b"")]
    for i, n in enumerate((3, 7, 39, 0)):
        io[i].iov_base = data[i]; io[i].iov_len = n
        m[i].msg_hdr.msg_iov = io + i; m[i].msg_hdr.msg_iovlen = 1
    sendmmsg(sv[0], m, 4, MSG_NOSIGNAL)
    for i, b in enumerate((b0, b1, b2, b3)):
        iv[i].iov_base = b; iv[i].iov_len = sizeof(b)
        rm[i].msg_hdr.msg_iov = iv + i; rm[i].msg_hdr.msg_iovlen = 1
        rm[i].msg_hdr.msg_name = frm + i; rm[i].msg_hdr.msg_namelen = sizeof(frm[i])
    recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, NULL)
    recvmmsg(sv[1], rm, 2, MSG_DONTWAIT, NULL)
    sendmmsg(sv[0], m, 2, 0)
    recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, ts)
    sendmmsg(-1, m, 2, 0)
    recvmmsg(-1, rm, 2, 0, NULL)
    sendmmsg(sv[0], m, 0, 0)
    recvmmsg(sv[1], rm, 0, 0, NULL)

    digits = new("char[]", b"0123456789")
    for i in range(40):
        mio[i].iov_base = digits + i % 10; mio[i].iov_len = 1
        mm[i].msg_hdr.msg_iov = mio + i; mm[i].msg_hdr.msg_iovlen = 1
        miv[i].iov_base = many[i]; miv[i].iov_len = sizeof(many[i])
        rmm[i].msg_hdr.msg_iov = miv + i; rmm[i].msg_hdr.msg_iovlen = 1
    sendmmsg(sv[0], mm, 40, 0)
    recvmmsg(sv[1], rmm, 40, MSG_WAITFORONE, NULL)

    r = socket(AF_INET, SOCK_DGRAM, 0)
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK)
    bind(r, cast("struct sockaddr *", a), sizeof(a[0]))
    ln[0] = sizeof(a[0])
    getsockname(r, cast("struct sockaddr *", a), ln)
    s = socket(AF_INET, SOCK_DGRAM, 0)
    for i in range(2):
        m[i].msg_hdr.msg_name = a; m[i].msg_hdr.msg_namelen = sizeof(a[0])
    sendmmsg(s, m, 2, 0)
    iv[0].iov_len = 2
    for i in range(4):
        rm[i].msg_hdr.msg_namelen = sizeof(frm[i])
    recvmmsg(r, rm, 4, MSG_WAITFORONE | MSG_TRUNC, NULL)

    su = socket(AF_UNIX, SOCK_DGRAM, 0)
    un.sun_family = AF_UNIX
    un.sun_path = argv[1].encode()
    bind(su, cast("struct sockaddr *", un), sizeof(un[0]))
    cu = socket(AF_UNIX, SOCK_DGRAM, 0)
    bind(cu, cast("struct sockaddr *", un), sizeof("sa_family_t"))
    m[0].msg_hdr.msg_name = un; m[0].msg_hdr.msg_namelen = sizeof(un[0])
    sendmmsg(cu, m, 1, 0)
    for i in range(2):
        rm[i].msg_hdr.msg_name = fromun + i; rm[i].msg_hdr.msg_namelen = sizeof(fromun[i])
    recvmmsg(su, rm, 2, MSG_WAITFORONE, NULL)
    close(cu); close(su); close(s); close(r); close(sv[0]); close(sv[1])
    return 0


sys.exit(main(sys.argv))
'''

MMSG_SET = "socketpair,socket,bind,getsockname,close,sendmmsg,recvmmsg"


@pytest.mark.parametrize("strsize", [32, 4])
def test_mmsg_probe_trace_matches_strace(strace: str, cc: str, tmp_path: Path,
                                         strsize: int) -> None:
    """sendmmsg and recvmmsg, strace -s N against CSOCK_TRACE_STRSIZE=N: vectors
    (cut at strsize items), msg_len, MSG_TRUNC, addresses, errors, timeouts."""
    src = tmp_path / "mmsg.c"
    src.write_text(MMSG_PROBE_C)
    exe = tmp_path / "mmsg"
    subprocess.run([cc, "-O0", "-Wall", "-Werror", "-o", str(exe), str(src)], check=True,
                   capture_output=True, timeout=120)
    script = tmp_path / "mmsg.py"
    script.write_text(MMSG_PROBE_PY)
    traces: dict[str, list[str]] = {}
    for lang in ("c", "py"):
        sock = tmp_path / f"m-{lang}.sock"
        if lang == "c":
            out = tmp_path / "mmsg-c.strace"
            run([strace, "-s", str(strsize), "-e", f"trace={MMSG_SET}", "-o", str(out),
                 str(exe), str(sock)], plain_env())
            lines = out.read_text().splitlines()
        else:
            env = dict(traced_env(), CSOCK_TRACE_STRSIZE=str(strsize))
            lines = run([sys.executable, str(script), str(sock)], env).stderr.decode() \
                .splitlines()
        lines = [x.replace(str(sock), "SOCK") for x in lines]
        # The kernel's autobind name and the time left differ from run to run.
        lines = [re.sub(r'sun_path=@"[0-9a-f]{5}"', 'sun_path=@"AUTO"', x) for x in lines]
        lines = [re.sub(r"left \{tv_sec=\d+, tv_nsec=\d+\}", "left {...}", x) for x in lines]
        traces[lang] = normalise(lines, set(MMSG_SET.split(",")),
                                 re.compile(r"^socketpair\("))
    assert_same(traces["c"], traces["py"])
    py_lines = traces["py"]
    assert len(py_lines) == 30
    assert "sendmmsg(fd0, [], 0, 0) = 0" in py_lines
    assert "recvmmsg(fd1, [], 0, 0, NULL) = 0 (Timeout)" in py_lines
    assert ("recvmmsg(fd1, ADDR, 2, MSG_DONTWAIT, NULL) = -1 EAGAIN (Resource temporarily "
            "unavailable)") in py_lines
    assert "recvmmsg(-1, ADDR, 2, 0, NULL) = -1 EBADF (Bad file descriptor)" in py_lines
    text = "\n".join(py_lines)
    # A send that failed: its items are shown, without msg_len.
    assert ('msg_iov=[{iov_base="uno", iov_len=3}], msg_iovlen=1, msg_controllen=0, '
            'msg_flags=0}}, {msg_hdr=') in text
    assert "msg_namelen=16 => 0" in text  # the socketpair's peer has no name
    assert ('msg_iov=[{iov_base="un", iov_len=2}], msg_iovlen=1, msg_controllen=0, '
            "msg_flags=MSG_TRUNC}, msg_len=3}") in text
    assert '{sa_family=AF_UNIX, sun_path=@"AUTO"}, msg_namelen=110 => 8' in text
    assert "], 4, MSG_WAITFORONE, {tv_sec=5, tv_nsec=0}) = 2 (left {...})" in text
    assert "msg_len=1}, ...], 40, MSG_WAITFORONE, NULL) = 40" in text
    assert text.count("}, ...]") == 2  # the 40-datagram send and receive are cut
    assert f'iov_base="{"tres tres tres tres tres tres tr"[:strsize]}"..., iov_len=39' in text


EPOLL_PROBE_C = r"""
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int p[2], sv[2], ep, ep2;
    struct epoll_event ev = {0}, out[4];
    pipe(p);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    ep = epoll_create1(EPOLL_CLOEXEC);
    ep2 = epoll_create(5);
    epoll_create1(-1);
    ev.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
    ev.data.u64 = 7;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.u64 = 0x123456789ULL;
    epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
    ev.events = EPOLLIN;
    epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], &ev);
    write(p[1], "x", 1);
    write(sv[1], "y", 1);
    epoll_wait(ep, out, 4, 100);
    epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL);
    epoll_wait(ep2, out, 4, 0);
    epoll_ctl(ep, 99, sv[0], &ev);
    epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev);
    epoll_wait(-1, out, 4, 0);
    epoll_wait(ep, out, 0, 0);
    close(ep2); close(ep);
    return 0;
}
"""

EPOLL_PROBE_PY = """\
from csock.c import *

p = new("int[2]")
sv = new("int[2]")
ev = new("struct epoll_event *")
out = new("struct epoll_event[4]")
pipe(p)
socketpair(AF_UNIX, SOCK_STREAM, 0, sv)
ep = epoll_create1(EPOLL_CLOEXEC)
ep2 = epoll_create(5)
epoll_create1(-1)
ev.events = EPOLLIN | EPOLLET | EPOLLRDHUP
ev.data.u64 = 7
epoll_ctl(ep, EPOLL_CTL_ADD, p[0], ev)
ev.events = EPOLLOUT | EPOLLONESHOT
ev.data.u64 = 0x123456789
epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], ev)
ev.events = EPOLLIN
epoll_ctl(ep, EPOLL_CTL_MOD, sv[0], ev)
write(p[1], b"x", 1)
write(sv[1], b"y", 1)
epoll_wait(ep, out, 4, 100)
epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL)
epoll_wait(ep2, out, 4, 0)
epoll_ctl(ep, 99, sv[0], ev)
epoll_ctl(ep, EPOLL_CTL_ADD, -1, ev)
epoll_wait(-1, out, 4, 0)
epoll_wait(ep, out, 0, 0)
close(ep2); close(ep)
"""

EPOLL_SET = "pipe2,socketpair,epoll_create,epoll_create1,epoll_ctl,epoll_wait,write,close"


def test_epoll_probe_trace_matches_strace(strace: str, cc: str, tmp_path: Path) -> None:
    """epoll_create, epoll_create1, epoll_ctl and epoll_wait as strace prints them:
    events by name, data as u32/u64, the ready events after the call, errors."""
    src = tmp_path / "epoll.c"
    src.write_text(EPOLL_PROBE_C)
    exe = tmp_path / "epoll"
    subprocess.run([cc, "-O0", "-Wall", "-o", str(exe), str(src)], check=True,
                   capture_output=True, timeout=120)
    script = tmp_path / "epoll.py"
    script.write_text(EPOLL_PROBE_PY)
    out = tmp_path / "epoll-c.strace"
    run([strace, "-e", f"trace={EPOLL_SET}", "-o", str(out), str(exe)], plain_env())
    c_lines = normalise(out.read_text().splitlines(), set(EPOLL_SET.split(",")),
                        re.compile(r"^pipe2\("))
    py_lines = normalise(run([sys.executable, str(script)], traced_env()).stderr.decode()
                         .splitlines(), set(EPOLL_SET.split(",")), re.compile(r"^pipe2\("))
    assert_same(c_lines, py_lines)
    text = "\n".join(py_lines)
    assert "epoll_create1(EPOLL_CLOEXEC) = fd4" in text
    assert ("epoll_ctl(fd4, EPOLL_CTL_ADD, fd0, {events=EPOLLIN|EPOLLRDHUP|EPOLLET, "
            "data={u32=7, u64=7}}) = 0") in text
    assert "data={u32=591751049, u64=4886718345}" in text  # u32: the low half
    assert "epoll_ctl(fd4, EPOLL_CTL_DEL, fd2, NULL) = 0" in text
    assert "epoll_wait(fd5, [], 4, 0) = 0" in text
    assert "0x63 /* EPOLL_CTL_??? */" in text
    assert "epoll_create1(EPOLL_CLOEXEC|0xfff7ffff) = -1 EINVAL (Invalid argument)" in text
    assert "epoll_wait(-1, ADDR, 4, 0) = -1 EBADF (Bad file descriptor)" in text
    assert "epoll_wait(fd4, ADDR, 0, 0) = -1 EINVAL (Invalid argument)" in text


# --------------------------------------------------------------------------
# In-process: tracing(), errno, the environment, strace's quoting


def test_tracing_block_traces_module_lookups_and_restores() -> None:
    out = io.StringIO()
    sv = ffi.new("int[2]")
    buf = ffi.new("char[]", 64)
    assert c.socket is lib.socket
    with c.tracing(file=out):
        assert c.socket is not lib.socket
        assert c.socketpair(lib.AF_UNIX, lib.SOCK_STREAM, 0, sv) == 0
        assert c.send(sv[0], b"hola\n", 5, lib.MSG_NOSIGNAL) == 5
        assert c.recv(sv[1], buf, 64, 0) == 5
        assert c.htons(10000) == 4135  # a library function: not printed without all
        c.close(sv[0])
        c.close(sv[1])
    assert c.socket is lib.socket and c.send is lib.send and c.open is c._RAW["open"]
    a, b = sv[0], sv[1]
    assert out.getvalue().splitlines() == [
        _trace.line(f"socketpair(AF_UNIX, SOCK_STREAM, 0, [{a}, {b}])", "0"),
        _trace.line(f'sendto({a}, "hola\\n", 5, MSG_NOSIGNAL, NULL, 0)', "5"),
        _trace.line(f'recvfrom({b}, "hola\\n", 64, 0, NULL, NULL)', "5"),
        _trace.line(f"close({a})", "0"),
        _trace.line(f"close({b})", "0"),
    ]
    assert out.getvalue().splitlines()[-1] == f"close({b})" + " " * (40 - len(f"close({b})")) \
        + "= 0"


def test_tracing_keeps_errno_and_prints_the_error() -> None:
    out = io.StringIO()
    with c.tracing(file=out):
        assert c.close(-1) == -1
        assert c.errno == lib.EBADF
    assert out.getvalue() == _trace.line("close(-1)", "-1 EBADF (Bad file descriptor)") + "\n"


def test_tracing_all_adds_library_functions_and_strsize_cuts() -> None:
    out = io.StringIO()
    sv = ffi.new("int[2]")
    with c.tracing(file=out, all=True, strsize=4):
        c.htons(10000)
        c.inet_addr(b"127.0.0.1")
        c.socketpair(lib.AF_UNIX, lib.SOCK_STREAM, 0, sv)
        c.write(sv[0], b"abcdefgh", 8)
        c.close(sv[0])
        c.close(sv[1])
    lines = out.getvalue().splitlines()
    assert lines[0] == _trace.line("htons(10000)", "4135")
    assert lines[1] == _trace.line('inet_addr("127.0.0.1")', str(lib.inet_addr(b"127.0.0.1")))
    assert lines[3] == _trace.line(f'write({sv[0]}, "abcd"..., 8)', "8")


def test_tracing_open_is_openat_with_mode(tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "f.txt"
    with c.tracing(file=out):
        fd = c.open(bytes(path), lib.O_WRONLY | lib.O_CREAT | lib.O_TRUNC, 0o644)
        c.close(fd)
        assert c.open(bytes(tmp_path / "nada"), lib.O_RDONLY) == -1
    lines = out.getvalue().splitlines()
    assert lines[0] == _trace.line(
        f'openat(AT_FDCWD, "{path}", O_WRONLY|O_CREAT|O_TRUNC, 0644)', str(fd))
    assert lines[2].endswith("= -1 ENOENT (No such file or directory)")


def test_tracing_sendmmsg_recvmmsg_lines() -> None:
    """The lines the strace comparison checks, also where strace cannot run."""
    out = io.StringIO()
    sv = ffi.new("int[2]")
    data = [ffi.new("char[]", b"uno"), ffi.new("char[]", b"dos!")]
    iov = ffi.new("struct iovec[2]")
    vec = ffi.new("struct mmsghdr[2]")
    bufs = ffi.new("char[3][2]")
    riov = ffi.new("struct iovec[3]")
    rvec = ffi.new("struct mmsghdr[3]")
    for i in range(2):
        iov[i].iov_base, iov[i].iov_len = data[i], 3 + i
        vec[i].msg_hdr.msg_iov, vec[i].msg_hdr.msg_iovlen = iov + i, 1
    for i in range(3):
        riov[i].iov_base, riov[i].iov_len = bufs[i], 2
        rvec[i].msg_hdr.msg_iov, rvec[i].msg_hdr.msg_iovlen = riov + i, 1
    with c.tracing(file=out):
        c.socketpair(lib.AF_UNIX, lib.SOCK_DGRAM, 0, sv)
        assert c.sendmmsg(sv[0], vec, 2, lib.MSG_NOSIGNAL) == 2
        assert c.recvmmsg(sv[1], rvec, 3, lib.MSG_WAITFORONE, ffi.NULL) == 2
        assert c.recvmmsg(sv[1], rvec, 3, lib.MSG_DONTWAIT, ffi.NULL) == -1
        c.close(sv[0])
        c.close(sv[1])
    hdr = "msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="
    tail = "msg_iovlen=1, msg_controllen=0, msg_flags="
    assert out.getvalue().splitlines()[1:4] == [
        _trace.line(f'sendmmsg({sv[0]}, [{{msg_hdr={{{hdr}"uno", iov_len=3}}], {tail}0}}, '
                    f'msg_len=3}}, {{msg_hdr={{{hdr}"dos!", iov_len=4}}], {tail}0}}, '
                    "msg_len=4}], 2, MSG_NOSIGNAL)", "2"),
        _trace.line(f'recvmmsg({sv[1]}, [{{msg_hdr={{{hdr}"un", iov_len=2}}], '
                    f'{tail}MSG_TRUNC}}, msg_len=2}}, {{msg_hdr={{{hdr}"do", iov_len=2}}], '
                    f"{tail}MSG_TRUNC}}, msg_len=2}}], 3, MSG_WAITFORONE, NULL)", "2"),
        _trace.line(f"recvmmsg({sv[1]}, {_show.address(rvec)}, 3, MSG_DONTWAIT, NULL)",
                    "-1 EAGAIN (Resource temporarily unavailable)"),
    ]


def test_quote_follows_strace() -> None:
    # strings seen in strace 6.1 output (see the probe above and its docstring)
    assert _show.quote(b"\x01\xff\t\"\\ end\n") == '"\\1\\377\\t\\"\\\\ end\\n"'
    assert _show.quote(b"x" * 30 + b"\x015") == '"' + "x" * 30 + '\\0015"'
    assert _show.quote(b"x" * 30 + b"\x015" + b"x") == '"' + "x" * 30 + '\\0015"...'
    assert _show.quote(b"x" * 31 + b"\x015") == '"' + "x" * 31 + '\\1"...'
    assert _show.quote(b"\r\v\f\x7f\x80") == '"\\r\\v\\f\\177\\200"'
    assert _show.quote(b"abc", strsize=0) == '""...'


def test_env_trace_reaches_star_imports() -> None:
    code = ("from csock.c import *\n"
            "import csock.c as c\n"
            "assert close is not c.lib.close\n"
            "close(-1)\n"
            "htons(1)\n")
    for mode, expect_htons in (("1", False), ("all", True)):
        env = dict(plain_env(), CSOCK_TRACE=mode)
        result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                                timeout=TIMEOUT, env=env)
        assert result.returncode == 0, result.stderr
        err = result.stderr.decode()
        assert "close(-1)" in err and "EBADF" in err
        assert ("htons(1)" in err) == expect_htons
    result = subprocess.run([sys.executable, "-c", "import csock.c as c\n"
                             "assert c.close is c.lib.close"],
                            capture_output=True, timeout=TIMEOUT, env=plain_env())
    assert result.returncode == 0 and result.stderr == b""


def test_env_strsize() -> None:
    code = ("from csock.c import *\n"
            "sv = new('int[2]')\n"
            "socketpair(AF_UNIX, SOCK_STREAM, 0, sv)\n"
            "write(sv[0], b'abcdefgh', 8)\n")
    env = dict(plain_env(), CSOCK_TRACE="1", CSOCK_TRACE_STRSIZE="3")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=TIMEOUT,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert '"abc"..., 8)' in result.stderr.decode()


def test_forked_child_lines_carry_the_pid() -> None:
    """A line emitted by another process than the one that set tracing up is a
    forked child's: "[pid N] " first, as strace -f marks it (each line of a
    multi-line entry)."""
    out = io.StringIO()
    cfg = _trace.Config(file=out)
    cfg.emit("close(3) = 0")
    cfg.pid = os.getpid() + 1  # as if this process were the parent's child
    cfg.emit("unlink(\"d\") = -1 EISDIR (Is a directory)\nrmdir(\"d\") = 0")
    me = os.getpid()
    assert out.getvalue().splitlines() == [
        "close(3) = 0",
        f'[pid {me}] unlink("d") = -1 EISDIR (Is a directory)',
        f'[pid {me}] rmdir("d") = 0']
