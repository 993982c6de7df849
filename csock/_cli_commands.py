"""The everyday subcommands: server, client, serve-file, fetch-file.

Each is the tutorial's C program, call for call, on ``csock.c`` (through the
checked wrappers of :mod:`csock._cli_c`). ``--trace`` is csock.c's call trace
(``csock.c.tracing``) on stderr: the lines ``CSOCK_TRACE=1`` and strace print.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable

import csock._cli_c as cc
import csock.c as c
from csock._cli_c import (
    BLOCK,
    CData,
    CError,
    CliError,
    ip_of,
    port_of,
    resolve_ipv4,
    sockaddr_in,
    traced,
)

GREETING = b"Bienvenido al Eagle14!\n"
BACKLOG = 2


def listen_on(host: str, port: int) -> int:
    """socket, SO_REUSEADDR, bind, listen(2); announce the real port on stderr."""
    addr = sockaddr_in(resolve_ipv4(host), port)
    with cc.closed_on_error(cc.socket()) as fd:
        cc.reuseaddr(fd)
        cc.bind(fd, addr)
        cc.listen(fd, BACKLOG)
        real = cc.getsockname(fd)
        print(f"Escuchando en el puerto {port_of(real)}", file=sys.stderr, flush=True)
    return fd


def serve(host: str, port: int, max_clients: int,
          handle: Callable[[int, str], None]) -> int:
    """Accept clients one after another (max_clients of them, 0: forever)."""
    listener = listen_on(host, port)
    served = 0
    try:
        while max_clients == 0 or served < max_clients:
            client, addr = cc.accept(listener)
            served += 1
            ip = ip_of(addr)
            try:
                handle(client, ip)
            except (CError, CliError) as exc:  # one bad client does not stop the server
                print(f"client {ip}: {exc}", file=sys.stderr, flush=True)
            finally:
                cc.close(client)
    finally:
        cc.close(listener)
    return 0


def connect_to(host: str, port: int) -> int:
    addr = sockaddr_in(resolve_ipv4(host), port)
    with cc.closed_on_error(cc.socket()) as fd:
        cc.connect(fd, addr)
    return fd


# ------------------------------------------------------------------ server

def run_server(host: str, port: int, max_clients: int, trace: bool) -> int:
    buf: CData = c.new("char[]", BLOCK)

    def greet_and_echo(client: int, ip: str) -> None:
        cc.send_bytes(client, GREETING)
        while (n := cc.recv(client, buf, BLOCK)) > 0:
            text = bytes(c.buffer(buf, n)).decode("utf-8", "replace")
            for line in text.splitlines() or [""]:
                print(f"> [{ip}]: {line}", flush=True)

    with traced(trace):
        return serve(host, port, max_clients, greet_and_echo)


# ------------------------------------------------------------------ client

def run_client(host: str, port: int, trace: bool) -> int:
    with traced(trace):
        fd = connect_to(host, port)
        try:
            buf: CData = c.new("char[]", BLOCK)
            greeting = b""
            while not greeting.endswith(b"\n"):  # the greeting may come in pieces
                n = cc.recv(fd, buf, BLOCK)
                if n == 0:
                    break
                greeting += bytes(c.buffer(buf, n))
            sys.stdout.write(greeting.decode("utf-8", "replace"))
            sys.stdout.flush()
            for line in iter(sys.stdin.buffer.readline, b""):
                cc.send_bytes(fd, line)
        finally:
            cc.close(fd)
    return 0


# ------------------------------------------------------------------ files

def check_readable(path: str) -> None:
    """Open and read one byte of path, so a bad file fails before any socket."""
    fd = cc.open_file(path, c.O_RDONLY)
    try:
        probe: CData = c.new("char[]", 1)
        cc.read(fd, probe, 1, f"cannot read {path}")  # a directory: EISDIR
    finally:
        cc.close_quietly(fd)


def run_serve_file(path: str, host: str, port: int, max_clients: int, trace: bool) -> int:
    check_readable(path)  # not traced: a check, not part of the tutorial's program
    buf: CData = c.new("char[]", BLOCK)

    def send_file(client: int, ip: str) -> None:
        fd = cc.open_file(path, c.O_RDONLY)
        total = 0
        digest = hashlib.sha256()
        try:
            while (n := cc.read(fd, buf, BLOCK)) > 0:
                cc.send_all(client, buf, n)  # loops on partial sends
                digest.update(c.buffer(buf, n))
                total += n
        finally:
            cc.close(fd)
        print(f"sent {total} bytes to {ip} (sha256 {digest.hexdigest()})",
              file=sys.stderr, flush=True)

    with traced(trace):
        return serve(host, port, max_clients, send_file)


class Progress:
    """Bytes received so far on stderr, at most ten updates a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.last = self.start
        self.tty = sys.stderr.isatty()

    def _show(self, text: str, final: bool) -> None:
        if self.tty:
            sys.stderr.write("\r" + text + ("\n" if final else ""))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def update(self, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            self._show(f"received {total} bytes", final=False)

    def done(self, total: int) -> None:
        secs = max(time.monotonic() - self.start, 1e-9)
        rate = total / secs / (1024 * 1024)
        self._show(f"received {total} bytes in {secs:.2f} s ({rate:.1f} MiB/s)", final=True)


def run_fetch_file(host: str, outfile: str, port: int, trace: bool) -> int:
    with traced(trace):
        sock = connect_to(host, port)  # connect first: no empty file on refusal
        try:
            out = cc.open_file(outfile, c.O_WRONLY | c.O_CREAT | c.O_TRUNC, 0o644)
            try:
                buf: CData = c.new("char[]", BLOCK)
                digest = hashlib.sha256()
                total = 0
                progress = Progress()
                while (n := cc.recv(sock, buf, BLOCK)) > 0:
                    cc.write_all(out, buf, n)
                    digest.update(c.buffer(buf, n))
                    total += n
                    progress.update(total)
                progress.done(total)
            finally:
                cc.close(out)
        finally:
            cc.close(sock)
    print(f"{digest.hexdigest()}  {outfile}  ({total} bytes)", flush=True)
    return 0
