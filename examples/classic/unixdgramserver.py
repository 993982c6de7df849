"""unixdgramserver.py - unixdgramserver.c line by line in Python, through csock.c.

    Usage: python unixdgramserver.py PATH COUNT

Binds to PATH (removing an old one first), prints "unixdgramserver: waiting
on PATH" on stderr, then sends each of COUNT datagrams back to the path it
came from, printing its length and sender. Removes PATH and exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *

MAXDATASIZE = 100  # the longest datagram


def main(argc, argv):
    local = new("struct sockaddr_un *")
    remote = new("struct sockaddr_un *")
    len = new("socklen_t *")
    buf = new("char[]", MAXDATASIZE)

    if argc != 3 or (count := atoi(argv[2])) <= 0:
        fprintf(stderr, b"usage: unixdgramserver PATH COUNT\n")
        exit(1)
    if strlen(argv[1]) >= sizeof(local.sun_path):
        fprintf(stderr, b"unixdgramserver: path too long\n")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_DGRAM, 0)) == -1:
        perror(b"socket")
        exit(1)

    memset(local, 0, sizeof(local[0]))
    local.sun_family = AF_UNIX
    strcpy(local.sun_path, argv[1])
    if unlink(local.sun_path) == -1 and c.errno != ENOENT:
        perror(b"unlink")
        exit(1)
    if bind(s, cast("struct sockaddr *", local), sizeof(local[0])) == -1:
        perror(b"bind")
        exit(1)
    fprintf(stderr, b"unixdgramserver: waiting on %s\n", local.sun_path)

    for i in range(count):
        len[0] = sizeof(remote[0])
        if (n := recvfrom(s, buf, sizeof(buf), 0, cast("struct sockaddr *", remote), len)) == -1:
            perror(b"recvfrom")
            exit(1)
        printf(b"unixdgramserver: %zd bytes from %s\n", n, remote.sun_path)
        fflush(stdout)

        # The client bound its own path: that is where the answer goes.
        if sendto(s, buf, n, 0, cast("struct sockaddr *", remote), len[0]) == -1:
            perror(b"sendto")

    close(s)
    unlink(local.sun_path)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
