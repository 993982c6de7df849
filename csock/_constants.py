"""The socket module's constants, with values from the compiled binding.

Families and socket types are IntEnums (AddressFamily, SocketKind), message
and getaddrinfo flags IntFlags (MsgFlag, AddressInfo), as in ``socket``.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

from csock._csock import lib

_PREFIXES = (
    "AF_", "SOCK_", "SOL_", "SO_", "IPPROTO_", "IP_", "IPV6_", "TCP_", "MSG_", "SHUT_",
    "AI_", "NI_", "EAI_", "INADDR_", "SCM_", "IPPORT_", "ETH_P_", "ETHERTYPE_", "PACKET_",
    "NETLINK_", "CAN_", "J1939_", "TIPC_", "VMADDR_", "VM_SOCKETS_", "IOCTL_VM_SOCKETS_",
    "ALG_",
)
# socket has no PF_ names but these three, and the error numbers it has since
# Windows' WSAE* days.
_EXTRA = ("SOMAXCONN", "INET_ADDRSTRLEN", "INET6_ADDRSTRLEN", "PF_CAN", "PF_PACKET", "PF_RDS",
          "EAGAIN", "EBADF", "EWOULDBLOCK")

# socket's names for <linux/can/bcm.h>'s opcodes and flags, which C calls
# TX_SETUP, SETTIMER...: socket name -> C name (a csock.c name).
RENAMED = {"CAN_BCM_" + name: name for name in (
    "TX_SETUP", "TX_DELETE", "TX_READ", "TX_SEND", "RX_SETUP", "RX_DELETE", "RX_READ",
    "TX_STATUS", "TX_EXPIRED", "RX_STATUS", "RX_TIMEOUT", "RX_CHANGED", "SETTIMER",
    "STARTTIMER", "TX_COUNTEVT", "TX_ANNOUNCE", "TX_CP_CAN_ID", "RX_FILTER_ID",
    "RX_CHECK_DLC", "RX_NO_AUTOTIMER", "RX_ANNOUNCE_RESUME", "TX_RESET_MULTI_IDX",
    "RX_RTR_FRAME", "CAN_FD_FRAME",
)}


# Names socket treats as aliases: they come after the canonical name, so that
# Enum makes them alias members (AddressFamily(1).name == "AF_UNIX", not "AF_LOCAL").
_ALIASES = frozenset({"AF_LOCAL", "AF_ROUTE"})


# csock.c names with those prefixes that socket does not have: a netlink message
# type and protocol, a CAN_BCM flag socket names CAN_BCM_CAN_FD_FRAME (RENAMED),
# and the kernel's TCP states (tcpi_state, netstat's states).
_NOT_SOCKET = frozenset({
    "SOCK_DIAG_BY_FAMILY", "NETLINK_SOCK_DIAG", "CAN_FD_FRAME", "TCP_ESTABLISHED", "TCP_SYN_SENT",
    "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2", "TCP_TIME_WAIT", "TCP_CLOSE",
    "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
})


def optional_constants() -> dict[str, int]:
    """The optional constants (build_ffi.py) this system's headers define: C name -> value.

    The compiled module holds CSOCKRT_HAS_NAME (1 when the headers define
    NAME) and CSOCKRT_VAL_NAME (its value, 0 when they do not) for each;
    a name whose header lacks it is left out, never given a value.
    """
    has, val = "CSOCKRT_HAS_", "CSOCKRT_VAL_"
    return {name[len(has):]: getattr(lib, val + name[len(has):])
            for name in dir(lib) if name.startswith(has) and getattr(lib, name)}


def c_constants() -> dict[str, int]:
    """Every integer constant of the compiled module under its C name (csock.c's)."""
    out = {name: value for name in dir(lib)
           if not name.startswith("CSOCKRT_") and isinstance(value := getattr(lib, name), int)}
    out.update(optional_constants())
    return out


_C_CONSTANTS = c_constants()


def _lib_constants(prefix: str) -> dict[str, int]:
    names = sorted((name for name in _C_CONSTANTS
                    if name.startswith(prefix) and name not in _NOT_SOCKET),
                   key=lambda name: (name in _ALIASES, name))
    return {name: _C_CONSTANTS[name] for name in names}


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
        out[name] = _C_CONSTANTS[name]
    for name, cname in RENAMED.items():
        out[name] = _C_CONSTANTS[cname]
    return out


def absent_optional() -> list[str]:
    """The optional constants (build_ffi.py) this system's headers do not define."""
    has = "CSOCKRT_HAS_"
    return sorted(name[len(has):] for name in dir(lib)
                  if name.startswith(has) and not getattr(lib, name))


def stub_types() -> dict[str, str]:
    """Every constant csock exports on some system, and its type's name.

    What this system exports, plus the optional constants its headers lack
    (another system's may have them): the stub tools/gen_constants_stub.py
    writes is the same wherever it is generated.
    """
    out = {name: type(value).__name__ for name, value in constants().items()}
    for name in absent_optional():
        prefix = next((p for p in _PREFIXES if name.startswith(p)), None)
        if prefix is not None and name not in _NOT_SOCKET:
            enum = _ENUMS.get(prefix)
            out[name] = "int" if enum is None else enum.__name__
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
