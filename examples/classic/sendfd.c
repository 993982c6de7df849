/*
 * sendfd.c - opens a file and sends the open descriptor to recvfd.
 *
 *   Usage: sendfd PATH FILE
 *
 * Opens FILE for reading, connects to the AF_UNIX stream socket at PATH and
 * sends one byte with the descriptor in an SCM_RIGHTS control message. The
 * receiver gets its own descriptor for the same open file. Exits 0.
 *
 * sendfd.py is this program line by line in Python (csock.c).
 */
#include <fcntl.h>
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
    int s, fd;
    struct sockaddr_un remote;
    struct msghdr msg;
    struct iovec iov;
    struct cmsghdr *cmsg;
    char data = 'F'; /* the one byte the descriptor travels with */
    /* Room for one descriptor, aligned as a cmsghdr must be. */
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;

    if (argc != 3) {
        fprintf(stderr, "usage: sendfd PATH FILE\n");
        exit(1);
    }

    if ((fd = open(argv[2], O_RDONLY)) == -1) {
        perror("open");
        exit(1);
    }

    if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }
    memset(&remote, 0, sizeof remote);
    remote.sun_family = AF_UNIX;
    strncpy(remote.sun_path, argv[1], sizeof remote.sun_path - 1);
    if (connect(s, (struct sockaddr *)&remote, sizeof remote) == -1) {
        perror("connect");
        exit(1);
    }

    iov.iov_base = &data;
    iov.iov_len = 1;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    memset(&control, 0, sizeof control);
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;

    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

    if (sendmsg(s, &msg, 0) == -1) {
        perror("sendmsg");
        exit(1);
    }

    close(s);
    close(fd); /* the receiver has its own copy */
    return 0;
}
