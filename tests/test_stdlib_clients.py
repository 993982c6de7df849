"""The standard library's own clients over csock sockets.

With socket.socket, create_connection, socketpair and fromfd replaced by
csock's, http.client, urllib, xmlrpc.client and smtplib talk to local servers
(127.0.0.1, started before the swap, on socket's own sockets). They pass the
standard library's _GLOBAL_DEFAULT_TIMEOUT sentinel to create_connection, and
socket.setdefaulttimeout() is the one default of both modules.
"""

from __future__ import annotations

import http.client
import http.server
import smtplib
import socket
import socketserver
import threading
import urllib.request
import xmlrpc.client
import xmlrpc.server
from collections.abc import Iterator
from typing import Any

import pytest

import csock

BODY = b"hola desde csock\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _serve(server: socketserver.BaseServer) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]  # type: ignore[misc]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def http_port() -> Iterator[int]:
    yield from _serve(http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler))


@pytest.fixture
def csock_sockets(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """socket's constructors replaced by csock's; the sockets made are recorded."""
    made: list[Any] = []

    def create_connection(*args: Any, **kwargs: Any) -> csock.Socket:
        sock = csock.create_connection(*args, **kwargs)
        made.append(sock)
        return sock

    monkeypatch.setattr(socket, "socket", csock.Socket)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "socketpair", csock.socketpair)
    monkeypatch.setattr(socket, "fromfd", csock.fromfd)
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return made


def test_sentinel_is_the_standard_librarys() -> None:
    assert csock._GLOBAL_DEFAULT_TIMEOUT is socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]


def test_default_timeout_is_one_value_for_both_modules() -> None:
    saved = socket.getdefaulttimeout()
    try:
        socket.setdefaulttimeout(2.5)
        assert csock.getdefaulttimeout() == 2.5
        with csock.socket() as s:
            assert s.gettimeout() == 2.5
        csock.setdefaulttimeout(None)
        assert socket.getdefaulttimeout() is None
        csock.setdefaulttimeout(4)
        with socket.socket() as s:
            assert s.gettimeout() == 4.0
    finally:
        socket.setdefaulttimeout(saved)


def test_http_client(http_port: int, csock_sockets: list[Any]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", http_port)  # the sentinel timeout
    try:
        conn.request("GET", "/")
        assert isinstance(conn.sock, csock.Socket)
        response = conn.getresponse()
        assert response.status == 200 and response.read() == BODY
    finally:
        conn.close()


def test_http_client_with_default_timeout(http_port: int, csock_sockets: list[Any]) -> None:
    saved = socket.getdefaulttimeout()
    socket.setdefaulttimeout(7.0)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", http_port)
        conn.request("GET", "/")
        assert conn.getresponse().read() == BODY
        conn.close()
        assert [s.gettimeout() for s in csock_sockets] == [7.0]
    finally:
        socket.setdefaulttimeout(saved)


def test_urllib(http_port: int, csock_sockets: list[Any]) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{http_port}/", timeout=10) as response:
        assert response.read() == BODY
    assert csock_sockets and all(isinstance(s, csock.Socket) for s in csock_sockets)


def test_xmlrpc_client(csock_sockets: list[Any]) -> None:
    server = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False,
                                              bind_and_activate=True)
    server.register_function(lambda a, b: a + b, "add")
    for port in _serve(server):
        with xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/") as proxy:
            assert proxy.add(2, 3) == 5
    assert csock_sockets


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib.sendmail; records the message."""

    received: list[bytes] = []

    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP\r\n")
        data: list[bytes] = []
        in_data = False
        for line in self.rfile:
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.received.append(b"".join(data))
                    self.wfile.write(b"250 OK\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # EHLO, HELO, MAIL, RCPT
                self.wfile.write(b"250 OK\r\n")


def test_smtplib(csock_sockets: list[Any]) -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    _SMTPHandler.received = []
    for port in _serve(server):
        # local_hostname given: smtplib would otherwise ask getfqdn(), a lookup.
        with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost", timeout=10) as smtp:
            smtp.sendmail("a@example.invalid", ["b@example.invalid"],
                          "Subject: hola\r\n\r\nhola\r\n")
            assert isinstance(smtp.sock, csock.Socket)
    assert any(b"hola" in message for message in _SMTPHandler.received)
