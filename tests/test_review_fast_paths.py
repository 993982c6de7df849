"""Review of the C-kept timeout and the fast paths (0673a33..35b9896): cases
where csock.Socket differed from socket.socket, each with its fix."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from _support import MODS

LONG = 10.0


@pytest.mark.parametrize("mod", MODS)
def test_dup_under_a_default_timeout_keeps_a_blocking_socket_blocking(mod: Any) -> None:
    """dup() of a blocking socket while a default timeout is set: the new
    socket's __init__ makes the shared file description non-blocking, and
    socket.dup's settimeout(None) makes it blocking again. A blocking socket
    left on a non-blocking descriptor raised BlockingIOError from recv()."""
    old = mod.getdefaulttimeout()
    mod.setdefaulttimeout(LONG)
    try:
        a, b = mod.socketpair()
        a.settimeout(None)
        c = a.dup()
    finally:
        mod.setdefaulttimeout(old)
    with a, b, c:
        assert a.gettimeout() is None and c.gettimeout() is None
        assert a.getblocking() and c.getblocking()
        timer = threading.Timer(0.1, b.send, (b"zy",))
        timer.start()
        try:
            assert a.recv(1) == b"z"
            assert c.recv(1) == b"y"
        finally:
            timer.join()
