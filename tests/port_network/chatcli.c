/*
 * chatcli.c - a client for chatsrv over an AF_UNIX stream socket: the
 * address length as offsetof(struct sockaddr_un, sun_path) + strlen(path),
 * stdin copied to the socket (while ((n = read(...)) > 0), a write loop of
 * pointer arithmetic), shutdown(SHUT_WR), then everything the server says
 * copied to stdout with a do { } while loop, and a checksum of it.
 *
 *   Usage: chatcli PATH
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int copy(int from, int to, unsigned char *sum)
{
    char buf[100], *p;
    ssize_t n, w;
    size_t left;
    int total = 0;

    while ((n = read(from, buf, sizeof buf)) > 0) {
        for (p = buf, left = n; left > 0; p += w, left -= w) {
            if ((w = write(to, p, left)) <= 0)
                return -1;
            *sum = (unsigned char)(*sum * 31 + (unsigned char)*p);
        }
        total += n;
    }
    return n < 0 ? -1 : total;
}

int main(int argc, char *argv[])
{
    struct sockaddr_un un;
    socklen_t len;
    int fd, sent;
    unsigned char sum = 0;
    char buf[64];
    ssize_t n;
    long got = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: chatcli PATH\n");
        return 1;
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0) {
        perror("socket");
        return 1;
    }
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, argv[1]);
    len = offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path);
    if (connect(fd, (struct sockaddr *)&un, len) < 0) {
        perror("connect");
        return 1;
    }
    if ((sent = copy(STDIN_FILENO, fd, &sum)) < 0) {
        perror("copy");
        return 1;
    }
    shutdown(fd, SHUT_WR);
    do {
        n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            fwrite(buf, 1, n, stdout);
            got += n;
        }
    } while (n > 0);
    if (n < 0)
        perror("recv");
    printf("-- sent %d, got %ld, sum %u\n", sent, got, sum);
    close(fd);
    return 0;
}
