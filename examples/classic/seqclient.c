/*
 * seqclient.c - asks seqserver for a block of sequence numbers.
 *
 *   Usage: seqclient HOST PORT NAME COUNT
 *
 * Sends one struct request (COUNT in network order, NAME) and prints the
 * block it gets back: "seqclient: NAME got N to M".
 *
 * seqclient.py is this program line by line in Python (csock.c).
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
    int sockfd = -1, rv;
    long count;
    struct addrinfo hints, *servinfo, *p;
    struct request req;
    uint32_t first;

    if (argc != 5 || (count = strtol(argv[4], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: seqclient HOST PORT NAME COUNT\n");
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
        fprintf(stderr, "seqclient: failed to connect\n");
        exit(2);
    }
    freeaddrinfo(servinfo);

    memset(&req, 0, sizeof req); /* no stray bytes after the name */
    req.seqNum = htonl((uint32_t)count);
    strncpy(req.name, argv[3], sizeof req.name - 1);

    if (send(sockfd, &req, sizeof req, 0) != sizeof req) {
        perror("send");
        exit(1);
    }
    if (readn(sockfd, &req, sizeof req) != sizeof req) {
        fprintf(stderr, "seqclient: short answer\n");
        exit(1);
    }
    first = ntohl(req.seqNum);
    printf("seqclient: %s got %u to %u\n", req.name, first, first + (uint32_t)count - 1);

    close(sockfd);
    return 0;
}
