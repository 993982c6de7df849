"""How much csock costs over the system call: csock against C and Python's socket.

    python bench/socket_speed.py [--rounds 3] [--pingpongs 20000] [--bulk-mib 1024]

Each measurement runs in a fresh process pinned to CPU 0 (``taskset -c 0``), and
forks its peer there: both ends of a run use the same implementation. Tests:
1-byte ping-pong round trips over TCP loopback (TCP_NODELAY) and over an
AF_UNIX socketpair, and a one-way bulk transfer over TCP loopback received
with recv_into (recv() into a static buffer in C). Implementations are
interleaved round by round, in a fresh random order each round (seeded), so
drift and order effects hit all alike; the table shows medians.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
IMPLS = ["C", "socket", "csock.c", "csock.Socket"]
TESTS = ["pingpong-tcp", "pingpong-unix", "bulk"]
CHUNK = 256 * 1024


# --------------------------------------------------------------- the workers
def _worker_socket(test: str, n: int, module: str) -> float:
    if module == "socket":
        import socket as mod
    else:
        import csock as mod  # type: ignore[no-redef]
    if test == "pingpong-unix":
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
    pid = os.fork()
    if test == "bulk":
        if pid == 0:
            a.close()
            data = b"b" * CHUNK
            sent = 0
            while sent < n:
                sent += b.send(data if n - sent >= CHUNK else data[: n - sent])
            os._exit(0)
        b.close()
        buf = bytearray(CHUNK)
        recv_into = a.recv_into
        got = 0
        t0 = time.perf_counter()
        while got < n:
            k = recv_into(buf)
            if not k:
                raise SystemExit("bulk: early EOF")
            got += k
        elapsed = time.perf_counter() - t0
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
        t0 = time.perf_counter()
        for _ in range(n):
            send(msg)
            recv(1)
        elapsed = time.perf_counter() - t0
    os.waitpid(pid, 0)
    a.close()
    return elapsed


def _worker_raw(test: str, n: int) -> float:
    import csock.c as c

    fds = c.new("int[2]")
    if test == "pingpong-unix":
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
    pid = os.fork()
    if test == "bulk":
        if pid == 0:
            c.close(a)
            data = c.new("char[]", CHUNK)
            sent = 0
            while sent < n:
                k = send(b, data, min(CHUNK, n - sent), 0)
                if k <= 0:
                    os._exit(1)
                sent += k
            os._exit(0)
        c.close(b)
        buf = bytearray(CHUNK)
        p = c.from_buffer(buf)
        got = 0
        t0 = time.perf_counter()
        while got < n:
            k = recv(a, p, CHUNK, 0)
            if k <= 0:
                raise SystemExit("bulk: early EOF")
            got += k
        elapsed = time.perf_counter() - t0
    else:
        buf1 = c.new("char[1]")
        if pid == 0:
            c.close(a)
            for _ in range(n):
                recv(b, buf1, 1, 0)
                send(b, buf1, 1, 0)
            os._exit(0)
        c.close(b)
        t0 = time.perf_counter()
        for _ in range(n):
            send(a, b"x", 1, 0)
            recv(a, buf1, 1, 0)
        elapsed = time.perf_counter() - t0
    os.waitpid(pid, 0)
    c.close(a)
    return elapsed


# ---------------------------------------------------------------- the driver
def _build_c(tmpdir: str) -> str:
    binary = os.path.join(tmpdir, "bench_c")
    subprocess.run(["cc", "-Wall", "-Wextra", "-O2", "-o", binary,
                    os.path.join(HERE, "bench_c.c")], check=True)
    return binary


def _pin() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def _run(impl: str, test: str, n: int, c_binary: str) -> float:
    if impl == "C":
        cmd = [c_binary, test, str(n)]
    else:
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", impl, test, str(n)]
    out = subprocess.run(_pin() + cmd, check=True, capture_output=True, text=True, timeout=600)
    return float(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--pingpongs", type=int, default=20000,
                        help="round trips per ping-pong run (default 20000)")
    parser.add_argument("--bulk-mib", type=int, default=1024,
                        help="MiB per bulk run (default 1024)")
    parser.add_argument("--tests", default=",".join(TESTS),
                        help=f"comma-separated subset of {','.join(TESTS)}")
    parser.add_argument("--seed", type=int, default=1, help="seed of the run order (default 1)")
    parser.add_argument("--worker", nargs=3, metavar=("IMPL", "TEST", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        impl, test, n = args.worker
        if impl == "csock.c":
            elapsed = _worker_raw(test, int(n))
        else:
            elapsed = _worker_socket(test, int(n), "socket" if impl == "socket" else "csock")
        print(f"{elapsed:.6f}")
        return 0

    tests = [t for t in args.tests.split(",") if t]
    unknown = set(tests) - set(TESTS)
    if unknown:
        parser.error(f"unknown test(s): {', '.join(sorted(unknown))}")
    order = random.Random(args.seed)
    sizes = {"pingpong-tcp": args.pingpongs, "pingpong-unix": args.pingpongs,
             "bulk": args.bulk_mib * 1024 * 1024}
    times: dict[tuple[str, str], list[float]] = {(i, t): [] for i in IMPLS for t in TESTS}
    with tempfile.TemporaryDirectory() as tmpdir:
        c_binary = _build_c(tmpdir)
        for r in range(args.rounds):
            for test in tests:
                for impl in order.sample(IMPLS, len(IMPLS)):
                    times[impl, test].append(_run(impl, test, sizes[test], c_binary))
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    def value(impl: str, test: str) -> float:
        t = statistics.median(times[impl, test])
        if test == "bulk":
            return sizes[test] / t / 1e9  # GB/s
        return t / sizes[test] * 1e6  # µs per round trip

    print(f"pinned: {'taskset -c 0' if _pin() else 'no (taskset missing)'}; "
          f"rounds: {args.rounds}; ping-pongs: {args.pingpongs}; bulk: {args.bulk_mib} MiB; "
          f"median of rounds")
    print(f"{'test':<15}{'impl':<14}{'value':>14}{'vs C':>9}{'vs socket':>11}")
    for test in tests:
        unit = "GB/s" if test == "bulk" else "µs/rt"
        for impl in IMPLS:
            v = value(impl, test)
            c_v, s_v = value("C", test), value("socket", test)
            if test == "bulk":  # higher is better: ratio of times = inverse of throughput
                vs_c, vs_s = c_v / v, s_v / v
            else:
                vs_c, vs_s = v / c_v, v / s_v
            print(f"{test:<15}{impl:<14}{v:>9.2f} {unit:<5}{vs_c:>8.2f}x{vs_s:>10.2f}x")
    print("ratios are time ratios (lower is better; bulk: inverse throughput ratio)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
