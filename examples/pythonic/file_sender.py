"""Send a file with zero-copy sendfile(2) through csock.Socket.sendfile.

    python examples/pythonic/file_sender.py FILE [PORT] [--max-clients N]

Each client that connects to 127.0.0.1:PORT receives FILE, then the
connection closes. Receive it with ``python -m csock fetch-file``, or:
``python examples/pythonic/file_sender.py --fetch HOST PORT OUTFILE``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys

import csock


def serve(path: str, port: int, max_clients: int | None) -> int:
    with open(path, "rb") as f, csock.create_server(("127.0.0.1", port)) as server:
        print(f"listening on 127.0.0.1:{server.getsockname()[1]}", file=sys.stderr, flush=True)
        served = 0
        while max_clients is None or served < max_clients:
            conn, addr = server.accept()
            with conn:
                sent = conn.sendfile(f, 0)
            print(f"sent {sent} bytes to {addr[0]}:{addr[1]}", file=sys.stderr, flush=True)
            served += 1
    return 0


def fetch(host: str, port: int, outfile: str) -> int:
    digest = hashlib.sha256()
    total = 0
    buf = bytearray(65536)
    with csock.create_connection((host, port), timeout=10) as sock, open(outfile, "wb") as out:
        while n := sock.recv_into(buf):
            out.write(buf[:n])
            digest.update(buf[:n])
            total += n
    print(f"{total} bytes sha256 {digest.hexdigest()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a file with sendfile(2) (csock).")
    parser.add_argument("--fetch", nargs=3, metavar=("HOST", "PORT", "OUTFILE"),
                        help="receive a file instead of serving one")
    parser.add_argument("file", nargs="?", help="file to serve")
    parser.add_argument("port", type=int, nargs="?", default=10001, help="port (default 10001)")
    parser.add_argument("--max-clients", type=int, default=None, help="exit after N clients")
    args = parser.parse_args(argv)
    if args.fetch:
        host, port, outfile = args.fetch
        return fetch(host, int(port), outfile)
    if args.file is None:
        parser.error("FILE is required unless --fetch is given")
    return serve(args.file, args.port, args.max_clients)


if __name__ == "__main__":
    sys.exit(main())
