"""sendfd.py - sendfd.c line by line in Python, through csock.c.

    Usage: python sendfd.py PATH FILE

Opens FILE for reading, connects to the AF_UNIX stream socket at PATH and
sends one byte with the descriptor in an SCM_RIGHTS control message. The
receiver gets its own descriptor for the same open file. Exits 0.
"""

import os
import sys

from csock.c import *


def main(argc, argv):
    fd = new("int *")
    remote = new("struct sockaddr_un *")
    msg = new("struct msghdr *")
    iov = new("struct iovec *")
    data = new("char *", b"F")  # the one byte the descriptor travels with
    # Room for one descriptor, aligned as a cmsghdr must be.
    control = new("union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } *")

    if argc != 3:
        fprintf(stderr, b"usage: sendfd PATH FILE\n")
        exit(1)

    # fd's address goes into the message, so it is an int * here, and := cannot
    # assign to fd[0]: the assignment comes out of the condition.
    fd[0] = open(argv[2], O_RDONLY)
    if fd[0] == -1:
        perror(b"open")
        exit(1)

    if (s := socket(AF_UNIX, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        exit(1)
    memset(remote, 0, sizeof(remote[0]))
    remote.sun_family = AF_UNIX
    strncpy(remote.sun_path, argv[1], sizeof(remote.sun_path) - 1)
    if connect(s, cast("struct sockaddr *", remote), sizeof(remote[0])) == -1:
        perror(b"connect")
        exit(1)

    iov.iov_base = data
    iov.iov_len = 1
    memset(msg, 0, sizeof(msg[0]))
    msg.msg_iov = iov
    msg.msg_iovlen = 1
    memset(control, 0, sizeof(control[0]))
    msg.msg_control = control.buf
    msg.msg_controllen = sizeof(control.buf)

    cmsg = CMSG_FIRSTHDR(msg)
    cmsg.cmsg_level = SOL_SOCKET
    cmsg.cmsg_type = SCM_RIGHTS
    cmsg.cmsg_len = CMSG_LEN(sizeof("int"))
    memcpy(CMSG_DATA(cmsg), fd, sizeof("int"))

    if sendmsg(s, msg, 0) == -1:
        perror(b"sendmsg")
        exit(1)

    close(s)
    close(fd[0])  # the receiver has its own copy
    return 0


if __name__ == "__main__":
    # char *argv[]: each argument as the NUL-terminated bytes C would get.
    sys.exit(main(len(sys.argv), [new("char[]", os.fsencode(a)) for a in sys.argv]))
