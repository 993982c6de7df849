"""Issue 10's findings in the Pythonic layer, each a regression test.

* buffers pinned before a caller's ``__index__`` runs (no crash);
* no kernel length trusted past a buffer (no heap over-read);
* a descriptor never reused under a running call (no data on the wrong
  connection), for every method that hands the descriptor to C;
* IPv6 hosts that only getaddrinfo parses;
* buffers released on every path, so a caller can resize in ``except``.

Mirrored tests run the same body against ``socket`` and ``csock``.
"""

from __future__ import annotations

import array
import contextlib
import errno
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import csock
from csock._csock import lib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "bench"))
import reuse  # noqa: E402


def run_isolated(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a child interpreter, so that a crash is a failed test."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60)


# ------------------------------------------------------------ 1. buffers pinned
SHRINK_SCRIPT = """
import socket, sys
import csock
mod = {mod}
a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_DGRAM)
buf = bytearray(1 << 20)

class Shrink:
    def __init__(self, value):
        self.value = value
    def __index__(self):
        try:
            del buf[16:]  # a resize while pinned must fail, not free the memory
        except BufferError:
            print("BufferError in __index__")
        return self.value

a.send(b"x" * 65000)
for call in ({call},):
    try:
        print(call())
    except Exception as exc:
        print(type(exc).__name__)
print(len(buf))
a.close(); b.close()
"""


@pytest.mark.parametrize("call", [
    "lambda: b.recv_into(buf, Shrink(65000))",
    "lambda: b.recv_into(buf, 65000, Shrink(0))",
    "lambda: b.recvfrom_into(buf, Shrink(65000))",
    "lambda: b.recvfrom_into(buf, 0, Shrink(0))",
])
@pytest.mark.parametrize("modname", ["socket", "csock"])
def test_index_cannot_shrink_buffer_under_recv(modname: str, call: str) -> None:
    """Finding 1: the buffer is pinned before nbytes/flags are parsed (was SIGSEGV)."""
    result = run_isolated(SHRINK_SCRIPT.format(mod=modname, call=call))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "BufferError in __index__"
    assert lines[-1] == str(1 << 20)  # the buffer was never resized


def test_index_shrink_outcome_equals_socket() -> None:
    outcomes = []
    for modname in ("socket", "csock"):
        call = "lambda: b.recv_into(buf, Shrink(65000))"
        outcomes.append(run_isolated(SHRINK_SCRIPT.format(mod=modname, call=call)).stdout)
    assert outcomes[0] == outcomes[1]


# ------------------------------------------------------- 2. kernel lengths
@pytest.fixture
def dgram_pair(mod: ModuleType) -> Iterator[tuple[Any, Any]]:
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_DGRAM)
    with a, b:
        yield a, b


def test_recv_msg_trunc_small_returns_no_stale_bytes(dgram_pair: tuple[Any, Any],
                                                     mod: ModuleType) -> None:
    """Finding 2: bytes past bufsize are zeros, never the buffer's old content."""
    a, b = dgram_pair
    a.send(b"x" * 100)
    assert b.recv(100) == b"x" * 100  # leaves x's in the buffer recv's C receives into
    a.send(b"a" * 100)
    data = b.recv(16, mod.MSG_TRUNC)
    assert len(data) == 100  # socket's length semantics: the datagram's length
    assert data[:16] == b"a" * 16
    if mod is csock:  # CPython leaves the rest uninitialised; csock zeroes it
        assert data[16:] == bytes(84)


def test_recv_msg_trunc_large_reads_nothing_past_buffer(dgram_pair: tuple[Any, Any],
                                                        mod: ModuleType) -> None:
    a, b = dgram_pair
    a.send(b"b" * 60000)
    data = b.recv(5000, mod.MSG_TRUNC)
    assert len(data) == 60000
    assert data[:5000] == b"b" * 5000
    if mod is csock:
        assert data[5000:] == bytes(55000)


def test_recvfrom_msg_trunc(dgram_pair: tuple[Any, Any], mod: ModuleType) -> None:
    a, b = dgram_pair
    a.send(b"c" * 3000)
    data, _addr = b.recvfrom(16, mod.MSG_TRUNC)
    assert len(data) == 3000
    assert data[:16] == b"c" * 16
    if mod is csock:
        assert data[16:] == bytes(2984)


def test_recvmsg_msg_trunc_returns_only_the_data(dgram_pair: tuple[Any, Any],
                                                 mod: ModuleType) -> None:
    a, b = dgram_pair
    a.send(b"d" * 3000)
    data, _anc, flags, _addr = b.recvmsg(16, 0, mod.MSG_TRUNC)
    assert data == b"d" * 16
    assert flags & mod.MSG_TRUNC


def test_recvmsg_into_msg_trunc_reports_kernel_length(dgram_pair: tuple[Any, Any],
                                                      mod: ModuleType) -> None:
    a, b = dgram_pair
    a.send(b"e" * 3000)
    buf = bytearray(16)
    n, _anc, flags, _addr = b.recvmsg_into([buf], 0, mod.MSG_TRUNC)
    assert n == 3000 and buf == b"e" * 16 and flags & mod.MSG_TRUNC


def test_recvmmsg_msg_trunc_reads_nothing_past_buffer() -> None:
    """With MSG_TRUNC each msg_len is the datagram's length, past its buffer:
    only the buffer's bytes come back, and the next datagram is its own."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        a.sendmmsg([b"f" * 3000, b"g" * 10])
        assert b.recvmmsg(2, 16, csock.MSG_TRUNC) == [(b"f" * 16, None, csock.MSG_TRUNC),
                                                      (b"g" * 10, None, 0)]


def test_index_cannot_resize_sendmmsg_data_under_the_call() -> None:
    """An address's __index__ runs after the batch's data is pinned: it cannot
    resize it (BufferError), and the datagrams go out whole."""
    seen: list[str] = []
    first = bytearray(b"a" * 100)
    second = bytearray(b"b" * 100)

    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as r, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as s:
        r.bind(("127.0.0.1", 0))
        r.settimeout(10)
        port = r.getsockname()[1]

        class Port:
            def __index__(self) -> int:
                for buf in (first, second):
                    try:
                        del buf[1:]
                    except BufferError:
                        seen.append("BufferError")
                return port

        assert s.sendmmsg([(first, ("127.0.0.1", port)), (second, ("127.0.0.1", Port()))]) == 2
        assert [d for d, _, _ in r.recvmmsg(2, 200)] == [b"a" * 100, b"b" * 100]
    assert seen == ["BufferError", "BufferError"]
    assert _resize_ok(first) and _resize_ok(second)  # released after the call


# --------------------------------------------- 3. descriptor lifetime (walk)
def _fd_is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _stream_pair() -> tuple[csock.Socket, csock.Socket]:
    return csock.socketpair()


def _listener() -> csock.Socket:
    sock = csock.Socket(csock.AF_INET, csock.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _sendfile(sock: csock.Socket) -> int:
    with open(__file__, "rb") as f:
        return sock.sendfile(f)


# socket.sendfile refuses a closed socket with ValueError("Invalid file
# descriptor: -1") before any call; csock raises what the running socket does.
CLOSED_ERRORS = {"sendfile": ValueError}


# Every Socket method that hands the descriptor to C, with a call that would
# reach C on an open socket. Each is made on a socket closed while another
# call (simulated by a held reference) is still running on it.
FD_CALLS: dict[str, Callable[[csock.Socket], Any]] = {
    "recv": lambda s: s.recv(10),
    "recv_into": lambda s: s.recv_into(bytearray(10)),
    "recvfrom": lambda s: s.recvfrom(10),
    "recvfrom_into": lambda s: s.recvfrom_into(bytearray(10)),
    "recvmsg": lambda s: s.recvmsg(10),
    "recvmsg_into": lambda s: s.recvmsg_into([bytearray(10)]),
    "send": lambda s: s.send(b"x"),
    "sendall": lambda s: s.sendall(b"x"),
    "sendto": lambda s: s.sendto(b"x", "/nonexistent-csock-test"),
    "sendmsg": lambda s: s.sendmsg([b"x"]),
    "sendmmsg": lambda s: s.sendmmsg([b"x"]),
    "recvmmsg": lambda s: s.recvmmsg(1, 10),
    "sendfile": lambda s: _sendfile(s),
    "accept": lambda s: s.accept(),
    "connect": lambda s: s.connect("/nonexistent-csock-test"),
    "connect_ex": lambda s: s.connect_ex("/nonexistent-csock-test"),
    "bind": lambda s: s.bind(""),
    "listen": lambda s: s.listen(),
    "getsockname": lambda s: s.getsockname(),
    "getpeername": lambda s: s.getpeername(),
    "shutdown": lambda s: s.shutdown(csock.SHUT_RDWR),
    "getsockopt": lambda s: s.getsockopt(csock.SOL_SOCKET, csock.SO_TYPE),
    "setsockopt": lambda s: s.setsockopt(csock.SOL_SOCKET, csock.SO_SNDBUF, 4096),
    "settimeout": lambda s: s.settimeout(1.0),
    "setblocking": lambda s: s.setblocking(False),
    "get_inheritable": lambda s: s.get_inheritable(),
    "set_inheritable": lambda s: s.set_inheritable(True),
    "dup": lambda s: s.dup(),
    "makefile": lambda s: s.makefile("rb", buffering=0).read(1),
    "makefile_write": lambda s: s.makefile("wb", buffering=0).write(b"x"),
}

# Methods that do not hand the descriptor to C (or only report it).
NO_FD_CALL = {"close", "detach", "fileno", "gettimeout", "getblocking", "family", "type",
              "proto", "timeout", "makefile_write"}


def test_fd_calls_cover_every_public_method() -> None:
    public = {name for name in dir(csock.Socket) if not name.startswith("_")}
    assert public - set(FD_CALLS) - NO_FD_CALL == set()


@pytest.mark.parametrize("name", sorted(FD_CALLS))
def test_call_on_socket_closed_under_running_call(name: str) -> None:
    """Finding 3: close() during a call keeps the number until the call returns;
    every later call raises EBADF and never touches the number."""
    sock, peer = _stream_pair()
    with peer:
        fd = sock.fileno()
        ref = sock._ref
        assert lib.csockrt_fd_acquire(ref) == fd  # a call running in another thread
        try:
            sock.close()
            assert sock.fileno() == -1
            assert _fd_is_open(fd)  # not released: the running call still uses it
            expected = CLOSED_ERRORS.get(name, OSError)
            with pytest.raises(expected) as info:
                result = FD_CALLS[name](sock)
                if name == "connect_ex":  # connect_ex returns the errno
                    raise OSError(result, os.strerror(result))
                if name == "makefile_write" and result is None:
                    raise OSError(errno.EBADF, "not reached")
            if expected is OSError:
                assert isinstance(info.value, OSError) and info.value.errno == errno.EBADF
            assert lib.csockrt_fd_calls(ref) == 1  # nothing else holds it
        finally:
            lib.csockrt_fd_release(ref)
        assert not _fd_is_open(fd)  # the last call out closed it


def test_detach_while_a_call_runs_leaves_the_number_open() -> None:
    sock, peer = _stream_pair()
    with peer:
        ref = sock._ref
        fd = lib.csockrt_fd_acquire(ref)
        assert sock.detach() == fd
        lib.csockrt_fd_release(ref)
        assert _fd_is_open(fd)  # detached: the caller owns it now
        os.close(fd)
    assert sock.detach() == -1


@pytest.mark.timeout(30)
def test_close_does_not_wake_a_blocked_call() -> None:
    """The choice (as CPython): close() leaves a blocked recv in the kernel;
    it returns its own connection's data, and only then is the number closed."""
    sock, peer = _stream_pair()
    with peer:
        got: list[bytes] = []
        thread = threading.Thread(target=lambda: got.append(sock.recv(10)))
        thread.start()
        while lib.csockrt_fd_calls(sock._ref) == 0:
            time.sleep(0.001)
        fd = sock.fileno()
        sock.close()
        thread.join(0.2)
        assert thread.is_alive()  # not woken by close()
        assert _fd_is_open(fd)  # and its number not given to anyone else
        peer.sendall(b"hello")
        thread.join(10)
        assert got == [b"hello"]
        peer.settimeout(10)
        assert peer.recv(10) == b""  # the last call out closed the socket: EOF
        assert not _fd_is_open(fd)


def test_close_error_reported_when_nothing_runs() -> None:
    sock, peer = _stream_pair()
    with peer:
        os.close(sock.fileno())  # someone else closed our number
        with pytest.raises(OSError) as info:
            sock.close()
        assert info.value.errno == errno.EBADF
        sock.close()  # a second close does nothing


@pytest.mark.timeout(30)
def test_timed_sendall_never_reaches_a_new_connection_on_the_same_number() -> None:
    """Finding 3, as reported: a timed sendall in a thread, the socket closed
    and a new connection opened; the new one must receive none of the data."""
    with _listener() as listener:
        old = csock.create_connection(listener.getsockname())
        old_peer, _ = listener.accept()
        with old_peer:
            old.settimeout(5.0)
            result: list[BaseException | None] = []

            def writer() -> None:
                try:
                    old.sendall(b"w" * (16 << 20))  # fills the buffers, then waits
                    result.append(None)
                except BaseException as exc:
                    result.append(exc)

            thread = threading.Thread(target=writer)
            thread.start()
            # Wait until the writer is blocked: the buffers are full, so it
            # stays in one call (a close between two chunks is immediate).
            while thread.is_alive():
                if lib.csockrt_fd_calls(old._ref):
                    time.sleep(0.02)
                    if lib.csockrt_fd_calls(old._ref):
                        break
                time.sleep(0.001)
            number = old.fileno()
            old.close()
            deferred = _fd_is_open(number)  # the running call keeps the number
            # New connections while the writer may still be blocked in the kernel.
            new = csock.create_connection(listener.getsockname())
            new_peer, _ = listener.accept()
            with new, new_peer:
                if deferred:
                    assert number not in (new.fileno(), new_peer.fileno())
                # Unblock the writer: drain the old connection.
                old_peer.settimeout(5.0)
                while thread.is_alive():
                    try:
                        if not old_peer.recv(1 << 20):
                            break
                    except TimeoutError:
                        break
                thread.join(10)
                assert not thread.is_alive()
                new_peer.setblocking(False)
                with pytest.raises(BlockingIOError):
                    new_peer.recv(1 << 20)  # nothing reached the new connection
    assert isinstance(result[0], OSError) and result[0].errno == errno.EBADF


@pytest.mark.timeout(120)
def test_reuse_stress_with_tiny_switch_interval() -> None:
    """Threads in timed recv/send/sendall/accept/connect on sockets another
    thread closes and replaces, switch interval 1 µs: nothing reaches the
    wrong connection (bench/reuse.py runs the same rounds at full size)."""
    result = reuse.run(rounds=15, switch_interval=1e-6)
    assert result["rounds"] == 75
    assert {name: result[name] for name in reuse.ROUNDS} == dict.fromkeys(reuse.ROUNDS, 0)
    assert result["deferred"] > 0  # the rounds did close sockets under running calls


# ------------------------------------------------------------------- 4. IPv6
def test_ipv6_scope_suffix_host(mod: ModuleType) -> None:
    """Finding 4: a host only getaddrinfo parses (was TypeError in csock)."""
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    with mod.socket(mod.AF_INET6, mod.SOCK_STREAM) as server:
        server.bind(("::1%1", 0))
        server.listen()
        port = server.getsockname()[1]
        with mod.socket(mod.AF_INET6, mod.SOCK_STREAM) as client:
            client.connect(("::1%1", port))
            conn, _ = server.accept()
            conn.close()
        assert server.getsockname()[:2] == ("::1", port)


def test_ipv6_localhost_through_getaddrinfo(mod: ModuleType) -> None:
    try:
        socket.getaddrinfo("localhost", None, socket.AF_INET6)
    except socket.gaierror:
        pytest.skip("localhost has no IPv6 address here")
    with mod.create_server(("localhost", 0), family=mod.AF_INET6) as server:
        assert server.getsockname()[0] == "::1"


# ---------------------------------------------------- 9. buffers released
def _resize_ok(buf: bytearray) -> bool:
    try:
        buf.extend(b"!")
        del buf[-1:]
    except BufferError:
        return False
    return True


def test_recv_into_timeout_releases_buffer(mod: ModuleType) -> None:
    """Finding 9: after a failed call the caller can resize its bytearray."""
    a, b = mod.socketpair()
    with a, b:
        b.settimeout(0.01)
        buf = bytearray(10)
        try:
            b.recv_into(buf)
        except TimeoutError:
            assert _resize_ok(buf)
        else:
            pytest.fail("no timeout")


def test_recvfrom_into_and_recvmsg_into_release_buffer(mod: ModuleType) -> None:
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_DGRAM)
    with a, b:
        b.settimeout(0.01)
        for call in (lambda buf: b.recvfrom_into(buf), lambda buf: b.recvmsg_into([buf])):
            buf = bytearray(10)
            try:
                call(buf)
            except TimeoutError:
                assert _resize_ok(buf)
            else:
                pytest.fail("no timeout")


def test_sendall_timeout_releases_buffer(mod: ModuleType) -> None:
    a, b = mod.socketpair()
    with a, b:
        a.settimeout(0.05)
        buf = bytearray(8 << 20)
        try:
            a.sendall(buf)
        except TimeoutError:
            buf.clear()  # what asyncio's transport does in its except block
            assert buf == b""
        else:
            pytest.fail("no timeout")


def test_send_and_sendmsg_error_release_buffer(mod: ModuleType) -> None:
    a, b = mod.socketpair()
    with a:
        b.close()
        for call in (lambda buf: a.send(buf), lambda buf: a.sendmsg([buf]),
                     lambda buf: a.sendall(buf)):
            buf = bytearray(b"data")
            try:
                call(buf)
            except BrokenPipeError:
                assert _resize_ok(buf)
            else:
                pytest.fail("no error")


def test_sendto_and_setsockopt_error_release_buffer(mod: ModuleType, sockdir: str) -> None:
    with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
        buf = bytearray(b"data")
        try:
            s.sendto(buf, os.path.join(sockdir, "absent"))
        except FileNotFoundError:
            assert _resize_ok(buf)
        else:
            pytest.fail("no error")
        opt = bytearray(3)  # a length the kernel refuses for an int option
        try:
            s.setsockopt(mod.SOL_SOCKET, mod.SO_SNDBUF, opt)
        except OSError:
            assert _resize_ok(opt)
        else:
            pytest.fail("no error")


def test_sendmsg_ancillary_buffer_released(mod: ModuleType) -> None:
    a, b = mod.socketpair()
    with a:
        b.close()
        fds = array.array("i", [a.fileno()])
        try:
            a.sendmsg([b"x"], [(mod.SOL_SOCKET, mod.SCM_RIGHTS, fds)])
        except BrokenPipeError:
            fds.append(0)  # array resize: BufferError while exported
        else:
            pytest.fail("no error")


def test_sendmmsg_failure_releases_buffer(sockdir: str) -> None:
    """Whatever stops a batch (a kernel error, a bad address, a bad item, a
    timeout), every buffer it pinned is released."""
    a, b = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with a, b:
        bufs = [bytearray(b"uno"), bytearray(b"dos")]
        attempts: list[tuple[Callable[[], Any], type[BaseException]]] = [
            (lambda: a.sendmmsg([*bufs, 5]), TypeError),
            (lambda: a.sendmmsg([(bufs[0], os.path.join(sockdir, "absent")), bufs[1]]),
             OSError),
            (lambda: a.sendmmsg([(bufs[0], "x" * 200), bufs[1]]), OSError),
        ]
        for call, exc in attempts:
            with pytest.raises(exc):
                call()
            assert all(_resize_ok(buf) for buf in bufs)
        a.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                a.send(b"f" * 4096)
        a.settimeout(0.01)
        with pytest.raises(TimeoutError):
            a.sendmmsg(bufs)
        assert all(_resize_ok(buf) for buf in bufs)
    with pytest.raises(OSError):
        a.sendmmsg(bufs)  # closed: EBADF
    assert all(_resize_ok(buf) for buf in bufs)
