/*
 * udpechocli.c - Beej's talker plus a reply, with a receive timeout
 * (Kerrisk: SO_RCVTIMEO with a struct timeval).
 *
 *   Usage: udpechocli HOST PORT MESSAGE...
 *
 * Sends each MESSAGE as a datagram and prints the reply; "timeout" on
 * stderr and exit 3 when no reply comes within a second.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define BUF_SIZE 500

int main(int argc, char *argv[])
{
    int sockfd, rv, j;
    struct addrinfo hints, *servinfo, *p;
    struct timeval tv;
    ssize_t numbytes, len;
    char resp[BUF_SIZE];

    if (argc < 4) {
        fprintf(stderr, "usage: udpechocli host port msg...\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* loop through all the results and make a socket */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype,
                             p->ai_protocol)) == -1) {
            perror("talker: socket");
            continue;
        }
        if (connect(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            continue;
        }
        break;
    }

    if (p == NULL) {
        fprintf(stderr, "talker: failed to create socket\n");
        return 2;
    }
    freeaddrinfo(servinfo);

    tv.tv_sec = 1;
    tv.tv_usec = 0;
    if (setsockopt(sockfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
        perror("setsockopt");
        exit(1);
    }

    for (j = 3; j < argc; j++) {
        len = strlen(argv[j]);
        if ((numbytes = send(sockfd, argv[j], len, 0)) != len) {
            perror("talker: send");
            exit(1);
        }

        numbytes = recv(sockfd, resp, BUF_SIZE, 0);
        if (numbytes == -1) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                fprintf(stderr, "timeout\n");
                exit(3);
            }
            perror("recv");
            exit(1);
        }
        printf("Response %d: %.*s\n", j - 2, (int) numbytes, resp);
    }

    close(sockfd);
    exit(EXIT_SUCCESS);
}
