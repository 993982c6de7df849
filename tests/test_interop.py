"""What the README says a csock.Socket works with, each claim kept true:
selectors, asyncio's sock_* methods and transports, ssl's wrap_socket,
socketserver and http.client directly; trio, anyio and anything that needs a
real socket.socket through detach()."""

from __future__ import annotations

import asyncio
import selectors
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import csock


def test_selectors_echo() -> None:
    a, b = csock.socketpair()
    with a, b, selectors.DefaultSelector() as sel:
        a.setblocking(False)
        sel.register(a, selectors.EVENT_READ)
        assert sel.select(0) == []
        b.sendall(b"ping")
        events = sel.select(5)
        assert [key.fileobj for key, _ in events] == [a]
        assert a.recv(4) == b"ping"


def test_asyncio_sock_methods() -> None:
    async def main() -> bytes:
        loop = asyncio.get_running_loop()
        with csock.create_server(("127.0.0.1", 0)) as listener:
            listener.setblocking(False)
            client = csock.Socket(csock.AF_INET, csock.SOCK_STREAM)
            client.setblocking(False)
            with client:
                await loop.sock_connect(client, listener.getsockname())
                conn, _ = await loop.sock_accept(listener)
                with conn:
                    conn.setblocking(False)
                    await loop.sock_sendall(client, b"hello asyncio")
                    data = b""
                    while len(data) < 13:
                        data += await loop.sock_recv(conn, 100)
                    return data

    assert asyncio.run(main()) == b"hello asyncio"


def test_asyncio_streams_on_csock_sockets() -> None:
    async def main() -> bytes:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            line = await reader.readline()
            writer.write(line.upper())
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        listener = csock.create_server(("127.0.0.1", 0))
        address = listener.getsockname()
        server = await asyncio.start_server(handle, sock=listener)
        async with server:
            client = csock.create_connection(address, timeout=5)
            reader, writer = await asyncio.open_connection(sock=client)
            writer.write(b"hola\n")
            await writer.drain()
            answer = await reader.readline()
            writer.close()
            await writer.wait_closed()
            return answer

    assert asyncio.run(main()) == b"HOLA\n"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, made by openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=120)
    return cert, key


def test_ssl_wrap_socket(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))
    listener = csock.create_server(("127.0.0.1", 0))
    result: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            result.append(tls.recv(100))
            tls.sendall(b"secret received")

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        client = csock.create_connection(listener.getsockname(), timeout=10)
        # server_hostname is only sent (SNI) and checked against the certificate.
        with client_ctx.wrap_socket(client, server_hostname="localhost") as tls:
            tls.sendall(b"secret")
            assert tls.recv(100) == b"secret received"
            assert tls.version() is not None
        thread.join(10)
    finally:
        listener.close()
    assert result == [b"secret"]


def test_socketserver_on_csock_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    class Upper(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(self.rfile.readline().upper())

    monkeypatch.setattr(socket, "socket", csock.Socket)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Upper)
    assert isinstance(server.socket, csock.Socket)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        with csock.create_connection(server.server_address, timeout=10) as client:  # type: ignore[arg-type]
            client.sendall(b"abc\n")
            assert client.makefile("rb").readline() == b"ABC\n"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def connected() -> Iterator[tuple[csock.Socket, csock.Socket]]:
    a, b = csock.socketpair()
    with a, b:
        yield a, b


def test_detach_hands_the_descriptor_to_a_real_socket(
        connected: tuple[csock.Socket, csock.Socket]) -> None:
    """trio's from_stdlib_socket, anyio and the like need a socket.socket."""
    a, b = connected
    family, kind = a.family, a.type
    real = socket.socket(family, kind, fileno=a.detach())
    with real:
        assert a.fileno() == -1
        real.sendall(b"over")
        assert b.recv(4) == b"over"
        back = csock.Socket(fileno=real.detach())
        with back:
            b.sendall(b"back")
            assert back.recv(4) == b"back"
