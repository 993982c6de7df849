/*
 * unixdgramclient.c - sends one datagram to unixdgramserver, prints the echo.
 *
 *   Usage: unixdgramclient SERVERPATH CLIENTPATH MESSAGE
 *
 * A datagram socket needs an address of its own to get an answer: this one
 * binds to CLIENTPATH, sends MESSAGE to SERVERPATH, prints "echo> TEXT" for
 * the answer, removes CLIENTPATH and exits 0.
 *
 * unixdgramclient.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXDATASIZE 100 /* the longest answer, with its '\0' */

int main(int argc, char *argv[])
{
    int s;
    struct sockaddr_un local, remote;
    char buf[MAXDATASIZE];
    ssize_t n;

    if (argc != 4) {
        fprintf(stderr, "usage: unixdgramclient SERVERPATH CLIENTPATH MESSAGE\n");
        exit(1);
    }

    if ((s = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    /* Our own address, for the answer. */
    memset(&local, 0, sizeof local);
    local.sun_family = AF_UNIX;
    strncpy(local.sun_path, argv[2], sizeof local.sun_path - 1);
    if (unlink(local.sun_path) == -1 && errno != ENOENT) {
        perror("unlink");
        exit(1);
    }
    if (bind(s, (struct sockaddr *)&local, sizeof local) == -1) {
        perror("bind");
        exit(1);
    }

    memset(&remote, 0, sizeof remote);
    remote.sun_family = AF_UNIX;
    strncpy(remote.sun_path, argv[1], sizeof remote.sun_path - 1);
    if (sendto(s, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&remote,
               sizeof remote) == -1) {
        perror("sendto");
        exit(1);
    }

    if ((n = recv(s, buf, sizeof buf - 1, 0)) == -1) {
        perror("recv");
        exit(1);
    }
    buf[n] = '\0';
    printf("echo> %s\n", buf);

    close(s);
    unlink(local.sun_path);
    return 0;
}
