"""unixdgramclient.py - unixdgramclient.c line by line in Python, through csock.c.

    Usage: python unixdgramclient.py SERVERPATH CLIENTPATH MESSAGE

A datagram socket needs an address of its own to get an answer: this one
binds to CLIENTPATH, sends MESSAGE to SERVERPATH, prints "echo> TEXT" for the
answer, removes CLIENTPATH and exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *

MAXDATASIZE = 100  # the longest answer, with its '\0'


def main(argc, argv):
    local = new("struct sockaddr_un *")
    remote = new("struct sockaddr_un *")
    buf = new("char[]", MAXDATASIZE)

    if argc != 4:
        fprintf(stderr, b"usage: unixdgramclient SERVERPATH CLIENTPATH MESSAGE\n")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_DGRAM, 0)) == -1:
        perror(b"socket")
        exit(1)

    # Our own address, for the answer.
    memset(local, 0, sizeof(local[0]))
    local.sun_family = AF_UNIX
    strncpy(local.sun_path, argv[2], sizeof(local.sun_path) - 1)
    if unlink(local.sun_path) == -1 and c.errno != ENOENT:
        perror(b"unlink")
        exit(1)
    if bind(s, cast("struct sockaddr *", local), sizeof(local[0])) == -1:
        perror(b"bind")
        exit(1)

    memset(remote, 0, sizeof(remote[0]))
    remote.sun_family = AF_UNIX
    strncpy(remote.sun_path, argv[1], sizeof(remote.sun_path) - 1)
    if sendto(s, argv[3], strlen(argv[3]), 0, cast("struct sockaddr *", remote),
              sizeof(remote[0])) == -1:
        perror(b"sendto")
        exit(1)

    if (n := recv(s, buf, sizeof(buf) - 1, 0)) == -1:
        perror(b"recv")
        exit(1)
    buf[n] = b"\0"
    printf(b"echo> %s\n", buf)

    close(s)
    unlink(local.sun_path)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
