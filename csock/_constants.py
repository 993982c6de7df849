"""The socket module's constants, with values from the compiled binding.

Families and socket types are IntEnums (AddressFamily, SocketKind), message
and getaddrinfo flags IntFlags (MsgFlag, AddressInfo), as in ``socket``.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

from csock._csock import lib

_PREFIXES = (
    "AF_", "SOCK_", "SOL_", "SO_", "IPPROTO_", "IP_", "IPV6_", "TCP_", "MSG_", "SHUT_",
    "AI_", "NI_", "EAI_", "INADDR_", "SCM_",
)
_EXTRA = ("SOMAXCONN", "INET_ADDRSTRLEN", "INET6_ADDRSTRLEN")


# Names socket treats as aliases: they come after the canonical name, so that
# Enum makes them alias members (AddressFamily(1).name == "AF_UNIX", not "AF_LOCAL").
_ALIASES = frozenset({"AF_LOCAL"})


# csock.c names with those prefixes that socket does not have: a netlink message
# type, and the kernel's TCP states (tcpi_state, netstat's states).
_NOT_SOCKET = frozenset({
    "SOCK_DIAG_BY_FAMILY", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV",
    "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT",
    "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
})


def _lib_constants(prefix: str) -> dict[str, int]:
    names = sorted((name for name in dir(lib)
                    if name.startswith(prefix) and name not in _NOT_SOCKET),
                   key=lambda name: name in _ALIASES)
    return {name: getattr(lib, name) for name in names if isinstance(getattr(lib, name), int)}


AddressFamily = IntEnum("AddressFamily", _lib_constants("AF_"), module=__name__)  # type: ignore[misc]
SocketKind = IntEnum("SocketKind", _lib_constants("SOCK_"), module=__name__)  # type: ignore[misc]
MsgFlag = IntFlag("MsgFlag", _lib_constants("MSG_"), module=__name__)  # type: ignore[misc]
AddressInfo = IntFlag("AddressInfo", _lib_constants("AI_"), module=__name__)  # type: ignore[misc]

_ENUMS: dict[str, type[IntEnum] | type[IntFlag]] = {
    "AF_": AddressFamily,
    "SOCK_": SocketKind,
    "MSG_": MsgFlag,
    "AI_": AddressInfo,
}


def constants() -> dict[str, int]:
    """Every constant the Pythonic layer exports (enum members where socket has enums)."""
    out: dict[str, int] = {}
    for prefix in _PREFIXES:
        for name, value in _lib_constants(prefix).items():
            enum = _ENUMS.get(prefix)
            out[name] = enum[name] if enum is not None else value
    for name in _EXTRA:
        out[name] = getattr(lib, name)
    return out


def to_family(value: int) -> int:
    """AddressFamily member for ``value`` when it has one, else the int."""
    try:
        return AddressFamily(value)
    except ValueError:
        return value


def to_kind(value: int) -> int:
    """SocketKind member for ``value`` when it has one, else the int."""
    try:
        return SocketKind(value)
    except ValueError:
        return value
