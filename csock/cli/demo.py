"""``python -m csock demo``: the tutorial's server and client, in one process.

One thread plays both sides over loopback. Every step that could block is
preceded by poll() with a timeout, so a failure ends the demo with an error
instead of hanging. The C calls are printed by csock.c's own call trace
(``csock.c.tracing``, the lines ``CSOCK_TRACE`` prints), each after the side
that made it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import csock.c as c
import csock.cli.cbridge as cc
from csock.cli.cbridge import BLOCK, CData, CError, CliError, ip_of, port_of, sockaddr_in, traced
from csock.cli.commands import BACKLOG, GREETING
from csock.cli.i18n import N_, _

LINE = b"Hola desde el cliente\n"
FILE_SIZE = 100 * 1024
TIMEOUT_MS = 5000
SHOWN_BLOCKS = 2  # the file's first blocks are traced in full, the rest summarized


def sample_file(size: int) -> bytes:
    """size bytes of numbered text lines (readable in the trace of send/recv)."""
    lines = (b"%05d Bienvenido al Eagle14! linea %d del fichero de prueba\n" % (i, i)
             for i in range(1, size // 40 + 2))
    return b"".join(lines)[:size]


# The transcript's speakers, translated where shown (the events keep these).
ROLES = (N_("server"), N_("client"), N_("kernel"))


def who(role: str) -> str:
    """role's label, padded so that the calls after it line up."""
    return _(role).ljust(max(len(_(r)) for r in ROLES))


@dataclass(frozen=True)
class Event:
    """One line of the transcript: a call (as traced), a note, a step or states."""

    kind: str  # call, note, step, states
    role: str  # server, client, or "" (the demo itself)
    text: str
    states: tuple[State, ...] = ()


@dataclass(frozen=True)
class State:
    """One of the demo's sockets as the kernel reports it."""

    role: str
    fd: int | None  # None: no descriptor (in the backlog, or closed)
    local: str
    foreign: str
    state: str
    note: str = ""

    def who(self) -> str:
        return (_("{role} fd {fd}").format(role=_(self.role), fd=self.fd)
                if self.fd is not None else _("{role} (no fd)").format(role=_(self.role)))

    def lines(self) -> list[str]:
        out = [f"{self.who():<16} {self.local:<16} {self.foreign:<16} {self.state}"]
        return out + ([f"{'':<16} {self.note}"] if self.note else [])


class Transcript(io.StringIO):
    """The file csock.c's trace writes to: each line goes to out after the side
    (server or client) making the call."""

    def __init__(self, out: Callable[[str], None]) -> None:
        super().__init__()
        self.out = out
        self.role = ""
        self.held: str | None = None  # while quiet: the latest call, not shown
        self.after_call: Callable[[str], None] | None = None  # demo --states
        self.events: list[Event] = []  # what demo --diagram draws

    def say(self, role: str, text: str, kind: str = "note") -> None:
        self.out(f"  {who(role)} {text}" if role else f"  {text}")
        self.events.append(Event(kind, role, text))

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if self.held is None:
                self.say(self.role, line, "call")
                if self.after_call is not None:
                    self.after_call(line)
            else:
                self.held = f"  {who(self.role)} {line}"
        return len(text)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Calls in the block are not shown, but for the last one if the block fails."""
        self.held = ""
        try:
            yield
        except (CError, CliError):
            if self.held:
                self.out(self.held)  # the call that failed, or the last one before
            raise
        finally:
            self.held = None


class Demo:
    def __init__(self, out: Callable[[str], None], states: bool = False,
                 step: bool = False, diagram: bool = False) -> None:
        self.out = out
        self.transcript = Transcript(out)
        self.open_fds: list[int] = []
        self.stepping = step
        self.steps = 0
        # demo --states: which side holds each socket, by inode (and by fd)
        self.sockets: dict[int, tuple[str, int]] = {}
        self.port = 0
        self.shown: list[State] = []
        self.print_states = states
        self.pending: dict[int, str] = {}
        if states or diagram:
            self.transcript.after_call = self.show_states

    def step(self, title: str) -> None:
        self.steps += 1
        if self.steps > 1:
            self.pause()
        self.out("")
        self.out(f"== {title}")
        self.transcript.events.append(Event("step", "", title))

    def pause(self) -> None:
        """demo --step: wait for Enter; a closed or empty stdin just goes on."""
        if not self.stepping:
            return
        print(_("(press Enter for the next step)"), file=sys.stderr, flush=True)
        try:
            line = sys.stdin.readline() if sys.stdin is not None else ""
        except (OSError, ValueError):
            line = ""
        if not line:  # end of input: nobody will press Enter
            self.stepping = False

    def states(self) -> list[State]:
        """The demo's TCP sockets as the kernel reports them (NETLINK_SOCK_DIAG)."""
        from csock.cli import netstat

        roles = {fd: role for fd, (role, _ino) in self.sockets.items() if fd in self.open_fds}
        roles.update(self.pending)
        ours = _own_sockets()  # inode -> fd: our descriptors, tracked or just returned
        found: list[tuple[tuple[bool, int, int, int], State]] = []
        seen = set()
        for r in netstat.inet_rows(c.AF_INET, c.IPPROTO_TCP):
            fd = ours.get(r.inode) if r.inode else None
            on_port = bool(self.port) and self.port in (r.local_port, r.foreign_port)
            if not (fd in roles or on_port):
                continue
            server_side = r.local_port == self.port
            role = roles.get(fd) if fd is not None else None
            role = role or ("server" if server_side else "client")
            note = ""
            if fd is not None:
                seen.add(fd)
                if r.kstate == c.TCP_LISTEN and r.recv_q:
                    note = _("{n} connection(s) in the backlog, waiting for accept()").format(
                        n=r.recv_q)
            elif server_side and r.kstate == c.TCP_ESTABLISHED:
                # no descriptor yet: a connection queued in the listener's backlog
                note = _("in the listener's backlog: not accept()ed yet")
            key = (role != "server", fd if fd is not None else 1 << 20, r.local_port,
                   r.foreign_port)
            found.append((key, State(role, fd, r.local, r.foreign, r.state, note)))
        for fd, role in roles.items():
            if fd not in seen:
                # In none of the kernel's tables (neither listening nor connected):
                # getsockopt(TCP_INFO) says what the kernel holds for it.
                found.append(((role != "server", fd, 0, 0),
                              State(role, fd, "-", "-", tcp_state(fd))))
        return [state for _key, state in sorted(found, key=lambda f: f[0])]

    def show_states(self, call: str) -> None:
        m = _NEW_SOCKET.match(call)
        if m:  # socket() returned a descriptor the demo has not tracked yet
            self.pending[int(m.group(1))] = self.transcript.role
        states = self.states()
        if states != self.shown:
            self.shown = states
            if self.print_states:
                for state in states:
                    for line in state.lines():
                        self.out(f"  {who('kernel')} {line}")
            self.transcript.events.append(Event("states", "", "", tuple(states)))

    def say(self, role: str, text: str) -> None:
        self.transcript.say(role, text)

    def as_(self, role: str) -> None:
        """The calls that follow are role's (server or client)."""
        self.transcript.role = role

    def track(self, fd: int) -> int:
        self.open_fds.append(fd)
        self.pending.pop(fd, None)
        st = os.fstat(fd)
        if stat.S_ISSOCK(st.st_mode):
            self.sockets[fd] = (self.transcript.role, st.st_ino)
        return fd

    def close(self, role: str, fd: int) -> None:
        self.open_fds.remove(fd)
        self.as_(role)
        cc.close(fd)

    def cleanup(self) -> None:
        """Close whatever a failed step left open (quietly: the error is the news)."""
        for fd in self.open_fds:
            cc.close_quietly(fd)
        self.open_fds.clear()

    def wait_in(self, role: str, fd: int) -> None:
        self.as_(role)
        cc.poll(fd, c.POLLIN, TIMEOUT_MS)

    def recv_some(self, role: str, fd: int, buf: CData) -> bytes:
        self.wait_in(role, fd)
        n = cc.recv(fd, buf, BLOCK)
        return bytes(c.buffer(buf, n))

    def recv_line(self, role: str, fd: int, buf: CData) -> bytes:
        data = b""
        while not data.endswith(b"\n"):
            got = self.recv_some(role, fd, buf)
            if not got:
                raise CliError(_("{role}: connection closed before a whole line arrived")
                               .format(role=_(role)))
            data += got
        return data

    def exchange(self, sender: tuple[str, int], receiver: tuple[str, int], data: bytes,
                 buf: CData) -> str:
        """sender send()s the line data; receiver recv()s until all of it arrived."""
        self.as_(sender[0])
        cc.send_bytes(sender[1], data)
        got = self.recv_line(*receiver, buf)
        if got != data:
            raise CliError(_("the {role} received {got!r}, not {data!r}").format(
                role=_(receiver[0]), got=got, data=data))
        return got.decode().rstrip()

    def connection(self, listener: int, address: CData) -> tuple[int, int, CData]:
        """A client connects to address; the server accept()s it."""
        self.as_("client")
        client = self.track(cc.socket())
        cc.connect(client, address)
        self.wait_in("server", listener)
        conn, peer = cc.accept(listener)
        return client, self.track(conn), peer

    def block(self, infile: int, conn: int, client: int, outfile: int,
              buf: CData, inbuf: CData) -> int:
        """One block of the file: the server reads and sends it, the client
        receives and writes all of it. Returns its size, 0 at end of file."""
        self.as_("server")
        n = cc.read(infile, buf, BLOCK)
        cc.send_all(conn, buf, n)  # loops on a partial send
        received = 0
        while received < n:  # the client drains the block before the next one
            self.wait_in("client", client)
            got = cc.recv(client, inbuf, BLOCK)
            if got == 0:
                raise CliError(_("connection closed in the middle of the file"))
            cc.write_all(outfile, inbuf, got)
            received += got
        return n

    def run(self, workdir: str) -> None:
        buf: CData = c.new("char[]", BLOCK)

        self.step(_("1. The server: socket(), bind() to 127.0.0.1 port 0, listen()"))
        self.as_("server")
        listener = self.track(cc.socket())
        cc.reuseaddr(listener)
        cc.bind(listener, sockaddr_in("127.0.0.1", 0))  # port 0: the kernel picks one
        cc.listen(listener, BACKLOG)
        port = self.port = port_of(cc.getsockname(listener))
        self.say("server", _("Listening on port {port}").format(port=port))

        self.step(_("2. A client connects; the server accept()s it"))
        address = sockaddr_in("127.0.0.1", port)
        client, conn, peer = self.connection(listener, address)
        self.say("server", _("connection from {ip}").format(ip=ip_of(peer)))

        self.step(_("3. The server greets; the client sends a line; the server prints it"))
        greeting = self.exchange(("server", conn), ("client", client), GREETING, buf)
        self.say("client", _("received greeting: {greeting}").format(greeting=greeting))
        line = self.exchange(("client", client), ("server", conn), LINE, buf)
        self.say("server", f"> [{ip_of(peer)}]: {line}")
        self.close("client", client)
        self.close("server", conn)

        self.step(_("4. A {size}-byte file, in {block}-byte blocks, over a second connection")
                  .format(size=FILE_SIZE, block=BLOCK))
        source = os.path.join(workdir, "enviado.bin")
        target = os.path.join(workdir, "recibido.bin")
        data = sample_file(FILE_SIZE)
        with open(source, "wb") as f:
            f.write(data)
        expected = hashlib.sha256(data).hexdigest()
        self.say("", _("generated {path} ({size} bytes)").format(path=source, size=FILE_SIZE))
        self.say("", f"sha256 {expected}")  # lines fit 80 columns (a projector)
        client, conn, peer = self.connection(listener, address)
        self.as_("server")
        infile = self.track(cc.open_file(source, c.O_RDONLY))
        self.as_("client")
        outfile = self.track(cc.open_file(target, c.O_WRONLY | c.O_CREAT | c.O_TRUNC, 0o600))
        inbuf: CData = c.new("char[]", BLOCK)
        blocks = sent = 0
        copy = (infile, conn, client, outfile, buf, inbuf)
        while blocks < SHOWN_BLOCKS and (n := self.block(*copy)):
            blocks, sent = blocks + 1, sent + n
        if n:
            self.say("", _("... (the loop goes on the same way, calls not shown) ..."))
            with self.transcript.quiet():
                while n := self.block(*copy):
                    blocks, sent = blocks + 1, sent + n
        self.say("", _("{blocks} blocks: {sent} bytes sent and received").format(
            blocks=blocks, sent=sent))
        self.close("server", infile)
        self.close("server", conn)  # end of file: the client's recv() returns 0
        self.wait_in("client", client)
        if cc.recv(client, inbuf, BLOCK) != 0:
            raise CliError(_("more bytes than the file arrived"))
        self.close("client", outfile)
        self.close("client", client)
        self.close("server", listener)

        with open(target, "rb") as f:
            arrived = hashlib.sha256(f.read()).hexdigest()
        self.step(_("5. Checking the copy"))
        self.say("", _("sha256 sent:"))
        self.say("", f"  {expected}")
        self.say("", _("sha256 received:"))
        self.say("", f"  {arrived}")
        if arrived != expected:
            raise CliError(_("sha256 mismatch: the file arrived damaged"))
        self.say("", _("sha256 match"))
        self.out("")
        self.out(_("demo OK: greeting, line and {size}-byte file all arrived intact "
                   "(port {port})").format(size=FILE_SIZE, port=port))


_NEW_SOCKET = re.compile(r"socket\(.*\) += (\d+)$")


def _own_sockets() -> dict[int, int]:
    """Socket inode -> descriptor, for this process (from /proc/self/fd)."""
    out = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if link.startswith("socket:["):
            out[int(link[8:-1])] = int(name)
    return out


def tcp_state(fd: int) -> str:
    """The kernel's state of a TCP socket we hold, by getsockopt(TCP_INFO)."""
    from csock._show import TCP_STATES, xval

    info = c.new("struct tcp_info *")
    size = c.new("socklen_t *", c.sizeof("struct tcp_info"))
    if c.lib.getsockopt(fd, c.IPPROTO_TCP, c.TCP_INFO, info, size) < 0:
        return "?"
    return xval(int(info.tcpi_state), TCP_STATES, "TCP_???").removeprefix("TCP_")


def _check_diagram_path(path: str) -> None:
    """Refuse, before the demo runs, a --diagram path that cannot be written."""
    folder = os.path.dirname(path) or "."
    err = None
    if os.path.isdir(path):
        err = c.EISDIR
    elif not os.path.isdir(folder):
        err = c.ENOENT if not os.path.exists(folder) else c.ENOTDIR
    elif not os.access(folder, os.W_OK | os.X_OK) and not (
            os.path.isfile(path) and os.access(path, os.W_OK)):
        err = c.EACCES
    if err is not None:
        raise CliError(_("cannot write {path}: {error}").format(
            path=cc.shown(path), error=cc.strerror(err)))


def run_demo(out: Callable[[str], None], states: bool = False, step: bool = False,
             diagram: str | None = None, hints: bool = False) -> int:
    if diagram is not None:
        _check_diagram_path(diagram)
    demo = Demo(out, states=states, step=step, diagram=diagram is not None)
    try:
        with tempfile.TemporaryDirectory(prefix="csock-demo-") as workdir, \
                traced(True, file=demo.transcript, hints=hints):
            demo.run(workdir)
    finally:
        demo.cleanup()  # after the trace: these closes are not the tutorial's
    if diagram is not None:
        from csock.cli import diagram as svg

        try:
            svg.write(diagram, demo.transcript.events)
        except OSError as exc:
            raise CliError(_("cannot write {path}: {error}").format(
                path=cc.shown(diagram), error=exc.strerror or exc)) from None
        out(_("sequence diagram written to {path}").format(path=diagram))
    return 0
