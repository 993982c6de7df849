"""Compile csock._csock against the system's own headers (cffi API mode).

Run by setuptools through setup.py's ``cffi_modules``; ``python build_ffi.py``
builds the extension in place for a quick check.

The declarations live in csock/_cdefs/, one module per C header. They are
loaded by file path: importing the ``csock`` package here would import the
extension that is being built.
"""

from __future__ import annotations

import importlib.util
import os
from types import ModuleType

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
CDEFS_DIR = os.path.join(HERE, "csock", "_cdefs")

# Order matters only for INCLUDES (sys/types before the rest); every TYPES
# block is emitted before any FUNCTIONS block, so cross-references are free.
MODULES = [
    "sys_types",
    "sys_socket",
    "sys_uio",
    "netinet_in",
    "netinet_tcp",
    "arpa_inet",
    "netdb",
    "sys_un",
    "net_if",
    "unistd",
    "fcntl_h",
    "poll_h",
    "sys_time",
    "sys_select",
    "sys_sendfile",
    "string_h",
    "stdio_h",
    "errno_h",
    # csock's own C for the Pythonic layer (descriptor lifetime, timeouts);
    # not exported by csock.c.
    "csock_runtime",
]


def _load(name: str) -> ModuleType:
    path = os.path.join(CDEFS_DIR, name + ".py")
    spec = importlib.util.spec_from_file_location("_csock_cdefs_" + name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_ffi() -> FFI:
    modules = [_load(name) for name in MODULES]
    ffi = FFI()
    ffi.cdef("\n".join(m.TYPES for m in modules))
    ffi.cdef("\n".join(m.FUNCTIONS for m in modules))
    source = "\n".join(
        # _GNU_SOURCE: accept4, MSG_MORE, EAI_ADDRFAMILY and friends.
        ["#define _GNU_SOURCE 1"]
        + [m.INCLUDES for m in modules]
        + [m.CUSTOMIZATIONS for m in modules]
    )
    # CSOCK_CFLAGS/CSOCK_LDFLAGS: extra compiler and linker flags, e.g. for a
    # sanitizer build (tools/asan_run.sh): the runtime must be linked in too.
    extra = os.environ.get("CSOCK_CFLAGS", "").split()
    link = os.environ.get("CSOCK_LDFLAGS", "").split()
    ffi.set_source("csock._csock", source, extra_compile_args=extra, extra_link_args=link)
    return ffi


ffibuilder = build_ffi()

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=HERE, verbose=True)
