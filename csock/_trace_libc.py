"""Trace rows for csock.c's libc functions (files, processes, stdio), as strace
prints the system call each one makes on glibc 2.3x:

* stat/lstat are ``newfstatat(AT_FDCWD, ...)``; remove() of a directory is
  unlink() failing with EISDIR, then rmdir(); fork() is ``clone``; waitpid is
  ``wait4``; exit and _exit are ``exit_group`` (printed before the call, ``= ?``).
* printf, puts, putchar and fputs/fprintf/fwrite to stdout or stderr are the
  ``write`` to fd 1 or 2 that csock.c's flush makes (csock/_libc.py): the
  bytes are formatted once more, by glibc, for the line. Other streams are
  buffered by C and write when their buffer fills: not shown.
* fopen is ``openat`` (mode string to O_ flags as glibc maps it), fclose is
  ``close``.
* sleep() is not shown: its remaining-time pointer lives in glibc's frame.

:func:`rows` builds them with :class:`csock._trace.Syscall` (passed in, so
this module does not import the tracer).
"""

from __future__ import annotations

import os
import signal
import stat as _stat
import threading
from typing import Any

from csock import _libc
from csock import _show as S
from csock._csock import lib

_FILE_TYPES = [("S_IFSOCK", _stat.S_IFSOCK), ("S_IFLNK", _stat.S_IFLNK),
               ("S_IFREG", _stat.S_IFREG), ("S_IFBLK", _stat.S_IFBLK),
               ("S_IFDIR", _stat.S_IFDIR), ("S_IFCHR", _stat.S_IFCHR),
               ("S_IFIFO", _stat.S_IFIFO)]
_WAIT_FLAGS = [("WNOHANG", 1), ("WUNTRACED", 2), ("WCONTINUED", 8),
               ("__WNOTHREAD", 0x20000000), ("__WALL", 0x40000000),
               ("__WCLONE", 0x80000000)]
# glibc's struct pthread keeps the thread's tid at this offset (x86-64,
# glibc 2.3x): fork's child_tidptr is pthread_self() plus it.
_TID_OFFSET = 0x2D0


def _path(ptr: Any) -> str:
    return "NULL" if S.is_null(ptr) else S.quote_cstring(S.read_path(ptr))


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def stat_struct(st: Any, rdev: int = 0) -> str:
    """strace's abbreviated struct stat: ``{st_mode=S_IFREG|0644, st_size=0, ...}``.

    *rdev* is the device of a character or block special file (csock's
    struct stat does not declare st_rdev)."""
    mode = int(st.st_mode)
    kind = S.xval(_stat.S_IFMT(mode), _FILE_TYPES, "S_IF???")
    perm = mode & 0o7777
    text = f"{{st_mode={kind}|{f'0{perm:o}' if perm else '000'}, "
    if _stat.S_ISCHR(mode) or _stat.S_ISBLK(mode):
        text += f"st_rdev=makedev({_hex(os.major(rdev))}, {_hex(os.minor(rdev))}), "
    else:
        text += f"st_size={int(st.st_size)}, "
    return text + "...}"


def _rdev(path: Any, follow: bool) -> int:
    try:
        return os.stat(S.read_path(path), follow_symlinks=follow).st_rdev
    except (OSError, ValueError, TypeError):
        return 0


def _stat_args(flag: str) -> Any:
    def args(c: Any) -> str:
        path, buf = c.args
        if c.failed or S.is_null(buf):
            shown = S.address(buf)
        else:
            shown = stat_struct(buf, _rdev(path, flag == "0"))
        return f"AT_FDCWD, {_path(path)}, {shown}, {flag}"

    return args


def _is_dir(args: tuple[Any, ...]) -> bool:
    try:
        return _stat.S_ISDIR(os.lstat(S.read_path(args[0])).st_mode)
    except (OSError, ValueError, TypeError):
        return False


def _remove_result(c: Any) -> str:
    # glibc's remove(): unlink(), and rmdir() when unlink says EISDIR.
    if not c.pre:
        return str(c.result())
    from csock._trace import line

    return S.error_result(lib.EISDIR) + "\n" + line(f"rmdir({_path(c.args[0])})", c.result())


def wait_status(status: int) -> str:
    """strace's printstatus: ``[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]``."""
    if os.WIFSTOPPED(status):
        text = f"WIFSTOPPED(s) && WSTOPSIG(s) == {_signame(os.WSTOPSIG(status))}"
    elif os.WIFSIGNALED(status):
        text = f"WIFSIGNALED(s) && WTERMSIG(s) == {_signame(os.WTERMSIG(status))}"
        if os.WCOREDUMP(status):
            text += " && WCOREDUMP(s)"
    elif os.WIFEXITED(status):
        text = f"WIFEXITED(s) && WEXITSTATUS(s) == {os.WEXITSTATUS(status)}"
    elif os.WIFCONTINUED(status):
        text = "WIFCONTINUED(s)"
    else:
        text = f"{status:#x}"
    return f"[{{{text}}}]"


def _signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)


def _wait4_args(c: Any) -> str:
    pid, statusp, options = c.args
    if S.is_null(statusp):
        status = "NULL"
    elif c.failed or int(c.ret) == 0:
        status = S.address(statusp)
    else:
        status = wait_status(int(statusp[0]))
    opts = S.flags(int(options) & 0xFFFFFFFF, _WAIT_FLAGS, "W???") if int(options) else "0"
    return f"{int(pid)}, {status}, {opts}, NULL"


def _clone_args(c: Any) -> str | None:
    if not c.failed and int(c.ret) == 0:
        return None  # the child: strace -f shows the call once, in the parent
    tidptr = threading.get_ident() + _TID_OFFSET
    return ("child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
            f"child_tidptr={tidptr:#x}")


def _fopen_flags(mode: bytes) -> tuple[int, bool]:
    """glibc's fopen mode string as open(2) flags, and whether O_CREAT."""
    base = {b"r": os.O_RDONLY, b"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
            b"a": os.O_WRONLY | os.O_CREAT | os.O_APPEND}.get(mode[:1], 0)
    rest = mode[1:]
    if b"+" in rest:
        base = (base & ~(os.O_WRONLY | os.O_RDONLY)) | os.O_RDWR
    if b"x" in rest:
        base |= os.O_EXCL
    if b"e" in rest:
        base |= os.O_CLOEXEC
    return base, bool(base & os.O_CREAT)


def _fopen_args(c: Any) -> str:
    path, mode = c.args
    flags, creat = _fopen_flags(S.read_path(mode))
    text = f"AT_FDCWD, {_path(path)}, {S.open_flags(flags)}"
    return text + (", 0666" if creat else "")


def _fopen_result(c: Any) -> str:
    if S.is_null(c.ret):
        return str(S.error_result(c.err))
    return str(int(lib.fileno(c.ret)))


def _stream_fd(stream: Any) -> int | None:
    if stream == lib.stdout:
        return 1
    if stream == lib.stderr:
        return 2
    return None


def _write_line(fd: int | None, data: bytes, c: Any) -> str | None:
    if fd is None or not data:
        return None
    return f"{fd}, {S.quote(data[:c.strsize], len(data), c.strsize)}, {len(data)}"


def _write_result(c: Any) -> str:
    # The write of the flush: its length, or the stdio call's failure.
    data = c.pre[1] if c.pre else b""
    if isinstance(c.ret, int) and c.ret < 0:
        return str(S.error_result(c.err))
    return str(len(data))


def _printf_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    return 1, _libc.format_bytes(*args)


def _fprintf_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    return _stream_fd(args[0]), _libc.format_bytes(*args[1:])


def _puts_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    return 1, S.read_path(args[0]) + b"\n"


def _putchar_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    value = args[0]
    return 1, bytes([(value[0] if isinstance(value, bytes) else int(value)) & 0xFF])


def _fputs_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    return _stream_fd(args[1]), S.read_path(args[0])


def _fwrite_pre(args: tuple[Any, ...]) -> tuple[int | None, bytes]:
    ptr, size, nmemb, stream = args
    return _stream_fd(stream), S.read_mem(ptr, int(size) * int(nmemb))


def _written(c: Any) -> str | None:
    if c.pre is None:
        return None
    return _write_line(c.pre[0], c.pre[1], c)


def rows(syscall: Any) -> dict[str, Any]:
    """The TABLE rows, built with the tracer's Syscall class."""
    def exit_group(c: Any) -> str:
        return str(int(c.args[0]))

    written = {name: syscall("write", _written, pre=pre, result=_write_result)
               for name, pre in (("printf", _printf_pre), ("fprintf", _fprintf_pre),
                                 ("puts", _puts_pre), ("putchar", _putchar_pre),
                                 ("fputs", _fputs_pre), ("fwrite", _fwrite_pre))}
    return {
        "unlink": syscall("unlink", lambda c: _path(c.args[0])),
        "remove": syscall("unlink", lambda c: _path(c.args[0]), pre=_is_dir,
                          result=_remove_result),
        "stat": syscall("newfstatat", _stat_args("0")),
        "lstat": syscall("newfstatat", _stat_args("AT_SYMLINK_NOFOLLOW")),
        "fork": syscall("clone", _clone_args),
        "waitpid": syscall("wait4", _wait4_args),
        "exit": syscall("exit_group", exit_group, noreturn=True),
        "_exit": syscall("exit_group", exit_group, noreturn=True),
        "usleep": syscall("clock_nanosleep", lambda c: (
            f"CLOCK_REALTIME, 0, {{tv_sec={int(c.args[0]) // 1000000}, "
            f"tv_nsec={int(c.args[0]) % 1000000 * 1000}}}, NULL")),
        "alarm": syscall("alarm", lambda c: str(int(c.args[0]))),
        "getppid": syscall("getppid", lambda c: ""),
        "fopen": syscall("openat", _fopen_args, result=_fopen_result),
        "fclose": syscall("close", lambda c: str(c.pre),
                          pre=lambda a: None if S.is_null(a[0]) else int(lib.fileno(a[0]))),
        **written,
    }


__all__ = ["rows", "stat_struct", "wait_status"]
