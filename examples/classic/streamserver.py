"""streamserver.py - streamserver.c line by line in Python, through csock.c.

    Usage: python streamserver.py HOST PORT MAXCLIENTS

Binds the first address getaddrinfo() gives for HOST and PORT (PORT 0: the
kernel picks one) and prints "streamserver: waiting for connections on
port N" on stderr. Clients are served one after another: each one's address
is printed on stdout, and everything it sends is sent back until it shuts
down its side. Exits 0 after MAXCLIENTS clients.
"""

import os
import sys

import csock.c as c
from csock.c import *

BACKLOG = 10  # connections waiting for accept()
MAXDATASIZE = 256  # bytes per recv()


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
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    their_addr = new("struct sockaddr_storage *")  # big enough for any address
    sin_size = new("socklen_t *")
    yes = new("int *", 1)
    s = new("char[]", INET6_ADDRSTRLEN)
    buf = new("char[]", MAXDATASIZE)
    len = new("size_t *")

    if argc != 4 or (maxclients := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: streamserver HOST PORT MAXCLIENTS\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM
    hints.ai_flags = AI_PASSIVE  # an address to bind, when HOST is NULL

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        exit(1)

    # Bind to the first address that works.
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            perror(b"streamserver: socket")
            p = p.ai_next
            continue

        if setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof("int")) == -1:
            perror(b"setsockopt")
            exit(1)

        if bind(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            close(sockfd)
            perror(b"streamserver: bind")
            p = p.ai_next
            continue

        break

    if p == NULL:
        fprintf(stderr, b"streamserver: failed to bind\n")
        exit(1)
    freeaddrinfo(servinfo[0])  # done with the list

    if listen(sockfd, BACKLOG) == -1:
        perror(b"listen")
        exit(1)

    # Which port? (the kernel's choice if PORT was 0)
    sin_size[0] = sizeof(their_addr[0])
    if getsockname(sockfd, cast("struct sockaddr *", their_addr), sin_size) == -1:
        perror(b"getsockname")
        exit(1)
    fprintf(stderr, b"streamserver: waiting for connections on port %d\n",
            get_in_port(cast("struct sockaddr *", their_addr)))

    served = 0
    while served < maxclients:
        sin_size[0] = sizeof(their_addr[0])
        new_fd = accept(sockfd, cast("struct sockaddr *", their_addr), sin_size)
        if new_fd == -1:
            perror(b"accept")
            exit(1)

        inet_ntop(their_addr.ss_family, get_in_addr(cast("struct sockaddr *", their_addr)),
                  s, sizeof(s))
        printf(b"streamserver: got connection from %s\n", s)
        fflush(stdout)

        # Echo until the client shuts down its side (recv() returns 0).
        while (numbytes := recv(new_fd, buf, sizeof(buf), 0)) > 0:
            len[0] = numbytes
            if sendall(new_fd, buf, len) == -1:
                perror(b"sendall")
                break
        if numbytes == -1:
            perror(b"recv")

        close(new_fd)
        served += 1

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
