"""Attacks on the key paths (recv, send, recv_into and sendall without
flags): the recv buffers claimed by concurrent first calls, a Socket whose
csockrt_fd is replaced (__init__ called again) while a call runs on the old
one's key, and arguments whose __class__ lies about their type."""

from __future__ import annotations

import threading
import time
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
