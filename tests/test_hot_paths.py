"""The hot paths of recv, recv_into, send, sendall and recvmmsg (issue 12): C
functions on CPython's C API (csock/_cdefs/csock_hot.py) that find a
Socket's csockrt_fd by its key, a small number in the runtime's table,
passed in the Socket's (key, cdata) handle. These tests pin what must never
happen (a key naming another socket, a freed key still finding its
csockrt_fd, a forged handle or an argument reaching memory or a descriptor)
and what must keep working without a key."""

from __future__ import annotations

import gc
import itertools
import os
import socket
import threading
from types import ModuleType

import pytest
from _support import MODS, PROFILE, Index
from hypothesis import given, settings
from hypothesis import strategies as st

import csock
from csock import _hot
from csock import _socket as csock_socket
from csock._csock import lib

BADARG = lib.CSOCKRT_BADARG


class IntSub(int):
    """An int subclass whose __index__ CPython never calls for an int."""

    def __index__(self) -> int:
        raise AssertionError("__index__ called on an int subclass")


class IntOnly:
    """__int__ but no __index__: CPython's "n" refuses it (cffi would not)."""

    def __int__(self) -> int:
        return 2


def test_live_sockets_have_distinct_keys_and_freed_keys_are_reused() -> None:
    socks = [csock.socket(csock.AF_UNIX, csock.SOCK_STREAM) for _ in range(50)]
    keys = [s._hot[0] for s in socks]
    assert len(set(keys)) == 50 and 0 not in keys
    for s in socks:
        s.close()
    freed = set(keys[:25])
    del socks[:25]
    gc.collect()
    assert freed <= set(csock_socket._free_keys)
    free_before = set(csock_socket._free_keys)
    again = [csock.socket(csock.AF_UNIX, csock.SOCK_STREAM) for _ in range(25)]
    try:
        new_keys = {s._hot[0] for s in again}
        assert len(new_keys) == 25 and new_keys <= free_before  # reused, not new
        assert not new_keys & {s._hot[0] for s in socks}  # none shared with the 25 alive
    finally:
        for s in again + socks:
            s.close()


def test_a_freed_key_finds_nothing() -> None:
    a, b = csock.socketpair()
    key = b._hot[0]
    with a:
        del b
        gc.collect()
        assert key in csock_socket._free_keys
        # The hot paths on the freed key: no csockrt_fd, no descriptor touched.
        handle = (key, None)
        assert _hot.recv(handle, 1, 0) == BADARG
        assert _hot.send(handle, b"x", 0) == BADARG
        assert _hot.sendall(handle, b"x", 0) == BADARG
        assert _hot.recv_into(handle, bytearray(1), 0, 0) == BADARG


def test_a_reused_key_acts_on_the_new_socket_only() -> None:
    """A socket made after another was freed takes its key: data sent on it
    reaches its own peer, never the freed socket's descriptor number."""
    a, b = csock.socketpair()
    old_key = b._hot[0]
    a.close()
    del a, b
    gc.collect()
    c, d = csock.socketpair()
    with c, d:
        assert old_key in (c._hot[0], d._hot[0])
        c.send(b"ping")
        assert d.recv(16) == b"ping"
        d.send(b"pong")
        buf = bytearray(16)
        assert c.recv_into(buf) == 4 and buf[:4] == b"pong"


def test_keys_beyond_the_table_take_the_general_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past 65,535 sockets alive at once a socket gets no key (0): every call
    still works, by the longer paths."""
    monkeypatch.setattr(csock_socket, "_free_keys", [])
    monkeypatch.setattr(csock_socket, "_next_key", itertools.count(lib.CSOCKRT_KEY_LIMIT))
    a, b = csock.socketpair()
    with a, b:
        assert a._hot[0] == 0 and b._hot[0] == 0
        a.send(b"abc")
        assert b.recv(2) == b"ab"
        assert b.recv(2, csock.MSG_PEEK) == b"c"
        buf = bytearray(4)
        assert b.recv_into(buf) == 1 and buf[:1] == b"c"
        b.settimeout(0.05)
        with pytest.raises(TimeoutError):
            b.recv(1)
        a.sendall(b"xyz")
        assert b.recv(3) == b"xyz"


@pytest.mark.parametrize("mod", MODS)
def test_recv_sizes_that_change_between_calls(mod: ModuleType) -> None:
    """Every change of size, type and value between calls gives what socket
    gives (the key paths kept an argument made for the last size object)."""
    a, b = mod.socketpair()
    with a, b:
        a.sendall(bytes(range(200)))
        got = [b.recv(3), b.recv(3), b.recv(True), b.recv(IntSub(2)), b.recv(Index(2)),
               b.recv(0), b.recv(3), b.recv(5000)]
        assert got[:7] == [bytes([0, 1, 2]), bytes([3, 4, 5]), bytes([6]), bytes([7, 8]),
                           bytes([9, 10]), b"", bytes([11, 12, 13])]
        assert got[7] == bytes(range(14, 200))
        for bad, error in [(-1, ValueError), (IntOnly(), TypeError), (1.5, TypeError),
                           (None, TypeError), (2**64, OverflowError)]:
            with pytest.raises(error):
                b.recv(bad)
        a.send(b"!")
        assert b.recv(3) == b"!"  # the size object of before the failures


@pytest.mark.parametrize("mod", MODS)
def test_send_lengths_and_recv_into_sizes_that_change(mod: ModuleType) -> None:
    a, b = mod.socketpair()
    with a, b:
        for data in [b"ab", b"cd", b"efg", b"", b"h" * 5000, b"i"]:
            assert a.send(data) == len(data)
        total = 2 + 2 + 3 + 0 + 5000 + 1
        got = bytearray()
        for size in itertools.cycle([1, 7, 0, 4096, 3]):
            if len(got) == total:
                break
            buf = bytearray(size)
            if size == 0:
                assert b.recv_into(buf) == 0
                continue
            n = b.recv_into(buf)
            got += buf[:n]
        assert bytes(got) == b"abcdefg" + b"h" * 5000 + b"i"


@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_receivers_each_receive_their_own_bytes(attempt: int) -> None:
    """Four threads recv() on one socket at once: every byte is received
    once, by one thread. (Session 6's two recv buffers per socket were once
    made for two threads at once: both received into the same one. The
    hot path receives into its own C stack.)"""
    a, b = csock.socketpair()
    data = bytes(i % 251 for i in range(6000))
    got: list[bytes] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def reader() -> None:
        start.wait()
        while True:
            chunk = b.recv(7)
            if not chunk:
                return
            with lock:
                got.append(chunk)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    with a, b:
        for t in threads:
            t.start()
        a.sendall(data)
        a.shutdown(csock.SHUT_WR)
        for t in threads:
            t.join(10)
        assert not any(t.is_alive() for t in threads)
    assert sorted(b"".join(got)) == sorted(data)


def test_keys_work_in_a_forked_child() -> None:
    a, b = csock.socketpair()
    with a, b:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's status is the assertion
            ok = False
            try:
                c, d = csock.socketpair()
                c.send(b"child")
                ok = d.recv(5) == b"child" and c._hot[0] not in (0, a._hot[0], b._hot[0])
                a.send(b"x")
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert b.recv(1) == b"x"


def test_the_hot_paths_of_a_closed_socket_raise_ebadf() -> None:
    """close() leaves the key set (the csockrt_fd lives on): the hot path
    finds it closed and touches no descriptor."""
    a, b = csock.socketpair()
    with a:
        b.close()
        with pytest.raises(OSError) as info:
            b.recv(1)
        assert info.value.errno == socket.EBADF
        with pytest.raises(OSError) as info:
            b.send(b"x")
        assert info.value.errno == socket.EBADF
        with pytest.raises(OSError) as info:
            b.recv_into(bytearray(1))
        assert info.value.errno == socket.EBADF


@settings(max_examples=200 if PROFILE == "stress" else 40, deadline=None)
@given(chunks=st.lists(st.binary(max_size=300), max_size=20),
       sizes=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=10))
def test_what_is_sent_is_received_whatever_the_sizes(chunks: list[bytes],
                                                     sizes: list[int]) -> None:
    a, b = csock.socketpair()
    with a, b:
        for chunk in chunks:
            a.sendall(chunk)
        a.shutdown(csock.SHUT_WR)
        got = bytearray()
        for size in itertools.cycle(sizes):
            if size % 2:
                data = b.recv(size)
            else:
                buf = bytearray(size)
                data = bytes(buf[:b.recv_into(buf)])
            if not data:
                break
            got += data
    assert bytes(got) == b"".join(chunks)


class _HandleKey(int):
    """An int subclass as a handle's key: the hot path wants an exact int."""


@pytest.mark.parametrize("handle", [
    None, (), (1,), (1, None, None), [1, None], (0, None), (-1, None), (2**16, None),
    (2**70, None), (-(2**70), None), (1.0, None), ("1", None), (_HandleKey(1), None)])
def test_a_forged_handle_finds_no_socket(handle: object) -> None:
    """A handle that is not an exact (key, object) tuple with a key from 1 to
    65,535 finds nothing: CSOCKRT_BADARG, no descriptor touched. Key 1 is
    taken by a live socket here only in the exact-int case."""
    a, b = csock.socketpair()  # a live socket, so that some key finds one
    with a, b:
        a.send(b"kept")
        assert _hot.recv(handle, 1, 0) == BADARG
        assert _hot.recv_into(handle, bytearray(1), 0, 0) == BADARG
        assert _hot.send(handle, b"x", 0) == BADARG
        assert _hot.sendall(handle, b"x", 0) == BADARG
        assert _hot.recvmmsg(handle, 1, 10, 0, repr) == BADARG
        assert b.recv(10) == b"kept"  # nothing received or sent by the forged calls
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recv(1)


@pytest.mark.parametrize("args", [(), (1,), (1, 2, 3, 4, 5)])
def test_the_hot_functions_refuse_a_wrong_number_of_arguments(args: tuple[object, ...]) -> None:
    for call in (_hot.recv, _hot.recv_into, _hot.send, _hot.sendall, _hot.recvmmsg):
        assert call(*args) == BADARG


class LyingBytearray(bytearray):
    """Claims to be a bytearray, and a long one."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        return bytearray

    def __len__(self) -> int:
        return 1 << 20


@pytest.mark.parametrize("mod", MODS)
def test_recv_into_a_bytearray_that_lies_about_its_length(mod: ModuleType) -> None:
    """recv_into takes the pinned buffer's own length, never the object's
    __len__: a subclass that lies gets at most its real size."""
    a, b = mod.socketpair()
    with a, b:
        a.sendall(b"z" * 64)
        liar = LyingBytearray(8)
        assert b.recv_into(liar) == 8
        assert bytes(liar) == b"z" * 8
        assert b.recv(100) == b"z" * 56


@pytest.mark.parametrize("mod", MODS)
def test_send_takes_any_bytes_like_data(mod: ModuleType) -> None:
    """bytes, bytearray and memoryview take the hot path; array, a sliced
    memoryview and a read-only one are sent as socket sends them."""
    import array

    a, b = mod.socketpair()
    with a, b:
        words = array.array("H", [0x4142, 0x4344])
        for data in [b"by", bytearray(b"ba"), memoryview(b"mv"), memoryview(bytearray(b"wmv")),
                     memoryview(b"0123456789")[2:5], words, memoryview(words)]:
            size = memoryview(data).nbytes
            assert a.send(data) == size
            assert b.recv(100) == bytes(data)
            a.sendall(data)
            assert b.recv(100) == bytes(data)
        with pytest.raises(BufferError):
            a.send(memoryview(b"abcdef")[::2])  # not contiguous: socket refuses it
        for bad in ["text", 1, None, [1]]:
            with pytest.raises(TypeError):
                a.send(bad)  # type: ignore[arg-type]
            with pytest.raises(TypeError):
                a.sendall(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("mod", MODS)
def test_recv_into_takes_any_writable_buffer(mod: ModuleType) -> None:
    """A memoryview (of a bytearray, a slice, an array of ints: nbytes is in
    bytes) takes the hot path; read-only and non-contiguous buffers are
    refused as socket refuses them, before anything is received."""
    import array

    a, b = mod.socketpair()
    with a, b:
        a.sendall(b"ABCDEFGHIJKLMNOP")
        target = bytearray(8)
        assert b.recv_into(memoryview(target)[2:5]) == 3
        assert target == bytearray(b"\0\0ABC\0\0\0")
        words = array.array("i", [0, 0])
        assert b.recv_into(memoryview(words)) == 8
        assert words.tobytes() == b"DEFGHIJK"
        for bad in [b"read-only", memoryview(b"read-only"), memoryview(bytearray(8))[::2]]:
            with pytest.raises(TypeError, match="read-write bytes-like object"):
                b.recv_into(bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            b.recv_into(bytearray(2), 3)  # more than the buffer
        with pytest.raises(ValueError):
            b.recv_into(bytearray(2), -1)
        assert b.recv_into(bytearray(0)) == 0  # no call: the data stays
        assert b.recv_into(bytearray(8), 2) == 2
        assert b.recv_into(bytearray(8), 0, mod.MSG_PEEK) == 3
        assert b.recv(100) == b"NOP"


@pytest.mark.parametrize("mod", MODS)
def test_recv_sizes_around_the_stack_buffer(mod: ModuleType) -> None:
    """Sizes up to 4,096 are received into the C stack, larger ones into a
    bytes object of that size: either way, exactly the bytes that came, a
    short read cut to its length and a full one whole."""
    a, b = mod.socketpair()
    with a, b:
        for size in (4095, 4096, 4097, 65536):
            data = bytes(i % 253 for i in range(size))
            a.sendall(data)
            got = b.recv(size)
            while len(got) < size:
                got += b.recv(size - len(got))
            assert got == data
            a.send(b"short")
            assert b.recv(size) == b"short"
        a.send(b"peek")
        assert b.recv(5000, mod.MSG_PEEK) == b"peek"
        assert b.recv(5000) == b"peek"


@pytest.mark.parametrize("size", [2**40, 2**62, 2**63])
def test_a_huge_recv_size_fails_as_socket_fails(size: int) -> None:
    """A size no memory holds, or past ssize_t: socket's exception, raised
    before the descriptor is touched (the data waiting stays)."""
    raised: list[type[BaseException]] = []
    for mod in (socket, csock):
        a, b = mod.socketpair()
        with a, b:
            a.send(b"kept")
            with pytest.raises((MemoryError, OverflowError)) as info:
                b.recv(size)
            raised.append(info.type)
            assert b.recv(10) == b"kept"
    assert raised[0] is raised[1]


@pytest.mark.parametrize("mod", MODS)
def test_flags_out_of_c_int_range_are_refused_before_the_call(mod: ModuleType) -> None:
    a, b = mod.socketpair()
    with a, b:
        a.send(b"x")
        for flags in (2**31, -(2**31) - 1, 2**64):
            with pytest.raises(OverflowError):
                b.recv(1, flags)
            with pytest.raises(OverflowError):
                b.recv_into(bytearray(1), 0, flags)
            with pytest.raises(OverflowError):
                a.send(b"y", flags)
            with pytest.raises(OverflowError):
                a.sendall(b"y", flags)
        assert b.recv(10) == b"x"


@pytest.mark.parametrize("call", ["recv_into", "recvfrom_into"])
def test_recv_into_an_unusable_buffer_raises_sockets_type_error(call: str) -> None:
    """A released memoryview (the hot path's pin fails, then the general
    path's) and None: socket's "w*" TypeError, its message naming None as
    None, never the memoryview's ValueError."""
    raised = []
    for mod in (socket, csock):
        a, b = mod.socketpair()
        with a, b:
            a.send(b"kept")
            released = memoryview(bytearray(4))
            released.release()
            for bad in (released, None):
                with pytest.raises(TypeError) as info:
                    getattr(b, call)(bad)
                raised.append(str(info.value))
            assert b.recv(10) == b"kept"
    assert raised[:2] == raised[2:]


@pytest.mark.parametrize("count, bufsize, decode", [
    (0, 10, repr), (1025, 10, repr), (1, -1, repr), (1024, 2**18 + 1, repr),
    # count * bufsize overflowed (to 0, to < 0): a 1-byte buffer the kernel wrote past
    (4, 2**62, repr), (1024, 2**63 // 1024 + 1, repr),
    (1.0, 10, repr), (1, 10, None), (1, 10, "not callable")])
def test_the_batch_hot_path_refuses_what_python_did_not_check(count: object, bufsize: object,
                                                              decode: object) -> None:
    """recvmmsg's C checks its arguments again (count 1 to 1024, count *
    bufsize at most 256 MiB, a callable decoder): refused before the call."""
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as rx, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as tx:
        rx.bind(("127.0.0.1", 0))
        tx.sendto(b"kept", rx.getsockname())
        assert _hot.recvmmsg(rx._hot, count, bufsize, 0, decode) == BADARG
        assert rx.recv(10) == b"kept"


def test_a_batch_from_senders_that_alternate_names_each_one() -> None:
    """The batch's C decodes a sender only when it is not the previous
    datagram's: A, A, B, A, unnamed in one batch are each given their own
    address, as recvfrom gives them."""
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as rx, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as a, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as b:
        for sock in (rx, a, b):
            sock.bind(("127.0.0.1", 0))
        to = rx.getsockname()
        for sender, data in [(a, b"1"), (a, b"2"), (b, b"3"), (a, b"4")]:
            sender.sendto(data, to)
        got = rx.recvmmsg(10, 8)
        assert [d for d, _, _ in got] == [b"1", b"2", b"3", b"4"]
        names = [address for _, address, _ in got]
        assert names == [a.getsockname(), a.getsockname(), b.getsockname(), a.getsockname()]
        assert all(flags == 0 for _, _, flags in got)
    left, right = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with left, right:
        left.send(b"x")
        left.send(b"yy")
        assert right.recvmmsg(4, 1) == [(b"x", None, 0), (b"y", None, csock.MSG_TRUNC)]


def test_a_socket_without_a_key_receives_batches_by_the_longer_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csock_socket, "_free_keys", [])
    monkeypatch.setattr(csock_socket, "_next_key", itertools.count(lib.CSOCKRT_KEY_LIMIT))
    left, right = csock.socketpair(csock.AF_UNIX, csock.SOCK_DGRAM)
    with left, right:
        assert right._hot[0] == 0
        assert left.sendmmsg([b"a", b"bc"]) == 2
        assert right.recvmmsg(4, 1) == [(b"a", None, 0), (b"b", None, csock.MSG_TRUNC)]
        right.settimeout(0.05)
        with pytest.raises(TimeoutError):
            right.recvmmsg(4, 1)

