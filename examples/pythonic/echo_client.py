"""An echo client with csock's Pythonic layer.

    echo hola | python examples/pythonic/echo_client.py HOST PORT

Sends each line of standard input and prints what comes back.
"""

from __future__ import annotations

import argparse
import sys

import csock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Echo client (csock).")
    parser.add_argument("host", help="server address, e.g. 127.0.0.1")
    parser.add_argument("port", type=int, help="server port")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds (default 5)")
    args = parser.parse_args(argv)
    with csock.create_connection((args.host, args.port), timeout=args.timeout) as sock:
        replies = sock.makefile("rb")
        for line in sys.stdin.buffer:
            sock.sendall(line)
            sys.stdout.buffer.write(replies.readline())
            sys.stdout.flush()
        replies.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
