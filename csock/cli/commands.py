"""The everyday subcommands: server, client, serve-file, fetch-file.

Each is the tutorial's C program, call for call, on ``csock.c`` (through the
checked wrappers of :mod:`csock.cli.cbridge`). ``--trace`` is csock.c's call trace
(``csock.c.tracing``) on stderr: the lines ``CSOCK_TRACE=1`` and strace print.

With a timeout (``--timeout``, the default), every connect, send and recv
waits in poll() first on a non-blocking socket, so a silent peer ends the
command with an error instead of stalling it.

Transfers lose nothing silently: fetch-file writes to ``OUTFILE.part`` and
renames it over OUTFILE only after a clean end of stream (and the
``--expect-*`` checks); serve-file resets the connection (SO_LINGER 0) when it
cannot finish a file, so the receiver sees a failure rather than an end.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import sys
import time
from collections.abc import Callable

import csock.c as c
import csock.cli.cbridge as cc
from csock.cli.cbridge import (
    BLOCK,
    CData,
    CError,
    CliError,
    Interrupted,
    is_interrupt,
    parse_host,
    port_of,
    shown,
    sockaddr_for,
    traced,
)
from csock.cli.i18n import _

GREETING = b"Bienvenido al Eagle14!\n"
BACKLOG = 2


def listen_on(host: str, port: int) -> tuple[int, int]:
    """socket, SO_REUSEADDR, bind, listen(2); announce the real port on stderr.

    Returns the listening descriptor and its address family.
    """
    where = parse_host(host)
    addr = sockaddr_for(where, port)
    with cc.closed_on_error(cc.socket(where.family)) as fd:
        cc.reuseaddr(fd)
        cc.bind(fd, addr)
        cc.listen(fd, BACKLOG)
        real = cc.getsockname(fd, where.family)
        # The tutorial server's own line, in every language (scripts wait for it).
        print(f"Escuchando en el puerto {port_of(real)}", file=sys.stderr, flush=True)
    return fd, where.family


def serve(host: str, port: int, max_clients: int, handle: Callable[[int, str], None],
          *, command: str, ready: Callable[[], None] | None = None,
          on_failure: Callable[[int], None] = cc.close_quietly) -> int:
    """Accept clients one after another (max_clients of them, 0: forever).

    A client whose handling fails is closed with on_failure, reported on
    stderr, and counted: the status is 1 if any failed. An Interrupted from
    handle ends the server.
    """
    listener, family = listen_on(host, port)
    served = failed = 0
    try:
        if ready is not None:
            ready()
        while max_clients == 0 or served < max_clients:
            client, addr = cc.accept(listener, family)
            served += 1
            ip = cc.ip_of(addr)
            try:
                handle(client, ip)
            except BaseException as exc:
                cc.despite_interrupts(functools.partial(on_failure, client))
                if isinstance(exc, Interrupted) or is_interrupt(exc):
                    raise
                if not isinstance(exc, CError | CliError):
                    raise
                failed += 1  # one bad client does not stop the server
                print(_("csock {command}: client {ip}: {error}").format(
                    command=command, ip=ip, error=exc), file=sys.stderr, flush=True)
            else:
                cc.close(client)
    finally:
        cc.close_quietly(listener)
    return 1 if failed else 0


def connect_to(host: str, port: int, timeout_ms: int | None = None) -> int:
    where = parse_host(host)
    addr = sockaddr_for(where, port)
    with cc.closed_on_error(cc.socket(where.family)) as fd:
        cc.connect(fd, addr, timeout_ms)
    return fd


# ------------------------------------------------------------------ server

def run_server(host: str, port: int, max_clients: int, trace: bool,
               hints: bool = False) -> int:
    buf: CData = c.new("char[]", BLOCK)

    def greet_and_echo(client: int, ip: str) -> None:
        cc.send_bytes(client, GREETING)
        while (n := cc.recv(client, buf, BLOCK)) > 0:
            text = bytes(c.buffer(buf, n)).decode("utf-8", "replace")
            for line in text.splitlines() or [""]:
                print(f"> [{ip}]: {line}", flush=True)

    with traced(trace, hints=hints):
        return serve(host, port, max_clients, greet_and_echo, command="server")


# ------------------------------------------------------------------ client

def run_client(host: str, port: int, trace: bool, timeout_ms: int | None = None,
               hints: bool = False) -> int:
    with traced(trace, hints=hints):
        fd = connect_to(host, port, timeout_ms)
        try:
            buf: CData = c.new("char[]", BLOCK)
            greeting = b""
            while not greeting.endswith(b"\n"):  # the greeting may come in pieces
                n = cc.recv(fd, buf, BLOCK, 0, timeout_ms)
                if n == 0:
                    break
                greeting += bytes(c.buffer(buf, n))
            sys.stdout.write(greeting.decode("utf-8", "replace"))
            sys.stdout.flush()
            for line in iter(sys.stdin.buffer.readline, b""):
                cc.send_bytes(fd, line, timeout_ms)
        except BaseException:
            cc.close_quietly(fd)
            raise
        cc.close(fd)
    return 0


# ------------------------------------------------------------------ files

def file_digest(path: str) -> tuple[int, str]:
    """Size and sha256 of the regular file path, read through csock.c.

    Fails before any socket exists for a missing, unreadable or non-regular
    file (O_NONBLOCK: opening a FIFO must not wait for a writer).
    """
    fd = cc.open_file(path, c.O_RDONLY | c.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CError(c.EISDIR, _("cannot read {path}").format(path=shown(path)))
        if not stat.S_ISREG(mode):
            raise CliError(_("cannot read {path}: not a regular file").format(
                path=shown(path)))
        buf: CData = c.new("char[]", 64 * BLOCK)
        digest = hashlib.sha256()
        size = 0
        what = _("cannot read {path}").format(path=shown(path))
        while (n := cc.read(fd, buf, 64 * BLOCK, what)) > 0:
            digest.update(c.buffer(buf, n))
            size += n
        return size, digest.hexdigest()
    finally:
        cc.close_quietly(fd)


def run_serve_file(path: str, host: str, port: int, max_clients: int, trace: bool,
                   timeout_ms: int | None = None) -> int:
    size, sha256 = file_digest(path)  # not traced: a check, not the tutorial's program
    buf: CData = c.new("char[]", BLOCK)

    def announce() -> None:
        # What fetch-file needs to tell a complete copy from a cut one.
        print(f"--expect-size {size} --expect-sha256 {sha256}", flush=True)

    def send_file(client: int, ip: str) -> None:
        sent = 0
        try:
            fd = cc.open_file(path, c.O_RDONLY)
            digest = hashlib.sha256()
            try:
                while (n := cc.read(fd, buf, BLOCK)) > 0:
                    cc.send_all(client, buf, n, 0, timeout_ms)  # loops on partial sends
                    digest.update(c.buffer(buf, n))
                    sent += n
            finally:
                cc.close_quietly(fd)
        except BaseException as exc:
            cut = _("after {sent} of {size} bytes; connection reset").format(
                sent=sent, size=size)
            if is_interrupt(exc):
                raise Interrupted(_("interrupted while sending {path} to {ip}, {cut}").format(
                    path=shown(path), ip=ip, cut=cut)) from None
            if isinstance(exc, CError | CliError):
                raise CliError(f"{exc} {cut}") from None
            raise
        if (sent, digest.hexdigest()) == (size, sha256):
            print(_("sent {sent} bytes to {ip} (sha256 {sha})").format(
                sent=sent, ip=ip, sha=digest.hexdigest()), file=sys.stderr, flush=True)
        else:
            print(_("sent {sent} bytes to {ip} (sha256 {sha}); {path} changed since it was "
                    "announced").format(sent=sent, ip=ip, sha=digest.hexdigest(),
                                        path=shown(path)), file=sys.stderr, flush=True)

    with traced(trace):
        return serve(host, port, max_clients, send_file, command="serve-file",
                     ready=announce, on_failure=cc.reset)


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
            self._show(_("received {total} bytes").format(total=total), final=False)

    def done(self, total: int) -> None:
        secs = max(time.monotonic() - self.start, 1e-9)
        rate = total / secs / (1024 * 1024)
        self._show(_("received {total} bytes in {secs:.2f} s ({rate:.1f} MiB/s)").format(
            total=total, secs=secs, rate=rate), final=True)

    def cut(self) -> None:
        if self.tty:  # end the \r line, so the error starts a line of its own
            sys.stderr.write("\n")
            sys.stderr.flush()


def _os_call(what: str, call: Callable[[], object]) -> None:
    """A Python-side file operation; its OSError as a CliError saying what failed."""
    try:
        call()
    except OSError as exc:
        raise CliError(f"{what}: {exc.strerror or exc}") from None


def run_fetch_file(host: str, outfile: str, port: int, trace: bool,
                   timeout_ms: int | None = None, expect_size: int | None = None,
                   expect_sha256: str | None = None) -> int:
    """Receive into OUTFILE.part; rename it over OUTFILE only after a clean end
    of stream and the --expect-* checks. Any failure leaves OUTFILE as it was,
    keeps OUTFILE.part and says so."""
    if os.path.isdir(outfile):
        raise CliError(_("cannot write {path}: {error}").format(
            path=shown(outfile), error=cc.strerror(c.EISDIR)))
    part = outfile + ".part"
    digest = hashlib.sha256()
    total = 0  # bytes written to part
    with traced(trace):
        sock = connect_to(host, port, timeout_ms)  # connect first: no file on refusal
        out = -1
        progress = Progress()
        try:
            out = cc.open_file(part, c.O_WRONLY | c.O_CREAT | c.O_TRUNC, 0o644)
        except BaseException:
            cc.close_quietly(sock)
            raise
        try:
            buf: CData = c.new("char[]", BLOCK)
            while (n := cc.recv(sock, buf, BLOCK, 0, timeout_ms)) > 0:
                cc.write_all(out, buf, n)
                digest.update(c.buffer(buf, n))
                total += n
                if expect_size is not None and total > expect_size:
                    raise CliError(_("more than {size} bytes arrived (--expect-size)").format(
                        size=expect_size))
                progress.update(total)
            progress.done(total)
            if expect_size is not None and total != expect_size:
                raise CliError(_("the stream ended after {total} bytes, not {size} "
                                 "(--expect-size)").format(total=total, size=expect_size))
            if expect_sha256 is not None and digest.hexdigest() != expect_sha256:
                raise CliError(_("sha256 {got} is not {want} (--expect-sha256)").format(
                    got=digest.hexdigest(), want=expect_sha256))
            _os_call(_("cannot write {path}").format(path=shown(part)), lambda: os.fsync(out))
            fd, out = out, -1
            cc.close(fd)  # close reports write errors too: before the rename
            _os_call(_("cannot replace {path}").format(path=shown(outfile)),
                     lambda: os.rename(part, outfile))
        except BaseException as exc:
            cc.despite_interrupts(lambda: _close_both(sock, out))
            if not (is_interrupt(exc) or isinstance(exc, CError | CliError)):
                raise
            progress.cut()
            try:
                kept = os.path.getsize(part)  # a failed write may have left part of a block
            except OSError:
                kept = total
            reason = _("interrupted") if is_interrupt(exc) else str(exc)
            cls = Interrupted if is_interrupt(exc) else CliError
            raise cls(_("{reason}; {path} left as it was, what was received ({kept} bytes) "
                        "is in {part}").format(reason=reason, path=shown(outfile), kept=kept,
                                               part=shown(part))) from None
        cc.close(sock)
    print(_("{sha}  {path}  ({total} bytes)").format(sha=digest.hexdigest(),
                                                      path=shown(outfile), total=total),
          flush=True)
    return 0


def _close_both(sock: int, out: int) -> None:
    cc.close_quietly(sock)
    cc.close_quietly(out)
