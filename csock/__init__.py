"""csock: the C Berkeley sockets API through cffi, and a Pythonic layer on it.

* ``csock.c`` is the raw C namespace: C names, C argument order, -1 and errno.
* ``csock`` itself behaves like Python's ``socket`` module: ``csock.Socket``,
  ``create_connection``, ``getaddrinfo``, the constants, the same exceptions.
  ``sock.fileno()`` works with every ``csock.c`` function, and
  ``to_sockaddr``/``from_sockaddr`` give the C struct for an address and back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csock import _address, _constants
from csock._constants import AddressFamily, AddressInfo, MsgFlag, SocketKind
from csock._errors import gaierror, herror, timeout
from csock._functions import (
    _GLOBAL_DEFAULT_TIMEOUT,
    CMSG_LEN,
    CMSG_SPACE,
    close,
    create_connection,
    create_server,
    dup,
    getaddrinfo,
    getfqdn,
    gethostbyaddr,
    gethostbyname,
    gethostbyname_ex,
    gethostname,
    getnameinfo,
    getprotobyname,
    getservbyname,
    getservbyport,
    has_dualstack_ipv6,
    has_ipv6,
    htonl,
    htons,
    if_indextoname,
    if_nameindex,
    if_nametoindex,
    inet_aton,
    inet_ntoa,
    inet_ntop,
    inet_pton,
    ntohl,
    ntohs,
    recv_fds,
    send_fds,
)
from csock._socket import Socket, fromfd, getdefaulttimeout, setdefaulttimeout, socketpair
from csock._version import __version__

error = OSError
socket = Socket  # so that ``csock.socket(...)`` reads like ``socket.socket(...)``
SocketType = Socket


def to_sockaddr(family: int, address: Any) -> tuple[Any, int]:
    """The C struct for a Python address: (cdata owning it, its length in bytes).

    Pass ``cast("struct sockaddr *", sa)`` and the length to any csock.c call;
    keep ``sa`` referenced until the call returns.
    """
    return _address.to_sockaddr(family, address, "to_sockaddr")


def from_sockaddr(addr: Any, length: int) -> Any:
    """The Python address held by a ``struct sockaddr *`` of ``length`` bytes."""
    return _address.from_sockaddr(addr, length)


globals().update(_constants.constants())
if TYPE_CHECKING:  # the same names, for type checkers (tools/gen_constants_stub.py)
    from csock._constant_names import *  # noqa: F403

__all__ = [
    "__version__", "Socket", "socket", "SocketType", "socketpair", "fromfd", "create_connection",
    "create_server", "getaddrinfo", "getnameinfo", "gethostbyname", "gethostbyname_ex",
    "gethostname", "getservbyname", "getservbyport", "has_dualstack_ipv6", "htonl", "htons",
    "ntohl", "ntohs", "inet_aton", "inet_ntoa", "inet_pton", "inet_ntop", "getdefaulttimeout",
    "setdefaulttimeout", "error", "gaierror", "herror", "timeout", "AddressFamily",
    "SocketKind", "MsgFlag", "AddressInfo", "to_sockaddr", "from_sockaddr",
    "_GLOBAL_DEFAULT_TIMEOUT", "close", "dup", "has_ipv6", "getprotobyname", "if_nameindex",
    "if_nametoindex", "if_indextoname", "gethostbyaddr", "getfqdn", "CMSG_LEN", "CMSG_SPACE",
    "send_fds", "recv_fds",
]
__all__ += sorted(_constants.constants())
