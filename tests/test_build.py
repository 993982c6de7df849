"""The build's own checks (build_ffi.py): Linux only, and a pre-flight that
names what is missing (a C compiler, Python's headers) and its package."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
BUILD_FFI = ROOT / "build_ffi.py"


def _load_build_ffi() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_csock_build_ffi_test", BUILD_FFI)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_preflight_passes_here() -> None:
    assert _load_build_ffi().preflight() is None


def test_preflight_names_the_missing_compiler() -> None:
    message = _load_build_ffi().preflight(cc=["/nonexistent/bin/cc"])
    assert message is not None
    assert "C compiler" in message and "build-essential" in message
    assert "/nonexistent/bin/cc" in message


def test_preflight_names_the_missing_python_headers(tmp_path: Path) -> None:
    message = _load_build_ffi().preflight(include_dir=str(tmp_path))
    assert message is not None
    assert "Python.h" in message and "python3-dev" in message


def test_build_with_bogus_cc_ends_with_one_clear_line() -> None:
    env = dict(os.environ, CC="/nonexistent/bin/cc")
    env.pop("CSOCK_SKIP_PREFLIGHT", None)
    proc = subprocess.run([sys.executable, str(BUILD_FFI), "--check"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert "build-essential" in last and "Traceback" not in proc.stderr


def test_build_elsewhere_than_linux_fails_with_the_sentence() -> None:
    code = ("import runpy, sys; sys.platform = 'darwin'; "
            f"runpy.run_path({str(BUILD_FFI)!r})")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == _load_build_ffi().LINUX_ONLY


def test_one_version_everywhere(tmp_path: Path) -> None:
    import importlib.metadata

    import csock

    proc = subprocess.run([sys.executable, "-m", "csock", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"csock {csock.__version__}"
    assert importlib.metadata.version("csock") == csock.__version__


def test_extension_needs_no_glibc_newer_than_2_28() -> None:
    """The wheel is tagged manylinux_2_28 (.ci/run's auditwheel): the extension
    may reference no glibc symbol version past 2.28. glibc 2.33 made stat()
    and lstat() symbols of their own, which is why csock.c makes the system
    call; a new libc function must not bring such a symbol back."""
    import re
    import shutil

    import csock._csock

    nm = shutil.which("nm")
    if nm is None:
        import pytest

        pytest.skip("nm (binutils) is not installed")
    out = subprocess.run([nm, "-D", "--with-symbol-versions", csock._csock.__file__],
                         capture_output=True, text=True, check=True).stdout
    too_new = sorted({m.group(0) for m in re.finditer(r"\S+@GLIBC_2\.(\d+)(\.\d+)?", out)
                      if int(m.group(1)) > 28})
    assert too_new == []


def test_optional_constants_absent_from_the_headers_get_no_value(tmp_path: Path) -> None:
    # What older headers give (build_ffi.py, OPTIONAL): a name they lack is
    # reported absent, with no value made up; one they have, with its value.
    build_ffi = _load_build_ffi()
    module = ModuleType("fake_cdefs")
    module.OPTIONAL = "AF_INET CSOCK_TEST_NO_SUCH_CONSTANT"  # type: ignore[attr-defined]
    cdef, source = build_ffi._optional_declarations(module)
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(cdef)
    ffi.set_source("_csock_optional_test", "#include <sys/socket.h>\n" + source)
    lib_path = ffi.compile(tmpdir=str(tmp_path))
    spec = importlib.util.spec_from_file_location("_csock_optional_test", lib_path)
    assert spec is not None and spec.loader is not None
    compiled = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compiled)
    import socket

    assert compiled.lib.CSOCKRT_HAS_AF_INET == 1
    assert compiled.lib.CSOCKRT_VAL_AF_INET == socket.AF_INET
    assert compiled.lib.CSOCKRT_HAS_CSOCK_TEST_NO_SUCH_CONSTANT == 0
