"""Address tuples <-> C sockaddr structs, per family, as CPython converts them.

``to_sockaddr`` checks the Python value first (types, port range, path
length) and raises what ``socket`` raises; only then is a struct filled.
The returned cdata owns its memory: keep it referenced for the whole C call.
"""

from __future__ import annotations

import os
from typing import Any

from csock import _validate
from csock._csock import ffi, lib
from csock._errors import gai_error

_SUN_PATH_OFFSET = ffi.offsetof("struct sockaddr_un", "sun_path")
_SUN_PATH_SIZE = ffi.sizeof(ffi.typeof("struct sockaddr_un").fields[1][1].type)
_STORAGE_SIZE = ffi.sizeof("struct sockaddr_storage")
_INET_SIZE = ffi.sizeof("struct sockaddr_in")
_INET6_SIZE = ffi.sizeof("struct sockaddr_in6")


def new_storage() -> tuple[Any, Any]:
    """A zeroed sockaddr_storage and a socklen_t* holding its size (for accept, recvfrom...)."""
    storage = ffi.new("struct sockaddr_storage *")
    length = ffi.new("socklen_t *", _STORAGE_SIZE)
    return storage, length


def _host_bytes(host: object) -> bytes:
    """As CPython's idna_converter: ASCII text as is, other text through IDNA."""
    if isinstance(host, str):
        if host.isascii():
            encoded = host.encode("ascii")
        else:
            try:
                encoded = host.encode("idna")
            except UnicodeError:
                raise TypeError("encoding of hostname failed") from None
    elif isinstance(host, (bytes, bytearray)):
        encoded = bytes(host)
    else:
        raise TypeError(f"str, bytes or bytearray expected, not {_validate.type_name(host)}")
    if b"\0" in encoded:
        raise TypeError("host name must not contain null character")
    return encoded


def _port(port: object, caller: str) -> int:
    """The port as C int conversion gives it; the 0-65535 check comes after resolving."""
    value = _validate.integer(port, "port")
    if not -0x80000000 <= value <= 0x7FFFFFFF:
        raise OverflowError(f"{caller}(): port must be 0-65535.")
    return value


def _check_port(port: int, caller: str) -> None:
    if not 0 <= port <= 0xFFFF:
        raise OverflowError(f"{caller}(): port must be 0-65535.")


def _unsigned_mask(value: object, name: str) -> int:
    """An unsigned int argument as CPython's "I" format takes it: masked to 32 bits."""
    return _validate.integer(value, name) & 0xFFFFFFFF


def _resolve(host: bytes, family: int, out: Any) -> None:
    """Fill ``out`` (an in_addr or in6_addr) from a host name, numeric first.

    Names go through getaddrinfo (thread-safe), never gethostbyname.
    """
    if family == lib.AF_INET:
        if host == b"":
            out.s_addr = lib.htonl(lib.INADDR_ANY)
            return
        if host == b"<broadcast>":
            out.s_addr = lib.htonl(lib.INADDR_BROADCAST)
            return
    elif host == b"":
        # in6addr_any: the struct is already zeroed.
        return
    elif host in (b"<broadcast>", b"255.255.255.255"):
        # As CPython's setipaddr: both name the IPv4 broadcast address.
        raise OSError("address family mismatched")
    if lib.inet_pton(family, host, out) == 1:
        return
    hints = ffi.new("struct addrinfo *")
    hints.ai_family = family
    result = ffi.new("struct addrinfo **")
    code = lib.getaddrinfo(host, ffi.NULL, hints, result)
    if code != 0:
        raise gai_error(code)
    try:
        ai = result[0]
        if family == lib.AF_INET:
            out.s_addr = ffi.cast("struct sockaddr_in *", ai.ai_addr).sin_addr.s_addr
        else:
            # As CPython's setipaddr: only the address; the tuple gives port,
            # flowinfo and scope id (a "%scope" in the host is not kept).
            sin6 = ffi.cast("struct sockaddr_in6 *", ai.ai_addr)
            ffi.memmove(out, ffi.addressof(sin6, "sin6_addr"), ffi.sizeof("struct in6_addr"))
    finally:
        lib.freeaddrinfo(result[0])


def to_sockaddr(family: int, address: object, caller: str) -> tuple[Any, int]:
    """(owning cdata for a ``struct sockaddr *`` argument, its length)."""
    if family == lib.AF_INET:
        return _inet_sockaddr(address, caller)
    if family == lib.AF_INET6:
        return _inet6_sockaddr(address, caller)
    if family == lib.AF_UNIX:
        return _unix_sockaddr(address)
    raise OSError(f"{caller}(): bad family")


def _inet_sockaddr(address: object, caller: str) -> tuple[Any, int]:
    # CPython's order: every item's type first, then resolution, then the ranges.
    if not isinstance(address, tuple):
        raise TypeError(f"{caller}(): AF_INET address must be tuple, not "
                        f"{_validate.type_name(address)}")
    if len(address) != 2:
        raise TypeError("AF_INET address must be a pair (host, port)")
    host = _host_bytes(address[0])
    port = _port(address[1], caller)
    sa = ffi.new("struct sockaddr_in *")
    sa.sin_family = lib.AF_INET
    _resolve(host, lib.AF_INET, ffi.addressof(sa, "sin_addr"))
    _check_port(port, caller)
    sa.sin_port = lib.htons(port)
    return sa, _INET_SIZE


def _inet6_sockaddr(address: object, caller: str) -> tuple[Any, int]:
    if not isinstance(address, tuple):
        raise TypeError(f"{caller}(): AF_INET6 address must be tuple, not "
                        f"{_validate.type_name(address)}")
    if not 2 <= len(address) <= 4:
        raise TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])")
    host = _host_bytes(address[0])
    port = _port(address[1], caller)
    flowinfo = _unsigned_mask(address[2], "flowinfo") if len(address) > 2 else 0
    scope_id = _unsigned_mask(address[3], "scope_id") if len(address) > 3 else 0
    sa = ffi.new("struct sockaddr_in6 *")
    sa.sin6_family = lib.AF_INET6
    _resolve(host, lib.AF_INET6, ffi.addressof(sa, "sin6_addr"))
    _check_port(port, caller)
    if flowinfo > 0xFFFFF:
        raise OverflowError(f"{caller}(): flowinfo must be 0-1048575.")
    sa.sin6_port = lib.htons(port)
    sa.sin6_flowinfo = lib.htonl(flowinfo)
    sa.sin6_scope_id = scope_id
    return sa, _INET6_SIZE


def _unix_sockaddr(address: object) -> tuple[Any, int]:
    if isinstance(address, str):
        path = os.fsencode(address)
    else:
        try:
            view = memoryview(address)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(
                f"a bytes-like object is required, not '{_validate.type_name(address)}'"
            ) from None
        with view:
            # As CPython's "y*": a C-contiguous buffer only (a strided view is
            # not copied into a path).
            if not view.c_contiguous:
                raise BufferError("memoryview: underlying buffer is not C-contiguous")
            path = view.tobytes()
    # As CPython: a NUL inside a filesystem path is passed on (the kernel stops there).
    abstract = path[:1] == b"\0"
    # A filesystem path needs room for its terminating NUL; an abstract name does not.
    if len(path) > _SUN_PATH_SIZE or (not abstract and len(path) == _SUN_PATH_SIZE):
        raise OSError("AF_UNIX path too long")
    sa = ffi.new("struct sockaddr_un *")
    sa.sun_family = lib.AF_UNIX
    ffi.memmove(sa.sun_path, path, len(path))
    return sa, _SUN_PATH_OFFSET + len(path)


# Decoded addresses by their raw bytes. A datagram socket hears the same few
# peers again and again, and decoding (inet_ntop, a str) costs several times
# the lookup. Bounded; the values are immutable (tuples of str and int, str,
# bytes), so sharing them is safe; dict get/set are atomic.
_DECODED: dict[bytes, Any] = {}
_DECODED_MAX = 1024
_buffer = ffi.buffer


def _remember(key: bytes, address: Any) -> Any:
    """address, kept in _DECODED under its sockaddr's bytes (the cache emptied
    when full)."""
    if len(_DECODED) >= _DECODED_MAX:
        _DECODED.clear()
    _DECODED[key] = address
    return address


def from_storage(storage: Any, length: int) -> Any:
    """The Python address in a sockaddr_storage the kernel filled with ``length`` bytes.

    The kernel reports an address's full length even when it was cut to fit
    (a long AF_UNIX name): never read past the storage.
    """
    length = min(int(length), _STORAGE_SIZE)
    if length == 0:
        return None
    key = _buffer(storage, length)[:]
    address = _DECODED.get(key)
    if address is None:
        address = _remember(key, from_sockaddr(storage, length))
    return address


def from_filled(raw: Any, sockaddr: Any, length: int) -> Any:
    """from_storage() for a sockaddr the kernel filled with ``length`` bytes,
    ``raw`` being an ffi.buffer over it (its slice is the cache key)."""
    if length > _STORAGE_SIZE:
        length = _STORAGE_SIZE  # cut to fit: never read past the struct
    if not length:
        return None
    key = raw[:length]
    address = _DECODED.get(key)
    if address is None:
        address = _remember(key, from_sockaddr(sockaddr, length))
    return address


def from_raw(raw: bytes) -> Any:
    """The Python address of a sockaddr's bytes as the kernel filled them (at
    most a sockaddr_storage; csock_hot's recvmmsg calls this)."""
    address = _DECODED.get(raw)
    if address is None:
        storage = ffi.new("struct sockaddr_storage *")
        length = min(len(raw), _STORAGE_SIZE)  # never past the storage
        ffi.memmove(storage, raw, length)
        address = _remember(bytes(raw), from_sockaddr(storage, length))
    return address


def from_filled_at(raw: Any, array: Any, index: int, length: int) -> Any:
    """from_filled() for entry ``index`` of a sockaddr_storage array over which
    ``raw`` is an ffi.buffer; ``length`` is already cut to the entry."""
    if not length:
        return None
    offset = index * _STORAGE_SIZE
    key = raw[offset:offset + length]
    address = _DECODED.get(key)
    if address is None:
        address = _remember(key, from_sockaddr(array + index, length))
    return address


# Encoded numeric addresses for sendto()/sendmsg(), by (family, address tuple).
# Only tuples of exact str and int with a numeric host are kept: a host name
# is resolved at each call, as CPython does, and no user code (__index__,
# __eq__) can run during a lookup. The cdata are never handed to callers.
_ENCODED: dict[tuple[int, Any], tuple[Any, int]] = {}
_ENCODED_MAX = 256


def cached_sockaddr(family: int, address: object, caller: str) -> tuple[Any, int]:
    """to_sockaddr() for a C call that only reads the struct (sendto, sendmsg)."""
    # type(), not __class__, which a subclass can fake: a kept key must be of
    # exact types, whose __eq__ and __hash__ no caller wrote.
    if family == lib.AF_UNIX and (type(address) is str or type(address) is bytes):
        path_key: tuple[int, Any] = (family, address)
        hit = _ENCODED.get(path_key)
        if hit is None:
            hit = to_sockaddr(family, address, caller)
            if len(_ENCODED) >= _ENCODED_MAX:
                _ENCODED.clear()
            _ENCODED[path_key] = hit
        return hit
    if type(address) is not tuple or not address or type(address[0]) is not str:
        return to_sockaddr(family, address, caller)
    for item in address[1:]:
        if type(item) is not int:
            return to_sockaddr(family, address, caller)
    key = (family, address)
    hit = _ENCODED.get(key)
    if hit is not None:
        return hit
    result = to_sockaddr(family, address, caller)
    if _is_numeric(family, address[0]):
        if len(_ENCODED) >= _ENCODED_MAX:
            _ENCODED.clear()
        _ENCODED[key] = result
    return result


def is_constant(family: int, address: object) -> bool:
    """Whether ``address`` encodes the same way forever: an immutable value of
    exact types (no user code in it), with a numeric host or an AF_UNIX path."""
    if family == lib.AF_UNIX:
        return type(address) is str or type(address) is bytes
    if type(address) is not tuple or not address or type(address[0]) is not str:
        return False
    for item in address[1:]:
        if type(item) is not int:
            return False
    return (family, address) in _ENCODED  # cached_sockaddr keeps numeric hosts only


def _is_numeric(family: int, host: str) -> bool:
    if not host.isascii() or family not in (lib.AF_INET, lib.AF_INET6):
        return False
    scratch = ffi.new("char[16]")
    return bool(lib.inet_pton(family, host.encode("ascii"), scratch) == 1)


def from_sockaddr(addr: Any, length: int) -> Any:
    """The Python address for a filled ``struct sockaddr *`` of ``length`` bytes.

    None when the kernel returned no address (length 0), as CPython does.
    """
    if length == 0:
        return None
    family = ffi.cast("struct sockaddr *", addr).sa_family
    if family == lib.AF_INET:
        sin = ffi.cast("struct sockaddr_in *", addr)
        return (_ntop(lib.AF_INET, ffi.addressof(sin, "sin_addr")), lib.ntohs(sin.sin_port))
    if family == lib.AF_INET6:
        sin6 = ffi.cast("struct sockaddr_in6 *", addr)
        return (
            _ntop(lib.AF_INET6, ffi.addressof(sin6, "sin6_addr")),
            lib.ntohs(sin6.sin6_port),
            lib.ntohl(sin6.sin6_flowinfo),
            sin6.sin6_scope_id,
        )
    if family == lib.AF_UNIX:
        sun = ffi.cast("struct sockaddr_un *", addr)
        size = min(length - _SUN_PATH_OFFSET, _SUN_PATH_SIZE)
        if size <= 0:
            return ""
        raw = ffi.unpack(sun.sun_path, size)
        if raw[:1] == b"\0":
            return raw  # Linux abstract name: bytes, as CPython returns it
        return os.fsdecode(raw.split(b"\0", 1)[0])
    data = ffi.unpack(ffi.cast("char *", addr), length)
    return (family, data[2:])


def _ntop(family: int, src: Any) -> str:
    buf = ffi.new("char[]", lib.INET6_ADDRSTRLEN)
    if lib.inet_ntop(family, src, buf, lib.INET6_ADDRSTRLEN) == ffi.NULL:
        raise OSError(ffi.errno, os.strerror(ffi.errno))
    return str(ffi.string(buf).decode("ascii"))
