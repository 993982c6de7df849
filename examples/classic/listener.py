"""listener.py - listener.c line by line in Python, through csock.c.

    Usage: python listener.py HOST PORT COUNT

Binds a datagram socket to the first address getaddrinfo() gives for HOST and
PORT (PORT 0: the kernel picks one), prints "listener: waiting for datagrams
on port N" on stderr, then prints the sender, length and text of each of
COUNT datagrams on stdout, and exits 0.
"""

import os
import sys

from csock.c import *

MAXBUFLEN = 100  # the longest datagram we keep, with its '\0'


def get_in_addr(sa):
    """The address inside a sockaddr, IPv4 or IPv6."""
    if sa.sa_family == AF_INET:
        return addressof(cast("struct sockaddr_in *", sa), "sin_addr")
    return addressof(cast("struct sockaddr_in6 *", sa), "sin6_addr")


def get_in_port(sa):
    """The port inside a sockaddr, in host order."""
    if sa.sa_family == AF_INET:
        return ntohs(cast("struct sockaddr_in *", sa).sin_port)
    return ntohs(cast("struct sockaddr_in6 *", sa).sin6_port)


def main(argc, argv):
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    their_addr = new("struct sockaddr_storage *")
    buf = new("char[]", MAXBUFLEN)
    addr_len = new("socklen_t *")
    s = new("char[]", INET6_ADDRSTRLEN)

    if argc != 4 or (count := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: listener HOST PORT COUNT\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_DGRAM
    hints.ai_flags = AI_PASSIVE

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        return 1

    # Bind to the first address that works.
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            perror(b"listener: socket")
            p = p.ai_next
            continue

        if bind(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            close(sockfd)
            perror(b"listener: bind")
            p = p.ai_next
            continue

        break

    if p == NULL:
        fprintf(stderr, b"listener: failed to bind socket\n")
        return 2
    freeaddrinfo(servinfo[0])

    addr_len[0] = sizeof(their_addr[0])
    if getsockname(sockfd, cast("struct sockaddr *", their_addr), addr_len) == -1:
        perror(b"getsockname")
        exit(1)
    fprintf(stderr, b"listener: waiting for datagrams on port %d\n",
            get_in_port(cast("struct sockaddr *", their_addr)))

    for i in range(count):
        addr_len[0] = sizeof(their_addr[0])
        if (numbytes := recvfrom(sockfd, buf, MAXBUFLEN - 1, 0,
                                 cast("struct sockaddr *", their_addr), addr_len)) == -1:
            perror(b"recvfrom")
            exit(1)

        printf(b"listener: got packet from %s\n",
               inet_ntop(their_addr.ss_family,
                         get_in_addr(cast("struct sockaddr *", their_addr)), s, sizeof(s)))
        printf(b"listener: packet is %zd bytes long\n", numbytes)
        buf[numbytes] = b"\0"  # a datagram is bytes: make it a string
        printf(b'listener: packet contains "%s"\n', buf)
        fflush(stdout)

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
