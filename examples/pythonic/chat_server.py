"""A chat server: one thread, non-blocking csock Sockets under ``selectors``.

    python examples/pythonic/chat_server.py [PORT] [--max-clients N]

Each client is greeted with ``welcome HOST:PORT``; every line a client sends
goes to all the other clients, prefixed with the sender's address. Prints
``listening on 127.0.0.1:PORT`` on stderr.
"""

from __future__ import annotations

import argparse
import selectors
import sys

import csock


class ChatServer:
    def __init__(self, port: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.server = csock.create_server(("127.0.0.1", port))
        self.server.setblocking(False)
        self.selector.register(self.server, selectors.EVENT_READ)
        self.pending: dict[csock.Socket, bytes] = {}  # partial lines per client
        self.names: dict[csock.Socket, str] = {}
        self.accepted = 0

    @property
    def port(self) -> int:
        return int(self.server.getsockname()[1])

    def broadcast(self, sender: csock.Socket, line: bytes) -> None:
        message = f"[{self.names[sender]}] ".encode() + line
        for client in list(self.names):
            if client is not sender:
                try:
                    client.setblocking(True)  # short lines: simplest correct choice
                    client.sendall(message)
                    client.setblocking(False)
                except OSError:
                    self.drop(client)

    def drop(self, client: csock.Socket) -> None:
        if client in self.names:
            self.selector.unregister(client)
            del self.names[client]
            self.pending.pop(client, None)
            client.close()

    def step(self, timeout: float | None = None) -> None:
        for key, _ in self.selector.select(timeout):
            sock = key.fileobj
            assert isinstance(sock, csock.Socket)
            if sock is self.server:
                conn, addr = self.server.accept()
                conn.setblocking(False)
                self.names[conn] = f"{addr[0]}:{addr[1]}"
                self.pending[conn] = b""
                self.selector.register(conn, selectors.EVENT_READ)
                self.accepted += 1
                conn.setblocking(True)
                conn.sendall(f"welcome {self.names[conn]}\n".encode())
                conn.setblocking(False)
                continue
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                self.drop(sock)
                continue
            if not data:
                self.drop(sock)
                continue
            buffered = self.pending[sock] + data
            *lines, rest = buffered.split(b"\n")
            self.pending[sock] = rest
            for line in lines:
                self.broadcast(sock, line + b"\n")

    def close(self) -> None:
        for client in list(self.names):
            self.drop(client)
        self.selector.unregister(self.server)
        self.selector.close()
        self.server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Line chat server on 127.0.0.1 (csock).")
    parser.add_argument("port", type=int, nargs="?", default=10000, help="port (default 10000)")
    parser.add_argument("--max-clients", type=int, default=None,
                        help="exit once this many clients have come and gone")
    args = parser.parse_args(argv)
    chat = ChatServer(args.port)
    print(f"listening on 127.0.0.1:{chat.port}", file=sys.stderr, flush=True)
    try:
        while args.max_clients is None or chat.accepted < args.max_clients or chat.names:
            chat.step()
    except KeyboardInterrupt:
        pass
    finally:
        chat.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
