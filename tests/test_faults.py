"""Faults: a peer that resets or half-closes, refused connections, timeouts at
every blocking call, signals (EINTR) during blocking calls, SIGPIPE, shutdown
from another thread, descriptor reuse; the raw C namespace's errno for the
faults test_c_namespace.py does not cover; and the static-buffer C functions
from 16 threads at once.

Loopback and AF_UNIX only; every blocking step has a timeout.
"""

from __future__ import annotations

import errno
import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import csock
import csock.c as c

LONG = 10.0
# The tests use SIGALRM themselves: pytest-timeout must not (its thread method).
pytestmark = pytest.mark.timeout(60, method="thread")


def tcp_pair() -> tuple[csock.Socket, csock.Socket]:
    """(client, server side) of a loopback TCP connection."""
    with csock.create_server(("127.0.0.1", 0)) as server:
        client = csock.create_connection(server.getsockname(), timeout=LONG)
        server.settimeout(LONG)
        conn, _ = server.accept()
    return client, conn


def reset(sock: csock.Socket) -> None:
    """Close with SO_LINGER {1, 0}: the kernel sends RST, not FIN."""
    sock.setsockopt(csock.SOL_SOCKET, csock.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def run_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    box: list[Any] = []

    def run() -> None:
        try:
            box.append(("ok", target()))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box.append(("raise", exc))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, box


# ======================================================= peer resets mid-transfer
PAYLOAD = os.urandom(1 << 20) * 48  # 48 MiB: more than any socket buffer holds


def _read_some_then_reset(conn: csock.Socket, want: int) -> bytes:
    got = bytearray()
    while len(got) < want:
        piece = conn.recv(65536)
        if not piece:
            break
        got += piece
    reset(conn)
    return bytes(got)


@pytest.mark.parametrize("how", ["sendall", "sendfile"])
def test_peer_reset_mid_transfer(how: str, tmp_path: Any) -> None:
    client, conn = tcp_pair()
    with client:
        path = tmp_path / "payload"
        path.write_bytes(PAYLOAD)
        with open(path, "rb") as f:
            def send() -> Any:
                if how == "sendall":
                    return client.sendall(PAYLOAD)
                return client.sendfile(f)
            t, box = run_thread(send)
            received = _read_some_then_reset(conn, 1 << 20)
            t.join(LONG)
            assert not t.is_alive()
    kind, value = box[0]
    assert kind == "raise", f"{how} finished although the peer reset: {value!r}"
    assert isinstance(value, (ConnectionResetError, BrokenPipeError)), repr(value)
    assert value.errno in (errno.ECONNRESET, errno.EPIPE)
    assert len(received) >= 1 << 20
    assert received == PAYLOAD[:len(received)]  # exactly a prefix of what was sent


def test_recv_after_peer_reset_is_connection_reset() -> None:
    client, conn = tcp_pair()
    with client:
        client.sendall(b"unread")  # unread data makes close() send RST anyway
        time.sleep(0.05)
        reset(conn)
        with pytest.raises(ConnectionResetError):
            for _ in range(100):  # the RST may arrive after the first recv
                if client.recv(10) == b"":
                    time.sleep(0.01)


def test_peer_half_close() -> None:
    client, conn = tcp_pair()
    with client, conn:
        conn.sendall(b"last words")
        conn.shutdown(csock.SHUT_WR)
        got = b""
        while True:
            piece = client.recv(100)
            if not piece:
                break
            got += piece
        assert got == b"last words"
        assert client.recv(100) == b""  # and again: EOF stays EOF
        client.sendall(b"still open this way")  # the other direction still works
        assert conn.recv(100) == b"still open this way"


def test_connection_refused() -> None:
    with csock.Socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = probe.getsockname()  # bound, not listening: refused
        with csock.Socket() as s:
            s.settimeout(LONG)
            with pytest.raises(ConnectionRefusedError):
                s.connect(address)
        with csock.Socket() as s:
            assert s.connect_ex(address) == errno.ECONNREFUSED
        with pytest.raises(ConnectionRefusedError):
            csock.create_connection(address, timeout=LONG)


# ==================================================================== timeouts
SHORT = 0.2


def _timed(call: Callable[[], Any]) -> float:
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="timed out"):
        call()
    return time.monotonic() - start


@pytest.mark.parametrize("call", ["recv", "recv_into", "recvfrom", "recvfrom_into",
                                  "makefile"])
def test_stream_read_timeouts(call: str) -> None:
    client, conn = tcp_pair()
    with client, conn:
        client.settimeout(SHORT)
        buf = bytearray(10)
        calls: dict[str, Callable[[], Any]] = {
            "recv": lambda: client.recv(10), "recv_into": lambda: client.recv_into(buf),
            "recvfrom": lambda: client.recvfrom(10),
            "recvfrom_into": lambda: client.recvfrom_into(buf),
        }
        if call == "makefile":
            with client.makefile("rb") as f:
                elapsed = _timed(lambda: f.read(1))
        else:
            elapsed = _timed(calls[call])
        assert SHORT * 0.9 <= elapsed < SHORT + 2


def test_udp_recvfrom_timeout() -> None:
    with csock.Socket(csock.AF_INET, csock.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(SHORT)
        _timed(lambda: s.recvfrom(100))
        _timed(lambda: s.recvfrom_into(bytearray(100)))


def test_accept_timeout() -> None:
    with csock.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(SHORT)
        _timed(server.accept)


@pytest.mark.parametrize("how", ["send", "sendall"])
def test_send_timeout_when_the_peer_does_not_read(how: str) -> None:
    client, conn = tcp_pair()
    with client, conn:
        client.setsockopt(csock.SOL_SOCKET, csock.SO_SNDBUF, 4096)
        client.settimeout(SHORT)
        chunk = b"x" * 65536
        sent = 0

        def fill() -> None:
            nonlocal sent
            for _ in range(100_000):  # bounded: buffers hold a few MiB at most
                if how == "send":
                    sent += client.send(chunk)
                else:
                    client.sendall(chunk)
                    sent += len(chunk)
            raise AssertionError("the buffers never filled")

        _timed(fill)


def _fill_backlog(server: csock.Socket) -> list[csock.Socket]:
    """Connect until a connection is not completed at once; those connected."""
    pending: list[csock.Socket] = []
    for _ in range(256):
        s = csock.Socket()
        pending.append(s)
        s.settimeout(0.0)
        if s.connect_ex(server.getsockname()) == errno.EINPROGRESS:
            s.settimeout(0.2)
            try:
                s.connect(server.getsockname())
            except TimeoutError:
                return pending  # this one waits: the queue is full
            except OSError:
                pass
    return pending


def test_connect_timeout_on_a_full_backlog() -> None:
    server = csock.Socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)  # never accepts
    pending = _fill_backlog(server)
    try:
        with csock.Socket() as s:
            s.settimeout(SHORT)
            try:
                elapsed = _timed(lambda: s.connect(server.getsockname()))
            except pytest.fail.Exception:
                pytest.skip("this kernel completes connections beyond the backlog")
            assert elapsed >= SHORT * 0.9
    finally:
        for p in pending:
            p.close()
        server.close()


# ================================================================= EINTR (PEP 475)
@pytest.fixture
def interval_timer() -> Iterator[list[int]]:
    """SIGALRM every 20 ms while the test runs; the list counts the signals."""
    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 0.02, 0.02)
    try:
        yield fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)


def _later(delay: float, action: Callable[[], Any]) -> threading.Thread:
    t = threading.Timer(delay, action)
    t.daemon = True
    t.start()
    return t


@pytest.mark.parametrize("timeout", [None, LONG])
def test_eintr_retried_in_recv_accept_send(interval_timer: list[int],
                                           timeout: float | None) -> None:
    client, conn = tcp_pair()
    with client, conn:
        client.settimeout(timeout)
        _later(0.3, lambda: conn.sendall(b"late"))
        assert client.recv(10) == b"late"  # not InterruptedError
        buf = bytearray(10)
        _later(0.3, lambda: conn.sendall(b"into"))
        assert client.recv_into(buf) == 4 and buf[:4] == b"into"

        # send: fill the buffers, then let the peer drain slowly.
        big = b"y" * (8 << 20)
        received = bytearray()

        def drain() -> None:
            time.sleep(0.3)
            while len(received) < len(big):
                piece = conn.recv(1 << 16)
                if not piece:
                    break
                received.extend(piece)

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        client.sendall(big)
        t.join(LONG)
        assert bytes(received) == big

    with csock.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(timeout)
        address = server.getsockname()
        _later(0.3, lambda: csock.create_connection(address, timeout=LONG).close())
        conn, _ = server.accept()
        conn.close()
    assert len(interval_timer) >= 3


def test_eintr_during_connect_keeps_waiting(interval_timer: list[int]) -> None:
    server = csock.Socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    pending = _fill_backlog(server)
    try:
        with csock.Socket() as s:
            s.settimeout(0.5)
            start = time.monotonic()
            try:
                s.connect(server.getsockname())
            except TimeoutError:
                assert time.monotonic() - start >= 0.45  # signals did not cut it short
                assert len(interval_timer) >= 5
            else:
                pytest.skip("this kernel completes connections beyond the backlog")
    finally:
        for p in pending:
            p.close()
        server.close()


class Stop(Exception):
    pass


@pytest.mark.parametrize("call", ["recv", "accept", "sendall", "blocking-recv"])
def test_exception_from_signal_handler_propagates(call: str) -> None:
    def handler(*_: Any) -> None:
        raise Stop

    old = signal.signal(signal.SIGALRM, handler)
    client, conn = tcp_pair()
    try:
        with client, conn, csock.create_server(("127.0.0.1", 0)) as server:
            server.settimeout(LONG)
            client.settimeout(None if call == "blocking-recv" else LONG)
            signal.setitimer(signal.ITIMER_REAL, 0.2)
            with pytest.raises(Stop):
                if call in ("recv", "blocking-recv"):
                    client.recv(10)
                elif call == "accept":
                    server.accept()
                else:
                    for _ in range(10_000):
                        client.sendall(b"z" * 65536)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ===================================================================== SIGPIPE
CHILD = textwrap.dedent("""
    import signal, sys, errno
    import csock
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # as a C program would have it
    how = sys.argv[1]
    if how.startswith("tcp"):
        server = csock.create_server(("127.0.0.1", 0))
        a = csock.create_connection(server.getsockname(), timeout=10)
        b, _ = server.accept()
        a.shutdown(csock.SHUT_WR)  # writing now is EPIPE (and SIGPIPE without NOSIGNAL)
    else:
        a, b = csock.socketpair()
        b.close()
    try:
        if how.endswith("send"):
            a.send(b"x")
        elif how.endswith("sendall"):
            a.sendall(b"x" * 100000)
        elif how.endswith("sendto"):
            a.sendto(b"x", b.getsockname() if how.startswith("tcp") else None)
        elif how.endswith("makefile"):
            f = a.makefile("wb")
            f.write(b"x")
            f.flush()
        elif how.endswith("sendfile"):
            import tempfile
            with tempfile.TemporaryFile() as t:
                t.write(b"x" * 1000)
                t.seek(0)
                a.sendfile(t)
    except BrokenPipeError:
        print("BrokenPipeError")
""")


@pytest.mark.parametrize("how", ["tcp-send", "tcp-sendall", "tcp-sendto", "tcp-makefile",
                                 "tcp-sendfile", "unix-send", "unix-sendall",
                                 "unix-makefile", "unix-sendfile"])
def test_sigpipe_never_kills_the_process(how: str) -> None:
    proc = subprocess.run([sys.executable, "-c", CHILD, how], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.strip() == "BrokenPipeError"


# ============================================================ threads and fds
def test_shutdown_from_another_thread_wakes_recv() -> None:
    client, conn = tcp_pair()
    with client, conn:
        client.settimeout(None)
        t, box = run_thread(lambda: client.recv(100))
        time.sleep(0.2)
        assert t.is_alive()
        client.shutdown(csock.SHUT_RDWR)
        t.join(LONG)
        assert not t.is_alive()
        assert box == [("ok", b"")]


def test_close_twice_never_closes_a_reused_number() -> None:
    a = csock.Socket()
    number = a.fileno()
    a.close()
    b = csock.Socket()  # the lowest free number: usually the same one
    try:
        a.close()
        a.__del__()
        assert b.fileno() >= 0 and os.fstat(b.fileno())
        if b.fileno() == number:
            b.getsockname()  # still open
    finally:
        b.close()


def test_detach_then_close_leaves_the_descriptor() -> None:
    a = csock.Socket()
    fd = a.detach()
    a.close()
    del a
    try:
        os.fstat(fd)  # still open
        with csock.Socket(fileno=fd) as again:
            assert again.fileno() == fd
    finally:
        with pytest.raises(OSError):
            os.close(fd)  # the Socket above closed it


def test_operations_after_close_never_touch_a_reused_number() -> None:
    a = csock.Socket(csock.AF_INET, csock.SOCK_DGRAM)
    a.close()
    with csock.Socket(csock.AF_INET, csock.SOCK_DGRAM) as b:
        b.bind(("127.0.0.1", 0))
        for op in (lambda: a.recv(1), lambda: a.send(b"x"), lambda: a.getsockname(),
                   lambda: a.setsockopt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1),
                   lambda: a.bind(("127.0.0.1", 0)), lambda: a.shutdown(csock.SHUT_RDWR)):
            with pytest.raises(OSError) as info:
                op()
            assert info.value.errno == errno.EBADF
        assert b.getsockname()[0] == "127.0.0.1"


def test_socket_on_a_closed_or_non_socket_descriptor(tmp_path: Any) -> None:
    # Regression: csock.Socket(fileno=...) adopted any number (socket checks with
    # getsockname: EBADF or ENOTSOCK), and fromfd leaked its duplicate on failure.
    with open(tmp_path / "f", "wb") as f:
        with pytest.raises(OSError) as info:
            csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0, fileno=f.fileno())
        assert info.value.errno == errno.ENOTSOCK
        before = set(os.listdir("/proc/self/fd"))
        with pytest.raises(OSError):
            csock.fromfd(f.fileno(), csock.AF_INET, csock.SOCK_STREAM)
        with pytest.raises(TypeError):
            csock.fromfd(f.fileno(), "AF_INET", csock.SOCK_STREAM)  # type: ignore[arg-type]
        assert set(os.listdir("/proc/self/fd")) <= before
    s = csock.Socket()
    fd = s.fileno()
    s.close()
    with pytest.raises(OSError) as info:
        csock.Socket(csock.AF_INET, csock.SOCK_STREAM, 0, fileno=fd)
    assert info.value.errno == errno.EBADF


# ================================================= the raw C namespace's errno
def _assert_fails(result: int, err: int) -> None:
    assert result == -1
    assert c.errno == err, (c.errno, errno.errorcode.get(c.errno))


def test_c_recv_econnreset() -> None:
    client, conn = tcp_pair()
    with client:
        client.sendall(b"unread")
        time.sleep(0.05)
        reset(conn)
        buf = c.new("char[]", 16)
        deadline = time.monotonic() + LONG
        while True:
            n = c.recv(client.fileno(), buf, 16, 0)
            if n == -1 or time.monotonic() > deadline:
                break
        _assert_fails(n, errno.ECONNRESET)


def test_c_send_eagain_when_full() -> None:
    client, conn = tcp_pair()
    with client, conn:
        fd = client.fileno()
        chunk = b"q" * 65536
        for _ in range(100_000):
            n = c.send(fd, chunk, len(chunk), c.MSG_DONTWAIT | c.MSG_NOSIGNAL)
            if n == -1:
                break
        _assert_fails(n, errno.EAGAIN)


def test_c_send_epipe_after_shutdown() -> None:
    client, conn = tcp_pair()
    with client, conn:
        client.shutdown(csock.SHUT_WR)
        _assert_fails(c.send(client.fileno(), b"x", 1, c.MSG_NOSIGNAL), errno.EPIPE)


def test_c_listen_eaddrinuse() -> None:
    a, b = csock.Socket(), csock.Socket()
    with a, b:
        for s in (a, b):
            s.setsockopt(csock.SOL_SOCKET, csock.SO_REUSEADDR, 1)
        a.bind(("127.0.0.1", 0))
        b.bind(a.getsockname())  # allowed with SO_REUSEADDR while nobody listens
        assert c.listen(a.fileno(), 1) == 0
        _assert_fails(c.listen(b.fileno(), 1), errno.EADDRINUSE)


def test_c_recv_eintr_is_returned_not_retried() -> None:
    a, b = csock.socketpair()
    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        with a, b:
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            buf = c.new("char[]", 8)
            _assert_fails(c.recv(a.fileno(), buf, 8, 0), errno.EINTR)
            assert fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_c_recv_efault_on_null_buffer() -> None:
    a, b = csock.socketpair()
    with a, b:
        b.sendall(b"data")
        _assert_fails(c.recv(a.fileno(), c.NULL, 4, 0), errno.EFAULT)


def test_c_calls_never_raise_on_failure() -> None:
    # Every failing call above returned -1; none raised. Also: accept on a
    # non-listening socket, connect to a refused port, with bad lengths.
    with csock.Socket() as s:
        _assert_fails(c.accept(s.fileno(), c.NULL, c.NULL), errno.EINVAL)
        sa, length = csock.to_sockaddr(csock.AF_INET, ("127.0.0.1", 1))
        _assert_fails(c.connect(s.fileno(), c.cast("struct sockaddr *", sa), 3),
                      errno.EINVAL)


# ====================================================== static buffers, 16 threads
def test_static_buffer_functions_from_16_threads() -> None:
    services = [(name, csock.getservbyname(name, "tcp"))
                for name in ("ssh", "http", "https", "smtp", "domain", "ftp")]
    errors: list[str] = []
    start = threading.Barrier(16)

    def work(k: int) -> None:
        start.wait(LONG)
        for i in range(300):
            n = (k * 300 + i) % 250 + 1
            text = f"127.0.{k}.{n}"
            packed = bytes([127, 0, k, n])
            checks = [
                (csock.inet_ntoa(packed), text),
                (csock.inet_ntop(csock.AF_INET, packed), text),
                (csock.inet_aton(text), packed),
                (csock.getaddrinfo(text, n, csock.AF_INET, csock.SOCK_STREAM)[0][4],
                 (text, n)),
                (csock.gethostbyname(text), text),
                (csock.gethostbyname_ex(text)[2], [text]),
                (csock.inet_ntop(csock.AF_INET6, bytes(15) + bytes([n])), f"::{n:x}"),
            ]
            name, port = services[(k + i) % len(services)]
            checks.append((csock.getservbyname(name, "tcp"), port))
            checks.append((csock.getservbyport(port, "tcp"), name))
            for got, want in checks:
                if got != want:
                    errors.append(f"thread {k}: {got!r} != {want!r}")

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_raw_static_buffers_are_shared() -> None:
    # Why the lock matters: C's inet_ntoa returns the same buffer every time.
    first = c.inet_ntoa(c.new("struct in_addr *", {"s_addr": c.htonl(0x7F000001)})[0])
    second = c.inet_ntoa(c.new("struct in_addr *", {"s_addr": c.htonl(0x7F000002)})[0])
    assert first == second  # the same char *
    assert c.string(first) == b"127.0.0.2"
