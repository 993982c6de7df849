/*
 * unixserver.c - an echo server on an AF_UNIX stream socket.
 *
 *   Usage: unixserver PATH MAXCLIENTS
 *
 * Removes any old PATH, binds the socket there, listens and prints
 * "unixserver: waiting on PATH" on stderr. Serves clients one after
 * another, sending back everything each one sends until it closes. After
 * MAXCLIENTS clients it removes PATH and exits 0.
 *
 * unixserver.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXDATASIZE 100 /* bytes per recv() */

int main(int argc, char *argv[])
{
    int s, s2;
    struct sockaddr_un local, remote;
    socklen_t t;
    char str[MAXDATASIZE];
    ssize_t n;
    int served, maxclients;

    if (argc != 3 || (maxclients = atoi(argv[2])) <= 0) {
        fprintf(stderr, "usage: unixserver PATH MAXCLIENTS\n");
        exit(1);
    }
    if (strlen(argv[1]) >= sizeof local.sun_path) {
        fprintf(stderr, "unixserver: path too long\n");
        exit(1);
    }

    if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    memset(&local, 0, sizeof local);
    local.sun_family = AF_UNIX;
    strcpy(local.sun_path, argv[1]);
    /* A socket file left by an earlier run would make bind() fail. */
    if (unlink(local.sun_path) == -1 && errno != ENOENT) {
        perror("unlink");
        exit(1);
    }
    if (bind(s, (struct sockaddr *)&local, sizeof local) == -1) {
        perror("bind");
        exit(1);
    }

    if (listen(s, 5) == -1) {
        perror("listen");
        exit(1);
    }
    fprintf(stderr, "unixserver: waiting on %s\n", local.sun_path);

    for (served = 0; served < maxclients; served++) {
        t = sizeof remote;
        if ((s2 = accept(s, (struct sockaddr *)&remote, &t)) == -1) {
            perror("accept");
            exit(1);
        }
        printf("unixserver: connected\n");
        fflush(stdout);

        /* Echo until the client closes (recv() returns 0). */
        while ((n = recv(s2, str, sizeof str, 0)) > 0) {
            if (send(s2, str, (size_t)n, 0) == -1) {
                perror("send");
                break;
            }
        }
        if (n == -1)
            perror("recv");

        close(s2);
    }

    close(s);
    unlink(local.sun_path); /* leave nothing behind */
    return 0;
}
