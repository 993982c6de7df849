"""The key paths of recv, send and recv_into (issue 12): each Socket's
csockrt_fd has a key, a small number that finds it in the runtime's table,
and the calls without flags pass one packed integer instead of a pointer and
three ints. These tests pin what must never happen (a key naming another
socket, a freed key still finding its csockrt_fd, an argument that the key
path packs wrongly) and what must keep working without a key."""

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
from csock import _socket as csock_socket
from csock._csock import ffi, lib

BADARG = lib.CSOCKRT_BADARG
UNIT = lib.CSOCKRT_LEN_UNIT


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
    keys = [s._key for s in socks]
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
        new_keys = {s._key for s in again}
        assert len(new_keys) == 25 and new_keys <= free_before  # reused, not new
        assert not new_keys & {s._key for s in socks}  # none shared with the 25 alive
    finally:
        for s in again + socks:
            s.close()


def test_a_freed_key_finds_nothing() -> None:
    a, b = csock.socketpair()
    key = b._key
    with a:
        del b
        gc.collect()
        assert key in csock_socket._free_keys
        # The key path on the freed key: no csockrt_fd, no descriptor touched.
        assert lib.csockrt_recv_key(key + 1 * UNIT) == BADARG
        assert lib.csockrt_send_key(key + 1 * UNIT, b"x") == BADARG
        assert lib.csockrt_recv_into_key(key + 1 * UNIT, ffi.new("char[1]")) == BADARG


def test_a_reused_key_acts_on_the_new_socket_only() -> None:
    """A socket made after another was freed takes its key: data sent on it
    reaches its own peer, never the freed socket's descriptor number."""
    a, b = csock.socketpair()
    old_key = b._key
    a.close()
    del a, b
    gc.collect()
    c, d = csock.socketpair()
    with c, d:
        assert old_key in (c._key, d._key)
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
        assert a._key == 0 and b._key == 0
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
    """The packed argument is kept for the last size object: every change of
    size, type and value gives what socket gives."""
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
def test_more_concurrent_receivers_than_buffers(attempt: int) -> None:
    """Two buffers per socket: a third concurrent recv() takes the general
    path. Every byte is received once, by one thread. (The second buffer
    was once made for two threads at once: both received into it.)"""
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
    assert b._spare_made <= 2


def test_keys_work_in_a_forked_child() -> None:
    a, b = csock.socketpair()
    with a, b:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's status is the assertion
            ok = False
            try:
                c, d = csock.socketpair()
                c.send(b"child")
                ok = d.recv(5) == b"child" and c._key not in (0, a._key, b._key)
                a.send(b"x")
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert b.recv(1) == b"x"


def test_the_key_paths_of_a_closed_socket_raise_ebadf() -> None:
    """close() leaves the key set (the csockrt_fd lives on): the key path
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


def test_key_path_arguments_never_reach_another_key() -> None:
    """However large or negative the size, the packed argument keeps the
    socket's own key bits: C refuses the size, never another socket."""
    a, b = csock.socketpair()
    with a, b:
        base = b._key
        for size in (-1, -(2**40), 0, lib.CSOCKRT_SMALL + 1, 2**40):
            packed = base + size * UNIT
            assert packed % UNIT == base
            assert lib.csockrt_recv_key(packed) == BADARG


class LyingBytearray(bytearray):
    """Claims to be a bytearray, and a long one."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: D105
        return bytearray

    def __len__(self) -> int:
        return 1 << 20


@pytest.mark.parametrize("mod", MODS)
def test_recv_into_a_bytearray_that_lies_about_its_length(mod: ModuleType) -> None:
    """The key path takes the pinned buffer's own length, never the object's
    __len__: a subclass that lies gets at most its real size."""
    a, b = mod.socketpair()
    with a, b:
        a.sendall(b"z" * 64)
        liar = LyingBytearray(8)
        assert b.recv_into(liar) == 8
        assert bytes(liar) == b"z" * 8
        assert b.recv(100) == b"z" * 56
