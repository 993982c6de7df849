"""talker.py - talker.c line by line in Python, through csock.c.

    Usage: python talker.py HOST PORT MESSAGE

Sends MESSAGE (without a '\\0') from a socket of the first family getaddrinfo()
gives for HOST and PORT, and prints "talker: sent N bytes to ADDRESS".
"""

import os
import sys

from csock.c import *


def get_in_addr(sa):
    """The address inside a sockaddr, IPv4 or IPv6."""
    if sa.sa_family == AF_INET:
        return addressof(cast("struct sockaddr_in *", sa), "sin_addr")
    return addressof(cast("struct sockaddr_in6 *", sa), "sin6_addr")


def main(argc, argv):
    hints = new("struct addrinfo *")
    servinfo = new("struct addrinfo **")
    s = new("char[]", INET6_ADDRSTRLEN)

    if argc != 4:
        fprintf(stderr, b"usage: talker HOST PORT MESSAGE\n")
        exit(1)

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = SOCK_DGRAM

    if (rv := getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(rv))
        return 1

    # The first family we can make a socket for.
    p = servinfo[0]
    while p != NULL:
        if (sockfd := socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1:
            perror(b"talker: socket")
            p = p.ai_next
            continue

        break

    if p == NULL:
        fprintf(stderr, b"talker: failed to create socket\n")
        return 2

    if (numbytes := sendto(sockfd, argv[3], strlen(argv[3]), 0,
                           p.ai_addr, p.ai_addrlen)) == -1:
        perror(b"talker: sendto")
        exit(1)

    printf(b"talker: sent %zd bytes to %s\n", numbytes,
           inet_ntop(p.ai_family, get_in_addr(p.ai_addr), s, sizeof(s)))
    freeaddrinfo(servinfo[0])  # p pointed into the list: free it only now

    close(sockfd)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
