"""forkserver.py - forkserver.c line by line in Python, through csock.c.

    Usage: python forkserver.py HOST PORT MAXCLIENTS

Binds like streamserver and prints "forkserver: waiting for connections on
port N" on stderr. For each client it prints the client's address and forks:
the child sends back, in upper case, everything the client sends, until the
client shuts down its side. A SIGCHLD handler reaps the children so none is
left a zombie. The parent exits 0 after MAXCLIENTS clients; the children
finish their own clients.
"""

import os
import sys

import csock.c as c
from csock.c import *

BACKLOG = 10  # connections waiting for accept()
MAXDATASIZE = 256  # bytes per recv()


@sighandler  # a Python function as a C handler (void (*)(int))
def sigchld_handler(sig):
    """Reap every child that has ended; keep errno for the interrupted code."""
    saved_errno = c.errno  # waitpid() may overwrite it

    while waitpid(-1, NULL, WNOHANG) > 0:
        pass

    c.errno = saved_errno


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


def serve(fd):
    """The child's work: echo in upper case until the client is done."""
    buf = new("char[]", MAXDATASIZE)

    while (numbytes := recv(fd, buf, sizeof(buf), 0)) > 0:
        for i in range(numbytes):
            buf[i] = toupper(buf[i])
        i = 0
        while i < numbytes:
            if (sent := send(fd, buf + i, numbytes - i, 0)) == -1:
                perror(b"send")
                return
            i += sent
    if numbytes == -1:
        perror(b"recv")


def main(argc, argv):
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    their_addr = new("struct sockaddr_storage *")
    sin_size = new("socklen_t *")
    sa = new("struct sigaction *")
    yes = new("int *", 1)
    s = new("char[]", INET6_ADDRSTRLEN)

    if argc != 4 or (maxclients := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: forkserver HOST PORT MAXCLIENTS\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM
    hints.ai_flags = AI_PASSIVE

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        exit(1)

    # Bind to the first address that works.
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            perror(b"forkserver: socket")
            p = p.ai_next
            continue

        if setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof("int")) == -1:
            perror(b"setsockopt")
            exit(1)

        if bind(sockfd, p.ai_addr, p.ai_addrlen) == -1:
            close(sockfd)
            perror(b"forkserver: bind")
            p = p.ai_next
            continue

        break

    if p == NULL:
        fprintf(stderr, b"forkserver: failed to bind\n")
        exit(1)
    freeaddrinfo(servinfo[0])

    if listen(sockfd, BACKLOG) == -1:
        perror(b"listen")
        exit(1)

    # Reap dead children; SA_RESTART: accept() goes on after the handler.
    memset(sa, 0, sizeof(sa[0]))
    sa.sa_handler = sigchld_handler
    sigemptyset(addressof(sa, "sa_mask"))
    sa.sa_flags = SA_RESTART
    if sigaction(SIGCHLD, sa, NULL) == -1:
        perror(b"sigaction")
        exit(1)

    sin_size[0] = sizeof(their_addr[0])
    if getsockname(sockfd, cast("struct sockaddr *", their_addr), sin_size) == -1:
        perror(b"getsockname")
        exit(1)
    fprintf(stderr, b"forkserver: waiting for connections on port %d\n",
            get_in_port(cast("struct sockaddr *", their_addr)))

    for served in range(maxclients):
        sin_size[0] = sizeof(their_addr[0])
        new_fd = accept(sockfd, cast("struct sockaddr *", their_addr), sin_size)
        if new_fd == -1:
            perror(b"accept")
            exit(1)

        inet_ntop(their_addr.ss_family, get_in_addr(cast("struct sockaddr *", their_addr)),
                  s, sizeof(s))
        printf(b"forkserver: got connection from %s\n", s)
        fflush(stdout)  # or the child would print it again at exit

        if (pid := fork()) == -1:
            perror(b"fork")
            exit(1)
        if pid == 0:
            # The child: it does not need the listener.
            close(sockfd)
            serve(new_fd)
            close(new_fd)
            exit(0)
        close(new_fd)  # the parent does not need this one

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
