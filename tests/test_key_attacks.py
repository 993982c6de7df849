"""Attacks on the key paths (recv, send, recv_into and sendall without
flags): the recv buffers claimed by concurrent first calls, a Socket whose
csockrt_fd is replaced (__init__ called again) while a call runs on the old
one's key, and arguments whose __class__ lies about their type."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import csock
from csock import _socket as csock_socket
from csock._csock import lib


class _SlowSmall:
    """csock._socket's lib, with csockrt_small slowed down: the window in
    which another thread makes its first recv buffer too."""

    def __getattr__(self, name: str) -> Any:
        return getattr(lib, name)

    @staticmethod
    def csockrt_small(ref: Any, which: int) -> Any:
        time.sleep(0.05)
        return lib.csockrt_small(ref, which)


def test_concurrent_first_recvs_never_share_a_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two threads whose first recv() on a socket makes a buffer: each gets
    its own (one of the csockrt_fd's two), never the same one twice."""
    monkeypatch.setattr(csock_socket, "lib", _SlowSmall())
    a, b = csock.socketpair()
    with a, b:
        a.send(b"0123456789")
        got: list[bytes] = []
        threads = [threading.Thread(target=lambda: got.append(b.recv(5))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(got) == [b"01234", b"56789"]
        items = list(b._spare)
        assert len(items) == b._spare_made == 2
        assert sorted(item[0] & lib.CSOCKRT_WHICH_BIT for item in items) == [
            0, lib.CSOCKRT_WHICH_BIT]
        assert items[0][2] != items[1][2]


def _fill(sock: Any) -> None:
    """Fill sock's send buffer, so that its next blocking send() waits."""
    sock.setblocking(False)
    try:
        while True:
            sock.send(b"f" * 65536)
    except BlockingIOError:
        pass
    sock.setblocking(True)


def _drain(sock: Any) -> None:
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except BlockingIOError:
        pass
    sock.setblocking(True)


@pytest.mark.parametrize("call", ["recv", "recv_into", "send", "sendall"])
def test_init_again_while_a_key_call_runs(call: str) -> None:
    """Socket.__init__ called again replaces the csockrt_fd (and leaks the old
    descriptor, as socket.socket's does); a call running on the old one's key
    keeps it alive: its key is not given back, its buffers are not freed (a
    heap use after free before), until the call has returned."""
    a, b = csock.socketpair()
    target = b if call.startswith("recv") else a
    with a, b:
        a.send(b"w")
        assert b.recv(1) == b"w"  # b's first recv buffer made
        if call.startswith("send"):
            _fill(a)
        old_fd, old_key = target.fileno(), target._key
        out: list[Any] = []
        run: Callable[[], Any] = {
            "recv": lambda: b.recv(4000),
            "recv_into": lambda: (lambda buf: bytes(buf[:b.recv_into(buf)]))(bytearray(4000)),
            "send": lambda: a.send(b"s" * 3000),
            "sendall": lambda: a.sendall(b"s" * 3000),
        }[call]
        worker = threading.Thread(target=lambda: out.append(run()))
        worker.start()
        try:
            time.sleep(0.2)  # the worker waits in the kernel, on the old key
            target.__init__(csock.AF_UNIX, csock.SOCK_STREAM)  # type: ignore[misc]
            gc.collect()
            assert target._key != old_key
            assert old_key not in csock_socket._free_keys
            # Sockets made now take the freed memory, if any was freed.
            others = [csock.socketpair() for _ in range(4)]
            for x, y in others:
                x.send(b"J" * 3000)
                assert y.recv(4000) == b"J" * 3000
                x.close()
                y.close()
            if call.startswith("recv"):
                os.write(a.fileno(), b"D" * 3000)
            else:
                _drain(b)
        finally:
            worker.join(10)
            os.close(old_fd)
        assert not worker.is_alive()
        if call.startswith("recv"):
            assert out == [b"D" * 3000]
        else:
            assert out == [3000 if call == "send" else None]
        gc.collect()
        assert old_key in csock_socket._free_keys  # given back once unused
