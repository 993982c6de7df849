"""chatclient.py - chatclient.c line by line in Python, through csock.c.

    Usage: python chatclient.py HOST PORT

Connects to the first address of HOST and PORT that answers, then waits on
both standard input and the socket: what is typed is sent, what arrives is
written to stdout. At the end of input it shuts down its sending side and
goes on printing until the server closes the connection; then exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *

MAXDATASIZE = 256  # bytes per read() or recv()


def writeall(fd, buf, len):
    """Write all len bytes to fd: write() may write fewer."""
    while len > 0:
        if (n := write(fd, buf, len)) == -1:
            if c.errno == EINTR:
                continue
            return -1
        buf += n
        len -= n
    return 0


def main(argc, argv):
    sockfd = -1
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    readfds = new("fd_set *")
    buf = new("char[]", MAXDATASIZE)
    reading_stdin = 1

    if argc != 3:
        fprintf(stderr, b"usage: chatclient HOST PORT\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        exit(1)

    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            p = p.ai_next
            continue
        if connect(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            close(sockfd)
            p = p.ai_next
            continue
        break
    if p == NULL:
        fprintf(stderr, b"chatclient: failed to connect\n")
        exit(2)
    freeaddrinfo(servinfo[0])

    while True:
        FD_ZERO(readfds)
        if reading_stdin:
            FD_SET(STDIN_FILENO, readfds)
        FD_SET(sockfd, readfds)

        if select(sockfd + 1, readfds, NULL, NULL, NULL) == -1:
            if c.errno == EINTR:
                continue
            perror(b"select")
            exit(1)

        if reading_stdin and FD_ISSET(STDIN_FILENO, readfds):
            if (n := read(STDIN_FILENO, buf, sizeof(buf))) <= 0:
                # End of input: the server sees our end, we keep reading.
                reading_stdin = 0
                if shutdown(sockfd, SHUT_WR) == -1:
                    perror(b"shutdown")
                    exit(1)
            elif send(sockfd, buf, n, 0) == -1:
                perror(b"send")
                exit(1)

        if FD_ISSET(sockfd, readfds):
            if (n := recv(sockfd, buf, sizeof(buf), 0)) == -1:
                perror(b"recv")
                exit(1)
            if n == 0:
                break  # the server closed the connection
            if writeall(STDOUT_FILENO, buf, n) == -1:
                perror(b"write")
                exit(1)

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
