/*
 * unixclient.c - sends each argument to unixserver and prints the echo.
 *
 *   Usage: unixclient PATH MESSAGE...
 *
 * Connects to the AF_UNIX stream socket at PATH; for each MESSAGE sends it
 * and waits for as many bytes back, printing "echo> TEXT". Exits 0.
 *
 * unixclient.py is this program line by line in Python (csock.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXDATASIZE 100 /* the longest message, with its '\0' */

int main(int argc, char *argv[])
{
    int s, i;
    size_t len, got;
    struct sockaddr_un remote;
    char str[MAXDATASIZE];
    ssize_t n;

    if (argc < 3) {
        fprintf(stderr, "usage: unixclient PATH MESSAGE...\n");
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

    for (i = 2; i < argc; i++) {
        len = strlen(argv[i]);
        if (len >= sizeof str) {
            fprintf(stderr, "unixclient: message too long\n");
            exit(1);
        }
        if (send(s, argv[i], len, 0) == -1) {
            perror("send");
            exit(1);
        }

        /* The echo may come back in pieces. */
        for (got = 0; got < len; got += (size_t)n) {
            if ((n = recv(s, str + got, len - got, 0)) <= 0) {
                if (n < 0)
                    perror("recv");
                else
                    fprintf(stderr, "unixclient: server closed connection\n");
                exit(1);
            }
        }
        str[got] = '\0';
        printf("echo> %s\n", str);
    }

    close(s);
    return 0;
}
