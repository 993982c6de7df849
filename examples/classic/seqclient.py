"""seqclient.py - seqclient.c line by line in Python, through csock.c.

    Usage: python seqclient.py HOST PORT NAME COUNT

Sends one struct request (COUNT in network order, NAME) and prints the block
it gets back: "seqclient: NAME got N to M".
"""

import os
import sys

import csock.c as c
from csock.c import *

cdef("""
/* What travels, both ways: 36 bytes, no padding. */
struct request {
    uint32_t seqNum; /* network order: how many asked; the first one given */
    char name[32];   /* the client's name, '\\0'-terminated */
};
""")


def readn(fd, vptr, n):
    """Read exactly n bytes; fewer when the peer closes first, -1 on error."""
    ptr = cast("char *", vptr)  # void * converts to char * without a cast
    nleft = n

    while nleft > 0:
        if (nread := recv(fd, ptr, nleft, 0)) == -1:
            if c.errno == EINTR:
                continue
            return -1
        if nread == 0:
            break  # EOF
        nleft -= nread
        ptr += nread
    return n - nleft


def main(argc, argv):
    sockfd = -1
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    req = new("struct request *")

    if argc != 5 or (count := strtol(argv[4], NULL, 10)) <= 0:
        fprintf(stderr, b"usage: seqclient HOST PORT NAME COUNT\n")
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
        fprintf(stderr, b"seqclient: failed to connect\n")
        exit(2)
    freeaddrinfo(servinfo[0])

    memset(req, 0, sizeof(req[0]))  # no stray bytes after the name
    req.seqNum = htonl(count & 0xFFFFFFFF)  # (uint32_t)count
    strncpy(req.name, argv[3], sizeof(req.name) - 1)

    if send(sockfd, req, sizeof(req[0]), 0) != sizeof(req[0]):
        perror(b"send")
        exit(1)
    if readn(sockfd, req, sizeof(req[0])) != sizeof(req[0]):
        fprintf(stderr, b"seqclient: short answer\n")
        exit(1)
    first = ntohl(req.seqNum)
    printf(b"seqclient: %s got %u to %u\n", req.name, first, (first + count - 1) & 0xFFFFFFFF)

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
