"""csock's constants against the running Python's socket module.

Every uppercase integer constant of ``socket`` is in csock with the same
value and the same type (AddressFamily, SocketKind, MsgFlag, AddressInfo or
int), in ``__all__`` and in the constants stub, and is a csock.c name with
the same value: csock's values come from the C compiler, socket's from
CPython's build, so the two are independent.

Only loopback is used; the multicast test sends a datagram only in a private
network namespace (CSOCK_PRIVATE_NETNS=1, as .ci/run and the README's
``unshare -n`` give).
"""

from __future__ import annotations

import errno
import os
import re
import socket
from pathlib import Path

import pytest

import csock
import csock.c as c
from csock import _constants

# socket constants this system's headers do not define, so csock has none
# (it never makes a value up). CPython defines these itself when the
# headers lack them:
NOT_IN_HEADERS = {
    # <linux/if_alg.h> of no released kernel has them (an unmerged patch's).
    "ALG_SET_PUBKEY", "ALG_OP_SIGN", "ALG_OP_VERIFY",
    # The kernel keeps them in its internal net/udplite.h, not in the
    # headers it exports to programs.
    "UDPLITE_SEND_CSCOV", "UDPLITE_RECV_CSCOV",
}

# Optional constants (build_ffi.py, OPTIONAL) whose header on this system is
# older than the constant: the compiler, not this file, says which.
ABSENT_OPTIONAL = set(_constants.absent_optional())

# csock is one wheel for 3.11 to 3.13: it has what any of their socket
# modules has. These came with 3.12 (NI_IDN, SO_BINDTOIFINDEX with 3.13).
NEWER_PYTHON = {
    "ETHERTYPE_ARP", "ETHERTYPE_IP", "ETHERTYPE_IPV6", "ETHERTYPE_VLAN", "ETH_P_ALL",
    "IP_ADD_SOURCE_MEMBERSHIP", "IP_BLOCK_SOURCE", "IP_DROP_SOURCE_MEMBERSHIP", "IP_PKTINFO",
    "IP_UNBLOCK_SOURCE", "TCP_CC_INFO", "TCP_FASTOPEN_CONNECT", "TCP_FASTOPEN_KEY",
    "TCP_FASTOPEN_NO_COOKIE", "TCP_INQ", "TCP_MD5SIG", "TCP_MD5SIG_EXT", "TCP_QUEUE_SEQ",
    "TCP_REPAIR", "TCP_REPAIR_OPTIONS", "TCP_REPAIR_QUEUE", "TCP_REPAIR_WINDOW",
    "TCP_SAVED_SYN", "TCP_SAVE_SYN", "TCP_THIN_DUPACK", "TCP_THIN_LINEAR_TIMEOUTS",
    "TCP_TIMESTAMP", "TCP_TX_DELAY", "TCP_ULP", "TCP_ZEROCOPY_RECEIVE",
    "NI_IDN", "SO_BINDTOIFINDEX",
}
# csock's constants socket has on no version: C names of the headers csock.c
# already declared for its own reasons (the C tutorial's INET_ADDRSTRLEN...).
CSOCK_ONLY = {"AF_LOCAL", "MSG_WAITFORONE", "INET_ADDRSTRLEN", "INET6_ADDRSTRLEN"}

SOCKET_CONSTANTS = sorted(
    name for name in dir(socket)
    if name.isupper() and isinstance(getattr(socket, name), int)
    and not isinstance(getattr(socket, name), bool)
)
LACKING = NOT_IN_HEADERS | ABSENT_OPTIONAL
EXPECTED = [name for name in SOCKET_CONSTANTS if name not in LACKING]
STUB = Path(csock.__file__).resolve().parent / "_constant_names.pyi"
STUB_TYPES = dict(re.findall(r"^(\w+): (\w+)$", STUB.read_text(), re.M))


def test_the_lists_are_not_empty() -> None:
    # guards the parametrized tests below against passing vacuously
    assert len(SOCKET_CONSTANTS) > 300
    assert len(EXPECTED) > 300


@pytest.mark.parametrize("name", EXPECTED)
def test_socket_constant_is_in_csock(name: str) -> None:
    expected = getattr(socket, name)
    assert hasattr(csock, name), f"csock lacks socket.{name}"
    got = getattr(csock, name)
    assert got == expected
    assert type(got).__name__ == type(expected).__name__
    if hasattr(expected, "name"):  # an enum member: the same canonical name (AF_ROUTE)
        assert got.name == expected.name


def test_lacking_names_are_really_lacking() -> None:
    # The allow-list stays honest: a name csock has is not excused.
    for name in sorted(LACKING):
        assert not hasattr(csock, name), name
        assert not hasattr(c, _constants.RENAMED.get(name, name)), name


@pytest.mark.parametrize("name", EXPECTED)
def test_socket_constant_is_in_all_and_stub(name: str) -> None:
    assert name in csock.__all__
    assert STUB_TYPES.get(name) == type(getattr(socket, name)).__name__


@pytest.mark.parametrize("name", EXPECTED)
def test_socket_constant_is_a_c_name(name: str) -> None:
    # <linux/can/bcm.h> calls socket's CAN_BCM_TX_SETUP TX_SETUP, and so does csock.c.
    cname = _constants.RENAMED.get(name, name)
    assert getattr(c, cname) == getattr(socket, name)
    assert cname in c.__all__


def test_csock_exports_no_constant_socket_lacks() -> None:
    # No blanket prefix (PF_, NETLINK_...) lets C-only names into csock.
    extra = set(_constants.constants()) - set(SOCKET_CONSTANTS) - NEWER_PYTHON - CSOCK_ONLY
    assert not extra, sorted(extra)
    assert "PF_INET" not in csock.__all__ and not hasattr(csock, "PF_INET")
    assert "NETLINK_SOCK_DIAG" not in csock.__all__


def test_enum_members_by_value() -> None:
    assert csock.AddressFamily(socket.AF_CAN) is csock.AF_CAN
    assert csock.AddressFamily(16).name == socket.AddressFamily(16).name == "AF_NETLINK"
    assert isinstance(csock.MSG_CONFIRM, csock.MsgFlag)
    assert csock.PF_CAN == csock.AF_CAN and type(csock.PF_CAN) is int


# --------------------------------------------------------------------------
# a few of them for real, on loopback


def test_tcp_user_timeout_on_a_csock_socket() -> None:
    with csock.socket(csock.AF_INET, csock.SOCK_STREAM) as s:
        s.setsockopt(csock.SOL_TCP, csock.TCP_USER_TIMEOUT, 1000)
        assert s.getsockopt(csock.SOL_TCP, csock.TCP_USER_TIMEOUT) == 1000
        s.setsockopt(csock.IPPROTO_TCP, csock.TCP_QUICKACK, 1)
        s.setsockopt(csock.SOL_TCP, csock.TCP_NOTSENT_LOWAT, 16384)
        # Python's socket reads the same options off the same descriptor.
        with socket.socket(fileno=os.dup(s.fileno())) as py:
            assert py.getsockopt(socket.SOL_TCP, socket.TCP_USER_TIMEOUT) == 1000
            assert py.getsockopt(socket.SOL_TCP, socket.TCP_NOTSENT_LOWAT) == 16384
        s.setsockopt(csock.SOL_TCP, csock.TCP_CONGESTION, b"reno")
        assert s.getsockopt(csock.SOL_TCP, csock.TCP_CONGESTION, 16).rstrip(b"\0") == b"reno"


def test_so_priority_and_mark_level() -> None:
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as s:
        s.setsockopt(csock.SOL_SOCKET, csock.SO_PRIORITY, 3)
        assert s.getsockopt(csock.SOL_SOCKET, csock.SO_PRIORITY) == 3
        s.setsockopt(csock.SOL_IP, csock.IP_RECVTOS, 1)
        assert s.getsockopt(csock.IPPROTO_IP, csock.IP_RECVTOS) == 1


GROUP = "239.255.43.21"  # administratively scoped multicast, joined on lo only


@pytest.mark.skipif(os.environ.get("CSOCK_PRIVATE_NETNS") != "1",
                    reason="sends to a multicast group: only in a private network namespace "
                           "(CSOCK_PRIVATE_NETNS=1 under unshare -n)")
def test_multicast_on_loopback() -> None:
    lo = csock.inet_aton("127.0.0.1")
    with csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as rx, \
            csock.socket(csock.AF_INET, csock.SOCK_DGRAM) as tx:
        rx.settimeout(5.0)
        rx.bind(("0.0.0.0", 0))
        port = rx.getsockname()[1]
        try:
            rx.setsockopt(csock.IPPROTO_IP, csock.IP_ADD_MEMBERSHIP,
                          csock.inet_aton(GROUP) + lo)
            tx.setsockopt(csock.IPPROTO_IP, csock.IP_MULTICAST_IF, lo)
        except OSError as exc:
            pytest.skip(f"the kernel refuses multicast on lo here: {exc}")
        assert tx.getsockopt(csock.IPPROTO_IP, csock.IP_MULTICAST_IF, 4) == lo
        tx.setsockopt(csock.IPPROTO_IP, csock.IP_MULTICAST_LOOP, 1)
        tx.setsockopt(csock.IPPROTO_IP, csock.IP_MULTICAST_TTL, 0)  # never past this host
        try:
            tx.sendto(b"hola", (GROUP, port))
        except OSError as exc:
            if exc.errno in (errno.ENETUNREACH, errno.ENODEV, errno.EADDRNOTAVAIL):
                pytest.skip(f"no multicast route on lo here: {exc}")
            raise
        data, (host, _) = rx.recvfrom(16)
        assert data == b"hola" and host == "127.0.0.1"
        rx.setsockopt(csock.IPPROTO_IP, csock.IP_DROP_MEMBERSHIP, csock.inet_aton(GROUP) + lo)
