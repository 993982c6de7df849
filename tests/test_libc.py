"""csock.c's libc: assignable errno, files and processes, strings and numbers,
C's heap, and stdio with the printf family, against the kernel, Python's own
reading of the same things, and compiled C (one compilation per program).
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import stat as py_stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from test_trace import cc, strace  # noqa: F401  (fixtures)

import csock.c as c
from csock import _libc
from csock._csock import ffi, lib

TIMEOUT = 30


def run_py(code: str, tmp_path: Path, env: dict[str, str] | None = None,
           rc: int = 0) -> subprocess.CompletedProcess[bytes]:
    script = tmp_path / "port.py"
    script.write_text(textwrap.dedent(code))
    result = subprocess.run([sys.executable, str(script)], capture_output=True,
                            timeout=TIMEOUT, cwd=tmp_path,
                            env=env if env is not None else _plain_env())
    assert result.returncode == rc, result.stderr.decode(errors="replace")
    return result


def _plain_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CSOCK_TRACE", None)
    env.pop("PYTHONUNBUFFERED", None)  # sys.stdout block-buffered on a pipe, as usual
    return env


# --------------------------------------------------------------------------
# errno and h_errno


def test_errno_assignment_sets_the_threads_c_errno() -> None:
    c.errno = lib.EINVAL
    assert ffi.errno == lib.EINVAL
    assert c.errno == lib.EINVAL
    assert c.string(c.strerror(c.errno)) == b"Invalid argument"
    assert "errno" not in vars(c)  # no module attribute hiding the live value
    c.errno = 0
    assert c.close(-1) == -1
    assert c.errno == lib.EBADF  # still live after a failing call


def test_errno_assignment_is_seen_by_perror(tmp_path: Path) -> None:
    result = run_py("""
        import csock.c as c
        from csock.c import *
        c.errno = EADDRINUSE
        saved = c.errno                 # errno = EADDRINUSE; saved = errno;
        perror(b"bind")
        close(-1)
        c.errno = saved
        perror(b"again")
    """, tmp_path)
    assert result.stderr == b"bind: Address already in use\nagain: Address already in use\n"


def test_errno_assignment_leaves_other_threads_alone() -> None:
    seen: list[int] = []

    def other() -> None:
        c.errno = lib.EPERM
        seen.append(c.errno)

    c.errno = lib.ENOENT
    thread = threading.Thread(target=other)
    thread.start()
    thread.join(5)
    assert seen == [lib.EPERM]
    assert c.errno == lib.ENOENT


def test_errno_assignment_checks_the_value() -> None:
    with pytest.raises(TypeError, match="C int"):
        c.errno = "EINVAL"  # type: ignore[assignment]
    with pytest.raises(OverflowError):
        c.errno = 2**40


def test_h_errno_assignment(tmp_path: Path) -> None:
    c.h_errno = lib.TRY_AGAIN
    assert c.h_errno == lib.TRY_AGAIN
    assert lib.csock_h_errno() == lib.TRY_AGAIN
    assert "h_errno" not in vars(c)
    c.h_errno = 0
    result = run_py("""
        import csock.c as c
        from csock.c import *
        c.h_errno = HOST_NOT_FOUND
        herror(b"gethostbyname")
    """, tmp_path)
    assert result.stderr == b"gethostbyname: Unknown host\n"


def test_star_import_still_leaves_errno_out() -> None:
    ns: dict[str, Any] = {}
    exec("from csock.c import *", ns)  # noqa: S102
    assert "errno" not in ns and "h_errno" not in ns
    assert ns["printf"] is c.printf and ns["stdout"] == lib.stdout


# --------------------------------------------------------------------------
# Files and processes, against the kernel as Python's os reads it


def test_stat_lstat_unlink_remove(tmp_path: Path) -> None:
    f = tmp_path / "f.txt"
    f.write_bytes(b"12345")
    link = tmp_path / "l"
    link.symlink_to(f)
    st = c.new("struct stat *")
    for func, pyfunc, path in ((c.stat, os.stat, link), (c.lstat, os.lstat, link),
                               (c.stat, os.stat, tmp_path)):
        assert func(os.fsencode(path), st) == 0
        ref = pyfunc(path)
        assert (st.st_mode, st.st_size, st.st_ino, st.st_dev, st.st_uid, st.st_gid) == (
            ref.st_mode, ref.st_size, ref.st_ino, ref.st_dev, ref.st_uid, ref.st_gid)
        assert st.st_mtim.tv_sec == int(ref.st_mtime)
        for macro, check in ((c.S_ISREG, py_stat.S_ISREG), (c.S_ISDIR, py_stat.S_ISDIR),
                             (c.S_ISLNK, py_stat.S_ISLNK), (c.S_ISSOCK, py_stat.S_ISSOCK)):
            assert bool(macro(st.st_mode)) == check(ref.st_mode)
    assert c.stat(os.fsencode(tmp_path / "nope"), st) == -1 and c.errno == lib.ENOENT
    assert c.unlink(os.fsencode(link)) == 0 and not link.exists() and f.exists()
    assert c.unlink(os.fsencode(link)) == -1 and c.errno == lib.ENOENT
    d = tmp_path / "d"
    d.mkdir()
    assert c.unlink(os.fsencode(d)) == -1 and c.errno == lib.EISDIR
    assert c.remove(os.fsencode(d)) == 0 and not d.exists()  # rmdir for a directory
    assert c.remove(os.fsencode(f)) == 0 and not f.exists()
    assert c.remove(os.fsencode(f)) == -1 and c.errno == lib.ENOENT


def test_realpath_getenv_getppid_alarm_sleep(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sub").mkdir()
    odd = os.fsencode(tmp_path / "sub" / ".." / "sub")
    buf = c.new("char[]", c.PATH_MAX)
    assert c.realpath(odd, buf) == buf
    assert c.string(buf) == os.fsencode(os.path.realpath(tmp_path / "sub"))
    owned = c.realpath(odd, c.NULL)  # malloc'd by C: the port frees it
    assert c.string(owned) == c.string(buf)
    c.free(owned)
    assert c.realpath(os.fsencode(tmp_path / "nope"), buf) == c.NULL
    assert c.errno == lib.ENOENT
    monkeypatch.setenv("CSOCK_LIBC_TEST", "valor")
    assert c.string(c.getenv(b"CSOCK_LIBC_TEST")) == b"valor"
    monkeypatch.delenv("CSOCK_LIBC_TEST")
    assert c.getenv(b"CSOCK_LIBC_TEST") == c.NULL
    assert c.getppid() == os.getppid()
    assert c.sleep(0) == 0 and c.usleep(1000) == 0
    # alarm() in a process of its own: pytest-timeout may own this one's.
    run_py("""
        import signal as py_signal       # after the star import, signal is C's
        from csock.c import *
        py_signal.signal(py_signal.SIGALRM, py_signal.SIG_IGN)
        assert alarm(100) == 0
        assert alarm(0) in (99, 100)      # the previous alarm's seconds left
        assert alarm(0) == 0
    """, tmp_path)


def test_wait_macros_match_pythons() -> None:
    for status in [*range(0, 0x10000, 37), 0x7F, 0x137F, 0xFFFF, 0x8B, 0x0300]:
        assert bool(c.WIFEXITED(status)) == os.WIFEXITED(status), status
        assert bool(c.WIFSIGNALED(status)) == os.WIFSIGNALED(status), status
        assert bool(c.WIFSTOPPED(status)) == os.WIFSTOPPED(status), status
        assert bool(c.WCOREDUMP(status)) == os.WCOREDUMP(status), status
        if os.WIFEXITED(status):
            assert c.WEXITSTATUS(status) == os.WEXITSTATUS(status)
        if os.WIFSIGNALED(status):
            assert c.WTERMSIG(status) == os.WTERMSIG(status)
        if os.WIFSTOPPED(status):
            assert c.WSTOPSIG(status) == os.WSTOPSIG(status)


def test_fork_runs_pythons_hooks_and_waitpid_reaps(tmp_path: Path) -> None:
    result = run_py("""
        import os, sys
        import signal as py_signal       # after the star import, signal is C's
        import csock.c as c
        from csock.c import *
        os.register_at_fork(before=lambda: print("before", flush=True),
                            after_in_parent=lambda: print("parent", flush=True),
                            after_in_child=lambda: print("child", flush=True))
        status = new("int *")
        pid = fork()
        if pid == 0:
            _exit(7)
        assert waitpid(pid, status, 0) == pid
        assert WIFEXITED(status[0]) and WEXITSTATUS(status[0]) == 7
        pid = fork()
        if pid == 0:
            sleep(30)
            _exit(0)
        assert waitpid(pid, status, WNOHANG) == 0
        os.kill(pid, py_signal.SIGKILL)
        assert waitpid(pid, status, 0) == pid
        assert WIFSIGNALED(status[0]) and WTERMSIG(status[0]) == py_signal.SIGKILL
        assert waitpid(-1, status, WNOHANG) == -1 and c.errno == ECHILD
        print("done", flush=True)
    """, tmp_path)
    words = re.findall(r"before|parent|child|done", result.stdout.decode())
    assert words.count("before") == 2 and words.count("parent") == 2
    # the second child may die before its hook prints: at least the first's
    assert words.count("child") >= 1 and words[-1] == "done"


def test_exit_flushes_c_and_python_streams_and_runs_atexit(tmp_path: Path) -> None:
    result = run_py("""
        import atexit, sys
        from csock.c import *
        atexit.register(lambda: sys.stdout.write("atexit\\n"))
        fp = fopen(b"out.txt", b"w")
        fputs(b"buffered by C", fp)          # no fclose: exit() flushes it
        sys.stdout.write("python ")          # in Python's buffer
        printf(b"C %d\\n", 1)
        sys.stdout.write("tail")
        try:
            exit(3)
        finally:
            print("finally blocks do not run")
    """, tmp_path, rc=3)
    assert result.stdout == b"python C 1\ntailatexit\n"
    assert (tmp_path / "out.txt").read_bytes() == b"buffered by C"


def test__exit_flushes_nothing(tmp_path: Path) -> None:
    result = run_py("""
        import sys
        from csock.c import *
        fp = fopen(b"out.txt", b"w")
        fputs(b"lost", fp)
        sys.stdout.write("lost too")
        _exit(4)
    """, tmp_path, rc=4)
    assert result.stdout == b""
    assert (tmp_path / "out.txt").read_bytes() == b""


def test_fork_failure_is_minus_one_with_errno(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(lib.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert c.fork() == -1 and c.errno == lib.EAGAIN


# --------------------------------------------------------------------------
# Strings, characters and numbers


def test_string_functions() -> None:
    buf = c.new("char[]", 32)
    assert c.strcpy(buf, b"hola") == buf and c.string(buf) == b"hola"
    c.strcat(buf, b", mundo")
    assert c.string(buf) == b"hola, mundo"
    c.strncat(buf, b"!!!!", 2)
    assert c.string(buf) == b"hola, mundo!!"
    small = c.new("char[]", b"xxxxxxxx")
    c.strncpy(small, b"ab", 5)  # pads with NULs to n
    assert bytes(c.buffer(small)) == b"ab\0\0\0xxx\0"
    c.strncpy(small, b"abcdefgh", 3)  # no NUL when src is n bytes or more
    assert bytes(c.buffer(small))[:6] == b"abc\0\0x"
    words = [b"", b"a", b"ab", b"abc", b"b", b"B", b"\xff", b"a\x80"]
    for x in words:
        for y in words:
            sign = (x > y) - (x < y)
            assert (c.strcmp(x, y) > 0) - (c.strcmp(x, y) < 0) == sign, (x, y)
            r = c.strncmp(x, y, 1)
            assert (r > 0) - (r < 0) == (x[:1] > y[:1]) - (x[:1] < y[:1]), (x, y)
    text = c.new("char[]", b"a:b:c")
    assert c.strchr(text, ord(":")) - text == 1
    assert c.strrchr(text, ord(":")) - text == 3
    assert c.strchr(text, ord("z")) == c.NULL
    assert c.strstr(text, b"b:c") - text == 2 and c.strstr(text, b"x") == c.NULL
    assert c.memchr(text, ord("c"), 5) == c.cast("void *", text + 4)
    assert c.memchr(text, ord("c"), 4) == c.NULL
    copy = c.strdup(b"duplicada")
    assert c.string(copy) == b"duplicada"
    c.free(copy)


def test_strtok_r_splits_as_python() -> None:
    line = b"  GET /index.html  HTTP/1.0 \n"
    buf = c.new("char[]", line)
    save = c.new("char **")
    tokens = []
    token = c.strtok_r(buf, b" \n", save)
    while token != c.NULL:
        tokens.append(c.string(token))
        token = c.strtok_r(c.NULL, b" \n", save)
    assert tokens == line.split()


def test_ctype_over_every_char_value() -> None:
    for value in range(-1, 256):
        ch = bytes([value]) if value >= 0 else None
        ascii_ch = bytes([value]) if 0 <= value < 128 else b""
        assert bool(c.isdigit(value)) == ascii_ch.isdigit(), value
        assert bool(c.isalpha(value)) == ascii_ch.isalpha(), value
        assert bool(c.isspace(value)) == (ascii_ch != b"" and ascii_ch.isspace()), value
        assert bool(c.isprint(value)) == (32 <= value < 127), value
        expected_upper = value - 32 if 97 <= value <= 122 else value
        expected_lower = value + 32 if 65 <= value <= 90 else value
        assert c.toupper(value) == expected_upper and c.tolower(value) == expected_lower
        if ch is not None:  # buf[i] of a char[]: the same answers, the same kind back
            assert c.isdigit(ch) == c.isdigit(value)
            assert c.toupper(ch) == bytes([expected_upper & 0xFF])
    buf = c.new("char[]", b"hola")
    for i in range(4):
        buf[i] = c.toupper(buf[i])  # ports as written
    assert c.string(buf) == b"HOLA"
    assert c.isdigit(10**6) == 0 and c.toupper(10**6) == 10**6  # outside glibc's table
    with pytest.raises(TypeError, match="1-byte bytes"):
        c.isdigit(b"12")
    with pytest.raises(TypeError):
        c.toupper("a")  # type: ignore[type-var]


@pytest.mark.parametrize("text,base,value,rest,erange", [
    (b"42", 10, 42, b"", False),
    (b"  -17xyz", 10, -17, b"xyz", False),
    (b"0x1f!", 16, 31, b"!", False),
    (b"0x1f", 0, 31, b"", False),
    (b"017", 0, 15, b"", False),
    (b"zz", 36, 1295, b"", False),
    (b"+5 ", 10, 5, b" ", False),
    (b"", 10, 0, None, False),
    (b"abc", 10, 0, None, False),
    (b"9223372036854775807", 10, 2**63 - 1, b"", False),
    (b"9223372036854775808", 10, 2**63 - 1, b"", True),
    (b"-9223372036854775809", 10, -2**63, b"", True),
])
def test_strtol_strtoul_atoi(text: bytes, base: int, value: int, rest: bytes | None,
                             erange: bool) -> None:
    end = c.new("char **")
    src = c.new("char[]", text)
    c.errno = 0
    assert c.strtol(src, end, base) == value
    assert c.errno == (lib.ERANGE if erange else 0)
    if rest is None:  # no digits: *endptr is nptr
        assert end[0] == c.cast("char *", src)
    else:
        assert c.string(end[0]) == rest
    if base == 10 and not erange:
        assert c.atol(text) == value
        if -2**31 <= value < 2**31:
            assert c.atoi(text) == value
    c.errno = 0
    if value >= 0 and not erange:
        assert c.strtoul(text, c.NULL, base) == value  # NULL endptr, as C allows
    elif value < 0 and not erange:
        assert c.strtoul(text, c.NULL, base) == 2**64 + value  # C negates in unsigned


def test_strtoul_range() -> None:
    c.errno = 0
    assert c.strtoul(b"18446744073709551615", c.NULL, 10) == 2**64 - 1 and c.errno == 0
    assert c.strtoul(b"18446744073709551616", c.NULL, 10) == 2**64 - 1
    assert c.errno == lib.ERANGE


def test_malloc_calloc_realloc_free_work_as_new_pointers() -> None:
    size = c.sizeof("struct sockaddr_in")
    sa = c.cast("struct sockaddr_in *", c.malloc(size))
    assert sa != c.NULL
    c.memset(sa, 0, size)
    sa.sin_family = c.AF_INET
    sa.sin_addr.s_addr = c.htonl(c.INADDR_LOOPBACK)
    fd = c.socket(c.AF_INET, c.SOCK_DGRAM, 0)
    try:
        assert c.bind(fd, c.cast("struct sockaddr *", sa), size) == 0
        out = c.cast("struct sockaddr_in *", c.calloc(1, size))
        assert bytes(c.buffer(out, size)) == bytes(size)  # calloc zeroes
        length = c.new("socklen_t *", size)
        assert c.getsockname(fd, c.cast("struct sockaddr *", out), length) == 0
        assert c.ntohs(out.sin_port) != 0 and out.sin_family == c.AF_INET
        c.free(out)
    finally:
        c.close(fd)
    p = c.cast("char *", c.malloc(4))
    c.memcpy(p, b"abcd", 4)
    p = c.cast("char *", c.realloc(p, 1 << 20))
    assert bytes(c.buffer(p, 4)) == b"abcd"
    c.free(p)
    c.free(c.NULL)
    assert c.malloc(1 << 62) == c.NULL and c.errno == lib.ENOMEM


# --------------------------------------------------------------------------
# stdio


def test_fopen_fgets_fread_fwrite_fclose(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path / "datos.txt")
    fp = c.fopen(path, b"w")
    assert fp != c.NULL
    assert c.fputs(b"primera\n", fp) >= 0
    assert c.fwrite(b"segunda\nresto", 1, 13, fp) == 13
    assert c.fprintf(fp, b"%s=%d\n", b"n", 5) == 4
    assert c.fclose(fp) == 0
    assert (tmp_path / "datos.txt").read_bytes() == b"primera\nsegunda\nreston=5\n"
    fp = c.fopen(path, b"r")
    line = c.new("char[]", 100)
    assert c.fgets(line, 100, fp) == line and c.string(line) == b"primera\n"
    assert c.fgets(line, 4, fp) == line and c.string(line) == b"seg"
    rest = c.new("char[]", 100)
    assert c.fread(rest, 1, 100, fp) == 14  # fewer than asked: end of file
    assert bytes(c.buffer(rest, 14)) == b"unda\nreston=5\n"
    assert c.fgets(line, 100, fp) == c.NULL  # end of file
    assert c.fclose(fp) == 0
    assert c.fopen(os.fsencode(tmp_path / "nope"), b"r") == c.NULL
    assert c.errno == lib.ENOENT
    assert c.setvbuf(c.stderr, c.NULL, c._IONBF, 0) == 0


def test_getline_fgetc_fputc(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path / "lineas.txt")
    fp = c.fopen(path, b"w")
    assert c.fputc(ord("a"), fp) == ord("a") and c.fputc(b"\n", fp) == 10
    assert c.fputs(b"larga" * 40 + b"\nfin", fp) >= 0
    assert c.fclose(fp) == 0
    fp = c.fopen(path, b"r")
    assert c.fgetc(fp) == ord("a")
    lineptr, n = c.new("char **", c.NULL), c.new("size_t *", 0)
    assert c.getline(lineptr, n, fp) == 1 and c.string(lineptr[0]) == b"\n"
    assert c.getline(lineptr, n, fp) == 201 and n[0] >= 202  # getline grew the buffer
    assert c.getline(lineptr, n, fp) == 3 and c.string(lineptr[0]) == b"fin"
    assert c.getline(lineptr, n, fp) == -1 and c.fgetc(fp) == c.EOF
    c.free(lineptr[0])
    assert c.fclose(fp) == 0


def test_getchar_reads_c_stdin(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import csock.c as c
        print(c.getchar(), c.getchar(), c.getchar())
        c.fputc(b"!", c.stdout)
        c.fputc(10, c.stdout)
    """)
    result = subprocess.run([sys.executable, "-c", code], input=b"xy", capture_output=True,
                            timeout=30)
    assert result.stdout == b"120 121 -1\n!\n"


def test_snprintf_sprintf() -> None:
    buf = c.new("char[]", 8)
    assert c.snprintf(buf, 8, b"%d-%s", 12345, b"abcdef") == 12  # would-be length
    assert c.string(buf) == b"12345-a"
    assert c.sprintf(buf, b"%03d", 7) == 3 and c.string(buf) == b"007"
    with pytest.raises(OverflowError, match="char\\[8\\]"):
        c.sprintf(buf, b"%s", b"too long for it")
    heap = c.cast("char *", c.malloc(64))  # a pointer: C's sprintf, unchecked
    assert c.sprintf(heap, b"%s %x", b"hex", 255) == 6 and c.string(heap) == b"hex ff"
    c.free(heap)


@pytest.mark.parametrize("fmt,args,error", [
    (b"%d", ("1",), TypeError),
    (b"%d", (1.5,), TypeError),
    (b"%s", ("texto",), TypeError),
    (b"%s", (5,), TypeError),
    (b"%f", (b"x",), TypeError),
    (b"%p", ("x",), TypeError),
    (b"%d %d", (1,), TypeError),
    (b"%d", (1, 2), TypeError),
    (b"%*d", ("5", 1), TypeError),
    (b"%hhd", (2**40,), OverflowError),
    (b"%u", (-2**40,), OverflowError),
    (b"%n", (0,), ValueError),
    (b"%y", (), ValueError),
    (b"50%", (), ValueError),
    (b"%ls", (b"x",), ValueError),
])
def test_printf_rejects_what_does_not_fit(fmt: bytes, args: tuple[Any, ...],
                                          error: type[Exception]) -> None:
    buf = c.new("char[]", 4)
    buf[0] = b"Z"
    with pytest.raises(error):
        c.snprintf(buf, 4, fmt, *args)
    assert buf[0] == b"Z"  # nothing reached C
    with pytest.raises(TypeError, match="format"):
        c.printf("%d\n", 1)  # type: ignore[arg-type]


# One case: (format, [(C type of the argument, Python value), ...]).
Case = tuple[str, list[tuple[str, Any]]]

_INT_TYPES = {"": ("int", "unsigned int"), "hh": ("int", "unsigned int"),
              "h": ("int", "unsigned int"), "l": ("long", "unsigned long"),
              "ll": ("long long", "unsigned long long"), "z": ("ssize_t", "size_t"),
              "j": ("intmax_t", "uintmax_t"), "t": ("ptrdiff_t", "ptrdiff_t")}
_INTS = [0, 1, -1, 7, 42, -42, 127, 128, -128, 255, 256, 4095, 65535, 65536, -32769,
         2**31 - 1, -2**31, 2**32 - 1, 2**32, 2**53 + 1, 2**63 - 1, -2**63, 2**64 - 1]
_FLOATS = [0.0, -0.0, 1.0, 1.5, -2.5, 3.14159265358979, 0.1, 1e-5, 123456.789, 1e21,
           -1e-300, 6.02214076e23, 2.0**60, 0.5, 9.9999, math.inf, -math.inf, math.nan]
_STRINGS = [b"", b"a", b"hola", b"con espacios", b"longer string here"]


def _fits(ctype: str, v: int) -> bool:
    bits = ffi.sizeof(ctype) * 8
    if ctype.startswith(("unsigned", "size_t", "uintmax")):
        return 0 <= v < 2**bits
    return -(2**(bits - 1)) <= v < 2**(bits - 1)


def printf_cases() -> list[Case]:
    rnd = random.Random(13)
    cases: list[Case] = [
        ("plain text, no conversion\n", []), ("100%% sure", []),
        ("%c%c%c", [("int", 72), ("int", 105), ("int", 33)]),
        ("[%5c|%-3c]", [("int", 120), ("int", 121)]),
        ("%p %p", [("void *", 0), ("void *", 0x1234)]),
        ("%*d|%-*d|%.*f|%*.*e", [("int", 6), ("int", 42), ("int", 5), ("int", 7),
                                  ("int", 2), ("double", 3.14159),
                                  ("int", 12), ("int", 3), ("double", -1234.5)]),
        ("%*d", [("int", -8), ("int", 5)]),  # a negative * width left-justifies
        ("%.*s", [("int", 3), ("char *", b"abcdef")]),
        ("%s and %s", [("char *", b"uno"), ("char *", b"dos")]),
        ("%hhd %hhu %hd %hu", [("int", 300), ("unsigned int", 300), ("int", 70000),
                               ("unsigned int", 70000)]),
        ("%m!", []),
    ]
    for _ in range(420):
        conv = rnd.choice("diouxXeEfFgGaAcs")
        flags = "".join(sorted(set(rnd.choices("-+ #0", k=rnd.randint(0, 3)))))
        width = rnd.choice(["", "", "1", "5", "12"])
        prec = rnd.choice(["", "", ".", ".0", ".3", ".10"])
        if conv in "diouxX":
            length = rnd.choice(list(_INT_TYPES))
            signed, unsigned = _INT_TYPES[length]
            ctype = signed if conv in "di" else unsigned
            value = rnd.choice([v for v in _INTS if _fits(ctype, v)])
            if length in ("hh", "h"):
                ctype = "int" if conv in "di" else "unsigned int"
            arg: tuple[str, Any] = (ctype, value)
        elif conv in "eEfFgGaA":
            length = rnd.choice(["", "", "l", "L"])
            arg = ("long double" if length == "L" else "double", rnd.choice(_FLOATS))
            if conv in "aA" and length == "L":
                length = ""  # %La is exact and long, fine, but keep lines short
                arg = ("double", arg[1])
        elif conv == "c":
            length, prec = "", ""
            flags = flags.replace("0", "").replace("#", "").replace("+", "").replace(" ", "")
            arg = ("int", rnd.randint(33, 126))
        else:
            length = ""
            flags = flags.replace("0", "").replace("#", "").replace("+", "").replace(" ", "")
            arg = ("char *", rnd.choice(_STRINGS))
        cases.append((f"<%{flags}{width}{prec}{length}{conv}>", [arg]))
    return cases


def _c_literal(ctype: str, value: Any) -> str:
    if ctype == "char *":
        return '"' + "".join(f"\\x{b:02x}" for b in value) + '"'
    if ctype in ("double", "long double"):
        if math.isnan(value):
            return f"({ctype})NAN"
        if math.isinf(value):
            return f"({ctype})({'-' if value < 0 else ''}INFINITY)"
        return f"({ctype}){value.hex()}"
    if ctype == "void *":
        return f"(void *){value:#x}UL"
    if value == -2**63:
        return f"({ctype})(-9223372036854775807LL - 1)"
    return f"({ctype}){value}{'ULL' if value >= 2**63 else 'LL'}"


SEP = b"\x1e"


def _c_program(cases: list[Case]) -> str:
    body = []
    for fmt, args in cases:
        literal = fmt.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        parts = [f'"{literal}"'] + [_c_literal(t, v) for t, v in args]
        body.append(f"    errno = EINVAL; printf({', '.join(parts)}); putchar(0x1e);")
    return ("#include <errno.h>\n#include <math.h>\n#include <stdio.h>\n"
            "#include <stddef.h>\n#include <stdint.h>\n#include <sys/types.h>\n"
            "int main(void)\n{\n" + "\n".join(body) + "\n    return 0;\n}\n")


def _py_value(ctype: str, value: Any) -> Any:
    return value.decode("latin-1") if ctype == "char *" else value


@pytest.fixture(scope="module")
def c_printf_output(cc: str, tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:  # noqa: F811
    out = tmp_path_factory.mktemp("printf")
    src = out / "formats.c"
    src.write_text(_c_program(printf_cases()))
    exe = out / "formats"
    subprocess.run([cc, "-O0", "-Wno-format", "-Wno-format-extra-args", "-o", str(exe),
                    str(src), "-lm"], check=True, capture_output=True, timeout=120)
    result = subprocess.run([str(exe)], capture_output=True, timeout=TIMEOUT, check=True)
    return result.stdout.split(SEP)[:-1]


def test_snprintf_equals_compiled_c_printf(c_printf_output: list[bytes]) -> None:
    cases = printf_cases()
    assert len(c_printf_output) == len(cases)
    for (fmt, args), expected in zip(cases, c_printf_output, strict=True):
        c.errno = lib.EINVAL
        got = _libc.format_bytes(fmt.encode(), *(
            v if t != "char *" else v for t, v in args))
        assert got == expected, (fmt, args)


def test_printf_to_a_pipe_equals_compiled_c(c_printf_output: list[bytes],
                                            tmp_path: Path) -> None:
    cases = [(fmt, [[t, _py_value(t, v)] for t, v in args]) for fmt, args in printf_cases()]
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    result = run_py("""
        import json, sys
        with open("cases.json") as f:   # before the star import: open is C's after
            cases = json.load(f)
        import csock.c as c
        from csock.c import *
        for fmt, args in cases:
            values = [v.encode("latin-1") if t == "char *" else v for t, v in args]
            c.errno = EINVAL
            printf(fmt.encode(), *values)
            putchar(b"\\x1e")
    """, tmp_path)
    assert result.stdout.split(SEP)[:-1] == c_printf_output


def test_printf_accepts_cdata_and_char_items() -> None:
    name = c.new("char[]", b"servidor")
    port = c.new("unsigned short *", 10000)
    assert _libc.format_bytes(b"%s:%hu %c%c", name, port[0], name[0], b"!") == (
        b"servidor:10000 s!")
    assert _libc.format_bytes(b"%d", b"A") == b"65"  # a char promoted to int
    assert _libc.format_bytes(b"%s", c.NULL) == b"(null)"
    assert _libc.format_bytes(c.new("char[]", b"%05.1f"), 2.25) == b"002.2"
    assert _libc.format_bytes(b"%lu", c.cast("size_t", 7)) == b"7"


def test_print_and_printf_share_stdout_in_order(tmp_path: Path) -> None:
    result = run_py("""
        import sys
        from csock.c import *
        print("1 print")
        printf(b"2 printf %d\\n", 2)
        sys.stdout.write("3 write, no newline ")
        puts(b"4 puts")
        print("5 print", end=" ")
        putchar(b"6")
        putchar(10)
        fputs(b"7 fputs\\n", stdout)
        fwrite(b"8 fwrite\\n", 1, 9, stdout)
        fprintf(stdout, b"%d fprintf\\n", 9)
        print("10 print")
        sys.stderr.write("e1 ")
        fprintf(stderr, b"e2 %s\\n", b"C")
        sys.stderr.write("e3\\n")
        printf(b"11 last, no newline")
    """, tmp_path)
    assert result.stdout == (b"1 print\n2 printf 2\n3 write, no newline 4 puts\n5 print 6\n"
                             b"7 fputs\n8 fwrite\n9 fprintf\n10 print\n11 last, no newline")
    assert result.stderr == b"e1 e2 C\ne3\n"


# --------------------------------------------------------------------------
# The trace, against strace


LIBC_TRACE_C = r"""
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    struct stat st;
    int status;
    FILE *fp = fopen("f.txt", "w");
    fclose(fp);
    stat("f.txt", &st);
    lstat("f.txt", &st);
    stat("nope", &st);
    stat(".", &st);
    stat("/dev/null", &st);
    unlink("f.txt");
    unlink("f.txt");
    fp = fopen("nope/x", "r");
    fp = fopen("g.txt", "a+");
    fclose(fp);
    remove("g.txt");
    remove("d");
    remove("nope");
    usleep(1000);
    alarm(5);
    alarm(0);
    getppid();
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    waitpid(pid, &status, 0);
    waitpid(-1, &status, WNOHANG);
    waitpid(-1, NULL, 0);
    printf("%s %d\n", "hola", 3);
    fflush(stdout);
    exit(2);
}
"""

LIBC_TRACE_PY = r"""
from csock.c import *

st = new("struct stat *")
status = new("int *")
fp = fopen(b"f.txt", b"w")
fclose(fp)
stat(b"f.txt", st)
lstat(b"f.txt", st)
stat(b"nope", st)
stat(b".", st)
stat(b"/dev/null", st)
unlink(b"f.txt")
unlink(b"f.txt")
fp = fopen(b"nope/x", b"r")
fp = fopen(b"g.txt", b"a+")
fclose(fp)
remove(b"g.txt")
remove(b"d")
remove(b"nope")
usleep(1000)
alarm(5)
alarm(0)
getppid()
pid = fork()
if pid == 0:
    _exit(3)
waitpid(pid, status, 0)
waitpid(-1, status, WNOHANG)
waitpid(-1, NULL, 0)
printf(b"%s %d\n", b"hola", 3)
fflush(stdout)
exit(2)
"""

LIBC_SET = ("newfstatat,unlink,rmdir,clone,wait4,exit_group,alarm,getppid,clock_nanosleep,"
            "openat,close,write")


def _libc_normalise(lines: list[str]) -> list[str]:
    out = []
    started = False
    for raw in lines:
        # strace -f's pid; CSOCK_TRACE's "[pid N]" before a forked child's lines
        text = re.sub(r"^(?:\d+ +|\[pid +\d+\] )", "", raw.rstrip("\n"))
        if text.startswith(("+++", "---")) or "resumed>" in text or not text:
            continue
        if not started:
            if not text.startswith('openat(AT_FDCWD, "f.txt"'):
                continue
            started = True
        if "AT_EMPTY_PATH" in text or text.startswith("write(2,"):
            continue  # glibc's stdio sizing its buffer; the trace's own lines
        text = re.sub(r" +=", " =", text)
        text = re.sub(r"\b0x[0-9a-f]{9,}\b", "ADDR", text)
        text = re.sub(r"^(wait4\()\d+", r"\1PID", text)
        text = re.sub(r"^((?:clone|wait4|getppid)\(.*\) = )\d+$", r"\1PID", text)
        out.append(text)
    return out


def test_libc_trace_matches_strace(strace: str, cc: str, tmp_path: Path) -> None:  # noqa: F811
    import platform

    if platform.machine() != "x86_64":
        pytest.skip("the trace's child_tidptr offset is x86_64 glibc's")
    exe = tmp_path / "libc_probe"
    (tmp_path / "libc_probe.c").write_text(LIBC_TRACE_C)
    subprocess.run([cc, "-O0", "-w", "-o", str(exe), str(tmp_path / "libc_probe.c")],
                   check=True, capture_output=True, timeout=120)
    (tmp_path / "libc_probe.py").write_text(LIBC_TRACE_PY)
    traces = {}
    for lang in ("c", "py"):
        work = tmp_path / lang
        work.mkdir()
        (work / "d").mkdir()
        if lang == "c":
            out = tmp_path / "c.strace"
            # -ff: one file per process, so no line is split by the other's.
            subprocess.run([strace, "-ff", "-e", f"trace={LIBC_SET}", "-o", str(out),
                            str(exe)], cwd=work, capture_output=True, timeout=TIMEOUT)
            files = sorted(tmp_path.glob("c.strace.*"), key=lambda p: int(p.suffix[1:]))
            parent = files[0].read_text().splitlines()
            child = [x for f in files[1:] for x in f.read_text().splitlines()]
            at = next(i for i, x in enumerate(parent) if x.startswith("clone("))
            lines = parent[:at + 1] + child + parent[at + 1:]
        else:
            env = _plain_env()
            env["CSOCK_TRACE"] = "1"
            env["PYTHONUNBUFFERED"] = "1"  # the trace's lines in order with the child's
            result = subprocess.run([sys.executable, str(tmp_path / "libc_probe.py")],
                                    capture_output=True, cwd=work, env=env, timeout=TIMEOUT)
            assert result.returncode == 2, result.stderr.decode(errors="replace")
            assert result.stdout == b"hola 3\n"
            lines = result.stderr.decode().splitlines()
        traces[lang] = _libc_normalise(lines)
    assert traces["py"] == traces["c"], "\n".join(
        f"{a!s:<70} | {b}" for a, b in zip(traces["c"], traces["py"], strict=False))
    names = {x.split("(")[0] for x in traces["py"]}
    assert names == set(LIBC_SET.split(","))
    assert len(traces["py"]) >= 25


def test_fork_trace_decoders() -> None:
    from csock import _trace_libc

    assert _trace_libc.wait_status(0x300) == "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
    assert _trace_libc.wait_status(0x89) == (
        "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL && WCOREDUMP(s)}]")
    assert _trace_libc.wait_status(0x137F) == "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]"


def test_strtok_splits_as_python() -> None:
    text = b"  GET /a  HTTP/1.0\n"
    buf = c.new("char[]", text)
    got = []
    token = c.strtok(buf, b" \n")
    while token != c.NULL:
        got.append(c.string(token))
        token = c.strtok(c.NULL, b" \n")
    assert got == text.split()


def _argv(*words: bytes) -> tuple[list[Any], Any]:
    owners = [c.new("char[]", w) for w in words]
    return owners, c.new("char *[]", [*owners, c.NULL])


def test_getopt_variables_are_read_and_assigned_live(capfd: pytest.CaptureFixture[str]) -> None:
    """optarg/optind/optopt change under each getopt() call: c.NAME reads C's
    variables at each access (a copy made at import would stay 1 and NULL)."""
    assert {"optarg", "optind", "opterr", "optopt"} <= set(dir(c))
    assert not {"optarg", "optind", "opterr", "optopt"} & set(c.__all__)
    owners, argv = _argv(b"prog", b"-p", b"80", b"-vx", b"rest")
    c.optind = 1
    c.opterr = 0
    seen = []
    while (opt := c.getopt(5, argv, b"p:v")) != -1:
        seen.append((chr(opt), None if c.optarg == c.NULL else c.string(c.optarg), c.optopt))
    assert seen == [("p", b"80", 0), ("v", None, 0), ("?", None, ord("x"))]
    assert c.optind == 4 and c.string(argv[c.optind]) == b"rest"
    # opterr on: glibc says why on C's stderr, with argv[0]
    c.optind, c.opterr = 1, 1
    owners, argv = _argv(b"prog", b"-q")
    assert c.getopt(2, argv, b"p:") == ord("?")
    c.fflush(c.NULL)
    assert "prog: invalid option -- 'q'" in capfd.readouterr().err
    c.optind = 1
    with pytest.raises(TypeError):
        c.optind = "1"  # type: ignore[assignment]
