"""An echo server with csock's Pythonic layer: one thread per client.

    python examples/pythonic/echo_server.py [PORT] [--max-clients N]

Listens on 127.0.0.1 (PORT 0 picks a free port), prints
``listening on 127.0.0.1:PORT`` on stderr, and sends back whatever each client
sends until it closes.
"""

from __future__ import annotations

import argparse
import sys
import threading

import csock


def serve_client(conn: csock.Socket) -> None:
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Echo server on 127.0.0.1 (csock).")
    parser.add_argument("port", type=int, nargs="?", default=10000, help="port (default 10000)")
    parser.add_argument("--max-clients", type=int, default=None,
                        help="exit after serving this many clients")
    args = parser.parse_args(argv)
    threads = []
    with csock.create_server(("127.0.0.1", args.port), backlog=64) as server:
        print(f"listening on 127.0.0.1:{server.getsockname()[1]}", file=sys.stderr, flush=True)
        served = 0
        try:
            while args.max_clients is None or served < args.max_clients:
                conn, _ = server.accept()
                thread = threading.Thread(target=serve_client, args=(conn,), daemon=True)
                thread.start()
                threads.append(thread)
                served += 1
        except KeyboardInterrupt:
            pass
    for thread in threads:
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
