"""C failures become Python exceptions here, and nowhere else.

Like CPython's socketmodule.c: ``OSError(errno, strerror)`` (Python picks the
subclass: ConnectionRefusedError, BrokenPipeError, ...), ``gaierror`` for
getaddrinfo/getnameinfo codes. The exception classes are the standard
library's own, so ``except socket.gaierror`` in ported code keeps working.
"""

from __future__ import annotations

import errno as _errno
import os
import socket as _stdlib_socket

from csock._csock import ffi, lib

gaierror = _stdlib_socket.gaierror
herror = _stdlib_socket.herror
timeout = _stdlib_socket.timeout  # an alias of TimeoutError since Python 3.10


def os_error(err: int) -> OSError:
    """The OSError subclass Python raises for errno ``err``."""
    return OSError(err, os.strerror(err))


def last_os_error() -> OSError:
    """The OSError for this thread's errno, as the last C call left it."""
    return os_error(ffi.errno)


def check(result: int) -> int:
    """Return a C result that is not -1; raise the errno's OSError for -1.

    Read errno before any other C call can overwrite it.
    """
    if result == -1:
        raise os_error(ffi.errno)
    return result


def gai_error(code: int) -> OSError:
    """The exception for a getaddrinfo/getnameinfo return code."""
    if code == lib.EAI_SYSTEM:
        return os_error(ffi.errno)
    return gaierror(code, ffi.string(lib.gai_strerror(code)).decode())


def closed_error() -> OSError:
    """What an operation on a closed socket raises (EBADF, as CPython does)."""
    return os_error(_errno.EBADF)


def timed_out() -> TimeoutError:
    return TimeoutError("timed out")
