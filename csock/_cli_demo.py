"""``python -m csock demo``: the tutorial's server and client, in one process.

One thread plays both sides over loopback. Every step that could block is
preceded by poll() with a timeout, so a failure ends the demo with an error
instead of hanging. Each C call is printed as C, with its result.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable

import csock.c as c
from csock._cli_c import BLOCK, Calls, CData, CliError, ip_of, port_of, sockaddr_in
from csock._cli_commands import BACKLOG, GREETING

LINE = b"Hola desde el cliente\n"
FILE_SIZE = 100 * 1024
TIMEOUT_MS = 5000


def sample_file(size: int) -> bytes:
    """size bytes of numbered text lines (readable in the trace of send/recv)."""
    lines = (b"%05d Bienvenido al Eagle14! linea %d del fichero de prueba\n" % (i, i)
             for i in range(1, size // 40 + 2))
    return b"".join(lines)[:size]


class Demo:
    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.role = ""
        self.calls = Calls(lambda line: self.out(f"  {self.role:<6} {line}"))
        self.open_fds: list[int] = []

    def step(self, title: str) -> None:
        self.out("")
        self.out(f"== {title}")

    def say(self, role: str, text: str) -> None:
        self.out(f"  {role:<6} {text}" if role else f"  {text}")

    def as_(self, role: str) -> Calls:
        self.role = role
        return self.calls

    def track(self, fd: int) -> int:
        self.open_fds.append(fd)
        return fd

    def close(self, role: str, fd: int) -> None:
        self.open_fds.remove(fd)
        self.as_(role).close(fd)

    def cleanup(self) -> None:
        """Close whatever a failed step left open (quietly: the error is the news)."""
        for fd in self.open_fds:
            c.close(fd)
        self.open_fds.clear()

    def wait_in(self, role: str, fd: int) -> None:
        self.as_(role).poll(fd, c.POLLIN, TIMEOUT_MS)

    def recv_some(self, role: str, fd: int, buf: CData) -> bytes:
        self.wait_in(role, fd)
        n = self.as_(role).recv(fd, buf, BLOCK)
        return bytes(c.buffer(buf, n))

    def recv_line(self, role: str, fd: int, buf: CData) -> bytes:
        data = b""
        while not data.endswith(b"\n"):
            got = self.recv_some(role, fd, buf)
            if not got:
                raise CliError(f"{role}: connection closed before a whole line arrived")
            data += got
        return data

    def run(self, workdir: str) -> None:
        buf: CData = c.new("char[]", BLOCK)

        self.step("1. The server: socket(), bind() to 127.0.0.1 port 0, listen()")
        server = self.as_("server")
        listener = self.track(server.socket())
        server.reuseaddr(listener)
        server.bind(listener, sockaddr_in("127.0.0.1", 0))  # port 0: the kernel picks one
        server.listen(listener, BACKLOG)
        bound = server.getsockname(listener)
        port = port_of(bound)
        self.say("server", f"Escuchando en el puerto {port}")

        self.step("2. A client connects; the server accept()s it")
        address = sockaddr_in("127.0.0.1", port)
        client = self.track(self.as_("client").socket())
        self.as_("client").connect(client, address)
        self.wait_in("server", listener)
        conn, peer = self.as_("server").accept(listener)
        self.track(conn)
        self.say("server", f"conexion desde {ip_of(peer)}")

        self.step("3. The server greets; the client sends a line; the server prints it")
        self.as_("server").send_bytes(conn, GREETING)
        greeting = self.recv_line("client", client, buf)
        self.say("client", f"received greeting: {greeting.decode().rstrip()}")
        if greeting != GREETING:
            raise CliError(f"wrong greeting {greeting!r}")
        self.as_("client").send_bytes(client, LINE)
        line = self.recv_line("server", conn, buf)
        self.say("server", f"> [{ip_of(peer)}]: {line.decode().rstrip()}")
        if line != LINE:
            raise CliError(f"the server received {line!r}, not {LINE!r}")
        self.close("client", client)
        self.close("server", conn)

        self.step(f"4. A {FILE_SIZE}-byte file, in {BLOCK}-byte blocks, over a second connection")
        source = os.path.join(workdir, "enviado.bin")
        target = os.path.join(workdir, "recibido.bin")
        data = sample_file(FILE_SIZE)
        with open(source, "wb") as f:
            f.write(data)
        expected = hashlib.sha256(data).hexdigest()
        self.say("", f"generated {source} ({FILE_SIZE} bytes, sha256 {expected})")
        client = self.track(self.as_("client").socket())
        self.as_("client").connect(client, address)
        self.wait_in("server", listener)
        conn, peer = self.as_("server").accept(listener)
        self.track(conn)
        infile = self.track(self.as_("server").open(source, c.O_RDONLY))
        outfile = self.track(
            self.as_("client").open(target, c.O_WRONLY | c.O_CREAT | c.O_TRUNC, 0o600))
        inbuf: CData = c.new("char[]", BLOCK)
        blocks = sent = received = 0
        shown = 2  # trace the first blocks in full, then summarize
        while True:
            if blocks == shown:
                self.calls.muted += 1
                self.say("", "... (the loop goes on the same way, calls not shown) ...")
            n = self.as_("server").read(infile, buf, BLOCK)
            if n == 0:
                break
            self.as_("server").send_all(conn, buf, n)  # loops on a partial send
            sent += n
            blocks += 1
            while received < sent:  # the client drains the block before the next one
                self.wait_in("client", client)
                got = self.as_("client").recv(client, inbuf, BLOCK)
                if got == 0:
                    raise CliError("connection closed in the middle of the file")
                self.as_("client").write_all(outfile, inbuf, got)
                received += got
        if blocks >= shown:
            self.calls.muted -= 1
        self.say("", f"{blocks} blocks: {sent} bytes sent, {received} bytes received")
        self.close("server", infile)
        self.close("server", conn)  # end of file: the client's recv() returns 0
        self.wait_in("client", client)
        if self.as_("client").recv(client, inbuf, BLOCK) != 0:
            raise CliError("more bytes than the file arrived")
        self.close("client", outfile)
        self.close("client", client)
        self.close("server", listener)

        with open(target, "rb") as f:
            arrived = hashlib.sha256(f.read()).hexdigest()
        self.step("5. Checking the copy")
        self.say("", f"sha256 sent:     {expected}")
        self.say("", f"sha256 received: {arrived}")
        if arrived != expected:
            raise CliError("sha256 mismatch: the file arrived damaged")
        self.say("", "sha256 match")
        self.out("")
        self.out(f"demo OK: greeting, line and {FILE_SIZE}-byte file all arrived intact "
                 f"(port {port})")


def run_demo(out: Callable[[str], None]) -> int:
    demo = Demo(out)
    try:
        with tempfile.TemporaryDirectory(prefix="csock-demo-") as workdir:
            demo.run(workdir)
    finally:
        demo.cleanup()
    return 0
