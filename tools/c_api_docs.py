"""What each csock.c function returns on failure, and its man page section.

Read by tools/gen_c_stub.py (csock/c.pyi's docstrings). A function declared
in csock/_cdefs without an entry here fails tests/test_c_stub.py.
"""

from __future__ import annotations

ERRNO = "-1, with errno set"
NULL_ERRNO = "NULL, with errno set"
H_ERRNO = "NULL, with h_errno set (hstrerror(h_errno) says why)"
NULL = "NULL"
EAI = ("a nonzero EAI_* code (gai_strerror(code) says why; for EAI_SYSTEM the "
       "reason is in errno)")
NEVER = "cannot fail"

# name (as csock.c exports it) -> (man page section, what failure returns)
DOCS: dict[str, tuple[str, str]] = {
    # <sys/socket.h>
    "socket": ("2", ERRNO),
    "socketpair": ("2", ERRNO),
    "bind": ("2", ERRNO),
    "listen": ("2", ERRNO),
    "accept": ("2", ERRNO),
    "accept4": ("2", ERRNO),
    "connect": ("2", ERRNO),
    "send": ("2", ERRNO),
    "recv": ("2", ERRNO + "; 0 means the peer closed the connection"),
    "sendto": ("2", ERRNO),
    "recvfrom": ("2", ERRNO),
    "sendmsg": ("2", ERRNO),
    "recvmsg": ("2", ERRNO),
    "sendmmsg": ("2", ERRNO + ", when no message was sent; a failure after the first "
                              "message returns the number sent, and its errno is lost"),
    "recvmmsg": ("2", ERRNO + ", when no message was received; a failure after the first "
                              "message returns the number received, and the next call "
                              "reports it"),
    "shutdown": ("2", ERRNO),
    "setsockopt": ("2", ERRNO),
    "getsockopt": ("2", ERRNO),
    "getsockname": ("2", ERRNO),
    "getpeername": ("2", ERRNO),
    "CMSG_FIRSTHDR": ("3", "NULL when there is no control message (or msgh is NULL)"),
    "CMSG_NXTHDR": ("3", "NULL after the last control message (or for a NULL argument)"),
    "CMSG_DATA": ("3", "NULL for a NULL cmsg (C would crash)"),
    "CMSG_SPACE": ("3", NEVER),
    "CMSG_LEN": ("3", NEVER),
    # <netinet/in.h>, <arpa/inet.h>
    "htons": ("3", NEVER),
    "ntohs": ("3", NEVER),
    "htonl": ("3", NEVER),
    "ntohl": ("3", NEVER),
    "inet_addr": ("3", "INADDR_NONE (0xffffffff), which is also 255.255.255.255"),
    "inet_aton": ("3", "0 when cp is not a valid address"),
    "inet_ntoa": ("3", NEVER + " (the result is a static buffer, overwritten by the next call)"),
    "inet_pton": ("3", "0 when src is not a valid address of af; -1 with errno "
                       "EAFNOSUPPORT for an unknown af"),
    "inet_ntop": ("3", NULL_ERRNO),
    # <netdb.h>
    "gethostbyname": ("3", H_ERRNO + "; the result is a static buffer"),
    "gethostbyaddr": ("3", H_ERRNO + "; the result is a static buffer"),
    "getservbyname": ("3", NULL + " when the service is unknown; the result is a static buffer"),
    "getservbyport": ("3", NULL + " when the port is unknown; the result is a static buffer"),
    "getprotobyname": ("3", NULL + " when the protocol is unknown; the result is a static "
                               "buffer"),
    "getaddrinfo": ("3", EAI + "; 0 on success, and *res must be freed with freeaddrinfo"),
    "freeaddrinfo": ("3", NEVER),
    "gai_strerror": ("3", NEVER),
    "getnameinfo": ("3", EAI),
    "herror": ("3", NEVER + " (prints s and hstrerror(h_errno) on stderr)"),
    "hstrerror": ("3", NEVER),
    "h_addr": ("3", "NULL for a NULL hostent or an empty address list (a macro in C)"),
    # <net/if.h>
    "if_nametoindex": ("3", "0, with errno set"),
    "if_indextoname": ("3", NULL_ERRNO),
    "if_nameindex": ("3", NULL_ERRNO),
    "if_freenameindex": ("3", NEVER),
    # <unistd.h>, <fcntl.h>, <poll.h>, <sys/select.h>, <sys/sendfile.h>
    "close": ("2", ERRNO),
    "read": ("2", ERRNO + "; 0 at end of file"),
    "write": ("2", ERRNO),
    "gethostname": ("2", ERRNO),
    "dup": ("2", ERRNO),
    "pipe": ("2", ERRNO),
    "getpid": ("2", NEVER),
    "open": ("2", ERRNO),
    "fcntl": ("2", ERRNO),
    "poll": ("2", ERRNO + "; 0 when the timeout expired"),
    "select": ("2", ERRNO + "; 0 when the timeout expired"),
    "FD_ZERO": ("3", NEVER + " (a macro in C)"),
    "FD_SET": ("3", NEVER + " (a macro in C; fds outside 0..FD_SETSIZE-1 are ignored)"),
    "FD_CLR": ("3", NEVER + " (a macro in C; fds outside 0..FD_SETSIZE-1 are ignored)"),
    "FD_ISSET": ("3", "0 when fd is not in the set (a macro in C; 0 for fds outside "
                      "0..FD_SETSIZE-1)"),
    "sendfile": ("2", ERRNO),
    # <string.h>, <stdio.h>
    "memset": ("3", NEVER + " (returns s)"),
    "memcpy": ("3", NEVER + " (returns dest)"),
    "memmove": ("3", NEVER + " (returns dest)"),
    "memcmp": ("3", NEVER),
    "strlen": ("3", NEVER),
    "bzero": ("3", NEVER),
    "strerror": ("3", NEVER),
    "perror": ("3", NEVER + " (prints s and strerror(errno) on stderr)"),
    # <signal.h>: signal() and sigaction() take Python handlers (csock/_signals.py)
    "signal": ("2", "SIG_ERR, with errno set; otherwise the previous handler"),
    "sigaction": ("2", ERRNO),
    "kill": ("2", ERRNO),
    "raise_": ("3", "nonzero"),
    "sigemptyset": ("3", ERRNO),
    "sigfillset": ("3", ERRNO),
    "sigaddset": ("3", ERRNO),
    "sigdelset": ("3", ERRNO),
    "sigismember": ("3", ERRNO + "; 1 if signum is in the set, 0 if not"),
    "sigprocmask": ("2", ERRNO),
}
