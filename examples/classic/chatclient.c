/*
 * chatclient.c - a client for the chat servers: standard input to the
 * server, the server to standard output, with select().
 *
 *   Usage: chatclient HOST PORT
 *
 * Connects to the first address of HOST and PORT that answers, then waits on
 * both standard input and the socket: what is typed is sent, what arrives is
 * written to stdout. At the end of input it shuts down its sending side and
 * goes on printing until the server closes the connection; then exits 0.
 *
 * chatclient.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAXDATASIZE 256 /* bytes per read() or recv() */

/* Write all len bytes to fd: write() may write fewer. */
static int writeall(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0) {
        if ((n = write(fd, buf, len)) == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    int sockfd = -1;
    struct addrinfo hints, *servinfo, *p;
    fd_set readfds;
    char buf[MAXDATASIZE];
    ssize_t n;
    int rv, reading_stdin = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: chatclient HOST PORT\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        exit(1);
    }

    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1)
            continue;
        if (connect(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            continue;
        }
        break;
    }
    if (p == NULL) {
        fprintf(stderr, "chatclient: failed to connect\n");
        exit(2);
    }
    freeaddrinfo(servinfo);

    for (;;) {
        FD_ZERO(&readfds);
        if (reading_stdin)
            FD_SET(STDIN_FILENO, &readfds);
        FD_SET(sockfd, &readfds);

        if (select(sockfd + 1, &readfds, NULL, NULL, NULL) == -1) {
            if (errno == EINTR)
                continue;
            perror("select");
            exit(1);
        }

        if (reading_stdin && FD_ISSET(STDIN_FILENO, &readfds)) {
            if ((n = read(STDIN_FILENO, buf, sizeof buf)) <= 0) {
                /* End of input: the server sees our end, we keep reading. */
                reading_stdin = 0;
                if (shutdown(sockfd, SHUT_WR) == -1) {
                    perror("shutdown");
                    exit(1);
                }
            } else if (send(sockfd, buf, (size_t)n, 0) == -1) {
                perror("send");
                exit(1);
            }
        }

        if (FD_ISSET(sockfd, &readfds)) {
            if ((n = recv(sockfd, buf, sizeof buf, 0)) == -1) {
                perror("recv");
                exit(1);
            }
            if (n == 0)
                break; /* the server closed the connection */
            if (writeall(STDOUT_FILENO, buf, (size_t)n) == -1) {
                perror("write");
                exit(1);
            }
        }
    }

    close(sockfd);
    return 0;
}
