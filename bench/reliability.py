"""Load and leak loops for csock, shared by tests/test_load.py (small sizes) and
bench/stress.py (full sizes).

* leak_loop: create/connect/accept/close and failing calls, N times; the fd
  count and RSS before and after.
* echo_selectors / echo_threads: a csock echo server (non-blocking with
  selectors, or blocking with a thread per client) and a client process
  (``python bench/reliability.py clients HOST PORT N NBYTES SEED``) that opens N
  csock connections at once, sends NBYTES each in random chunks, reads the
  echo and checks it with SHA-256.

Loopback only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import resource
import selectors
import subprocess
import sys
import threading
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
# Appended: an installed csock comes first; a bare checkout still works.
sys.path.append(os.path.dirname(HERE))

import csock  # noqa: E402


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd")) - 1  # listdir's own descriptor


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raise_nofile() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit; the limits now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# ================================================================== leak loop
def _one_round(server: csock.Socket, refused: Any, unix_long: str) -> int:
    """One create/connect/accept/close and a handful of failing calls; faults seen."""
    faults = 0
    client = csock.create_connection(server.getsockname(), timeout=10)
    conn, _ = server.accept()
    client.sendall(b"ping")
    assert conn.recv(4) == b"ping"
    conn.close()
    client.close()
    try:  # connection refused
        csock.create_connection(refused, timeout=10).close()
    except ConnectionRefusedError:
        faults += 1
    with csock.Socket() as s:
        for address in (("127.0.0.1", 70000), ("127.0.0.1\0x", 1), ("::1", 1, 2, 3), None):
            try:
                s.connect(address)
            except (OverflowError, TypeError, OSError):
                faults += 1
    with csock.Socket(csock.AF_UNIX) as u:
        try:
            u.bind(unix_long)
        except OSError:
            faults += 1
    try:
        csock.getaddrinfo("127.0.0.1", "no-such-service", 0, 0, 0,
                          csock.AI_NUMERICHOST | csock.AI_NUMERICSERV)
    except csock.gaierror:
        faults += 1
    closed = csock.Socket()
    closed.close()
    try:
        closed.send(b"x")
    except OSError:
        faults += 1
    return faults


def leak_loop(iterations: int, warmup: int, time_limit: float = 600.0) -> dict[str, Any]:
    """fd count and RSS (KiB) after the warm-up and after ``iterations`` more rounds."""
    import gc

    with csock.create_server(("127.0.0.1", 0), backlog=16) as server, \
            csock.Socket() as probe:
        server.settimeout(10)
        probe.bind(("127.0.0.1", 0))
        refused = probe.getsockname()  # bound, never listening
        unix_long = "/tmp/" + "x" * 200
        faults = 0
        for _ in range(warmup):
            faults += _one_round(server, refused, unix_long)
        gc.collect()
        fds_before, rss_before = fd_count(), rss_kib()
        start = time.monotonic()
        done = 0
        while done < iterations and time.monotonic() - start < time_limit:
            faults += _one_round(server, refused, unix_long)
            done += 1
        gc.collect()
        fds_after, rss_after = fd_count(), rss_kib()
    return {"iterations": done, "warmup": warmup, "faults": faults,
            "fds_before": fds_before, "fds_after": fds_after,
            "rss_before_kib": rss_before, "rss_after_kib": rss_after,
            "seconds": round(time.monotonic() - start, 1)}


# ================================================================ the clients
def _client_stream(seed: int, index: int) -> random.Random:
    return random.Random(seed * 1_000_003 + index)


def run_clients(host: str, port: int, n: int, nbytes: int, seed: int,
                time_limit: float) -> dict[str, Any]:
    """N connections at once, each sending nbytes in random chunks and checking the echo."""
    raise_nofile()
    sel = selectors.DefaultSelector()
    deadline = time.monotonic() + time_limit
    states: dict[int, dict[str, Any]] = {}
    errors: list[str] = []
    for i in range(n):
        s = csock.Socket()
        s.setblocking(False)
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            errors.append(f"connect {i}: {os.strerror(err)}")
            s.close()
            continue
        rng = _client_stream(seed, i)
        states[s.fileno()] = {"sock": s, "rng": rng, "left": nbytes, "pending": b"",
                              "sent": hashlib.sha256(), "got": hashlib.sha256(),
                              "received": 0, "done_sending": False}
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, s.fileno())
    held = len(states)
    peak_fds = fd_count()
    open_count = held
    verified = 0
    while open_count and time.monotonic() < deadline:
        for key, events in sel.select(timeout=1.0):
            st = states[key.data]
            s = st["sock"]
            try:
                if events & selectors.EVENT_WRITE and not st["done_sending"]:
                    if not st["pending"]:
                        size = min(st["left"], st["rng"].randint(1, 65536))
                        st["pending"] = st["rng"].randbytes(size)
                        st["sent"].update(st["pending"])
                        st["left"] -= size
                    n_sent = s.send(st["pending"])
                    st["pending"] = st["pending"][n_sent:]
                    if not st["pending"] and st["left"] == 0:
                        st["done_sending"] = True
                        s.shutdown(csock.SHUT_WR)
                        sel.modify(s, selectors.EVENT_READ, key.data)
                if events & selectors.EVENT_READ:
                    data = s.recv(262144)
                    if data:
                        st["got"].update(data)
                        st["received"] += len(data)
                    else:
                        if st["received"] != nbytes or \
                                st["got"].digest() != st["sent"].digest():
                            errors.append(f"client {key.data}: {st['received']} bytes, "
                                          "checksum mismatch")
                        else:
                            verified += st["received"]
                        sel.unregister(s)
                        s.close()
                        open_count -= 1
            except BlockingIOError:
                pass
            except OSError as exc:
                errors.append(f"client {key.data}: {exc!r}")
                sel.unregister(s)
                s.close()
                open_count -= 1
        peak_fds = max(peak_fds, fd_count()) if random.random() < 0.01 else peak_fds
    if open_count:
        errors.append(f"{open_count} clients unfinished at the time limit")
        for st in states.values():
            st["sock"].close()
    sel.close()
    return {"clients": n, "held": held, "bytes_verified": verified, "errors": errors,
            "client_peak_fds": peak_fds, "client_rss_kib": rss_kib()}


def spawn_clients(address: tuple[str, int], n: int, nbytes: int, seed: int,
                  time_limit: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "clients", address[0], str(address[1]),
         str(n), str(nbytes), str(seed), str(time_limit)],
        stdout=subprocess.PIPE, text=True)


def _client_result(proc: subprocess.Popen[str], time_limit: float) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=time_limit + 60)
    if proc.returncode != 0:
        return {"errors": [f"client process exited with {proc.returncode}"], "held": 0,
                "bytes_verified": 0}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


# ============================================================ selector server
def echo_selectors(n: int, nbytes: int, seed: int = 1, time_limit: float = 300.0,
                   ) -> dict[str, Any]:
    """A non-blocking csock echo server (selectors: epoll) for N clients in another process."""
    raise_nofile()
    fds0, rss0 = fd_count(), rss_kib()
    server = csock.create_server(("127.0.0.1", 0), backlog=min(n, 4096))
    server.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(server, selectors.EVENT_READ, None)
    proc = spawn_clients(server.getsockname(), n, nbytes, seed, time_limit)
    conns: dict[int, dict[str, Any]] = {}
    peak_conns = peak_fds = 0
    served = 0
    echoed = 0
    server_errors: list[str] = []
    deadline = time.monotonic() + time_limit + 30
    last_sample = 0.0
    try:
        while served < n and time.monotonic() < deadline and proc.poll() is None:
            for key, events in sel.select(timeout=0.5):
                if key.data is None:
                    for _ in range(64):
                        try:
                            c, _addr = server.accept()
                        except BlockingIOError:
                            break
                        c.setblocking(False)
                        conns[c.fileno()] = {"sock": c, "out": bytearray(), "eof": False}
                        sel.register(c, selectors.EVENT_READ, c.fileno())
                    peak_conns = max(peak_conns, len(conns))
                    continue
                st = conns[key.data]
                c = st["sock"]
                try:
                    if events & selectors.EVENT_READ and not st["out"]:
                        data = c.recv(262144)
                        if data:
                            st["out"] += data
                        else:
                            st["eof"] = True
                    if st["out"]:
                        n_sent = c.send(st["out"])
                        echoed += n_sent
                        del st["out"][:n_sent]
                    if st["eof"] and not st["out"]:
                        sel.unregister(c)
                        c.close()
                        del conns[key.data]
                        served += 1
                        continue
                    want = selectors.EVENT_WRITE if st["out"] else selectors.EVENT_READ
                    if key.events != want:
                        sel.modify(c, want, key.data)
                except BlockingIOError:
                    pass
                except OSError as exc:
                    server_errors.append(repr(exc))
                    sel.unregister(c)
                    c.close()
                    del conns[key.data]
                    served += 1
            now = time.monotonic()
            if now - last_sample > 0.5:
                peak_fds = max(peak_fds, fd_count())
                last_sample = now
        client = _client_result(proc, time_limit)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for st in conns.values():
            st["sock"].close()
        sel.close()
        server.close()
    return {"server": "selectors", "clients": n, "nbytes": nbytes,
            "held": max(peak_conns, client.get("held", 0)), "peak_conns_server": peak_conns,
            "bytes_echoed": echoed, "bytes_verified": client.get("bytes_verified", 0),
            "errors": server_errors + list(client.get("errors", [])),
            "fds_before": fds0, "peak_fds": peak_fds, "fds_after": fd_count(),
            "rss_before_kib": rss0, "rss_after_kib": rss_kib(),
            "client_peak_fds": client.get("client_peak_fds")}


# ============================================================ threaded server
def echo_threads(n: int, nbytes: int, seed: int = 2, time_limit: float = 300.0,
                 ) -> dict[str, Any]:
    """A blocking csock echo server, one thread per client (backlog 256)."""
    raise_nofile()
    fds0, rss0 = fd_count(), rss_kib()
    server = csock.create_server(("127.0.0.1", 0), backlog=256)
    server.settimeout(time_limit)
    proc = spawn_clients(server.getsockname(), n, nbytes, seed, time_limit)
    lock = threading.Lock()
    totals = {"echoed": 0, "live": 0, "peak": 0}
    server_errors: list[str] = []

    def serve(conn: csock.Socket) -> None:
        buf = bytearray(262144)
        view = memoryview(buf)
        try:
            with conn:
                conn.settimeout(time_limit)
                while True:
                    k = conn.recv_into(buf)
                    if not k:
                        break
                    conn.sendall(view[:k])
                    with lock:
                        totals["echoed"] += k
        except OSError as exc:
            with lock:
                server_errors.append(repr(exc))
        finally:
            with lock:
                totals["live"] -= 1

    threads: list[threading.Thread] = []
    peak_fds = 0
    try:
        for _ in range(n):
            try:
                conn, _addr = server.accept()
            except TimeoutError:
                server_errors.append("accept timed out")
                break
            with lock:
                totals["live"] += 1
                totals["peak"] = max(totals["peak"], totals["live"])
            t = threading.Thread(target=serve, args=(conn,), daemon=True)
            t.start()
            threads.append(t)
            if len(threads) % 50 == 0:
                peak_fds = max(peak_fds, fd_count())
        peak_fds = max(peak_fds, fd_count())
        for t in threads:
            t.join(time_limit)
        client = _client_result(proc, time_limit)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.close()
    return {"server": "threads", "clients": n, "nbytes": nbytes,
            "held": max(totals["peak"], client.get("held", 0)),
            "peak_conns_server": totals["peak"], "bytes_echoed": totals["echoed"],
            "bytes_verified": client.get("bytes_verified", 0),
            "errors": server_errors + list(client.get("errors", [])),
            "fds_before": fds0, "peak_fds": peak_fds, "fds_after": fd_count(),
            "rss_before_kib": rss0, "rss_after_kib": rss_kib(),
            "client_peak_fds": client.get("client_peak_fds")}


if __name__ == "__main__" and sys.argv[1:2] == ["clients"]:
    _host, _port, _n, _nbytes, _seed, _limit = sys.argv[2:8]
    print(json.dumps(run_clients(_host, int(_port), int(_n), int(_nbytes), int(_seed),
                                 float(_limit))))
