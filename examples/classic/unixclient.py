"""unixclient.py - unixclient.c line by line in Python, through csock.c.

    Usage: python unixclient.py PATH MESSAGE...

Connects to the AF_UNIX stream socket at PATH; for each MESSAGE sends it and
waits for as many bytes back, printing "echo> TEXT". Exits 0.
"""

import os
import sys

from csock.c import *

MAXDATASIZE = 100  # the longest message, with its '\0'


def main(argc, argv):
    remote = new("struct sockaddr_un *")
    str = new("char[]", MAXDATASIZE)

    if argc < 3:
        fprintf(stderr, b"usage: unixclient PATH MESSAGE...\n")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        exit(1)

    memset(remote, 0, sizeof(remote[0]))
    remote.sun_family = AF_UNIX
    strncpy(remote.sun_path, argv[1], sizeof(remote.sun_path) - 1)
    if connect(s, cast("struct sockaddr *", remote), sizeof(remote[0])) == -1:
        perror(b"connect")
        exit(1)

    for i in range(2, argc):
        len = strlen(argv[i])
        if len >= sizeof(str):
            fprintf(stderr, b"unixclient: message too long\n")
            exit(1)
        if send(s, argv[i], len, 0) == -1:
            perror(b"send")
            exit(1)

        # The echo may come back in pieces.
        got = 0
        while got < len:
            if (n := recv(s, str + got, len - got, 0)) <= 0:
                if n < 0:
                    perror(b"recv")
                else:
                    fprintf(stderr, b"unixclient: server closed connection\n")
                exit(1)
            got += n
        str[got] = b"\0"
        printf(b"echo> %s\n", str)

    close(s)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
