"""seqserver.py - seqserver.c line by line in Python, through csock.c.

    Usage: python seqserver.py HOST PORT MAXCLIENTS

Listens like streamserver ("seqserver: waiting for connections on port N" on
stderr). Each client sends one struct request: how many numbers it wants
(seqNum, network order) and its name. The answer is the same struct with
seqNum set to the first number of the block; the next client's block starts
after it. Numbers start at 1. Exits 0 after MAXCLIENTS clients.
"""

import os
import sys

import csock.c as c
from csock.c import *

BACKLOG = 10  # connections waiting for accept()

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
    yes = new("int *", 1)
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    bound = new("struct sockaddr_in6 *")  # big enough for either family's answer
    len = new("socklen_t *")
    req = new("struct request *")
    next = 1

    if argc != 4 or (maxclients := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: seqserver HOST PORT MAXCLIENTS\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM
    hints.ai_flags = AI_PASSIVE
    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        exit(1)
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            p = p.ai_next
            continue
        setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof("int"))
        if bind(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            close(sockfd)
            p = p.ai_next
            continue
        break
    if p == NULL:
        fprintf(stderr, b"seqserver: failed to bind\n")
        exit(1)
    freeaddrinfo(servinfo[0])

    if listen(sockfd, BACKLOG) == -1:
        perror(b"listen")
        exit(1)

    # sin_port and sin6_port are at the same offset.
    len[0] = sizeof(bound[0])
    if getsockname(sockfd, cast("struct sockaddr *", bound), len) == -1:
        perror(b"getsockname")
        exit(1)
    fprintf(stderr, b"seqserver: waiting for connections on port %d\n", ntohs(bound.sin6_port))

    for served in range(maxclients):
        if (new_fd := accept(sockfd, NULL, NULL)) == -1:
            perror(b"accept")
            exit(1)

        if readn(new_fd, req, sizeof(req[0])) != sizeof(req[0]):
            fprintf(stderr, b"seqserver: short request\n")
            close(new_fd)
            continue
        req.name[sizeof(req.name) - 1] = b"\0"  # never trust the peer's string
        wanted = ntohl(req.seqNum)

        printf(b"seqserver: %s wants %u, gets %u to %u\n", req.name, wanted, next,
               (next + wanted - 1) & 0xFFFFFFFF)
        fflush(stdout)

        req.seqNum = htonl(next)
        next = (next + wanted) & 0xFFFFFFFF  # uint32_t wraps around
        if send(new_fd, req, sizeof(req[0]), 0) != sizeof(req[0]):
            perror(b"send")

        close(new_fd)

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
