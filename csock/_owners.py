"""Which process holds a socket: its inode matched to /proc/PID/fd links.

As netstat -p does it; a Python process is named by its script (or -m
module). Shared by ``python -m csock netstat`` and the hints of the trace
(EADDRINUSE names the program holding the port).
"""

from __future__ import annotations

import os
import re

__all__ = ["port_owners", "program_name", "socket_owners"]

_SOCKET_LINK = re.compile(r"socket:\[(\d+)\]")
_PYTHON = re.compile(r"python[0-9.]*[a-z]?$")
# Interpreter options that take a value in the next argument.
_VALUE_OPTIONS = {"-W", "-X", "-Q"}


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def program_name(pid: int) -> str:
    """netstat -p's program name; for a Python process, its script (or -m module)."""
    argv = [a.decode(errors="replace") for a in _read(f"/proc/{pid}/cmdline").split(b"\0")]
    argv = [a for a in argv if a] or [""]
    comm = _read(f"/proc/{pid}/comm").decode(errors="replace").strip()
    exe = os.path.basename(argv[0])
    if _PYTHON.match(exe) or _PYTHON.match(comm):
        i = 1
        while i < len(argv):
            arg = argv[i]
            if arg == "-m" and i + 1 < len(argv):
                return argv[i + 1]
            if arg == "-c":
                return f"{exe} -c"
            if arg in _VALUE_OPTIONS:
                i += 2
                continue
            if arg.startswith("-"):
                i += 1
                continue
            return os.path.basename(arg)
        return exe or comm
    return comm or exe


def socket_owners() -> dict[int, tuple[int, str]]:
    """Socket inode -> (pid, program), from every /proc/PID/fd we may read."""
    owners: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's
            continue
        name: str | None = None
        for fd in fds:
            try:
                link = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            m = _SOCKET_LINK.fullmatch(link)
            if m and int(m.group(1)) not in owners:
                name = program_name(pid) if name is None else name
                owners[int(m.group(1))] = (pid, name)
    return owners


def _port_inodes(port: int) -> set[int]:
    """Inodes of the TCP/UDP sockets bound to *port*, from /proc/net (any family)."""
    inodes: set[int] = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for row in _read(f"/proc/net/{table}").decode(errors="replace").splitlines()[1:]:
            cols = row.split()
            if len(cols) < 10:
                continue
            try:
                local_port = int(cols[1].rsplit(":", 1)[1], 16)
                inode = int(cols[9])
            except ValueError:
                continue
            if local_port == port and inode:
                inodes.add(inode)
    return inodes


def port_owners(port: int) -> list[tuple[int, str]]:
    """(pid, program) of each process holding a socket bound to *port*."""
    inodes = _port_inodes(port)
    if not inodes:
        return []
    owners = socket_owners()
    return sorted({owners[i] for i in inodes if i in owners})
