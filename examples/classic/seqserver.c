/*
 * seqserver.c - hands out blocks of sequence numbers over TCP.
 *
 *   Usage: seqserver HOST PORT MAXCLIENTS
 *
 * Listens like streamserver ("seqserver: waiting for connections on port N"
 * on stderr). Each client sends one struct request: how many numbers it
 * wants (seqNum, network order) and its name. The answer is the same struct
 * with seqNum set to the first number of the block; the next client's block
 * starts after it. Numbers start at 1. Exits 0 after MAXCLIENTS clients.
 *
 * seqserver.py is this program line by line in Python (csock.c).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BACKLOG 10 /* connections waiting for accept() */

/* What travels, both ways: 36 bytes, no padding. */
struct request {
    uint32_t seqNum; /* network order: how many asked; the first one given */
    char name[32];   /* the client's name, '\0'-terminated */
};

/* Read exactly n bytes; fewer when the peer closes first, -1 on error. */
static ssize_t readn(int fd, void *vptr, size_t n)
{
    char *ptr = vptr; /* void * converts to char * without a cast */
    size_t nleft = n;
    ssize_t nread;

    while (nleft > 0) {
        if ((nread = recv(fd, ptr, nleft, 0)) == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (nread == 0)
            break; /* EOF */
        nleft -= (size_t)nread;
        ptr += nread;
    }
    return (ssize_t)(n - nleft);
}

int main(int argc, char *argv[])
{
    int sockfd, new_fd, rv, served, maxclients;
    int yes = 1;
    struct addrinfo hints, *servinfo, *p;
    struct sockaddr_in6 bound; /* big enough for either family's answer */
    socklen_t len;
    struct request req;
    uint32_t next = 1, wanted;

    if (argc != 4 || (maxclients = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: seqserver HOST PORT MAXCLIENTS\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        exit(1);
    }
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1)
            continue;
        setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(int));
        if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            continue;
        }
        break;
    }
    if (p == NULL) {
        fprintf(stderr, "seqserver: failed to bind\n");
        exit(1);
    }
    freeaddrinfo(servinfo);

    if (listen(sockfd, BACKLOG) == -1) {
        perror("listen");
        exit(1);
    }

    /* sin_port and sin6_port are at the same offset. */
    len = sizeof bound;
    if (getsockname(sockfd, (struct sockaddr *)&bound, &len) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "seqserver: waiting for connections on port %d\n", ntohs(bound.sin6_port));

    for (served = 0; served < maxclients; served++) {
        if ((new_fd = accept(sockfd, NULL, NULL)) == -1) {
            perror("accept");
            exit(1);
        }

        if (readn(new_fd, &req, sizeof req) != sizeof req) {
            fprintf(stderr, "seqserver: short request\n");
            close(new_fd);
            continue;
        }
        req.name[sizeof req.name - 1] = '\0'; /* never trust the peer's string */
        wanted = ntohl(req.seqNum);

        printf("seqserver: %s wants %u, gets %u to %u\n", req.name, wanted, next,
               next + wanted - 1);
        fflush(stdout);

        req.seqNum = htonl(next);
        next += wanted;
        if (send(new_fd, &req, sizeof req, 0) != sizeof req)
            perror("send");

        close(new_fd);
    }

    close(sockfd);
    return 0;
}
