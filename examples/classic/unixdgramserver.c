/*
 * unixdgramserver.c - an echo server on an AF_UNIX datagram socket.
 *
 *   Usage: unixdgramserver PATH COUNT
 *
 * Binds to PATH (removing an old one first), prints "unixdgramserver:
 * waiting on PATH" on stderr, then sends each of COUNT datagrams back to the
 * path it came from, printing its length and sender. Removes PATH and exits 0.
 *
 * unixdgramserver.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXDATASIZE 100 /* the longest datagram */

int main(int argc, char *argv[])
{
    int s, i, count;
    struct sockaddr_un local, remote;
    socklen_t len;
    char buf[MAXDATASIZE];
    ssize_t n;

    if (argc != 3 || (count = atoi(argv[2])) <= 0) {
        fprintf(stderr, "usage: unixdgramserver PATH COUNT\n");
        exit(1);
    }
    if (strlen(argv[1]) >= sizeof local.sun_path) {
        fprintf(stderr, "unixdgramserver: path too long\n");
        exit(1);
    }

    if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
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
    fprintf(stderr, "unixdgramserver: waiting on %s\n", local.sun_path);

    for (i = 0; i < count; i++) {
        len = sizeof remote;
        if ((n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&remote, &len)) == -1) {
            perror("recvfrom");
            exit(1);
        }
        printf("unixdgramserver: %zd bytes from %s\n", n, remote.sun_path);
        fflush(stdout);

        /* The client bound its own path: that is where the answer goes. */
        if (sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&remote, len) == -1)
            perror("sendto");
    }

    close(s);
    unlink(local.sun_path);
    return 0;
}
