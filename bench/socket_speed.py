"""How much csock costs over the system call: csock against C and Python's socket.

    python bench/socket_speed.py [--rounds 5] [--tests ...] [--instructions]

Each measurement runs in a fresh process pinned to CPU 0 (``taskset -c 0``), and
forks its peer there: both ends of a run use the same implementation. Tests:
1-byte ping-pong round trips over TCP loopback (TCP_NODELAY) and over an
AF_UNIX socketpair, blocking and with a timeout (``settimeout(5.0)`` on both
ends; in C and csock.c, non-blocking fds and a poll() before each call); UDP
loopback, 64 sends of 64 bytes then 64 recvfrom()s, repeated, in one process
(csock.c leaves the sender's address undecoded, as C does); the same
datagrams in batches of 64 (``udp-batch``: one sendmmsg and recvmmsg calls with
MSG_WAITFORONE per batch in C, csock.c and csock.Socket, against socket's loop
of send and recvfrom, which has no batch call); and a one-way
bulk transfer over TCP loopback, 64 KiB sends received with recv_into
(``--bulk-kib``; in C, send() and recv() of a malloc'd buffer).
``--instructions`` adds user-space instructions per operation counted by
callgrind (steadier than time on a shared machine).
The ``floor`` rows (blocking ping-pongs, bulk) run the least a Pythonic layer
with csock's C runtime must run per call: a Python method and one call of the
hot C function csock.Socket uses (csock/_cdefs/csock_hot.py: the buffer
protocol, the system call, the bytes made), with no check of the result and
no EINTR or error handling: no layer that behaves as ``socket`` does, with
a Python method over that C, can be cheaper than that.
``--clock cpu`` measures CPU seconds (user + system, both processes of a
ping-pong) instead of elapsed time: on a machine shared with other work, time
spent waiting for the CPU is left out, so the ratios stay meaningful.
Implementations are
interleaved round by round, in a fresh random order each round (seeded), so
drift and order effects hit all alike. The value column is the median over
rounds; the ratios are medians of per-round ratios (each implementation
against C's and socket's runs of the same round, which ran next to it): on a
noisy machine a paired ratio is much steadier than either time. ``median CI``
is a distribution-free 95 % confidence interval of the median ratio to socket
(order statistics; with fewer than 6 rounds, the whole range, and the
footer says its lower confidence): a goal is met when the interval lies
under it, missed when it lies above, and undecided by the run otherwise.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLS = ["C", "socket", "csock.c", "csock.Socket", "floor"]
# "floor": the least a Python method over csock's hot C runs per call (blocking ping-pongs, bulk).
FLOOR_TESTS = ("pingpong-tcp", "pingpong-unix", "bulk")


def _measured(impl: str, test: str) -> bool:
    """Whether impl runs test (the floor only on the blocking ping-pongs and bulk)."""
    return impl != "floor" or test in FLOOR_TESTS
TESTS = ["pingpong-tcp", "pingpong-unix", "pingpong-tcp-timeout", "pingpong-unix-timeout",
         "udp", "udp-batch", "bulk"]
UDP_BATCH = 64  # datagrams sent, then received, per batch (64 bytes each)


def _chunk() -> int:
    """Bytes per bulk send and recv_into: BENCH_CHUNK in the environment (set by the driver)."""
    return int(os.environ.get("BENCH_CHUNK", 64 * 1024))


# --------------------------------------------------------------- the workers
def _clock() -> float:
    """Elapsed seconds, or this process's CPU seconds with BENCH_CLOCK=cpu."""
    if os.environ.get("BENCH_CLOCK") == "cpu":
        return time.process_time()  # CLOCK_PROCESS_CPUTIME_ID: nanoseconds, not ticks
    return time.perf_counter()


def _children_cpu() -> float:
    """CPU seconds of the reaped children (the forked peer), with BENCH_CLOCK=cpu."""
    if os.environ.get("BENCH_CLOCK") != "cpu":
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # microseconds, not ticks
    return usage.ru_utime + usage.ru_stime


class _FloorSocket:
    """The floor under any Pythonic layer here: a Python method and one call
    of csock's hot C function (csock/_cdefs/csock_hot.py), whose result is
    returned as it is. No argument checks in Python, no result check, no
    EINTR or error handling: not a usable socket, the least that a usable
    one can cost. csock.Socket's descriptor and handle are borrowed (the C
    runtime's reference counting stays, as in every csock call)."""

    __slots__ = ("_sock", "_hot")

    def __init__(self, sock: Any) -> None:
        self._sock = sock  # owns the descriptor
        self._hot = sock._hot

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        return _floor_recv(self._hot, bufsize, flags)  # type: ignore[no-any-return]

    def recv_into(self, buffer: bytearray, nbytes: int = 0, flags: int = 0) -> int:
        return _floor_recv_into(self._hot, buffer, nbytes, flags)  # type: ignore[no-any-return]

    def send(self, data: bytes, flags: int = 0) -> int:
        return _floor_send(self._hot, data, flags)  # type: ignore[no-any-return]

    def close(self) -> None:
        self._sock.close()


def _load_floor() -> None:
    """The floor's C functions, as module globals (as csock._socket has them)."""
    global _floor_recv, _floor_recv_into, _floor_send
    from csock import _hot

    _floor_recv, _floor_recv_into, _floor_send = _hot.recv, _hot.recv_into, _hot.send


_floor_recv: Any = None
_floor_recv_into: Any = None
_floor_send: Any = None


def _worker_socket(test: str, n: int, module: str) -> float:
    if module == "socket":
        import socket as mod
    else:
        import csock as mod  # type: ignore[no-redef]
    if test == "udp":
        return _udp_socket(mod, n)
    if test == "udp-batch":
        return _udp_socket(mod, n) if module == "socket" else _udp_batch_csock(mod, n)
    if test.startswith("pingpong-unix"):
        a, b = mod.socketpair()
    else:
        lst = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        a = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
        a.connect(lst.getsockname())
        b, _ = lst.accept()
        lst.close()
        for s in (a, b):
            s.setsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY, 1)
    if test.endswith("-timeout"):  # each call: poll(), then the call
        a.settimeout(5.0)
        b.settimeout(5.0)
    if module == "floor":
        _load_floor()
        a, b = _FloorSocket(a), _FloorSocket(b)  # type: ignore[assignment]
    chunk = _chunk()
    pid = os.fork()
    if test == "bulk":
        if pid == 0:
            a.close()
            data = b"b" * chunk
            sent = 0
            while sent < n:
                sent += b.send(data if n - sent >= chunk else data[: n - sent])
            os._exit(0)
        b.close()
        buf = bytearray(chunk)
        recv_into = a.recv_into
        got = 0
        t0 = _clock()
        while got < n:
            k = recv_into(buf)
            if not k:
                raise SystemExit("bulk: early EOF")
            got += k
        elapsed = _clock() - t0
    else:
        if pid == 0:
            a.close()
            recv, send = b.recv, b.send
            for _ in range(n):
                send(recv(1))
            os._exit(0)
        b.close()
        recv, send = a.recv, a.send
        msg = b"x"
        t0 = _clock()
        for _ in range(n):
            send(msg)
            recv(1)
        elapsed = _clock() - t0
    os.waitpid(pid, 0)
    a.close()
    return elapsed + _children_cpu()


def _udp_batch_csock(mod: Any, n: int) -> float:
    """csock.Socket's sendmmsg and recvmmsg, 64 datagrams a call."""
    rx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    tx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    rx.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 1 << 20)
    rx.bind(("127.0.0.1", 0))
    tx.connect(rx.getsockname())
    sendmmsg, recvmmsg = tx.sendmmsg, rx.recvmmsg
    datagrams = [b"u" * 64] * UDP_BATCH
    t0 = _clock()
    for _ in range(0, n, UDP_BATCH):
        if sendmmsg(datagrams) != UDP_BATCH:
            raise SystemExit("sendmmsg: short batch")
        got = 0
        while got < UDP_BATCH:
            got += len(recvmmsg(UDP_BATCH - got, 64))
    elapsed = _clock() - t0
    rx.close()
    tx.close()
    return elapsed


def _udp_pair_raw() -> tuple[int, int]:
    """csock.c: a UDP receiver on 127.0.0.1 (1 MiB buffer) and a sender connected to it."""
    import csock.c as c

    rx = c.socket(c.AF_INET, c.SOCK_DGRAM, 0)
    tx = c.socket(c.AF_INET, c.SOCK_DGRAM, 0)
    size = c.new("int *", 1 << 20)
    c.setsockopt(rx, c.SOL_SOCKET, c.SO_RCVBUF, size, c.sizeof("int"))
    addr = c.new("struct sockaddr_in *")
    addr.sin_family = c.AF_INET
    addr.sin_addr.s_addr = c.htonl(c.INADDR_LOOPBACK)
    sa = c.cast("struct sockaddr *", addr)
    length = c.new("socklen_t *", c.sizeof("struct sockaddr_in"))
    assert c.bind(rx, sa, length[0]) == 0 and c.getsockname(rx, sa, length) == 0
    assert c.connect(tx, sa, length[0]) == 0
    return rx, tx


def _udp_batch_raw(n: int) -> float:
    """csock.c's sendmmsg and recvmmsg, the vectors set up as C does."""
    import csock.c as c

    rx, tx = _udp_pair_raw()
    data = c.new("char[]", b"u" * 64)
    out = c.new("struct mmsghdr[]", UDP_BATCH)
    out_iov = c.new("struct iovec[]", UDP_BATCH)
    for i in range(UDP_BATCH):
        out_iov[i].iov_base = data
        out_iov[i].iov_len = 64
        out[i].msg_hdr.msg_iov = c.addressof(out_iov, i)
        out[i].msg_hdr.msg_iovlen = 1
    bufs = c.new("char[]", 64 * UDP_BATCH)
    names = c.new("struct sockaddr_storage[]", UDP_BATCH)
    vecs = []
    for start in range(UDP_BATCH):  # a vector for each count still wanted
        left = UDP_BATCH - start
        vec = c.new("struct mmsghdr[]", left)
        iov = c.new("struct iovec[]", left)
        for i in range(left):
            iov[i].iov_base = bufs + 64 * i
            iov[i].iov_len = 64
            vec[i].msg_hdr.msg_iov = c.addressof(iov, i)
            vec[i].msg_hdr.msg_iovlen = 1
            vec[i].msg_hdr.msg_name = c.addressof(names, i)
        vecs.append((vec, iov))
    sendmmsg, recvmmsg = c.sendmmsg, c.recvmmsg
    storage_size = c.sizeof("struct sockaddr_storage")
    t0 = _clock()
    for _ in range(0, n, UDP_BATCH):
        if sendmmsg(tx, out, UDP_BATCH, 0) != UDP_BATCH:
            raise SystemExit("sendmmsg: short batch")
        got = 0
        while got < UDP_BATCH:
            vec = vecs[got][0]
            for i in range(UDP_BATCH - got):
                vec[i].msg_hdr.msg_namelen = storage_size
            k = recvmmsg(rx, vec, UDP_BATCH - got, c.MSG_WAITFORONE, c.NULL)
            if k <= 0:
                raise SystemExit("recvmmsg failed")
            got += k
    elapsed = _clock() - t0
    c.close(rx)
    c.close(tx)
    return elapsed


def _udp_socket(mod: Any, n: int) -> float:
    rx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    tx = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    rx.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 1 << 20)
    rx.bind(("127.0.0.1", 0))
    tx.connect(rx.getsockname())
    send, recvfrom = tx.send, rx.recvfrom
    data = b"u" * 64
    batches = range(0, n, UDP_BATCH)
    batch = range(UDP_BATCH)
    t0 = _clock()
    for _ in batches:
        for _ in batch:
            send(data)
        for _ in batch:
            recvfrom(64)
    elapsed = _clock() - t0
    rx.close()
    tx.close()
    return elapsed


def _udp_raw(n: int) -> float:
    """csock.c's send and recvfrom, the address left undecoded (C's own loop)."""
    import csock.c as c

    rx, tx = _udp_pair_raw()
    send, recvfrom = c.send, c.recvfrom
    data = b"u" * 64
    buf = c.new("char[]", 64)
    frm = c.new("struct sockaddr_storage *")
    frm_sa = c.cast("struct sockaddr *", frm)
    flen = c.new("socklen_t *")
    batches = range(0, n, UDP_BATCH)
    batch = range(UDP_BATCH)
    t0 = _clock()
    for _ in batches:
        for _ in batch:
            send(tx, data, 64, 0)
        for _ in batch:
            flen[0] = 128
            recvfrom(rx, buf, 64, 0, frm_sa, flen)
    elapsed = _clock() - t0
    c.close(rx)
    c.close(tx)
    return elapsed


def _worker_raw(test: str, n: int) -> float:
    import csock.c as c

    if test == "udp":
        return _udp_raw(n)
    if test == "udp-batch":
        return _udp_batch_raw(n)
    timed = test.endswith("-timeout")
    fds = c.new("int[2]")
    if test.startswith("pingpong-unix"):
        if c.socketpair(c.AF_UNIX, c.SOCK_STREAM, 0, fds) == -1:
            raise SystemExit("socketpair failed")
    else:
        lst = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
        addr = c.new("struct sockaddr_in *")
        addr.sin_family = c.AF_INET
        addr.sin_addr.s_addr = c.htonl(c.INADDR_LOOPBACK)
        sa = c.cast("struct sockaddr *", addr)
        length = c.new("socklen_t *", c.sizeof("struct sockaddr_in"))
        assert c.bind(lst, sa, length[0]) == 0 and c.listen(lst, 1) == 0
        assert c.getsockname(lst, sa, length) == 0
        fds[0] = c.socket(c.AF_INET, c.SOCK_STREAM, 0)
        assert c.connect(fds[0], sa, length[0]) == 0
        fds[1] = c.accept(lst, c.NULL, c.NULL)
        c.close(lst)
        one = c.new("int *", 1)
        for fd in (fds[0], fds[1]):
            c.setsockopt(fd, c.IPPROTO_TCP, c.TCP_NODELAY, one, c.sizeof("int"))
    a, b = fds[0], fds[1]
    recv, send = c.recv, c.send
    if timed:  # as C does it: non-blocking fds, poll() before each call
        for fd in (a, b):
            c.fcntl(fd, c.F_SETFL, c.fcntl(fd, c.F_GETFL) | c.O_NONBLOCK)
        pfd = c.new("struct pollfd *")
        poll = c.poll

        def recv(fd: int, buf: Any, size: int, flags: int) -> int:
            pfd.fd, pfd.events = fd, c.POLLIN
            poll(pfd, 1, 5000)
            return c.recv(fd, buf, size, flags)

        def send(fd: int, buf: Any, size: int, flags: int) -> int:
            pfd.fd, pfd.events = fd, c.POLLOUT
            poll(pfd, 1, 5000)
            return c.send(fd, buf, size, flags)
    chunk = _chunk()
    pid = os.fork()
    if test == "bulk":
        if pid == 0:
            c.close(a)
            data = c.new("char[]", chunk)
            sent = 0
            while sent < n:
                k = send(b, data, min(chunk, n - sent), 0)
                if k <= 0:
                    os._exit(1)
                sent += k
            os._exit(0)
        c.close(b)
        buf = bytearray(chunk)
        p = c.from_buffer(buf)
        got = 0
        t0 = _clock()
        while got < n:
            k = recv(a, p, chunk, 0)
            if k <= 0:
                raise SystemExit("bulk: early EOF")
            got += k
        elapsed = _clock() - t0
    else:
        buf1 = c.new("char[1]")
        if pid == 0:
            c.close(a)
            for _ in range(n):
                recv(b, buf1, 1, 0)
                send(b, buf1, 1, 0)
            os._exit(0)
        c.close(b)
        t0 = _clock()
        for _ in range(n):
            send(a, b"x", 1, 0)
            recv(a, buf1, 1, 0)
        elapsed = _clock() - t0
    os.waitpid(pid, 0)
    c.close(a)
    return elapsed + _children_cpu()


# ---------------------------------------------------------------- the driver
def median_interval(values: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """A distribution-free confidence interval of the median: (low, high, confidence).

    [x(k), x(n+1-k)] of the sorted values holds the median with probability
    P(k <= B <= n-k), B ~ Binomial(n, 1/2), whatever the distribution: the
    narrowest such interval reaching ``level``, else (fewer than 6 values)
    the whole range with its lower confidence.
    """
    xs = sorted(values)
    n = len(xs)
    best = (xs[0], xs[-1], 1 - 2 * 0.5 ** n)
    below = 1  # C(n, 0) + ... + C(n, k-1): outcomes with fewer than k values under the median
    for k in range(2, (n + 1) // 2 + 1):
        below += math.comb(n, k - 1)
        confidence = 1 - 2 * below / 2 ** n
        if confidence < level:
            break
        best = (xs[k - 1], xs[n - k], confidence)
    return best


def _build_c(tmpdir: str) -> str:
    binary = os.path.join(tmpdir, "bench_c")
    subprocess.run(["cc", "-Wall", "-Wextra", "-O2", "-o", binary,
                    os.path.join(HERE, "bench_c.c")], check=True)
    return binary


def cffi_build() -> str:
    """How the _cffi_backend in use was compiled, as far as its symbols tell.

    An optimised build inlines CPython's static inline helpers; a build
    without optimisation (-O0) keeps Py_TYPE as a function of its own, and
    every cffi call pays for it (issue 12 asks to say so beside the figures).
    """
    import _cffi_backend

    path = _cffi_backend.__file__ or "?"
    if not shutil.which("nm"):
        return f"{path} (nm missing: build unknown)"
    out = subprocess.run(["nm", path], capture_output=True, text=True).stdout
    if re.search(r"^\S+ t Py_TYPE$", out, re.M):
        return f"{path}: built WITHOUT optimisation (Py_TYPE is not inlined)"
    return f"{path}: optimised build"


def _pin() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def _run(impl: str, test: str, n: int, c_binary: str, clock: str = "wall",
         chunk: int = 64 * 1024) -> float:
    if impl == "C":
        cmd = [c_binary, test, str(n)]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", impl, test, str(n)]
    env = dict(os.environ, BENCH_CLOCK=clock, BENCH_CHUNK=str(chunk))
    out = subprocess.run(_pin() + cmd, check=True, capture_output=True, text=True, timeout=600,
                         env=env)
    return float(out.stdout.strip())


def _collected(cmd: list[str]) -> int:
    """callgrind's instruction count of the first (parent) process of ``cmd``."""
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.run(["valgrind", "--tool=callgrind",
                               f"--callgrind-out-file={d}/cg.%p", *cmd],
                              capture_output=True, text=True, timeout=1800,
                              env=dict(os.environ, PYTHONHASHSEED="0"))
    pids = re.findall(r"^==(\d+)==", proc.stderr, re.M)
    counts = dict(re.findall(r"^==(\d+)== Collected : (\d+)", proc.stderr, re.M))
    if proc.returncode != 0 or not pids or pids[0] not in counts:
        raise SystemExit(f"callgrind failed: {proc.stderr[-1500:]}")
    return int(counts[pids[0]])


def _instruction_table(tests: list[str], impls: list[str],
                       c_binary: str) -> dict[tuple[str, str], float]:
    """Instructions per operation: the counts for N and 2N operations, differenced."""
    if not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    out: dict[tuple[str, str], float] = {}
    for test in tests:
        if test == "bulk":
            continue  # how many bytes a recv_into gets depends on timing: no per-call count
        n = 6400 if test.startswith("udp") else 1024
        for impl in impls:
            if not _measured(impl, test):
                continue

            def cmd(count: int, impl: str = impl, test: str = test) -> list[str]:
                if impl == "C":
                    return [c_binary, test, str(count)]
                return [sys.executable, os.path.abspath(__file__), "--worker", impl, test,
                        str(count)]
            out[impl, test] = (_collected(cmd(2 * n)) - _collected(cmd(n))) / n
            print(f"instructions: {test} {impl} done", file=sys.stderr)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--pingpongs", type=int, default=20000,
                        help="round trips per ping-pong run (default 20000)")
    parser.add_argument("--datagrams", type=int, default=64000,
                        help="datagrams per UDP run (default 64000)")
    parser.add_argument("--bulk-mib", type=int, default=1024,
                        help="MiB per bulk run (default 1024)")
    parser.add_argument("--bulk-kib", type=int, default=64,
                        help="KiB per bulk send and recv_into (default 64)")
    parser.add_argument("--tests", default=",".join(TESTS),
                        help=f"comma-separated subset of {','.join(TESTS)}")
    parser.add_argument("--impls", default=",".join(IMPLS),
                        help=f"comma-separated subset of {','.join(IMPLS)} "
                             "(socket is always run: it is the baseline)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the run order (default 1)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall: elapsed time (default); cpu: CPU seconds of both "
                             "processes (for a machine shared with other work)")
    parser.add_argument("--instructions", action="store_true",
                        help="add callgrind's user-space instructions per operation "
                             "(slow: valgrind runs each worker twice)")
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "TEST", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        impl, test, n = args.worker
        if impl == "csock.c":
            elapsed = _worker_raw(test, int(n))
        else:
            elapsed = _worker_socket(test, int(n), {"socket": "socket", "floor": "floor"}.get(
                impl, "csock"))
        print(f"{elapsed:.6f}")
        return 0

    tests = [t for t in args.tests.split(",") if t]
    unknown = set(tests) - set(TESTS)
    if unknown:
        parser.error(f"unknown test(s): {', '.join(sorted(unknown))}")
    impls = [i for i in IMPLS if i in args.impls.split(",") or i == "socket"]
    unknown = set(args.impls.split(",")) - set(IMPLS) - {""}
    if unknown:
        parser.error(f"unknown implementation(s): {', '.join(sorted(unknown))}")
    order = random.Random(args.seed)
    sizes: dict[str, int] = {"pingpong-tcp": args.pingpongs, "pingpong-unix": args.pingpongs,
             "pingpong-tcp-timeout": args.pingpongs, "pingpong-unix-timeout": args.pingpongs,
             "udp": args.datagrams, "udp-batch": args.datagrams,
             "bulk": args.bulk_mib * 1024 * 1024}
    times: dict[tuple[str, str], list[float]] = {(i, t): [] for i in IMPLS for t in TESTS}
    counts: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as tmpdir:
        c_binary = _build_c(tmpdir)
        for r in range(args.rounds):
            for test in tests:
                for impl in order.sample(impls, len(impls)):
                    if not _measured(impl, test):
                        continue
                    times[impl, test].append(_run(impl, test, sizes[test], c_binary, args.clock,
                                                  args.bulk_kib * 1024))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
        if args.instructions:
            counts = _instruction_table(tests, impls, c_binary)

    def value(impl: str, test: str) -> float:
        t: float = statistics.median(times[impl, test])
        if test == "bulk":
            return sizes[test] / t / 1e9  # GB/s
        return t / sizes[test] * 1e6  # µs per round trip, or per datagram

    print(f"cffi backend: {cffi_build()}")
    print(f"pinned: {'taskset -c 0' if _pin() else 'no (taskset missing)'}; "
          f"clock: {'CPU seconds' if args.clock == 'cpu' else 'elapsed'}; "
          f"rounds: {args.rounds}; ping-pongs: {args.pingpongs}; datagrams: {args.datagrams}; "
          f"bulk: {args.bulk_mib} MiB in {args.bulk_kib} KiB calls; "
          "value: median of rounds, [spread] (max-min)/median")
    print(f"{'test':<23}{'impl':<14}{'value':>14}{'spread':>8}{'vs C':>9}{'vs socket':>11}"
          f"{'median CI':>15}" + (f"{'instr/op':>11}{'vs socket':>11}" if counts else ""))

    def ratios(impl: str, base: str, test: str) -> list[float]:
        """Per-round time ratios of impl to base (bulk included: times of equal work)."""
        return [a / b for a, b in zip(times[impl, test], times[base, test], strict=True)]

    for test in tests:
        unit = "GB/s" if test == "bulk" else "µs/dg" if test.startswith("udp") else "µs/rt"
        for impl in impls:
            if not _measured(impl, test):
                continue
            v = value(impl, test)
            runs = times[impl, test]
            spread = (max(runs) - min(runs)) / statistics.median(runs)
            vs_c = (f"{statistics.median(ratios(impl, 'C', test)):>8.2f}x"
                    if "C" in impls else f"{'-':>9}")
            to_socket = ratios(impl, "socket", test)
            low, high, _ = median_interval(to_socket)
            line = (f"{test:<23}{impl:<14}{v:>9.2f} {unit:<5}  [{spread:>3.0%}]{vs_c}"
                    f"{statistics.median(to_socket):>10.2f}x"
                    f"  [{low:.2f}-{high:.2f}]")
            if (impl, test) in counts:
                base = counts.get(("socket", test)) or 1
                line += f"{counts[impl, test]:>11,.0f}{counts[impl, test] / base:>10.2f}x"
            print(line)
    print("ratios are time ratios, medians of per-round ratios (lower is better; bulk: the "
          "time for the same bytes, so the inverse of the throughput ratio)")
    confidence = median_interval([1.0] * args.rounds)[2]
    print(f"median CI: where the median ratio to socket lies with {confidence:.1%} confidence "
          f"(order statistics of the {args.rounds} per-round ratios; more rounds, narrower)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
