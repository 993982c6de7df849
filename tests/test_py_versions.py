"""csock against the running interpreter's socket, where CPython versions differ
(3.11, 3.12, 3.13) and where argument parsing order shows.

Each test makes the same call on csock and on socket and compares what
happens: the exception's class and message, or the result. The expected
outcome is never written down here, so each test holds on every version.
No lookups: hosts are numeric or fail to encode before any lookup.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
from collections.abc import Callable, Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from _support import Index

import csock


class BadBool:
    """An object whose truth value cannot be taken."""

    def __bool__(self) -> bool:
        raise ZeroDivisionError("no truth value")

    def __repr__(self) -> str:
        return "BadBool()"


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """("raise", (class name, message)) or ("ok", result)."""
    try:
        result = call()
    except Exception as exc:
        return "raise", (type(exc).__name__, str(exc))
    return "ok", result


@contextlib.contextmanager
def udp(mod: ModuleType, family: int = socket.AF_INET) -> Iterator[Any]:
    s = mod.socket(family, mod.SOCK_DGRAM)
    try:
        yield s
    finally:
        s.close()


def both(run: Callable[[ModuleType], Any]) -> tuple[tuple[str, Any], tuple[str, Any]]:
    """(csock's outcome, socket's outcome) of ``run(mod)``."""
    return outcome(lambda: run(csock)), outcome(lambda: run(socket))


# ------------------------------------------------------------ setblocking
SETBLOCKING_VALUES = [None, 0, 1, 0.0, 1.5, "", "x", b"", [], [0], 2**64, -(2**64), Index(0),
                      Index(2), BadBool()]


@pytest.mark.parametrize("flag", SETBLOCKING_VALUES, ids=repr)
def test_setblocking_takes_what_socket_takes(flag: Any) -> None:
    # 3.12 takes the flag's truth value; 3.11 a C long (regression: csock
    # refused None, floats and str on 3.12 and 3.13).
    def run(mod: ModuleType) -> tuple[Any, float | None]:
        with udp(mod) as s:
            return outcome(lambda: s.setblocking(flag))[0], s.gettimeout()

    ours, theirs = both(run)
    assert ours == theirs
    with udp(csock) as s, udp(socket) as t:
        assert outcome(lambda: s.setblocking(flag)) == outcome(lambda: t.setblocking(flag))


@pytest.mark.parametrize("timeout", [0.0, 2.5, None])
def test_timeout_kept_when_the_descriptor_fails(timeout: float | None) -> None:
    # As CPython: the timeout is stored, then the descriptor's flag set
    # (regression: csock kept the old timeout when fcntl failed).
    def run(mod: ModuleType) -> tuple[Any, ...]:
        s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
        s.settimeout(1.0)
        os.close(s.fileno())
        try:
            first = outcome(lambda: s.settimeout(timeout))
            after_settimeout = s.gettimeout()
            second = outcome(lambda: s.setblocking(timeout is None))
            return first, after_settimeout, second, s.gettimeout()
        finally:
            s.detach()

    ours, theirs = both(run)
    assert ours == theirs
    assert ours[1][0][0] == "raise"  # EBADF: the case in point


# ---------------------------------------------------------------- getaddrinfo
BIG_PORTS = {"2**63-1": 2**63 - 1, "2**63": 2**63, "2**64": 2**64, "2**64+80": 2**64 + 80,
             "-2**63": -(2**63), "-2**63-1": -(2**63) - 1, "10**30": 10**30,
             "-10**30": -(10**30), "10**5000": 10**5000}  # str() of the last is a ValueError


@pytest.mark.parametrize("port", BIG_PORTS.values(), ids=BIG_PORTS.keys())
@pytest.mark.parametrize("host", ["127.0.0.1", None])
def test_getaddrinfo_int_port_beyond_c_long(host: str | None, port: int) -> None:
    # 3.12 (gh-74895) hands any int to getaddrinfo(3) as its decimal text;
    # 3.11 raised OverflowError outside a C long (regression: csock always did).
    flags = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV | socket.AI_PASSIVE
    ours, theirs = both(lambda mod: mod.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0,
                                                    flags))
    assert ours == theirs


# ----------------------------------------------------------------------- IDNA
BAD_IDNA = {"label-64": "a" * 64, "label-64-dot": "a" * 64 + ".b", "snowmen-70": "\u2603" * 70,
            "empty-label": "\u00e9..", "empty-label-2": "a..b\u00e9", "surrogate": "\udcff"}


@pytest.mark.parametrize("host", BAD_IDNA.values(), ids=BAD_IDNA.keys())
@pytest.mark.parametrize("func", ["getaddrinfo", "gethostbyname", "gethostbyname_ex"])
def test_idna_failure_is_the_codecs(host: str, func: str) -> None:
    # socket lets the codec's error through: UnicodeEncodeError from 3.13
    # (regression: csock raised its own UnicodeError).
    def run(mod: ModuleType) -> Any:
        if func == "getaddrinfo":
            return mod.getaddrinfo(host, 80, 0, 0, 0, mod.AI_NUMERICHOST)
        return getattr(mod, func)(host)

    ours, theirs = both(run)
    assert theirs[0] == "raise"  # never a lookup
    assert ours == theirs


# --------------------------------------------------------------------- sendto
@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_UNIX], ids=["inet", "unix"])
@pytest.mark.parametrize("flags", [0, 2**31, -(2**31) - 1, 2**64, "x", None, 1.5, b""],
                         ids=repr)
def test_sendto_third_argument_none_is_an_address(family: int, flags: Any) -> None:
    # Three arguments are (data, flags, address) even when address is None
    # (regression: csock took the flags as the address).
    ours, theirs = both(lambda mod: _sendto_none(mod, family, flags))
    assert theirs[0] == "raise"
    assert ours == theirs


def _sendto_none(mod: ModuleType, family: int, flags: Any) -> Any:
    with udp(mod, family) as s:
        return s.sendto(b"foo", flags, None)


# ---------------------------------------------------------------- AF_UNIX paths
def _strided_path(sockdir: str) -> memoryview:
    path = os.fsencode(os.path.join(sockdir, "strided"))
    return memoryview(bytes(b for ch in path for b in (ch, ord("_"))))[::2]


@pytest.mark.parametrize("method", ["bind", "connect", "connect_ex", "sendto", "sendmsg"])
def test_unix_address_must_be_contiguous(method: str, sockdir: str) -> None:
    # As CPython's "y*": BufferError (regression: csock copied the strided
    # view into a path).
    def run(mod: ModuleType) -> Any:
        address = _strided_path(sockdir)
        with udp(mod, mod.AF_UNIX) as s:
            if method == "sendto":
                return s.sendto(b"x", address)
            if method == "sendmsg":
                return s.sendmsg([b"x"], [], 0, address)
            return getattr(s, method)(address)

    ours, theirs = both(run)
    assert theirs[0] == "raise"
    assert ours == theirs
    assert os.listdir(sockdir) == []


# ------------------------------------------------------- recv argument order
RECV_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("recv", (-1, 2**31)), ("recv", (-1, -(2**31) - 1)), ("recv", (-1, 2**63)),
    ("recv", (-1, "x")), ("recv", (2**63 - 1, "x")), ("recv", (2**63 - 1, None)),
    ("recv", (2**62, 2**31)), ("recv", (1, 2**31)), ("recv", (0, 2**31)),
    ("recv", (Index(-1), 2**31)), ("recv", (-1, Index(2**31))), ("recv", (2**63, "x")),
    ("recvfrom", (-1, 2**31)), ("recvfrom", (2**63 - 1, "x")), ("recvfrom", (2**63 - 1, None)),
    ("recvfrom", (2**62, 2**31)),
    ("recv_into", (bytearray(8), 2**63)), ("recv_into", (bytearray(8), 2**64, 0)),
    ("recv_into", (bytearray(8), 10**30)), ("recv_into", (bytearray(8), -1, 2**31)),
    ("recvfrom_into", (bytearray(8), 2**63)),
    ("recvmsg", (2**63 - 1,)), ("recvmsg", (2**63 - 34,)), ("recvmsg", (2**63 - 1, -1)),
]


@pytest.mark.parametrize(("method", "args"), RECV_CASES, ids=repr)
def test_receive_arguments_parsed_before_checked(method: str, args: tuple[Any, ...]) -> None:
    # As CPython's "n|i" and "w*|ni": every argument is converted before the
    # size is checked or a buffer made (regression: csock reported a negative
    # or too large size before a bad flags value, and took sizes past ssize_t).
    def run(mod: ModuleType) -> Any:
        with udp(mod) as s:
            return getattr(s, method)(*args)

    ours, theirs = both(run)
    assert theirs[0] == "raise"  # nothing is ever received: the call fails first
    assert ours == theirs


# ------------------------------------------------------------------ messages
FUNCTION_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("htons", (2**31,)), ("htons", (2**64,)), ("ntohs", (-(2**31) - 1,)), ("htons", (70000,)),
    ("htons", (1.5,)), ("htons", (Decimal(1),)), ("htonl", (-1,)), ("htonl", (2**32,)),
    ("htonl", (2**64,)), ("inet_aton", (b"1.2.3.4",)), ("inet_aton", (None,)),
    ("inet_aton", (5,)), ("inet_pton", (socket.AF_INET, b"1.2.3.4")),
    ("inet_pton", (socket.AF_INET, None)), ("setdefaulttimeout", (2**63,)),
    ("setdefaulttimeout", (-(2**40),)), ("setdefaulttimeout", (10**400,)),
    ("setdefaulttimeout", (1e300,)), ("setdefaulttimeout", (float("-inf"),)),
    ("socket", (2**31,)), ("socket", (socket.AF_INET, -(2**63) - 1)),
    ("socket", (-1, -1, -1, -(2**63) - 1)), ("socket", (-1, -1, -1, 2**64)),
    ("socket", (-1, -1, -1, -5)),
]


@pytest.mark.parametrize(("func", "args"), FUNCTION_CASES, ids=repr)
def test_function_messages_as_socket(func: str, args: tuple[Any, ...]) -> None:
    # The running socket's wording: 3.13's Argument Clinic ("argument", "C
    # int") and PyTime_t (regression: csock had its own, or 3.11's, words).
    before = socket.getdefaulttimeout(), csock.getdefaulttimeout()
    try:
        ours, theirs = both(lambda mod: _call_and_close(getattr(mod, func), args))
    finally:
        socket.setdefaulttimeout(before[0])
        csock.setdefaulttimeout(before[1])
    assert theirs[0] == "raise"
    assert ours == theirs


def _call_and_close(func: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    result = func(*args)
    if hasattr(result, "close"):
        result.close()
    return result


METHOD_CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("settimeout", (2**63,)), ("settimeout", (9223372037,)), ("settimeout", (1e300,)),
    ("recv", (1.5,)), ("recv", (Decimal(1),)), ("recv", (1, 2**63)), ("recv", (1, 1.5)),
    ("shutdown", (2**63,)), ("shutdown", (-(2**31) - 1,)), ("set_inheritable", (2**31,)),
    ("getsockopt", (Decimal(1), 1)), ("setsockopt", (1, 1, 2**63)),
]


@pytest.mark.parametrize(("method", "args"), METHOD_CASES, ids=repr)
def test_method_messages_as_socket(method: str, args: tuple[Any, ...]) -> None:
    # CPython's "i" reads a C long first; PyNumber_Index names the type in
    # full (regression: "signed integer is greater than maximum" for 2**63,
    # "(bufsize)" after a float's message, 'Decimal' for 'decimal.Decimal').
    def run(mod: ModuleType) -> Any:
        with udp(mod) as s:
            return getattr(s, method)(*args)

    ours, theirs = both(run)
    assert theirs[0] == "raise"
    assert ours == theirs


# ------------------------------------------------------------------ sendfile
SENDFILE_CASES = {
    # name: (socket kind, socket state, timeout, file, file contents, offset, count)
    "empty-file-nonblocking": ("stream", "open", 0.0, "file", b"", 0, None),
    "empty-file-negative-offset": ("stream", "open", None, "file", b"", -1, None),
    "empty-file-closed": ("stream", "closed", None, "file", b"", 0, None),
    "seqpacket": ("seqpacket", "open", None, "file", b"abc" * 100, 0, None),
    "closed": ("stream", "closed", None, "file", b"abc" * 100, 0, None),
    "closed-timeout": ("stream", "closed", 1.0, "file", b"abc" * 100, 5, 7),
    "negative-offset": ("stream", "open", None, "file", b"abc" * 100, -1, None),
    "offset-none": ("stream", "open", None, "file", b"abc" * 100, None, None),
    "offset-none-no-fileno": ("stream", "open", None, "none", b"", None, None),
    "offset-str-no-fileno": ("stream", "open", None, "none", b"", "x", None),
    "offset-float-bytesio": ("stream", "open", None, "bytesio", b"abc", 1.5, None),
    "count-2**63": ("stream", "open", None, "file", b"abc" * 100, 0, 2**63),
    "count-2**64-timeout": ("stream", "open", 1.0, "file", b"abc" * 100, 0, 2**64),
    "count-2**63-1": ("stream", "open", None, "file", b"abc" * 100, 3, 2**63 - 1),
    "pipe": ("stream", "open", None, "pipe", b"from a pipe", 0, None),
    "peer-gone": ("stream", "peer-gone", None, "file", b"abc" * 100, 0, None),
}


def _sendfile(mod: ModuleType, case: tuple[Any, ...], tmp: str) -> Any:
    kind, state, timeout, source, contents, offset, count = case
    a, b = mod.socketpair(mod.AF_UNIX,
                          mod.SOCK_SEQPACKET if kind == "seqpacket" else mod.SOCK_STREAM)
    with a, b, open(os.path.join(tmp, "source"), "w+b") as f:
        f.write(contents)
        f.seek(0)
        a.settimeout(timeout)
        if state == "closed":
            a.close()
        elif state == "peer-gone":
            b.close()
        rfd, wfd = os.pipe()
        os.write(wfd, contents)
        os.close(wfd)
        with os.fdopen(rfd, "rb") as pipe:
            file = {"file": f, "pipe": pipe, "none": None,
                    "bytesio": io.BytesIO(contents)}[source]
            result = outcome(lambda: a.sendfile(file, offset, count))
            position = f.tell()
        received = b""
        if state == "open":
            b.settimeout(0.0)
            with contextlib.suppress(BlockingIOError):
                while chunk := b.recv(65536):
                    received += chunk
        return result, position, received


@pytest.mark.parametrize("case", SENDFILE_CASES.values(), ids=SENDFILE_CASES.keys())
def test_sendfile_as_socket(case: tuple[Any, ...], sockdir: str) -> None:
    # socket.sendfile's own steps: an empty file (fstat size 0) sends nothing
    # before the timeout is looked at, a SOCK_SEQPACKET passes its bit test,
    # sendfile(2) is tried first and its first failure falls back to send(),
    # a closed socket fails in selector.register, offset None is the file's
    # position; 3.11 and 3.12 ask os.sendfile for the whole count (regression:
    # csock differed in each of these).
    ours = _sendfile(csock, case, sockdir)
    theirs = _sendfile(socket, case, sockdir)
    assert ours == theirs
