"""Compile csock._csock against the system's own headers (cffi API mode).

Run by setuptools through setup.py's ``cffi_modules``; ``python build_ffi.py``
builds the extension in place for a quick check.

The declarations live in csock/_cdefs/, one module per C header. They are
loaded by file path: importing the ``csock`` package here would import the
extension that is being built.

Optional constants: csock builds against glibc 2.28 and Linux 4.18 headers
or newer, and some constants are younger than that (IPPROTO_MPTCP, the J1939
ones...). A module lists them in OPTIONAL (names separated by white space)
instead of declaring ``#define NAME ...``; _load() turns each into two
csock-internal constants the compiler fills in:

    #if defined(NAME)              (or the module's OPTIONAL_IF condition)
    # define CSOCKRT_HAS_NAME 1    the headers define NAME
    # define CSOCKRT_VAL_NAME (NAME)
    #else
    # define CSOCKRT_HAS_NAME 0    they do not: no value is made up
    # define CSOCKRT_VAL_NAME 0
    #endif

csock.c and csock then export NAME, with the compiler's value, only where
CSOCKRT_HAS_NAME is 1 (csock._constants.optional_constants). OPTIONAL_IF is
for names that are enum members rather than macros (``#ifdef`` cannot see
them): a condition on a macro the module's INCLUDES defines, e.g. when
``__has_include`` found the header.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from types import ModuleType

from cffi import FFI

LINUX_ONLY = ("csock is Linux-only: it binds Linux's socket API (accept4, MSG_NOSIGNAL, "
              "Linux's sendfile), so it can be built and used on Linux only.")

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
    "netinet_udp",
    "arpa_inet",
    "netdb",
    "sys_un",
    "net_ethernet",
    "netpacket_packet",
    "linux_can",
    "linux_can_j1939",
    "linux_tipc",
    "linux_vm_sockets",
    "linux_if_alg",
    "linux_netlink",
    "linux_sock_diag",
    "net_if",
    "unistd",
    "fcntl_h",
    "poll_h",
    "sys_epoll",
    "sys_time",
    "sys_select",
    "sys_sendfile",
    "string_h",
    "stdio_h",
    "errno_h",
    "stdlib_h",
    "ctype_h",
    "sys_stat",
    "sys_wait",
    "signal_h",
    "locale_h",
    # csock's own C for the Pythonic layer (descriptor lifetime, timeouts);
    # not exported by csock.c.
    "csock_runtime",
    "csock_hot",
]


# Prefixes of the two constants made for each optional NAME (see the docstring).
OPTIONAL_HAS = "CSOCKRT_HAS_"
OPTIONAL_VAL = "CSOCKRT_VAL_"


def optional_names(module: ModuleType) -> list[str]:
    """The names a declarations module lists as optional (OPTIONAL)."""
    return str(getattr(module, "OPTIONAL", "")).split()


def _optional_declarations(module: ModuleType) -> tuple[str, str]:
    """The cdef lines and the C that give each optional name its two constants."""
    cdef, source = [], []
    condition = getattr(module, "OPTIONAL_IF", None)
    for name in optional_names(module):
        cdef += [f"#define {OPTIONAL_HAS}{name} ...", f"#define {OPTIONAL_VAL}{name} ..."]
        source += [
            f"#if {condition or f'defined({name})'}",
            f"# define {OPTIONAL_HAS}{name} 1",
            f"# define {OPTIONAL_VAL}{name} ({name})",
            "#else",
            f"# define {OPTIONAL_HAS}{name} 0",
            f"# define {OPTIONAL_VAL}{name} 0",
            "#endif",
        ]
    return "\n".join(cdef), "\n".join(source)


def _load(name: str) -> ModuleType:
    path = os.path.join(CDEFS_DIR, name + ".py")
    spec = importlib.util.spec_from_file_location("_csock_cdefs_" + name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cdef, source = _optional_declarations(module)
    if cdef:
        module.TYPES += "\n/* OPTIONAL (build_ffi.py) */\n" + cdef + "\n"
        module.CUSTOMIZATIONS += "\n/* OPTIONAL (build_ffi.py) */\n" + source + "\n"
    return module


def _compiler() -> list[str]:
    """The compiler command setuptools will use: $CC, else Python's own."""
    return shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")


def preflight(cc: list[str] | None = None, include_dir: str | None = None) -> str | None:
    """None when a C compiler and Python's headers are there; otherwise one
    message naming what is missing and the package that provides it."""
    cc = _compiler() if cc is None else cc
    include_dir = sysconfig.get_paths()["include"] if include_dir is None else include_dir
    try:
        version = subprocess.run([*cc, "--version"], capture_output=True, timeout=60)
        works = version.returncode == 0
    except (OSError, subprocess.SubprocessError):
        works = False
    if not works:
        return (f"csock needs a C compiler to build, and {shlex.join(cc)!r} does not run: "
                "install one (Debian/Ubuntu: apt-get install build-essential; "
                "Fedora: dnf install gcc), or set CC to a working compiler.")
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "check.c")
        with open(source, "w") as f:
            f.write("#include <Python.h>\n#include <sys/socket.h>\nint main(void) { return 0; }\n")
        try:
            result = subprocess.run([*cc, "-I", include_dir, "-c", source, "-o",
                                     os.path.join(tmp, "check.o")],
                                    capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"csock's build check could not run the C compiler: {exc}"
    if result.returncode == 0:
        return None
    if not os.path.exists(os.path.join(include_dir, "Python.h")):
        return (f"csock needs Python's C headers to build, and Python.h is not in "
                f"{include_dir}: install them (Debian/Ubuntu: apt-get install python3-dev; "
                "Fedora: dnf install python3-devel).")
    return ("csock's build check failed to compile a file that includes <Python.h> and "
            "<sys/socket.h> (install build-essential and python3-dev on Debian/Ubuntu); "
            "the compiler said:\n" + result.stderr.strip())


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
    # The limited API of 3.11, csock's oldest CPython (cffi's own default is
    # 3.2's): csock_hot's vectorcall functions and buffer protocol need it.
    ffi.set_source("csock._csock", source, extra_compile_args=extra, extra_link_args=link,
                   define_macros=[("Py_LIMITED_API", "0x030B0000")])
    return ffi


if not sys.platform.startswith("linux"):
    raise SystemExit(LINUX_ONLY)
# When setuptools builds the extension: stop with one clear line rather than
# gcc's raw error (CSOCK_SKIP_PREFLIGHT=1 skips the check).
if os.environ.get("CSOCK_SKIP_PREFLIGHT") != "1" and (
        __name__ != "__main__" or "--check" in sys.argv):
    _problem = preflight()
    if _problem is not None:
        raise SystemExit(_problem)
    if "--check" in sys.argv:
        print("csock's build check: a C compiler and Python's headers are there.")
        raise SystemExit(0)

ffibuilder = build_ffi()

if __name__ == "__main__":
    ffibuilder.compile(tmpdir=HERE, verbose=True)
