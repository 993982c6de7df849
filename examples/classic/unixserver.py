"""unixserver.py - unixserver.c line by line in Python, through csock.c.

    Usage: python unixserver.py PATH MAXCLIENTS

Removes any old PATH, binds the socket there, listens and prints
"unixserver: waiting on PATH" on stderr. Serves clients one after another,
sending back everything each one sends until it closes. After MAXCLIENTS
clients it removes PATH and exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *

MAXDATASIZE = 100  # bytes per recv()


def main(argc, argv):
    local = new("struct sockaddr_un *")
    remote = new("struct sockaddr_un *")
    t = new("socklen_t *")
    str = new("char[]", MAXDATASIZE)

    if argc != 3 or (maxclients := atoi(argv[2])) <= 0:
        fprintf(stderr, b"usage: unixserver PATH MAXCLIENTS\n")
        exit(1)
    if strlen(argv[1]) >= sizeof(local.sun_path):
        fprintf(stderr, b"unixserver: path too long\n")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        exit(1)

    memset(local, 0, sizeof(local[0]))
    local.sun_family = AF_UNIX
    strcpy(local.sun_path, argv[1])
    # A socket file left by an earlier run would make bind() fail.
    if unlink(local.sun_path) == -1 and c.errno != ENOENT:
        perror(b"unlink")
        exit(1)
    if bind(s, cast("struct sockaddr *", local), sizeof(local[0])) == -1:
        perror(b"bind")
        exit(1)

    if listen(s, 5) == -1:
        perror(b"listen")
        exit(1)
    fprintf(stderr, b"unixserver: waiting on %s\n", local.sun_path)

    for served in range(maxclients):
        t[0] = sizeof(remote[0])
        if (s2 := accept(s, cast("struct sockaddr *", remote), t)) == -1:
            perror(b"accept")
            exit(1)
        printf(b"unixserver: connected\n")
        fflush(stdout)

        # Echo until the client closes (recv() returns 0).
        while (n := recv(s2, str, sizeof(str), 0)) > 0:
            if send(s2, str, n, 0) == -1:
                perror(b"send")
                break
        if n == -1:
            perror(b"recv")

        close(s2)

    close(s)
    unlink(local.sun_path)  # leave nothing behind
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
