"""pollserver.py - pollserver.c line by line in Python, through csock.c.

    Usage: python pollserver.py HOST PORT MAXCLIENTS

Behaves as selectserver: listens, prints "pollserver: waiting for connections
on port N" on stderr, passes what each client sends to every other one,
prints connections and hang-ups on stdout, and exits 0 once MAXCLIENTS
clients have hung up. The array starts with room for two.
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
        fprintf(stderr, b"pollserver: %s\n", gai_strerror(rv))
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


def add_to_pfds(pfds, newfd, fd_count, fd_size):
    """Append newfd to the array, doubling it when full; returns the array."""
    if fd_count[0] == fd_size[0]:
        fd_size[0] *= 2
        bigger = cast("struct pollfd *", realloc(pfds, sizeof(pfds[0]) * fd_size[0]))
        if bigger == NULL:
            perror(b"realloc")
            exit(1)
        pfds = bigger

    pfds[fd_count[0]].fd = newfd
    pfds[fd_count[0]].events = POLLIN  # tell us when there is data
    pfds[fd_count[0]].revents = 0
    fd_count[0] += 1
    return pfds


def del_from_pfds(pfds, i, fd_count):
    """Remove entry i: the last entry takes its place."""
    pfds[i] = pfds[fd_count[0] - 1]
    fd_count[0] -= 1


def main(argc, argv):
    remoteaddr = new("struct sockaddr_storage *")
    addrlen = new("socklen_t *")
    buf = new("char[]", MAXDATASIZE)
    remoteIP = new("char[]", INET6_ADDRSTRLEN)
    gone = 0

    fd_count = new("int *", 0)
    fd_size = new("int *", 2)  # room for the listener and one client, to begin
    pfds = cast("struct pollfd *", malloc(sizeof("struct pollfd") * fd_size[0]))

    if argc != 4 or (maxclients := atoi(argv[3])) <= 0:
        fprintf(stderr, b"usage: pollserver HOST PORT MAXCLIENTS\n")
        exit(1)
    if pfds == NULL:
        perror(b"malloc")
        exit(1)

    if (listener := get_listener(argv[1], argv[2])) == -1:
        fprintf(stderr, b"pollserver: cannot listen\n")
        exit(2)

    addrlen[0] = sizeof(remoteaddr[0])
    if getsockname(listener, cast("struct sockaddr *", remoteaddr), addrlen) == -1:
        perror(b"getsockname")
        exit(2)
    fprintf(stderr, b"pollserver: waiting for connections on port %d\n",
            get_in_port(cast("struct sockaddr *", remoteaddr)))

    pfds = add_to_pfds(pfds, listener, fd_count, fd_size)

    while True:
        if poll(pfds, fd_count[0], -1) == -1:
            perror(b"poll")
            exit(3)

        i = 0
        while i < fd_count[0]:
            if not (pfds[i].revents & (POLLIN | POLLHUP)):
                i += 1
                continue

            if pfds[i].fd == listener:
                # A new connection.
                addrlen[0] = sizeof(remoteaddr[0])
                newfd = accept(listener, cast("struct sockaddr *", remoteaddr), addrlen)
                if newfd == -1:
                    perror(b"accept")
                    i += 1
                    continue
                pfds = add_to_pfds(pfds, newfd, fd_count, fd_size)
                printf(b"pollserver: new connection from %s on socket %d\n",
                       inet_ntop(remoteaddr.ss_family,
                                 get_in_addr(cast("struct sockaddr *", remoteaddr)),
                                 remoteIP, INET6_ADDRSTRLEN),
                       newfd)
                fflush(stdout)
                i += 1
                continue

            # Data from a client, or its end.
            sender_fd = pfds[i].fd
            if (nbytes := recv(sender_fd, buf, sizeof(buf), 0)) <= 0:
                if nbytes == 0:
                    printf(b"pollserver: socket %d hung up\n", sender_fd)
                else:
                    perror(b"recv")
                fflush(stdout)
                close(sender_fd)
                del_from_pfds(pfds, i, fd_count)
                i -= 1  # look at the entry that moved into place i
                gone += 1
                if gone == maxclients:
                    close(listener)
                    free(pfds)
                    return 0
                i += 1
                continue

            # Pass it on to everyone else.
            for j in range(fd_count[0]):
                dest_fd = pfds[j].fd
                if dest_fd != listener and dest_fd != sender_fd:
                    if send(dest_fd, buf, nbytes, 0) == -1:
                        perror(b"send")
            i += 1


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
