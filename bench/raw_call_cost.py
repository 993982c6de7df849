"""Instructions per raw csock.c call, for callgrind (tracing and hints off).

    valgrind --tool=callgrind python bench/raw_call_cost.py N htons|send_recv

Run it with N and 10*N and divide the difference of the "Collected" totals
by 9*N: the cost of one htons(1), or of one send/recv pair over a
socketpair, without the start-up. Used to check that hints cost nothing
when off (csock.c's names are then the raw cffi functions).
"""

from __future__ import annotations

import sys

import csock.c as c


def main() -> None:
    n, what = int(sys.argv[1]), sys.argv[2]
    sv = c.new("int[2]")
    assert c.socketpair(c.AF_UNIX, c.SOCK_STREAM, 0, sv) == 0
    buf, msg = c.new("char[]", 16), c.new("char[]", b"hola")
    htons, send, recv = c.htons, c.send, c.recv
    a, b = sv[0], sv[1]
    if what == "htons":
        for _ in range(n):
            htons(1)
    else:
        for _ in range(n):
            send(a, msg, 4, 0)
            recv(b, buf, 16, 0)
    c.close(a)
    c.close(b)


if __name__ == "__main__":
    main()
