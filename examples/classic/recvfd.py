"""recvfd.py - recvfd.c line by line in Python, through csock.c.

    Usage: python recvfd.py PATH

Listens on PATH, prints "recvfd: waiting on PATH" on stderr, accepts one
connection and receives one byte of data carrying a descriptor in its control
message (SCM_RIGHTS). The descriptor is then read to its end (the file was
opened by the sender; this process may not be able to open it at all).
Removes PATH and exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *


def main(argc, argv):
    fd = new("int *")
    local = new("struct sockaddr_un *")
    msg = new("struct msghdr *")
    iov = new("struct iovec *")
    data = new("char *")
    buf = new("char[]", 512)
    # Room for one descriptor, aligned as a cmsghdr must be.
    control = new("union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } *")

    if argc != 2:
        fprintf(stderr, b"usage: recvfd PATH\n")
        exit(1)
    if strlen(argv[1]) >= sizeof(local.sun_path):
        fprintf(stderr, b"recvfd: path too long\n")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        exit(1)
    memset(local, 0, sizeof(local[0]))
    local.sun_family = AF_UNIX
    strcpy(local.sun_path, argv[1])
    if unlink(local.sun_path) == -1 and c.errno != ENOENT:
        perror(b"unlink")
        exit(1)
    if bind(s, cast("struct sockaddr *", local), sizeof(local[0])) == -1:
        perror(b"bind")
        exit(1)
    if listen(s, 1) == -1:
        perror(b"listen")
        exit(1)
    fprintf(stderr, b"recvfd: waiting on %s\n", local.sun_path)

    if (conn := accept(s, NULL, NULL)) == -1:
        perror(b"accept")
        exit(1)

    # One byte of real data: a control message cannot travel alone.
    iov.iov_base = data
    iov.iov_len = 1
    memset(msg, 0, sizeof(msg[0]))
    msg.msg_iov = iov
    msg.msg_iovlen = 1
    msg.msg_control = control.buf
    msg.msg_controllen = sizeof(control.buf)

    if (n := recvmsg(conn, msg, 0)) == -1:
        perror(b"recvmsg")
        exit(1)
    if n == 0:
        fprintf(stderr, b"recvfd: the sender closed without sending\n")
        exit(1)

    cmsg = CMSG_FIRSTHDR(msg)
    if (cmsg == NULL or cmsg.cmsg_level != SOL_SOCKET or cmsg.cmsg_type != SCM_RIGHTS
            or cmsg.cmsg_len != CMSG_LEN(sizeof("int"))):
        fprintf(stderr, b"recvfd: no descriptor came\n")
        exit(1)
    memcpy(fd, CMSG_DATA(cmsg), sizeof("int"))  # CMSG_DATA may be unaligned

    # The descriptor is ours now: read the file through it.
    while (n := read(fd[0], buf, sizeof(buf))) > 0:
        if write(STDOUT_FILENO, buf, n) != n:
            perror(b"write")
            exit(1)
    if n == -1:
        perror(b"read")
        exit(1)

    close(fd[0])
    close(conn)
    close(s)
    unlink(local.sun_path)
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
