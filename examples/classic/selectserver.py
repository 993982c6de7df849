"""selectserver.py - selectserver.c line by line in Python, through csock.c.

    Usage: python selectserver.py HOST PORT MAXCLIENTS

Listens like streamserver and prints "selectserver: waiting for connections
on port N" on stderr. Whatever a client sends goes to every other client.
New connections and hang-ups are printed on stdout. Exits 0 once MAXCLIENTS
clients have hung up.
"""

import os
import sys

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


def get_listener(host, port):
    """A listening socket on host:port, or -1."""
    listener = -1
    yes = new("int *", 1)
    hints = new("struct addrinfo *")
    ai = new("struct addrinfo **")

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_STREAM
    hints.ai_flags = AI_PASSIVE
    if (rv := getaddrinfo(host, port, hints, ai)) != 0:
        fprintf(stderr, b"selectserver: %s\n", gai_strerror(rv))
        return -1

    p = ai[0]
    while p != NULL:
        listener = socket(p.ai_family, p.ai_socktype, p.ai_protocol)
        if listener < 0:
            p = p.ai_next
            continue

        # No "address already in use" after a restart.
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, yes, sizeof("int"))

        if bind(listener, p.ai_addr, p.ai_addrlen) < 0:
            close(listener)
            p = p.ai_next
            continue

        break

    if p == NULL:  # nothing bound
        freeaddrinfo(ai[0])
        return -1
    freeaddrinfo(ai[0])

    if listen(listener, BACKLOG) == -1:
        close(listener)
        return -1
    return listener


def main(argc, argv):
    master = new("fd_set *")  # every descriptor we watch
    read_fds = new("fd_set *")  # the copy select() overwrites

    remoteaddr = new("struct sockaddr_storage *")
    addrlen = new("socklen_t *")
    buf = new("char[]", MAXDATASIZE)
    remoteIP = new("char[]", INET6_ADDRSTRLEN)
    gone = 0

    if argc != 4 or (maxclients := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: selectserver HOST PORT MAXCLIENTS\n")
        exit(1)

    FD_ZERO(master)
    FD_ZERO(read_fds)

    if (listener := get_listener(argv[1], argv[2])) == -1:
        fprintf(stderr, b"selectserver: cannot listen\n")
        exit(2)

    addrlen[0] = sizeof(remoteaddr[0])
    if getsockname(listener, cast("struct sockaddr *", remoteaddr), addrlen) == -1:
        perror(b"getsockname")
        exit(2)
    fprintf(stderr, b"selectserver: waiting for connections on port %d\n",
            get_in_port(cast("struct sockaddr *", remoteaddr)))

    FD_SET(listener, master)
    fdmax = listener  # the only one, so far

    while True:
        read_fds[0] = master[0]  # select() keeps only the ready ones
        if select(fdmax + 1, read_fds, NULL, NULL, NULL) == -1:
            perror(b"select")
            exit(3)

        for i in range(fdmax + 1):
            if not FD_ISSET(i, read_fds):
                continue

            if i == listener:
                # A new connection.
                addrlen[0] = sizeof(remoteaddr[0])
                newfd = accept(listener, cast("struct sockaddr *", remoteaddr), addrlen)
                if newfd == -1:
                    perror(b"accept")
                    continue
                FD_SET(newfd, master)
                if newfd > fdmax:
                    fdmax = newfd
                printf(b"selectserver: new connection from %s on socket %d\n",
                       inet_ntop(remoteaddr.ss_family,
                                 get_in_addr(cast("struct sockaddr *", remoteaddr)),
                                 remoteIP, INET6_ADDRSTRLEN),
                       newfd)
                fflush(stdout)
                continue

            # Data from a client, or its end.
            if (nbytes := recv(i, buf, sizeof(buf), 0)) <= 0:
                if nbytes == 0:
                    printf(b"selectserver: socket %d hung up\n", i)
                else:
                    perror(b"recv")
                fflush(stdout)
                close(i)
                FD_CLR(i, master)
                gone += 1
                if gone == maxclients:
                    close(listener)
                    return 0
                continue

            # Pass it on to everyone else.
            for j in range(fdmax + 1):
                if FD_ISSET(j, master) and j != listener and j != i:
                    if send(j, buf, nbytes, 0) == -1:
                        perror(b"send")


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
