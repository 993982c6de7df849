/*
 * recvfd.c - receives an open file descriptor over an AF_UNIX socket
 * (SCM_RIGHTS) and copies what it reads from it to standard output.
 *
 *   Usage: recvfd PATH
 *
 * Listens on PATH, prints "recvfd: waiting on PATH" on stderr, accepts one
 * connection and receives one byte of data carrying a descriptor in its
 * control message. The descriptor is then read to its end (the file was
 * opened by the sender; this process may not be able to open it at all).
 * Removes PATH and exits 0.
 *
 * recvfd.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int s, conn, fd;
    struct sockaddr_un local;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cmsg;
    char data;
    char buf[512];
    ssize_t n;
    /* Room for one descriptor, aligned as a cmsghdr must be. */
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;

    if (argc != 2) {
        fprintf(stderr, "usage: recvfd PATH\n");
        exit(1);
    }
    if (strlen(argv[1]) >= sizeof local.sun_path) {
        fprintf(stderr, "recvfd: path too long\n");
        exit(1);
    }

    if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }
    memset(&local, 0, sizeof local);
    local.sun_family = AF_UNIX;
    strcpy(local.sun_path, argv[1]);
    if (unlink(local.sun_path) == -1 && errno != ENOENT) {
        perror("unlink");
        exit(1);
    }
    if (bind(s, (struct sockaddr *)&local, sizeof local) == -1) {
        perror("bind");
        exit(1);
    }
    if (listen(s, 1) == -1) {
        perror("listen");
        exit(1);
    }
    fprintf(stderr, "recvfd: waiting on %s\n", local.sun_path);

    if ((conn = accept(s, NULL, NULL)) == -1) {
        perror("accept");
        exit(1);
    }

    /* One byte of real data: a control message cannot travel alone. */
    iov.iov_base = &data;
    iov.iov_len = 1;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;

    if ((n = recvmsg(conn, &msg, 0)) == -1) {
        perror("recvmsg");
        exit(1);
    }
    if (n == 0) {
        fprintf(stderr, "recvfd: the sender closed without sending\n");
        exit(1);
    }

    cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS
        || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        fprintf(stderr, "recvfd: no descriptor came\n");
        exit(1);
    }
    memcpy(&fd, CMSG_DATA(cmsg), sizeof(int)); /* CMSG_DATA may be unaligned */

    /* The descriptor is ours now: read the file through it. */
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (write(STDOUT_FILENO, buf, (size_t)n) != n) {
            perror("write");
            exit(1);
        }
    }
    if (n == -1) {
        perror("read");
        exit(1);
    }

    close(fd);
    close(conn);
    close(s);
    unlink(local.sun_path);
    return 0;
}
