"""showip.py - showip.c line by line in Python, through csock.c.

    Usage: python showip.py HOST

Prints "IP addresses for HOST:" and then one line per answer,
"  IPv4: 127.0.0.1" or "  IPv6: ::1", in the order getaddrinfo() gives.
An unknown host prints "getaddrinfo: REASON" on stderr and exits 2.
"""

import os
import sys

from csock.c import *


def main(argc, argv):
    hints = new("struct addrinfo *")
    res = new("struct addrinfo **")
    ipstr = new("char[]", INET6_ADDRSTRLEN)

    if argc != 2:
        fprintf(stderr, b"usage: showip HOST\n")
        return 1

    memset(hints, 0, sizeof(hints[0]))
    hints.ai_family = AF_UNSPEC  # IPv4 or IPv6, whichever there is
    hints.ai_socktype = SOCK_STREAM  # one answer per address, not per protocol

    if (status := getaddrinfo(argv[1], NULL, hints, res)) != 0:
        fprintf(stderr, b"getaddrinfo: %s\n", gai_strerror(status))
        return 2

    printf(b"IP addresses for %s:\n", argv[1])

    p = res[0]
    while p != NULL:
        # The address sits in a different field for each family.
        if p.ai_family == AF_INET:
            ipv4 = cast("struct sockaddr_in *", p.ai_addr)
            addr = addressof(ipv4, "sin_addr")
            ipver = b"IPv4"
        else:
            ipv6 = cast("struct sockaddr_in6 *", p.ai_addr)
            addr = addressof(ipv6, "sin6_addr")
            ipver = b"IPv6"

        # Binary address to text, in our own buffer.
        inet_ntop(p.ai_family, addr, ipstr, sizeof(ipstr))
        printf(b"  %s: %s\n", ipver, ipstr)
        p = p.ai_next

    freeaddrinfo(res[0])  # the whole list at once
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
