"""streamclient.py - streamclient.c line by line in Python, through csock.c.

    Usage: python streamclient.py HOST PORT MESSAGE

Tries each address getaddrinfo() gives for HOST and PORT until one connects,
prints "streamclient: connecting to ADDRESS", sends MESSAGE, shuts down its
sending side and prints everything the server sends back as
"streamclient: received 'TEXT'". Works with streamserver and forkserver.
"""

import os
import sys

import csock.c as c
from csock.c import *

MAXDATASIZE = 256  # the longest answer we keep


def get_in_addr(sa):
    """The address inside a sockaddr, IPv4 or IPv6."""
    if sa.sa_family == AF_INET:
        return addressof(cast("struct sockaddr_in *", sa), "sin_addr")
    return addressof(cast("struct sockaddr_in6 *", sa), "sin6_addr")


def sendall(s, buf, len):
    """Send all *len bytes; on return *len is how many went out."""
    total = 0  # bytes sent so far
    bytesleft = len[0]  # bytes still to send
    n = 0

    while total < len[0]:
        n = send(s, buf + total, bytesleft, 0)
        if n == -1:
            if c.errno == EINTR:
                continue
            break
        total += n
        bytesleft -= n
    len[0] = total
    return -1 if n == -1 else 0


def main(argc, argv):
    sockfd = -1
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    s = new("char[]", INET6_ADDRSTRLEN)
    buf = new("char[]", MAXDATASIZE)
    got = 0
    len = new("size_t *")

    if argc != 4:
        fprintf(stderr, b"usage: streamclient HOST PORT MESSAGE\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        return 1

    # Connect to the first address that answers.
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            perror(b"streamclient: socket")
            p = p.ai_next
            continue

        if connect(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            saved_errno = c.errno  # close() may change errno
            close(sockfd)
            c.errno = saved_errno
            perror(b"streamclient: connect")
            p = p.ai_next
            continue

        break

    if p == NULL:
        fprintf(stderr, b"streamclient: failed to connect\n")
        return 2

    inet_ntop(p.ai_family, get_in_addr(cast("struct sockaddr *", p.ai_addr)), s, sizeof(s))
    printf(b"streamclient: connecting to %s\n", s)
    fflush(stdout)

    freeaddrinfo(servinfo[0])  # done with the list

    len[0] = strlen(argv[3])
    if sendall(sockfd, argv[3], len) == -1:
        perror(b"sendall")
        exit(1)
    # No more to send: the server sees the end and finishes its echo.
    if shutdown(sockfd, SHUT_WR) == -1:
        perror(b"shutdown")
        exit(1)

    # Keep what fits, leaving room for the final '\0'.
    while (got < MAXDATASIZE - 1
           and (numbytes := recv(sockfd, buf + got, MAXDATASIZE - 1 - got, 0)) != 0):
        if numbytes == -1:
            perror(b"recv")
            exit(1)
        got += numbytes
    buf[got] = b"\0"

    printf(b"streamclient: received '%s'\n", buf)

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
