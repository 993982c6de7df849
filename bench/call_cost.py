"""Instructions per call, counted by valgrind's callgrind: csock.Socket beside
Python's socket (and the floor, and csock.c's raw calls), on a socketpair in
one process.

    python bench/call_cost.py [--calls 2000] [--ops send+recv,...]

Time on this shared machine is noisy; instruction counts are not. Each
(implementation, operation, mode) runs twice under callgrind, with N and 2N
calls; the difference divided by N is the cost of one call, start-up and
set-up cancelled. Operations: ``send+recv`` (send(1) then recv(1)),
``send+recv_into``, ``sendto+recvfrom`` (AF_UNIX datagrams, the address
decoded), each blocking and with ``settimeout(5.0)``. The table shows the
instructions per pair of calls and the ratio to socket's.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile

# csock.rt: the same raw calls through csock's runtime (a reference taken and
# dropped around each): its difference from csock.c is the descriptor
# mechanism's cost. floor: socket_speed.py's _FloorSocket over csock.Socket's
# descriptors (a Python method and the hot C function, no checks), blocking
# streams only.
IMPLS = ["socket", "csock.Socket", "floor", "csock.c", "csock.rt"]
RAW = ("csock.c", "csock.rt")
FLOOR_ONLY = ("send+recv", "send+recv_into")
OPS = ["send+recv", "send+recv_into", "sendto+recvfrom"]
MODES = ["blocking", "timeout"]


def _worker(impl: str, op: str, mode: str, calls: int) -> None:
    """Make ``calls`` pairs of calls; run under callgrind by the parent."""
    gc.disable()  # a collection landing in one run and not the other is noise
    if impl in RAW:
        import csock.c as c
        from csock._csock import lib

        if mode == "timeout" or op == "sendto+recvfrom":
            return  # the raw namespace has no timeout model or address decoding
        fds = c.new("int[2]")
        c.socketpair(c.AF_UNIX, c.SOCK_STREAM, 0, fds)
        buf = c.new("char[]", 1)
        a, b = fds[0], fds[1]
        if impl == "csock.c":
            send, recv = c.send, c.recv
            for _ in range(calls):
                send(a, b"x", 1, 0)
                recv(b, buf, 1, 0)
        else:
            ra, rb = c.new("csockrt_fd *"), c.new("csockrt_fd *")
            lib.csockrt_fd_init(ra, a)
            lib.csockrt_fd_init(rb, b)
            rsend, rrecv = lib.csockrt_send, lib.csockrt_recv
            for _ in range(calls):
                rsend(ra, b"x", 1, 0, -1)
                rrecv(rb, buf, 1, 0, -1)
        return
    if impl == "socket":
        import socket as mod
    else:
        import csock as mod  # type: ignore[no-redef]
    if impl == "floor" and (mode == "timeout" or op not in FLOOR_ONLY):
        return
    kind = mod.SOCK_DGRAM if op == "sendto+recvfrom" else mod.SOCK_STREAM
    with tempfile.TemporaryDirectory() as d:
        if kind == mod.SOCK_DGRAM:
            a = mod.socket(mod.AF_UNIX, kind)
            b = mod.socket(mod.AF_UNIX, kind)
            b.bind(os.path.join(d, "b"))
            a.bind(os.path.join(d, "a"))
            address = b.getsockname()
        else:
            a, b = mod.socketpair()
        if impl == "floor":
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from socket_speed import _FloorSocket, _load_floor

            _load_floor()
            a, b = _FloorSocket(a), _FloorSocket(b)
        if mode == "timeout":
            a.settimeout(5.0)
            b.settimeout(5.0)
        into = bytearray(1)
        if op == "send+recv":
            for _ in range(calls):
                a.send(b"x")
                b.recv(1)
        elif op == "send+recv_into":
            for _ in range(calls):
                a.send(b"x")
                b.recv_into(into)
        else:
            for _ in range(calls):
                a.sendto(b"x", address)
                b.recvfrom(1)
        a.close()
        b.close()


def _count(impl: str, op: str, mode: str, calls: int) -> int:
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
               sys.executable, os.path.abspath(__file__), "--worker", impl, op, mode,
               str(calls)]
        env = dict(os.environ, PYTHONHASHSEED="0")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, env=env)
        match = re.search(r"Collected : (\d+)", proc.stderr)
        if proc.returncode != 0 or not match:
            raise RuntimeError(f"callgrind failed: {proc.stderr[-2000:]}")
        return int(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="N (default 2000)")
    parser.add_argument("--ops", default=",".join(OPS), help="comma-separated operations")
    parser.add_argument("--modes", default=",".join(MODES), help="blocking,timeout")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        impl, op, mode, calls = opts.worker
        _worker(impl, op, mode, int(calls))
        return 0
    n = opts.calls
    print(f"{'operation':<16} {'mode':<9} {'impl':<13} {'instr/pair':>11} {'vs socket':>9}")
    for op in opts.ops.split(","):
        for mode in opts.modes.split(","):
            base = None
            for impl in IMPLS:
                if impl in RAW and (mode == "timeout" or op == "sendto+recvfrom"):
                    continue
                if impl == "floor" and (mode == "timeout" or op not in FLOOR_ONLY):
                    continue
                per_pair = (_count(impl, op, mode, 2 * n) - _count(impl, op, mode, n)) / n
                if impl == "socket":
                    base = per_pair
                ratio = f"{per_pair / base:.2f}x" if base else ""
                print(f"{op:<16} {mode:<9} {impl:<13} {per_pair:>11,.0f} {ratio:>9}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
